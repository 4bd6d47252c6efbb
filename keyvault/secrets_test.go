package keyvault

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func devSecretsSpec() VaultSpec {
	s := devSpec()
	s.AccessPolicies[0].Secrets = []string{"all"}
	s.AccessPolicies[0].Certificates = []string{"all"}
	return s
}

func newSecretsFixture(t *testing.T, dataDir string) *fixture {
	t.Helper()
	f := newFixture(t, dataDir)
	_, _, err := f.s.CreateOrUpdateVault(context.Background(), devSecretsSpec())
	require.NoError(t, err)
	return f
}

func TestSecretLifecycle(t *testing.T) {
	f := newSecretsFixture(t, "")
	ctx := context.Background()
	exp := f.clock.Now().Add(-time.Hour)
	b1, err := f.s.SetSecret(ctx, dev, DevVaultName, "db-pass", SetSecretParams{Value: "v1", ContentType: "text/plain",
		Tags: map[string]string{"a": "b"}, Attributes: AttributesUpdate{Expires: &exp}})
	require.NoError(t, err)
	assert.Equal(t, "v1", b1.Value)
	assert.Len(t, b1.Version, 32)
	assert.Equal(t, "Recoverable", b1.Attributes.RecoveryLevel)

	got, err := f.s.GetSecret(ctx, dev, DevVaultName, "DB-PASS", "")
	require.NoError(t, err, "exp is reported, not enforced")
	assert.Equal(t, "v1", got.Value)
	assert.Equal(t, exp, *got.Attributes.Expires)

	b2, err := f.s.SetSecret(ctx, dev, DevVaultName, "db-pass", SetSecretParams{Value: ""})
	require.NoError(t, err, "an empty value is a value")
	got, err = f.s.GetSecret(ctx, dev, DevVaultName, "db-pass", "")
	require.NoError(t, err)
	assert.Equal(t, b2.Version, got.Version)
	assert.Empty(t, got.Value)
	got, err = f.s.GetSecret(ctx, dev, DevVaultName, "db-pass", b1.Version)
	require.NoError(t, err)
	assert.Equal(t, "v1", got.Value)

	// update never changes the value; disabled answers 403 SecretDisabled
	off := false
	ct := "application/json"
	u, err := f.s.UpdateSecret(ctx, dev, DevVaultName, "db-pass", b1.Version, UpdateSecretParams{ContentType: &ct,
		Attributes: AttributesUpdate{Enabled: &off}})
	require.NoError(t, err)
	assert.False(t, u.Attributes.Enabled)
	assert.Equal(t, map[string]string{"a": "b"}, u.Tags, "tags unchanged when not given")
	_, err = f.s.GetSecret(ctx, dev, DevVaultName, "db-pass", b1.Version)
	requireKVError(t, err, 403, "Forbidden", "SecretDisabled")
	_, err = f.s.GetSecret(ctx, dev, DevVaultName, "db-pass", "0123")
	requireKVError(t, err, 404, "SecretNotFound", "")

	vers, err := f.s.ListSecretVersions(ctx, dev, DevVaultName, "db-pass", ListOptions{})
	require.NoError(t, err)
	assert.Len(t, vers.Items, 2)

	// delete → deleted name conflicts → recover → delete → purge refused (protection)
	d, err := f.s.DeleteSecret(ctx, dev, DevVaultName, "db-pass")
	require.NoError(t, err)
	assert.Equal(t, f.clock.Now().Add(90*24*time.Hour), d.ScheduledPurgeDate)
	_, err = f.s.GetSecret(ctx, dev, DevVaultName, "db-pass", "")
	requireKVError(t, err, 404, "SecretNotFound", "")
	_, err = f.s.SetSecret(ctx, dev, DevVaultName, "db-pass", SetSecretParams{Value: "x"})
	requireKVError(t, err, 409, "Conflict", "ObjectIsDeletedButRecoverable")
	ds, err := f.s.ListDeletedSecrets(ctx, dev, DevVaultName, ListOptions{})
	require.NoError(t, err)
	require.Len(t, ds.Items, 1)
	_, err = f.s.RecoverDeletedSecret(ctx, dev, DevVaultName, "db-pass")
	require.NoError(t, err)
	_, err = f.s.DeleteSecret(ctx, dev, DevVaultName, "db-pass")
	require.NoError(t, err)
	err = f.s.PurgeDeletedSecret(ctx, dev, DevVaultName, "db-pass")
	requireKVError(t, err, 403, "Forbidden", "ForbiddenByPolicy")

	// the clock purges it
	f.clock.Advance(90*24*time.Hour - time.Second)
	require.NoError(t, f.s.Tick(ctx))
	_, err = f.s.GetDeletedSecret(ctx, dev, DevVaultName, "db-pass")
	require.NoError(t, err)
	f.clock.Advance(time.Second)
	require.NoError(t, f.s.Tick(ctx))
	_, err = f.s.GetDeletedSecret(ctx, dev, DevVaultName, "db-pass")
	requireKVError(t, err, 404, "SecretNotFound", "")
	_, err = f.s.SetSecret(ctx, dev, DevVaultName, "db-pass", SetSecretParams{Value: "reborn"})
	require.NoError(t, err)
}

