package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// The admin API moves the clock that runs scheduled purges. An attacker who
// can reach the port tries to advance it a century to destroy a soft-deleted
// key for good; every attempt is refused and the key stays recoverable.
// Only a token of an admin principal moves the clock.
func TestAdminAPIResistsAttacks(t *testing.T) {
	const otherClient = "44444444-4444-4444-8444-444444444444"
	emu := startAzemu(t, withConfig(func(c *emulator.Config) {
		c.Principals = []emulator.Principal{{ClientID: otherClient, Secret: "other-secret"}}
	}))
	ctx := context.Background()
	keys := keysClient(t, emu, devCredential(t, emu), emu.DevVaultURL())
	_, err := keys.CreateKey(ctx, "precious", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	_, err = keys.DeleteKey(ctx, "precious", nil)
	require.NoError(t, err)

	devMgmt := getToken(t, devCredential(t, emu), emulator.AdminScope)
	devVault := getToken(t, devCredential(t, emu), "https://vault.azure.net/.default")
	otherMgmt := getToken(t, secretCredential(t, emu, otherClient, "other-secret"), emulator.AdminScope)

	advance := func(tok string, hdr http.Header) (int, string) {
		req, err := http.NewRequest(http.MethodPost, emu.VaultURL()+"/_azemu/clock/advance", strings.NewReader(`{"seconds": 3153600000}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "text/plain") // a "simple" request a browser sends without preflight
		for k, v := range hdr {
			req.Header[k] = v
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := httpClient(emu).Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out struct{ Error struct{ Code string } }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Error.Code
	}
	before := emu.Clock().Now()
	for _, a := range []struct {
		name, token string
		hdr         http.Header
		status      int
	}{
		{"anonymous", "", nil, http.StatusUnauthorized},
		{"forged token", "eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.", nil, http.StatusUnauthorized},
		{"Key Vault token", devVault, nil, http.StatusUnauthorized},
		{"principal that is not an admin", otherMgmt, nil, http.StatusForbidden},
		{"admin token replayed from another site's page", devMgmt, http.Header{"Origin": {"http://attacker.example"}}, http.StatusForbidden},
	} {
		status, code := advance(a.token, a.hdr)
		assert.Equal(t, a.status, status, a.name)
		assert.NotEmpty(t, code, a.name)
	}
	assert.WithinDuration(t, before, emu.Clock().Now(), time.Hour, "no attack moved the clock")
	_, err = keys.GetDeletedKey(ctx, "precious", nil)
	require.NoError(t, err, "the soft-deleted key was not purged")

	// The development principal (an admin by default) moves it.
	status, _ := advance(devMgmt, nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Greater(t, emu.Clock().Now().Sub(before), 99*365*24*time.Hour)
}

func getToken(t *testing.T, cred azcore.TokenCredential, scope string) string {
	t.Helper()
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
	require.NoError(t, err)
	return tok.Token
}
