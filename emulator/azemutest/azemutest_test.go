package azemutest_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
	"github.com/azemu/azemu/emulator/azemutest"
)

func TestStartGivesAWorkingInstanceAndCleansUp(t *testing.T) {
	var vaultURL string
	t.Run("inner", func(t *testing.T) {
		emu := azemutest.Start(t)
		vaultURL = emu.ManagementURL()
		assert.Equal(t, emu.Emulator().BlobURL()+"/devstoreaccount1", emu.BlobServiceURL())
		assert.Equal(t, emu.Emulator().FileURL()+"/devstoreaccount1", emu.FileServiceURL())
		assert.Equal(t, emu.VaultURL(azemutest.VaultName), emu.ConnectionURL())
		assert.Equal(t, emulator.DevAccountKey, azemutest.AccountKey)

		// The credential reaches a vault through the SDK's challenge check.
		keys, err := azkeys.NewClient(emu.ConnectionURL(), emu.Credential(), &azkeys.ClientOptions{ClientOptions: emu.ClientOptions()})
		require.NoError(t, err)
		_, err = keys.CreateKey(context.Background(), "k", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
		require.NoError(t, err)
	})
	// After the test, the instance is gone.
	client := &http.Client{}
	_, err := client.Get(vaultURL + "/_azemu/health")
	assert.Error(t, err)
}

// A named vault is reached at https://<name>.vault.localhost:PORT with the
// SDK's challenge-resource check on, whether or not the system resolves
// *.localhost: Client dials those names on the loopback address.
func TestNamedVaultWithoutALocalhostResolver(t *testing.T) {
	emu := azemutest.Start(t)
	ctx := context.Background()
	vaults, err := armkeyvault.NewVaultsClient(emulator.DevSubscription, emu.Credential(), &arm.ClientOptions{ClientOptions: emu.ClientOptions()})
	require.NoError(t, err)
	poller, err := vaults.BeginCreateOrUpdate(ctx, emulator.DevResourceGroup, "teamvault", armkeyvault.VaultCreateOrUpdateParameters{
		Location: to.Ptr("local"),
		Properties: &armkeyvault.VaultProperties{
			TenantID: to.Ptr(azemutest.TenantID),
			SKU:      &armkeyvault.SKU{Family: to.Ptr(armkeyvault.SKUFamilyA), Name: to.Ptr(armkeyvault.SKUNameStandard)},
			AccessPolicies: []*armkeyvault.AccessPolicyEntry{{
				TenantID: to.Ptr(azemutest.TenantID), ObjectID: to.Ptr(emulator.DevObjectID),
				Permissions: &armkeyvault.Permissions{Keys: []*armkeyvault.KeyPermissions{to.Ptr(armkeyvault.KeyPermissionsAll)}},
			}},
		},
	}, nil)
	require.NoError(t, err)
	v, err := poller.PollUntilDone(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, emu.VaultURL("teamvault"), strings.TrimRight(*v.Properties.VaultURI, "/"))

	if _, err := net.LookupHost("teamvault.vault.localhost"); err != nil {
		t.Logf("the system does not resolve teamvault.vault.localhost (%v); the client does not need it", err)
	}
	keys, err := azkeys.NewClient(emu.VaultURL("teamvault"), emu.Credential(), &azkeys.ClientOptions{ClientOptions: emu.ClientOptions()})
	require.NoError(t, err)
	k, err := keys.CreateKey(ctx, "team-key", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "teamvault.vault.localhost", hostOf(t, string(*k.Key.KID)))
}

func hostOf(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Hostname()
}

// A module outside azemu uses the package through its go.mod exactly as a
// user's project would (replace directive to this checkout).
func TestUsableFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a separate module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "outside"))
	require.NoError(t, err)
	cmd := exec.Command(goBin, "test", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "ok")
}
