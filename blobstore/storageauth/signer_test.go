package storageauth

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignSharedKeyVerifies checks the signer against the verifier: what
// SignSharedKey signs, Authenticate accepts, and a tampered copy it refuses.
func TestSignSharedKeyVerifies(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, method, url string
		body              []byte
		header            http.Header
	}{
		{name: "list containers", method: http.MethodGet, url: "http://127.0.0.1:10000/devstoreaccount1/?comp=list&prefix=a"},
		{name: "put blob", method: http.MethodPut, url: "http://127.0.0.1:10000/devstoreaccount1/c/dir/b%20name.txt",
			body: []byte("hello"), header: http.Header{"X-Ms-Blob-Type": {"BlockBlob"}, "Content-Type": {"text/plain"}, "X-Ms-Meta-Owner": {"me"}}},
		{name: "empty put", method: http.MethodPut, url: "http://127.0.0.1:10000/devstoreaccount1/c?restype=container", body: []byte{}},
		{name: "range read", method: http.MethodGet, url: "http://127.0.0.1:10003/devstoreaccount1/share/f", header: http.Header{"X-Ms-Range": {"bytes=0-9"}}},
		{name: "host style", method: http.MethodDelete, url: "http://devstoreaccount1.blob.localhost:10000/c/b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr, err := http.NewRequest(tc.method, tc.url, bytes.NewReader(tc.body))
			require.NoError(t, err)
			for k, v := range tc.header {
				cr.Header[k] = v
			}
			cr.Header.Set("X-Ms-Version", "2025-01-05")
			SignSharedKey(cr, devAccount, devKey(t), now)
			assert.Equal(t, now.Format(http.TimeFormat), cr.Header.Get("X-Ms-Date"))

			sr := httptest.NewRequest(tc.method, tc.url, bytes.NewReader(tc.body))
			sr.Header = cr.Header.Clone()
			req := Request{Service: ServiceBlob, Account: devAccount, Now: now}
			res, err := Authenticate(context.Background(), sr, req, [][]byte{devKey(t)}, nil)
			require.NoError(t, err)
			assert.Equal(t, MethodSharedKey, res.Method)

			// Any signed header changed after signing breaks the signature.
			sr.Header.Set("X-Ms-Version", "2024-01-01")
			_, err = Authenticate(context.Background(), sr, req, [][]byte{devKey(t)}, nil)
			assert.Error(t, err)
		})
	}
}

// TestSignSharedKeyKeepsDate leaves a date the caller set alone.
func TestSignSharedKeyKeepsDate(t *testing.T) {
	cr, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:10000/devstoreaccount1/?comp=list", nil)
	require.NoError(t, err)
	cr.Header.Set("X-Ms-Date", "Fri, 01 May 2026 11:59:00 GMT")
	SignSharedKey(cr, devAccount, devKey(t), time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	assert.Equal(t, "Fri, 01 May 2026 11:59:00 GMT", cr.Header.Get("X-Ms-Date"))
	assert.Contains(t, cr.Header.Get("Authorization"), "SharedKey devstoreaccount1:")
}
