package blob

import (
	"context"
	"errors"
	"log/slog"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// Service is the Blob service: containers, blobs (block and append),
// blocks, snapshots, copies, leases and listings, over the storage account
// core. It is safe for concurrent use.
type Service struct {
	core *blobstore.Service
	st   *boltstore.Store
	data *sealed.Store
	log  *slog.Logger
}

// New returns the Blob service over core and attaches it, so deleting an
// account drops its containers and the core's Sweep expires staged blocks.
func New(core *blobstore.Service) *Service {
	s := &Service{core: core, st: core.Store(), data: core.Data(), log: core.Logger()}
	core.Attach(s)
	return s
}

var _ blobstore.Part = (*Service)(nil)

// Account returns the account name (see blobstore.Service.Account): the
// protocol layer authenticates with its keys.
func (s *Service) Account(ctx context.Context, name string) (*blobstore.Account, error) {
	return s.core.Account(ctx, name)
}

// GetServiceProperties returns the stored Blob service properties (see
// blobstore.Service.GetServiceProperties).
func (s *Service) GetServiceProperties(ctx context.Context, account string) (blobstore.ServiceProperties, error) {
	return s.core.GetServiceProperties(ctx, account)
}

// SetServiceProperties stores the Blob service properties (see
// blobstore.Service.SetServiceProperties).
func (s *Service) SetServiceProperties(ctx context.Context, account string, p blobstore.ServiceProperties) error {
	return s.core.SetServiceProperties(ctx, account, p)
}

// GetAccountInfo returns the account's SKU and kind.
func (s *Service) GetAccountInfo(ctx context.Context, account string) (blobstore.AccountInfo, error) {
	return s.core.GetAccountInfo(ctx, account)
}

// DropAccount removes every container of account with its blobs.
func (s *Service) DropAccount(ctx context.Context, account string) error {
	var names []string
	err := s.st.View(func(tx *boltstore.Tx) error {
		return tx.ScanContainers(account, "", "", func(c string, _ []byte) (bool, error) {
			names = append(names, c)
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	for _, c := range names {
		if err := s.dropContainer(ctx, blobstore.ContainerRef{Account: account, Container: c}); err != nil && !errors.Is(err, storageerr.ErrContainerNotFound) {
			return err
		}
	}
	return nil
}
