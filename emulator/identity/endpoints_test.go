package identity

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// do sends one request through the handler (no sockets) with the given Host.
func do(t *testing.T, s *Service, method, target, host string, hdr http.Header, body string) (*http.Response, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = host
	for k, v := range hdr {
		req.Header[k] = v
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	resp := rec.Result()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &m), string(raw))
	}
	return resp, m
}

func TestOpenIDConfiguration(t *testing.T) {
	s, err := New(Config{Issuer: "https://localhost:8443"})
	require.NoError(t, err)
	for _, tc := range []struct {
		name, path, host, wantBase, wantIssuer string
	}{
		{"localhost", "/" + DevTenantID + "/v2.0/.well-known/openid-configuration?", "localhost:8443", "https://localhost:8443/" + DevTenantID, "https://localhost:8443/" + DevTenantID + "/v2.0"},
		{"127.0.0.1", "/" + DevTenantID + "/v2.0/.well-known/openid-configuration", "127.0.0.1:8443", "https://127.0.0.1:8443/" + DevTenantID, "https://127.0.0.1:8443/" + DevTenantID + "/v2.0"},
		{"[::1]", "/" + DevTenantID + "/v2.0/.well-known/openid-configuration", "[::1]:8443", "https://[::1]:8443/" + DevTenantID, "https://[::1]:8443/" + DevTenantID + "/v2.0"},
		{"upper-case tenant", "/AAAAAAAA-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration", "localhost:8443", "https://localhost:8443/aaaaaaaa-0000-4000-8000-000000000000", "https://localhost:8443/aaaaaaaa-0000-4000-8000-000000000000/v2.0"},
		{"common", "/common/v2.0/.well-known/openid-configuration", "localhost:8443", "https://localhost:8443/common", "https://localhost:8443/{tenantid}/v2.0"},
		{"foreign host falls back to Config.Issuer", "/" + DevTenantID + "/v2.0/.well-known/openid-configuration", "evil.example:8443", "https://localhost:8443/" + DevTenantID, "https://localhost:8443/" + DevTenantID + "/v2.0"},
		{"v1", "/" + DevTenantID + "/.well-known/openid-configuration", "localhost:8443", "https://localhost:8443/" + DevTenantID, "https://localhost:8443/" + DevTenantID + "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			req.Host = tc.host
			req.TLS = nil
			rec := httptest.NewRecorder()
			// Pretend TLS: the issuer scheme follows the connection.
			req.TLS = tlsState()
			s.Handler().ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var doc map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
			assert.Equal(t, tc.wantIssuer, doc["issuer"])
			for _, k := range []string{"authorization_endpoint", "token_endpoint", "jwks_uri"} {
				assert.True(t, strings.HasPrefix(doc[k].(string), tc.wantBase+"/"), "%s = %v", k, doc[k])
			}
			for _, k := range []string{"response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported", "token_endpoint_auth_methods_supported"} {
				assert.NotEmpty(t, doc[k], k)
			}
		})
	}
	t.Run("invalid tenant", func(t *testing.T) {
		resp, m := do(t, s, http.MethodGet, "/my_tenant/v2.0/.well-known/openid-configuration", "localhost:8443", nil, "")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Equal(t, "invalid_tenant", m["error"])
	})
	t.Run("Handles", func(t *testing.T) {
		for path, want := range map[string]bool{
			"/" + DevTenantID + "/v2.0/.well-known/openid-configuration": true,
			"/" + DevTenantID + "/oauth2/v2.0/token":                     true,
			"/" + DevTenantID + "/discovery/v2.0/keys":                   true,
			"/msi/token":                         true,
			"/metadata/identity/oauth2/token":    true,
			"/keys/k1/create":                    false,
			"/subscriptions/s/resourceGroups/rg": false,
		} {
			assert.Equal(t, want, s.Handles(httptest.NewRequest(http.MethodPost, path, nil)), path)
		}
	})
}

