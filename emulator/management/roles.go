package management

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/azemu/azemu/keyvault"
)

// builtinRole is a Key Vault built-in role azemu knows.
type builtinRole struct{ name, guid string }

// keyVaultRoles are the Key Vault data-plane roles (their well-known GUIDs).
func keyVaultRoles() []builtinRole {
	return []builtinRole{
		{keyvault.RoleKeyVaultAdministrator, "00482a5a-887f-4fb3-b363-3b7fe8e74483"},
		{keyvault.RoleKeyVaultCryptoOfficer, "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"},
		{keyvault.RoleKeyVaultCryptoUser, "12338af0-0e69-4776-bea7-57ae8d297424"},
		{keyvault.RoleKeyVaultCryptoServiceEncryptionUser, "e147488a-f6f5-4113-8e2d-b22465e65bf6"},
		{keyvault.RoleKeyVaultReader, "21090545-7ca7-4776-b22c-e363652d74d2"},
	}
}

// RoleDefinitionID is the ARM id of a built-in role definition.
func RoleDefinitionID(guid string) string {
	return SubscriptionID() + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
}

// roleByRef resolves a roleDefinitionId (or a bare GUID or role name).
func roleByRef(ref string) (builtinRole, bool) {
	ref = strings.TrimRight(ref, "/")
	last := ref[strings.LastIndexByte(ref, '/')+1:]
	for _, r := range keyVaultRoles() {
		if eq(last, r.guid) || eq(ref, r.name) {
			return r, true
		}
	}
	return builtinRole{}, false
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// RoleScope is a scope role assignments can be made at: a vault, or one
// key of it (Key non-empty).
type RoleScope struct {
	Group, Vault, Key string
}

// RoleAssignment is a role assignment as ARM shows it.
type RoleAssignment struct {
	ID               string // the assignment's name (a GUID)
	Scope            string // the ARM id of the vault or key
	RoleDefinitionID string // the ARM id of the role definition
	PrincipalID      string
	PrincipalType    string
	// Created is when ARM made the assignment; nil for one made otherwise.
	Created *time.Time
}

// RoleAssignmentSpec is what a PUT of a role assignment gives (the
// properties of RoleAssignmentCreateParameters).
type RoleAssignmentSpec struct {
	RoleDefinitionID string `json:"roleDefinitionId"`
	PrincipalID      string `json:"principalId"`
	PrincipalType    string `json:"principalType"`
}

// roleCtx is a resolved scope: the vault and the role assignments on it.
type roleCtx struct {
	vault    keyvault.Vault
	keyScope string // "keys/<name>" or ""
	scope    string // ARM id of the scope
	list     []keyvault.RoleAssignment
}

// roleScopeLocked resolves a scope and lists its vault's assignments.
// Caller holds s.mu.
func (s *Service) roleScopeLocked(ctx context.Context, sc RoleScope) (roleCtx, error) {
	v, err := s.vaultLocked(ctx, sc.Group, sc.Vault)
	if err != nil {
		return roleCtx{}, err
	}
	rc := roleCtx{vault: v, scope: VaultID(s.vaultGroupLocked(v.Name), v.Name)}
	if sc.Key != "" {
		rc.keyScope = "keys/" + sc.Key
		rc.scope += "/" + rc.keyScope
	}
	if rc.list, err = s.cfg.Vault.ListRoleAssignments(ctx, v.Name); err != nil {
		return roleCtx{}, fromVault(err)
	}
	return rc, nil
}

func (rc roleCtx) find(name string) (keyvault.RoleAssignment, bool) {
	for _, ra := range rc.list {
		if eq(ra.ID, name) {
			return ra, true
		}
	}
	return keyvault.RoleAssignment{}, false
}

// viewLocked renders a vault role assignment at scope. Caller holds s.mu.
func (s *Service) roleViewLocked(scope string, ra keyvault.RoleAssignment) RoleAssignment {
	guid := ""
	if r, ok := roleByRef(ra.RoleDefinition); ok {
		guid = r.guid
	}
	out := RoleAssignment{ID: ra.ID, Scope: scope, RoleDefinitionID: RoleDefinitionID(guid), PrincipalID: ra.PrincipalID}
	if m, ok := s.st.Roles[strings.ToLower(ra.ID)]; ok {
		out.PrincipalType = m.PrincipalType
		c := m.Created
		out.Created = &c
	}
	return out
}

func checkRoleAssignmentName(name string) error {
	if !guidRE.MatchString(name) {
		return newError(statusBadRequest, CodeInvalidRoleAssignmentID, "The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", name)
	}
	return nil
}

func errRoleAssignmentNotFound(name string) error {
	return newError(statusNotFound, CodeRoleAssignmentNotFound, "The role assignment '%s' is not found.", name)
}

// RoleAssignments lists the assignments at a vault (every assignment of the
// vault, each at its own scope) or at a key of it (those at that key).
func (s *Service) RoleAssignments(ctx context.Context, sc RoleScope) ([]RoleAssignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc, err := s.roleScopeLocked(ctx, sc)
	if err != nil {
		return nil, err
	}
	out := []RoleAssignment{}
	for _, ra := range rc.list {
		if rc.keyScope != "" && !eq(ra.Scope, rc.keyScope) {
			continue
		}
		scope := VaultID(s.vaultGroupLocked(rc.vault.Name), rc.vault.Name)
		if ra.Scope != "" {
			scope += "/" + ra.Scope
		}
		out = append(out, s.roleViewLocked(scope, ra))
	}
	return out, nil
}

// RoleAssignment returns one assignment by name.
func (s *Service) RoleAssignment(ctx context.Context, sc RoleScope, name string) (RoleAssignment, error) {
	if err := checkRoleAssignmentName(name); err != nil {
		return RoleAssignment{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rc, err := s.roleScopeLocked(ctx, sc)
	if err != nil {
		return RoleAssignment{}, err
	}
	ra, ok := rc.find(name)
	if !ok {
		return RoleAssignment{}, errRoleAssignmentNotFound(name)
	}
	return s.roleViewLocked(rc.scope, ra), nil
}

// PutRoleAssignment assigns one of the Key Vault data roles to a principal
// at a scope; the vault checks it on every key operation. created reports a
// new assignment.
func (s *Service) PutRoleAssignment(ctx context.Context, sc RoleScope, name string, in RoleAssignmentSpec) (ra RoleAssignment, created bool, err error) {
	if err := checkRoleAssignmentName(name); err != nil {
		return RoleAssignment{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rc, err := s.roleScopeLocked(ctx, sc)
	if err != nil {
		return RoleAssignment{}, false, err
	}
	role, ok := roleByRef(in.RoleDefinitionID)
	if !ok {
		return RoleAssignment{}, false, newError(statusBadRequest, CodeRoleDefinitionDoesNotExist,
			"The specified role definition with ID '%s' does not exist (azemu knows the Key Vault data roles).", in.RoleDefinitionID)
	}
	if !guidRE.MatchString(in.PrincipalID) {
		return RoleAssignment{}, false, newError(statusBadRequest, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.")
	}
	_, existed := rc.find(name)
	for _, ra := range rc.list {
		if r, ok := roleByRef(ra.RoleDefinition); ok && r.guid == role.guid && !eq(ra.ID, name) &&
			eq(ra.PrincipalID, in.PrincipalID) && eq(ra.Scope, rc.keyScope) {
			// ARM refuses a second assignment of the same role to the
			// same principal at the same scope.
			return RoleAssignment{}, false, newError(statusConflict, CodeRoleAssignmentExists, "The role assignment already exists.")
		}
	}
	got, err := s.cfg.Vault.AssignRole(ctx, rc.vault.Name, keyvault.RoleAssignment{
		ID: strings.ToLower(name), PrincipalID: strings.ToLower(in.PrincipalID),
		RoleDefinition: role.guid, Scope: rc.keyScope})
	if err != nil {
		return RoleAssignment{}, false, fromVault(err)
	}
	s.st.Roles[strings.ToLower(name)] = &roleMeta{PrincipalType: in.PrincipalType, Created: s.cfg.Now().UTC()}
	if err := s.saveLocked(); err != nil {
		return RoleAssignment{}, false, err
	}
	return s.roleViewLocked(rc.scope, got), !existed, nil
}

// DeleteRoleAssignment removes an assignment and returns it; existed is
// false when there was none (ARM answers 204 then).
func (s *Service) DeleteRoleAssignment(ctx context.Context, sc RoleScope, name string) (ra RoleAssignment, existed bool, err error) {
	if err := checkRoleAssignmentName(name); err != nil {
		return RoleAssignment{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rc, err := s.roleScopeLocked(ctx, sc)
	if err != nil {
		return RoleAssignment{}, false, err
	}
	cur, ok := rc.find(name)
	if !ok {
		return RoleAssignment{}, false, nil
	}
	if err := s.cfg.Vault.RemoveRoleAssignment(ctx, rc.vault.Name, cur.ID); err != nil {
		return RoleAssignment{}, true, fromVault(err)
	}
	view := s.roleViewLocked(rc.scope, cur)
	delete(s.st.Roles, strings.ToLower(cur.ID))
	return view, true, s.saveLocked()
}
