package fileapi

import (
	"context"
	"encoding/base64"
	"testing"

	fileservice "github.com/azemu/azemu/blobstore/file"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storagehttp/storagetest"
	"github.com/azemu/azemu/crypto"
)

// FuzzHandler sends signed random requests through the whole File REST
// handler: whatever the method, path, query, header and body, the answer
// is a storage status, never a panic or a 5xx.
func FuzzHandler(f *testing.F) {
	root, err := crypto.NewKey()
	require.NoError(f, err)
	svc, err := blobstore.Open(blobstore.Config{RootKey: root})
	require.NoError(f, err)
	f.Cleanup(func() { _ = svc.Close() })
	key, err := base64.StdEncoding.DecodeString(devKey)
	require.NoError(f, err)
	ctx := context.Background()
	require.NoError(f, svc.CreateAccount(ctx, blobstore.AccountSpec{Name: devAccount, Keys: [][]byte{key}}))
	rules := fileservice.New(svc, nil)
	_, err = rules.CreateShare(ctx, blobstore.ShareRef{Account: devAccount, Share: "fuzz"}, blobstore.CreateShareOptions{})
	require.NoError(f, err)
	h := New(Config{Service: rules})

	f.Add(uint8(1), "/devstoreaccount1/fuzz/f", "", "x-ms-type", "file", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/f", "comp=range", "x-ms-range", "bytes=0-4", "hello")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/d", "restype=directory", "x-ms-file-attributes", "Directory", "")
	f.Add(uint8(0), "/devstoreaccount1/fuzz", "restype=directory&comp=list&include=Timestamps,ETag", "", "", "")
	f.Add(uint8(0), "/devstoreaccount1/fuzz/f", "comp=rangelist", "x-ms-range", "bytes=0-", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz", "restype=share&comp=acl", "", "", "<SignedIdentifiers/>")
	f.Add(uint8(1), "/devstoreaccount1", "restype=service&comp=properties", "", "", "<StorageServiceProperties><Cors/></StorageServiceProperties>")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/g", "comp=rename", "x-ms-file-rename-source", "/fuzz/f", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz", "restype=share&comp=filepermission", "", "", `{"permission":"O:BAG:BAD:(A;;FA;;;SY)"}`)
	f.Fuzz(func(t *testing.T, m uint8, path, query, hname, hvalue, body string) {
		storagetest.ServeFuzz(t, h, "http://127.0.0.1:10003", devAccount, key, m, path, query, hname, hvalue, body)
	})
}
