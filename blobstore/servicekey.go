package blobstore

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"

	"github.com/azemu/azemu/crypto"
)

// DerivedKey returns a key for one service's records (purpose "queue",
// "table"), derived with HKDF-SHA256 from the account encryption key. It
// checks the account key the way every gated Blob operation does: while the
// account's customer-managed key is revoked it fails with the same error
// (403 KeyVaultEncryptionKeyNotFound, ...). It MUST return
// ErrAccountNotFound for an unknown account. The account key itself never
// leaves the service.
func (s *Service) DerivedKey(ctx context.Context, account, purpose string) (crypto.Key, error) {
	k, err := s.accountKey(ctx, account)
	if err != nil {
		return crypto.Key{}, err
	}
	raw, err := hkdf.Key(sha256.New, k.aek[:], nil, "azemu "+purpose+" key v1", crypto.KeySize)
	if err != nil {
		return crypto.Key{}, err
	}
	defer clear(raw)
	return crypto.KeyFromBytes(raw)
}
