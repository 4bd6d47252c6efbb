package boltstore

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/crypto"
)

// Record authentication. With Options.Auth, every value of the account,
// container, blob, block and Files buckets is stored in a crypto.RecordAuth
// envelope bound to its bucket and key, so a record edited, moved to another
// key or swapped with another one without the root key is refused
// (ErrRecordTampered) instead of served. The file reference counts are not
// records and stay as they are. Databases written before get their records
// authenticated once, on the first Open with Auth (migrateRecordAuth), and
// the meta key "recordauth" says it was done: from then on a value without
// an envelope is refused too.

// ErrRecordTampered means a stored record failed authentication: it was
// edited, moved, swapped or stripped of its envelope outside azemu. It is
// real corruption of the metadata, never a client error.
var ErrRecordTampered = errors.New("boltstore: metadata record failed authentication (edited, moved or swapped outside azemu)")

// authBuckets are the buckets whose values are authenticated.
func authBuckets() [][]byte {
	return [][]byte{bucketAccounts, bucketContainers, bucketBlobs, bucketBlocks,
		bucketFileShares, bucketFileNodes, bucketFileExtents, bucketFilePerms, bucketFileServices}
}

// keyRecordAuth in the meta bucket records that every record carries an
// envelope (value 1: crypto record format version 1).
var keyRecordAuth = []byte("recordauth")

// seal wraps v for bucket/k (v unchanged without Auth).
func (t *Tx) seal(bucket, k, v []byte) []byte {
	if t.auth == nil {
		return v
	}
	return t.auth.Authenticate([][]byte{bucket, k}, v)
}

// open checks and unwraps the value stored at bucket/k. A failure is
// remembered in t.err, so the transaction fails even when the caller treats
// the nil it gets as "absent".
func (t *Tx) open(bucket, k, v []byte) ([]byte, error) {
	if t.auth == nil || v == nil {
		return v, nil
	}
	out, err := t.auth.Verify([][]byte{bucket, k}, v)
	if err != nil {
		e := fmt.Errorf("%w: %s %q: %w", ErrRecordTampered, bucket, k, err)
		if t.err == nil {
			t.err = e
		}
		return nil, e
	}
	return out, nil
}

// get returns a copy of the checked value at bucket/k, nil when absent (or
// when it fails authentication: t.err then fails the transaction).
func (t *Tx) get(bucket, k []byte) []byte {
	bk := t.tx.Bucket(bucket)
	if bk == nil {
		return nil
	}
	v, err := t.open(bucket, k, bk.Get(k))
	if err != nil || v == nil {
		return nil
	}
	return bytes.Clone(v)
}

// put stores v at bucket/k in its envelope.
func (t *Tx) put(bucket, k, v []byte) error { return t.b(bucket).Put(k, t.seal(bucket, k, v)) }

// result is what the transaction returns: a record that failed
// authentication wins over fn's own answer (which may have taken the
// record for absent).
func (t *Tx) result(err error) error {
	if t.err != nil {
		return t.err
	}
	return err
}

// migrateRecordAuth wraps every record of a database written before record
// authentication, once, in one transaction.
func (s *Store) migrateRecordAuth() error {
	if s.auth == nil {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyRecordAuth) != nil {
			return nil
		}
		for _, name := range authBuckets() {
			bk := tx.Bucket(name)
			if bk == nil {
				continue
			}
			var kvs [][2][]byte
			if err := bk.ForEach(func(k, v []byte) error {
				kvs = append(kvs, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
				return nil
			}); err != nil {
				return err
			}
			for _, kv := range kvs {
				if err := bk.Put(kv[0], s.auth.Authenticate([][]byte{name, kv[0]}, kv[1])); err != nil {
					return err
				}
			}
		}
		if err := meta.Put(keySchema, u32(SchemaVersion)); err != nil {
			return err
		}
		return meta.Put(keyRecordAuth, []byte{crypto.RecordVersion1})
	})
}
