package armapi

import (
	"net/http"
	"strings"

	"github.com/azemu/azemu/emulator/management"
)

// vaultScope parses a role assignment scope that names a vault (or one key
// of it): /subscriptions/{sub}/resourceGroups/{g}/providers/Microsoft.KeyVault/vaults/{v}[/keys/{k}].
func vaultScope(segs []string) (management.RoleScope, bool) {
	if len(segs) != 8 && len(segs) != 10 {
		return management.RoleScope{}, false
	}
	if !eq(segs[0], "subscriptions") || !eq(segs[1], management.DefaultSubscription) || !eq(segs[2], "resourceGroups") ||
		!eq(segs[4], "providers") || !eq(segs[5], "Microsoft.KeyVault") || !eq(segs[6], "vaults") {
		return management.RoleScope{}, false
	}
	sc := management.RoleScope{Group: segs[3], Vault: segs[7]}
	if len(segs) == 10 {
		if !eq(segs[8], "keys") {
			return management.RoleScope{}, false
		}
		sc.Key = segs[9]
	}
	return sc, true
}

func scopeString(segs []string) string { return "/" + strings.Join(segs, "/") }

func roleJSON(ra management.RoleAssignment) map[string]any {
	props := map[string]any{
		"roleDefinitionId": ra.RoleDefinitionID,
		"principalId":      ra.PrincipalID,
		"scope":            ra.Scope,
	}
	if ra.PrincipalType != "" {
		props["principalType"] = ra.PrincipalType
	}
	if ra.Created != nil {
		props["createdOn"] = rfc3339(*ra.Created)
		props["updatedOn"] = rfc3339(*ra.Created)
	}
	return map[string]any{
		"id":   ra.Scope + "/providers/Microsoft.Authorization/roleAssignments/" + ra.ID,
		"name": ra.ID, "type": "Microsoft.Authorization/roleAssignments", "properties": props,
	}
}

// roleAssignments serves {scope}/providers/Microsoft.Authorization/roleAssignments[/{name}]
// (https://learn.microsoft.com/rest/api/authorization/role-assignments) for
// scopes that name a vault or a key of a vault: these are the vault's RBAC
// assignments, which the vault service checks on every key operation.
func (s *server) roleAssignments(w http.ResponseWriter, r *http.Request, scopeSegs []string, name string) error {
	sc, ok := vaultScope(scopeSegs)
	if !ok {
		if name == "" && r.Method == http.MethodGet {
			writeJSON(w, r, http.StatusOK, map[string]any{"value": []any{}})
			return nil
		}
		return newError(http.StatusBadRequest, management.CodeUnsupportedScope,
			"azemu supports role assignments only at the scope of a key vault (or a key in it): '%s'.", scopeString(scopeSegs))
	}
	switch {
	case name == "" && r.Method == http.MethodGet:
		return s.listRoleAssignments(w, r, sc)
	case name == "":
		return errMethod(r)
	case r.Method == http.MethodGet:
		ra, err := s.svc.RoleAssignment(r.Context(), sc, name)
		if err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, roleJSON(ra))
		return nil
	case r.Method == http.MethodPut:
		return s.putRoleAssignment(w, r, sc, name)
	case r.Method == http.MethodDelete:
		ra, existed, err := s.svc.DeleteRoleAssignment(r.Context(), sc, name)
		if err != nil {
			return err
		}
		if !existed {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		writeJSON(w, r, http.StatusOK, roleJSON(ra))
		return nil
	}
	return errMethod(r)
}

// listRoleAssignments lists a scope's assignments; $filter
// "principalId eq '<id>'" keeps those of one principal.
func (s *server) listRoleAssignments(w http.ResponseWriter, r *http.Request, sc management.RoleScope) error {
	list, err := s.svc.RoleAssignments(r.Context(), sc)
	if err != nil {
		return err
	}
	filter := strings.ToLower(r.URL.Query().Get("$filter"))
	out := []any{}
	for _, ra := range list {
		if strings.Contains(filter, "principalid eq") && !strings.Contains(filter, strings.ToLower(ra.PrincipalID)) {
			continue
		}
		out = append(out, roleJSON(ra))
	}
	return writeList(w, r, out)
}

func (s *server) putRoleAssignment(w http.ResponseWriter, r *http.Request, sc management.RoleScope, name string) error {
	var in struct {
		Properties management.RoleAssignmentSpec `json:"properties"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	ra, created, err := s.svc.PutRoleAssignment(r.Context(), sc, name, in.Properties)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, r, status, roleJSON(ra))
	return nil
}
