package armapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/emulator/management"
)

// accountOp serves one storage account
// (https://learn.microsoft.com/rest/api/storagerp/storage-accounts).
func (s *server) accountOp(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		a, err := s.svc.Account(ctx, group, name)
		if err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, accountJSON(a))
		return nil
	case http.MethodPut, http.MethodPatch:
		var in management.AccountSpec
		if err := decodeBody(r, &in, true); err != nil {
			return err
		}
		var a management.AccountView
		var err error
		if r.Method == http.MethodPut {
			a, err = s.svc.PutAccount(ctx, group, name, in)
		} else {
			a, err = s.svc.UpdateAccount(ctx, group, name, in)
		}
		if err != nil {
			return err
		}
		// Create answers a synchronous 200 with provisioningState
		// Succeeded, which armstorage's poller accepts without polling.
		writeJSON(w, r, http.StatusOK, accountJSON(a))
		return nil
	case http.MethodDelete:
		existed, err := s.svc.DeleteAccount(ctx, group, name)
		if err != nil {
			return err
		}
		if !existed {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return errMethod(r)
}

// listAccounts: GET .../providers/Microsoft.Storage/storageAccounts.
func (s *server) listAccounts(w http.ResponseWriter, r *http.Request, group string) error {
	out := []any{}
	for _, a := range s.svc.ListAccounts(r.Context(), group) {
		out = append(out, accountJSON(a))
	}
	return writeList(w, r, out)
}

// nameAvailabilityJSON renders a CheckNameAvailabilityResult.
func nameAvailabilityJSON(n management.NameAvailability) map[string]any {
	if n.Available {
		return map[string]any{"nameAvailable": true}
	}
	return map[string]any{"nameAvailable": false, "reason": n.Reason, "message": n.Message}
}

// checkAccountName: POST .../Microsoft.Storage/checkNameAvailability
// (https://learn.microsoft.com/rest/api/storagerp/storage-accounts/check-name-availability).
func (s *server) checkAccountName(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, nameAvailabilityJSON(s.svc.CheckAccountName(r.Context(), in.Name)))
	return nil
}

func keysJSON(keys []management.AccountKey) map[string]any {
	out := []any{}
	for _, k := range keys {
		out = append(out, map[string]any{
			"keyName": k.Name, "value": base64.StdEncoding.EncodeToString(k.Value),
			"permissions": "FULL", "creationTime": k.Created.Format(time.RFC3339Nano),
		})
	}
	return map[string]any{"keys": out}
}

// listKeys: POST .../storageAccounts/{name}/listKeys
// (https://learn.microsoft.com/rest/api/storagerp/storage-accounts/list-keys).
func (s *server) listKeys(w http.ResponseWriter, r *http.Request, group, name string) error {
	keys, err := s.svc.AccountKeys(r.Context(), group, name)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, keysJSON(keys))
	return nil
}

