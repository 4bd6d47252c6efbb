package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAzureCLICloudRegister(t *testing.T) {
	e := &Emulator{vaultURL: "https://localhost:8443"}
	args := e.AzureCLICloudRegisterArgs()
	require.Equal(t, []string{"cloud", "register", "--name", "azemu", "--cloud-config"}, args[:5])
	var cfg struct {
		Endpoints map[string]string `json:"endpoints"`
		Suffixes  map[string]string `json:"suffixes"`
	}
	require.NoError(t, json.Unmarshal([]byte(args[5]), &cfg))
	assert.Equal(t, "https://localhost:8443/", cfg.Endpoints["resourceManager"])
	assert.Equal(t, "https://localhost:8443/", cfg.Endpoints["microsoftGraphResourceId"])
	assert.Equal(t, "core.localhost:8443", cfg.Suffixes["storageEndpoint"])
	assert.Equal(t, ".vault.localhost:8443", cfg.Suffixes["keyvaultDns"])
	line := e.AzureCLICloudRegister()
	assert.True(t, strings.HasPrefix(line, "az cloud register --name azemu --cloud-config '{"), line)
	assert.True(t, strings.HasSuffix(line, "}'"), line)
}

// TestStorageOverHTTPS: <account>.blob[.core].localhost and
// <account>.file[.core].localhost on the HTTPS listener reach Blob and Files
// (here: the service's answer to an unsigned request); other hosts the
// rest of the HTTPS mux.
func TestStorageOverHTTPS(t *testing.T) {
	e := startTest(t, Config{InMemory: true, BlobPort: 0, FilePort: 0, VaultPort: 0})
	h := e.httpsMux(http.NotFoundHandler())
	for host, want := range map[string]string{
		"devstoreaccount1.blob.localhost:8443":      "blob",
		"devstoreaccount1.blob.core.localhost:8443": "blob",
		"devstoreaccount1.file.core.localhost":      "file",
		"localhost:8443":                            "",
	} {
		req := httptest.NewRequest(http.MethodGet, "/?comp=list", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if want == "" {
			assert.Empty(t, rec.Header().Get("x-ms-error-code"), host)
			continue
		}
		assert.Equal(t, "NoAuthenticationInformation", rec.Header().Get("x-ms-error-code"), host)
	}
	r := withoutCore(httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, "example.com", r.Host, "other hosts stay")
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "acct.file.core.localhost:9"
	assert.Equal(t, "acct.file.localhost:9", withoutCore(req).Host)
}
