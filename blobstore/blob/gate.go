package blob

import (
	"context"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// containerAAD and blobAAD are the associated data of sealed user
// metadata: the object's path, so a sealed value cannot move to another
// object.
func containerAAD(account, container string) []byte {
	return []byte("c\x00" + account + "\x00" + container)
}

func blobAAD(account, container, blob string) []byte {
	return []byte("b\x00" + account + "\x00" + container + "\x00" + blob)
}

// The lease errors of blobs and containers.
var (
	blobLeaseErrs      = blobstore.LeaseErrs{Mismatch: storageerr.ErrLeaseIDMismatchWithBlobOperation, NotPresent: storageerr.ErrLeaseNotPresentWithBlobOperation}
	containerLeaseErrs = blobstore.LeaseErrs{Mismatch: storageerr.ErrLeaseIDMismatchWithContainerOperation, NotPresent: storageerr.ErrLeaseNotPresentWithContainerOperation}
)

// op names a storage operation for key gating.
type op string

// Operations whose key gating matters: the Blob operations listed in
// "Revoke access to a storage account that uses customer-managed keys" of
// https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview
// (docs/cmk-revocation.md), and those that need the key only for metadata.
const (
	opListBlobsMetadata op = "ListBlobs(include=metadata)"
	opGetBlob           op = "GetBlob"
	opGetBlobProperties op = "GetBlobProperties"
	opGetBlobMetadata   op = "GetBlobMetadata"
	opSetBlobMetadata   op = "SetBlobMetadata"
	opSnapshotMetadata  op = "SnapshotBlob(x-ms-meta)"
	opCopyBlob          op = "CopyBlob"
	opPutBlock          op = "PutBlock"
	opAppendBlock       op = "AppendBlock"
	opPutBlob           op = "PutBlob"
	opSetBlobTier       op = "SetBlobTier"
	// Not gated, but they need the key when they carry metadata.
	opPutBlockList     op = "PutBlockList"
	opCreateAppendBlob op = "CreateAppendBlob"
	opContainer        op = "Container"
	opSnapshotBlob     op = "SnapshotBlob"
)

// gated reports whether an operation fails while the account's customer-
// managed key is unavailable. This is the one place that decides it.
func gated(o op) bool {
	switch o {
	case opListBlobsMetadata, opGetBlob, opGetBlobProperties, opGetBlobMetadata, opSetBlobMetadata,
		opSnapshotMetadata, opCopyBlob, opPutBlock, opAppendBlock, opPutBlob, opSetBlobTier:
		return true
	}
	return false
}

// gate checks the account key for a gated operation.
func (s *Service) gate(ctx context.Context, account string, o op) error {
	if !gated(o) {
		return nil
	}
	_, err := s.core.Key(ctx, account, true)
	return err
}

// keyFor returns the account key for an operation (see blobstore's
// Service.Key).
func (s *Service) keyFor(ctx context.Context, account string, o op) (*blobstore.AccountKey, error) {
	return s.core.Key(ctx, account, gated(o))
}