func TestJWKSVerifiesIssuedTokens(t *testing.T) {
	s, err := New(Config{Issuer: "https://localhost:8443"})
	require.NoError(t, err)
	ctx := context.Background()
	tok, err := s.IssueToken(ctx, TokenRequest{ObjectID: DevObjectID, Audience: testAud})
	require.NoError(t, err)

	for _, path := range []string{"/" + DevTenantID + "/discovery/v2.0/keys", "/common/discovery/keys"} {
		resp, m := do(t, s, http.MethodGet, path, "localhost:8443", nil, "")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		keys := m["keys"].([]any)
		require.Len(t, keys, 1)
		k := keys[0].(map[string]any)
		assert.Equal(t, "RSA", k["kty"])
		assert.Equal(t, "RS256", k["alg"])
		assert.Equal(t, s.KeyID(), k["kid"])
		n, err := base64.RawURLEncoding.DecodeString(k["n"].(string))
		require.NoError(t, err)
		e, err := base64.RawURLEncoding.DecodeString(k["e"].(string))
		require.NoError(t, err)
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		parsed, err := jwt.Parse(tok.AccessToken, func(tk *jwt.Token) (any, error) {
			assert.Equal(t, k["kid"], tk.Header["kid"])
			return pub, nil
		}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(testAud))
		require.NoError(t, err)
		claims := parsed.Claims.(jwt.MapClaims)
		assert.Equal(t, "2.0", claims["ver"])
		assert.Equal(t, "https://localhost:8443/"+DevTenantID+"/v2.0", claims["iss"])
		for _, c := range []string{"aud", "iss", "tid", "oid", "sub", "appid", "azp", "iat", "nbf", "exp"} {
			assert.Contains(t, claims, c)
		}
	}
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func TestTokenEndpoint(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	s, err := New(Config{Issuer: "https://localhost:8443", Now: (&clock{t: now}).Now})
	require.NoError(t, err)
	v2 := "/" + DevTenantID + "/oauth2/v2.0/token"
	good := []string{"grant_type", "client_credentials", "client_id", DevClientID, "client_secret", DevClientSecret}
	with := func(kv ...string) string { return form(append(append([]string{}, good...), kv...)...) }

	t.Run("success ignores extras", func(t *testing.T) {
		resp, m := do(t, s, http.MethodPost, v2+"?client-request-id=3b1f8e1c-2f9a-4b7e-9b0e-0d7e0c1a2b3c", "localhost:8443", nil,
			with("scope", testAud+"/.default openid offline_access profile", "claims", `{"access_token":{"xms_cc":{"values":["CP1"]}}}`, "x-client-SKU", "msal.js.node", "client_info", "1"))
		require.Equal(t, http.StatusOK, resp.StatusCode, m)
		assert.Equal(t, "Bearer", m["token_type"])
		assert.Equal(t, float64(3599), m["expires_in"], "a JSON number")
		assert.Equal(t, float64(3599), m["ext_expires_in"])
		assert.Equal(t, "no-store, no-cache", resp.Header.Get("Cache-Control"))
		assert.Equal(t, "3b1f8e1c-2f9a-4b7e-9b0e-0d7e0c1a2b3c", resp.Header.Get("client-request-id"))
		c, err := s.VerifyToken(context.Background(), m["access_token"].(string), testAud)
		require.NoError(t, err)
		assert.Equal(t, testAud, c.Audience)
	})
	t.Run("client_secret_basic", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, v2, strings.NewReader(form("grant_type", "client_credentials", "scope", "api://x/.default")))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(DevClientID, url.QueryEscape(DevClientSecret))
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	})
	t.Run("v1 with resource", func(t *testing.T) {
		resp, m := do(t, s, http.MethodPost, "/"+DevTenantID+"/oauth2/token", "localhost:8443", nil, with("resource", "https://management.azure.com/"))
		require.Equal(t, http.StatusOK, resp.StatusCode, m)
		assert.Equal(t, "3599", m["expires_in"])
		assert.Equal(t, strconv.FormatInt(now.Add(time.Hour).Unix(), 10), m["expires_on"])
		assert.Equal(t, "https://management.azure.com/", m["resource"])
		_, err := s.VerifyToken(context.Background(), m["access_token"].(string), "https://management.azure.com")
		require.NoError(t, err)
	})

	for _, tc := range []struct {
		name, method, path, contentType, body string
		status                                int
		code                                  string
		aadsts                                int
	}{
		{"GET", http.MethodGet, v2, "", "", 400, "invalid_request", 900561},
		{"no grant_type", http.MethodPost, v2, "", form("client_id", DevClientID), 400, "invalid_request", 900144},
		{"JSON body", http.MethodPost, v2, "application/json", `{"grant_type":"client_credentials"}`, 400, "invalid_request", 900144},
		{"password grant", http.MethodPost, v2, "", form("grant_type", "password"), 400, "unsupported_grant_type", 70003},
		{"no client_id", http.MethodPost, v2, "", form("grant_type", "client_credentials", "scope", "a/.default"), 400, "invalid_request", 900144},
		{"no scope", http.MethodPost, v2, "", with(), 400, "invalid_request", 900144},
		{"scope without .default", http.MethodPost, v2, "", with("scope", "https://vault.azure.net/keys.read"), 400, "invalid_scope", 1002012},
		{"only OIDC scopes", http.MethodPost, v2, "", with("scope", "openid profile"), 400, "invalid_scope", 1002012},
		{"v1 without resource", http.MethodPost, "/" + DevTenantID + "/oauth2/token", "", with(), 400, "invalid_request", 900144},
		{"unknown tenant", http.MethodPost, "/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token", "", with("scope", "a/.default"), 400, "invalid_request", 90002},
		{"unknown client", http.MethodPost, v2, "", form("grant_type", "client_credentials", "client_id", "11111111-1111-1111-1111-111111111111", "client_secret", "x", "scope", "a/.default"), 400, "unauthorized_client", 700016},
		{"no secret", http.MethodPost, v2, "", form("grant_type", "client_credentials", "client_id", DevClientID, "scope", "a/.default"), 401, "invalid_client", 7000216},
		{"client assertion", http.MethodPost, v2, "", form("grant_type", "client_credentials", "client_id", DevClientID, "client_assertion", "x.y.z", "scope", "a/.default"), 401, "invalid_client", 700027},
		{"wrong secret", http.MethodPost, v2, "", form("grant_type", "client_credentials", "client_id", DevClientID, "client_secret", "nope", "scope", "a/.default"), 401, "invalid_client", 7000215},
		{"invalid tenant", http.MethodPost, "/my_tenant/oauth2/v2.0/token", "", with("scope", "a/.default"), 400, "invalid_request", 900023},
		{"bad form escape", http.MethodPost, v2, "", "grant_type=%zz", 400, "invalid_request", 90014},
		{"body too large", http.MethodPost, v2, "", "grant_type=" + strings.Repeat("a", maxFormBytes+1), 400, "invalid_request", 90014},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.contentType != "" {
				hdr.Set("Content-Type", tc.contentType)
			}
			resp, m := do(t, s, tc.method, tc.path, "localhost:8443", hdr, tc.body)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.code, m["error"])
			assert.Equal(t, []any{float64(tc.aadsts)}, m["error_codes"])
			desc, _ := m["error_description"].(string)
			assert.True(t, strings.HasPrefix(desc, "AADSTS"+strconv.Itoa(tc.aadsts)+": "), desc)
			assert.Contains(t, desc, "\r\nTrace ID: ")
			assert.NotEmpty(t, m["trace_id"])
			assert.NotEmpty(t, m["correlation_id"])
			assert.Equal(t, "2026-11-26 21:00:00Z", m["timestamp"])
			assert.NotContains(t, desc, DevClientSecret)
		})
	}
}

