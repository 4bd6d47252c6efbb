package conformance

// Key Vault secrets through the official azsecrets client with a real
// azidentity client-secret credential, over TLS, against
// https://devvault.vault.localhost:PORT and other vaults of the emulator.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

func secretsClient(t testing.TB, emu *emulator.Emulator, cred azcore.TokenCredential, vaultURL string) *azsecrets.Client {
	t.Helper()
	c, err := azsecrets.NewClient(vaultURL, cred, &azsecrets.ClientOptions{ClientOptions: clientOptions(emu)})
	require.NoError(t, err)
	return c
}

func devSecrets(t testing.TB, emu *emulator.Emulator) *azsecrets.Client {
	t.Helper()
	return secretsClient(t, emu, devCredential(t, emu), emu.DevVaultURL())
}

func TestSecretsSetGetUpdateVersions(t *testing.T) {
	emu := startAzemu(t)
	c := devSecrets(t, emu)
	ctx := context.Background()
	exp := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	s1, err := c.SetSecret(ctx, "db-password", azsecrets.SetSecretParameters{Value: to.Ptr("p@ss-1"),
		ContentType: to.Ptr("text/plain"), Tags: map[string]*string{"env": to.Ptr("dev")},
		SecretAttributes: &azsecrets.SecretAttributes{Expires: &exp}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "db-password", s1.ID.Name())
	assert.Len(t, s1.ID.Version(), 32)
	assert.Equal(t, "p@ss-1", *s1.Value)
	assert.Equal(t, "Recoverable", *s1.Attributes.RecoveryLevel)
	assert.EqualValues(t, 90, *s1.Attributes.RecoverableDays)
	assert.Nil(t, s1.Managed)

	got, err := c.GetSecret(ctx, "db-password", "", nil)
	require.NoError(t, err, "an expired secret is still returned: exp is informational")
	assert.Equal(t, "p@ss-1", *got.Value)
	assert.Equal(t, "text/plain", *got.ContentType)
	assert.Equal(t, exp, got.Attributes.Expires.UTC())

	s2, err := c.SetSecret(ctx, "db-password", azsecrets.SetSecretParameters{Value: to.Ptr("p@ss-2")}, nil)
	require.NoError(t, err)
	got, err = c.GetSecret(ctx, "db-password", s1.ID.Version(), nil)
	require.NoError(t, err)
	assert.Equal(t, "p@ss-1", *got.Value)
	got, err = c.GetSecret(ctx, "db-password", "", nil)
	require.NoError(t, err)
	assert.Equal(t, "p@ss-2", *got.Value)
	assert.Equal(t, s2.ID.Version(), got.ID.Version())

	upd, err := c.UpdateSecretProperties(ctx, "db-password", s1.ID.Version(), azsecrets.UpdateSecretPropertiesParameters{
		ContentType: to.Ptr("application/json"), Tags: map[string]*string{"rotated": to.Ptr("yes")},
		SecretAttributes: &azsecrets.SecretAttributes{Enabled: to.Ptr(false)}}, nil)
	require.NoError(t, err)
	assert.Nil(t, upd.Value, "update answers without the value")
	assert.False(t, *upd.Attributes.Enabled)
	_, err = c.GetSecret(ctx, "db-password", s1.ID.Version(), nil)
	kvError(t, err, 403, "Forbidden", "SecretDisabled")
	_, err = c.UpdateSecretProperties(ctx, "db-password", s1.ID.Version(), azsecrets.UpdateSecretPropertiesParameters{
		SecretAttributes: &azsecrets.SecretAttributes{Enabled: to.Ptr(true)}}, nil)
	require.NoError(t, err)
	got, err = c.GetSecret(ctx, "db-password", s1.ID.Version(), nil)
	require.NoError(t, err)
	assert.Equal(t, "p@ss-1", *got.Value, "update never changes the value")
	assert.Equal(t, "application/json", *got.ContentType)

	versions := map[string]bool{}
	vp := c.NewListSecretPropertiesVersionsPager("db-password", nil)
	for vp.More() {
		page, err := vp.NextPage(ctx)
		require.NoError(t, err)
		for _, v := range page.Value {
			versions[v.ID.Version()] = true
		}
	}
	assert.Equal(t, map[string]bool{s1.ID.Version(): true, s2.ID.Version(): true}, versions)

	// failures by code
	_, err = c.GetSecret(ctx, "missing", "", nil)
	kvError(t, err, 404, "SecretNotFound", "")
	_, err = c.GetSecret(ctx, "db-password", "00000000000000000000000000000000", nil)
	kvError(t, err, 404, "SecretNotFound", "")
	_, err = c.SetSecret(ctx, "bad_name", azsecrets.SetSecretParameters{Value: to.Ptr("x")}, nil)
	kvError(t, err, 400, "BadParameter", "")
	_, err = c.SetSecret(ctx, "big", azsecrets.SetSecretParameters{Value: to.Ptr(strings.Repeat("x", keyvault.MaxSecretValueBytes+1))}, nil)
	kvError(t, err, 400, "BadParameter", "")
	_, err = c.SetSecret(ctx, "big", azsecrets.SetSecretParameters{Value: to.Ptr(strings.Repeat("x", keyvault.MaxSecretValueBytes))}, nil)
	require.NoError(t, err, "25 KiB is the limit")
	y10k := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = c.SetSecret(ctx, "far", azsecrets.SetSecretParameters{Value: to.Ptr("x"), SecretAttributes: &azsecrets.SecretAttributes{NotBefore: &y10k}}, nil)
	kvError(t, err, 400, "BadParameter", "")
}

func TestSecretsListPaging(t *testing.T) {
	emu := startAzemu(t)
	c := devSecrets(t, emu)
	ctx := context.Background()
	for i := range 30 {
		_, err := c.SetSecret(ctx, fmt.Sprintf("s%02d", i), azsecrets.SetSecretParameters{Value: to.Ptr("v")}, nil)
		require.NoError(t, err)
	}
	names, pages := map[string]bool{}, 0
	pager := c.NewListSecretPropertiesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, s := range page.Value {
			assert.Empty(t, s.ID.Version(), "list returns base identifiers")
			names[s.ID.Name()] = true
		}
	}
	assert.Len(t, names, 30)
	assert.Equal(t, 2, pages, "25 per page, then nextLink")
}

