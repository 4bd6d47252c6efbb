package boltstore

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/crypto"
)

func testAuth(t testing.TB, seed byte) *crypto.RecordAuth {
	t.Helper()
	var root crypto.Key
	for i := range root {
		root[i] = seed + byte(i)
	}
	a, err := crypto.NewRecordAuth(root)
	require.NoError(t, err)
	return a
}

// rawEdit changes the database file directly, as someone with the data
// folder but without the root key can.
func rawEdit(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(fn))
	require.NoError(t, db.Close())
}

// TestSwappedRecordsRefused is the attack of the review: the records of two
// blobs exchanged in the database, so each would point at the other's
// data. Each read now fails the transaction with ErrRecordTampered instead
// of returning the other's record; so do an edited, a moved and a stripped
// record, and a scan over them.
func TestSwappedRecordsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	auth := testAuth(t, 1)
	s, err := Open(path, Options{Auth: auth})
	require.NoError(t, err)
	require.NoError(t, s.Update(func(tx *Tx) error {
		require.NoError(t, tx.PutBlob("a", "c", "one", "", []byte("record of one")))
		require.NoError(t, tx.PutBlob("a", "c", "two", "", []byte("record of two")))
		require.NoError(t, tx.PutAccount("a", []byte("account")))
		return nil
	}))
	require.NoError(t, s.Close())

	rawEdit(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobs)
		k1, k2 := blobKey("a", "c", "one", ""), blobKey("a", "c", "two", "")
		v1, v2 := bytes.Clone(b.Get(k1)), bytes.Clone(b.Get(k2))
		require.NoError(t, b.Put(k1, v2))
		return b.Put(k2, v1)
	})
	s, err = Open(path, Options{Auth: auth})
	require.NoError(t, err)
	defer s.Close()
	var got []byte
	err = s.View(func(tx *Tx) error {
		got = tx.Blob("a", "c", "one", "")
		return nil // the caller took it for absent: the transaction still fails
	})
	assert.ErrorIs(t, err, ErrRecordTampered)
	assert.Nil(t, got, "the other blob's record is never handed out")
	err = s.View(func(tx *Tx) error {
		return tx.ScanBlobs("a", "c", "", BlobPos{}, func(string, string, []byte) (bool, *string, error) { return true, nil, nil })
	})
	assert.ErrorIs(t, err, ErrRecordTampered)
	// Account records are untouched and still read.
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.Equal(t, []byte("account"), tx.Account("a"))
		return nil
	}))
	require.NoError(t, s.Close())

	for name, edit := range map[string]func(b *bolt.Bucket) error{
		"edited": func(b *bolt.Bucket) error {
			v := bytes.Clone(b.Get([]byte("a")))
			v[3] ^= 1
			return b.Put([]byte("a"), v)
		},
		"moved": func(b *bolt.Bucket) error { return b.Put([]byte("b"), bytes.Clone(b.Get([]byte("a")))) },
		"stripped": func(b *bolt.Bucket) error {
			v := b.Get([]byte("a"))
			return b.Put([]byte("a"), bytes.Clone(v[2:len(v)-crypto.RecordTagSize]))
		},
	} {
		rawEdit(t, path, func(tx *bolt.Tx) error { return edit(tx.Bucket(bucketAccounts)) })
		s, err = Open(path, Options{Auth: auth})
		require.NoError(t, err)
		err = s.View(func(tx *Tx) error {
			return tx.ForEachAccount(func(string, []byte) error { return nil })
		})
		assert.ErrorIs(t, err, ErrRecordTampered, name)
		require.NoError(t, s.Close())
		// Put the original back for the next case.
		s, err = Open(path, Options{Auth: auth})
		require.NoError(t, err)
		require.NoError(t, s.Update(func(tx *Tx) error {
			require.NoError(t, tx.DeleteAccount("b"))
			return tx.PutAccount("a", []byte("account"))
		}))
		require.NoError(t, s.Close())
	}
}

// TestRecordAuthMigratesOldDatabase: a database written without
// authentication (every release before it) opens with it, its records read
// unchanged, and from then on they are bound to their keys.
func TestRecordAuthMigratesOldDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Update(func(tx *Tx) error {
		require.NoError(t, tx.PutAccount("a", []byte(`{"V":1}`)))
		require.NoError(t, tx.PutBlob("a", "c", "one", "", []byte{0x04, 1, 2}))
		return tx.FilePut(FileNodes, []byte("a\x00s\x00f"), []byte("node"))
	}))
	require.NoError(t, s.Close())
	// As the releases before record authentication wrote it: schema 1.
	rawEdit(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, u32(schemaVersion1)) })

	auth := testAuth(t, 1)
	s, err = Open(path, Options{Auth: auth})
	require.NoError(t, err)
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.Equal(t, []byte(`{"V":1}`), tx.Account("a"))
		assert.Equal(t, []byte{0x04, 1, 2}, tx.Blob("a", "c", "one", ""))
		assert.Equal(t, []byte("node"), tx.FileGet(FileNodes, []byte("a\x00s\x00f")))
		return nil
	}))
	require.NoError(t, s.Close())
	rawEdit(t, path, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBlobs).Get(blobKey("a", "c", "one", ""))
		require.True(t, crypto.IsAuthenticated(v), "migrated on open")
		assert.Equal(t, u32(SchemaVersion), tx.Bucket(bucketMeta).Get(keySchema))
		// An unauthenticated value put back by hand is refused now.
		return tx.Bucket(bucketBlobs).Put(blobKey("a", "c", "one", ""), []byte{0x04, 1, 2})
	})
	s, err = Open(path, Options{Auth: auth})
	require.NoError(t, err)
	defer s.Close()
	err = s.View(func(tx *Tx) error { tx.Blob("a", "c", "one", ""); return nil })
	assert.ErrorIs(t, err, ErrRecordTampered)
}
