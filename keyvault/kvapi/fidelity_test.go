package kvapi

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Wire fidelity against keys.json (2025-07-01) and its examples.

func TestCreateKeyParameterValidation(t *testing.T) {
	e := newEnv(t)
	for name, body := range map[string]any{
		"EC with key_size":           map[string]any{"kty": "EC", "key_size": 2048},
		"EC-HSM with key_size":       map[string]any{"kty": "EC-HSM", "crv": "P-384", "key_size": 384},
		"EC with public_exponent":    map[string]any{"kty": "EC", "public_exponent": 65537},
		"RSA with crv":               map[string]any{"kty": "RSA", "crv": "P-256"},
		"RSA-HSM with crv":           map[string]any{"kty": "RSA-HSM", "crv": "P-256"},
		"unknown kty":                map[string]any{"kty": "DSA"},
		"kty in wrong case":          map[string]any{"kty": "rsa"},
		"unknown curve":              map[string]any{"kty": "EC", "crv": "P-192"},
		"RSA size 1024":              map[string]any{"kty": "RSA", "key_size": 1024},
		"RSA size 0":                 map[string]any{"kty": "RSA", "key_size": 0},
		"RSA exponent 3":             map[string]any{"kty": "RSA", "public_exponent": 3},
		"key_size as string":         `{"kty":"RSA","key_size":"2048"}`,
		"unknown key_op":             map[string]any{"kty": "RSA", "key_ops": []string{"fly"}},
		"release_policy not object":  map[string]any{"kty": "EC", "release_policy": "policy"},
		"release_policy bad data":    map[string]any{"kty": "EC", "release_policy": map[string]any{"data": "!!"}},
		"exportable without support": map[string]any{"kty": "EC", "attributes": map[string]any{"exportable": true}},
		"16 tags":                    map[string]any{"kty": "EC", "tags": sixteenTags()},
		"empty body":                 "",
		"JSON null":                  "null",
		"empty object":               "{}",
		"array":                      "[]",
		"truncated":                  `{"kty":"EC"`,
	} {
		t.Run(name, func(t *testing.T) {
			r := e.fails("POST", "/keys/bad/create", body, http.StatusBadRequest, "BadParameter", "")
			assert.NotEmpty(t, r.body["error"].(map[string]any)["message"])
		})
	}
	e.fails("GET", "/keys/bad", nil, http.StatusNotFound, "KeyNotFound", "")
}

func sixteenTags() map[string]string {
	m := map[string]string{}
	for _, c := range "abcdefghijklmnop" {
		m[string(c)] = "v"
	}
	return m
}

func TestImportInvalidJWK(t *testing.T) {
	e := newEnv(t)
	for name, body := range map[string]any{
		"missing key":        map[string]any{"Hsm": false},
		"bad base64url in n": `{"key":{"kty":"RSA","n":"!!","e":"AQAB"}}`,
		"public only":        map[string]any{"key": map[string]any{"kty": "EC", "crv": "P-256", "x": enc(make([]byte, 32)), "y": enc(make([]byte, 32))}},
		"oct":                map[string]any{"key": map[string]any{"kty": "oct", "k": enc(make([]byte, 32))}},
		"no kty":             map[string]any{"key": map[string]any{"n": "AQAB"}},
	} {
		t.Run(name, func(t *testing.T) {
			e.fails("PUT", "/keys/imp", body, http.StatusBadRequest, "BadParameter", "")
		})
	}
}

