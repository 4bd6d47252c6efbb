package identity

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestADFSAuthority: the ADFS-style authority https://host/adfs, which the
// Azure CLI and MSAL Python use for a private cloud, discovers and issues
// tokens for the development tenant, by scope as MSAL sends it or by
// resource.
func TestADFSAuthority(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	s, err := New(Config{Issuer: "https://localhost:8443", Now: (&clock{t: now}).Now})
	require.NoError(t, err)
	resp, m := do(t, s, http.MethodGet, "/adfs/.well-known/openid-configuration", "localhost:8443", nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "http://localhost:8443/adfs/oauth2/token", m["token_endpoint"], "the request's scheme and host")
	// az login --tenant adfs appends the tenant to the ADFS authority.
	resp, m = do(t, s, http.MethodGet, "/adfs/adfs/.well-known/openid-configuration", "localhost:8443", nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "http://localhost:8443/adfs/oauth2/token", m["token_endpoint"])

	good := []string{"grant_type", "client_credentials", "client_id", DevClientID, "client_secret", DevClientSecret}
	for name, extra := range map[string][]string{
		"scope":    {"scope", "https://management.core.windows.net//.default"},
		"resource": {"resource", "https://management.core.windows.net/"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, m := do(t, s, http.MethodPost, "/adfs/oauth2/token", "localhost:8443", nil, form(append(append([]string{}, good...), extra...)...))
			require.Equal(t, http.StatusOK, resp.StatusCode, m)
			assert.Equal(t, float64(3599), m["expires_in"], "MSAL reads a JSON number")
			c, err := s.VerifyToken(context.Background(), m["access_token"].(string), "https://management.core.windows.net/")
			require.NoError(t, err)
			assert.Equal(t, DevTenantID, c.TenantID)
			assert.Equal(t, DevObjectID, c.ObjectID)
		})
	}
	resp, m = do(t, s, http.MethodPost, "/adfs/oauth2/token", "localhost:8443", nil, form(good...))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "invalid_request", m["error"], "neither scope nor resource")
	resp, m = do(t, s, http.MethodPost, "/adfs/oauth2/token", "localhost:8443", nil,
		form("grant_type", "client_credentials", "client_id", DevClientID, "client_secret", "wrong", "scope", "https://x/.default"))
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, m)
}

func graphToken(t *testing.T, s *Service, aud string) http.Header {
	t.Helper()
	tok, err := s.IssueToken(context.Background(), TokenRequest{ObjectID: DevObjectID, Audience: aud})
	require.NoError(t, err)
	return http.Header{"Authorization": {"Bearer " + tok.AccessToken}}
}

// TestGraphServicePrincipals: the Graph surface answers what "az keyvault
// create" asks: /me fails for an application with Graph's error shape, and
// the service principal is found by its name (the appId).
func TestGraphServicePrincipals(t *testing.T) {
	s, err := New(Config{Issuer: "https://localhost:8443"})
	require.NoError(t, err)
	auth := graphToken(t, s, "https://localhost:8443/")

	resp, m := do(t, s, http.MethodGet, "/v1.0/me", "localhost:8443", auth, "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	e := m["error"].(map[string]any)
	assert.Equal(t, "BadRequest", e["code"])
	assert.NotEmpty(t, e["message"])

	q := url.Values{"$filter": {"servicePrincipalNames/any(c:c eq '" + DevClientID + "')"}}
	resp, m = do(t, s, http.MethodGet, "/v1.0/servicePrincipals?"+q.Encode(), "localhost:8443", auth, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, m)
	list := m["value"].([]any)
	require.Len(t, list, 1)
	sp := list[0].(map[string]any)
	assert.Equal(t, DevObjectID, sp["id"])
	assert.Equal(t, DevClientID, sp["appId"])

	q = url.Values{"$filter": {"appId eq 'nobody'"}}
	resp, m = do(t, s, http.MethodGet, "/v1.0/servicePrincipals?"+q.Encode(), "localhost:8443", auth, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, m["value"])

	q = url.Values{"$filter": {"startswith(displayName,'a')"}}
	resp, m = do(t, s, http.MethodGet, "/v1.0/servicePrincipals?"+q.Encode(), "localhost:8443", auth, "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "Request_UnsupportedQuery", m["error"].(map[string]any)["code"])

	resp, m = do(t, s, http.MethodGet, "/v1.0/servicePrincipals/"+DevObjectID, "localhost:8443", auth, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, DevClientID, m["appId"])
	resp, m = do(t, s, http.MethodGet, "/v1.0/servicePrincipals/00000000-0000-0000-0000-00000000dead", "localhost:8443", auth, "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "Request_ResourceNotFound", m["error"].(map[string]any)["code"])
}

func TestGraphRefusesTokens(t *testing.T) {
	s, err := New(Config{Issuer: "https://localhost:8443"})
	require.NoError(t, err)
	for name, hdr := range map[string]http.Header{
		"none":           nil,
		"other audience": graphToken(t, s, "https://vault.azure.net"),
		"garbage":        {"Authorization": {"Bearer abc"}},
	} {
		t.Run(name, func(t *testing.T) {
			resp, m := do(t, s, http.MethodGet, "/v1.0/servicePrincipals", "localhost:8443", hdr, "")
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, "InvalidAuthenticationToken", m["error"].(map[string]any)["code"])
		})
	}
}

// FuzzGraphFilter: no $filter makes the principal filter panic; what it
// accepts is one of the supported clauses.
func FuzzGraphFilter(f *testing.F) {
	for _, s := range []string{"", "appId eq 'x'", "servicePrincipalNames/any(c:c eq 'x')", "servicePrincipalNames/any(c:d eq 'x')", "displayName eq ''", "id eq 'a' or id eq 'b'"} {
		f.Add(s)
	}
	p := Principal{ClientID: "x", ObjectID: "a", DisplayName: "n"}
	f.Fuzz(func(t *testing.T, filter string) {
		match, ok := principalFilter(filter)
		if ok {
			_ = match(p)
		}
	})
}
