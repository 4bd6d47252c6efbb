package boltstore

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// The record contract is tested in keyvault (TestStoreContract), which runs
// it against this store and the in-memory one.

func TestSchemaVersionChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	st, err := Open(path)
	require.NoError(t, err)
	require.NoError(t, st.PutVault(context.Background(), "v", []byte("x")))
	require.NoError(t, st.Close())

	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, 99))
	}))
	require.NoError(t, db.Close())
	_, err = Open(path)
	require.ErrorIs(t, err, ErrSchema)
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	st, err := Open(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close()) }()
	start := time.Now()
	_, err = Open(path)
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
}