func TestSecretValidation(t *testing.T) {
	f := newSecretsFixture(t, "")
	ctx := context.Background()
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	on := true
	tooMany := map[string]string{}
	for i := range 16 {
		tooMany[strings.Repeat("t", i+1)] = "v"
	}
	for name, tc := range map[string]struct {
		name string
		p    SetSecretParams
	}{
		"bad name":      {"bad_name", SetSecretParams{}},
		"long name":     {strings.Repeat("a", 128), SetSecretParams{}},
		"too large":     {"big", SetSecretParams{Value: strings.Repeat("x", MaxSecretValueBytes+1)}},
		"year 10000":    {"far", SetSecretParams{Attributes: AttributesUpdate{Expires: &far}}},
		"exportable":    {"exp", SetSecretParams{Attributes: AttributesUpdate{Exportable: &on}}},
		"too many tags": {"tags", SetSecretParams{Tags: tooMany}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.s.SetSecret(ctx, dev, DevVaultName, tc.name, tc.p)
			requireKVError(t, err, 400, "BadParameter", "")
		})
	}
	_, err := f.s.SetSecret(ctx, dev, DevVaultName, "max", SetSecretParams{Value: strings.Repeat("x", MaxSecretValueBytes)})
	require.NoError(t, err)
	_, err = f.s.UpdateSecret(ctx, dev, DevVaultName, "max", "", UpdateSecretParams{Attributes: AttributesUpdate{NotBefore: &far}})
	requireKVError(t, err, 400, "BadParameter", "")
}

// TestAttrTimesOutOfRange: nbf/exp at or past year 10000 answer 400 for keys
// too (they used to fail as a 500 when the record was written).
func TestAttrTimesOutOfRange(t *testing.T) {
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	far := time.Unix(253402300800, 0).UTC() // 10000-01-01
	_, err := f.s.CreateKey(ctx, dev, DevVaultName, "k", CreateKeyParams{Kty: KtyEC, Attributes: AttributesUpdate{Expires: &far}})
	requireKVError(t, err, 400, "BadParameter", "")
	f.rsaKey(t, "k", CreateKeyParams{})
	_, err = f.s.UpdateKey(ctx, dev, KeyRef{Vault: DevVaultName, Name: "k"}, UpdateKeyParams{Attributes: AttributesUpdate{NotBefore: &far}})
	requireKVError(t, err, 400, "BadParameter", "")
	last := time.Unix(253402300799, 0).UTC()
	_, err = f.s.UpdateKey(ctx, dev, KeyRef{Vault: DevVaultName, Name: "k"}, UpdateKeyParams{Attributes: AttributesUpdate{Expires: &last}})
	require.NoError(t, err, "9999-12-31T23:59:59Z is the last date")
}

