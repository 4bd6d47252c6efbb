package armapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator/management"
	"github.com/azemu/azemu/internal/authn"
)

func errOf(body map[string]any) (code, msg string) {
	e, _ := body["error"].(map[string]any)
	code, _ = e["code"].(string)
	msg, _ = e["message"].(string)
	return code, msg
}

func TestAPIVersionChecked(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	tests := []struct {
		query  string
		status int
		code   string
	}{
		{"", 400, management.CodeMissingAPIVersion},
		{"?api-version=", 400, management.CodeMissingAPIVersion},
		{"?api-version=1", 400, management.CodeInvalidAPIVersion},
		{"?api-version=2024-1-01", 400, management.CodeInvalidAPIVersion},
		{"?api-version=latest", 400, management.CodeInvalidAPIVersion},
		{"?api-version=2021-04-01", 200, ""},
		{"?api-version=2021-04-01-preview", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			status, body := do(t, h, http.MethodGet, sub+"/resourcegroups"+tc.query, "")
			assert.Equal(t, tc.status, status)
			code, msg := errOf(body)
			assert.Equal(t, tc.code, code)
			if tc.code == management.CodeInvalidAPIVersion {
				v, _ := url.ParseQuery(strings.TrimPrefix(tc.query, "?"))
				assert.True(t, strings.HasPrefix(msg, "The api-version '"+v.Get("api-version")+"' is invalid. The supported versions are '"), msg)
			}
		})
	}
}

func TestListsPageWithTop(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	for _, g := range []string{"rg1", "rg2", "rg3"} {
		status, _ := do(t, h, http.MethodPut, sub+"/resourcegroups/"+g+"?api-version=2021-04-01", `{"location":"local"}`)
		require.Equal(t, http.StatusCreated, status)
	}
	var names []string
	next := sub + "/resourcegroups?api-version=2021-04-01&$top=3"
	pages := 0
	for next != "" {
		status, body := do(t, h, http.MethodGet, next, "")
		require.Equal(t, http.StatusOK, status, body)
		pages++
		for _, v := range body["value"].([]any) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		next = ""
		if nl, ok := body["nextLink"].(string); ok {
			u, err := url.Parse(nl)
			require.NoError(t, err)
			assert.True(t, u.IsAbs(), "nextLink is absolute: %s", nl)
			assert.Equal(t, "2021-04-01", u.Query().Get("api-version"), "nextLink keeps the api-version")
			next = u.RequestURI()
		}
	}
	assert.Equal(t, 2, pages)
	assert.Equal(t, []string{"azemu", "rg1", "rg2", "rg3"}, names)

	// Without $top everything comes in one page with no nextLink.
	status, body := do(t, h, http.MethodGet, sub+"/resourcegroups?api-version=2021-04-01", "")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, body["value"], 4)
	assert.NotContains(t, body, "nextLink")

	for _, q := range []string{"$top=0", "$top=x", "$skiptoken=-1", "$skiptoken=abc"} {
		status, body := do(t, h, http.MethodGet, sub+"/resourcegroups?api-version=2021-04-01&"+q, "")
		assert.Equal(t, http.StatusBadRequest, status, q)
		code, _ := errOf(body)
		assert.Equal(t, management.CodeInvalidQueryParameter, code, q)
	}
}