func TestReleasePolicyAbsentOrRefused(t *testing.T) {
	e := newEnv(t)
	kb := e.ok("POST", "/keys/rp/create", map[string]any{"kty": "EC", "release_policy": nil})
	assert.NotContains(t, kb, "release_policy")
	assert.NotContains(t, kb, "tags", "no tags given: the property is absent, as in the examples")
	assert.NotContains(t, kb, "managed", "managed is only present (true) on certificate keys")
	upd := e.ok("PATCH", "/keys/rp", map[string]any{"release_policy": nil, "tags": map[string]string{"a": "b"}})
	assert.NotContains(t, upd, "release_policy", "null in an update leaves the policy unset")
	// As recorded against Key Vault / Managed HSM: only exportable keys take
	// a release policy, and azemu has no exportable keys.
	policy := map[string]any{"contentType": "application/json; charset=utf-8", "data": enc([]byte(`{"anyOf":[]}`))}
	for _, tc := range []struct{ method, path string }{{"PATCH", "/keys/rp"}, {"POST", "/keys/rp2/create"}} {
		r := e.fails(tc.method, tc.path, map[string]any{"kty": "EC", "release_policy": policy}, http.StatusBadRequest, "BadParameter", "")
		assert.Equal(t, "AKV.SKR.1005: Non-exportable keys must not have release policy.", r.body["error"].(map[string]any)["message"])
	}
	r := e.fails("POST", "/keys/rp3/create", map[string]any{"kty": "RSA-HSM", "attributes": map[string]any{"exportable": true}}, http.StatusBadRequest, "BadParameter", "")
	assert.Equal(t, "AKV.SKR.1004: Exportable keys must have release policy.", r.body["error"].(map[string]any)["message"])
	e.fails("PATCH", "/keys/rp", map[string]any{"release_policy": []int{1}}, http.StatusBadRequest, "BadParameter", "")
	assert.NotContains(t, e.ok("GET", "/keys/rp/", nil), "release_policy")
}

func TestResponseHeaders(t *testing.T) {
	e := newEnv(t)
	for _, r := range []resp{
		e.do("POST", "/keys/h/create", map[string]any{"kty": "EC"}, devToken),
		e.do("GET", "/keys/nope", nil, devToken),
		e.do("GET", "/keys", nil, ""),
	} {
		assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
		assert.Len(t, r.header.Get("x-ms-request-id"), 32)
		assert.NotEmpty(t, r.header.Get("x-ms-keyvault-service-version"))
		assert.Equal(t, "conn_type=Ipv4;addr=192.0.2.1;act_addr_fam=InterNetwork;", r.header.Get("x-ms-keyvault-network-info"))
		assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
		assert.Equal(t, "no-cache", r.header.Get("Cache-Control"))
		assert.Equal(t, "-1", r.header.Get("Expires"))
	}
	assert.Equal(t, "conn_type=Ipv6;addr=::1;act_addr_fam=InterNetworkV6;", networkInfo("[::1]:5555"))
}

