package conformance

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/msi/armmsi"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// armEnv holds the management SDK clients of one emulator.
type armEnv struct {
	emu      *emulator.Emulator
	cred     azcore.TokenCredential
	groups   *armresources.ResourceGroupsClient
	accounts *armstorage.AccountsClient
	msi      *armmsi.UserAssignedIdentitiesClient
	vaults   *armkeyvault.VaultsClient
	roles    *armauthorization.RoleAssignmentsClient
}

func newARM(t testing.TB, emu *emulator.Emulator) *armEnv {
	t.Helper()
	cred := devCredential(t, emu)
	opts := &arm.ClientOptions{ClientOptions: clientOptions(emu)}
	sub := emulator.DevSubscription
	env := &armEnv{emu: emu, cred: cred}
	var err error
	env.groups, err = armresources.NewResourceGroupsClient(sub, cred, opts)
	require.NoError(t, err)
	env.accounts, err = armstorage.NewAccountsClient(sub, cred, opts)
	require.NoError(t, err)
	env.msi, err = armmsi.NewUserAssignedIdentitiesClient(sub, cred, opts)
	require.NoError(t, err)
	env.vaults, err = armkeyvault.NewVaultsClient(sub, cred, opts)
	require.NoError(t, err)
	env.roles, err = armauthorization.NewRoleAssignmentsClient(sub, cred, opts)
	require.NoError(t, err)
	return env
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// armCode returns the ARM error code and status of err.
func armCode(t testing.TB, err error) (int, string) {
	t.Helper()
	require.Error(t, err)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "not a ResponseError: %v", err)
	return re.StatusCode, re.ErrorCode
}

func (env *armEnv) createGroup(t testing.TB, name string) {
	t.Helper()
	_, err := env.groups.CreateOrUpdate(ctxT(t), name, armresources.ResourceGroup{Location: to.Ptr("local")}, nil)
	require.NoError(t, err)
}

// createIdentity creates a user-assigned identity and returns it.
func (env *armEnv) createIdentity(t testing.TB, group, name string) armmsi.Identity {
	t.Helper()
	res, err := env.msi.CreateOrUpdate(ctxT(t), group, name, armmsi.Identity{Location: to.Ptr("local")}, nil)
	require.NoError(t, err)
	require.NotNil(t, res.Properties)
	require.NotEmpty(t, *res.Properties.PrincipalID)
	return res.Identity
}

func keyPerms(perms ...armkeyvault.KeyPermissions) []*armkeyvault.KeyPermissions {
	out := make([]*armkeyvault.KeyPermissions, len(perms))
	for i := range perms {
		out[i] = &perms[i]
	}
	return out
}

func accessPolicy(objectID string, perms ...armkeyvault.KeyPermissions) *armkeyvault.AccessPolicyEntry {
	return &armkeyvault.AccessPolicyEntry{
		TenantID:    to.Ptr(emulator.DevTenantID),
		ObjectID:    to.Ptr(objectID),
		Permissions: &armkeyvault.Permissions{Keys: keyPerms(perms...)},
	}
}

// vaultOptions shape createVault's vault.
type vaultOptions struct {
	softDelete, purgeProtection, rbac bool
	retention                         int32
}

// createVault creates a vault through ARM; the development principal gets
// every key permission (or, on an RBAC vault, Key Vault Administrator).
func (env *armEnv) createVault(t testing.TB, group, name string, o vaultOptions) armkeyvault.Vault {
	t.Helper()
	ctx := ctxT(t)
	props := &armkeyvault.VaultProperties{
		TenantID:                to.Ptr(emulator.DevTenantID),
		SKU:                     &armkeyvault.SKU{Family: to.Ptr(armkeyvault.SKUFamilyA), Name: to.Ptr(armkeyvault.SKUNameStandard)},
		EnableSoftDelete:        to.Ptr(o.softDelete),
		EnableRbacAuthorization: to.Ptr(o.rbac),
		AccessPolicies:          []*armkeyvault.AccessPolicyEntry{accessPolicy(emulator.DevObjectID, armkeyvault.KeyPermissionsAll)},
	}
	if o.purgeProtection {
		props.EnablePurgeProtection = to.Ptr(true)
	}
	if o.retention != 0 {
		props.SoftDeleteRetentionInDays = to.Ptr(o.retention)
	}
	poller, err := env.vaults.BeginCreateOrUpdate(ctx, group, name, armkeyvault.VaultCreateOrUpdateParameters{
		Location: to.Ptr("local"), Properties: props}, nil)
	require.NoError(t, err)
	res, err := poller.PollUntilDone(ctx, nil)
	require.NoError(t, err)
	if o.rbac {
		env.assignRole(t, *res.ID, "00482a5a-887f-4fb3-b363-3b7fe8e74483", emulator.DevObjectID)
	}
	return res.Vault
}

// assignRole assigns a built-in role (by GUID) at scope and returns the
// assignment's name.
func (env *armEnv) assignRole(t testing.TB, scope, roleGUID, principal string) string {
	t.Helper()
	name := newGUID(t)
	_, err := env.roles.Create(ctxT(t), scope, name, armauthorization.RoleAssignmentCreateParameters{
		Properties: &armauthorization.RoleAssignmentProperties{
			RoleDefinitionID: to.Ptr("/subscriptions/" + emulator.DevSubscription + "/providers/Microsoft.Authorization/roleDefinitions/" + roleGUID),
			PrincipalID:      to.Ptr(principal),
			PrincipalType:    to.Ptr(armauthorization.PrincipalTypeServicePrincipal),
		}}, nil)
	require.NoError(t, err)
	return name
}