func TestLocationsAreCanonical(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	status, g := do(t, h, http.MethodPut, sub+"/resourcegroups/rg?api-version=2021-04-01", `{"location":"East US"}`)
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "eastus", g["location"])
	status, _ = do(t, h, http.MethodPut, sub+"/resourcegroups/rg?api-version=2021-04-01", `{"location":"eastus"}`)
	assert.Equal(t, http.StatusOK, status, "the same location, written differently, is the same")
	status, e := do(t, h, http.MethodPut, sub+"/resourcegroups/rg?api-version=2021-04-01", `{"location":"UK South"}`)
	assert.Equal(t, http.StatusConflict, status)
	code, msg := errOf(e)
	assert.Equal(t, "InvalidResourceGroupLocation", code)
	assert.Equal(t, "Invalid resource group location 'uksouth'. The Resource group already exists in location 'eastus'.", msg)

	acct := sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/locacct?api-version=2024-01-01"
	status, a := do(t, h, http.MethodPut, acct, `{"location":"West Europe","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)
	require.Equal(t, http.StatusOK, status, a)
	assert.Equal(t, "westeurope", a["location"])
	assert.Equal(t, "westeurope", a["properties"].(map[string]any)["primaryLocation"])
	status, e = do(t, h, http.MethodPut, acct, `{"location":"eastus","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)
	assert.Equal(t, http.StatusConflict, status)
	code, msg = errOf(e)
	assert.Equal(t, management.CodeInvalidResourceLocation, code)
	assert.Equal(t, "The resource 'locacct' already exists in location 'westeurope' in resource group 'rg'. A resource with the same name cannot be created in location 'eastus'. Please select a new resource name.", msg)

	id := sub + "/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=2023-01-31"
	status, u := do(t, h, http.MethodPut, id, `{"location":"North Europe"}`)
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "northeurope", u["location"])
	status, e = do(t, h, http.MethodPut, id, `{"location":"westus"}`)
	assert.Equal(t, http.StatusConflict, status)
	code, _ = errOf(e)
	assert.Equal(t, management.CodeInvalidResourceLocation, code)

	v := sub + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/locvault?api-version=2023-07-01"
	status, vb := do(t, h, http.MethodPut, v, `{"location":"West US 2","properties":{"tenantId":"`+management.DefaultTenant+`","sku":{"family":"A","name":"standard"}}}`)
	require.Equal(t, http.StatusOK, status, vb)
	assert.Equal(t, "westus2", vb["location"])
	status, e = do(t, h, http.MethodPut, v, `{"location":"eastus","properties":{"tenantId":"`+management.DefaultTenant+`","sku":{"family":"A","name":"standard"}}}`)
	assert.Equal(t, http.StatusConflict, status)
	code, _ = errOf(e)
	assert.Equal(t, management.CodeInvalidResourceLocation, code)
}

