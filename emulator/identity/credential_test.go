package identity

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/internal/authn"
)

func (e *env) secretCredential(t *testing.T, authority, tenant, clientID, secret string) *azidentity.ClientSecretCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(tenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: authority + "/"},
			Transport: e.client,
		},
		DisableInstanceDiscovery: true,
	})
	require.NoError(t, err)
	return cred
}

func TestClientSecretCredential(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	const vault = "https://vault.localhost:8443"

	for _, tc := range []struct {
		name      string
		authority string
		tenant    string
	}{
		{"localhost", e.base, DevTenantID},
		{"127.0.0.1", "https://127.0.0.1:" + e.port, DevTenantID},
		{"vault host alias", "https://vault.localhost:" + e.port, DevTenantID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := e.secretCredential(t, tc.authority, tc.tenant, DevClientID, DevClientSecret)
			tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{vault + "/.default"}, EnableCAE: true})
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().Add(time.Hour), tok.ExpiresOn, 2*time.Minute)

			c, err := e.svc.VerifyToken(ctx, tok.Token, vault)
			require.NoError(t, err)
			assert.Equal(t, authn.Caller{ObjectID: DevObjectID, TenantID: DevTenantID, AppID: DevClientID, Audience: vault, Expires: c.Expires}, c)

			// The cached token is reused: a second call sends nothing and returns the same token.
			again, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{vault + "/.default"}, EnableCAE: true})
			require.NoError(t, err)
			assert.Equal(t, tok.Token, again.Token)
		})
	}

	t.Run("registered principal, other audience", func(t *testing.T) {
		p, err := e.svc.RegisterPrincipal(ctx, ServicePrincipalSpec{Secret: "s3cr3t", DisplayName: "app1"})
		require.NoError(t, err)
		cred := e.secretCredential(t, e.base, p.TenantID, p.ClientID, "s3cr3t")
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
		require.NoError(t, err)
		c, err := e.svc.VerifyToken(ctx, tok.Token, "https://management.azure.com/")
		require.NoError(t, err)
		assert.Equal(t, p.ObjectID, c.ObjectID)
		assert.Equal(t, p.ClientID, c.AppID)
		_, err = e.svc.VerifyToken(ctx, tok.Token, vault)
		require.ErrorIs(t, err, ErrInvalidAudience)

		require.NoError(t, e.svc.RemovePrincipal(ctx, p.ObjectID))
		_, err = e.svc.VerifyToken(ctx, tok.Token, "https://management.azure.com")
		require.ErrorIs(t, err, ErrUnknownPrincipal)
	})

	t.Run("upper-case tenant", func(t *testing.T) {
		const tenant = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
		p, err := e.svc.RegisterPrincipal(ctx, ServicePrincipalSpec{TenantID: strings.ToUpper(tenant), Secret: "pw"})
		require.NoError(t, err)
		assert.Equal(t, tenant, p.TenantID, "stored canonical")
		cred := e.secretCredential(t, e.base, strings.ToUpper(tenant), strings.ToUpper(p.ClientID), "pw")
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{vault + "/.default"}})
		require.NoError(t, err)
		c, err := e.svc.VerifyToken(ctx, tok.Token, vault)
		require.NoError(t, err)
		assert.Equal(t, tenant, c.TenantID)
	})

	t.Run("wrong secret", func(t *testing.T) {
		cred := e.secretCredential(t, e.base, DevTenantID, DevClientID, "wrong")
		_, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{vault + "/.default"}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "AADSTS7000215")
		assert.Contains(t, err.Error(), "401")
	})

	t.Run("unknown client", func(t *testing.T) {
		cred := e.secretCredential(t, e.base, DevTenantID, "11111111-1111-1111-1111-111111111111", "x")
		_, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{vault + "/.default"}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "AADSTS700016")
	})
}

