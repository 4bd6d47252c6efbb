package kvapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/keyvault"
)

// grantAll gives the development principal every secret and certificate
// permission too.
func (e *env) grantAll() {
	e.t.Helper()
	_, err := e.svc.UpdateAccessPolicies(context.Background(), "devvault", keyvault.AccessPolicyAdd, []keyvault.AccessPolicy{{
		TenantID: keyvault.DevTenantID, ObjectID: keyvault.DevObjectID, Secrets: []string{"all"}, Certificates: []string{"all"}}})
	require.NoError(e.t, err)
}

func TestSecretsOverHTTP(t *testing.T) {
	e := newEnv(t)
	e.fails("PUT", "/secrets/s1", map[string]any{"value": "v"}, 403, "Forbidden", "AccessDenied")
	e.grantAll()
	set := e.ok("PUT", "/secrets/s1", map[string]any{"value": "hunter2", "contentType": "text/plain", "tags": map[string]string{"a": "b"}})
	assert.Equal(t, "hunter2", set["value"])
	id := set["id"].(string)
	assert.Regexp(t, `^https://devvault\.vault\.localhost:8443/secrets/s1/[0-9a-f]{32}$`, id)
	attrs := set["attributes"].(map[string]any)
	assert.Equal(t, "Recoverable", attrs["recoveryLevel"])
	assert.EqualValues(t, 90, attrs["recoverableDays"])
	assert.NotContains(t, set, "managed")

	got := e.ok("GET", "/secrets/s1", nil)
	assert.Equal(t, "hunter2", got["value"])
	assert.Equal(t, id, got["id"])
	got = e.ok("GET", "/secrets/s1/", nil)
	assert.Equal(t, id, got["id"])
	e.fails("PUT", "/secrets/s1", map[string]any{"contentType": "x"}, 400, "BadParameter", "")
	e.fails("PUT", "/secrets/bad_name", map[string]any{"value": "x"}, 400, "BadParameter", "")
	e.fails("PUT", "/secrets/s1", map[string]any{"value": "x", "attributes": map[string]any{"exp": 253402300800}}, 400, "BadParameter", "")
	e.fails("GET", "/secrets/s1?outContentType=text/plain", nil, 400, "BadParameter", "")
	e.fails("GET", "/secrets/s1?outContentType=application/x-pem-file", nil, 400, "BadParameter", "")

	upd := e.ok("PATCH", "/secrets/s1", map[string]any{"attributes": map[string]any{"enabled": false}, "value": "ignored"})
	assert.NotContains(t, upd, "value", "update answers without the value")
	e.fails("GET", "/secrets/s1", nil, 403, "Forbidden", "SecretDisabled")
	e.ok("PATCH", "/secrets/s1", map[string]any{"attributes": map[string]any{"enabled": true}})
	assert.Equal(t, "hunter2", e.ok("GET", "/secrets/s1", nil)["value"], "PATCH never changes the value")

	for _, n := range []string{"s2", "s3"} {
		e.ok("PUT", "/secrets/"+n, map[string]any{"value": n})
	}
	list := e.ok("GET", "/secrets?maxresults=2", nil)
	assert.Len(t, list["value"], 2)
	require.NotNil(t, list["nextLink"])
	item := list["value"].([]any)[0].(map[string]any)
	assert.Equal(t, "https://devvault.vault.localhost:8443/secrets/s1", item["id"])
	assert.NotContains(t, item, "value")
	e.fails("GET", "/secrets?maxresults=26", nil, 400, "BadParameter", "")
	vers := e.ok("GET", "/secrets/s1/versions", nil)
	assert.Len(t, vers["value"], 1)

	del := e.ok("DELETE", "/secrets/s1", nil)
	assert.Equal(t, "https://devvault.vault.localhost:8443/deletedsecrets/s1", del["recoveryId"])
	assert.NotContains(t, del, "value")
	e.fails("GET", "/secrets/s1", nil, 404, "SecretNotFound", "")
	e.fails("PUT", "/secrets/s1", map[string]any{"value": "x"}, 409, "Conflict", "ObjectIsDeletedButRecoverable")
	e.ok("GET", "/deletedsecrets/s1", nil)
	assert.Len(t, e.ok("GET", "/deletedsecrets", nil)["value"], 1)
	r := e.fails("DELETE", "/deletedsecrets/s1", nil, 403, "Forbidden", "ForbiddenByPolicy")
	assert.Contains(t, string(r.raw), "purge protection")
	e.ok("POST", "/deletedsecrets/s1/recover", nil)
	e.fails("GET", "/deletedsecrets/s1", nil, 404, "SecretNotFound", "")

	bk := e.ok("POST", "/secrets/s2/backup", nil)
	e.fails("POST", "/secrets/restore", map[string]any{"value": bk["value"]}, 409, "Conflict", "")
	e.fails("POST", "/secrets/restore", map[string]any{"value": "AAAA"}, 400, "BadParameter", "")
	e.fails("POST", "/secrets/restore", map[string]any{}, 400, "BadParameter", "")
	rr := e.do("DELETE", "/secrets/s3", nil, devToken)
	require.Equal(t, http.StatusOK, rr.status)
}

// TestYear10000IsBadRequest: nbf/exp at year 10000 or later answer 400 for
// keys and secrets instead of failing with 500 when the record is written.
func TestYear10000IsBadRequest(t *testing.T) {
	e := newEnv(t)
	e.grantAll()
	const y10k = 253402300800
	e.fails("POST", "/keys/k/create", map[string]any{"kty": "EC", "attributes": map[string]any{"exp": y10k}}, 400, "BadParameter", "")
	e.ok("POST", "/keys/k/create", map[string]any{"kty": "EC"})
	e.fails("PATCH", "/keys/k", map[string]any{"attributes": map[string]any{"nbf": y10k}}, 400, "BadParameter", "")
	e.fails("PATCH", "/keys/k", map[string]any{"attributes": map[string]any{"exp": int64(1) << 62}}, 400, "BadParameter", "")
	e.fails("PUT", "/secrets/s", map[string]any{"value": "v", "attributes": map[string]any{"nbf": y10k}}, 400, "BadParameter", "")
	e.ok("PUT", "/secrets/s", map[string]any{"value": "v"})
	e.fails("PATCH", "/secrets/s", map[string]any{"attributes": map[string]any{"exp": y10k}}, 400, "BadParameter", "")
}
