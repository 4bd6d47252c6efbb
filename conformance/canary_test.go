package conformance

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDataFolderHoldsNoPlaintextKeys: after a start, the only key the data
// folder holds in the clear is the root key in root.key (which --root-key
// moves out); the TLS keys, the token signing key and everything else are
// sealed under it. A secret's value and a certificate whose secret is PEM
// (so its private key would read "PRIVATE KEY" if it were written in the
// clear) are sealed too.
func TestDataFolderHoldsNoPlaintextKeys(t *testing.T) {
	dir := t.TempDir()
	emu := startAzemu(t, withDataDir(dir))
	ctx := context.Background()
	const canary = "azemu-plaintext-canary-secret-31c7"
	_, err := devSecrets(t, emu).SetSecret(ctx, "canary", azsecrets.SetSecretParameters{Value: to.Ptr(canary)}, nil)
	require.NoError(t, err)
	p := selfPolicy("CN=canary.test")
	p.SecretProperties.ContentType = to.Ptr("application/x-pem-file")
	_, err = devCerts(t, emu).CreateCertificate(ctx, "canary-cert", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	require.NoError(t, err)
	sec, err := devSecrets(t, emu).GetSecret(ctx, "canary-cert", "", nil)
	require.NoError(t, err)
	require.Contains(t, *sec.Value, "PRIVATE KEY", "the certificate's secret is PEM with its key")
	require.NoError(t, emu.Close())
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		assert.False(t, bytes.Contains(data, []byte("PRIVATE KEY")), "%s holds a PEM private key", path)
		assert.False(t, bytes.Contains(data, []byte(canary)), "%s holds a secret value", path)
		return nil
	}))
	assert.Greater(t, files, 3)
}
