package armapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCloudEndpoints(t *testing.T) {
	c := Cloud("https://localhost:8443")
	assert.Equal(t, CloudEndpoints{
		ResourceManager: "https://localhost:8443/", Login: "https://localhost:8443/adfs", Graph: "https://localhost:8443/",
		StorageSuffix: "core.localhost:8443", KeyVaultSuffix: "vault.localhost:8443",
	}, c)
	assert.Equal(t, "vault.localhost", Cloud("https://127.0.0.1/").KeyVaultSuffix, "suffixes name localhost")
}

// TestMetadataEndpoints: ARM's /metadata/endpoints answers without a token,
// also at the double-slash path msrestazure builds from an ARM URL ending in
// a slash, in the 2015-01-01 shape the Azure CLI reads and the list shape of
// later versions.
func TestMetadataEndpoints(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	get := func(path string) (int, []byte) {
		req := httptest.NewRequest(http.MethodGet, "https://localhost:8443"+path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	status, body := get("//metadata/endpoints?api-version=2015-01-01")
	require.Equal(t, http.StatusOK, status, string(body))
	var v1 struct {
		GraphEndpoint  string `json:"graphEndpoint"`
		Authentication struct {
			LoginEndpoint string   `json:"loginEndpoint"`
			Audiences     []string `json:"audiences"`
		} `json:"authentication"`
	}
	require.NoError(t, json.Unmarshal(body, &v1))
	assert.Equal(t, "https://localhost:8443/adfs", v1.Authentication.LoginEndpoint)
	assert.Equal(t, "https://management.core.windows.net/", v1.Authentication.Audiences[0])
	assert.Equal(t, "https://localhost:8443/", v1.GraphEndpoint)

	status, body = get("/metadata/endpoints?api-version=2022-09-01")
	require.Equal(t, http.StatusOK, status)
	var clouds []map[string]any
	require.NoError(t, json.Unmarshal(body, &clouds))
	require.Len(t, clouds, 1)
	assert.Equal(t, "https://localhost:8443/", clouds[0]["resourceManager"])
	assert.Equal(t, map[string]any{"storage": "core.localhost:8443", "keyVaultDns": "vault.localhost:8443"}, clouds[0]["suffixes"])

	status, body = get("/metadata/endpoints")
	assert.Equal(t, http.StatusBadRequest, status)
	code, _ := errOf(decodeMap(t, body))
	assert.Equal(t, "MissingApiVersionParameter", code)
}

func decodeMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}