func TestSecretsSoftDeleteRecoverPurge(t *testing.T) {
	emu := startAzemu(t)
	c := devSecrets(t, emu)
	ctx := context.Background()
	_, err := c.SetSecret(ctx, "sd", azsecrets.SetSecretParameters{Value: to.Ptr("keep me")}, nil)
	require.NoError(t, err)
	del, err := c.DeleteSecret(ctx, "sd", nil)
	require.NoError(t, err)
	require.NotNil(t, del.RecoveryID)
	assert.Equal(t, 90*24*time.Hour, del.ScheduledPurgeDate.Sub(*del.DeletedDate))
	_, err = c.GetSecret(ctx, "sd", "", nil)
	kvError(t, err, 404, "SecretNotFound", "")
	_, err = c.SetSecret(ctx, "sd", azsecrets.SetSecretParameters{Value: to.Ptr("again")}, nil)
	kvError(t, err, 409, "Conflict", "ObjectIsDeletedButRecoverable")
	ds, err := c.GetDeletedSecret(ctx, "sd", nil)
	require.NoError(t, err)
	assert.Nil(t, ds.Value)
	found := false
	dp := c.NewListDeletedSecretPropertiesPager(nil)
	for dp.More() {
		page, err := dp.NextPage(ctx)
		require.NoError(t, err)
		for _, d := range page.Value {
			found = found || d.ID.Name() == "sd"
		}
	}
	assert.True(t, found)
	_, err = c.PurgeDeletedSecret(ctx, "sd", nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByPolicy")
	rec, err := c.RecoverDeletedSecret(ctx, "sd", nil)
	require.NoError(t, err)
	assert.Equal(t, "sd", rec.ID.Name())
	got, err := c.GetSecret(ctx, "sd", "", nil)
	require.NoError(t, err)
	assert.Equal(t, "keep me", *got.Value)

	// the emulator clock purges it after the retention
	_, err = c.DeleteSecret(ctx, "sd", nil)
	require.NoError(t, err)
	emu.AdvanceClock(ctx, 91*24*time.Hour)
	_, err = c.GetDeletedSecret(ctx, "sd", nil)
	kvError(t, err, 404, "SecretNotFound", "")
	_, err = c.SetSecret(ctx, "sd", azsecrets.SetSecretParameters{Value: to.Ptr("new life")}, nil)
	require.NoError(t, err)

	// a vault without purge protection purges on request
	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "purgeable", TenantID: emulator.DevTenantID,
		SoftDeleteRetentionDays: 7, AccessPolicies: []keyvault.AccessPolicy{{TenantID: emulator.DevTenantID,
			ObjectID: emulator.DevObjectID, Secrets: keyvault.AllSecretPermissions()}}})
	require.NoError(t, err)
	pc := secretsClient(t, emu, devCredential(t, emu), vaultURL(emu, "purgeable"))
	s, err := pc.SetSecret(ctx, "p", azsecrets.SetSecretParameters{Value: to.Ptr("v")}, nil)
	require.NoError(t, err)
	assert.Equal(t, "CustomizedRecoverable+Purgeable", *s.Attributes.RecoveryLevel)
	_, err = pc.DeleteSecret(ctx, "p", nil)
	require.NoError(t, err)
	_, err = pc.PurgeDeletedSecret(ctx, "p", nil)
	require.NoError(t, err)
	_, err = pc.GetDeletedSecret(ctx, "p", nil)
	kvError(t, err, 404, "SecretNotFound", "")
}