func TestStorageAccountErrors(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	put := func(group, name string) (int, map[string]any) {
		return do(t, h, http.MethodPut, sub+"/resourceGroups/"+group+"/providers/Microsoft.Storage/storageAccounts/"+name+"?api-version=2024-01-01",
			`{"location":"local","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)
	}
	status, _ := do(t, h, http.MethodPut, sub+"/resourcegroups/other?api-version=2021-04-01", `{"location":"local"}`)
	require.Equal(t, http.StatusCreated, status)
	status, _ = put("azemu", "taken1")
	require.Equal(t, http.StatusOK, status)

	tests := []struct {
		name, group, account string
		status               int
		code, msg            string
	}{
		{"missing group beats a bad name", "nogroup", "Bad_Name", 404, management.CodeResourceGroupNotFound, "Resource group 'nogroup' could not be found."},
		{"bad name", "azemu", "Bad_Name", 400, management.CodeAccountNameInvalid,
			"Bad_Name is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."},
		{"name of another group", "other", "taken1", 409, management.CodeStorageAccountInAnotherGroup, "The account taken1 is already in another resource group in this subscription."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := put(tc.group, tc.account)
			assert.Equal(t, tc.status, status)
			code, msg := errOf(body)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.msg, msg)
		})
	}
	status, body := do(t, h, http.MethodGet, sub+"/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/taken1?api-version=2024-01-01", "")
	assert.Equal(t, http.StatusNotFound, status)
	code, msg := errOf(body)
	assert.Equal(t, management.CodeResourceNotFound, code)
	assert.True(t, strings.HasPrefix(msg, "The Resource 'Microsoft.Storage/storageAccounts/taken1' under resource group 'other' was not found."), msg)
}

func TestStorageAccountBody(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	put := func(name, kind, skuName string) map[string]any {
		status, a := do(t, h, http.MethodPut, sub+"/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/"+name+"?api-version=2024-01-01",
			`{"location":"local","kind":"`+kind+`","sku":{"name":"`+skuName+`"}}`)
		require.Equal(t, http.StatusOK, status, a)
		return a
	}
	a := put("bodyv2", "StorageV2", "Standard_LRS")
	assert.Equal(t, sub+"/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/bodyv2", a["id"])
	assert.Equal(t, "Microsoft.Storage/storageAccounts", a["type"])
	assert.Equal(t, map[string]any{"name": "Standard_LRS", "tier": "Standard"}, a["sku"])
	p := a["properties"].(map[string]any)
	assert.Equal(t, "Succeeded", p["provisioningState"])
	assert.Equal(t, "Hot", p["accessTier"])
	assert.NotEmpty(t, p["creationTime"])
	// The test config has a blob URL and no file URL: only served
	// endpoints are listed, with the account in the path.
	assert.Equal(t, map[string]any{"blob": "http://127.0.0.1:10000/bodyv2/"}, p["primaryEndpoints"])
	enc := p["encryption"].(map[string]any)
	assert.Equal(t, "Microsoft.Storage", enc["keySource"])
	for _, svc := range []string{"blob", "file"} {
		s := enc["services"].(map[string]any)[svc].(map[string]any)
		assert.Equal(t, true, s["enabled"])
		assert.Equal(t, "Account", s["keyType"])
		assert.Equal(t, p["creationTime"], s["lastEnabledTime"])
	}
	kct := p["keyCreationTime"].(map[string]any)
	assert.NotEmpty(t, kct["key1"])
	assert.NotEmpty(t, kct["key2"])

	assert.NotContains(t, a, "identity", "an account never given an identity has no identity block")
	status, none := do(t, h, http.MethodPatch, sub+"/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/bodyv2?api-version=2024-01-01",
		`{"identity":{"type":"None"}}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"type": "None"}, none["identity"])

	v1 := put("bodyv1", "Storage", "Premium_LRS")
	assert.NotContains(t, v1["properties"], "accessTier", "a general-purpose v1 account has no access tier")
	assert.Equal(t, "Premium", v1["sku"].(map[string]any)["tier"])

	// listKeys: key1 and key2 with FULL permissions and their creation time.
	status, keys := do(t, h, http.MethodPost, sub+"/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/bodyv2/listKeys?api-version=2024-01-01", "")
	require.Equal(t, http.StatusOK, status)
	list := keys["keys"].([]any)
	require.Len(t, list, 2)
	for i, k := range list {
		m := k.(map[string]any)
		assert.Equal(t, []string{"key1", "key2"}[i], m["keyName"])
		assert.Equal(t, "FULL", m["permissions"])
		assert.NotEmpty(t, m["value"])
		assert.Equal(t, kct[m["keyName"].(string)], m["creationTime"])
	}
}

