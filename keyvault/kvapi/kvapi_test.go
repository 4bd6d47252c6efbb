package kvapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	azcrypto "github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/internal/authn"
	"github.com/azemu/azemu/keyvault"
)

// fakeVerifier accepts tokens "<oid>|<tid>|<aud>" whose aud is one of the
// audiences, and "expired" as an expired token.
type fakeVerifier struct{}

func (fakeVerifier) VerifyToken(_ context.Context, raw string, audiences ...string) (authn.Caller, error) {
	if raw == "expired" {
		return authn.Caller{}, authn.ErrTokenExpired
	}
	parts := strings.Split(raw, "|")
	if len(parts) != 3 {
		return authn.Caller{}, authn.ErrMalformedToken
	}
	for _, a := range audiences {
		if strings.EqualFold(a, parts[2]) {
			return authn.Caller{ObjectID: parts[0], TenantID: parts[1], AppID: "app", Audience: parts[2]}, nil
		}
	}
	return authn.Caller{}, authn.ErrInvalidAudience
}

const host = "devvault.vault.localhost:8443"

var devToken = keyvault.DevObjectID + "|" + keyvault.DevTenantID + "|https://vault.localhost:8443"

type env struct {
	t   testing.TB
	svc *keyvault.Service
	h   http.Handler
	now time.Time
}

func newEnv(t testing.TB) *env {
	t.Helper()
	root, err := azcrypto.NewKey()
	require.NoError(t, err)
	e := &env{t: t, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	svc, err := keyvault.Open(keyvault.Config{RootKey: root, Now: func() time.Time { return e.now }})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	_, err = svc.EnsureVault(context.Background(), keyvault.VaultSpec{Name: "devvault", TenantID: keyvault.DevTenantID,
		EnablePurgeProtection: true,
		AccessPolicies:        []keyvault.AccessPolicy{{TenantID: keyvault.DevTenantID, ObjectID: keyvault.DevObjectID, Keys: []string{"all"}}}})
	require.NoError(t, err)
	e.svc = svc
	e.h = New(Config{Service: svc, Verifier: fakeVerifier{}, Authority: "https://localhost:8443/"})
	return e
}

type resp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (e *env) do(method, path string, body any, token string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			require.NoError(e.t, err)
			rd = bytes.NewReader(b)
		}
	}
	if !strings.Contains(path, "api-version") {
		if strings.Contains(path, "?") {
			path += "&api-version=2025-07-01"
		} else {
			path += "?api-version=2025-07-01"
		}
	}
	r := httptest.NewRequest(method, "https://"+host+path, rd)
	r.Host = host
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	out := resp{status: w.Code, header: w.Header(), raw: w.Body.Bytes()}
	if len(out.raw) > 0 {
		require.NoError(e.t, json.Unmarshal(out.raw, &out.body), string(out.raw))
	}
	return out
}

func (e *env) ok(method, path string, body any) map[string]any {
	e.t.Helper()
	r := e.do(method, path, body, devToken)
	require.Equal(e.t, http.StatusOK, r.status, "%s %s: %s", method, path, r.raw)
	return r.body
}

func errCodes(r resp) (string, string) {
	e, _ := r.body["error"].(map[string]any)
	inner, _ := e["innererror"].(map[string]any)
	code, _ := e["code"].(string)
	ic, _ := inner["code"].(string)
	return code, ic
}

