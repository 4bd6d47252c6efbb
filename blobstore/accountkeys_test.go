package blobstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/crypto"
)

// assertKeyNotOnDisk fails when key, raw or base64, is in the database file.
func assertKeyNotOnDisk(t *testing.T, dir string, key []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, dbFile))
	require.NoError(t, err)
	assert.False(t, bytes.Contains(b, key), "raw key in %s", dbFile)
	assert.False(t, bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString(key))), "base64 key in %s", dbFile)
}

func TestAccountKeysSealed(t *testing.T) {
	dir := t.TempDir()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	key := bytes.Repeat([]byte("k3y-"), 16)
	s := openCore(t, Config{DataDir: dir, RootKey: root})
	ctx := context.Background()
	require.NoError(t, s.CreateAccount(ctx, AccountSpec{Name: "acct1", Keys: [][]byte{key}}))
	// Regenerated keys (CreateAccount again) are sealed too.
	key2 := bytes.Repeat([]byte("n3w-"), 16)
	require.NoError(t, s.CreateAccount(ctx, AccountSpec{Name: "acct1", Keys: [][]byte{key2, key}}))
	require.NoError(t, s.Close())
	assertKeyNotOnDisk(t, dir, key)
	assertKeyNotOnDisk(t, dir, key2)

	s = openCore(t, Config{DataDir: dir, RootKey: root})
	a, err := s.Account(ctx, "acct1")
	require.NoError(t, err)
	assert.Equal(t, [][]byte{key2, key}, a.Keys)
	require.NoError(t, s.Close())

	// Another root key does not open them.
	other, err := crypto.NewKey()
	require.NoError(t, err)
	_, err = Open(Config{DataDir: dir, RootKey: other})
	assert.ErrorIs(t, err, boltstore.ErrRecordTampered)
}

// TestAccountKeysOfOldRecordsMigrated writes an account record as version 1
// did (keys in clear) and opens the folder: the keys still work and are
// sealed on disk from then on.
func TestAccountKeysOfOldRecordsMigrated(t *testing.T) {
	dir := t.TempDir()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	key := bytes.Repeat([]byte("0ld!"), 16)
	s := openCore(t, Config{DataDir: dir, RootKey: root})
	require.NoError(t, s.CreateAccount(context.Background(), AccountSpec{Name: "acct1", Keys: [][]byte{[]byte("placeholder")}}))
	require.NoError(t, s.Close())

	// Rewrite the record in the version 1 layout, keys in clear.
	auth, err := crypto.NewRecordAuth(root)
	require.NoError(t, err)
	st, err := boltstore.Open(filepath.Join(dir, dbFile), boltstore.Options{Auth: auth})
	require.NoError(t, err)
	require.NoError(t, st.Update(func(tx *boltstore.Tx) error {
		var m map[string]any
		require.NoError(t, json.Unmarshal(tx.Account("acct1"), &m))
		m["V"] = 1
		m["Keys"] = []string{base64.StdEncoding.EncodeToString(key)}
		delete(m, "SealedKeys")
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return tx.PutAccount("acct1", b)
	}))
	require.NoError(t, st.Close())
	b, err := os.ReadFile(filepath.Join(dir, dbFile))
	require.NoError(t, err)
	require.True(t, bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString(key))), "the old layout holds the key in clear")

	s = openCore(t, Config{DataDir: dir, RootKey: root})
	a, err := s.Account(context.Background(), "acct1")
	require.NoError(t, err)
	assert.Equal(t, [][]byte{key}, a.Keys)
	require.NoError(t, s.Close())
	assertKeyNotOnDisk(t, dir, key)
}
