package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Whatever a client puts in Origin and Authorization, the admin check never
// panics and never lets a request through without a real admin token.
func FuzzAdminAuthorize(f *testing.F) {
	e, err := Start(context.Background(), Config{BlobPort: -1, FilePort: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	for _, s := range [][2]string{
		{"", ""}, {"https://evil.example", "Bearer x"}, {"null", "bearer "}, {"://", "Basic abc"},
		{e.VaultURL(), "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig"}, {"", "Bearer " + strings.Repeat("a", 9000)},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, origin, auth string) {
		r := httptest.NewRequest(http.MethodPost, "https://localhost/_azemu/clock/advance", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Authorization", auth)
		if e.adminAuthorize(r) == nil {
			t.Fatalf("authorized Origin %q Authorization %q", origin, auth)
		}
	})
}

// The error code sniffed from a response body never panics on any body.
func FuzzErrorCode(f *testing.F) {
	for _, s := range []string{`{"error":{"code":"KeyNotFound"}}`, `{"error":"invalid_client"}`, `{"error":[]}`, `<Error/>`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rec := &statusRecorder{ResponseWriter: httptest.NewRecorder(), status: 400}
		_, _ = rec.Write([]byte(body))
		_ = rec.errorCode()
	})
}

// serverLog parses net/http's log lines; any line is handled.
func FuzzServerLog(f *testing.F) {
	e := &Emulator{log: discardLogger()}
	for _, s := range []string{"http: TLS handshake error from 1.2.3.4:5: remote error: tls: bad certificate", "TLS handshake error from ", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		n, err := serverLog{e: e, service: "vault"}.Write([]byte(line))
		if err != nil || n != len(line) {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
	})
}