func TestHeadAnyResource(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	head := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodHead, path, nil)
		req.Header.Set("Authorization", "Bearer ok")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		path   string
		status int
	}{
		{sub + "/resourcegroups/azemu?api-version=2021-04-01", 204},
		{sub + "/resourcegroups/none?api-version=2021-04-01", 404},
		{sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/devstoreaccount1?api-version=2024-01-01", 204},
		{sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/nosuch?api-version=2024-01-01", 404},
		{sub + "/resourceGroups/none/providers/Microsoft.Storage/storageAccounts/devstoreaccount1?api-version=2024-01-01", 404},
		{sub + "/resourcegroups/azemu", 400},
	}
	for _, tc := range tests {
		rec := head(tc.path)
		assert.Equal(t, tc.status, rec.Code, tc.path)
		assert.Zero(t, rec.Body.Len(), tc.path)
	}
}

func TestProviderRegistration(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	status, body := do(t, h, http.MethodGet, sub+"/providers?api-version=2021-04-01", "")
	require.Equal(t, http.StatusOK, status)
	var names []string
	for _, p := range body["value"].([]any) {
		m := p.(map[string]any)
		names = append(names, m["namespace"].(string))
		assert.Equal(t, "Registered", m["registrationState"])
	}
	assert.Contains(t, names, "Microsoft.Storage")
	assert.Contains(t, names, "Microsoft.KeyVault")
	assert.Contains(t, names, "Microsoft.ManagedIdentity")
	status, p := do(t, h, http.MethodGet, sub+"/providers/microsoft.storage?api-version=2021-04-01", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "Microsoft.Storage", p["namespace"])
	assert.Equal(t, sub+"/providers/Microsoft.Storage", p["id"])
	status, p = do(t, h, http.MethodPost, sub+"/providers/Microsoft.KeyVault/register?api-version=2021-04-01", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "Registered", p["registrationState"])
	status, e := do(t, h, http.MethodGet, sub+"/providers/Microsoft.Nope?api-version=2021-04-01", "")
	assert.Equal(t, http.StatusNotFound, status)
	code, _ := errOf(e)
	assert.Equal(t, management.CodeInvalidResourceNamespace, code)
}

func TestNameAvailability(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	status, _ := do(t, h, http.MethodPut, sub+"/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/takenvault?api-version=2023-07-01",
		`{"location":"local","properties":{"tenantId":"`+management.DefaultTenant+`","sku":{"family":"A","name":"standard"}}}`)
	require.Equal(t, http.StatusOK, status)
	tests := []struct {
		ns, name string
		avail    bool
		reason   string
		msg      string
	}{
		{"Microsoft.Storage", "freeacct", true, "", ""},
		{"Microsoft.Storage", "devstoreaccount1", false, "AlreadyExists", "The storage account named devstoreaccount1 is already taken."},
		{"Microsoft.Storage", "No", false, "AccountNameInvalid", "No is not a valid storage account name."},
		{"Microsoft.KeyVault", "freevault", true, "", ""},
		{"Microsoft.KeyVault", "takenvault", false, "AlreadyExists", "The vault name 'takenvault' is already in use."},
		{"Microsoft.KeyVault", "1vault", false, "AccountNameInvalid", "The vault name '1vault' is invalid."},
	}
	for _, tc := range tests {
		t.Run(tc.ns+"/"+tc.name, func(t *testing.T) {
			typ := "Microsoft.Storage/storageAccounts"
			if tc.ns == "Microsoft.KeyVault" {
				typ = "Microsoft.KeyVault/vaults"
			}
			status, body := do(t, h, http.MethodPost, sub+"/providers/"+tc.ns+"/checkNameAvailability?api-version=2024-01-01",
				`{"name":"`+tc.name+`","type":"`+typ+`"}`)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, tc.avail, body["nameAvailable"])
			if tc.avail {
				assert.NotContains(t, body, "reason")
				return
			}
			assert.Equal(t, tc.reason, body["reason"])
			assert.True(t, strings.HasPrefix(body["message"].(string), tc.msg), body["message"])
		})
	}
	status, body := do(t, h, http.MethodPut, sub+"/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/1vault?api-version=2023-07-01",
		`{"location":"local","properties":{"tenantId":"`+management.DefaultTenant+`","sku":{"family":"A","name":"standard"}}}`)
	assert.Equal(t, http.StatusBadRequest, status)
	code, msg := errOf(body)
	assert.Equal(t, management.CodeVaultNameNotValid, code)
	assert.Contains(t, msg, "The vault name '1vault' is invalid.")
}

