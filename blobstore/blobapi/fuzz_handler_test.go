package blobapi

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/blob"
	"github.com/azemu/azemu/blobstore/storagehttp/storagetest"
	"github.com/azemu/azemu/crypto"
)

// FuzzHandler sends signed requests with arbitrary paths, queries, headers
// and bodies through the whole handler: it must always answer with a status
// and never panic.
func FuzzHandler(f *testing.F) {
	root, err := crypto.NewKey()
	require.NoError(f, err)
	svc, err := blobstore.Open(blobstore.Config{RootKey: root})
	require.NoError(f, err)
	f.Cleanup(func() { _ = svc.Close() })
	key := []byte("fuzz-key-fuzz-key-fuzz-key-fuzz!")
	ctx := context.Background()
	require.NoError(f, svc.CreateAccount(ctx, blobstore.AccountSpec{Name: testAccount, Keys: [][]byte{key}}))
	rules := blob.New(svc)
	_, err = rules.CreateContainer(ctx, blobstore.ContainerRef{Account: testAccount, Container: "fuzz"}, blobstore.CreateContainerOptions{})
	require.NoError(f, err)
	h := New(Config{Service: rules})

	f.Add(uint8(1), "/devstoreaccount1/fuzz/b", "", "x-ms-blob-type", "BlockBlob", "hello")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/b", "comp=blocklist", "x-ms-meta-a", "b", "<BlockList><Latest>QQ==</Latest></BlockList>")
	f.Add(uint8(0), "/devstoreaccount1/fuzz", "restype=container&comp=list&delimiter=/&include=metadata,snapshots", "", "", "")
	f.Add(uint8(0), "/devstoreaccount1/fuzz/b", "", "x-ms-range", "bytes=1-", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/b", "comp=lease", "x-ms-lease-action", "acquire", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz", "restype=container&comp=acl", "x-ms-blob-public-access", "container", "<SignedIdentifiers/>")
	f.Add(uint8(1), "/devstoreaccount1", "restype=service&comp=properties", "", "", "<StorageServiceProperties><Cors/></StorageServiceProperties>")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/c", "", "x-ms-copy-source", "http://127.0.0.1/devstoreaccount1/fuzz/b", "")
	f.Fuzz(func(t *testing.T, m uint8, path, query, hname, hvalue, body string) {
		storagetest.ServeFuzz(t, h, "http://127.0.0.1:10000", testAccount, key, m, path, query, hname, hvalue, body)
	})
}
