package azemutest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/azemu/azemu/emulator"
)

// CMKAccount is a storage account whose data is encrypted under a key in
// the default vault (customer-managed key), reached through a user-assigned
// identity, made through the management plane and the vault as a user
// makes one in Azure.
type CMKAccount struct {
	// Name and Key are the account name and its first shared key (base64).
	Name, Key string
	// KeyName is the vault key; KeyID its versionless identifier.
	KeyName, KeyID string
	// IdentityID is the resource id of the user-assigned identity,
	// PrincipalID its object id (the one the vault's access policy names).
	IdentityID, PrincipalID string

	a *Azemu
}

// ConnectionString reaches the account's Blob and Files endpoints.
func (c *CMKAccount) ConnectionString() string {
	return fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s/%s;FileEndpoint=%s/%s;",
		c.Name, c.Key, c.a.emu.BlobURL(), c.Name, c.a.emu.FileURL(), c.Name)
}

// CreateCMKAccount creates a 2048-bit RSA key in the default vault, a
// user-assigned identity granted get, wrapKey and unwrapKey on it, and the
// storage account name encrypted with that key.
func (a *Azemu) CreateCMKAccount(ctx context.Context, name string) (*CMKAccount, error) {
	c := &CMKAccount{Name: name, KeyName: name + "-cmk", a: a}
	key, err := a.call(ctx, http.MethodPost, a.ConnectionURL()+"/keys/"+c.KeyName+"/create?api-version=7.5", vaultScope,
		map[string]any{"kty": "RSA", "key_size": 2048})
	if err != nil {
		return nil, fmt.Errorf("create key: %w", err)
	}
	if kid := str(key, "key", "kid"); kid != "" {
		c.KeyID = kid[:strings.LastIndexByte(kid, '/')]
	}
	ident, err := a.call(ctx, http.MethodPut, a.arm("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"+name+"-id", "2023-01-31"),
		emulator.AdminScope, map[string]any{"location": "local"})
	if err != nil {
		return nil, fmt.Errorf("create identity: %w", err)
	}
	c.IdentityID, c.PrincipalID = str(ident, "id"), str(ident, "properties", "principalId")
	if err := c.setAccess(ctx, "add"); err != nil {
		return nil, err
	}
	_, err = a.call(ctx, http.MethodPut, a.arm("/providers/Microsoft.Storage/storageAccounts/"+name, "2024-01-01"), emulator.AdminScope, map[string]any{
		"location": "local", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"},
		"identity": map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{c.IdentityID: map[string]any{}}},
		"properties": map[string]any{"encryption": map[string]any{
			"keySource":          "Microsoft.Keyvault",
			"keyvaultproperties": map[string]any{"keyname": c.KeyName, "keyvaulturi": a.ConnectionURL()},
			"identity":           map[string]any{"userAssignedIdentity": c.IdentityID},
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("create account: %w", err)
	}
	keys, err := a.call(ctx, http.MethodPost, a.arm("/providers/Microsoft.Storage/storageAccounts/"+name+"/listKeys", "2024-01-01"), emulator.AdminScope, nil)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	if list, _ := keys["keys"].([]any); len(list) > 0 {
		first, _ := list[0].(map[string]any)
		c.Key = str(first, "value")
	}
	if c.Key == "" {
		return nil, fmt.Errorf("listKeys returned no key")
	}
	return c, nil
}

// RevokeKeyAccess removes the identity's access policy from the vault, as a
// customer revokes access: the account's data requests fail with 403
// KeyVaultEncryptionKeyNotFound from the next request on (or after the CMK
// cache TTL, when one is configured).
func (c *CMKAccount) RevokeKeyAccess(ctx context.Context) error {
	return c.setAccess(ctx, "remove")
}

// RestoreKeyAccess grants the identity its key permissions again.
func (c *CMKAccount) RestoreKeyAccess(ctx context.Context) error {
	return c.setAccess(ctx, "add")
}

func (c *CMKAccount) setAccess(ctx context.Context, op string) error {
	_, err := c.a.call(ctx, http.MethodPut, c.a.arm("/providers/Microsoft.KeyVault/vaults/"+VaultName+"/accessPolicies/"+op, "2023-07-01"),
		emulator.AdminScope, map[string]any{"properties": map[string]any{"accessPolicies": []any{map[string]any{
			"tenantId": TenantID, "objectId": c.PrincipalID,
			"permissions": map[string]any{"keys": []string{"get", "wrapKey", "unwrapKey"}}}}}})
	if err != nil {
		return fmt.Errorf("access policy %s: %w", op, err)
	}
	return nil
}

const vaultScope = "https://vault.azure.net/.default"

func (a *Azemu) arm(path, apiVersion string) string {
	return a.emu.VaultURL() + "/subscriptions/" + emulator.DevSubscription + "/resourceGroups/" + emulator.DevResourceGroup +
		path + "?api-version=" + apiVersion
}

// call sends a JSON request with a token of the development principal and
// decodes the JSON answer; any status >= 300 is an error with the body.
func (a *Azemu) call(ctx context.Context, method, url, scope string, body any) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tok, err := a.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, strings.TrimSpace(string(b)))
	}
	out := map[string]any{}
	if len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, url, err)
		}
	}
	return out, nil
}

func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}
