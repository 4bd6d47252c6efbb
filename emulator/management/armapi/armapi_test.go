package armapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/emulator/management"
	"github.com/azemu/azemu/internal/authn"
	"github.com/azemu/azemu/keyvault"
)

// acceptAll is a TokenVerifier that accepts the token "ok".
type acceptAll struct{}

func (acceptAll) VerifyToken(_ context.Context, raw string, _ ...string) (authn.Caller, error) {
	if raw != "ok" {
		return authn.Caller{}, identity.ErrMalformedToken
	}
	return authn.Caller{ObjectID: identity.DevObjectID, TenantID: identity.DevTenantID}, nil
}

type services struct {
	storage *blobstore.Service
	vault   *keyvault.Service
	ident   *identity.Service
}

func newServices(t testing.TB) services {
	t.Helper()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	st, err := blobstore.Open(blobstore.Config{RootKey: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	kv, err := keyvault.Open(keyvault.Config{RootKey: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = kv.Close() })
	id, err := identity.New(identity.Config{Issuer: "https://localhost:8443", RootKey: root})
	require.NoError(t, err)
	require.NoError(t, st.CreateAccount(context.Background(), blobstore.AccountSpec{Name: "devstoreaccount1", Keys: [][]byte{[]byte("k")}}))
	return services{st, kv, id}
}

// plane is an open management service and its handler.
type plane struct{ svc *management.Service }

func (p plane) Handler() http.Handler {
	return New(Config{Service: p.svc, Verifier: acceptAll{}, Authority: "https://localhost:8443"})
}

func open(t testing.TB, s services, dir string) plane {
	t.Helper()
	m, err := management.Open(context.Background(), management.Config{DataDir: dir, Storage: s.storage, Vault: s.vault, Identity: s.ident,
		Now: time.Now, BlobURL: "http://127.0.0.1:10000", VaultURL: "https://localhost:8443"})
	require.NoError(t, err)
	return plane{m}
}

func do(t testing.TB, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer ok")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m map[string]any
	if rec.Body.Len() > 0 {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
	}
	return rec.Code, m
}

const sub = "/subscriptions/" + management.DefaultSubscription

func TestStatePersists(t *testing.T) {
	s := newServices(t)
	dir := t.TempDir()
	h := open(t, s, dir).Handler()
	status, _ := do(t, h, http.MethodPut, sub+"/resourcegroups/rg1?api-version=2021-04-01", `{"location":"local","tags":{"a":"b"}}`)
	require.Equal(t, http.StatusCreated, status)
	status, id := do(t, h, http.MethodPut, sub+"/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=2023-01-31", `{"location":"local"}`)
	require.Equal(t, http.StatusCreated, status)
	status, _ = do(t, h, http.MethodPut, sub+"/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/acct1?api-version=2024-01-01",
		`{"location":"local","kind":"StorageV2","sku":{"name":"Standard_LRS"},"tags":{"x":"y"}}`)
	require.Equal(t, http.StatusOK, status)

	h2 := open(t, s, dir).Handler()
	status, g := do(t, h2, http.MethodGet, sub+"/resourcegroups/rg1?api-version=2021-04-01", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"a": "b"}, g["tags"])
	status, id2 := do(t, h2, http.MethodGet, sub+"/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=2023-01-31", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, id["properties"], id2["properties"])
	status, a := do(t, h2, http.MethodGet, sub+"/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/acct1?api-version=2024-01-01", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"x": "y"}, a["tags"])
	// devstoreaccount1 and devvault-less setups are adopted into the default group.
	status, _ = do(t, h2, http.MethodGet, sub+"/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/devstoreaccount1?api-version=2024-01-01", "")
	assert.Equal(t, http.StatusOK, status)
}

