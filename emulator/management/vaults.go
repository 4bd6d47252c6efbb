package management

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/azemu/azemu/keyvault"
)

// AccessPolicySpec is one entry of a vault's accessPolicies as ARM gives it
// (AccessPolicyEntry).
type AccessPolicySpec struct {
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

// VaultPropertiesSpec is the properties of a vault's PUT or PATCH
// (VaultProperties, VaultPatchProperties).
type VaultPropertiesSpec struct {
	TenantID *string `json:"tenantId"`
	SKU      *struct {
		Family string `json:"family"`
		Name   string `json:"name"`
	} `json:"sku"`
	AccessPolicies            *[]AccessPolicySpec `json:"accessPolicies"`
	EnableSoftDelete          *bool               `json:"enableSoftDelete"`
	SoftDeleteRetentionInDays *int                `json:"softDeleteRetentionInDays"`
	EnablePurgeProtection     *bool               `json:"enablePurgeProtection"`
	EnableRbacAuthorization   *bool               `json:"enableRbacAuthorization"`
	CreateMode                *string             `json:"createMode"`
}

// VaultSpec is the body of a vault's PUT or PATCH.
type VaultSpec struct {
	Location   string               `json:"location"`
	Tags       map[string]string    `json:"tags"`
	Properties *VaultPropertiesSpec `json:"properties"`
}

// AccessPolicy is one access policy entry of a vault with every permission
// list: the key permissions the vault enforces and the secret, certificate
// and storage lists ARM echoes.
type AccessPolicy struct {
	TenantID, ObjectID, ApplicationID    string
	Keys, Secrets, Certificates, Storage []string
}

// VaultView is a vault as ARM shows it.
type VaultView struct {
	keyvault.Vault
	Group    string
	URI      string // https://<name>.vault.localhost:<port>/
	Policies []AccessPolicy
}

// DeletedVault is a soft-deleted vault and the group it was in.
type DeletedVault struct {
	keyvault.Vault
	Group string
}

// vaultGroupLocked is the group that holds a vault (the default group for a
// vault the management plane did not create). Caller holds s.mu.
func (s *Service) vaultGroupLocked(name string) string {
	if g, ok := s.st.Vaults[strings.ToLower(name)]; ok {
		return g
	}
	return DefaultGroup
}

// VaultURI is https://<name>.vault.localhost:<port>/, the vaultUri of a vault.
func (s *Service) VaultURI(name string) string {
	host := strings.ToLower(name) + ".vault.localhost"
	if u, err := url.Parse(s.cfg.VaultURL); err == nil && u.Port() != "" {
		host += ":" + u.Port()
	}
	return "https://" + host + "/"
}

func (s *Service) vaultViewLocked(v keyvault.Vault, group string) VaultView {
	return VaultView{Vault: v, Group: group, URI: s.VaultURI(v.Name), Policies: s.policiesLocked(v.Name, v.AccessPolicies)}
}

func policiesIn(in []AccessPolicySpec) []keyvault.AccessPolicy {
	out := make([]keyvault.AccessPolicy, 0, len(in))
	for _, p := range in {
		ap := keyvault.AccessPolicy{TenantID: p.TenantID, ObjectID: p.ObjectID, Keys: p.Permissions.Keys,
			Secrets: dedupe(p.Permissions.Secrets), Certificates: dedupe(p.Permissions.Certificates)}
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
	return newError(statusConflict, keyvault.CodeVaultAlreadyExists,
		"The vault name '%s' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information on VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.", name)
}

func errVaultNotFound(name, group string) *Error { return errResourceNotFound(VaultType, name, group) }

func isVaultNotFound(err error) bool { return errors.Is(err, keyvault.ErrVaultNotFound) }

// vaultLocked returns the active vault `name` of `group`. Caller holds s.mu.
func (s *Service) vaultLocked(ctx context.Context, group, name string) (keyvault.Vault, error) {
	if _, err := s.groupLocked(group); err != nil {
		return keyvault.Vault{}, err
	}
	v, err := s.cfg.Vault.GetVault(ctx, name)
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

// Vault returns an active vault of a group.
func (s *Service) Vault(ctx context.Context, group, name string) (VaultView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vaultLocked(ctx, group, name)
	if err != nil {
		return VaultView{}, err
	}
	return s.vaultViewLocked(v, s.vaultGroupLocked(v.Name)), nil
}

// DeleteVault soft-deletes a vault; existed is false when there was none
// (ARM answers 204 then).
func (s *Service) DeleteVault(ctx context.Context, group, name string) (existed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vaultLocked(ctx, group, name)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == CodeResourceNotFound {
			return false, nil
		}
		return false, err
	}
	if err := s.cfg.Vault.DeleteVault(ctx, v.Name); err != nil {
		return true, fromVault(err)
	}
	return true, nil
}

// PutVault creates or updates a vault (a PUT replaces the properties it
// gives, a PATCH, patch true, merges and needs the vault to exist) or, with
// createMode "recover", recovers a soft-deleted one.
func (s *Service) PutVault(ctx context.Context, group, name string, in VaultSpec, patch bool) (VaultView, error) {
	p := in.Properties
	if p == nil {
		p = &VaultPropertiesSpec{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(group)
	if err != nil {
		return VaultView{}, err
	}
	cur, curErr := s.cfg.Vault.GetVault(ctx, name)
	exists := curErr == nil
	if exists && !eq(s.vaultGroupLocked(name), group) {
		return VaultView{}, errVaultAlreadyExists(name)
	}
	if !patch && p.CreateMode != nil && eq(*p.CreateMode, "recover") {
		return s.recoverVaultLocked(ctx, g, name)
	}
	if !exists && patch {
		return VaultView{}, errVaultNotFound(name, group)
	}
	var spec keyvault.VaultSpec
	if exists {
		if spec, err = specFromVault(cur, g, in, patch); err != nil {
			return VaultView{}, err
		}
	} else if spec, err = newVaultSpec(name, in); err != nil {
		return VaultView{}, err
	}
	if err := applyVaultProps(&spec, p, exists && cur.EnablePurgeProtection); err != nil {
		return VaultView{}, err
	}
	v, _, err := s.cfg.Vault.CreateOrUpdateVault(ctx, spec)
	if errors.Is(err, keyvault.ErrVaultAlreadyExists) {
		return VaultView{}, errVaultAlreadyExists(name)
	}
	if err != nil {
		return VaultView{}, fromVault(err)
	}
	s.st.Vaults[strings.ToLower(name)] = g.Name
	switch {
	case p.AccessPolicies != nil:
		s.setExtrasLocked(v.Name, *p.AccessPolicies)
	case !exists:
		// A new vault starts clean, even if a purged one of the same
		// name left permissions behind (purged by the clock, not by ARM).
		s.setExtrasLocked(v.Name, nil)
	}
	if err := s.saveLocked(); err != nil {
		return VaultView{}, err
	}
	return s.vaultViewLocked(v, g.Name), nil
}

// recoverVaultLocked recovers a soft-deleted vault into g. Caller holds s.mu.
func (s *Service) recoverVaultLocked(ctx context.Context, g *Group, name string) (VaultView, error) {
	v, err := s.cfg.Vault.RecoverVault(ctx, name)
	if err != nil {
		if isVaultNotFound(err) {
			return VaultView{}, newError(statusNotFound, CodeResourceNotFound, "No deleted vault named '%s' was found to recover.", name)
		}
		return VaultView{}, fromVault(err)
	}
	s.st.Vaults[strings.ToLower(name)] = g.Name
	if err := s.saveLocked(); err != nil {
		return VaultView{}, err
	}
	return s.vaultViewLocked(v, g.Name), nil
}

// specFromVault starts an update from the vault as it is: ARM leaves omitted
// properties alone (and PATCH leaves everything not given).
func specFromVault(cur keyvault.Vault, g *Group, in VaultSpec, patch bool) (keyvault.VaultSpec, error) {
	spec := keyvault.VaultSpec{Name: cur.Name, TenantID: cur.TenantID, Location: cur.Location, SKU: cur.SKU,
		EnableSoftDelete: &cur.EnableSoftDelete, SoftDeleteRetentionDays: cur.SoftDeleteRetentionDays,
		EnablePurgeProtection: cur.EnablePurgeProtection, EnableRBACAuthorization: cur.EnableRBACAuthorization,
		AccessPolicies: cur.AccessPolicies, Tags: cur.Tags}
	if in.Tags != nil || !patch {
		spec.Tags = in.Tags
	}
	if err := checkLocation(cur.Name, g.Name, cur.Location, in.Location); err != nil {
		return keyvault.VaultSpec{}, err
	}
	return spec, nil
}

// newVaultSpec checks what creating a vault needs.
func newVaultSpec(name string, in VaultSpec) (keyvault.VaultSpec, error) {
	if !keyvault.ValidVaultName(name) {
		return keyvault.VaultSpec{}, newError(statusBadRequest, CodeVaultNameNotValid, "%s", errVaultName(name))
	}
	if in.Location == "" {
		return keyvault.VaultSpec{}, newError(statusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
	}
	if in.Properties == nil || in.Properties.TenantID == nil || in.Properties.SKU == nil {
		return keyvault.VaultSpec{}, newError(statusBadRequest, "BadRequest", "The parameters tenantId and sku are required to create a vault.")
	}
	return keyvault.VaultSpec{Name: name, Location: NormLocation(in.Location), Tags: in.Tags}, nil
}

// applyVaultProps applies the given properties to spec; purgeProtected
// tells that the vault has purge protection on, which cannot be undone.
func applyVaultProps(spec *keyvault.VaultSpec, p *VaultPropertiesSpec, purgeProtected bool) error {
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
			return newError(statusBadRequest, "BadRequest", "The property \"softDeleteRetentionInDays\" must be between 7 and 90.")
		}
	}
	if p.EnablePurgeProtection != nil {
		if !*p.EnablePurgeProtection && purgeProtected {
			return newError(statusBadRequest, "BadRequest",
				"The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.")
		}
		spec.EnablePurgeProtection = *p.EnablePurgeProtection
	}
	if p.EnableRbacAuthorization != nil {
		spec.EnableRBACAuthorization = *p.EnableRbacAuthorization
	}
	return nil
}

// ListVaults returns the active vaults of a group ("" = all).
func (s *Service) ListVaults(ctx context.Context, group string) ([]VaultView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if group != "" {
		if _, err := s.groupLocked(group); err != nil {
			return nil, err
		}
	}
	out := []VaultView{}
	for _, v := range s.cfg.Vault.ListVaults(ctx) {
		g := s.vaultGroupLocked(v.Name)
		if group == "" || eq(g, group) {
			out = append(out, s.vaultViewLocked(v, g))
		}
	}
	return out, nil
}

// ListDeletedVaults returns the soft-deleted vaults.
func (s *Service) ListDeletedVaults(ctx context.Context) []DeletedVault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []DeletedVault{}
	for _, v := range s.cfg.Vault.ListDeletedVaults(ctx) {
		out = append(out, DeletedVault{Vault: v, Group: s.vaultGroupLocked(v.Name)})
	}
	return out
}

// deletedVaultLocked finds a soft-deleted vault at its location (a deleted
// vault lives under /locations/{location}/deletedVaults). Caller holds s.mu.
func (s *Service) deletedVaultLocked(ctx context.Context, location, name string) (keyvault.Vault, error) {
	v, err := s.cfg.Vault.GetDeletedVault(ctx, name)
	if err == nil && !eq(NormLocation(location), NormLocation(v.Location)) {
		err = keyvault.ErrVaultNotFound
	}
	if err != nil {
		if isVaultNotFound(err) {
			return keyvault.Vault{}, newError(statusNotFound, CodeResourceNotFound,
				"The Resource 'Microsoft.KeyVault/locations/%s/deletedVaults/%s' was not found.", location, name)
		}
		return keyvault.Vault{}, fromVault(err)
	}
	return v, nil
}

// DeletedVault returns a soft-deleted vault at its location.
func (s *Service) DeletedVault(ctx context.Context, location, name string) (DeletedVault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.deletedVaultLocked(ctx, location, name)
	if err != nil {
		return DeletedVault{}, err
	}
	return DeletedVault{Vault: v, Group: s.vaultGroupLocked(v.Name)}, nil
}

// PurgeDeletedVault purges a soft-deleted vault; under purge protection
// Azure refuses: (MethodNotAllowed) Operation 'DeletedVaultPurge' is not allowed.
func (s *Service) PurgeDeletedVault(ctx context.Context, location, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.deletedVaultLocked(ctx, location, name); err != nil {
		return err
	}
	if err := s.cfg.Vault.PurgeVault(ctx, name); err != nil {
		return fromVault(err)
	}
	delete(s.st.Vaults, strings.ToLower(name))
	delete(s.st.Policies, strings.ToLower(name))
	return s.saveLocked()
}

// UpdateAccessPolicies applies accessPolicies/{add|replace|remove} to a
// vault: the vault's key permissions and the other lists kept here.
func (s *Service) UpdateAccessPolicies(ctx context.Context, group, name, kind string, in []AccessPolicySpec) (VaultView, error) {
	op, err := ParseAccessPolicyKind(kind)
	if err != nil {
		return VaultView{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vaultLocked(ctx, group, name)
	if err != nil {
		return VaultView{}, err
	}
	given := policiesIn(in)
	if op == keyvault.AccessPolicyRemove {
		// The vault service reads an entry without key, secret or
		// certificate permissions as "remove the whole entry"; one that
		// names only storage permissions (kept here, not in the vault)
		// must leave the others alone.
		var keys []keyvault.AccessPolicy
		for i, e := range in {
			pm := e.Permissions
			if len(pm.Keys)+len(pm.Secrets)+len(pm.Certificates) > 0 || len(pm.Storage) == 0 {
				keys = append(keys, given[i])
			}
		}
		given = keys
	}
	nv, err := s.cfg.Vault.UpdateAccessPolicies(ctx, v.Name, op, given)
	if err != nil {
		return VaultView{}, fromVault(err)
	}
	s.updateExtrasLocked(v.Name, op, in)
	if err := s.saveLocked(); err != nil {
		return VaultView{}, err
	}
	return s.vaultViewLocked(nv, s.vaultGroupLocked(v.Name)), nil
}

// ParseAccessPolicyKind reads the {operationKind} of
// vaults/{name}/accessPolicies/{operationKind}: add, replace or remove.
func ParseAccessPolicyKind(kind string) (keyvault.AccessPolicyUpdate, error) {
	switch op := keyvault.AccessPolicyUpdate(strings.ToLower(kind)); op {
	case keyvault.AccessPolicyAdd, keyvault.AccessPolicyReplace, keyvault.AccessPolicyRemove:
		return op, nil
	}
	return "", newError(statusBadRequest, "BadRequest", "The access policy operation '%s' is invalid; use add, replace or remove.", kind)
}

// CheckVaultName answers Microsoft.KeyVault checkNameAvailability: a name
// held by an active or soft-deleted vault is taken.
func (s *Service) CheckVaultName(ctx context.Context, name string) NameAvailability {
	_, err := s.cfg.Vault.GetVault(ctx, name)
	_, derr := s.cfg.Vault.GetDeletedVault(ctx, name)
	switch {
	case !keyvault.ValidVaultName(name):
		return NameAvailability{Reason: "AccountNameInvalid", Message: errVaultName(name)}
	case err == nil || derr == nil:
		return NameAvailability{Reason: "AlreadyExists", Message: errVaultAlreadyExists(name).Message}
	}
	return NameAvailability{Available: true}
}