func TestAccessPoliciesKeepEveryPermissionList(t *testing.T) {
	s := newServices(t)
	dir := t.TempDir()
	h := open(t, s, dir).Handler()
	vault := sub + "/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/polvault"
	const a, b = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
	status, body := do(t, h, http.MethodPut, vault+"?api-version=2023-07-01", `{"location":"local","properties":{"tenantId":"`+management.DefaultTenant+`","sku":{"family":"A","name":"standard"},
		"accessPolicies":[{"tenantId":"`+management.DefaultTenant+`","objectId":"`+a+`","permissions":{"keys":["get","wrapKey"],"secrets":["get","list"],"certificates":["get"],"storage":["get"]}}]}}`)
	require.Equal(t, http.StatusOK, status, body)
	perms := func(body map[string]any) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, p := range body["properties"].(map[string]any)["accessPolicies"].([]any) {
			m := p.(map[string]any)
			out[m["objectId"].(string)] = m["permissions"].(map[string]any)
		}
		return out
	}
	got := perms(body)
	assert.Equal(t, map[string]any{"keys": []any{"get", "wrapKey"}, "secrets": []any{"get", "list"}, "certificates": []any{"get"}, "storage": []any{"get"}}, got[a])

	// add unions, remove subtracts, every list; an entry with only secret
	// permissions is kept.
	status, _ = do(t, h, http.MethodPut, vault+"/accessPolicies/add?api-version=2023-07-01",
		`{"properties":{"accessPolicies":[{"tenantId":"`+management.DefaultTenant+`","objectId":"`+a+`","permissions":{"secrets":["set"]}},{"tenantId":"`+management.DefaultTenant+`","objectId":"`+b+`","permissions":{"secrets":["get"]}}]}}`)
	require.Equal(t, http.StatusOK, status)
	status, _ = do(t, h, http.MethodPut, vault+"/accessPolicies/remove?api-version=2023-07-01",
		`{"properties":{"accessPolicies":[{"tenantId":"`+management.DefaultTenant+`","objectId":"`+a+`","permissions":{"secrets":["list"],"certificates":["get"]}}]}}`)
	require.Equal(t, http.StatusOK, status)

	// The lists survive a restart (state version 2).
	h = open(t, s, dir).Handler()
	status, body = do(t, h, http.MethodGet, vault+"?api-version=2023-07-01", "")
	require.Equal(t, http.StatusOK, status)
	got = perms(body)
	assert.Equal(t, map[string]any{"keys": []any{"get", "wrapKey"}, "secrets": []any{"get", "set"}, "certificates": []any{}, "storage": []any{"get"}}, got[a])
	assert.Equal(t, map[string]any{"keys": []any{}, "secrets": []any{"get"}, "certificates": []any{}, "storage": []any{}}, got[b])
	// The vault service is handed the secret and certificate lists, so they
	// authorise the secrets and certificates APIs (storage stays ARM's).
	kv, err := s.vault.GetVault(context.Background(), "polvault")
	require.NoError(t, err)
	vaultPerms := map[string][2][]string{}
	for _, p := range kv.AccessPolicies {
		vaultPerms[p.ObjectID] = [2][]string{p.Secrets, p.Certificates}
	}
	assert.ElementsMatch(t, []string{"get", "set"}, vaultPerms[a][0])
	assert.Empty(t, vaultPerms[a][1])
	assert.Equal(t, []string{"get"}, vaultPerms[b][0])

	// PATCH with accessPolicies replaces them all.
	status, body = do(t, h, http.MethodPatch, vault+"?api-version=2023-07-01",
		`{"properties":{"accessPolicies":[{"tenantId":"`+management.DefaultTenant+`","objectId":"`+b+`","permissions":{"keys":["get"]}}]}}`)
	require.Equal(t, http.StatusOK, status, body)
	got = perms(body)
	assert.Len(t, got, 1)
	assert.Equal(t, map[string]any{"keys": []any{"get"}, "secrets": []any{}, "certificates": []any{}, "storage": []any{}}, got[b])

	// remove naming no permission removes the whole entry.
	status, _ = do(t, h, http.MethodPut, vault+"/accessPolicies/add?api-version=2023-07-01",
		`{"properties":{"accessPolicies":[{"tenantId":"`+management.DefaultTenant+`","objectId":"`+a+`","permissions":{"keys":["get"],"secrets":["get"]}}]}}`)
	require.Equal(t, http.StatusOK, status)
	status, _ = do(t, h, http.MethodPut, vault+"/accessPolicies/remove?api-version=2023-07-01",
		`{"properties":{"accessPolicies":[{"tenantId":"`+management.DefaultTenant+`","objectId":"`+a+`","permissions":{}}]}}`)
	require.Equal(t, http.StatusOK, status)
	status, body = do(t, h, http.MethodGet, vault+"?api-version=2023-07-01", "")
	require.Equal(t, http.StatusOK, status)
	got = perms(body)
	assert.NotContains(t, got, a)
	assert.Contains(t, got, b)
}

