package blobapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
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
	_, err = svc.CreateContainer(ctx, blobstore.ContainerRef{Account: testAccount, Container: "fuzz"}, blobstore.CreateContainerOptions{})
	require.NoError(f, err)
	h := New(Config{Service: svc})

	methods := []string{"GET", "PUT", "HEAD", "DELETE", "OPTIONS", "POST"}
	f.Add(uint8(1), "/devstoreaccount1/fuzz/b", "", "x-ms-blob-type", "BlockBlob", "hello")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/b", "comp=blocklist", "x-ms-meta-a", "b", "<BlockList><Latest>QQ==</Latest></BlockList>")
	f.Add(uint8(0), "/devstoreaccount1/fuzz", "restype=container&comp=list&delimiter=/&include=metadata,snapshots", "", "", "")
	f.Add(uint8(0), "/devstoreaccount1/fuzz/b", "", "x-ms-range", "bytes=1-", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/b", "comp=lease", "x-ms-lease-action", "acquire", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz", "restype=container&comp=acl", "x-ms-blob-public-access", "container", "<SignedIdentifiers/>")
	f.Add(uint8(1), "/devstoreaccount1", "restype=service&comp=properties", "", "", "<StorageServiceProperties><Cors/></StorageServiceProperties>")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/c", "", "x-ms-copy-source", "http://127.0.0.1/devstoreaccount1/fuzz/b", "")
	f.Fuzz(func(t *testing.T, m uint8, path, query, hname, hvalue, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#\x00\r\n") || strings.ContainsAny(query, " #\x00\r\n") {
			return
		}
		target := path
		if query != "" {
			target += "?" + query
		}
		r, err := http.NewRequest(methods[int(m)%len(methods)], "http://127.0.0.1:10000"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		r.RequestURI = target
		r.RemoteAddr = "127.0.0.1:1234"
		r.Header.Set("x-ms-version", "2026-12-06")
		r.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
		if hname != "" && !strings.ContainsAny(hname, " :\x00\r\n") && !strings.ContainsAny(hvalue, "\x00\r\n") {
			r.Header.Set(hname, hvalue)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(storageauth.StringToSign(r, testAccount)))
		r.Header.Set("Authorization", "SharedKey "+testAccount+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
		if w.Code >= 500 && w.Code != 501 {
			t.Fatalf("%s %s: status %d: %s", r.Method, target, w.Code, w.Body.String())
		}
	})
}