func TestListShapesOrderAndNextLink(t *testing.T) {
	e := newEnv(t)
	var created []string
	for range 4 {
		kb := e.ok("POST", "/keys/multi/create", map[string]any{"kty": "EC", "tags": map[string]string{"t": "v"}})
		kid := kb["key"].(map[string]any)["kid"].(string)
		created = append(created, kid[strings.LastIndex(kid, "/")+1:])
	}
	var listed []string
	next := "/keys/multi/versions?maxresults=1"
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 10)
		page := e.ok("GET", next, nil)
		items := page["value"].([]any)
		require.Len(t, items, 1)
		it := items[0].(map[string]any)
		assert.ElementsMatch(t, []string{"kid", "attributes", "tags"}, keysOf(it), "KeyItem carries no key material")
		kid := it["kid"].(string)
		listed = append(listed, kid[strings.LastIndex(kid, "/")+1:])
		next = ""
		if nl, ok := page["nextLink"].(string); ok {
			require.True(t, strings.HasPrefix(nl, "https://"+host+"/keys/multi/versions?api-version=2025-07-01&$skiptoken="), nl)
			require.True(t, strings.HasSuffix(nl, "&maxresults=1"), nl)
			u, err := url.Parse(nl)
			require.NoError(t, err)
			next = u.RequestURI()
		}
	}
	sorted := append([]string(nil), created...)
	sort.Strings(sorted)
	assert.Equal(t, sorted, listed, "versions are listed by version id, as Key Vault's store orders them")

	list := e.ok("GET", "/keys", nil)
	require.Len(t, list["value"], 1)
	assert.Nil(t, list["nextLink"])
	it := list["value"].([]any)[0].(map[string]any)
	assert.Equal(t, "https://"+host+"/keys/multi", it["kid"])
	assert.ElementsMatch(t, []string{"kid", "attributes", "tags"}, keysOf(it))

	e.ok("DELETE", "/keys/multi", nil)
	dl := e.ok("GET", "/deletedkeys", nil)
	d := dl["value"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, []string{"kid", "attributes", "tags", "recoveryId", "deletedDate", "scheduledPurgeDate"}, keysOf(d))
	for _, bad := range []string{"0", "26", "-1", "abc", "1.5"} {
		e.fails("GET", "/deletedkeys?maxresults="+bad, nil, http.StatusBadRequest, "BadParameter", "")
		e.fails("GET", "/keys/multi/versions?maxresults="+bad, nil, http.StatusBadRequest, "BadParameter", "")
	}
	e.ok("GET", "/deletedkeys?maxresults=25", nil)
	// versions of a missing (or deleted) key: an empty list, not KeyNotFound
	for _, name := range []string{"never", "multi"} {
		empty := e.ok("GET", "/keys/"+name+"/versions", nil)
		assert.Equal(t, map[string]any{"value": []any{}, "nextLink": nil}, empty)
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRotationPolicyShapes(t *testing.T) {
	e := newEnv(t)
	e.ok("POST", "/keys/rp/create", map[string]any{"kty": "EC"})
	def := e.ok("GET", "/keys/rp/rotationpolicy", nil)
	assert.Equal(t, []any{map[string]any{"trigger": map[string]any{"timeBeforeExpiry": "P30D"}, "action": map[string]any{"type": "Notify"}}}, def["lifetimeActions"])
	// As recorded against Key Vault: a policy set with only a Rotate action
	// comes back with the default Notify action added.
	set := e.ok("PUT", "/keys/rp/rotationpolicy", map[string]any{
		"lifetimeActions": []any{map[string]any{"trigger": map[string]any{"timeAfterCreate": "P2M"}, "action": map[string]any{"type": "Rotate"}}},
		"attributes":      map[string]any{}})
	assert.Equal(t, []any{
		map[string]any{"trigger": map[string]any{"timeAfterCreate": "P2M"}, "action": map[string]any{"type": "Rotate"}},
		map[string]any{"trigger": map[string]any{"timeBeforeExpiry": "P30D"}, "action": map[string]any{"type": "Notify"}},
	}, set["lifetimeActions"])
	attrs := set["attributes"].(map[string]any)
	assert.NotContains(t, attrs, "expiryTime")
	assert.EqualValues(t, e.now.Unix(), attrs["created"])
	assert.EqualValues(t, e.now.Unix(), attrs["updated"])
	assert.Equal(t, set, e.ok("GET", "/keys/rp/rotationpolicy", nil))
	for name, body := range map[string]any{
		"trigger too soon":      `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P1D"},"action":{"type":"Rotate"}}]}`,
		"expiry too short":      `{"attributes":{"expiryTime":"P7D"}}`,
		"both triggers":         `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P30D","timeBeforeExpiry":"P30D"},"action":{"type":"Rotate"}}]}`,
		"unknown action":        `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P30D"},"action":{"type":"Explode"}}]}`,
		"not a duration":        `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"30 days"},"action":{"type":"Rotate"}}]}`,
		"two rotates":           `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P30D"},"action":{"type":"Rotate"}},{"trigger":{"timeAfterCreate":"P40D"},"action":{"type":"Rotate"}}]}`,
		"notify after create":   `{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P30D"},"action":{"type":"Notify"}}]}`,
		"lifetimeActions typed": `{"lifetimeActions":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			e.fails("PUT", "/keys/rp/rotationpolicy", body, http.StatusBadRequest, "BadParameter", "")
		})
	}
	e.fails("GET", "/keys/nope/rotationpolicy", nil, http.StatusNotFound, "KeyNotFound", "")
}

func TestCryptoRefusals(t *testing.T) {
	e := newEnv(t)
	e.ok("POST", "/keys/r/create", map[string]any{"kty": "RSA", "key_size": 2048})
	e.ok("POST", "/keys/ec/create", map[string]any{"kty": "EC", "crv": "P-384"})
	op := func(alg string, n int) map[string]any {
		return map[string]any{"alg": alg, "value": enc(make([]byte, n))}
	}
	// RSA-2048 plaintext limits: OAEP-256 256-2*32-2 = 190, OAEP (SHA-1) 214, PKCS#1 v1.5 245.
	for _, tc := range []struct {
		alg string
		max int
	}{{"RSA-OAEP-256", 190}, {"RSA-OAEP", 214}, {"RSA1_5", 245}} {
		for _, path := range []string{"/keys/r/encrypt", "/keys/r/wrapkey"} {
			e.ok("POST", path, op(tc.alg, tc.max))
			e.fails("POST", path, op(tc.alg, tc.max+1), http.StatusBadRequest, "BadParameter", "")
		}
		// garbage ciphertext of the right and wrong length: 400, never 500
		for _, n := range []int{256, 255, 1, 0} {
			e.fails("POST", "/keys/r/decrypt", op(tc.alg, n), http.StatusBadRequest, "BadParameter", "")
			e.fails("POST", "/keys/r/unwrapkey", op(tc.alg, n), http.StatusBadRequest, "BadParameter", "")
		}
	}
	for _, alg := range []string{"A256GCM", "A256KW", "RSA-OAEP-512", ""} {
		e.fails("POST", "/keys/r/encrypt", op(alg, 16), http.StatusBadRequest, "BadParameter", "")
	}
	e.fails("POST", "/keys/r/encrypt", map[string]any{"alg": "RSA-OAEP", "value": enc([]byte("x")), "iv": enc(make([]byte, 12))}, http.StatusBadRequest, "BadParameter", "")
	e.fails("POST", "/keys/r/encrypt", `{"alg":"RSA-OAEP","value":"***"}`, http.StatusBadRequest, "BadParameter", "")
	e.fails("POST", "/keys/ec/encrypt", op("RSA-OAEP", 16), http.StatusForbidden, "Forbidden", "KeyOperationForbidden")

	// digest length is checked against the algorithm
	for _, tc := range []struct {
		key, alg string
		size     int
	}{
		{"r", "RS256", 32}, {"r", "RS384", 48}, {"r", "RS512", 64}, {"r", "PS256", 32}, {"r", "PS384", 48}, {"r", "PS512", 64},
		{"ec", "ES384", 48},
	} {
		sig := e.ok("POST", "/keys/"+tc.key+"/sign", op(tc.alg, tc.size))
		for _, n := range []int{tc.size - 1, tc.size + 1, 0} {
			e.fails("POST", "/keys/"+tc.key+"/sign", op(tc.alg, n), http.StatusBadRequest, "BadParameter", "")
			e.fails("POST", "/keys/"+tc.key+"/verify", map[string]any{"alg": tc.alg, "digest": enc(make([]byte, n)), "value": sig["value"]}, http.StatusBadRequest, "BadParameter", "")
		}
		// a wrong signature is an answer, not an error
		for _, bad := range [][]byte{make([]byte, 1), make([]byte, len(b64(t, sig["value"].(string))))} {
			v := e.ok("POST", "/keys/"+tc.key+"/verify", map[string]any{"alg": tc.alg, "digest": enc(make([]byte, tc.size)), "value": enc(bad)})
			assert.Equal(t, map[string]any{"value": false}, v, tc.alg)
		}
		v := e.ok("POST", "/keys/"+tc.key+"/verify", map[string]any{"alg": tc.alg, "digest": enc(make([]byte, tc.size)), "value": sig["value"]})
		assert.Equal(t, map[string]any{"value": true}, v, tc.alg)
	}
	r := e.fails("POST", "/keys/r/sign", op("RS256", 10), http.StatusBadRequest, "BadParameter", "")
	assert.Equal(t, "Invalid length of 'value': 10 bytes. RS256 requires 32 bytes, encoded with base64url.", r.body["error"].(map[string]any)["message"])
	r = e.fails("POST", "/keys/ec/verify", map[string]any{"alg": "ES384", "digest": enc(make([]byte, 32)), "value": enc(make([]byte, 96))}, http.StatusBadRequest, "BadParameter", "")
	assert.Equal(t, "Invalid length of 'digest': 32 bytes. ES384 requires 48 bytes, encoded with base64url.", r.body["error"].(map[string]any)["message"])
	for _, alg := range []string{"ES256", "ES512", "RSNULL", "HS256", "rs256"} {
		e.fails("POST", "/keys/r/sign", op(alg, 32), http.StatusBadRequest, "BadParameter", "")
	}
	e.fails("POST", "/keys/ec/sign", op("ES256", 32), http.StatusBadRequest, "BadParameter", "")
	e.fails("POST", "/keys/ec/verify", map[string]any{"alg": "ES384", "digest": enc(make([]byte, 48))}, http.StatusBadRequest, "BadParameter", "")

	for _, n := range []int{1, 128} {
		got := e.ok("POST", "/rng", map[string]any{"count": n})
		assert.Len(t, b64(t, got["value"].(string)), n)
	}
	for _, body := range []any{map[string]any{"count": 0}, map[string]any{"count": 129}, map[string]any{"count": -5}, `{"count":1.5}`, `{}`} {
		e.fails("POST", "/rng", body, http.StatusBadRequest, "BadParameter", "")
	}
	r = e.fails("POST", "/rng", map[string]any{"count": 129}, http.StatusBadRequest, "BadParameter", "")
	assert.Equal(t, "GetRandomBytesRequest: count cannot be greater than 128 or less than 1", r.body["error"].(map[string]any)["message"])
}

func TestHSMKeyAttributes(t *testing.T) {
	e := newEnv(t)
	hsm := e.ok("POST", "/keys/hsm/create", map[string]any{"kty": "EC-HSM"})["attributes"].(map[string]any)
	assert.Equal(t, "2", hsm["hsmPlatform"])
	assert.Equal(t, false, hsm["exportable"])
	soft := e.ok("POST", "/keys/soft/create", map[string]any{"kty": "EC"})["attributes"].(map[string]any)
	assert.NotContains(t, soft, "hsmPlatform")
	assert.NotContains(t, soft, "exportable")
	list := e.ok("GET", "/keys", nil)["value"].([]any)
	assert.Equal(t, "2", list[0].(map[string]any)["attributes"].(map[string]any)["hsmPlatform"])
	// attributes read back from a GET can be sent back unchanged
	upd := e.ok("PATCH", "/keys/hsm", map[string]any{"attributes": hsm})
	assert.Equal(t, hsm["hsmPlatform"], upd["attributes"].(map[string]any)["hsmPlatform"])
}

func TestBackupRestoreShapes(t *testing.T) {
	e := newEnv(t)
	kb := e.ok("POST", "/keys/bk/create", map[string]any{"kty": "EC"})
	kid := kb["key"].(map[string]any)["kid"].(string)
	bk := e.ok("POST", "/keys/bk/backup", nil)
	assert.ElementsMatch(t, []string{"value"}, keysOf(bk))
	r := e.fails("POST", "/keys/restore", map[string]any{"value": bk["value"]}, http.StatusConflict, "Conflict", "")
	msg := r.body["error"].(map[string]any)["message"].(string)
	assert.True(t, strings.HasPrefix(msg, "There was a conflict restoring the key 'bk/"+kid[strings.LastIndex(kid, "/")+1:]+"'. This can happen if either"), msg)
	for _, body := range []any{`{}`, map[string]any{"value": ""}, map[string]any{"value": "!!"}, map[string]any{"value": enc([]byte("AZKVBK01 but not sealed"))}} {
		e.fails("POST", "/keys/restore", body, http.StatusBadRequest, "BadParameter", "")
	}
	e.fails("POST", "/keys/nope/backup", nil, http.StatusNotFound, "KeyNotFound", "")
}