func TestSecretsBackupRestore(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	c := devSecrets(t, emu)
	s1, err := c.SetSecret(ctx, "bk", azsecrets.SetSecretParameters{Value: to.Ptr("one")}, nil)
	require.NoError(t, err)
	_, err = c.SetSecret(ctx, "bk", azsecrets.SetSecretParameters{Value: to.Ptr("two")}, nil)
	require.NoError(t, err)
	b, err := c.BackupSecret(ctx, "bk", nil)
	require.NoError(t, err)
	require.NotEmpty(t, b.Value)
	assert.False(t, bytes.Contains(b.Value, []byte("one")), "the backup is sealed")
	_, err = c.RestoreSecret(ctx, azsecrets.RestoreSecretParameters{SecretBackup: b.Value}, nil)
	kvError(t, err, 409, "Conflict", "")

	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "second", TenantID: emulator.DevTenantID,
		AccessPolicies: []keyvault.AccessPolicy{{TenantID: emulator.DevTenantID, ObjectID: emulator.DevObjectID, Secrets: []string{"all"}}}})
	require.NoError(t, err)
	c2 := secretsClient(t, emu, devCredential(t, emu), vaultURL(emu, "second"))
	res, err := c2.RestoreSecret(ctx, azsecrets.RestoreSecretParameters{SecretBackup: b.Value}, nil)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(*res.ID), "https://second.vault.localhost:"), string(*res.ID))
	old, err := c2.GetSecret(ctx, "bk", s1.ID.Version(), nil)
	require.NoError(t, err, "every version is restored with its id")
	assert.Equal(t, "one", *old.Value)
	_, err = c2.RestoreSecret(ctx, azsecrets.RestoreSecretParameters{SecretBackup: []byte("not a backup")}, nil)
	kvError(t, err, 400, "BadParameter", "")

	// another tenant's vault refuses the blob
	const otherTenant = "77777777-0000-4000-8000-000000000007"
	p, err := emu.Identity().RegisterPrincipal(ctx, identity.ServicePrincipalSpec{TenantID: otherTenant,
		ClientID: "77777777-0000-4000-8000-000000000001", ObjectID: "77777777-0000-4000-8000-0000000000a1",
		DisplayName: "other-tenant", Secret: "other-secret"})
	require.NoError(t, err)
	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "foreign", TenantID: otherTenant,
		AccessPolicies: []keyvault.AccessPolicy{{TenantID: otherTenant, ObjectID: p.ObjectID, Secrets: []string{"all"}}}})
	require.NoError(t, err)
	cred := tenantCredential(t, emu, otherTenant, p.ClientID, "other-secret")
	_, err = secretsClient(t, emu, cred, vaultURL(emu, "foreign")).RestoreSecret(ctx, azsecrets.RestoreSecretParameters{SecretBackup: b.Value}, nil)
	kvError(t, err, 400, "BadParameter", "")
}

