package kvapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	{"PUT", "/secrets/fzs"},
	{"PATCH", "/secrets/starget"},
	{"POST", "/secrets/restore"},
	{"POST", "/certificates/fzc/import"},
	{"PATCH", "/certificates/ctarget"},
	{"PATCH", "/certificates/ctarget/policy"},
	{"PATCH", "/certificates/pending/pending"},
	{"POST", "/certificates/pending/pending/merge"},
	{"POST", "/certificates/restore"},
	{"PUT", "/certificates/issuers/fzi"},
	{"PATCH", "/certificates/issuers/fzi"},
	{"PUT", "/certificates/contacts"},
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
	e.grantAll()
	e.ok("PUT", "/secrets/starget", map[string]any{"value": "v"})
	ecPolicy := map[string]any{"key_props": map[string]any{"kty": "EC"}, "x509_props": map[string]any{"subject": "CN=t"}}
	e.do("POST", "/certificates/ctarget/create", map[string]any{"policy": map[string]any{"issuer": map[string]any{"name": "Self"},
		"key_props": ecPolicy["key_props"], "x509_props": ecPolicy["x509_props"]}}, devToken)
	e.do("POST", "/certificates/pending/create", map[string]any{"policy": ecPolicy}, devToken)
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

var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// FuzzHandler sends random methods, paths, queries and bodies to the whole
// handler: no panic, never a 5xx, and every refusal is Key Vault's JSON
// envelope {"error":{"code","message"}} with its Content-Type.
func FuzzHandler(f *testing.F) {
	for _, s := range []struct {
		m       uint8
		path, q string
		body    string
	}{
		{0, "keys", "api-version=7.5", ""},
		{0, "keys", "api-version=7.5&maxresults=0", ""},
		{0, "keys", "api-version=7.5&$skiptoken=!!", ""},
		{0, "keys/target/versions", "api-version=2025-07-01&maxresults=1&$skiptoken=eA", ""},
		{1, "keys/fz/create", "api-version=7.5", `{"kty":"EC","key_size":256}`},
		{1, "keys/target/wrapkey", "api-version=7.5", `{"alg":"RSA-OAEP-256","value":"AAAA"}`},
		{1, "keys/target/0123456789abcdef0123456789abcdef/sign", "api-version=7.5", `{"alg":"RS256","value":"AA"}`},
		{2, "keys/target/rotationpolicy", "api-version=7.5", `{"lifetimeActions":[]}`},
		{3, "keys/target/", "api-version=7.5", `{"release_policy":{"data":"!!"}}`},
		{4, "deletedkeys/nope", "api-version=7.5", ""},
		{1, "deletedkeys/nope/recover", "api-version=7.5", ""},
		{1, "rng", "api-version=7.5", `{"count":-1}`},
		{0, "keys/%zz", "api-version=7.5", ""},
		{0, "keys/a/b/c/d/e", "", ""},
		{5, "keys/target", "api-version=banana", ""},
	} {
		f.Add(s.m, s.path, s.q, []byte(s.body))
	}
	e := newEnv(f)
	e.grantAll()
	e.ok("PUT", "/secrets/starget", map[string]any{"value": "v"})
	ecPolicy := map[string]any{"key_props": map[string]any{"kty": "EC"}, "x509_props": map[string]any{"subject": "CN=t"}}
	e.do("POST", "/certificates/ctarget/create", map[string]any{"policy": map[string]any{"issuer": map[string]any{"name": "Self"},
		"key_props": ecPolicy["key_props"], "x509_props": ecPolicy["x509_props"]}}, devToken)
	e.do("POST", "/certificates/pending/create", map[string]any{"policy": ecPolicy}, devToken)
	e.ok("POST", "/keys/target/create", map[string]any{"kty": "RSA"})
	e.ok("POST", "/keys/ectarget/create", map[string]any{"kty": "EC"})
	f.Fuzz(func(t *testing.T, m uint8, path, query string, body []byte) {
		if bytes.Contains(body, []byte("3072")) || bytes.Contains(body, []byte("4096")) {
			return // slow key generation, not parsing
		}
		u, err := url.Parse("https://" + host + "/" + path + "?" + query)
		if err != nil || u.Host != host {
			return // not a request line an HTTP server would pass on
		}
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		r := httptest.NewRequest("GET", "https://"+host+"/", bytes.NewReader(body))
		r.Method, r.URL, r.Host = method, u, host
		r.Header.Set("Authorization", "Bearer "+devToken)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, path, query, w.Code, w.Body.String())
		}
		if w.Code == http.StatusNoContent {
			return
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Fatalf("%s %s?%s: %d Content-Type %q", method, path, query, w.Code, ct)
		}
		if w.Code < 400 {
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s %s?%s: invalid JSON %q", method, path, query, w.Body.String())
			}
			return
		}
		var env struct {
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Error == nil || env.Error.Code == "" || env.Error.Message == "" {
			t.Fatalf("%s %s?%s: %d not a Key Vault error envelope: %q", method, path, query, w.Code, w.Body.String())
		}
	})
}
