package management

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/azemu/azemu/keyvault"
)

func vaultID(group, name string) string {
	return groupID(group) + "/providers/" + vaultType + "/" + name
}

func deletedVaultID(location, name string) string {
	return subscriptionID() + "/providers/Microsoft.KeyVault/locations/" + location + "/deletedVaults/" + name
}

// vaultGroupLocked is the group that holds a vault (the default group for a
// vault the management plane did not create). Caller holds s.mu.
func (s *Service) vaultGroupLocked(name string) string {
	if g, ok := s.st.Vaults[strings.ToLower(name)]; ok {
		return g
	}
	return DefaultGroup
}

// vaultURI is https://<name>.vault.localhost:<port>/.
func (s *Service) vaultURI(name string) string {
	host := strings.ToLower(name) + ".vault.localhost"
	if u, err := url.Parse(s.cfg.VaultURL); err == nil && u.Port() != "" {
		host += ":" + u.Port()
	}
	return "https://" + host + "/"
}

type accessPolicyIn struct {
	TenantID      string  `json:"tenantId"`
	ObjectID      string  `json:"objectId"`
	ApplicationID *string `json:"applicationId"`
	Permissions   struct {
		Keys         []string `json:"keys"`
		Secrets      []string `json:"secrets"`
		Certificates []string `json:"certificates"`
		Storage      []string `json:"storage"`
	} `json:"permissions"`
}

type vaultPropsIn struct {
	TenantID *string `json:"tenantId"`
	SKU      *struct {
		Family string `json:"family"`
		Name   string `json:"name"`
	} `json:"sku"`
	AccessPolicies            *[]accessPolicyIn `json:"accessPolicies"`
	EnableSoftDelete          *bool             `json:"enableSoftDelete"`
	SoftDeleteRetentionInDays *int              `json:"softDeleteRetentionInDays"`
	EnablePurgeProtection     *bool             `json:"enablePurgeProtection"`
	EnableRbacAuthorization   *bool             `json:"enableRbacAuthorization"`
	CreateMode                *string           `json:"createMode"`
}

type vaultIn struct {
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties *vaultPropsIn     `json:"properties"`
}

func policiesIn(in []accessPolicyIn) []keyvault.AccessPolicy {
	out := make([]keyvault.AccessPolicy, 0, len(in))
	for _, p := range in {
		ap := keyvault.AccessPolicy{TenantID: p.TenantID, ObjectID: p.ObjectID, Keys: p.Permissions.Keys}
		if ap.Keys == nil {
			ap.Keys = []string{}
		}
		if p.ApplicationID != nil {
			ap.ApplicationID = *p.ApplicationID
		}
		out = append(out, ap)
	}
	return out
}

func (s *Service) vaultJSON(v keyvault.Vault, group string) map[string]any {
	props := map[string]any{
		"tenantId":                     v.TenantID,
		"sku":                          map[string]any{"family": "A", "name": v.SKU},
		"accessPolicies":               s.policiesJSON(v.Name, v.AccessPolicies),
		"vaultUri":                     s.vaultURI(v.Name),
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
		"id": vaultID(group, v.Name), "name": v.Name, "type": vaultType, "location": v.Location,
		"tags": map[string]string{}, "properties": props,
		"systemData": map[string]any{"createdAt": rfc3339(v.Created), "lastModifiedAt": rfc3339(v.Updated)},
	}
	if v.Tags != nil {
		m["tags"] = v.Tags
	}
	return m
}

func deletedVaultJSON(v keyvault.Vault, group string) map[string]any {
	props := map[string]any{
		"vaultId":                vaultID(group, v.Name),
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
		"id": deletedVaultID(v.Location, v.Name), "name": v.Name, "type": "Microsoft.KeyVault/deletedVaults",
		"properties": props,
	}
}

// errVaultName is Key Vault's message for a name it refuses
// (VaultNameNotValid; checkNameAvailability's AccountNameInvalid).
func errVaultName(name string) string {
	return "The vault name '" + name + "' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742"
}