func TestSecretsAccessPoliciesAndRoles(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	_, err := devSecrets(t, emu).SetSecret(ctx, "guarded", azsecrets.SetSecretParameters{Value: to.Ptr("v")}, nil)
	require.NoError(t, err)
	p, err := emu.Identity().RegisterPrincipal(ctx, identity.ServicePrincipalSpec{TenantID: emulator.DevTenantID,
		ClientID: "44444444-0000-4000-8000-000000000004", ObjectID: "44444444-0000-4000-8000-0000000000a4",
		DisplayName: "reader", Secret: "other-secret"})
	require.NoError(t, err)
	other := secretsClient(t, emu, secretCredential(t, emu, p.ClientID, "other-secret"), emu.DevVaultURL())
	_, err = other.GetSecret(ctx, "guarded", "", nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")
	_, err = emu.Vault().UpdateAccessPolicies(ctx, emulator.DevVaultName, keyvault.AccessPolicyAdd, []keyvault.AccessPolicy{
		{TenantID: emulator.DevTenantID, ObjectID: p.ObjectID, Keys: []string{"all"}, Secrets: []string{"get", "list"}}})
	require.NoError(t, err)
	got, err := other.GetSecret(ctx, "guarded", "", nil)
	require.NoError(t, err)
	assert.Equal(t, "v", *got.Value)
	_, err = other.SetSecret(ctx, "guarded", azsecrets.SetSecretParameters{Value: to.Ptr("w")}, nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")
	_, err = other.DeleteSecret(ctx, "guarded", nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")

	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "rbacvault", TenantID: emulator.DevTenantID, EnableRBACAuthorization: true})
	require.NoError(t, err)
	_, err = emu.Vault().AssignRole(ctx, "rbacvault", keyvault.RoleAssignment{PrincipalID: emulator.DevObjectID, RoleDefinition: keyvault.RoleKeyVaultSecretsOfficer})
	require.NoError(t, err)
	_, err = secretsClient(t, emu, devCredential(t, emu), vaultURL(emu, "rbacvault")).SetSecret(ctx, "r", azsecrets.SetSecretParameters{Value: to.Ptr("rbac")}, nil)
	require.NoError(t, err)
	rbacOther := secretsClient(t, emu, secretCredential(t, emu, p.ClientID, "other-secret"), vaultURL(emu, "rbacvault"))
	_, err = rbacOther.GetSecret(ctx, "r", "", nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	_, err = emu.Vault().AssignRole(ctx, "rbacvault", keyvault.RoleAssignment{PrincipalID: p.ObjectID, RoleDefinition: keyvault.RoleKeyVaultReader})
	require.NoError(t, err)
	lp := rbacOther.NewListSecretPropertiesPager(nil)
	page, err := lp.NextPage(ctx)
	require.NoError(t, err, "Reader lists metadata")
	assert.Len(t, page.Value, 1)
	_, err = rbacOther.GetSecret(ctx, "r", "", nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	_, err = emu.Vault().AssignRole(ctx, "rbacvault", keyvault.RoleAssignment{PrincipalID: p.ObjectID, RoleDefinition: keyvault.RoleKeyVaultSecretsUser})
	require.NoError(t, err)
	got, err = rbacOther.GetSecret(ctx, "r", "", nil)
	require.NoError(t, err)
	assert.Equal(t, "rbac", *got.Value)
	_, err = rbacOther.SetSecret(ctx, "r", azsecrets.SetSecretParameters{Value: to.Ptr("w")}, nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByRbac")
}

// TestSecretsSurviveRestartSealed: secrets, versions and deleted secrets
// persist across a restart, and a canary value never appears on disk.
func TestSecretsSurviveRestartSealed(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	const canary = "azemu-secret-canary-9b2c"
	emu := startAzemu(t, withDataDir(dir))
	c := devSecrets(t, emu)
	s, err := c.SetSecret(ctx, "durable", azsecrets.SetSecretParameters{Value: to.Ptr(canary + "-v1")}, nil)
	require.NoError(t, err)
	_, err = c.SetSecret(ctx, "gone", azsecrets.SetSecretParameters{Value: to.Ptr(canary + "-gone")}, nil)
	require.NoError(t, err)
	_, err = c.DeleteSecret(ctx, "gone", nil)
	require.NoError(t, err)
	_, err = c.BackupSecret(ctx, "durable", nil)
	require.NoError(t, err)
	require.NoError(t, emu.Close())

	emu2 := startAzemu(t, withDataDir(dir))
	c2 := devSecrets(t, emu2)
	got, err := c2.GetSecret(ctx, "durable", s.ID.Version(), nil)
	require.NoError(t, err)
	assert.Equal(t, canary+"-v1", *got.Value)
	_, err = c2.GetDeletedSecret(ctx, "gone", nil)
	require.NoError(t, err)
	require.NoError(t, emu2.Close())

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
		assert.False(t, bytes.Contains(data, []byte(canary)), "secret value in %s", path)
		return nil
	}))
	assert.Positive(t, files)
}

// tenantCredential is a client-secret credential for a principal of another
// tenant of the emulator's authority.
func tenantCredential(t testing.TB, emu *emulator.Emulator, tenant, clientID, secret string) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(tenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: clientOptions(emu), DisableInstanceDiscovery: true})
	require.NoError(t, err)
	return cred
}
