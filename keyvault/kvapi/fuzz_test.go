package kvapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// bodyRoutes are every operation that reads a JSON body.
var bodyRoutes = []struct{ method, path string }{
	{"POST", "/keys/fz/create"},
	{"PUT", "/keys/fzimp"},
	{"PATCH", "/keys/target"},
	{"POST", "/keys/target/encrypt"},
	{"POST", "/keys/target/decrypt"},
	{"POST", "/keys/target/wrapkey"},
	{"POST", "/keys/target/unwrapkey"},
	{"POST", "/keys/target/sign"},
	{"POST", "/keys/target/verify"},
	{"POST", "/keys/ectarget/sign"},
	{"POST", "/keys/ectarget/verify"},
	{"PUT", "/keys/target/rotationpolicy"},
	{"POST", "/keys/restore"},
	{"POST", "/rng"},
}

// FuzzRequestBodies sends arbitrary bodies to every operation that reads one:
// no panic, no 5xx, and every answer is Key Vault's JSON.
func FuzzRequestBodies(f *testing.F) {
	for _, s := range []string{
		`{"kty":"EC","crv":"P-256"}`, `{"kty":"RSA","key_size":2048,"key_ops":["sign"]}`,
		`{"key":{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AQ"}}`,
		`{"attributes":{"enabled":false,"exp":1}, "tags":{"a":"b"}}`,
		`{"alg":"RSA-OAEP-256","value":"AAAA"}`, `{"alg":"RS256","value":"` + enc(make([]byte, 32)) + `"}`,
		`{"alg":"ES256","digest":"AA","value":"AA"}`, `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P30D"},"action":{"type":"Rotate"}}],"attributes":{"expiryTime":"P90D"}}`,
		`{"value":"QVpLVkJLMDE"}`, `{"count":16}`, `null`, `[]`, `{"value":null}`, "",
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f)
	e.ok("POST", "/keys/target/create", map[string]any{"kty": "RSA"})
	e.ok("POST", "/keys/ectarget/create", map[string]any{"kty": "EC", "crv": "P-256K"})
	f.Fuzz(func(t *testing.T, body []byte) {
		if bytes.Contains(body, []byte("3072")) || bytes.Contains(body, []byte("4096")) {
			return // slow key generation, not parsing
		}
		for _, rt := range bodyRoutes {
			r := httptest.NewRequest(rt.method, "https://"+host+rt.path+"?api-version=7.5", bytes.NewReader(body))
			r.Host = host
			r.Header.Set("Authorization", "Bearer "+devToken)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %s: %d %s", rt.method, rt.path, w.Code, w.Body.String())
			}
			if w.Code != http.StatusNoContent && !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s %s: invalid JSON answer %q", rt.method, rt.path, w.Body.String())
			}
		}
	})
}
