package conformance

// The official Python SDKs (Debian's python3-azure: azure-storage-blob,
// azure-storage-file-share, azure-keyvault-keys, azure-identity) run
// unmodified against azemu. The checks are in py/check.py; this test starts
// azemu, hands the endpoints over in environment variables and fails when
// any check fails.

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

const pyRunTimeout = 3 * time.Minute

// pythonWithAzure finds a python3 that imports the Azure SDKs: Debian's
// package installs them for /usr/bin/python3, which may not be first on PATH.
func pythonWithAzure() (string, bool) {
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, p := range candidates {
		cmd := exec.Command(p, "-c", "import azure.storage.blob, azure.storage.fileshare, azure.keyvault.keys, azure.identity")
		if cmd.Run() == nil {
			return p, true
		}
	}
	return "", false
}

func TestPythonSDKs(t *testing.T) {
	py, ok := pythonWithAzure()
	if !ok {
		if os.Getenv("AZEMU_REQUIRE_PYTHON") != "" {
			t.Fatal("AZEMU_REQUIRE_PYTHON is set but no python3 imports the Azure SDKs (apt-get install python3-azure)")
		}
		t.Skip("the Python SDK checks need python3 with the Azure SDKs: apt-get install python3-azure (CI does; set AZEMU_REQUIRE_PYTHON=1 to fail instead of skipping)")
	}
	script := filepath.Join("py", "check.py")
	_, err := os.Stat(script) // so go test's cache reruns this test when the script changes
	require.NoError(t, err)

	emu := startAzemu(t)
	ca := filepath.Join(t.TempDir(), "azemu-ca.pem")
	require.NoError(t, os.WriteFile(ca, emu.CACertPEM(), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), pyRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "check.py")
	cmd.Dir = "py"
	cmd.Env = append(pyBaseEnv(),
		"AZEMU_CONNECTION_STRING="+emu.ConnectionString(),
		"AZEMU_VAULT_URL="+emu.VaultURL(),
		"AZEMU_DEV_VAULT_URL="+emu.DevVaultURL(),
		"REQUESTS_CA_BUNDLE="+ca,
		"IDENTITY_ENDPOINT="+emu.IdentityEndpoint(),
		"IDENTITY_HEADER="+emu.IdentityHeader(),
		"PYTHONDONTWRITEBYTECODE=1",
	)
	if why := adfsMissing(t, emu); why != "" {
		t.Logf("ClientSecretCredential sub-check skipped: %s", why)
		cmd.Env = append(cmd.Env, "AZEMU_SKIP_ADFS="+why)
	}
	runLogged(ctx, t, cmd)
}

// adfsMissing says why the AD FS authority the Python ClientSecretCredential
// needs is not served ("" when it is): azure-identity of 2023 asks the
// public cloud to validate any other authority, which fails offline.
func adfsMissing(t *testing.T, emu *emulator.Emulator) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {emulator.DevClientID},
		"client_secret": {emulator.DevClientSecret}, "scope": {"https://vault.azure.net/.default"}}
	resp, err := emu.HTTPClient().Post(emu.VaultURL()+"/adfs/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "azemu does not serve an AD FS token endpoint (POST /adfs/oauth2/token with a v2 scope answered " + resp.Status + ")"
	}
	return ""
}

// pyBaseEnv is the caller's environment without what would change what the
// SDKs do: Azure credentials, identity endpoints, proxies, CA overrides.
func pyBaseEnv() []string {
	drop := []string{"AZURE_", "IDENTITY_", "MSI_", "IMDS_", "AZEMU_", "REQUESTS_CA_BUNDLE=", "SSL_CERT_FILE=", "CURL_CA_BUNDLE=",
		"HTTP_PROXY=", "HTTPS_PROXY=", "ALL_PROXY=", "NO_PROXY=", "PYTHONPATH=", "PYTHONHOME="}
	var env []string
next:
	for _, kv := range os.Environ() {
		up := strings.ToUpper(kv)
		for _, p := range drop {
			if strings.HasPrefix(up, p) {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}
