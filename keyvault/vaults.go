package keyvault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
	"time"
)

var vaultNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$`)

// ValidVaultName reports whether name is a valid vault name (3-24
// alphanumerics and hyphens, starting with a letter, ending with a letter or
// digit, no consecutive hyphens).
func ValidVaultName(name string) bool {
	return vaultNameRE.MatchString(name) && !strings.Contains(name, "--")
}

func cloneVault(v Vault) Vault {
	c := v
	c.AccessPolicies = make([]AccessPolicy, len(v.AccessPolicies))
	for i, ap := range v.AccessPolicies {
		ap.Keys = append([]string(nil), ap.Keys...)
		ap.Secrets = append([]string(nil), ap.Secrets...)
		ap.Certificates = append([]string(nil), ap.Certificates...)
		c.AccessPolicies[i] = ap
	}
	c.RoleAssignments = append([]RoleAssignment(nil), v.RoleAssignments...)
	if v.Tags != nil {
		c.Tags = make(map[string]string, len(v.Tags))
		for k, t := range v.Tags {
			c.Tags[k] = t
		}
	}
	return c
}

func normalizePolicies(in []AccessPolicy) ([]AccessPolicy, error) {
	if len(in) > 1024 {
		return nil, badParam("A vault can have at most 1024 access policies.")
	}
	out := make([]AccessPolicy, 0, len(in))
	for _, ap := range in {
		if ap.ObjectID == "" || ap.TenantID == "" {
			return nil, badParam("An access policy needs tenantId and objectId.")
		}
		perms := []string{}
		for _, p := range ap.Keys {
			n := normalizePermission(p)
			if n == "" {
				return nil, badParam("Invalid key permission '%s'.", p)
			}
			if !contains(perms, n) {
				perms = append(perms, n)
			}
		}
		ap.Keys = perms
		var err error
		if ap.Secrets, err = normalizeList(ap.Secrets, allSecretPermissions, "secret"); err != nil {
			return nil, err
		}
		if ap.Certificates, err = normalizeList(ap.Certificates, allCertificatePermissions, "certificate"); err != nil {
			return nil, err
		}
		out = append(out, ap)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// EnsureVault creates the vault described by spec unless a vault (active or
// soft-deleted) of that name exists; an existing vault is returned unchanged.
// The emulator calls it at start for devvault.
func (s *Service) EnsureVault(ctx context.Context, spec VaultSpec) (Vault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.vaults[strings.ToLower(spec.Name)]; ok {
		return cloneVault(v.v), nil
	}
	v, _, err := s.createOrUpdateLocked(ctx, spec)
	return v, err
}

// CreateOrUpdateVault creates a vault or updates an existing one (ARM PUT).
// It enforces ARM's rules: retention 7..90 and fixed after creation, soft
// delete and purge protection irreversible, a name held by a soft-deleted
// vault answers 409 VaultAlreadyExists. created reports a new vault.
func (s *Service) CreateOrUpdateVault(ctx context.Context, spec VaultSpec) (v Vault, created bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createOrUpdateLocked(ctx, spec)
}

func (s *Service) createOrUpdateLocked(ctx context.Context, spec VaultSpec) (Vault, bool, error) {
	if !ValidVaultName(spec.Name) {
		return Vault{}, false, badParam("The vault name '%s' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.", spec.Name)
	}
	if spec.TenantID == "" {
		return Vault{}, false, badParam("The tenantId is required.")
	}
	if spec.SoftDeleteRetentionDays != 0 && (spec.SoftDeleteRetentionDays < 7 || spec.SoftDeleteRetentionDays > 90) {
		return Vault{}, false, badParam("The property \"softDeleteRetentionInDays\" must be between 7 and 90.")
	}
	sku := strings.ToLower(spec.SKU)
	if sku == "" {
		sku = "premium"
	}
	if sku != "standard" && sku != "premium" {
		return Vault{}, false, badParam("Invalid sku '%s'.", spec.SKU)
	}
	policies, err := normalizePolicies(spec.AccessPolicies)
	if err != nil {
		return Vault{}, false, err
	}
	now := s.clock()
	lname := strings.ToLower(spec.Name)
	old, exists := s.vaults[lname]
	if exists && old.v.Deleted != nil {
		return Vault{}, false, ErrVaultAlreadyExists.withMessage("The vault name '%s' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be explicitly purged before reusing the name.", spec.Name)
	}
	var nv Vault
	if exists {
		nv = cloneVault(old.v)
		if spec.EnableSoftDelete != nil && !*spec.EnableSoftDelete && nv.EnableSoftDelete {
			return Vault{}, false, badParam("The property \"enableSoftDelete\" has been set to true previously and cannot be reverted to false.")
		}
		if !spec.EnablePurgeProtection && nv.EnablePurgeProtection {
			return Vault{}, false, badParam("The property \"enablePurgeProtection\" has been set to true previously and cannot be reverted to false.")
		}
		if spec.SoftDeleteRetentionDays != 0 && spec.SoftDeleteRetentionDays != nv.SoftDeleteRetentionDays {
			return Vault{}, false, badParam("The property \"softDeleteRetentionInDays\" cannot be changed after the vault has been created.")
		}
		if spec.EnableSoftDelete != nil && *spec.EnableSoftDelete {
			nv.EnableSoftDelete = true
		}
	} else {
		nv = Vault{Name: spec.Name, TenantID: spec.TenantID, EnableSoftDelete: true, SoftDeleteRetentionDays: 90, Created: now}
		if spec.EnableSoftDelete != nil {
			nv.EnableSoftDelete = *spec.EnableSoftDelete
		}
		if spec.SoftDeleteRetentionDays != 0 {
			nv.SoftDeleteRetentionDays = spec.SoftDeleteRetentionDays
		}
	}
	if spec.EnablePurgeProtection && !nv.EnableSoftDelete {
		return Vault{}, false, badParam("Purge protection can only be enabled on a vault with soft delete enabled.")
	}
	nv.TenantID = spec.TenantID
	nv.Location = spec.Location
	if nv.Location == "" {
		nv.Location = "local"
	}
	nv.SKU = sku
	nv.EnablePurgeProtection = spec.EnablePurgeProtection || nv.EnablePurgeProtection
	nv.EnableRBACAuthorization = spec.EnableRBACAuthorization
	nv.AccessPolicies = policies
	nv.Tags = spec.Tags
	nv.Updated = now
	st := &vaultState{v: nv, gen: s.nextGen(), keys: map[string]*keyState{}, obj: newVaultObjects()}
	if exists {
		st.keys, st.obj = old.keys, old.obj
	}
	if err := s.persistVault(ctx, st); err != nil {
		return Vault{}, false, err
	}
	s.vaults[lname] = st
	return cloneVault(nv), !exists, nil
}

// GetVault returns an active vault (404 VaultNotFound otherwise).
func (s *Service) GetVault(_ context.Context, name string) (Vault, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.vault(name)
	if err != nil {
		return Vault{}, err
	}
	return cloneVault(v.v), nil
}

// ListVaults returns the active vaults by name.
func (s *Service) ListVaults(_ context.Context) []Vault {
	return s.listVaults(false)
}

// ListDeletedVaults returns the soft-deleted vaults by name.
func (s *Service) ListDeletedVaults(_ context.Context) []Vault {
	return s.listVaults(true)
}

func (s *Service) listVaults(deleted bool) []Vault {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Vault
	for _, v := range s.vaults {
		if (v.v.Deleted != nil) == deleted {
			out = append(out, cloneVault(v.v))
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// GetDeletedVault returns a soft-deleted vault.
func (s *Service) GetDeletedVault(_ context.Context, name string) (Vault, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.vaults[strings.ToLower(name)]
	if !ok || v.v.Deleted == nil {
		return Vault{}, vaultNotFound(name)
	}
	return cloneVault(v.v), nil
}

// DeleteVault deletes a vault: soft delete (keys kept, role assignments
// dropped as Azure does, purge scheduled after the retention) or, without
// soft delete, at once with all keys.
func (s *Service) DeleteVault(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vault(name)
	if err != nil {
		return err
	}
	lname := strings.ToLower(name)
	if !v.v.EnableSoftDelete {
		if err := s.store.DeleteVault(ctx, lname); err != nil {
			return err
		}
		delete(s.vaults, lname)
		s.nextGen()
		return nil
	}
	now := s.clock()
	purge := now.Add(time.Duration(v.v.SoftDeleteRetentionDays) * 24 * time.Hour)
	nv := cloneVault(v.v)
	nv.Deleted, nv.ScheduledPurge, nv.RoleAssignments = &now, &purge, nil
	return s.replaceVault(ctx, v, nv)
}

// RecoverVault brings a soft-deleted vault back with its keys.
func (s *Service) RecoverVault(ctx context.Context, name string) (Vault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vaults[strings.ToLower(name)]
	if !ok || v.v.Deleted == nil {
		return Vault{}, vaultNotFound(name)
	}
	nv := cloneVault(v.v)
	nv.Deleted, nv.ScheduledPurge = nil, nil
	nv.Updated = s.clock()
	if err := s.replaceVault(ctx, v, nv); err != nil {
		return Vault{}, err
	}
	return cloneVault(nv), nil
}

// PurgeVault removes a soft-deleted vault for good; refused under purge
// protection (ErrVaultPurgeNotAllowed) until Tick purges it when due.
func (s *Service) PurgeVault(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lname := strings.ToLower(name)
	v, ok := s.vaults[lname]
	if !ok || v.v.Deleted == nil {
		return vaultNotFound(name)
	}
	if v.v.EnablePurgeProtection {
		return ErrVaultPurgeNotAllowed
	}
	if err := s.store.DeleteVault(ctx, lname); err != nil {
		return err
	}
	delete(s.vaults, lname)
	s.nextGen()
	return nil
}

// replaceVault persists nv and publishes it. Caller holds s.mu.
func (s *Service) replaceVault(ctx context.Context, v *vaultState, nv Vault) error {
	st := &vaultState{v: nv, keys: v.keys}
	if err := s.persistVault(ctx, st); err != nil {
		return err
	}
	v.v = nv
	v.gen = s.nextGen()
	return nil
}

// AccessPolicyUpdate is the kind of ARM's vaults/accessPolicies/{kind} call.
type AccessPolicyUpdate string

// Kinds of access policy updates.
const (
	AccessPolicyAdd     AccessPolicyUpdate = "add"
	AccessPolicyReplace AccessPolicyUpdate = "replace"
	AccessPolicyRemove  AccessPolicyUpdate = "remove"
)

// UpdateAccessPolicies adds permissions to (add), sets the permissions of
// (replace) or removes permissions from (remove) the identities named in
// entries, as ARM's PUT vaults/{name}/accessPolicies/{kind} does. An entry
// left with no permission by remove is dropped.
func (s *Service) UpdateAccessPolicies(ctx context.Context, vault string, kind AccessPolicyUpdate, entries []AccessPolicy) (Vault, error) {
	entries, err := normalizePolicies(entries)
	if err != nil {
		return Vault{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vault(vault)
	if err != nil {
		return Vault{}, err
	}
	nv := cloneVault(v.v)
	same := func(a, b AccessPolicy) bool {
		return strings.EqualFold(a.ObjectID, b.ObjectID) && strings.EqualFold(a.TenantID, b.TenantID) &&
			strings.EqualFold(a.ApplicationID, b.ApplicationID)
	}
	for _, e := range entries {
		idx := -1
		for i, ap := range nv.AccessPolicies {
			if same(ap, e) {
				idx = i
			}
		}
		switch kind {
		case AccessPolicyAdd:
			if idx < 0 {
				nv.AccessPolicies = append(nv.AccessPolicies, e)
				continue
			}
			ap := &nv.AccessPolicies[idx]
			ap.Keys = union(ap.Keys, e.Keys)
			ap.Secrets = union(ap.Secrets, e.Secrets)
			ap.Certificates = union(ap.Certificates, e.Certificates)
		case AccessPolicyReplace:
			if idx < 0 {
				nv.AccessPolicies = append(nv.AccessPolicies, e)
			} else {
				// A list not given (nil) is left as it is, so a caller that
				// only knows key permissions does not wipe the others; an
				// empty list clears.
				ap := &nv.AccessPolicies[idx]
				ap.Keys = e.Keys
				if e.Secrets != nil {
					ap.Secrets = e.Secrets
				}
				if e.Certificates != nil {
					ap.Certificates = e.Certificates
				}
			}
		case AccessPolicyRemove:
			if idx < 0 {
				continue
			}
			ap := &nv.AccessPolicies[idx]
			keys, secrets, certs := minus(ap.Keys, e.Keys), minus(ap.Secrets, e.Secrets), minus(ap.Certificates, e.Certificates)
			none := len(e.Keys)+len(e.Secrets)+len(e.Certificates) == 0
			if none || len(keys)+len(secrets)+len(certs) == 0 {
				nv.AccessPolicies = append(nv.AccessPolicies[:idx], nv.AccessPolicies[idx+1:]...)
			} else {
				ap.Keys, ap.Secrets, ap.Certificates = keys, secrets, certs
			}
		default:
			return Vault{}, badParam("Invalid access policy operation '%s'.", kind)
		}
	}
	if len(nv.AccessPolicies) > 1024 {
		return Vault{}, badParam("A vault can have at most 1024 access policies.")
	}
	nv.Updated = s.clock()
	if err := s.replaceVault(ctx, v, nv); err != nil {
		return Vault{}, err
	}
	return cloneVault(nv), nil
}

// AssignRole adds a role assignment (RBAC vaults). An empty ID gets a random
// one; assigning an existing ID replaces it.
func (s *Service) AssignRole(ctx context.Context, vault string, ra RoleAssignment) (RoleAssignment, error) {
	name, err := roleName(ra.RoleDefinition)
	if err != nil {
		return RoleAssignment{}, err
	}
	if ra.PrincipalID == "" {
		return RoleAssignment{}, badParam("The principalId is required.")
	}
	if !validScope(ra.Scope) {
		return RoleAssignment{}, badParam("Invalid scope '%s'; use \"\", \"keys/<name>\", \"secrets/<name>\" or \"certificates/<name>\".", ra.Scope)
	}
	ra.RoleDefinition = name
	if ra.ID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return RoleAssignment{}, err
		}
		ra.ID = hex.EncodeToString(b[:])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vault(vault)
	if err != nil {
		return RoleAssignment{}, err
	}
	nv := cloneVault(v.v)
	replaced := false
	for i, old := range nv.RoleAssignments {
		if strings.EqualFold(old.ID, ra.ID) {
			nv.RoleAssignments[i], replaced = ra, true
		}
	}
	if !replaced {
		nv.RoleAssignments = append(nv.RoleAssignments, ra)
	}
	if err := s.replaceVault(ctx, v, nv); err != nil {
		return RoleAssignment{}, err
	}
	return ra, nil
}

// RemoveRoleAssignment deletes a role assignment by id.
func (s *Service) RemoveRoleAssignment(ctx context.Context, vault, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vault(vault)
	if err != nil {
		return err
	}
	nv := cloneVault(v.v)
	for i, ra := range nv.RoleAssignments {
		if strings.EqualFold(ra.ID, id) {
			nv.RoleAssignments = append(nv.RoleAssignments[:i], nv.RoleAssignments[i+1:]...)
			return s.replaceVault(ctx, v, nv)
		}
	}
	return &Error{Status: 404, Code: "RoleAssignmentNotFound", Message: "The role assignment '" + id + "' is not found."}
}

// ListRoleAssignments returns a vault's role assignments.
func (s *Service) ListRoleAssignments(_ context.Context, vault string) ([]RoleAssignment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.vault(vault)
	if err != nil {
		return nil, err
	}
	return append([]RoleAssignment(nil), v.v.RoleAssignments...), nil
}

// normalizeList validates and spells a secrets or certificates permission
// list; nil stays nil.
func normalizeList(in, table []string, what string) ([]string, error) {
	if in == nil {
		return nil, nil
	}
	out := []string{}
	for _, p := range in {
		n := normalizeIn(p, table)
		if n == "" {
			return nil, badParam("Invalid %s permission '%s'.", what, p)
		}
		if !contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// union returns a with the permissions of b it lacks appended.
func union(a, b []string) []string {
	for _, p := range b {
		if !contains(a, p) {
			a = append(a, p)
		}
	}
	return a
}

// minus returns the permissions of a that are not in b.
func minus(a, b []string) []string {
	var keep []string
	for _, p := range a {
		if !contains(b, p) {
			keep = append(keep, p)
		}
	}
	return keep
}
