package conformance

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// A principal registered with --principal gets tokens from azemu's
// authority with the official credential, and the default vault, whose
// access policy names only the development principal, refuses it.
func TestRegisteredPrincipalGetsTokenButNoVaultAccess(t *testing.T) {
	const clientID = "11111111-2222-4333-8444-555555555555"
	emu := startAzemu(t, withConfig(func(c *emulator.Config) {
		c.Principals = []emulator.Principal{{ClientID: clientID, Secret: "other-secret"}}
	}))
	cred := secretCredential(t, emu, clientID, "other-secret")
	client, err := azkeys.NewClient(emu.DevVaultURL(), cred, &azkeys.ClientOptions{ClientOptions: clientOptions(emu)})
	require.NoError(t, err)
	_, err = client.GetKey(context.Background(), "anything", "", nil)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "want a service error, got %v", err)
	assert.Equal(t, http.StatusForbidden, re.StatusCode)
	assert.Equal(t, "Forbidden", re.ErrorCode)

	bad := secretCredential(t, emu, clientID, "wrong-secret")
	client, err = azkeys.NewClient(emu.DevVaultURL(), bad, &azkeys.ClientOptions{ClientOptions: clientOptions(emu)})
	require.NoError(t, err)
	_, err = client.GetKey(context.Background(), "anything", "", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS7000215", "a wrong secret is refused by the authority as Entra ID refuses it")
}
