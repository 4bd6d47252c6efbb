package conformance

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// azCLI runs the Azure CLI against one azemu instance with a private
// configuration folder.
type azCLI struct {
	t   *testing.T
	bin string
	env []string
}

func newAzCLI(t *testing.T, emu *emulator.Emulator) *azCLI {
	t.Helper()
	bin, err := exec.LookPath("az")
	if err != nil {
		if os.Getenv("AZEMU_REQUIRE_AZ") != "" {
			t.Fatal("AZEMU_REQUIRE_AZ is set but the Azure CLI (az) is not on PATH")
		}
		t.Skip("the Azure CLI (az) must be on PATH to run the CLI guide (CI installs Debian's azure-cli; set AZEMU_REQUIRE_AZ=1 to fail instead of skipping)")
	}
	dir := t.TempDir()
	// The CLI's requests trust REQUESTS_CA_BUNDLE only, so the bundle is
	// the system's roots plus azemu's CA.
	bundle := append([]byte(nil), emu.CACertPEM()...)
	if sys, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		bundle = append(sys, bundle...)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), bundle, 0o600))
	shim, err := filepath.Abs(filepath.Join("testdata", "azcli"))
	require.NoError(t, err)
	env := []string{
		"AZURE_CONFIG_DIR=" + filepath.Join(dir, "azure"),
		"REQUESTS_CA_BUNDLE=" + filepath.Join(dir, "ca.pem"),
		"AZURE_CORE_COLLECT_TELEMETRY=no",
		"AZURE_CORE_NO_COLOR=yes",
		"AZURE_CORE_ONLY_SHOW_ERRORS=yes",
		// sitecustomize.py there: *.localhost resolves to loopback, and the
		// track-1 Key Vault SDK that Debian's package lacks is aliased.
		"PYTHONPATH=" + shim,
		"PYTHONDONTWRITEBYTECODE=1",
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AZURE_") || k == "PYTHONPATH" || k == "REQUESTS_CA_BUNDLE" {
			continue
		}
		env = append(env, kv)
	}
	return &azCLI{t: t, bin: bin, env: env}
}

// run runs az with args and returns stdout, stderr and the error.
func (a *azCLI) run(args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.bin, args...)
	cmd.Env = a.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return strings.TrimSpace(out.String()), errOut.String(), err
}

// must runs az and fails the test when it fails.
func (a *azCLI) must(args ...string) string {
	a.t.Helper()
	out, errOut, err := a.run(args...)
	require.NoError(a.t, err, "az %s\n%s", strings.Join(args, " "), errOut)
	return out
}

