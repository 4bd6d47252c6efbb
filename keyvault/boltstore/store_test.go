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

// TestSchemaV1Upgrades: a version 1 file (no objects bucket) opens, keeps
// its records and takes object records afterwards.
func TestSchemaV1Upgrades(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, 1)); err != nil {
			return err
		}
		vaults, err := tx.CreateBucket(bucketVaults)
		if err != nil {
			return err
		}
		if err := vaults.Put([]byte("v"), []byte("vault")); err != nil {
			return err
		}
		keys, err := tx.CreateBucket(bucketKeys)
		if err != nil {
			return err
		}
		return keys.Put(keyKey("v", "k"), []byte("key"))
	}))
	require.NoError(t, db.Close())

	st, err := Open(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close()) }()
	ctx := context.Background()
	var got []string
	require.NoError(t, st.Load(ctx, func(v, k string, data []byte) error {
		got = append(got, v+"|"+k+"="+string(data))
		return nil
	}))
	require.Equal(t, []string{"v|=vault", "v|k=key"}, got)
	require.NoError(t, st.PutObject(ctx, "v", "secret", "s", []byte("sealed")))
	var objs []string
	require.NoError(t, st.LoadObjects(ctx, func(v, kind, name string, data []byte) error {
		objs = append(objs, v+"|"+kind+"|"+name+"="+string(data))
		return nil
	}))
	require.Equal(t, []string{"v|secret|s=sealed"}, objs)
}
