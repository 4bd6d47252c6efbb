package azemutest_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
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