// TestAzureCLICustomerManagedKeyGuide runs the Azure CLI steps of Azure's
// guide "Configure customer-managed keys in the same tenant for an existing
// storage account"
// (https://learn.microsoft.com/azure/storage/common/customer-managed-keys-configure-existing-account?tabs=azure-cli)
// verbatim against azemu registered as a cloud, then revokes the key the
// way the guide's revocation section does and checks that a blob download
// fails with Azure's error.
func TestAzureCLICustomerManagedKeyGuide(t *testing.T) {
	emu := startAzemu(t)
	az := newAzCLI(t, emu)
	const (
		group   = "cmkrg"
		account = "cmkguideacct"
		vault   = "cmkguidevault"
		key     = "cmkkey"
	)

	az.must(emu.AzureCLICloudRegisterArgs()...)
	az.must("cloud", "set", "--name", emulator.AzureCLICloudName)
	az.must("login", "--service-principal", "--username", emulator.DevClientID,
		"--password", emulator.DevClientSecret, "--tenant", emulator.DevTenantID)
	az.must("group", "create", "--name", group, "--location", "local")
	az.must("storage", "account", "create", "--name", account, "--resource-group", group,
		"--location", "local", "--sku", "Standard_LRS", "--kind", "StorageV2")

	// Step 1: a vault with soft delete (on by default) and purge protection.
	az.must("keyvault", "create", "--name", vault, "--resource-group", group,
		"--location", "local", "--enable-purge-protection")
	az.must("keyvault", "key", "create", "--name", key, "--vault-name", vault)

	// Step 2: the account's system-assigned identity gets get, wrapkey and
	// unwrapkey on the vault's keys.
	principal := az.must("storage", "account", "update", "--name", account, "--resource-group", group,
		"--assign-identity", "--query", "identity.principalId", "--output", "tsv")
	require.NotEmpty(t, principal)
	az.must("keyvault", "set-policy", "--name", vault, "--object-id", principal,
		"--key-permissions", "get", "unwrapKey", "wrapKey")

	// Step 3: point the account at the key, with an explicit version.
	vaultURI := az.must("keyvault", "show", "--name", vault, "--resource-group", group,
		"--query", "properties.vaultUri", "--output", "tsv")
	kid := az.must("keyvault", "key", "list-versions", "--name", key, "--vault-name", vault,
		"--query", "[-1].kid", "--output", "tsv")
	version := kid[strings.LastIndexByte(kid, '/')+1:]
	require.NotEmpty(t, version, kid)
	keySource := az.must("storage", "account", "update", "--name", account, "--resource-group", group,
		"--encryption-key-name", key, "--encryption-key-version", version,
		"--encryption-key-source", "Microsoft.Keyvault", "--encryption-key-vault", vaultURI,
		"--query", "encryption.keySource", "--output", "tsv")
	assert.Equal(t, "Microsoft.Keyvault", keySource)

	// Data under the customer-managed key, through the storage commands
	// with the account's key looked up through ARM.
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.txt")
	require.NoError(t, os.WriteFile(src, []byte("encrypted with the customer's key\n"), 0o600))
	az.must("storage", "container", "create", "--account-name", account, "--name", "guide", "--auth-mode", "key")
	az.must("storage", "blob", "upload", "--account-name", account, "--container-name", "guide",
		"--name", "hello.txt", "--file", src, "--auth-mode", "key")
	got := filepath.Join(dir, "got.txt")
	az.must("storage", "blob", "download", "--account-name", account, "--container-name", "guide",
		"--name", "hello.txt", "--file", got, "--auth-mode", "key")
	assertSameFile(t, src, got)
	az.must("storage", "share", "create", "--account-name", account, "--name", "guide")
	az.must("storage", "file", "upload", "--account-name", account, "--share-name", "guide", "--source", src)
	gotFile := filepath.Join(dir, "got-file.txt")
	az.must("storage", "file", "download", "--account-name", account, "--share-name", "guide",
		"--path", "hello.txt", "--dest", gotFile)
	assertSameFile(t, src, gotFile)

	// Revoke: disable the key; the next download fails as Azure's does.
	az.must("keyvault", "key", "set-attributes", "--name", key, "--vault-name", vault, "--enabled", "false")
	_, errOut, err := az.run("storage", "blob", "download", "--account-name", account, "--container-name", "guide",
		"--name", "hello.txt", "--file", filepath.Join(dir, "revoked.txt"), "--auth-mode", "key")
	require.Error(t, err, "the download must fail once the key is disabled")
	assert.Contains(t, errOut, "ErrorCode:KeyVaultEncryptionKeyNotFound")
	assert.Contains(t, errOut, "The key vault key is not found to unwrap the encryption key.")

	// Restore: enable the key; the data is readable again.
	az.must("keyvault", "key", "set-attributes", "--name", key, "--vault-name", vault, "--enabled", "true")
	again := filepath.Join(dir, "again.txt")
	az.must("storage", "blob", "download", "--account-name", account, "--container-name", "guide",
		"--name", "hello.txt", "--file", again, "--auth-mode", "key")
	assertSameFile(t, src, again)
}

func assertSameFile(t *testing.T, want, got string) {
	t.Helper()
	w, err := os.ReadFile(want)
	require.NoError(t, err)
	g, err := os.ReadFile(got)
	require.NoError(t, err)
	assert.Equal(t, string(w), string(g))
}

// TestPythonClientSecretCredentialADFS: the Python azure-identity that
// Debian's python3-azure ships (installed with azure-cli) gets a token from
// azemu's ADFS-style authority with ClientSecretCredential(authority=...),
// as MSAL Python accepts an /adfs authority without asking the public
// cloud about it.
func TestPythonClientSecretCredentialADFS(t *testing.T) {
	emu := startAzemu(t)
	az := newAzCLI(t, emu) // the same environment: CA bundle, no AZURE_* leaking in
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skip("Debian's python3 is not installed")
	}
	script := `import sys
from azure.identity import ClientSecretCredential
c = ClientSecretCredential("adfs", sys.argv[1], sys.argv[2], authority=sys.argv[3])
print(c.get_token("https://vault.azure.net/.default").token)
`
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", script, emulator.DevClientID, emulator.DevClientSecret, emu.VaultURL())
	cmd.Env = az.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), errOut.String())
	c, err := emu.Identity().VerifyToken(ctx, strings.TrimSpace(out.String()), "https://vault.azure.net")
	require.NoError(t, err)
	assert.Equal(t, emulator.DevTenantID, c.TenantID)
	assert.Equal(t, emulator.DevClientID, c.AppID)
}
