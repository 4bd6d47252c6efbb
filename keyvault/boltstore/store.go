package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrSchema is returned by Open for a database of another schema version.
var ErrSchema = errors.New("boltstore: unsupported schema version")

// Store is a bbolt-backed record store. It implements keyvault.Store.
type Store struct {
	db *bolt.DB
}

// Open opens or creates the database at path. A second process holding the
// file makes Open fail after one second instead of hanging.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := meta.Get(keySchema); v != nil {
			if len(v) != 4 {
				return ErrSchema
			}
			switch binary.BigEndian.Uint32(v) {
			case schemaVersion:
			case schemaV1:
				if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
					return err
				}
			default:
				return ErrSchema
			}
		} else if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketVaults, bucketKeys, bucketObjects} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Load calls fn for each vault record, then for each of its key records.
func (s *Store) Load(_ context.Context, fn func(vault, key string, data []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		keys := tx.Bucket(bucketKeys)
		return tx.Bucket(bucketVaults).ForEach(func(k, v []byte) error {
			vault := string(k)
			if err := fn(vault, "", bytes.Clone(v)); err != nil {
				return err
			}
			prefix := vaultPrefix(vault)
			c := keys.Cursor()
			for kk, kv := c.Seek(prefix); kk != nil && bytes.HasPrefix(kk, prefix); kk, kv = c.Next() {
				if err := fn(vault, string(kk[len(prefix):]), bytes.Clone(kv)); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// PutVault stores a vault record.
func (s *Store) PutVault(_ context.Context, vault string, data []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVaults).Put([]byte(vault), data)
	})
}

// DeleteVault removes a vault record and all its key and object records.
func (s *Store) DeleteVault(_ context.Context, vault string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketVaults).Delete([]byte(vault)); err != nil {
			return err
		}
		prefix := vaultPrefix(vault)
		for _, b := range [][]byte{bucketKeys, bucketObjects} {
			c := tx.Bucket(b).Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// PutKey stores a key record.
func (s *Store) PutKey(_ context.Context, vault, key string, data []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKeys).Put(keyKey(vault, key), data)
	})
}

// DeleteKey removes a key record.
func (s *Store) DeleteKey(_ context.Context, vault, key string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKeys).Delete(keyKey(vault, key))
	})
}

// LoadObjects calls fn for every object record (secrets, certificates,
// settings) in key order.
func (s *Store) LoadObjects(_ context.Context, fn func(vault, kind, name string, data []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketObjects).ForEach(func(k, v []byte) error {
			parts := bytes.SplitN(k, []byte{0}, 3)
			if len(parts) != 3 {
				return fmt.Errorf("boltstore: malformed object key %q", k)
			}
			return fn(string(parts[0]), string(parts[1]), string(parts[2]), bytes.Clone(v))
		})
	})
}

// PutObject stores an object record.
func (s *Store) PutObject(_ context.Context, vault, kind, name string, data []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketObjects).Put(objectKey(vault, kind, name), data)
	})
}

// DeleteObject removes an object record.
func (s *Store) DeleteObject(_ context.Context, vault, kind, name string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketObjects).Delete(objectKey(vault, kind, name))
	})
}
