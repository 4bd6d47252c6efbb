package blobstore

import (
	"context"
	"io"
)

// BlobReader reads a blob's plaintext. It is an io.ReaderAt: serve ranges
// with io.NewSectionReader; only the chunks a read touches are decrypted. A
// tampered data file makes ReadAt fail with an error; it never returns wrong
// bytes. Close releases open files; the reader stays valid (the data files
// it reads are immutable and kept until Close) even if the blob is
// overwritten or deleted meanwhile.
type BlobReader struct {
	// Properties of the blob as of the read (with metadata).
	Properties BlobProperties
	r          io.ReaderAt
	size       int64
	close      func() error
}

// Size is the blob's content length.
func (b *BlobReader) Size() int64 { return b.size }

// ReadAt implements io.ReaderAt over the plaintext.
func (b *BlobReader) ReadAt(p []byte, off int64) (int, error) {
	if b.r == nil {
		return 0, io.EOF
	}
	return b.r.ReadAt(p, off)
}

// Close releases the reader's resources.
func (b *BlobReader) Close() error {
	if b.close == nil {
		return nil
	}
	return b.close()
}

// PutBlob creates or replaces a block blob from opts.Body, streamed into
// encrypted data files. It MUST return ErrContainerNotFound,
// ErrInvalidResourceName for a bad blob name (1-1024 characters),
// ErrMD5Mismatch when TransactionalMD5 does not match the body (nothing is
// committed), ErrConditionNotMet / ErrBlobAlreadyExists per Conditions, the
// lease errors of a leased blob, and ErrRequestBodyTooLarge above 5000 MiB.
// Uncommitted blocks of the blob are discarded.
func (s *Service) PutBlob(ctx context.Context, ref BlobRef, opts PutBlobOptions) (WriteResult, error) {
	return WriteResult{}, errNotImplemented
}

// PutBlock stages a block for a block blob (creating an uncommitted blob
// when none exists). It MUST return ErrContainerNotFound,
// ErrInvalidQueryParameterValue for a block id that is not base64 or decodes
// to more than 64 bytes, ErrInvalidBlobOrBlock when its decoded length
// differs from the blob's other block ids, ErrMD5Mismatch, ErrInvalidBlobType
// for an existing append blob, ErrRequestBodyTooLarge above 4000 MiB, and the
// lease errors.
func (s *Service) PutBlock(ctx context.Context, ref BlobRef, opts PutBlockOptions) (WriteResult, error) {
	return WriteResult{}, errNotImplemented
}

// PutBlockList commits a block list: Committed ids are looked up in the
// committed list, Uncommitted ones among the staged blocks, Latest in the
// staged blocks then the committed list. Commit writes only metadata (no
// data copy); staged blocks not in the list are discarded. It MUST return
// ErrInvalidBlockList when an id is not found, ErrBlockListTooLong above
// 50,000 blocks, ErrContainerNotFound, condition and lease errors.
func (s *Service) PutBlockList(ctx context.Context, ref BlobRef, opts PutBlockListOptions) (WriteResult, error) {
	return WriteResult{}, errNotImplemented
}

// GetBlockList returns the committed and/or uncommitted block lists. It MUST
// return ErrBlobNotFound when the blob has neither committed data nor staged
// blocks, ErrContainerNotFound, and apply the lease id of opts.Conditions.
func (s *Service) GetBlockList(ctx context.Context, ref BlobRef, opts GetBlockListOptions) (BlockList, error) {
	return BlockList{}, errNotImplemented
}

// GetBlob opens a blob (or snapshot) for reading. It MUST return
// ErrContainerNotFound, ErrBlobNotFound (also for an uncommitted blob or
// unknown snapshot), ErrNotModified (304) / ErrConditionNotMet (412) per
// cond, and the lease errors for a mismatching cond.LeaseID. The caller MUST
// Close the reader. Errors from the key provider are returned unchanged.
func (s *Service) GetBlob(ctx context.Context, ref BlobRef, cond Conditions) (*BlobReader, error) {
	return nil, errNotImplemented
}

// GetBlobProperties returns a blob's (or snapshot's) properties with
// metadata. Errors as GetBlob.
func (s *Service) GetBlobProperties(ctx context.Context, ref BlobRef, cond Conditions) (BlobProperties, error) {
	return BlobProperties{}, errNotImplemented
}

// GetBlobMetadata returns the blob's properties with metadata (the protocol
// layer renders only ETag, Last-Modified and x-ms-meta-*). Errors as GetBlob.
func (s *Service) GetBlobMetadata(ctx context.Context, ref BlobRef, cond Conditions) (BlobProperties, error) {
	return s.GetBlobProperties(ctx, ref, cond)
}