// TestStateVersion1Reads: a state file written before access policies kept
// their secret/certificate/storage lists (version 1) still opens.
func TestStateVersion1Reads(t *testing.T) {
	s := newServices(t)
	dir := t.TempDir()
	v1 := `{"v":1,"groups":{"azemu":{"name":"azemu","location":"local"},"rg1":{"name":"rg1","location":"local","tags":{"a":"b"}}},
		"accounts":{},"identities":{},"vaults":{},"roles":{}}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "state.json"), []byte(v1), 0o600))
	h := open(t, s, dir).Handler()
	status, g := do(t, h, http.MethodGet, sub+"/resourcegroups/rg1?api-version=2021-04-01", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"a": "b"}, g["tags"])
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"v": 2`, "the file is rewritten at the current version")
}

func TestRoleAssignmentExists(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	vault := sub + "/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/rolevault"
	status, body := do(t, h, http.MethodPut, vault+"?api-version=2023-07-01",
		`{"location":"local","properties":{"tenantId":"`+management.DefaultTenant+`","sku":{"family":"A","name":"standard"},"enableRbacAuthorization":true}}`)
	require.Equal(t, http.StatusOK, status, body)
	assign := func(name, role string) (int, map[string]any) {
		return do(t, h, http.MethodPut, vault+"/providers/Microsoft.Authorization/roleAssignments/"+name+"?api-version=2022-04-01",
			`{"properties":{"roleDefinitionId":"`+management.RoleDefinitionID(role)+`","principalId":"33333333-3333-4333-8333-333333333333"}}`)
	}
	const first, second = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"
	const user, officer = "e147488a-f6f5-4113-8e2d-b22465e65bf6", "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
	status, _ = assign(first, user)
	require.Equal(t, http.StatusCreated, status)
	status, _ = assign(first, user)
	assert.Equal(t, http.StatusOK, status, "the same assignment again is idempotent")
	status, body = assign(second, user)
	assert.Equal(t, http.StatusConflict, status)
	code, msg := errOf(body)
	assert.Equal(t, management.CodeRoleAssignmentExists, code)
	assert.Equal(t, "The role assignment already exists.", msg)
	status, _ = assign(second, officer)
	assert.Equal(t, http.StatusCreated, status, "another role for the same principal is fine")
}

func TestResourceGroupNames(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	tests := []struct {
		name, msg string
	}{
		{"ok-name_(1).x", ""},
		{"grüße", ""},
		{"Create new group", "The provided resource group name 'Create new group' has these invalid characters: '  '. The name can only be a letter, digit, '-', '.', '(', ')' or '_'."},
		{"a*b", "The provided resource group name 'a*b' has these invalid characters: '*'."},
		{"trailing.", "The provided resource group name 'trailing.' ends with a period."},
		{strings.Repeat("g", 91), "is too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, h, http.MethodPut, sub+"/resourcegroups/"+url.PathEscape(tc.name)+"?api-version=2021-04-01", `{"location":"local"}`)
			if tc.msg == "" {
				assert.Equal(t, http.StatusCreated, status, body)
				return
			}
			assert.Equal(t, http.StatusBadRequest, status)
			code, msg := errOf(body)
			assert.Equal(t, management.CodeInvalidResourceGroup, code)
			assert.Contains(t, msg, tc.msg)
		})
	}
}