func (e *env) fails(method, path string, body any, status int, code, inner string) resp {
	e.t.Helper()
	r := e.do(method, path, body, devToken)
	require.Equal(e.t, status, r.status, "%s %s: %s", method, path, r.raw)
	c, ic := errCodes(r)
	assert.Equal(e.t, code, c, string(r.raw))
	assert.Equal(e.t, inner, ic, string(r.raw))
	assert.Equal(e.t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	return r
}

// failingBody fails the test if the handler reads it.
type failingBody struct{ t *testing.T }

func (f failingBody) Read([]byte) (int, error) {
	f.t.Error("body read before the challenge")
	return 0, errors.New("must not read")
}

func TestChallengeBeforeBody(t *testing.T) {
	e := newEnv(t)
	r := httptest.NewRequest("POST", "https://"+host+"/keys/k1/create?api-version=2025-07-01", failingBody{t})
	r.Host = host
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Bearer authorization="https://localhost:8443/00000000-0000-4000-8000-000000000000", resource="https://vault.localhost:8443"`,
		w.Header().Get("WWW-Authenticate"))
	assert.JSONEq(t, `{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}`, w.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	assert.NotEmpty(t, w.Header().Get("x-ms-request-id"))

	// missing api-version answers 401 too when there is no token (challenge first)
	r = httptest.NewRequest("GET", "https://"+host+"/keys", nil)
	r.Host = host
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	for name, tc := range map[string]struct {
		token  string
		status int
	}{
		"vault.azure.net":    {keyvault.DevObjectID + "|" + keyvault.DevTenantID + "|https://vault.azure.net", 200},
		"vault.localhost":    {keyvault.DevObjectID + "|" + keyvault.DevTenantID + "|https://vault.localhost", 200},
		"vault url":          {keyvault.DevObjectID + "|" + keyvault.DevTenantID + "|https://" + host, 200},
		"with port":          {devToken, 200},
		"wrong audience":     {keyvault.DevObjectID + "|" + keyvault.DevTenantID + "|https://management.azure.com", 401},
		"expired":            {"expired", 401},
		"garbage":            {"garbage", 401},
		"other principal":    {"99999999-0000-4000-8000-000000000000|" + keyvault.DevTenantID + "|https://vault.azure.net", 403},
		"empty bearer value": {" ", 401},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.do("GET", "/keys", nil, tc.token)
			assert.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status == 401 {
				assert.NotEmpty(t, r.header.Get("WWW-Authenticate"))
				c, _ := errCodes(r)
				assert.Equal(t, "Unauthorized", c)
			}
		})
	}
	r := e.do("GET", "/keys", nil, "99999999-0000-4000-8000-000000000000|"+keyvault.DevTenantID+"|https://vault.azure.net")
	c, ic := errCodes(r)
	assert.Equal(t, "Forbidden", c)
	assert.Equal(t, "AccessDenied", ic)
}

func TestAPIVersions(t *testing.T) {
	e := newEnv(t)
	for _, v := range []string{"7.4", "7.5", "7.6", "7.6-preview.2", "2025-07-01", "7.10"} {
		r := e.do("GET", "/keys?api-version="+v, nil, devToken)
		assert.Equal(t, 200, r.status, v)
	}
	for _, v := range []string{"", "banana", "8"} {
		r := e.do("GET", "/keys?api-version="+v, nil, devToken)
		assert.Equal(t, 400, r.status, v)
		c, _ := errCodes(r)
		assert.Equal(t, "BadParameter", c)
	}
}

func TestRoutingQuirks(t *testing.T) {
	e := newEnv(t)
	kb := e.ok("POST", "/keys/k1/create", map[string]any{"kty": "RSA", "key_size": 2048})
	key := kb["key"].(map[string]any)
	kid := key["kid"].(string)
	require.True(t, strings.HasPrefix(kid, "https://"+host+"/keys/k1/"), kid)
	version := kid[strings.LastIndex(kid, "/")+1:]
	assert.Len(t, version, 32)
	n := new(big.Int).SetBytes(b64(t, key["n"].(string)))
	pub := &rsa.PublicKey{N: n, E: 65537}
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, []byte("aek"), nil)
	require.NoError(t, err)
	body := map[string]any{"alg": "RSA-OAEP-256", "value": enc(ct)}
	for _, path := range []string{
		"/keys/k1/unwrapkey", "/keys/k1/UNWRAPKEY", "/keys/k1/unwrapKey/", "/keys/k1//unwrapkey",
		"/keys/k1/" + version + "/unwrapkey", "/KEYS/K1/" + version + "/UnwrapKey",
	} {
		res := e.ok("POST", path, body)
		assert.Equal(t, enc([]byte("aek")), res["value"], path)
		assert.Equal(t, "https://"+host+"/keys/k1/"+version, res["kid"], path)
	}
	for _, path := range []string{"/keys/k1", "/keys/k1/", "/keys/K1", "/keys/k1/" + version, "/keys/k1/" + version + "/"} {
		got := e.ok("GET", path, nil)
		assert.Equal(t, kid, got["key"].(map[string]any)["kid"], path)
	}
	e.fails("GET", "/keys/k1/ffffffffffffffffffffffffffffffff", nil, 404, "KeyNotFound", "")
	e.fails("GET", "/keys/nope/", nil, 404, "KeyNotFound", "")
	e.fails("DELETE", "/rng", nil, 405, "MethodNotAllowed", "")
	e.fails("GET", "/secrets/x/y/z/w", nil, 404, "NotFound", "")
	// Key Vault operations azemu lacks say so instead of a bare 404.
	e.fails("GET", "/storage/acct", nil, http.StatusNotImplemented, "FeatureNotSupportedByEmulator", "")
	e.fails("GET", "/keys/k1/"+version+"/attestation", nil, 400, "BadParameter", "")

	// vault by host; unknown vault
	r := httptest.NewRequest("GET", "https://nosuch.vault.localhost:8443/keys?api-version=7.5", nil)
	r.Host = "nosuch.vault.localhost:8443"
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	assert.Equal(t, 404, w.Code)
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := keyvault.DecodeBase64URL(s)
	require.NoError(t, err)
	return b
}

func enc(b []byte) string {
	out, _ := json.Marshal(keyvault.Base64URL(b))
	return strings.Trim(string(out), `"`)
}

func TestFullKeyLifecycleOverHTTP(t *testing.T) {
	e := newEnv(t)
	// create variants and bad input
	e.ok("POST", "/keys/ec1/create", map[string]any{"kty": "EC", "crv": "P-256K", "tags": map[string]string{"a": "b"}})
	e.fails("POST", "/keys/x/create", map[string]any{"kty": "oct-HSM"}, 400, "BadParameter", "")
	e.fails("POST", "/keys/x/create", map[string]any{"kty": "RSA", "key_size": 1000}, 400, "BadParameter", "")
	e.fails("POST", "/keys/x/create", `{"kty":`, 400, "BadParameter", "")
	e.fails("POST", "/keys/x/create", nil, 400, "BadParameter", "")
	e.fails("POST", "/keys/bad_name/create", map[string]any{"kty": "EC"}, 400, "BadParameter", "")

	// sign / verify ES256K
	digest := sha256.Sum256([]byte("msg"))
	sig := e.ok("POST", "/keys/ec1/sign", map[string]any{"alg": "ES256K", "value": enc(digest[:])})
	v := e.ok("POST", "/keys/ec1/verify", map[string]any{"alg": "ES256K", "digest": enc(digest[:]), "value": sig["value"]})
	assert.Equal(t, true, v["value"])
	v = e.ok("POST", "/keys/ec1/verify", map[string]any{"alg": "ES256K", "digest": enc(make([]byte, 32)), "value": sig["value"]})
	assert.Equal(t, false, v["value"])

	// update: disable → 403 KeyDisabled; nbf/exp
	upd := e.ok("PATCH", "/keys/ec1/", map[string]any{"attributes": map[string]any{"enabled": false}, "tags": map[string]string{"c": "d"}})
	assert.Equal(t, false, upd["attributes"].(map[string]any)["enabled"])
	assert.Equal(t, map[string]any{"c": "d"}, upd["tags"])
	e.fails("POST", "/keys/ec1/sign", map[string]any{"alg": "ES256K", "value": enc(digest[:])}, 403, "Forbidden", "KeyDisabled")
	e.ok("PATCH", "/keys/ec1", map[string]any{"attributes": map[string]any{"enabled": true, "exp": e.now.Add(-time.Hour).Unix()}})
	e.fails("POST", "/keys/ec1/sign", map[string]any{"alg": "ES256K", "value": enc(digest[:])}, 403, "Forbidden", "")
	e.ok("POST", "/keys/ec1/verify", map[string]any{"alg": "ES256K", "digest": enc(digest[:]), "value": sig["value"]})

	// key_ops
	e.ok("POST", "/keys/r1/create", map[string]any{"kty": "RSA", "key_ops": []string{"wrapKey"}})
	e.ok("POST", "/keys/r1/wrapkey", map[string]any{"alg": "RSA-OAEP", "value": enc([]byte("x"))})
	e.fails("POST", "/keys/r1/unwrapkey", map[string]any{"alg": "RSA-OAEP", "value": enc(make([]byte, 256))}, 403, "Forbidden", "KeyOperationForbidden")
	e.fails("POST", "/keys/r1/wrapkey", map[string]any{"alg": "RSA-OAEP"}, 400, "BadParameter", "")
	e.fails("POST", "/keys/r1/wrapkey", map[string]any{"alg": "RSA-OAEP", "value": "!!!"}, 400, "BadParameter", "")

	// list with paging via nextLink
	for i := range 4 {
		e.ok("POST", fmt.Sprintf("/keys/p%d/create", i), map[string]any{"kty": "EC"})
	}
	var names []string
	next := "/keys?maxresults=2"
	for next != "" {
		page := e.ok("GET", next, nil)
		for _, it := range page["value"].([]any) {
			kid := it.(map[string]any)["kid"].(string)
			names = append(names, kid[strings.LastIndex(kid, "/")+1:])
		}
		next = ""
		if nl, ok := page["nextLink"].(string); ok {
			require.True(t, strings.HasPrefix(nl, "https://"+host+"/keys?"), nl)
			next = strings.TrimPrefix(nl, "https://"+host)
			assert.Contains(t, nl, "maxresults=2")
		}
	}
	assert.Equal(t, []string{"ec1", "p0", "p1", "p2", "p3", "r1"}, names)
	e.fails("GET", "/keys?maxresults=0", nil, 400, "BadParameter", "")
	e.fails("GET", "/keys?maxresults=26", nil, 400, "BadParameter", "")
	vers := e.ok("GET", "/keys/ec1/versions?maxresults=1", nil)
	assert.Len(t, vers["value"], 1)

	// delete, deleted state, 409, recover, purge protection
	d := e.ok("DELETE", "/keys/p0", nil)
	assert.Equal(t, "https://"+host+"/deletedkeys/p0", d["recoveryId"])
	assert.EqualValues(t, 90*86400, d["scheduledPurgeDate"].(float64)-d["deletedDate"].(float64))
	assert.Equal(t, "Recoverable", d["key"].(map[string]any)["kid"].(string)[0:0]+d["attributes"].(map[string]any)["recoveryLevel"].(string))
	e.fails("GET", "/keys/p0", nil, 404, "KeyNotFound", "")
	e.fails("POST", "/keys/p0/create", map[string]any{"kty": "EC"}, 409, "Conflict", "ObjectIsDeletedButRecoverable")
	e.ok("GET", "/deletedkeys/p0", nil)
	dl := e.ok("GET", "/deletedkeys", nil)
	assert.Len(t, dl["value"], 1)
	r := e.fails("DELETE", "/deletedkeys/p0", nil, 403, "Forbidden", "ForbiddenByPolicy")
	assert.Contains(t, string(r.raw), "purge protection is enabled")
	e.ok("POST", "/deletedkeys/p0/recover", nil)
	e.ok("GET", "/keys/p0", nil)
	e.fails("GET", "/deletedkeys/p0", nil, 404, "KeyNotFound", "")

	// backup / restore conflict
	bk := e.ok("POST", "/keys/p1/backup", nil)
	require.NotEmpty(t, bk["value"])
	e.fails("POST", "/keys/restore", map[string]any{"value": bk["value"]}, 409, "Conflict", "")
	e.fails("POST", "/keys/restore", map[string]any{"value": enc([]byte("junk"))}, 400, "BadParameter", "")

	// rotate, rotation policy
	rot := e.ok("POST", "/keys/p1/rotate", nil)
	assert.NotEqual(t, "", rot["key"].(map[string]any)["kid"])
	pol := e.ok("GET", "/keys/p1/rotationpolicy", nil)
	assert.Equal(t, "https://"+host+"/keys/p1/rotationpolicy", pol["id"])
	set := e.ok("PUT", "/keys/p1/rotationpolicy", map[string]any{
		"lifetimeActions": []any{map[string]any{"trigger": map[string]any{"timeAfterCreate": "P30D"}, "action": map[string]any{"type": "Rotate"}}},
		"attributes":      map[string]any{"expiryTime": "P90D"}})
	assert.Equal(t, "P90D", set["attributes"].(map[string]any)["expiryTime"])
	e.fails("PUT", "/keys/p1/rotationpolicy", map[string]any{"lifetimeActions": []any{map[string]any{"trigger": map[string]any{"timeAfterCreate": "P1D"}, "action": map[string]any{"type": "Rotate"}}}}, 400, "BadParameter", "")

	// import
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	priv.Precompute()
	jwk := map[string]any{"kty": "RSA", "n": enc(priv.N.Bytes()), "e": enc(big.NewInt(int64(priv.E)).Bytes()),
		"d": enc(priv.D.Bytes()), "p": enc(priv.Primes[0].Bytes()), "q": enc(priv.Primes[1].Bytes()),
		"dp": enc(priv.Precomputed.Dp.Bytes()), "dq": enc(priv.Precomputed.Dq.Bytes()), "qi": enc(priv.Precomputed.Qinv.Bytes())}
	imp := e.ok("PUT", "/keys/imp", map[string]any{"key": jwk, "Hsm": true})
	assert.Equal(t, "RSA-HSM", imp["key"].(map[string]any)["kty"])
	assert.NotContains(t, imp["key"], "d")
	e.fails("PUT", "/keys/imp2", map[string]any{"key": map[string]any{"kty": "RSA", "n": jwk["n"], "e": jwk["e"]}}, 400, "BadParameter", "")

	// rng
	rng := e.ok("POST", "/rng", map[string]any{"count": 16})
	assert.Len(t, b64(t, rng["value"].(string)), 16)
	e.fails("POST", "/rng", map[string]any{"count": 0}, 400, "BadParameter", "")
}
