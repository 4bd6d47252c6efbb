package blobstore

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"

	"github.com/azemu/azemu/crypto"
)

// DerivedKey returns a key for one service's records (purpose "queue",
// "table"), derived with HKDF-SHA256 from the account encryption key. It
// takes the account key as a gated operation does (Key with gated true):
// while the account's customer-managed key is revoked it fails with the
// same error every gated Blob operation answers (403
// KeyVaultEncryptionKeyNotFound, ...). It returns
// storageerr.ErrAccountNotFound for an unknown account. The account key
// itself never leaves the core.
func (s *Service) DerivedKey(ctx context.Context, account, purpose string) (crypto.Key, error) {
	k, err := s.Key(ctx, account, true)
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