func TestManagedIdentityCredential(t *testing.T) {
	e := newEnv(t, Config{IdentityHeader: "hdr-secret"})
	ctx := context.Background()
	t.Setenv("IDENTITY_ENDPOINT", e.base+"/msi/token")
	t.Setenv("IDENTITY_HEADER", "hdr-secret")

	ua, err := e.svc.RegisterManagedIdentity(ctx, ManagedIdentitySpec{
		ResourceID: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/azemu/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1",
	})
	require.NoError(t, err)

	// MSAL Go caches managed identity tokens process-wide, keyed by resource:
	// each case asks for its own resource so no token of another test leaks in.
	run := 0
	get := func(t *testing.T, id azidentity.ManagedIDKind) (string, string) {
		t.Helper()
		run++
		resource := fmt.Sprintf("https://res%d-%d.example", time.Now().UnixNano(), run)
		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
			ClientOptions: azcore.ClientOptions{Transport: e.client},
			ID:            id,
		})
		require.NoError(t, err)
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{resource + "/.default"}})
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now().Add(time.Hour), tok.ExpiresOn, 2*time.Minute)
		return tok.Token, resource
	}

	t.Run("default is the development principal", func(t *testing.T) {
		tok, res := get(t, nil)
		c, err := e.svc.VerifyToken(ctx, tok, res)
		require.NoError(t, err)
		assert.Equal(t, DevObjectID, c.ObjectID)
	})
	for _, tc := range []struct {
		name string
		id   azidentity.ManagedIDKind
	}{
		{"client id", azidentity.ClientID(ua.ClientID)},
		{"object id", azidentity.ObjectID(ua.ObjectID)},
		{"resource id", azidentity.ResourceID(ua.ResourceID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, res := get(t, tc.id)
			c, err := e.svc.VerifyToken(ctx, tok, res)
			require.NoError(t, err)
			assert.Equal(t, authn.Caller{ObjectID: ua.ObjectID, TenantID: DevTenantID, AppID: ua.ClientID, Audience: res, Expires: c.Expires}, c)
		})
	}
	t.Run("configured default", func(t *testing.T) {
		require.NoError(t, e.svc.SetDefaultManagedIdentity(ctx, ua.ObjectID))
		defer func() { require.NoError(t, e.svc.SetDefaultManagedIdentity(ctx, "")) }()
		tok, res := get(t, nil)
		c, err := e.svc.VerifyToken(ctx, tok, res)
		require.NoError(t, err)
		assert.Equal(t, ua.ObjectID, c.ObjectID)
	})
	t.Run("removed identity", func(t *testing.T) {
		tok, res := get(t, azidentity.ClientID(ua.ClientID))
		require.NoError(t, e.svc.RemoveManagedIdentity(ctx, ua.ObjectID))
		_, err := e.svc.VerifyToken(ctx, tok, res)
		require.ErrorIs(t, err, ErrUnknownPrincipal)

		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
			ClientOptions: azcore.ClientOptions{Transport: e.client}, ID: azidentity.ClientID(ua.ClientID),
		})
		require.NoError(t, err)
		_, err = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://removed.example/.default"}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Unable to load the proper Managed Identity")
	})
}

// TestEnvironmentCredential: AZURE_AUTHORITY_HOST points every MSAL-based
// credential at the emulator; only DisableInstanceDiscovery must be set in code.
func TestEnvironmentCredential(t *testing.T) {
	e := newEnv(t, Config{})
	t.Setenv("AZURE_AUTHORITY_HOST", e.base)
	t.Setenv("AZURE_TENANT_ID", DevTenantID)
	t.Setenv("AZURE_CLIENT_ID", DevClientID)
	t.Setenv("AZURE_CLIENT_SECRET", DevClientSecret)
	cred, err := azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Transport: e.client},
		DisableInstanceDiscovery: true,
	})
	require.NoError(t, err)
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	require.NoError(t, err)
	c, err := e.svc.VerifyToken(context.Background(), tok.Token, "https://management.azure.com")
	require.NoError(t, err)
	assert.Equal(t, DevObjectID, c.ObjectID)
}
