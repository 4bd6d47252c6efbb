package storageauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func BenchmarkAuthenticateSharedKey(b *testing.B) {
	r := httptest.NewRequest(http.MethodPut, "/devstoreaccount1/photos/dir/a%20b.txt?comp=block&blockid=AAAA", nil)
	r.Header.Set("X-Ms-Date", time.Now().UTC().Format(http.TimeFormat))
	r.Header.Set("X-Ms-Version", "2026-06-06")
	r.Header.Set("X-Ms-Meta-A_b", "1")
	r.Header.Set("Content-Length", "5")
	signHandMade(b, r, false)
	req := Request{Service: ServiceBlob, Account: devAccount, Container: "photos", Path: "dir/a b.txt", Now: time.Now()}
	keys := [][]byte{otherKeyBytes, devKey(b)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Authenticate(context.Background(), r, req, keys, nil); err != nil {
			b.Fatal(err)
		}
	}
}
