package conformance

import (
	"context"
	"os"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/stretchr/testify/require"
)

// With IDENTITY_ENDPOINT and IDENTITY_HEADER pointing at azemu (the values
// README gives), ManagedIdentityCredential and DefaultAzureCredential get
// tokens from azemu, and Key Vault accepts them: the default managed
// identity is the development principal, which devvault grants.
func TestManagedIdentityCredentialsReachKeyVault(t *testing.T) {
	emu := startAzemu(t)
	t.Setenv("IDENTITY_ENDPOINT", emu.VaultURL()+"/msi/token")
	t.Setenv("IDENTITY_HEADER", "azemu-identity-header")
	// Nothing else in the environment may pick the credential.
	for _, k := range []string{"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "MSI_ENDPOINT", "IMDS_ENDPOINT"} {
		t.Setenv(k, "") // restores the old value at the end
		require.NoError(t, os.Unsetenv(k))
	}
	opts := clientOptions(emu)
	mi, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts})
	require.NoError(t, err)
	dac, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: opts})
	require.NoError(t, err)
	ctx := context.Background()
	for i, cred := range []azcore.TokenCredential{mi, dac} {
		c, err := azkeys.NewClient(emu.DevVaultURL(), cred, &azkeys.ClientOptions{ClientOptions: opts})
		require.NoError(t, err)
		name := []string{"mi-key", "dac-key"}[i]
		k, err := c.CreateKey(ctx, name, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC), Curve: to.Ptr(azkeys.CurveNameP256)}, nil)
		require.NoError(t, err, name)
		require.Equal(t, name, k.Key.KID.Name())
	}
}
