package fileapi

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
	_, err = svc.CreateShare(ctx, blobstore.ShareRef{Account: devAccount, Share: "fuzz"}, blobstore.CreateShareOptions{})
	require.NoError(f, err)
	h := New(Config{Service: svc})

	methods := []string{"GET", "PUT", "HEAD", "DELETE", "OPTIONS", "POST"}
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
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#\x00\r\n") || strings.ContainsAny(query, " #\x00\r\n") {
			return
		}
		target := path
		if query != "" {
			target += "?" + query
		}
		r, err := http.NewRequest(methods[int(m)%len(methods)], "http://127.0.0.1:10003"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		r.RequestURI = target
		r.RemoteAddr = "127.0.0.1:1234"
		r.Header.Set("x-ms-version", "2025-11-05")
		r.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
		if hname != "" && !strings.ContainsAny(hname, " :\x00\r\n") && !strings.ContainsAny(hvalue, "\x00\r\n") {
			r.Header.Set(hname, hvalue)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(storageauth.StringToSign(r, devAccount)))
		r.Header.Set("Authorization", "SharedKey "+devAccount+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
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
