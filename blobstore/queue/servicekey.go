package queue

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"
)

// SealedServiceKey returns the sealed service key stored for account, or
// nil when there is none. The bytes are opaque here: a Keys implementation
// seals and opens them.
func (s *Service) SealedServiceKey(ctx context.Context, account string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		out = bytes.Clone(tx.Bucket(bucketServiceKeys).Get([]byte(account)))
		return nil
	})
	return out, err
}

// StoreSealedServiceKey stores sealed as account's service key unless one
// is already stored, and returns the one that is stored afterwards (so two
// first requests racing agree on one key). DropAccount removes it.
func (s *Service) StoreSealedServiceKey(ctx context.Context, account string, sealed []byte) ([]byte, error) {
	var out []byte
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketServiceKeys)
		if cur := b.Get([]byte(account)); cur != nil {
			out = bytes.Clone(cur)
			return nil
		}
		out = bytes.Clone(sealed)
		return b.Put([]byte(account), out)
	})
	return out, err
}