// errVaultAlreadyExists is Key Vault's 409 for a name held by another
// vault, active or soft-deleted: soft-deleted vault names stay reserved until
// purged ("Azure Key Vault soft-delete overview",
// https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview).
func errVaultAlreadyExists(name string) *Error {
	return newError(http.StatusConflict, keyvault.CodeVaultAlreadyExists,
		"The vault name '%s' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information on VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.", name)
}

func errVaultNotFound(name, group string) *Error { return errResourceNotFound(vaultType, name, group) }

func isVaultNotFound(err error) bool { return errors.Is(err, keyvault.ErrVaultNotFound) }

// vaultLocked returns the active vault `name` of `group`. Caller holds s.mu.
func (s *Service) vaultLocked(r *http.Request, group, name string) (keyvault.Vault, error) {
	if _, err := s.groupLocked(group); err != nil {
		return keyvault.Vault{}, err
	}
	v, err := s.cfg.Vault.GetVault(r.Context(), name)
	if err != nil {
		if isVaultNotFound(err) {
			return keyvault.Vault{}, errVaultNotFound(name, group)
		}
		return keyvault.Vault{}, fromVault(err)
	}
	if !eq(s.vaultGroupLocked(v.Name), group) {
		return keyvault.Vault{}, errVaultNotFound(name, group)
	}
	return v, nil
}

func (s *Service) vaultOp(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		v, err := s.vaultLocked(r, group, name)
		if err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, s.vaultJSON(v, s.vaultGroupLocked(v.Name)))
		return nil
	case http.MethodPut, http.MethodPatch:
		return s.putVault(w, r, group, name)
	case http.MethodDelete:
		s.mu.Lock()
		defer s.mu.Unlock()
		v, err := s.vaultLocked(r, group, name)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Code == CodeResourceNotFound {
				w.WriteHeader(http.StatusNoContent)
				return nil
			}
			return err
		}
		if err := s.cfg.Vault.DeleteVault(ctx, v.Name); err != nil {
			return fromVault(err)
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return errMethod(r)
}