func TestSecretAccessPoliciesAndRBAC(t *testing.T) {
	f := newSecretsFixture(t, "")
	ctx := context.Background()
	_, err := f.s.SetSecret(ctx, dev, DevVaultName, "s", SetSecretParams{Value: "v"})
	require.NoError(t, err)
	_, err = f.s.GetSecret(ctx, stranger, DevVaultName, "s", "")
	requireKVError(t, err, 403, "Forbidden", "AccessDenied")
	assert.Contains(t, err.Error(), "does not have secrets get permission")

	// keys permissions do not grant secrets
	_, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyAdd, []AccessPolicy{{TenantID: DevTenantID, ObjectID: stranger.ObjectID, Keys: []string{"all"}}})
	require.NoError(t, err)
	_, err = f.s.GetSecret(ctx, stranger, DevVaultName, "s", "")
	requireKVError(t, err, 403, "Forbidden", "AccessDenied")
	_, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyAdd, []AccessPolicy{{TenantID: DevTenantID, ObjectID: stranger.ObjectID, Secrets: []string{"Get"}}})
	require.NoError(t, err)
	got, err := f.s.GetSecret(ctx, stranger, DevVaultName, "s", "")
	require.NoError(t, err)
	assert.Equal(t, "v", got.Value)
	_, err = f.s.SetSecret(ctx, stranger, DevVaultName, "s", SetSecretParams{Value: "w"})
	requireKVError(t, err, 403, "Forbidden", "AccessDenied")
	_, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyRemove, []AccessPolicy{{TenantID: DevTenantID, ObjectID: stranger.ObjectID, Secrets: []string{"get"}}})
	require.NoError(t, err)
	_, err = f.s.GetSecret(ctx, stranger, DevVaultName, "s", "")
	requireKVError(t, err, 403, "Forbidden", "AccessDenied")
	vault, err := f.s.GetVault(ctx, DevVaultName)
	require.NoError(t, err)
	require.Len(t, vault.AccessPolicies, 2, "the keys permissions stay")
	_, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyAdd, []AccessPolicy{{TenantID: DevTenantID, ObjectID: stranger.ObjectID, Secrets: []string{"sign"}}})
	requireKVError(t, err, 400, "BadParameter", "")

	// RBAC: Secrets User reads values, not writes; Reader reads metadata only
	spec := devSecretsSpec()
	spec.EnableRBACAuthorization = true
	_, _, err = f.s.CreateOrUpdateVault(ctx, spec)
	require.NoError(t, err)
	_, err = f.s.GetSecret(ctx, dev, DevVaultName, "s", "")
	requireKVError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	_, err = f.s.AssignRole(ctx, DevVaultName, RoleAssignment{PrincipalID: stranger.ObjectID, RoleDefinition: RoleKeyVaultReader})
	require.NoError(t, err)
	_, err = f.s.ListSecrets(ctx, stranger, DevVaultName, ListOptions{})
	require.NoError(t, err)
	_, err = f.s.GetSecret(ctx, stranger, DevVaultName, "s", "")
	requireKVError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	assert.Contains(t, err.Error(), "Microsoft.KeyVault/vaults/secrets/getSecret/action")
	_, err = f.s.AssignRole(ctx, DevVaultName, RoleAssignment{PrincipalID: stranger.ObjectID, RoleDefinition: "4633458b-17de-408a-b874-0445c86b69e6", Scope: "secrets/s"})
	require.NoError(t, err)
	_, err = f.s.GetSecret(ctx, stranger, DevVaultName, "s", "")
	require.NoError(t, err, "Secrets User scoped to the secret")
	_, err = f.s.SetSecret(ctx, stranger, DevVaultName, "other", SetSecretParams{Value: "v"})
	requireKVError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	_, err = f.s.AssignRole(ctx, DevVaultName, RoleAssignment{PrincipalID: stranger.ObjectID, RoleDefinition: RoleKeyVaultSecretsOfficer})
	require.NoError(t, err)
	_, err = f.s.SetSecret(ctx, stranger, DevVaultName, "other", SetSecretParams{Value: "v"})
	require.NoError(t, err)
	_, err = f.s.CreateKey(ctx, stranger, DevVaultName, "k", CreateKeyParams{Kty: KtyEC})
	requireKVError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	_, err = f.s.AssignRole(ctx, DevVaultName, RoleAssignment{PrincipalID: stranger.ObjectID, RoleDefinition: RoleKeyVaultReader, Scope: "blobs/x"})
	requireKVError(t, err, 400, "BadParameter", "")
}

