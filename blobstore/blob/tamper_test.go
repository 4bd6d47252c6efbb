package blob

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
)

// TestSwappedBlobRecordsNotServed: with the data folder but not the root
// key, someone swaps the records of two blobs in the metadata database, so
// each would point at the other's data files. Reading either is refused with
// ErrRecordTampered (500 InternalError on the wire, logged); neither
// serves the other's bytes.
func TestSwappedBlobRecordsNotServed(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	e.put("box", "one", bytes.Repeat([]byte("1"), 100_000))
	e.put("box", "two", bytes.Repeat([]byte("2"), 100_000))
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil

	db, err := bolt.Open(filepath.Join(e.cfg.DataDir, "blobstore.db"), 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("blobs"))
		var k1, k2, v1, v2 []byte
		require.NoError(t, b.ForEach(func(k, v []byte) error {
			switch {
			case bytes.Contains(k, []byte("one")):
				k1, v1 = bytes.Clone(k), bytes.Clone(v)
			case bytes.Contains(k, []byte("two")):
				k2, v2 = bytes.Clone(k), bytes.Clone(v)
			}
			return nil
		}))
		require.NotNil(t, k1)
		require.NotNil(t, k2)
		require.NoError(t, b.Put(k1, v2))
		return b.Put(k2, v1)
	}))
	require.NoError(t, db.Close())

	e.open()
	for _, name := range []string{"one", "two"} {
		_, err := e.s.GetBlob(e.ctx, bref("box", name), blobstore.Conditions{})
		assert.ErrorIs(t, err, boltstore.ErrRecordTampered, name)
	}
}