func TestManagedIdentityEndpoint(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	s, err := New(Config{Issuer: "https://localhost:8443", Now: (&clock{t: now}).Now})
	require.NoError(t, err)
	ctx := context.Background()
	mi, err := s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{ResourceID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u1"})
	require.NoError(t, err)
	hdr := http.Header{"X-Identity-Header": {DefaultIdentityHeader}}
	q := func(kv ...string) string {
		return "/msi/token?" + form(append([]string{"api-version", "2019-08-01"}, kv...)...)
	}

	t.Run("success", func(t *testing.T) {
		resp, m := do(t, s, http.MethodGet, q("resource", "https://vault.localhost:8443", "mi_res_id", mi.ResourceID), "127.0.0.1:10080", hdr, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, m)
		assert.Equal(t, strconv.FormatInt(now.Add(time.Hour).Unix(), 10), m["expires_on"], "unix seconds as a string")
		assert.Equal(t, "https://vault.localhost:8443", m["resource"])
		assert.Equal(t, "Bearer", m["token_type"])
		assert.Equal(t, mi.ClientID, m["client_id"])
		c, err := s.VerifyToken(ctx, m["access_token"].(string), testAud)
		require.NoError(t, err)
		assert.Equal(t, mi.ObjectID, c.ObjectID)
		parsed, _, err := jwt.NewParser().ParseUnverified(m["access_token"].(string), jwt.MapClaims{})
		require.NoError(t, err)
		claims := parsed.Claims.(jwt.MapClaims)
		assert.Equal(t, mi.ResourceID, claims["xms_mirid"])
		assert.Equal(t, "https://localhost:8443/"+DevTenantID+"/", claims["iss"], "MI tokens are v1 and name Config.Issuer")
	})
	t.Run("IMDS", func(t *testing.T) {
		resp, m := do(t, s, http.MethodGet, "/metadata/identity/oauth2/token?"+form("api-version", "2018-02-01", "resource", testAud, "client_id", mi.ClientID), "169.254.169.254", http.Header{"Metadata": {"true"}}, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, m)
		assert.Equal(t, "3599", m["expires_in"])
		_, err := s.VerifyToken(ctx, m["access_token"].(string), testAud)
		require.NoError(t, err)
		resp, m = do(t, s, http.MethodGet, "/metadata/identity/oauth2/token?"+form("api-version", "2018-02-01", "resource", testAud), "169.254.169.254", nil, "")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Equal(t, "invalid_request", m["error"])
	})
	for _, tc := range []struct {
		name, target string
		hdr          http.Header
		status       int
		msg          string
	}{
		{"no header", q("resource", testAud), nil, 401, "X-IDENTITY-HEADER"},
		{"wrong header", q("resource", testAud), http.Header{"X-Identity-Header": {"nope"}}, 401, "X-IDENTITY-HEADER"},
		{"old api-version", "/msi/token?api-version=2017-09-01&resource=x", hdr, 400, "api-version"},
		{"no resource", q(), hdr, 400, "resource"},
		{"unknown client id", q("resource", testAud, "client_id", "11111111-1111-1111-1111-111111111111"), hdr, 400, "Unable to load the proper Managed Identity."},
		{"service principal is not a managed identity", q("resource", testAud, "object_id", "22222222-2222-2222-2222-222222222222"), hdr, 400, "Unable to load the proper Managed Identity."},
		{"two selectors", q("resource", testAud, "client_id", mi.ClientID, "object_id", mi.ObjectID), hdr, 400, "Only one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, m := do(t, s, http.MethodGet, tc.target, "127.0.0.1:10080", tc.hdr, "")
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, float64(tc.status), m["statusCode"])
			assert.Contains(t, m["message"], tc.msg)
			assert.NotEmpty(t, m["correlationId"])
		})
	}
}