// SetBlobHTTPHeaders replaces a blob's HTTP headers (Set Blob Properties;
// absent headers are cleared as Azure does) and changes ETag and
// Last-Modified. It MUST return ErrBlobNotFound, ErrInvalidQueryParameterValue
// for a snapshot (snapshots are read-only), condition and lease errors.
func (s *Service) SetBlobHTTPHeaders(ctx context.Context, ref BlobRef, h HTTPHeaders, cond Conditions) (WriteResult, error) {
	return WriteResult{}, errNotImplemented
}

// SetBlobMetadata replaces a blob's metadata and changes ETag and
// Last-Modified. Errors as SetBlobHTTPHeaders plus the metadata errors.
func (s *Service) SetBlobMetadata(ctx context.Context, ref BlobRef, metadata map[string]string, cond Conditions) (WriteResult, error) {
	return WriteResult{}, errNotImplemented
}

// DeleteBlob deletes a blob, a snapshot (ref.Snapshot set), or only the
// snapshots (DeleteSnapshotsOnly). It MUST return ErrBlobNotFound,
// ErrSnapshotsPresent when the blob has snapshots and DeleteSnapshots is
// empty, ErrInvalidQueryParameterValue when DeleteSnapshots is given for a
// snapshot, condition and lease errors (a snapshot has no lease).
func (s *Service) DeleteBlob(ctx context.Context, ref BlobRef, opts DeleteBlobOptions) error {
	return errNotImplemented
}

// SnapshotBlob creates a read-only snapshot sharing the blob's data files.
// It MUST return ErrBlobNotFound, ErrConditionNotMet, and
// LeaseIdMismatchWithBlobOperation for a wrong lease id (a lease id is
// optional on a leased blob).
func (s *Service) SnapshotBlob(ctx context.Context, ref BlobRef, opts SnapshotOptions) (SnapshotResult, error) {
	return SnapshotResult{}, errNotImplemented
}

// CopyBlob copies a blob within the emulator synchronously: the destination
// shares the source's immutable data files (no byte copy) and reports copy
// status success. It MUST return ErrCopyAcrossAccountsNotSupported,
// ErrContainerNotFound, ErrBlobNotFound for a missing source (404
// CannotVerifyCopySource is for URLs outside the emulator, mapped by the
// protocol layer), ErrSourceConditionNotMet, ErrConditionNotMet and the
// destination lease errors.
func (s *Service) CopyBlob(ctx context.Context, dst BlobRef, opts CopyBlobOptions) (CopyResult, error) {
	return CopyResult{}, errNotImplemented
}

// AbortCopy aborts a pending copy. Copies in azemu complete synchronously,
// so it MUST return ErrBlobNotFound when the blob does not exist,
// ErrCopyIDMismatch when CopyID is not the blob's last copy id, and
// ErrNoPendingCopyOperation otherwise.
func (s *Service) AbortCopy(ctx context.Context, ref BlobRef, opts AbortCopyOptions) error {
	return errNotImplemented
}

// LeaseBlob runs a lease action on a blob (Lease Blob). The outcomes follow
// Azure's lease state table; leases expire on the emulator clock. Lease
// operations do not change ETag or Last-Modified. It MUST return
// ErrBlobNotFound, ErrInvalidHeaderValue for a bad duration or break period,
// ErrConditionNotMet, and the Lease* conflict codes.
func (s *Service) LeaseBlob(ctx context.Context, ref BlobRef, opts LeaseOptions) (LeaseResult, error) {
	return LeaseResult{}, errNotImplemented
}

// CreateAppendBlob creates or replaces an empty append blob. Errors as PutBlob.
func (s *Service) CreateAppendBlob(ctx context.Context, ref BlobRef, opts CreateAppendBlobOptions) (WriteResult, error) {
	return WriteResult{}, errNotImplemented
}

// AppendBlock appends opts.Body to an append blob. It MUST return
// ErrBlobNotFound, ErrInvalidBlobType for a non-append blob,
// ErrAppendPositionConditionNotMet / ErrMaxBlobSizeConditionNotMet (412),
// ErrBlockCountExceedsLimit after 50,000 blocks, ErrRequestBodyTooLarge above
// 100 MiB per block, ErrMD5Mismatch, condition and lease errors.
func (s *Service) AppendBlock(ctx context.Context, ref BlobRef, opts AppendBlockOptions) (AppendResult, error) {
	return AppendResult{}, errNotImplemented
}

// ListBlobs lists a container's blobs in Azure's order. It MUST return
// ErrContainerNotFound. With include=metadata, the metadata of every blob is
// returned (and the account key is needed).
func (s *Service) ListBlobs(ctx context.Context, ref ContainerRef, opts ListBlobsOptions) (BlobList, error) {
	return BlobList{}, errNotImplemented
}
