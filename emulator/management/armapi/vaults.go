package armapi

import (
	"net/http"

	"github.com/azemu/azemu/emulator/management"
)

func policyJSON(p management.AccessPolicy) map[string]any {
	m := map[string]any{
		"tenantId": p.TenantID, "objectId": p.ObjectID,
		"permissions": map[string]any{
			"keys":         append([]string{}, p.Keys...),
			"secrets":      append([]string{}, p.Secrets...),
			"certificates": append([]string{}, p.Certificates...),
			"storage":      append([]string{}, p.Storage...),
		},
	}
	if p.ApplicationID != "" {
		m["applicationId"] = p.ApplicationID
	}
	return m
}

func vaultJSON(v management.VaultView) map[string]any {
	policies := []any{}
	for _, p := range v.Policies {
		policies = append(policies, policyJSON(p))
	}
	props := map[string]any{
		"tenantId":                     v.TenantID,
		"sku":                          map[string]any{"family": "A", "name": v.SKU},
		"accessPolicies":               policies,
		"vaultUri":                     v.URI,
		"enabledForDeployment":         false,
		"enabledForDiskEncryption":     false,
		"enabledForTemplateDeployment": false,
		"enableSoftDelete":             v.EnableSoftDelete,
		"softDeleteRetentionInDays":    v.SoftDeleteRetentionDays,
		"enableRbacAuthorization":      v.EnableRBACAuthorization,
		"provisioningState":            "Succeeded",
		"publicNetworkAccess":          "Enabled",
	}
	if v.EnablePurgeProtection {
		props["enablePurgeProtection"] = true
	}
	m := map[string]any{
		"id": management.VaultID(v.Group, v.Name), "name": v.Name, "type": management.VaultType, "location": v.Location,
		"tags": map[string]string{}, "properties": props,
		"systemData": map[string]any{"createdAt": rfc3339(v.Created), "lastModifiedAt": rfc3339(v.Updated)},
	}
	if v.Tags != nil {
		m["tags"] = v.Tags
	}
	return m
}

func deletedVaultJSON(v management.DeletedVault) map[string]any {
	props := map[string]any{
		"vaultId":                management.VaultID(v.Group, v.Name),
		"location":               v.Location,
		"tags":                   map[string]string{},
		"purgeProtectionEnabled": v.EnablePurgeProtection,
	}
	if v.Tags != nil {
		props["tags"] = v.Tags
	}
	if v.Deleted != nil {
		props["deletionDate"] = rfc3339(*v.Deleted)
	}
	if v.ScheduledPurge != nil {
		props["scheduledPurgeDate"] = rfc3339(*v.ScheduledPurge)
	}
	return map[string]any{
		"id": management.DeletedVaultID(v.Location, v.Name), "name": v.Name, "type": management.DeletedVaultType,
		"properties": props,
	}
}

// vaultOp serves one vault
// (https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults).
func (s *server) vaultOp(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		v, err := s.svc.Vault(ctx, group, name)
		if err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, vaultJSON(v))
		return nil
	case http.MethodPut, http.MethodPatch:
		var in management.VaultSpec
		if err := decodeBody(r, &in, true); err != nil {
			return err
		}
		v, err := s.svc.PutVault(ctx, group, name, in, r.Method == http.MethodPatch)
		if err != nil {
			return err
		}
		// armkeyvault accepts 200 and 201 (created); 200 with
		// provisioningState Succeeded ends its poller at once, so create
		// and update answer 200.
		writeJSON(w, r, http.StatusOK, vaultJSON(v))
		return nil
	case http.MethodDelete:
		existed, err := s.svc.DeleteVault(ctx, group, name)
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

// listVaults: GET .../Microsoft.KeyVault/vaults.
func (s *server) listVaults(w http.ResponseWriter, r *http.Request, group string) error {
	list, err := s.svc.ListVaults(r.Context(), group)
	if err != nil {
		return err
	}
	out := []any{}
	for _, v := range list {
		out = append(out, vaultJSON(v))
	}
	return writeList(w, r, out)
}

// listDeletedVaults: GET .../Microsoft.KeyVault/deletedVaults.
func (s *server) listDeletedVaults(w http.ResponseWriter, r *http.Request) error {
	out := []any{}
	for _, v := range s.svc.ListDeletedVaults(r.Context()) {
		out = append(out, deletedVaultJSON(v))
	}
	return writeList(w, r, out)
}

// getDeletedVault: GET .../locations/{location}/deletedVaults/{name}.
func (s *server) getDeletedVault(w http.ResponseWriter, r *http.Request, location, name string) error {
	v, err := s.svc.DeletedVault(r.Context(), location, name)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, deletedVaultJSON(v))
	return nil
}

// purgeDeletedVault: POST .../locations/{location}/deletedVaults/{name}/purge.
func (s *server) purgeDeletedVault(w http.ResponseWriter, r *http.Request, location, name string) error {
	if err := s.svc.PurgeDeletedVault(r.Context(), location, name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// updateAccessPolicies: PUT .../vaults/{name}/accessPolicies/{add|replace|remove}
// (https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/update-access-policy).
// The answer echoes the entries given.
func (s *server) updateAccessPolicies(w http.ResponseWriter, r *http.Request, group, name, kind string) error {
	var in struct {
		Properties struct {
			AccessPolicies []management.AccessPolicySpec `json:"accessPolicies"`
		} `json:"properties"`
	}
	op, err := management.ParseAccessPolicyKind(kind)
	if err != nil {
		return err
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	v, err := s.svc.UpdateAccessPolicies(r.Context(), group, name, kind, in.Properties.AccessPolicies)
	if err != nil {
		return err
	}
	given := []any{}
	for _, p := range in.Properties.AccessPolicies {
		ap := management.AccessPolicy{TenantID: p.TenantID, ObjectID: p.ObjectID,
			Keys: p.Permissions.Keys, Secrets: p.Permissions.Secrets, Certificates: p.Permissions.Certificates, Storage: p.Permissions.Storage}
		if p.ApplicationID != nil {
			ap.ApplicationID = *p.ApplicationID
		}
		given = append(given, policyJSON(ap))
	}
	writeJSON(w, r, http.StatusOK, map[string]any{
		"id":   management.VaultID(v.Group, v.Name) + "/accessPolicies/" + string(op),
		"name": string(op), "type": "Microsoft.KeyVault/vaults/accessPolicies", "location": v.Location,
		"properties": map[string]any{"accessPolicies": given},
	})
	return nil
}

// checkVaultName: POST .../Microsoft.KeyVault/checkNameAvailability
// (https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/check-name-availability).
func (s *server) checkVaultName(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, nameAvailabilityJSON(s.svc.CheckVaultName(r.Context(), in.Name)))
	return nil
}
