package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/azemu/azemu/crypto"
	bolt "go.etcd.io/bbolt"
)

// Options configures Open.
type Options struct {
	// Timeout bounds the wait for the file lock, so a second process fails
	// fast instead of hanging. 0 means one second.
	Timeout time.Duration
	// NoSync skips fsync on commit (tests, benchmarks).
	NoSync bool
	// Auth authenticates every account, container, blob, block and Files
	// record (see auth.go). nil stores and reads records as they are.
	Auth *crypto.RecordAuth
}

// defaultTimeout is how long Open waits for the file lock by default.
const defaultTimeout = time.Second

// Store is the bbolt-backed metadata store. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	auth *crypto.RecordAuth
}

// Open opens or creates the database at path, creating the buckets and
// checking the schema version.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout == 0 {
		opts.Timeout = defaultTimeout
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, NoSync: opts.NoSync, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := meta.Get(keySchema); v != nil {
			if len(v) != 4 || (binary.BigEndian.Uint32(v) != SchemaVersion && binary.BigEndian.Uint32(v) != schemaVersion1) {
				return fmt.Errorf("%w: %x", ErrSchemaVersion, v)
			}
		} else if err := meta.Put(keySchema, u32(SchemaVersion)); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketAccounts, bucketContainers, bucketBlobs, bucketBlocks, bucketFiles} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: init: %w", err)
	}
	st := &Store{db: db, auth: opts.Auth}
	if err := st.migrateRecordAuth(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return st, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// View runs fn in a read-only transaction. Values handed to fn's callbacks
// are valid only during that callback; Get methods return copies.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error {
		t := &Tx{tx: btx, auth: s.auth}
		return t.result(fn(t))
	})
}

// Update runs fn in a read-write transaction, committed when fn returns nil.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		t := &Tx{tx: btx, rw: true, auth: s.auth}
		return t.result(fn(t))
	})
}

// Tx is one transaction. It must not be used after its closure returns.
type Tx struct {
	tx   *bolt.Tx
	rw   bool
	auth *crypto.RecordAuth
	// err is the first record that failed authentication; it fails the
	// whole transaction (see result).
	err error
}

func (t *Tx) b(name []byte) *bolt.Bucket { return t.tx.Bucket(name) }

func get(b *bolt.Bucket, k []byte) []byte {
	v := b.Get(k)
	if v == nil {
		return nil
	}
	return bytes.Clone(v)
}

// Account returns a copy of the account record, nil when absent.
func (t *Tx) Account(name string) []byte { return t.get(bucketAccounts, []byte(name)) }

// PutAccount stores an account record.
func (t *Tx) PutAccount(name string, rec []byte) error {
	if err := validName(name); err != nil {
		return err
	}
	return t.put(bucketAccounts, []byte(name), rec)
}

// DeleteAccount removes an account record (not its containers).
func (t *Tx) DeleteAccount(name string) error { return t.b(bucketAccounts).Delete([]byte(name)) }

// ForEachAccount calls fn for every account in name order.
func (t *Tx) ForEachAccount(fn func(name string, rec []byte) error) error {
	return t.b(bucketAccounts).ForEach(func(k, v []byte) error {
		v, err := t.open(bucketAccounts, k, v)
		if err != nil {
			return err
		}
		return fn(string(k), v)
	})
}

// Container returns a copy of the container record, nil when absent.
func (t *Tx) Container(account, container string) []byte {
	return t.get(bucketContainers, containerKey(account, container))
}

// PutContainer stores a container record.
func (t *Tx) PutContainer(account, container string, rec []byte) error {
	if err := validName(account, container); err != nil {
		return err
	}
	return t.put(bucketContainers, containerKey(account, container), rec)
}

// DeleteContainer removes a container record (not its blobs).
func (t *Tx) DeleteContainer(account, container string) error {
	return t.b(bucketContainers).Delete(containerKey(account, container))
}