func newGUID(t testing.TB) string {
	t.Helper()
	var b [16]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// keysClient is an azkeys client for a vault URI from ARM.
func (env *armEnv) keysClient(t testing.TB, vaultURI string) *azkeys.Client {
	t.Helper()
	c, err := azkeys.NewClient(strings.TrimRight(vaultURI, "/"), env.cred, &azkeys.ClientOptions{ClientOptions: clientOptions(env.emu)})
	require.NoError(t, err)
	return c
}

// blobClient is an azblob client for an account, with its key1 from listKeys.
func (env *armEnv) blobClient(t testing.TB, group, account string) *azblob.Client {
	t.Helper()
	keys, err := env.accounts.ListKeys(ctxT(t), group, account, nil)
	require.NoError(t, err)
	require.NotEmpty(t, keys.Keys)
	cred, err := azblob.NewSharedKeyCredential(account, *keys.Keys[0].Value)
	require.NoError(t, err)
	c, err := azblob.NewClientWithSharedKeyCredential(env.emu.BlobURL()+"/"+account, cred, &azblob.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: env.emu.HTTPClient(), Retry: policy.RetryOptions{MaxRetries: -1}}})
	require.NoError(t, err)
	return c
}

func (env *armEnv) createAccount(t testing.TB, group, name string, params armstorage.AccountCreateParameters) (armstorage.Account, error) {
	t.Helper()
	ctx := ctxT(t)
	if params.Location == nil {
		params.Location = to.Ptr("local")
	}
	if params.Kind == nil {
		params.Kind = to.Ptr(armstorage.KindStorageV2)
	}
	if params.SKU == nil {
		params.SKU = &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)}
	}
	poller, err := env.accounts.BeginCreate(ctx, group, name, params, nil)
	if err != nil {
		return armstorage.Account{}, err
	}
	res, err := poller.PollUntilDone(ctx, nil)
	return res.Account, err
}

