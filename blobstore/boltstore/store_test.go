package boltstore

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// openFunc opens a fresh store for a contract test.
type openFunc func(t *testing.T) *Store

// TestContract runs the store contract against every implementation.
func TestContract(t *testing.T) {
	impls := map[string]openFunc{
		"bolt": func(t *testing.T) *Store {
			s, err := Open(filepath.Join(t.TempDir(), "db"), Options{NoSync: true})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
		// The same contract with every record authenticated.
		"bolt+auth": func(t *testing.T) *Store {
			s, err := Open(filepath.Join(t.TempDir(), "db"), Options{NoSync: true, Auth: testAuth(t, 1)})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
	for name, open := range impls {
		t.Run(name, func(t *testing.T) { runContract(t, open) })
	}
}

func runContract(t *testing.T, open openFunc) {
	t.Run("accounts", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.Update(func(tx *Tx) error {
			require.NoError(t, tx.PutAccount("b", []byte("2")))
			require.NoError(t, tx.PutAccount("a", []byte("1")))
			assert.ErrorIs(t, tx.PutAccount("x\x00y", nil), ErrInvalidName)
			return nil
		}))
		require.NoError(t, s.View(func(tx *Tx) error {
			assert.Equal(t, []byte("1"), tx.Account("a"))
			assert.Nil(t, tx.Account("c"))
			var names []string
			require.NoError(t, tx.ForEachAccount(func(n string, _ []byte) error { names = append(names, n); return nil }))
			assert.Equal(t, []string{"a", "b"}, names)
			return nil
		}))
	})
	t.Run("get returns copies", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.Update(func(tx *Tx) error { return tx.PutContainer("a", "c", []byte("v")) }))
		var got []byte
		require.NoError(t, s.View(func(tx *Tx) error { got = tx.Container("a", "c"); return nil }))
		assert.Equal(t, []byte("v"), got) // still valid after the transaction
	})
	t.Run("containers scan", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.Update(func(tx *Tx) error {
			for _, c := range []string{"c2", "c1", "d1", "c3"} {
				require.NoError(t, tx.PutContainer("acct", c, []byte(c)))
			}
			return tx.PutContainer("acct2", "c0", nil)
		}))
		scan := func(prefix, from string, max int) []string {
			var out []string
			require.NoError(t, s.View(func(tx *Tx) error {
				return tx.ScanContainers("acct", prefix, from, func(n string, _ []byte) (bool, error) {
					out = append(out, n)
					return len(out) < max, nil
				})
			}))
			return out
		}
		assert.Equal(t, []string{"c1", "c2", "c3", "d1"}, scan("", "", 10))
		assert.Equal(t, []string{"c1", "c2", "c3"}, scan("c", "", 10))
		assert.Equal(t, []string{"c2", "c3"}, scan("c", "c2", 10))
		assert.Equal(t, []string{"c1"}, scan("", "", 1))
		assert.Equal(t, []string{"d1"}, scan("d", "a", 10))
	})
	t.Run("blob order", func(t *testing.T) {
		s := open(t)
		keys := []BlobPos{{"a", ""}, {"a/b", ""}, {"a", "2026-01-02T00:00:00.0000000Z"}, {"a", "2026-01-01T00:00:00.0000000Z"}, {"a-", ""}, {"b", ""}, {"a\x01", ""}}
		require.NoError(t, s.Update(func(tx *Tx) error {
			for _, k := range keys {
				require.NoError(t, tx.PutBlob("acct", "c", k.Name, k.Snapshot, []byte(k.Name+"|"+k.Snapshot)))
			}
			return tx.PutBlob("acct", "c2", "a", "", nil)
		}))
		var got []BlobPos
		require.NoError(t, s.View(func(tx *Tx) error {
			return tx.ScanBlobs("acct", "c", "", BlobPos{}, func(n, snap string, v []byte) (bool, *string, error) {
				assert.Equal(t, n+"|"+snap, string(v))
				got = append(got, BlobPos{n, snap})
				return true, nil, nil
			})
		}))
		want := []BlobPos{
			{"a", "2026-01-01T00:00:00.0000000Z"}, {"a", "2026-01-02T00:00:00.0000000Z"}, {"a", ""},
			{"a\x01", ""}, {"a-", ""}, {"a/b", ""}, {"b", ""},
		}
		assert.Equal(t, want, got)
		// Resume from a position, skip over a prefix, filter by prefix.
		var names []string
		require.NoError(t, s.View(func(tx *Tx) error {
			return tx.ScanBlobs("acct", "c", "a", BlobPos{"a", ""}, func(n, snap string, _ []byte) (bool, *string, error) {
				names = append(names, n)
				if n == "a\x01" {
					skip := "a/"
					return true, &skip, nil
				}
				return true, nil, nil
			})
		}))
		assert.Equal(t, []string{"a", "a\x01", "a/b"}, names)
		var versions []string
		require.NoError(t, s.View(func(tx *Tx) error {
			return tx.BlobVersions("acct", "c", "a", func(snap string, _ []byte) error { versions = append(versions, snap); return nil })
		}))
		assert.Equal(t, []string{"2026-01-01T00:00:00.0000000Z", "2026-01-02T00:00:00.0000000Z", ""}, versions)
	})
	t.Run("blocks", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.Update(func(tx *Tx) error {
			require.NoError(t, tx.PutBlock("a", "c", "x", []byte{2}, []byte("2")))
			require.NoError(t, tx.PutBlock("a", "c", "x", []byte{1}, []byte("1")))
			require.NoError(t, tx.PutBlock("a", "c", "x/y", []byte{1}, []byte("3")))
			require.NoError(t, tx.PutBlock("a", "c", "z", []byte{0}, []byte("4")))
			return nil
		}))
		require.NoError(t, s.View(func(tx *Tx) error {
			var ids []byte
			require.NoError(t, tx.Blocks("a", "c", "x", func(id, _ []byte) error { ids = append(ids, id...); return nil }))
			assert.Equal(t, []byte{1, 2}, ids)
			var names []string
			require.NoError(t, tx.ScanStagedBlobs("a", "c", "", "", func(n string) (bool, error) { names = append(names, n); return true, nil }))
			assert.Equal(t, []string{"x", "x/y", "z"}, names)
			names = nil
			require.NoError(t, tx.ScanStagedBlobs("a", "c", "x", "x/", func(n string) (bool, error) { names = append(names, n); return true, nil }))
			assert.Equal(t, []string{"x/y"}, names)
			n := 0
			require.NoError(t, tx.ForEachBlock(func(a, c, b string, id, _ []byte) error { n++; return nil }))
			assert.Equal(t, 4, n)
			blobs, blocks, err := tx.ContainerKeys("a", "c")
			require.NoError(t, err)
			assert.Empty(t, blobs)
			assert.Len(t, blocks, 4)
			return nil
		}))
	})
	t.Run("file refs", func(t *testing.T) {
		s := open(t)
		id := [16]byte{1}
		require.NoError(t, s.Update(func(tx *Tx) error {
			n, err := tx.AddFileRef(id, 2)
			require.NoError(t, err)
			assert.Equal(t, uint32(2), n)
			n, err = tx.AddFileRef(id, -1)
			require.NoError(t, err)
			assert.Equal(t, uint32(1), n)
			assert.True(t, tx.HasFile(id))
			n, err = tx.AddFileRef(id, -1)
			require.NoError(t, err)
			assert.Equal(t, uint32(0), n)
			assert.False(t, tx.HasFile(id))
			_, err = tx.AddFileRef(id, -1)
			assert.Error(t, err)
			return nil
		}))
	})
	t.Run("update rollback", func(t *testing.T) {
		s := open(t)
		err := s.Update(func(tx *Tx) error {
			require.NoError(t, tx.PutAccount("a", []byte("1")))
			return ErrInvalidName
		})
		assert.ErrorIs(t, err, ErrInvalidName)
		require.NoError(t, s.View(func(tx *Tx) error { assert.Nil(t, tx.Account("a")); return nil }))
	})
}

func TestSchemaVersionChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], SchemaVersion+1)
		return tx.Bucket(bucketMeta).Put(keySchema, b[:])
	}))
	require.NoError(t, db.Close())
	_, err = Open(path, Options{})
	assert.ErrorIs(t, err, ErrSchemaVersion)
}

func TestOpenTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	start := time.Now()
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
}
