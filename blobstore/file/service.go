package file

import (
	"context"
	"log/slog"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
)

// Blobs is what Azure Files needs of the Blob service: Copy File and Put
// Range From URL accept a blob of the same account as their source.
type Blobs interface {
	// GetBlob MUST behave as the Blob service's Get Blob: the caller
	// closes the reader.
	GetBlob(ctx context.Context, ref blobstore.BlobRef, cond blobstore.Conditions) (*blobstore.BlobReader, error)
	// ContainerPolicy MUST return the stored access policy id of a
	// container (for a source URL's service SAS).
	ContainerPolicy(ctx context.Context, ref blobstore.ContainerRef, id string) (blobstore.AccessPolicy, bool, error)
}

// Service is the Azure Files service: shares, snapshots, directories,
// files, ranges, permissions, leases and copies, over the storage account
// core. It is safe for concurrent use.
type Service struct {
	core  *blobstore.Service
	st    *boltstore.Store
	data  *sealed.Store
	log   *slog.Logger
	blobs Blobs
}

// New returns the Files service over core and attaches it, so deleting an
// account drops its shares. blobs serves blob copy sources; nil refuses
// them with CannotVerifyCopySource.
func New(core *blobstore.Service, blobs Blobs) *Service {
	s := &Service{core: core, st: core.Store(), data: core.Data(), log: core.Logger(), blobs: blobs}
	core.Attach(s)
	return s
}

var _ blobstore.Part = (*Service)(nil)

// Blobs is the Blob service copy sources are read from (nil when none).
func (s *Service) Blobs() Blobs { return s.blobs }

// Account returns the account name (see blobstore.Service.Account): the
// protocol layer authenticates with its keys.
func (s *Service) Account(ctx context.Context, name string) (*blobstore.Account, error) {
	return s.core.Account(ctx, name)
}

// DropAccount removes every share of account with its files.
func (s *Service) DropAccount(ctx context.Context, account string) error {
	return s.dropAccountFiles(ctx, account)
}

// Sweep has nothing due on the emulator clock for Azure Files yet.
func (s *Service) Sweep(context.Context) error { return nil }
