package kvapi

import (
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCertificatesOverHTTP(t *testing.T) {
	e := newEnv(t)
	policy := map[string]any{"issuer": map[string]any{"name": "Self"}, "key_props": map[string]any{"kty": "EC", "crv": "P-256"},
		"x509_props": map[string]any{"subject": "CN=h.test", "sans": map[string]any{"dns_names": []string{"h.test"}}}}
	e.fails("POST", "/certificates/h/create", map[string]any{"policy": policy}, 403, "Forbidden", "AccessDenied")
	e.grantAll()
	r := e.do("POST", "/certificates/h/create", map[string]any{"policy": policy}, devToken)
	require.Equal(t, 202, r.status, string(r.raw))
	assert.Equal(t, "https://devvault.vault.localhost:8443/certificates/h/pending?api-version=2025-07-01", r.header.Get("Location"))
	assert.Equal(t, "completed", r.body["status"])
	assert.Equal(t, "https://devvault.vault.localhost:8443/certificates/h/pending", r.body["id"])

	got := e.ok("GET", "/certificates/h", nil)
	der, err := base64.StdEncoding.DecodeString(got["cer"].(string))
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	assert.Equal(t, []string{"h.test"}, c.DNSNames)
	assert.Regexp(t, `^[A-Za-z0-9_-]{27}$`, got["x5t"], "base64url SHA-1 without padding")
	id := got["id"].(string)
	assert.Regexp(t, `/certificates/h/[0-9a-f]{32}$`, id)
	assert.Equal(t, id[len(id)-32:], got["kid"].(string)[len(got["kid"].(string))-32:])
	pol := got["policy"].(map[string]any)
	assert.Equal(t, "https://devvault.vault.localhost:8443/certificates/h/policy", pol["id"])
	assert.Equal(t, "application/x-pkcs12", pol["secret_props"].(map[string]any)["contentType"])
	assert.Equal(t, []any{"digitalSignature"}, pol["x509_props"].(map[string]any)["key_usage"])

	key := e.ok("GET", "/keys/h", nil)
	assert.Equal(t, true, key["managed"])
	assert.Equal(t, []any{"sign", "verify"}, key["key"].(map[string]any)["key_ops"])
	sec := e.ok("GET", "/secrets/h", nil)
	assert.Equal(t, true, sec["managed"])
	assert.Equal(t, got["kid"], sec["kid"])
	pemSec := e.ok("GET", "/secrets/h?outContentType=application/x-pem-file", nil)
	assert.Contains(t, pemSec["value"], "BEGIN PRIVATE KEY")
	e.fails("DELETE", "/secrets/h", nil, 403, "Forbidden", "OperationNotAllowed")
	e.fails("DELETE", "/keys/h", nil, 403, "Forbidden", "OperationNotAllowed")
	e.fails("POST", "/keys/h/create", map[string]any{"kty": "EC"}, 403, "Forbidden", "OperationNotAllowed")

	// bad input by code
	e.fails("POST", "/certificates/x/create", map[string]any{}, 400, "BadParameter", "")
	e.fails("POST", "/certificates/x/create", map[string]any{"policy": map[string]any{"x509_props": map[string]any{"subject": "CN=x", "validity_months": 0}, "key_props": map[string]any{"kty": "oct"}}}, 400, "BadParameter", "")
	e.fails("POST", "/certificates/x/create", map[string]any{"policy": "nope"}, 400, "BadParameter", "")
	e.fails("POST", "/certificates/x/import", map[string]any{"value": "!!"}, 400, "BadParameter", "")
	e.fails("POST", "/certificates/h/pending/merge", map[string]any{"x5c": []string{"AAAA"}}, 400, "BadParameter", "")
	e.fails("PATCH", "/certificates/h/pending", map[string]any{}, 400, "BadParameter", "")
	e.fails("GET", "/certificates/contacts", nil, 404, "ContactsNotFound", "")
	e.fails("PUT", "/certificates/contacts", map[string]any{"contacts": []any{map[string]any{"email": "not an email"}}}, 400, "BadParameter", "")
	e.fails("PUT", "/certificates/issuers/Self", map[string]any{"provider": "x"}, 400, "BadParameter", "")
	e.fails("GET", "/certificates/issuers/none", nil, 404, "CertificateIssuerNotFound", "")
	e.fails("POST", "/certificates/x/create", map[string]any{"policy": map[string]any{"issuer": map[string]any{"name": "nosuch"}, "x509_props": map[string]any{"subject": "CN=x"}}}, 400, "BadParameter", "")

	// pending (issuer Unknown): op carries the CSR; cancel drops it
	unknown := map[string]any{"key_props": map[string]any{"kty": "EC"}, "x509_props": map[string]any{"subject": "CN=p"}}
	r = e.do("POST", "/certificates/p/create", map[string]any{"policy": unknown}, devToken)
	require.Equal(t, 202, r.status, string(r.raw))
	assert.Equal(t, "inProgress", r.body["status"])
	csr, err := base64.StdEncoding.DecodeString(r.body["csr"].(string))
	require.NoError(t, err)
	_, err = x509.ParseCertificateRequest(csr)
	require.NoError(t, err)
	pend := e.ok("GET", "/certificates/p", nil)
	assert.NotContains(t, pend, "cer", "a pending certificate has no certificate yet")
	assert.Equal(t, false, pend["attributes"].(map[string]any)["enabled"])
	e.fails("POST", "/certificates/p/create", map[string]any{"policy": unknown}, 409, "Conflict", "")
	assert.Len(t, e.ok("GET", "/certificates", nil)["value"], 1, "pending certificates are listed only on request")
	withPending := e.ok("GET", "/certificates?includePending=true", nil)["value"].([]any)
	require.Len(t, withPending, 2)
	assert.NotContains(t, withPending[1].(map[string]any), "x5t")
	e.fails("GET", "/certificates?includePending=maybe", nil, 400, "BadParameter", "")
	op := e.ok("PATCH", "/certificates/p/pending", map[string]any{"cancellation_requested": true})
	assert.Equal(t, "cancelled", op["status"])
	e.ok("DELETE", "/certificates/p/pending", nil)
	e.fails("GET", "/certificates/p/pending", nil, 404, "CertificateOperationNotFound", "")
}