// ScanContainers calls fn for the account's containers whose name starts
// with prefix and is greater than or equal to from, in name order, until fn
// returns false or an error.
func (t *Tx) ScanContainers(account, prefix, from string, fn func(name string, rec []byte) (bool, error)) error {
	base := containerPrefix(account)
	start := append(bytes.Clone(base), prefix...)
	if from > prefix {
		start = append(bytes.Clone(base), from...)
	}
	full := append(bytes.Clone(base), prefix...)
	c := t.b(bucketContainers).Cursor()
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, full); k, v = c.Next() {
		v, err := t.open(bucketContainers, k, v)
		if err != nil {
			return err
		}
		more, err := fn(string(k[len(base):]), v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Blob returns a copy of a blob record (snapshot "" = base), nil when absent.
func (t *Tx) Blob(account, container, blob, snapshot string) []byte {
	return t.get(bucketBlobs, blobKey(account, container, blob, snapshot))
}

// PutBlob stores a blob or snapshot record.
func (t *Tx) PutBlob(account, container, blob, snapshot string, rec []byte) error {
	if err := validName(account, container, blob, snapshot); err != nil {
		return err
	}
	return t.put(bucketBlobs, blobKey(account, container, blob, snapshot), rec)
}

// DeleteBlob removes a blob or snapshot record.
func (t *Tx) DeleteBlob(account, container, blob, snapshot string) error {
	return t.b(bucketBlobs).Delete(blobKey(account, container, blob, snapshot))
}

// BlobPos is a position in a container's blob listing.
type BlobPos struct {
	Name     string
	Snapshot string
}

// ScanBlobs calls fn for the container's blobs and snapshots whose name
// starts with prefix, starting at from (inclusive; the zero BlobPos means
// the beginning), in listing order, until fn returns false or an error. fn
// may return a skip position: when non-nil, the scan continues at the first
// entry whose name is greater than or equal to *skip (used to jump over a
// BlobPrefix).
func (t *Tx) ScanBlobs(account, container, prefix string, from BlobPos, fn func(name, snapshot string, rec []byte) (more bool, skipTo *string, err error)) error {
	base := blobPrefix(account, container)
	full := append(bytes.Clone(base), prefix...)
	var start []byte
	if from.Name == "" || from.Name < prefix {
		start = full
	} else {
		start = blobKey(account, container, from.Name, from.Snapshot)
		if from.Snapshot == "" {
			start = start[:len(start)-1]
			start = append(start, kindBase)
		}
	}
	c := t.b(bucketBlobs).Cursor()
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, full); {
		name, snap, ok := splitBlobSuffix(k[len(base):])
		if !ok {
			k, v = c.Next()
			continue
		}
		rec, err := t.open(bucketBlobs, k, v)
		if err != nil {
			return err
		}
		more, skip, err := fn(name, snap, rec)
		if err != nil || !more {
			return err
		}
		if skip != nil {
			k, v = c.Seek(append(bytes.Clone(base), *skip...))
			continue
		}
		k, v = c.Next()
	}
	return nil
}

// BlobVersions calls fn for every snapshot of a blob (oldest first) and then
// the base blob, when present.
func (t *Tx) BlobVersions(account, container, blob string, fn func(snapshot string, rec []byte) error) error {
	p := blobNamePrefix(account, container, blob)
	c := t.b(bucketBlobs).Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		rest := k[len(p):]
		if len(rest) == 0 {
			continue
		}
		snap := ""
		if rest[0] == kindSnapshot {
			snap = string(rest[1:])
		}
		v, err := t.open(bucketBlobs, k, v)
		if err != nil {
			return err
		}
		if err := fn(snap, v); err != nil {
			return err
		}
	}
	return nil
}

// Block returns a copy of a staged block record, nil when absent.
func (t *Tx) Block(account, container, blob string, rawID []byte) []byte {
	return t.get(bucketBlocks, blockKey(account, container, blob, rawID))
}

// PutBlock stores a staged block record.
func (t *Tx) PutBlock(account, container, blob string, rawID, rec []byte) error {
	if err := validName(account, container, blob); err != nil {
		return err
	}
	return t.put(bucketBlocks, blockKey(account, container, blob, rawID), rec)
}

// DeleteBlock removes a staged block record.
func (t *Tx) DeleteBlock(account, container, blob string, rawID []byte) error {
	return t.b(bucketBlocks).Delete(blockKey(account, container, blob, rawID))
}