// putVault creates, updates (PUT replaces the given properties, PATCH
// merges) or, with createMode "recover", recovers a vault.
func (s *Service) putVault(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	var in vaultIn
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	p := in.Properties
	if p == nil {
		p = &vaultPropsIn{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(group)
	if err != nil {
		return err
	}
	lname := strings.ToLower(name)
	cur, curErr := s.cfg.Vault.GetVault(ctx, name)
	exists := curErr == nil
	if exists && !eq(s.vaultGroupLocked(name), group) {
		return errVaultAlreadyExists(name)
	}
	if r.Method == http.MethodPut && p.CreateMode != nil && eq(*p.CreateMode, "recover") {
		v, err := s.cfg.Vault.RecoverVault(ctx, name)
		if err != nil {
			if isVaultNotFound(err) {
				return newError(http.StatusNotFound, CodeResourceNotFound, "No deleted vault named '%s' was found to recover.", name)
			}
			return fromVault(err)
		}
		s.st.Vaults[lname] = g.Name
		if err := s.saveLocked(); err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, s.vaultJSON(v, g.Name))
		return nil
	}
	if !exists && r.Method == http.MethodPatch {
		return errVaultNotFound(name, group)
	}
	spec := keyvault.VaultSpec{Name: name, Location: normLocation(in.Location), Tags: in.Tags}
	if exists {
		// Start from the vault as it is: ARM leaves omitted properties alone
		// (and PATCH leaves everything not given).
		spec = keyvault.VaultSpec{Name: cur.Name, TenantID: cur.TenantID, Location: cur.Location, SKU: cur.SKU,
			EnableSoftDelete: &cur.EnableSoftDelete, SoftDeleteRetentionDays: cur.SoftDeleteRetentionDays,
			EnablePurgeProtection: cur.EnablePurgeProtection, EnableRBACAuthorization: cur.EnableRBACAuthorization,
			AccessPolicies: cur.AccessPolicies, Tags: cur.Tags}
		if in.Tags != nil || r.Method == http.MethodPut {
			spec.Tags = in.Tags
		}
		if err := checkLocation(cur.Name, g.Name, cur.Location, in.Location); err != nil {
			return err
		}
	} else {
		if !keyvault.ValidVaultName(name) {
			return newError(http.StatusBadRequest, CodeVaultNameNotValid, "%s", errVaultName(name))
		}
		if in.Location == "" {
			return newError(http.StatusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
		}
		if p.TenantID == nil || p.SKU == nil {
			return newError(http.StatusBadRequest, "BadRequest", "The parameters tenantId and sku are required to create a vault.")
		}
	}
	if p.TenantID != nil {
		spec.TenantID = *p.TenantID
	}
	if p.SKU != nil {
		spec.SKU = p.SKU.Name
	}
	if p.AccessPolicies != nil {
		spec.AccessPolicies = policiesIn(*p.AccessPolicies)
	}
	if p.EnableSoftDelete != nil {
		spec.EnableSoftDelete = p.EnableSoftDelete
	}
	if p.SoftDeleteRetentionInDays != nil {
		spec.SoftDeleteRetentionDays = *p.SoftDeleteRetentionInDays
		if spec.SoftDeleteRetentionDays < 7 || spec.SoftDeleteRetentionDays > 90 {
			return newError(http.StatusBadRequest, "BadRequest", "The property \"softDeleteRetentionInDays\" must be between 7 and 90.")
		}
	}
	if p.EnablePurgeProtection != nil {
		if !*p.EnablePurgeProtection && exists && cur.EnablePurgeProtection {
			return newError(http.StatusBadRequest, "BadRequest",
				"The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.")
		}
		spec.EnablePurgeProtection = *p.EnablePurgeProtection
	}
	if p.EnableRbacAuthorization != nil {
		spec.EnableRBACAuthorization = *p.EnableRbacAuthorization
	}
	v, _, err := s.cfg.Vault.CreateOrUpdateVault(ctx, spec)
	if errors.Is(err, keyvault.ErrVaultAlreadyExists) {
		return errVaultAlreadyExists(name)
	}
	if err != nil {
		return fromVault(err)
	}
	s.st.Vaults[lname] = g.Name
	switch {
	case p.AccessPolicies != nil:
		s.setExtrasLocked(v.Name, *p.AccessPolicies)
	case !exists:
		// A new vault starts clean, even if a purged one of the same
		// name left permissions behind (purged by the clock, not by ARM).
		s.setExtrasLocked(v.Name, nil)
	}
	if err := s.saveLocked(); err != nil {
		return err
	}
	// armkeyvault accepts 200 and 201 (created); 200 with provisioningState
	// Succeeded ends its poller at once, so create and update answer 200.
	writeJSON(w, r, http.StatusOK, s.vaultJSON(v, g.Name))
	return nil
}

func (s *Service) listVaults(w http.ResponseWriter, r *http.Request, group string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if group != "" {
		if _, err := s.groupLocked(group); err != nil {
			return err
		}
	}
	out := []any{}
	for _, v := range s.cfg.Vault.ListVaults(r.Context()) {
		g := s.vaultGroupLocked(v.Name)
		if group == "" || eq(g, group) {
			out = append(out, s.vaultJSON(v, g))
		}
	}
	return writeList(w, r, out)
}

func (s *Service) listDeletedVaults(w http.ResponseWriter, r *http.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, v := range s.cfg.Vault.ListDeletedVaults(r.Context()) {
		out = append(out, deletedVaultJSON(v, s.vaultGroupLocked(v.Name)))
	}
	return writeList(w, r, out)
}

// deletedVaultLocked finds a soft-deleted vault at its location (a deleted
// vault lives under /locations/{location}/deletedVaults). Caller holds s.mu.
func (s *Service) deletedVaultLocked(ctx context.Context, location, name string) (keyvault.Vault, error) {
	v, err := s.cfg.Vault.GetDeletedVault(ctx, name)
	if err == nil && !eq(normLocation(location), normLocation(v.Location)) {
		err = keyvault.ErrVaultNotFound
	}
	if err != nil {
		if isVaultNotFound(err) {
			return keyvault.Vault{}, newError(http.StatusNotFound, CodeResourceNotFound,
				"The Resource 'Microsoft.KeyVault/locations/%s/deletedVaults/%s' was not found.", location, name)
		}
		return keyvault.Vault{}, fromVault(err)
	}
	return v, nil
}

func (s *Service) getDeletedVault(w http.ResponseWriter, r *http.Request, location, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.deletedVaultLocked(r.Context(), location, name)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, deletedVaultJSON(v, s.vaultGroupLocked(v.Name)))
	return nil
}

// purgeDeletedVault purges a soft-deleted vault; under purge protection
// Azure refuses: (MethodNotAllowed) Operation 'DeletedVaultPurge' is not allowed.
func (s *Service) purgeDeletedVault(w http.ResponseWriter, r *http.Request, location, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.deletedVaultLocked(r.Context(), location, name); err != nil {
		return err
	}
	if err := s.cfg.Vault.PurgeVault(r.Context(), name); err != nil {
		return fromVault(err)
	}
	delete(s.st.Vaults, strings.ToLower(name))
	delete(s.st.Policies, strings.ToLower(name))
	if err := s.saveLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) updateAccessPolicies(w http.ResponseWriter, r *http.Request, group, name, kind string) error {
	var op keyvault.AccessPolicyUpdate
	switch strings.ToLower(kind) {
	case "add":
		op = keyvault.AccessPolicyAdd
	case "replace":
		op = keyvault.AccessPolicyReplace
	case "remove":
		op = keyvault.AccessPolicyRemove
	default:
		return newError(http.StatusBadRequest, "BadRequest", "The access policy operation '%s' is invalid; use add, replace or remove.", kind)
	}
	var in struct {
		Properties struct {
			AccessPolicies []accessPolicyIn `json:"accessPolicies"`
		} `json:"properties"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vaultLocked(r, group, name)
	if err != nil {
		return err
	}
	given := policiesIn(in.Properties.AccessPolicies)
	if op == keyvault.AccessPolicyRemove {
		// The vault service reads an entry without key permissions as
		// "remove the whole entry"; one that names only secret,
		// certificate or storage permissions must leave the keys alone.
		var keys []keyvault.AccessPolicy
		for i, e := range in.Properties.AccessPolicies {
			pm := e.Permissions
			if len(pm.Keys) > 0 || (len(pm.Secrets) == 0 && len(pm.Certificates) == 0 && len(pm.Storage) == 0) {
				keys = append(keys, given[i])
			}
		}
		given = keys
	}
	if _, err := s.cfg.Vault.UpdateAccessPolicies(r.Context(), v.Name, op, given); err != nil {
		return fromVault(err)
	}
	s.updateExtrasLocked(v.Name, op, in.Properties.AccessPolicies)
	if err := s.saveLocked(); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, map[string]any{
		"id":   vaultID(s.vaultGroupLocked(v.Name), v.Name) + "/accessPolicies/" + string(op),
		"name": string(op), "type": "Microsoft.KeyVault/vaults/accessPolicies", "location": v.Location,
		"properties": map[string]any{"accessPolicies": givenPoliciesJSON(in.Properties.AccessPolicies)},
	})
	return nil
}

func (s *Service) checkVaultName(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	res := map[string]any{"nameAvailable": true}
	_, err := s.cfg.Vault.GetVault(r.Context(), in.Name)
	_, derr := s.cfg.Vault.GetDeletedVault(r.Context(), in.Name)
	switch {
	case !keyvault.ValidVaultName(in.Name):
		res = map[string]any{"nameAvailable": false, "reason": "AccountNameInvalid", "message": errVaultName(in.Name)}
	case err == nil || derr == nil:
		res = map[string]any{"nameAvailable": false, "reason": "AlreadyExists", "message": errVaultAlreadyExists(in.Name).Message}
	}
	writeJSON(w, r, http.StatusOK, res)
	return nil
}