// regenerateKey: POST .../storageAccounts/{name}/regenerateKey
// (https://learn.microsoft.com/rest/api/storagerp/storage-accounts/regenerate-key).
func (s *server) regenerateKey(w http.ResponseWriter, r *http.Request, group, name string) error {
	var in struct {
		KeyName string `json:"keyName"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	keys, err := s.svc.RegenerateKey(r.Context(), group, name, in.KeyName)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, keysJSON(keys))
	return nil
}

// endpointsJSON is primaryEndpoints: the blob, file and queue endpoints
// azemu serves the account on (path style, http://127.0.0.1:PORT/<account>/).
// Table, dfs and web are not served, so they are not listed.
func endpointsJSON(a management.AccountView) map[string]any {
	m := map[string]any{}
	if a.BlobEndpoint != "" {
		m["blob"] = a.BlobEndpoint
	}
	if a.FileEndpoint != "" {
		m["file"] = a.FileEndpoint
	}
	if a.QueueEndpoint != "" {
		m["queue"] = a.QueueEndpoint
	}
	return m
}

// skuTier is the tier of a storage SKU name (Premium_LRS → Premium).
func skuTier(sku string) string {
	if strings.HasPrefix(strings.ToLower(sku), "premium") {
		return "Premium"
	}
	return "Standard"
}

// accountJSON renders an account as ARM's StorageAccount.
func accountJSON(a management.AccountView) map[string]any {
	props := map[string]any{
		"provisioningState":            "Succeeded",
		"creationTime":                 rfc3339(a.Created),
		"primaryLocation":              a.Location,
		"statusOfPrimary":              "available",
		"supportsHttpsTrafficOnly":     false,
		"minimumTlsVersion":            "TLS1_2",
		"allowBlobPublicAccess":        true,
		"allowSharedKeyAccess":         true,
		"keyCreationTime":              map[string]any{"key1": rfc3339(a.KeyCreated[0]), "key2": rfc3339(a.KeyCreated[1])},
		"primaryEndpoints":             endpointsJSON(a),
		"encryption":                   encryptionJSON(a),
		"networkAcls":                  map[string]any{"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": []any{}, "resourceAccessRules": []any{}, "virtualNetworkRules": []any{}},
		"publicNetworkAccess":          "Enabled",
		"largeFileSharesState":         "Disabled",
		"dnsEndpointType":              "Standard",
		"isHnsEnabled":                 false,
		"defaultToOAuthAuthentication": false,
	}
	// Only general-purpose v2 and blob storage accounts have an access tier.
	if eq(a.Kind, "StorageV2") || eq(a.Kind, "BlobStorage") {
		props["accessTier"] = a.AccessTier
	}
	tier := skuTier(a.SKU)
	m := map[string]any{
		"id": management.AccountID(a.Group, a.Name), "name": a.Name, "type": management.AccountType, "location": a.Location,
		"kind": a.Kind, "sku": map[string]any{"name": a.SKU, "tier": tier},
		"tags": map[string]string{}, "properties": props,
	}
	if a.Tags != nil {
		m["tags"] = a.Tags
	}
	if id := identityJSON(a); id != nil {
		m["identity"] = id
	}
	return m
}

func identityJSON(a management.AccountView) map[string]any {
	types := []string{}
	if a.Identity.System != "" {
		types = append(types, "SystemAssigned")
	}
	if len(a.Identity.UserAssigned) > 0 {
		types = append(types, "UserAssigned")
	}
	if len(types) == 0 {
		// An account never given an identity has no identity block
		// (StorageAccountCreate.json); one set to None shows it.
		if a.Identity.ExplicitNone {
			return map[string]any{"type": "None"}
		}
		return nil
	}
	m := map[string]any{"type": strings.Join(types, ",")}
	if a.Identity.System != "" {
		m["principalId"] = a.Identity.System
		m["tenantId"] = management.DefaultTenant
	}
	if len(a.Identity.UserAssigned) > 0 {
		ua := map[string]any{}
		for _, u := range a.UserAssigned {
			entry := map[string]any{}
			if u.PrincipalID != "" {
				entry["principalId"] = u.PrincipalID
				entry["clientId"] = u.ClientID
			}
			ua[u.ResourceID] = entry
		}
		m["userAssignedIdentities"] = ua
	}
	return m
}

func encryptionJSON(a management.AccountView) map[string]any {
	since := rfc3339(a.Encryption.ServicesSince)
	svc := func() map[string]any {
		return map[string]any{"enabled": true, "keyType": "Account", "lastEnabledTime": since}
	}
	m := map[string]any{
		"keySource": a.Encryption.KeySource,
		"services":  map[string]any{"blob": svc(), "file": svc()},
	}
	// Queue data follows the account key only with queue keyType Account;
	// with Service (the default) Azure lists no queue entry.
	if a.Encryption.QueueKeyType == management.QueueKeyTypeAccount {
		m["services"].(map[string]any)["queue"] = svc()
	}
	if a.InfraEncryption {
		m["requireInfrastructureEncryption"] = true
	}
	if a.Encryption.KeySource != blobstore.KeySourceKeyvault {
		return m
	}
	kvp := map[string]any{
		"keyname":     a.Encryption.KeyName,
		"keyversion":  a.Encryption.KeyVersion,
		"keyvaulturi": a.Encryption.KeyVaultURI,
	}
	if a.CurrentKeyID != "" {
		kvp["currentVersionedKeyIdentifier"] = a.CurrentKeyID
	}
	if a.Encryption.LastRotation != nil {
		kvp["lastKeyRotationTimestamp"] = rfc3339(*a.Encryption.LastRotation)
	}
	// A key version without an expiry shows as the Unix epoch, as Azure
	// shows it.
	expiry := time.Unix(0, 0)
	if a.Encryption.KeyExpiry != nil {
		expiry = *a.Encryption.KeyExpiry
	}
	kvp["currentVersionedKeyExpirationTimestamp"] = rfc3339(expiry)
	m["keyvaultproperties"] = kvp
	ident := map[string]any{}
	if a.Encryption.UserAssigned != "" {
		ident["userAssignedIdentity"] = a.Encryption.UserAssigned
	}
	if a.Encryption.FederatedID != "" {
		ident["federatedIdentityClientId"] = a.Encryption.FederatedID
	}
	if len(ident) > 0 {
		m["identity"] = ident
	}
	return m
}