func TestGenericResourceListFilters(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	status, _ := do(t, h, http.MethodPut, sub+"/resourcegroups/rg?api-version=2021-04-01", `{"location":"local"}`)
	require.Equal(t, http.StatusCreated, status)
	status, _ = do(t, h, http.MethodPut, sub+"/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/filt1?api-version=2024-01-01",
		`{"location":"westus","kind":"StorageV2","sku":{"name":"Premium_LRS"}}`)
	require.Equal(t, http.StatusOK, status)
	status, _ = do(t, h, http.MethodPut, sub+"/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/filt-id?api-version=2023-01-31", `{"location":"local"}`)
	require.Equal(t, http.StatusCreated, status)
	list := func(filter string) []string {
		status, body := do(t, h, http.MethodGet, sub+"/resources?api-version=2021-04-01&$filter="+url.QueryEscape(filter), "")
		require.Equal(t, http.StatusOK, status, body)
		var names []string
		for _, v := range body["value"].([]any) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		return names
	}
	assert.Equal(t, []string{"devstoreaccount1", "filt1"}, list("resourceType eq 'Microsoft.Storage/storageAccounts'"))
	assert.Equal(t, []string{"filt1", "filt-id"}, list("resourceGroup eq 'rg'"))
	assert.Equal(t, []string{"filt1"}, list("resourceGroup eq 'RG' and resourceType eq 'microsoft.storage/storageaccounts'"))
	assert.Equal(t, []string{"filt-id"}, list("name eq 'filt-id'"))
	assert.Equal(t, []string{"filt1"}, list("location eq 'West US'"))

	status, body := do(t, h, http.MethodGet, sub+"/resourceGroups/rg/resources?api-version=2021-04-01&$filter="+url.QueryEscape("name eq 'filt1'"), "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, body["value"], 1)
	res := body["value"].([]any)[0].(map[string]any)
	assert.Equal(t, "StorageV2", res["kind"])
	assert.Equal(t, map[string]any{"name": "Premium_LRS", "tier": "Premium"}, res["sku"])
}

func TestUnknownResourceType(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	tests := []struct{ path, msg string }{
		{sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/devstoreaccount1/blobServices/default?api-version=2024-01-01",
			"The resource type 'storageAccounts/blobServices' could not be found in the namespace 'Microsoft.Storage' for api version '2024-01-01'."},
		{sub + "/providers/Microsoft.KeyVault/managedHSMs?api-version=2023-07-01",
			"The resource type 'managedHSMs' could not be found in the namespace 'Microsoft.KeyVault' for api version '2023-07-01'."},
	}
	for _, tc := range tests {
		status, body := do(t, h, http.MethodGet, tc.path, "")
		assert.Equal(t, http.StatusNotFound, status)
		code, msg := errOf(body)
		assert.Equal(t, management.CodeInvalidResourceType, code)
		assert.Equal(t, tc.msg, msg)
	}
}

func TestVaultAlreadyExists(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	status, _ := do(t, h, http.MethodPut, sub+"/resourcegroups/other?api-version=2021-04-01", `{"location":"local"}`)
	require.Equal(t, http.StatusCreated, status)
	body := `{"location":"local","properties":{"tenantId":"` + management.DefaultTenant + `","sku":{"family":"A","name":"standard"},"enableSoftDelete":true}}`
	put := func(group, name string) (int, map[string]any) {
		return do(t, h, http.MethodPut, sub+"/resourceGroups/"+group+"/providers/Microsoft.KeyVault/vaults/"+name+"?api-version=2023-07-01", body)
	}
	status, _ = put("azemu", "dupvault")
	require.Equal(t, http.StatusOK, status)
	const want = "The vault name 'dupvault' is already in use. Vault names are globally unique so it is possible that the name is already taken."
	// Held by an active vault of another group.
	status, e := put("other", "dupvault")
	assert.Equal(t, http.StatusConflict, status)
	code, msg := errOf(e)
	assert.Equal(t, "VaultAlreadyExists", code)
	assert.True(t, strings.HasPrefix(msg, want), msg)
	assert.Contains(t, msg, "https://go.microsoft.com/fwlink/?linkid=2147740")
	// Held by a soft-deleted vault.
	status, _ = do(t, h, http.MethodDelete, sub+"/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/dupvault?api-version=2023-07-01", "")
	require.Equal(t, http.StatusOK, status)
	status, e = put("azemu", "dupvault")
	assert.Equal(t, http.StatusConflict, status)
	code, msg = errOf(e)
	assert.Equal(t, "VaultAlreadyExists", code)
	assert.True(t, strings.HasPrefix(msg, want), msg)
}

func TestListsPageAtMaxPageSize(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	for i := 0; i < maxPageSize; i++ {
		status, _ := do(t, h, http.MethodPut, sub+"/resourcegroups/g"+strconv.Itoa(i)+"?api-version=2021-04-01", `{"location":"local"}`)
		require.Equal(t, http.StatusCreated, status)
	}
	status, body := do(t, h, http.MethodGet, sub+"/resourcegroups?api-version=2021-04-01", "")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, body["value"], maxPageSize)
	nl, ok := body["nextLink"].(string)
	require.True(t, ok, "more than a page of groups gives a nextLink")
	u, err := url.Parse(nl)
	require.NoError(t, err)
	status, body = do(t, h, http.MethodGet, u.RequestURI(), "")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, body["value"], 1, "the default group is the one left")
	assert.NotContains(t, body, "nextLink")
}

