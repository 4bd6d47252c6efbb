package armapi

import (
	"net/http"

	"github.com/azemu/azemu/emulator/management"
)

func identityResourceJSON(u management.UserIdentity) map[string]any {
	m := map[string]any{
		"id": management.UserIdentityID(u.Group, u.Name), "name": u.Name, "type": management.UserIdentityType, "location": u.Location,
		"tags": map[string]string{},
		"properties": map[string]any{
			"tenantId": u.TenantID, "principalId": u.PrincipalID, "clientId": u.ClientID,
			"isolationScope": isolationScope(u.IsolationScope),
		},
	}
	if u.Tags != nil {
		m["tags"] = u.Tags
	}
	return m
}

// isolationScope is the identity's isolationScope (None unless set).
func isolationScope(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// identityOp serves one user-assigned identity
// (https://learn.microsoft.com/rest/api/managedidentity/user-assigned-identities).
func (s *server) identityOp(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		u, err := s.svc.UserIdentity(ctx, group, name)
		if err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, identityResourceJSON(u))
		return nil
	case http.MethodPut, http.MethodPatch:
		var in struct {
			Location   string            `json:"location"`
			Tags       map[string]string `json:"tags"`
			Properties *struct {
				IsolationScope *string `json:"isolationScope"`
			} `json:"properties"`
		}
		if err := decodeBody(r, &in, true); err != nil {
			return err
		}
		spec := management.UserIdentitySpec{Location: in.Location, Tags: in.Tags}
		if in.Properties != nil {
			spec.IsolationScope = in.Properties.IsolationScope
		}
		u, created, err := s.svc.PutUserIdentity(ctx, group, name, spec, r.Method == http.MethodPatch)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		writeJSON(w, r, status, identityResourceJSON(u))
		return nil
	case http.MethodDelete:
		existed, err := s.svc.DeleteUserIdentity(ctx, group, name)
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

// listIdentities: GET .../Microsoft.ManagedIdentity/userAssignedIdentities.
func (s *server) listIdentities(w http.ResponseWriter, r *http.Request, group string) error {
	out := []any{}
	for _, u := range s.svc.ListUserIdentities(r.Context(), group) {
		out = append(out, identityResourceJSON(u))
	}
	return writeList(w, r, out)
}
