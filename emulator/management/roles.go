package management

import (
	"net/http"
	"regexp"
	"strings"

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

func roleDefinitionID(guid string) string {
	return subscriptionID() + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
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

// vaultScope parses a role assignment scope that names a vault (or one key
// of it): /subscriptions/{sub}/resourceGroups/{g}/providers/Microsoft.KeyVault/vaults/{v}[/keys/{k}].
func vaultScope(segs []string) (group, vault, keyScope string, ok bool) {
	if len(segs) != 8 && len(segs) != 10 {
		return "", "", "", false
	}
	if !eq(segs[0], "subscriptions") || !eq(segs[1], DefaultSubscription) || !eq(segs[2], "resourceGroups") ||
		!eq(segs[4], "providers") || !eq(segs[5], "Microsoft.KeyVault") || !eq(segs[6], "vaults") {
		return "", "", "", false
	}
	if len(segs) == 10 {
		if !eq(segs[8], "keys") {
			return "", "", "", false
		}
		keyScope = "keys/" + segs[9]
	}
	return segs[3], segs[7], keyScope, true
}

func scopeString(segs []string) string { return "/" + strings.Join(segs, "/") }

func (s *Service) roleJSON(scope string, ra keyvault.RoleAssignment) map[string]any {
	guid := ""
	if r, ok := roleByRef(ra.RoleDefinition); ok {
		guid = r.guid
	}
	props := map[string]any{
		"roleDefinitionId": roleDefinitionID(guid),
		"principalId":      ra.PrincipalID,
		"scope":            scope,
	}
	if m, ok := s.st.Roles[strings.ToLower(ra.ID)]; ok {
		if m.PrincipalType != "" {
			props["principalType"] = m.PrincipalType
		}
		props["createdOn"] = rfc3339(m.Created)
		props["updatedOn"] = rfc3339(m.Created)
	}
	return map[string]any{
		"id":   scope + "/providers/Microsoft.Authorization/roleAssignments/" + ra.ID,
		"name": ra.ID, "type": "Microsoft.Authorization/roleAssignments", "properties": props,
	}
}

// roleAssignments serves {scope}/providers/Microsoft.Authorization/roleAssignments[/{name}]
// for scopes that name a vault or a key of a vault: these are the vault's
// RBAC assignments, which the vault service checks on every key operation.
func (s *Service) roleAssignments(w http.ResponseWriter, r *http.Request, scopeSegs []string, name string) error {
	ctx := r.Context()
	group, vaultName, keyScope, ok := vaultScope(scopeSegs)
	if !ok {
		if name == "" && r.Method == http.MethodGet {
			writeJSON(w, r, http.StatusOK, map[string]any{"value": []any{}})
			return nil
		}
		return newError(http.StatusBadRequest, CodeUnsupportedScope,
			"azemu supports role assignments only at the scope of a key vault (or a key in it): '%s'.", scopeString(scopeSegs))
	}
	if name != "" && !guidRE.MatchString(name) {
		return newError(http.StatusBadRequest, CodeInvalidRoleAssignmentID, "The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vaultLocked(r, group, vaultName)
	if err != nil {
		return err
	}
	scope := vaultID(s.vaultGroupLocked(v.Name), v.Name)
	if keyScope != "" {
		scope += "/" + keyScope
	}
	list, err := s.cfg.Vault.ListRoleAssignments(ctx, v.Name)
	if err != nil {
		return fromVault(err)
	}
	find := func() (keyvault.RoleAssignment, bool) {
		for _, ra := range list {
			if eq(ra.ID, name) {
				return ra, true
			}
		}
		return keyvault.RoleAssignment{}, false
	}
	notFound := func() error {
		return newError(http.StatusNotFound, CodeRoleAssignmentNotFound, "The role assignment '%s' is not found.", name)
	}
	switch {
	case name == "" && r.Method == http.MethodGet:
		out := []any{}
		filter := strings.ToLower(r.URL.Query().Get("$filter"))
		for _, ra := range list {
			if keyScope != "" && !eq(ra.Scope, keyScope) {
				continue
			}
			if strings.Contains(filter, "principalid eq") && !strings.Contains(filter, strings.ToLower(ra.PrincipalID)) {
				continue
			}
			sc := vaultID(s.vaultGroupLocked(v.Name), v.Name)
			if ra.Scope != "" {
				sc += "/" + ra.Scope
			}
			out = append(out, s.roleJSON(sc, ra))
		}
		return writeList(w, r, out)
	case name == "":
		return errMethod(r)
	case r.Method == http.MethodGet:
		ra, ok := find()
		if !ok {
			return notFound()
		}
		writeJSON(w, r, http.StatusOK, s.roleJSON(scope, ra))
		return nil
	case r.Method == http.MethodPut:
		var in struct {
			Properties struct {
				RoleDefinitionID string `json:"roleDefinitionId"`
				PrincipalID      string `json:"principalId"`
				PrincipalType    string `json:"principalType"`
			} `json:"properties"`
		}
		if err := decodeBody(r, &in, true); err != nil {
			return err
		}
		role, ok := roleByRef(in.Properties.RoleDefinitionID)
		if !ok {
			return newError(http.StatusBadRequest, CodeRoleDefinitionDoesNotExist,
				"The specified role definition with ID '%s' does not exist (azemu knows the Key Vault data roles).", in.Properties.RoleDefinitionID)
		}
		if !guidRE.MatchString(in.Properties.PrincipalID) {
			return newError(http.StatusBadRequest, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.")
		}
		_, existed := find()
		for _, ra := range list {
			if r, ok := roleByRef(ra.RoleDefinition); ok && r.guid == role.guid && !eq(ra.ID, name) &&
				eq(ra.PrincipalID, in.Properties.PrincipalID) && eq(ra.Scope, keyScope) {
				// ARM refuses a second assignment of the same role to the
				// same principal at the same scope.
				return newError(http.StatusConflict, CodeRoleAssignmentExists, "The role assignment already exists.")
			}
		}
		ra, err := s.cfg.Vault.AssignRole(ctx, v.Name, keyvault.RoleAssignment{
			ID: strings.ToLower(name), PrincipalID: strings.ToLower(in.Properties.PrincipalID),
			RoleDefinition: role.guid, Scope: keyScope})
		if err != nil {
			return fromVault(err)
		}
		s.st.Roles[strings.ToLower(name)] = &roleMeta{PrincipalType: in.Properties.PrincipalType, Created: s.cfg.Now().UTC()}
		if err := s.saveLocked(); err != nil {
			return err
		}
		status := http.StatusCreated
		if existed {
			status = http.StatusOK
		}
		writeJSON(w, r, status, s.roleJSON(scope, ra))
		return nil
	case r.Method == http.MethodDelete:
		ra, ok := find()
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		if err := s.cfg.Vault.RemoveRoleAssignment(ctx, v.Name, ra.ID); err != nil {
			return fromVault(err)
		}
		body := s.roleJSON(scope, ra)
		delete(s.st.Roles, strings.ToLower(ra.ID))
		if err := s.saveLocked(); err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, body)
		return nil
	}
	return errMethod(r)
}