func TestSecretBackupRestoreAndPersistence(t *testing.T) {
	dir := t.TempDir()
	f := newSecretsFixture(t, dir)
	ctx := context.Background()
	const canary = "azemu-secret-canary-5d1e"
	b1, err := f.s.SetSecret(ctx, dev, DevVaultName, "s", SetSecretParams{Value: canary + "-1"})
	require.NoError(t, err)
	_, err = f.s.SetSecret(ctx, dev, DevVaultName, "s", SetSecretParams{Value: canary + "-2"})
	require.NoError(t, err)
	blob, err := f.s.BackupSecret(ctx, dev, DevVaultName, "s")
	require.NoError(t, err)
	assert.NotContains(t, string(blob), canary)

	_, err = f.s.RestoreSecret(ctx, dev, DevVaultName, blob)
	requireKVError(t, err, 409, "Conflict", "")
	other := devSecretsSpec()
	other.Name = "other"
	_, _, err = f.s.CreateOrUpdateVault(ctx, other)
	require.NoError(t, err)
	r, err := f.s.RestoreSecret(ctx, dev, "other", blob)
	require.NoError(t, err)
	assert.Equal(t, "s", r.Name)
	got, err := f.s.GetSecret(ctx, dev, "other", "s", b1.Version)
	require.NoError(t, err)
	assert.Equal(t, canary+"-1", got.Value, "versions keep their ids")

	foreign := devSecretsSpec()
	foreign.Name, foreign.TenantID = "foreign", "99999999-9999-4999-8999-999999999999"
	foreign.AccessPolicies[0].TenantID = foreign.TenantID
	_, _, err = f.s.CreateOrUpdateVault(ctx, foreign)
	require.NoError(t, err)
	_, err = f.s.RestoreSecret(ctx, Caller{ObjectID: DevObjectID, TenantID: foreign.TenantID}, "foreign", blob)
	requireKVError(t, err, 400, "BadParameter", "")
	_, err = f.s.RestoreSecret(ctx, dev, "other", append(append([]byte(nil), blob[:len(blob)-1]...), blob[len(blob)-1]^1))
	requireKVError(t, err, 400, "BadParameter", "")

	_, err = f.s.SetSecret(ctx, dev, DevVaultName, "gone", SetSecretParams{Value: canary + "-gone"})
	require.NoError(t, err)
	_, err = f.s.DeleteSecret(ctx, dev, DevVaultName, "gone")
	require.NoError(t, err)
	require.NoError(t, f.s.Close())

	f2 := openFixture(t, dir, f.root, f.clock)
	got, err = f2.s.GetSecret(ctx, dev, DevVaultName, "s", "")
	require.NoError(t, err)
	assert.Equal(t, canary+"-2", got.Value)
	_, err = f2.s.GetDeletedSecret(ctx, dev, DevVaultName, "gone")
	require.NoError(t, err)
	require.NoError(t, f2.s.Close())
	walkFiles(t, dir, func(path string, data []byte) {
		assert.NotContains(t, string(data), canary, path)
	})
}

// TestReplacePolicyKeepsListsNotGiven: a replace that names only key
// permissions leaves the secret and certificate lists; an empty list clears.
func TestReplacePolicyKeepsListsNotGiven(t *testing.T) {
	f := newSecretsFixture(t, "")
	ctx := context.Background()
	v, err := f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyReplace, []AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: []string{"get"}}})
	require.NoError(t, err)
	require.Len(t, v.AccessPolicies, 1)
	assert.Equal(t, []string{"get"}, v.AccessPolicies[0].Keys)
	assert.Equal(t, []string{"all"}, v.AccessPolicies[0].Secrets)
	v, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyReplace, []AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: []string{"get"}, Secrets: []string{}}})
	require.NoError(t, err)
	assert.Empty(t, v.AccessPolicies[0].Secrets)
	assert.Equal(t, []string{"all"}, v.AccessPolicies[0].Certificates)
}
