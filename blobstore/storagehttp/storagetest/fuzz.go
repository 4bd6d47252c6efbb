// Package storagetest holds helpers for tests of the storage protocol
// handlers (blobapi, fileapi).
package storagetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore/storageauth"
)

// ServeFuzz builds one request from fuzz inputs (m picks the method), signs it with Shared Key
// for account and key, sends it through h and fails t unless the answer is
// a storage status: any 2xx-4xx, or 501. Inputs that cannot form a request
// are skipped.
func ServeFuzz(t *testing.T, h http.Handler, base, account string, key []byte, m uint8, path, query, hname, hvalue, body string) {
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#\x00\r\n") || strings.ContainsAny(query, " #\x00\r\n") {
		return
	}
	target := path
	if query != "" {
		target += "?" + query
	}
	methods := [...]string{"GET", "PUT", "HEAD", "DELETE", "OPTIONS", "POST"}
	r, err := http.NewRequest(methods[int(m)%len(methods)], base+target, strings.NewReader(body))
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
	mac.Write([]byte(storageauth.StringToSign(r, account)))
	r.Header.Set("Authorization", "SharedKey "+account+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code < 200 || w.Code > 599 {
		t.Fatalf("status %d", w.Code)
	}
	if w.Code >= 500 && w.Code != 501 {
		t.Fatalf("%s %s: status %d: %s", r.Method, target, w.Code, w.Body.String())
	}
}