// rawARM sends a raw management request with the development principal's
// token (or none) and decodes the JSON answer.
func rawARM(t testing.TB, env *armEnv, method, path string, withToken bool) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), method, env.emu.VaultURL()+path, nil)
	require.NoError(t, err)
	if withToken {
		tok, err := env.cred.GetToken(ctxT(t), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
	}
	resp, err := httpClient(env.emu).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func errorCodeOf(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestManagementAuthAndErrors(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	sub := "/subscriptions/" + emulator.DevSubscription

	tests := []struct {
		name, method, path string
		token              bool
		status             int
		code               string
	}{
		{"no token", http.MethodGet, sub + "/resourcegroups?api-version=2021-04-01", false, 401, "AuthenticationFailed"},
		{"no api-version", http.MethodGet, sub + "/resourcegroups", true, 400, "MissingApiVersionParameter"},
		{"unknown subscription", http.MethodGet, "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups?api-version=2021-04-01", true, 404, "SubscriptionNotFound"},
		{"missing group", http.MethodGet, sub + "/resourceGroups/nogroup/providers/Microsoft.Storage/storageAccounts/x1234?api-version=2024-01-01", true, 404, "ResourceGroupNotFound"},
		{"missing account", http.MethodGet, sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/nosuchacct?api-version=2024-01-01", true, 404, "ResourceNotFound"},
		{"unknown provider", http.MethodGet, sub + "/providers/Microsoft.Compute/virtualMachines?api-version=2024-01-01", true, 400, "NoRegisteredProviderFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rawARM(t, env, tc.method, tc.path, tc.token)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.code, errorCodeOf(body))
		})
	}

	t.Run("invalid token", func(t *testing.T) {
		req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, emu.VaultURL()+sub+"/resourcegroups?api-version=2021-04-01", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer not.a.token")
		resp, err := httpClient(emu).Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		assert.Equal(t, 401, resp.StatusCode)
		assert.Equal(t, "InvalidAuthenticationToken", errorCodeOf(body))
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
	})

	t.Run("vault audience token refused", func(t *testing.T) {
		tok, err := env.cred.GetToken(ctxT(t), policy.TokenRequestOptions{Scopes: []string{strings.Replace(emu.VaultURL(), "://localhost", "://vault.localhost", 1) + "/.default"}})
		require.NoError(t, err)
		req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, emu.VaultURL()+sub+"/resourcegroups?api-version=2021-04-01", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := httpClient(emu).Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		assert.Equal(t, 401, resp.StatusCode)
		assert.Equal(t, "InvalidAuthenticationTokenAudience", errorCodeOf(body))
	})
}

func TestManagementResourceGroups(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := ctxT(t)

	def, err := env.groups.Get(ctx, emulator.DevResourceGroup, nil)
	require.NoError(t, err)
	assert.Equal(t, "local", *def.Location)

	res, err := env.groups.CreateOrUpdate(ctx, "rg1", armresources.ResourceGroup{Location: to.Ptr("local"), Tags: map[string]*string{"a": to.Ptr("b")}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "/subscriptions/"+emulator.DevSubscription+"/resourceGroups/rg1", *res.ID)
	assert.Equal(t, "Succeeded", *res.Properties.ProvisioningState)

	ex, err := env.groups.CheckExistence(ctx, "rg1", nil)
	require.NoError(t, err)
	assert.True(t, ex.Success)
	ex, err = env.groups.CheckExistence(ctx, "nope", nil)
	require.NoError(t, err)
	assert.False(t, ex.Success)

	var names []string
	pager := env.groups.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, g := range page.Value {
			names = append(names, *g.Name)
		}
	}
	assert.ElementsMatch(t, []string{"azemu", "rg1"}, names)

	// Deleting a group deletes what is in it.
	_, err = env.createAccount(t, "rg1", "rg1acct", armstorage.AccountCreateParameters{})
	require.NoError(t, err)
	poller, err := env.groups.BeginDelete(ctx, "rg1", nil)
	require.NoError(t, err)
	_, err = poller.PollUntilDone(ctx, nil)
	require.NoError(t, err)
	_, err = env.groups.Get(ctx, "rg1", nil)
	status, code := armCode(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "ResourceGroupNotFound", code)
	_, err = emu.Storage().Account(ctx, "rg1acct")
	assert.Error(t, err, "the group's account is deleted from storage")
}

func TestManagementStorageAccounts(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := ctxT(t)
	env.createGroup(t, "rg")

	acct, err := env.createAccount(t, "rg", "acct1", armstorage.AccountCreateParameters{Tags: map[string]*string{"env": to.Ptr("test")}})
	require.NoError(t, err)
	assert.Equal(t, "/subscriptions/"+emulator.DevSubscription+"/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct1", *acct.ID)
	assert.Equal(t, armstorage.ProvisioningStateSucceeded, *acct.Properties.ProvisioningState)
	assert.Equal(t, armstorage.KeySourceMicrosoftStorage, *acct.Properties.Encryption.KeySource)
	assert.Equal(t, emu.BlobURL()+"/acct1/", *acct.Properties.PrimaryEndpoints.Blob)

	// The account is served on Blob with the keys listKeys returns.
	blob := env.blobClient(t, "rg", "acct1")
	_, err = blob.CreateContainer(ctx, "cont", nil)
	require.NoError(t, err)
	_, err = blob.UploadBuffer(ctx, "cont", "b", []byte("hello"), nil)
	require.NoError(t, err)

	// Names are global; invalid names and missing groups are refused.
	_, err = env.createAccount(t, emulator.DevResourceGroup, "acct1", armstorage.AccountCreateParameters{})
	// One subscription: a name held by another group is in this
	// subscription, which ARM reports as StorageAccountInAnotherResourceGroup.
	_, code := armCode(t, err)
	assert.Equal(t, "StorageAccountInAnotherResourceGroup", code)
	assert.Contains(t, err.Error(), "The account acct1 is already in another resource group in this subscription.")
	_, err = env.createAccount(t, "rg", "Bad_Name", armstorage.AccountCreateParameters{})
	_, code = armCode(t, err)
	assert.Equal(t, "AccountNameInvalid", code)
	_, err = env.createAccount(t, "nogroup", "acct2", armstorage.AccountCreateParameters{})
	status, code := armCode(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "ResourceGroupNotFound", code)

	// PATCH updates tags.
	upd, err := env.accounts.Update(ctx, "rg", "acct1", armstorage.AccountUpdateParameters{Tags: map[string]*string{"env": to.Ptr("prod")}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "prod", *upd.Tags["env"])

	// Lists: by group and by subscription (devstoreaccount1 is in the default group).
	var inGroup, inSub []string
	for p := env.accounts.NewListByResourceGroupPager("rg", nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Value {
			inGroup = append(inGroup, *a.Name)
		}
	}
	for p := env.accounts.NewListPager(nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Value {
			inSub = append(inSub, *a.Name)
		}
	}
	assert.Equal(t, []string{"acct1"}, inGroup)
	assert.ElementsMatch(t, []string{"acct1", emulator.DevAccountName}, inSub)
	dev, err := env.accounts.GetProperties(ctx, emulator.DevResourceGroup, emulator.DevAccountName, nil)
	require.NoError(t, err)
	assert.Equal(t, emulator.DevAccountName, *dev.Name)

	// regenerateKey: the old key stops working, the new one works.
	before, err := env.accounts.ListKeys(ctx, "rg", "acct1", nil)
	require.NoError(t, err)
	require.Len(t, before.Keys, 2)
	after, err := env.accounts.RegenerateKey(ctx, "rg", "acct1", armstorage.AccountRegenerateKeyParameters{KeyName: to.Ptr("key1")}, nil)
	require.NoError(t, err)
	assert.NotEqual(t, *before.Keys[0].Value, *after.Keys[0].Value)
	assert.Equal(t, *before.Keys[1].Value, *after.Keys[1].Value)
	_, err = blob.DownloadBuffer(ctx, "cont", "b", make([]byte, 5), nil)
	assert.Error(t, err, "the old key1 is refused")
	fresh := env.blobClient(t, "rg", "acct1")
	buf := make([]byte, 5)
	_, err = fresh.DownloadBuffer(ctx, "cont", "b", buf, nil)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(buf))

	// Name availability.
	avail, err := env.accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{
		Name: to.Ptr("acct1"), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
	require.NoError(t, err)
	assert.False(t, *avail.NameAvailable)
	assert.Equal(t, armstorage.ReasonAlreadyExists, *avail.Reason)
	avail, err = env.accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{
		Name: to.Ptr("freename1"), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
	require.NoError(t, err)
	assert.True(t, *avail.NameAvailable)

	// Identity: system-assigned gives a new principal per account.
	sys, err := env.accounts.Update(ctx, "rg", "acct1", armstorage.AccountUpdateParameters{
		Identity: &armstorage.Identity{Type: to.Ptr(armstorage.IdentityTypeSystemAssigned)}}, nil)
	require.NoError(t, err)
	require.NotNil(t, sys.Identity.PrincipalID)
	p, err := emu.Identity().LookupPrincipal(ctx, *sys.Identity.PrincipalID)
	require.NoError(t, err)
	assert.Equal(t, "ManagedIdentity", string(p.Kind))

	// Both kinds at once; the system-assigned principal stays the same.
	uai := env.createIdentity(t, "rg", "acct1-id")
	both, err := env.accounts.Update(ctx, "rg", "acct1", armstorage.AccountUpdateParameters{Identity: &armstorage.Identity{
		Type:                   to.Ptr(armstorage.IdentityTypeSystemAssignedUserAssigned),
		UserAssignedIdentities: map[string]*armstorage.UserAssignedIdentity{*uai.ID: {}}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, *sys.Identity.PrincipalID, *both.Identity.PrincipalID)
	assert.Equal(t, *uai.Properties.PrincipalID, *both.Identity.UserAssignedIdentities[*uai.ID].PrincipalID)
	assert.Equal(t, *uai.Properties.ClientID, *both.Identity.UserAssignedIdentities[*uai.ID].ClientID)

	// Delete.
	_, err = env.accounts.Delete(ctx, "rg", "acct1", nil)
	require.NoError(t, err)
	_, err = env.accounts.GetProperties(ctx, "rg", "acct1", nil)
	status, code = armCode(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "ResourceNotFound", code)
	_, err = emu.Identity().LookupPrincipal(ctx, *sys.Identity.PrincipalID)
	assert.Error(t, err, "the system-assigned identity goes with the account")
}

func TestManagementUserAssignedIdentities(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := ctxT(t)
	env.createGroup(t, "rg")
	id := env.createIdentity(t, "rg", "id1")
	assert.Equal(t, "/subscriptions/"+emulator.DevSubscription+"/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1", *id.ID)
	assert.Equal(t, emulator.DevTenantID, *id.Properties.TenantID)
	got, err := env.msi.Get(ctx, "rg", "id1", nil)
	require.NoError(t, err)
	assert.Equal(t, *id.Properties.PrincipalID, *got.Properties.PrincipalID)
	p, err := emu.Identity().LookupPrincipal(ctx, *id.Properties.PrincipalID)
	require.NoError(t, err)
	assert.Equal(t, *id.Properties.ClientID, p.ClientID)

	_, err = env.msi.Delete(ctx, "rg", "id1", nil)
	require.NoError(t, err)
	_, err = env.msi.Get(ctx, "rg", "id1", nil)
	status, code := armCode(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "ResourceNotFound", code)
	_, err = emu.Identity().LookupPrincipal(ctx, *id.Properties.PrincipalID)
	assert.Error(t, err)
}

func TestManagementVaults(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := ctxT(t)
	env.createGroup(t, "rg")

	v := env.createVault(t, "rg", "mgmtvault", vaultOptions{softDelete: true, purgeProtection: true, retention: 7})
	u := strings.Replace(emu.VaultURL(), "://localhost", "://mgmtvault.vault.localhost", 1) + "/"
	assert.Equal(t, u, *v.Properties.VaultURI)
	assert.True(t, *v.Properties.EnablePurgeProtection)
	assert.Equal(t, int32(7), *v.Properties.SoftDeleteRetentionInDays)

	// The vault serves keys at its vaultUri.
	keys := env.keysClient(t, *v.Properties.VaultURI)
	_, err := keys.CreateKey(ctx, "k", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)

	// Purge protection is irreversible; retention is 7..90.
	_, err = env.vaults.Update(ctx, "rg", "mgmtvault", armkeyvault.VaultPatchParameters{
		Properties: &armkeyvault.VaultPatchProperties{EnablePurgeProtection: to.Ptr(false)}}, nil)
	status, _ := armCode(t, err)
	assert.Equal(t, 400, status)
	_, err = env.vaults.BeginCreateOrUpdate(ctx, "rg", "badretention", armkeyvault.VaultCreateOrUpdateParameters{
		Location: to.Ptr("local"), Properties: &armkeyvault.VaultProperties{
			TenantID: to.Ptr(emulator.DevTenantID), SoftDeleteRetentionInDays: to.Ptr(int32(5)),
			SKU: &armkeyvault.SKU{Family: to.Ptr(armkeyvault.SKUFamilyA), Name: to.Ptr(armkeyvault.SKUNameStandard)}}}, nil)
	status, _ = armCode(t, err)
	assert.Equal(t, 400, status)

	// Access policies: add, then remove.
	_, err = env.vaults.UpdateAccessPolicy(ctx, "rg", "mgmtvault", armkeyvault.AccessPolicyUpdateKindAdd, armkeyvault.VaultAccessPolicyParameters{
		Properties: &armkeyvault.VaultAccessPolicyProperties{AccessPolicies: []*armkeyvault.AccessPolicyEntry{
			accessPolicy("11111111-1111-4111-8111-111111111111", armkeyvault.KeyPermissionsGet)}}}, nil)
	require.NoError(t, err)
	got, err := env.vaults.Get(ctx, "rg", "mgmtvault", nil)
	require.NoError(t, err)
	assert.Len(t, got.Properties.AccessPolicies, 2)

	// Lists: by group, by subscription (generic resource list).
	var byGroup, bySub []string
	for p := env.vaults.NewListByResourceGroupPager("rg", nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, v := range page.Value {
			byGroup = append(byGroup, *v.Name)
		}
	}
	for p := env.vaults.NewListPager(nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, v := range page.Value {
			bySub = append(bySub, *v.Name)
		}
	}
	assert.Equal(t, []string{"mgmtvault"}, byGroup)
	assert.ElementsMatch(t, []string{"mgmtvault", emulator.DevVaultName}, bySub)

	// Delete is soft; the name stays taken; purge is refused under purge
	// protection; recover brings the vault back with its keys.
	_, err = env.vaults.Delete(ctx, "rg", "mgmtvault", nil)
	require.NoError(t, err)
	_, err = env.vaults.Get(ctx, "rg", "mgmtvault", nil)
	status, code := armCode(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "ResourceNotFound", code)
	dv, err := env.vaults.GetDeleted(ctx, "mgmtvault", "local", nil)
	require.NoError(t, err)
	assert.True(t, *dv.Properties.PurgeProtectionEnabled)
	assert.Equal(t, *v.ID, *dv.Properties.VaultID)
	var deleted []string
	for p := env.vaults.NewListDeletedPager(nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, d := range page.Value {
			deleted = append(deleted, *d.Name)
		}
	}
	assert.Equal(t, []string{"mgmtvault"}, deleted)
	_, err = env.vaults.BeginCreateOrUpdate(ctx, "rg", "mgmtvault", armkeyvault.VaultCreateOrUpdateParameters{
		Location: to.Ptr("local"), Properties: &armkeyvault.VaultProperties{TenantID: to.Ptr(emulator.DevTenantID),
			SKU: &armkeyvault.SKU{Family: to.Ptr(armkeyvault.SKUFamilyA), Name: to.Ptr(armkeyvault.SKUNameStandard)}}}, nil)
	_, code = armCode(t, err)
	assert.Equal(t, "VaultAlreadyExists", code)
	_, err = env.vaults.BeginPurgeDeleted(ctx, "mgmtvault", "local", nil)
	_, code = armCode(t, err)
	assert.Equal(t, "MethodNotAllowed", code)
	poller, err := env.vaults.BeginCreateOrUpdate(ctx, "rg", "mgmtvault", armkeyvault.VaultCreateOrUpdateParameters{
		Location: to.Ptr("local"), Properties: &armkeyvault.VaultProperties{CreateMode: to.Ptr(armkeyvault.CreateModeRecover),
			TenantID: to.Ptr(emulator.DevTenantID), SKU: &armkeyvault.SKU{Family: to.Ptr(armkeyvault.SKUFamilyA), Name: to.Ptr(armkeyvault.SKUNameStandard)}}}, nil)
	require.NoError(t, err)
	_, err = poller.PollUntilDone(ctx, nil)
	require.NoError(t, err)
	_, err = keys.GetKey(ctx, "k", "", nil)
	require.NoError(t, err, "keys come back with the vault")

	// Without purge protection a deleted vault can be purged.
	env.createVault(t, "rg", "plainvault", vaultOptions{softDelete: true})
	_, err = env.vaults.Delete(ctx, "rg", "plainvault", nil)
	require.NoError(t, err)
	pp, err := env.vaults.BeginPurgeDeleted(ctx, "plainvault", "local", nil)
	require.NoError(t, err)
	_, err = pp.PollUntilDone(ctx, nil)
	require.NoError(t, err)
	_, err = env.vaults.GetDeleted(ctx, "plainvault", "local", nil)
	status, _ = armCode(t, err)
	assert.Equal(t, 404, status)
}

func TestManagementRoleAssignments(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := ctxT(t)
	env.createGroup(t, "rg")
	v := env.createVault(t, "rg", "rbacvault", vaultOptions{softDelete: true, purgeProtection: true, rbac: true})
	keys := env.keysClient(t, *v.Properties.VaultURI)
	_, err := keys.CreateKey(ctx, "k", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err, "the development principal holds Key Vault Administrator")

	var got []string
	for p := env.roles.NewListForScopePager(*v.ID, nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, ra := range page.Value {
			got = append(got, *ra.Properties.PrincipalID)
			assert.True(t, strings.HasSuffix(*ra.Properties.RoleDefinitionID, "00482a5a-887f-4fb3-b363-3b7fe8e74483"))
		}
	}
	assert.Equal(t, []string{emulator.DevObjectID}, got)

	_, err = env.roles.Create(ctx, *v.ID, newGUID(t), armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
		RoleDefinitionID: to.Ptr("/subscriptions/" + emulator.DevSubscription + "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
		PrincipalID:      to.Ptr(emulator.DevObjectID)}}, nil)
	_, code := armCode(t, err)
	assert.Equal(t, "RoleDefinitionDoesNotExist", code)

	// Removing the role takes the key away at once.
	for p := env.roles.NewListForScopePager(*v.ID, nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, ra := range page.Value {
			_, err := env.roles.Delete(ctx, *v.ID, *ra.Name, nil)
			require.NoError(t, err)
		}
	}
	_, err = keys.GetKey(ctx, "k", "", nil)
	status, _ := armCode(t, err)
	assert.Equal(t, 403, status)
}

// TestManagementPersistence: groups, identities, accounts with CMK and their
// keys survive a restart on the same data folder, and the key still guards
// the data.
func TestManagementPersistence(t *testing.T) {
	dir := t.TempDir()
	emu := startAzemu(t, withDataDir(dir))
	env := newARM(t, emu)
	f := setupCMK(t, env, "persist", cmkOptions{})
	ctx := ctxT(t)
	before, err := env.accounts.ListKeys(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	require.NoError(t, emu.Close())

	emu2 := startAzemu(t, withDataDir(dir))
	env2 := newARM(t, emu2)
	f.env = env2
	acct, err := env2.accounts.GetProperties(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	assert.Equal(t, armstorage.KeySourceMicrosoftKeyvault, *acct.Properties.Encryption.KeySource)
	kvp := acct.Properties.Encryption.KeyVaultProperties
	assert.Equal(t, string(*f.first), *kvp.CurrentVersionedKeyIdentifier)
	assert.Equal(t, "cmk", *kvp.KeyName)
	assert.Equal(t, *f.vault.Properties.VaultURI, *kvp.KeyVaultURI)
	require.NotNil(t, kvp.LastKeyRotationTimestamp)
	require.NotNil(t, kvp.CurrentVersionedKeyExpirationTimestamp)
	assert.True(t, time.Unix(0, 0).Equal(*kvp.CurrentVersionedKeyExpirationTimestamp), "a key without expiry shows the epoch, as Azure does")
	assert.Equal(t, *f.ident.ID, *acct.Properties.Encryption.EncryptionIdentity.EncryptionUserAssignedIdentity)
	assert.Equal(t, *f.ident.Properties.PrincipalID, *acct.Identity.UserAssignedIdentities[*f.ident.ID].PrincipalID)
	after, err := env2.accounts.ListKeys(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	assert.Equal(t, *before.Keys[0].Value, *after.Keys[0].Value)
	_, err = env2.msi.Get(ctx, f.group, *f.ident.Name, nil)
	require.NoError(t, err)

	f.blob = env2.blobClient(t, f.group, f.account)
	f.keys = env2.keysClient(t, strings.Replace(*f.vault.Properties.VaultURI, strings.TrimPrefix(emu.VaultURL(), "https://localhost"),
		strings.TrimPrefix(emu2.VaultURL(), "https://localhost"), 1))
	f.requireReadable(t)
	f.setEnabled(t, "", false)
	_, err = f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")
	f.setEnabled(t, "", true)
	f.requireReadable(t)
}

// TestManagementFidelity drives what the management SDKs decode and what
// tools rely on: canonical locations, paging with $top and nextLink,
// existence checks, provider registration, name availability, ARM's error
// codes and messages, and the read-only properties of accounts and vaults.
func TestManagementFidelity(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := ctxT(t)
	opts := &arm.ClientOptions{ClientOptions: clientOptions(emu)}
	generic, err := armresources.NewClient(emulator.DevSubscription, env.cred, opts)
	require.NoError(t, err)
	providers, err := armresources.NewProvidersClient(emulator.DevSubscription, env.cred, opts)
	require.NoError(t, err)

	t.Run("locations are canonical", func(t *testing.T) {
		g, err := env.groups.CreateOrUpdate(ctx, "fid", armresources.ResourceGroup{Location: to.Ptr("East US")}, nil)
		require.NoError(t, err)
		assert.Equal(t, "eastus", *g.Location)
		id, err := env.msi.CreateOrUpdate(ctx, "fid", "fid-id", armmsi.Identity{Location: to.Ptr("West Europe")}, nil)
		require.NoError(t, err)
		assert.Equal(t, "westeurope", *id.Location)
		_, err = env.msi.CreateOrUpdate(ctx, "fid", "fid-id", armmsi.Identity{Location: to.Ptr("eastus")}, nil)
		status, code := armCode(t, err)
		assert.Equal(t, 409, status)
		assert.Equal(t, "InvalidResourceLocation", code)
		assert.Contains(t, err.Error(), "The resource 'fid-id' already exists in location 'westeurope' in resource group 'fid'.")

		assert.Equal(t, armmsi.IsolationScopeNone, *id.Properties.IsolationScope)
		reg, err := env.msi.CreateOrUpdate(ctx, "fid", "fid-regional", armmsi.Identity{Location: to.Ptr("local"),
			Properties: &armmsi.UserAssignedIdentityProperties{IsolationScope: to.Ptr(armmsi.IsolationScopeRegional)}}, nil)
		require.NoError(t, err)
		assert.Equal(t, armmsi.IsolationScopeRegional, *reg.Properties.IsolationScope)
		got, err := env.msi.Get(ctx, "fid", "fid-regional", nil)
		require.NoError(t, err)
		assert.Equal(t, armmsi.IsolationScopeRegional, *got.Properties.IsolationScope)
	})

	t.Run("storage account properties", func(t *testing.T) {
		acct, err := env.createAccount(t, "fid", "fidacct", armstorage.AccountCreateParameters{Location: to.Ptr("East US 2")})
		require.NoError(t, err)
		assert.Equal(t, "eastus2", *acct.Location)
		assert.Equal(t, "Microsoft.Storage/storageAccounts", *acct.Type)
		assert.Equal(t, armstorage.SKUTierStandard, *acct.SKU.Tier)
		assert.Nil(t, acct.Identity, "an account created without an identity has no identity block")
		p := acct.Properties
		assert.Equal(t, emu.BlobURL()+"/fidacct/", *p.PrimaryEndpoints.Blob)
		assert.Equal(t, emu.FileURL()+"/fidacct/", *p.PrimaryEndpoints.File)
		assert.Equal(t, emu.QueueURL()+"/fidacct/", *p.PrimaryEndpoints.Queue)
		assert.Nil(t, p.Encryption.Services.Queue, "queue keyType Service (the default) is not listed")
		require.NotNil(t, p.CreationTime)
		assert.Equal(t, armstorage.AccessTierHot, *p.AccessTier)
		for _, svc := range []*armstorage.EncryptionService{p.Encryption.Services.Blob, p.Encryption.Services.File} {
			require.NotNil(t, svc)
			assert.True(t, *svc.Enabled)
			assert.Equal(t, armstorage.KeyTypeAccount, *svc.KeyType)
			require.NotNil(t, svc.LastEnabledTime)
		}
		require.NotNil(t, p.KeyCreationTime.Key1)
		keys, err := env.accounts.ListKeys(ctx, "fid", "fidacct", nil)
		require.NoError(t, err)
		require.Len(t, keys.Keys, 2)
		for i, k := range keys.Keys {
			assert.Equal(t, []string{"key1", "key2"}[i], *k.KeyName)
			// Azure answers FULL in capitals (the spec's enum says Full).
			assert.True(t, strings.EqualFold(string(armstorage.KeyPermissionFull), string(*k.Permissions)))
			require.NotNil(t, k.CreationTime)
			assert.WithinDuration(t, *p.KeyCreationTime.Key1, *k.CreationTime, time.Second)
		}

		v1, err := env.createAccount(t, "fid", "fidv1", armstorage.AccountCreateParameters{Kind: to.Ptr(armstorage.KindStorage)})
		require.NoError(t, err)
		assert.Nil(t, v1.Properties.AccessTier, "general-purpose v1 accounts have no access tier")

		_, err = env.accounts.GetProperties(ctx, "fid", "nosuchacct", nil)
		status, code := armCode(t, err)
		assert.Equal(t, 404, status)
		assert.Equal(t, "ResourceNotFound", code)
		assert.Contains(t, err.Error(), "The Resource 'Microsoft.Storage/storageAccounts/nosuchacct' under resource group 'fid' was not found.")
		_, err = env.createAccount(t, "fid", "Bad_Name", armstorage.AccountCreateParameters{})
		_, code = armCode(t, err)
		assert.Equal(t, "AccountNameInvalid", code)
		assert.Contains(t, err.Error(), "Bad_Name is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.")
		_, err = env.createAccount(t, "nogroup", "Bad_Name", armstorage.AccountCreateParameters{})
		_, code = armCode(t, err)
		assert.Equal(t, "ResourceGroupNotFound", code, "ARM checks the group before the provider checks the name")

		avail, err := env.accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{
			Name: to.Ptr("No"), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
		require.NoError(t, err)
		assert.False(t, *avail.NameAvailable)
		assert.Equal(t, armstorage.ReasonAccountNameInvalid, *avail.Reason)
		assert.NotEmpty(t, *avail.Message)

		// HEAD through the generic client.
		ex, err := generic.CheckExistenceByID(ctx, *acct.ID, "2024-01-01", nil)
		require.NoError(t, err)
		assert.True(t, ex.Success)
		ex, err = generic.CheckExistenceByID(ctx, strings.Replace(*acct.ID, "fidacct", "nosuchacct", 1), "2024-01-01", nil)
		require.NoError(t, err)
		assert.False(t, ex.Success)
	})

	t.Run("vault properties", func(t *testing.T) {
		plain := env.createVault(t, "fid", "fid-plain", vaultOptions{softDelete: true})
		p := plain.Properties
		assert.Equal(t, "Microsoft.KeyVault/vaults", *plain.Type)
		assert.Equal(t, "local", *plain.Location, "the vault's own location, not its group's")
		assert.Equal(t, emulator.DevTenantID, *p.TenantID)
		assert.Equal(t, armkeyvault.SKUFamilyA, *p.SKU.Family)
		assert.Equal(t, armkeyvault.SKUNameStandard, *p.SKU.Name)
		assert.True(t, *p.EnableSoftDelete)
		assert.Equal(t, int32(90), *p.SoftDeleteRetentionInDays)
		assert.Nil(t, p.EnablePurgeProtection, "Azure omits enablePurgeProtection until it is turned on")
		assert.False(t, *p.EnableRbacAuthorization)
		assert.Equal(t, armkeyvault.VaultProvisioningStateSucceeded, *p.ProvisioningState)
		require.Len(t, p.AccessPolicies, 1)
		assert.Equal(t, emulator.DevObjectID, *p.AccessPolicies[0].ObjectID)

		_, err := env.vaults.BeginCreateOrUpdate(ctx, "fid", "1-bad", armkeyvault.VaultCreateOrUpdateParameters{
			Location: to.Ptr("local"), Properties: &armkeyvault.VaultProperties{TenantID: to.Ptr(emulator.DevTenantID),
				SKU: &armkeyvault.SKU{Family: to.Ptr(armkeyvault.SKUFamilyA), Name: to.Ptr(armkeyvault.SKUNameStandard)}}}, nil)
		status, code := armCode(t, err)
		assert.Equal(t, 400, status)
		assert.Equal(t, "VaultNameNotValid", code)

		for _, tc := range []struct {
			name   string
			avail  bool
			reason armkeyvault.Reason
		}{
			{"fid-free", true, ""},
			{"fid-plain", false, armkeyvault.ReasonAlreadyExists},
			{"1-bad", false, armkeyvault.ReasonAccountNameInvalid},
		} {
			res, err := env.vaults.CheckNameAvailability(ctx, armkeyvault.VaultCheckNameAvailabilityParameters{
				Name: to.Ptr(tc.name), Type: to.Ptr("Microsoft.KeyVault/vaults")}, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.avail, *res.NameAvailable, tc.name)
			if !tc.avail {
				assert.Equal(t, tc.reason, *res.Reason, tc.name)
				assert.NotEmpty(t, *res.Message, tc.name)
			}
		}

		// Secret, certificate and storage permissions are kept and echoed
		// beside the key permissions the vault enforces.
		_, err = env.vaults.UpdateAccessPolicy(ctx, "fid", "fid-plain", armkeyvault.AccessPolicyUpdateKindAdd, armkeyvault.VaultAccessPolicyParameters{
			Properties: &armkeyvault.VaultAccessPolicyProperties{AccessPolicies: []*armkeyvault.AccessPolicyEntry{{
				TenantID: to.Ptr(emulator.DevTenantID), ObjectID: to.Ptr(emulator.DevObjectID),
				Permissions: &armkeyvault.Permissions{
					Secrets:      []*armkeyvault.SecretPermissions{to.Ptr(armkeyvault.SecretPermissionsGet), to.Ptr(armkeyvault.SecretPermissionsList)},
					Certificates: []*armkeyvault.CertificatePermissions{to.Ptr(armkeyvault.CertificatePermissionsGet)},
				}}}}}, nil)
		require.NoError(t, err)
		got, err := env.vaults.Get(ctx, "fid", "fid-plain", nil)
		require.NoError(t, err)
		require.Len(t, got.Properties.AccessPolicies, 1)
		perms := got.Properties.AccessPolicies[0].Permissions
		assert.Equal(t, []*armkeyvault.SecretPermissions{to.Ptr(armkeyvault.SecretPermissionsGet), to.Ptr(armkeyvault.SecretPermissionsList)}, perms.Secrets)
		assert.Equal(t, []*armkeyvault.CertificatePermissions{to.Ptr(armkeyvault.CertificatePermissionsGet)}, perms.Certificates)
		assert.Equal(t, []*armkeyvault.KeyPermissions{to.Ptr(armkeyvault.KeyPermissionsAll)}, perms.Keys)

		// A deleted vault keeps its name taken and reports when it goes.
		_, err = env.vaults.Delete(ctx, "fid", "fid-plain", nil)
		require.NoError(t, err)
		res, err := env.vaults.CheckNameAvailability(ctx, armkeyvault.VaultCheckNameAvailabilityParameters{
			Name: to.Ptr("fid-plain"), Type: to.Ptr("Microsoft.KeyVault/vaults")}, nil)
		require.NoError(t, err)
		assert.False(t, *res.NameAvailable)
		_, err = env.vaults.GetDeleted(ctx, "fid-plain", "westus", nil)
		status, code = armCode(t, err)
		assert.Equal(t, 404, status, "a deleted vault is found only at its own location")
		dv, err := env.vaults.GetDeleted(ctx, "fid-plain", "local", nil)
		require.NoError(t, err)
		assert.Equal(t, "Microsoft.KeyVault/deletedVaults", *dv.Type)
		assert.Equal(t, "local", *dv.Properties.Location)
		assert.False(t, *dv.Properties.PurgeProtectionEnabled)
		assert.Equal(t, 90*24*time.Hour, dv.Properties.ScheduledPurgeDate.Sub(*dv.Properties.DeletionDate))
	})

	t.Run("paging with top and nextLink", func(t *testing.T) {
		for _, n := range []string{"fid-a", "fid-b", "fid-c"} {
			env.createVault(t, "fid", n, vaultOptions{softDelete: true})
		}
		var names []string
		pages := 0
		for p := env.vaults.NewListByResourceGroupPager("fid", &armkeyvault.VaultsClientListByResourceGroupOptions{Top: to.Ptr(int32(2))}); p.More(); {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			pages++
			assert.LessOrEqual(t, len(page.Value), 2)
			for _, v := range page.Value {
				names = append(names, *v.Name)
			}
		}
		assert.Equal(t, []string{"fid-a", "fid-b", "fid-c"}, names)
		assert.Equal(t, 2, pages)

		names, pages = nil, 0
		for p := env.vaults.NewListPager(&armkeyvault.VaultsClientListOptions{Top: to.Ptr(int32(1))}); p.More(); {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			pages++
			for _, v := range page.Value {
				names = append(names, *v.Name)
			}
		}
		assert.ElementsMatch(t, []string{emulator.DevVaultName, "fid-a", "fid-b", "fid-c"}, names)
		assert.Equal(t, len(names), pages)

		var groups []string
		for p := env.groups.NewListPager(&armresources.ResourceGroupsClientListOptions{Top: to.Ptr(int32(1))}); p.More(); {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			require.Len(t, page.Value, 1)
			groups = append(groups, *page.Value[0].Name)
		}
		assert.Equal(t, []string{emulator.DevResourceGroup, "fid"}, groups)
	})

	t.Run("provider registration", func(t *testing.T) {
		for _, ns := range []string{"Microsoft.Storage", "Microsoft.KeyVault", "Microsoft.ManagedIdentity"} {
			p, err := providers.Get(ctx, ns, nil)
			require.NoError(t, err)
			assert.Equal(t, "Registered", *p.RegistrationState, ns)
			r, err := providers.Register(ctx, ns, nil)
			require.NoError(t, err)
			assert.Equal(t, "Registered", *r.RegistrationState, ns)
		}
		_, err := providers.Get(ctx, "Microsoft.Compute", nil)
		_, code := armCode(t, err)
		assert.Equal(t, "InvalidResourceNamespace", code)
	})

	t.Run("malformed api-version", func(t *testing.T) {
		status, body := rawARM(t, env, http.MethodGet, "/subscriptions/"+emulator.DevSubscription+"/resourcegroups?api-version=latest", true)
		assert.Equal(t, 400, status)
		assert.Equal(t, "InvalidApiVersionParameter", errorCodeOf(body))
	})
}