// Blocks calls fn for every staged block of a blob in raw id order.
func (t *Tx) Blocks(account, container, blob string, fn func(rawID, rec []byte) error) error {
	p := blobNamePrefix(account, container, blob)
	c := t.b(bucketBlocks).Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		v, err := t.open(bucketBlocks, k, v)
		if err != nil {
			return err
		}
		if err := fn(k[len(p):], v); err != nil {
			return err
		}
	}
	return nil
}

// ScanStagedBlobs calls fn once per blob name (starting with prefix, at or
// after from) that has staged blocks in the container, in name order, until
// fn returns false or an error.
func (t *Tx) ScanStagedBlobs(account, container, prefix, from string, fn func(name string) (bool, error)) error {
	base := blobPrefix(account, container)
	full := append(bytes.Clone(base), prefix...)
	start := full
	if from > prefix {
		start = append(bytes.Clone(base), from...)
	}
	c := t.b(bucketBlocks).Cursor()
	for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, full); {
		rest := k[len(base):]
		i := bytes.IndexByte(rest, sep)
		if i < 0 {
			k, _ = c.Next()
			continue
		}
		name := string(rest[:i])
		more, err := fn(name)
		if err != nil || !more {
			return err
		}
		// Jump past every block of this blob: name 0x00 is followed by
		// block ids; name 0x01 is greater than all of them.
		next := append(append(bytes.Clone(base), name...), sep+1)
		k, _ = c.Seek(next)
	}
	return nil
}

// ForEachBlock calls fn for every staged block of every blob (for expiry).
func (t *Tx) ForEachBlock(fn func(account, container, blob string, rawID, rec []byte) error) error {
	return t.b(bucketBlocks).ForEach(func(k, v []byte) error {
		parts := bytes.SplitN(k, []byte{sep}, 4)
		if len(parts) != 4 {
			return nil
		}
		v, err := t.open(bucketBlocks, k, v)
		if err != nil {
			return err
		}
		return fn(string(parts[0]), string(parts[1]), string(parts[2]), parts[3], v)
	})
}

// ContainerKeys returns every blob key part (name, snapshot) and staged
// block (name, raw id) of a container, for deleting it.
func (t *Tx) ContainerKeys(account, container string) (blobs []BlobPos, blocks [][2]string, err error) {
	err = t.ScanBlobs(account, container, "", BlobPos{}, func(name, snap string, _ []byte) (bool, *string, error) {
		blobs = append(blobs, BlobPos{Name: name, Snapshot: snap})
		return true, nil, nil
	})
	if err != nil {
		return nil, nil, err
	}
	p := blobPrefix(account, container)
	c := t.b(bucketBlocks).Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		rest := k[len(p):]
		i := bytes.IndexByte(rest, sep)
		if i < 0 {
			continue
		}
		blocks = append(blocks, [2]string{string(rest[:i]), string(rest[i+1:])})
	}
	return blobs, blocks, nil
}

// FileRefs returns the reference count of a data file (0 when unknown).
func (t *Tx) FileRefs(id [16]byte) uint32 {
	v := t.b(bucketFiles).Get(id[:])
	if len(v) != 4 {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

// AddFileRef adds delta to a data file's reference count and returns the new
// count. At 0 the entry is removed: the caller deletes the file after the
// transaction commits.
func (t *Tx) AddFileRef(id [16]byte, delta int) (uint32, error) {
	n := int64(t.FileRefs(id)) + int64(delta)
	if n < 0 {
		return 0, fmt.Errorf("boltstore: negative reference count for file %x", id)
	}
	if n == 0 {
		return 0, t.b(bucketFiles).Delete(id[:])
	}
	return uint32(n), t.b(bucketFiles).Put(id[:], u32(uint32(n)))
}

// HasFile reports whether a data file is referenced.
func (t *Tx) HasFile(id [16]byte) bool { return t.b(bucketFiles).Get(id[:]) != nil }

// Unreferenced returns those of ids whose reference count is zero (the
// sealed store asks before it removes a file).
func (s *Store) Unreferenced(ctx context.Context, ids []crypto.FileID) ([]crypto.FileID, error) {
	var out []crypto.FileID
	err := s.View(func(tx *Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if !tx.HasFile(id) {
				out = append(out, id)
			}
		}
		return nil
	})
	return out, err
}