func TestResourceGroupTagFilter(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	for name, tags := range map[string]string{"t1": `{"env":"prod"}`, "t2": `{"env":"dev"}`, "t3": `{"owner":"me"}`} {
		status, _ := do(t, h, http.MethodPut, sub+"/resourcegroups/"+name+"?api-version=2021-04-01", `{"location":"local","tags":`+tags+`}`)
		require.Equal(t, http.StatusCreated, status)
	}
	list := func(filter string) []string {
		status, body := do(t, h, http.MethodGet, sub+"/resourcegroups?api-version=2021-04-01&$filter="+url.QueryEscape(filter), "")
		require.Equal(t, http.StatusOK, status)
		var names []string
		for _, v := range body["value"].([]any) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		return names
	}
	assert.Equal(t, []string{"t1", "t2"}, list("tagName eq 'env'"))
	assert.Equal(t, []string{"t1"}, list("tagName eq 'ENV' and tagValue eq 'prod'"))
	assert.Empty(t, list("tagName eq 'none'"))
}

// tokenErrors is a TokenVerifier that fails each token with the error it
// names.
type tokenErrors map[string]error

func (v tokenErrors) VerifyToken(_ context.Context, raw string, _ ...string) (authn.Caller, error) {
	if err, ok := v[raw]; ok {
		return authn.Caller{}, err
	}
	return authn.Caller{}, authn.ErrMalformedToken
}

func TestTokenErrors(t *testing.T) {
	s := newServices(t)
	m, err := management.Open(context.Background(), management.Config{Storage: s.storage, Vault: s.vault, Identity: s.ident})
	require.NoError(t, err)
	h := New(Config{Service: m, Verifier: tokenErrors{
		"expired": authn.ErrTokenExpired, "audience": authn.ErrInvalidAudience, "signature": authn.ErrInvalidSignature,
	}})
	tests := []struct{ header, code, msg string }{
		{"", management.CodeAuthenticationFailed, "Authentication failed. The 'Authorization' header is missing."},
		{"Basic abc", management.CodeAuthenticationFailed, "Authentication failed. The 'Authorization' header is provided in an invalid format."},
		{"Bearer expired", management.CodeExpiredAuthenticationToken, "The access token expiry UTC time is earlier than current UTC time."},
		{"Bearer audience", management.CodeInvalidAuthenticationTokenAudience,
			"The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."},
		{"Bearer signature", management.CodeInvalidAuthenticationToken, "The access token is from the wrong issuer or has an invalid signature."},
		{"Bearer junk", management.CodeInvalidAuthenticationToken, "The access token is invalid."},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodGet, sub+"/resourcegroups?api-version=2021-04-01", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, tc.header)
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`, tc.header)
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		code, msg := errOf(body)
		assert.Equal(t, tc.code, code, tc.header)
		assert.Equal(t, tc.msg, msg, tc.header)
	}
}