func TestErrorsHaveARMShape(t *testing.T) {
	h := open(t, newServices(t), "").Handler()
	tests := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{http.MethodGet, sub + "/resourcegroups", "", 400, management.CodeMissingAPIVersion},
		{http.MethodGet, sub + "/resourcegroups/none?api-version=2024-01-01", "", 404, management.CodeResourceGroupNotFound},
		{http.MethodPut, sub + "/resourcegroups/rg?api-version=2024-01-01", "{", 400, management.CodeInvalidRequestContent},
		{http.MethodPut, sub + "/resourcegroups/rg?api-version=2024-01-01", "", 400, management.CodeInvalidRequestContent},
		{http.MethodPut, sub + "/resourcegroups/rg?api-version=2024-01-01", `{}`, 400, management.CodeLocationRequired},
		{http.MethodDelete, sub + "/resourcegroups/azemu?api-version=2024-01-01", "", 409, "ResourceGroupDeletionBlocked"},
		{http.MethodPut, sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/ab?api-version=2024-01-01", `{"location":"l","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`, 400, management.CodeAccountNameInvalid},
		{http.MethodPut, sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/abc1?api-version=2024-01-01",
			`{"location":"l","kind":"StorageV2","sku":{"name":"Standard_LRS"},"identity":{"type":"Bogus"}}`, 400, management.CodeInvalidValues},
		{http.MethodPut, sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/abc1?api-version=2024-01-01",
			`{"location":"l","kind":"StorageV2","sku":{"name":"Standard_LRS"},"properties":{"encryption":{"keySource":"Microsoft.Keyvault","keyvaultproperties":{"keyname":"k","keyvaulturi":"https://devvault.vault.localhost:8443"}}}}`, 400, management.CodeInvalidRequestPropertyValue},
		{http.MethodPost, sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/devstoreaccount1/regenerateKey?api-version=2024-01-01", `{"keyName":"kerb1"}`, 400, management.CodeInvalidValues},
		{http.MethodGet, sub + "/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/nosuch?api-version=2024-01-01", "", 404, management.CodeResourceNotFound},
		{http.MethodPut, "/providers/Microsoft.Authorization/roleAssignments/x?api-version=2024-01-01", `{}`, 400, management.CodeUnsupportedScope},
		{http.MethodPatch, sub + "/resourcegroups?api-version=2024-01-01", "", 405, management.CodeMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			status, body := do(t, h, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, status)
			e, _ := body["error"].(map[string]any)
			assert.Equal(t, tc.code, e["code"])
			assert.NotEmpty(t, e["message"])
		})
	}
}

// FuzzHandler: no method, path or body makes the management plane panic or
// answer 5xx, every answer is JSON or empty, and every error carries ARM's
// envelope {"error":{"code","message"}}.
func FuzzHandler(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"PUT", sub + "/resourcegroups/rg?api-version=2024-01-01", `{"location":"local"}`},
		{"PUT", sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/abc?api-version=2024-01-01",
			`{"location":"l","kind":"StorageV2","sku":{"name":"Standard_LRS"},"identity":{"type":"SystemAssigned,UserAssigned","userAssignedIdentities":{"x":null}},"properties":{"encryption":{"keySource":"Microsoft.Keyvault","keyvaultproperties":{"keyname":"k","keyvaulturi":"https://devvault.vault.localhost:8443"}}}}`},
		{"PATCH", sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/devstoreaccount1?api-version=2024-01-01", `{"identity":{"type":"SystemAssigned"},"properties":{"encryption":{"keySource":"microsoft.storage"}}}`},
		{"PUT", sub + "/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/v1?api-version=2024-01-01", `{"location":"l","properties":{"tenantId":"t","sku":{"name":"standard"},"softDeleteRetentionInDays":3}}`},
		{"PUT", sub + "/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/devvault/accessPolicies/add?api-version=2024-01-01", `{"properties":{"accessPolicies":[{"tenantId":"t","objectId":"o","permissions":{"keys":["get"]}}]}}`},
		{"PUT", sub + "/resourceGroups/azemu/providers/Microsoft.KeyVault/vaults/devvault/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-000000000001?api-version=2024-01-01", `{"properties":{"roleDefinitionId":"/x/e147488a-f6f5-4113-8e2d-b22465e65bf6","principalId":"00000000-0000-0000-0000-000000000002"}}`},
		{"GET", sub + "/resources?api-version=2024-01-01&$filter=resourceType eq 'Microsoft.KeyVault/vaults'", ""},
		{"POST", sub + "/providers/Microsoft.KeyVault/locations/local/deletedVaults/x/purge?api-version=2024-01-01", ""},
		{"HEAD", sub + "/resourceGroups/azemu/providers/Microsoft.Storage/storageAccounts/devstoreaccount1?api-version=2024-01-01", ""},
		{"GET", sub + "/resourcegroups?api-version=2021-04-01&$top=1&$skiptoken=1", ""},
		{"POST", sub + "/providers/Microsoft.Storage/checkNameAvailability?api-version=2024-01-01", `{"name":"abc","type":"Microsoft.Storage/storageAccounts"}`},
		{"GET", sub + "/providers/Microsoft.Storage?api-version=x", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	svc := newServices(f)
	h := open(f, svc, "").Handler()
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "https://localhost:8443"+path, bytes.NewReader([]byte(body)))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer ok")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s answered non-JSON: %q", method, path, rec.Body.String())
		}
		if rec.Code >= 500 {
			t.Fatalf("%s %s answered %d: %s", method, path, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 && method != http.MethodHead {
			var env struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Code == "" || env.Error.Message == "" {
				t.Fatalf("%s %s answered %d without ARM's error envelope: %q", method, path, rec.Code, rec.Body.String())
			}
		}
	})
}
