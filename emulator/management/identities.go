package management

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/azemu/azemu/emulator/identity"
)

func identityID(group, name string) string {
	return groupID(group) + "/providers/" + identityType + "/" + name
}

var identityNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$`)

func identityJSON(u *userIdent) map[string]any {
	m := map[string]any{
		"id": identityID(u.Group, u.Name), "name": u.Name, "type": identityType, "location": u.Location,
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

func (s *Service) identityOp(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	key := strings.ToLower(identityID(group, name))
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		u, ok := s.st.Identities[key]
		if !ok {
			return errResourceNotFound(identityType, name, group)
		}
		writeJSON(w, r, http.StatusOK, identityJSON(u))
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
		var scope *string
		if in.Properties != nil && in.Properties.IsolationScope != nil {
			v := *in.Properties.IsolationScope
			switch {
			case eq(v, "None"):
				v = "None"
			case eq(v, "Regional"):
				v = "Regional"
			default:
				return newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
					"The isolationScope '%s' is invalid. Use None or Regional.", v)
			}
			scope = &v
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.groupLocked(group)
		if err != nil {
			return err
		}
		if u, ok := s.st.Identities[key]; ok {
			if r.Method == http.MethodPut {
				if err := checkLocation(u.Name, u.Group, u.Location, in.Location); err != nil {
					return err
				}
			}
			if in.Tags != nil || r.Method == http.MethodPut {
				u.Tags = in.Tags
			}
			if scope != nil {
				u.IsolationScope = *scope
			}
			if err := s.saveLocked(); err != nil {
				return err
			}
			writeJSON(w, r, http.StatusOK, identityJSON(u))
			return nil
		}
		if r.Method == http.MethodPatch {
			return errResourceNotFound(identityType, name, group)
		}
		if !identityNameRE.MatchString(name) {
			return newError(http.StatusBadRequest, CodeInvalidResourceName,
				"Resource name '%s' is invalid. The name can contain only letters, numbers, underscores and hyphens, must start with a letter or number and be 3 to 128 characters long.", name)
		}
		if in.Location == "" {
			return newError(http.StatusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
		}
		p, err := s.cfg.Identity.RegisterManagedIdentity(ctx, identity.ManagedIdentitySpec{
			TenantID: DefaultTenant, DisplayName: name, ResourceID: identityID(g.Name, name)})
		if err != nil {
			return err
		}
		u := &userIdent{Name: name, Group: g.Name, Location: normLocation(in.Location), Tags: in.Tags,
			PrincipalID: p.ObjectID, ClientID: p.ClientID, TenantID: p.TenantID}
		if scope != nil {
			u.IsolationScope = *scope
		}
		s.st.Identities[key] = u
		if err := s.saveLocked(); err != nil {
			_ = s.cfg.Identity.RemoveManagedIdentity(ctx, p.ObjectID)
			delete(s.st.Identities, key)
			return err
		}
		writeJSON(w, r, http.StatusCreated, identityJSON(u))
		return nil
	case http.MethodDelete:
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, err := s.groupLocked(group); err != nil {
			return err
		}
		u, ok := s.st.Identities[key]
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		if err := s.deleteIdentityLocked(ctx, key, u); err != nil {
			return err
		}
		if err := s.saveLocked(); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return errMethod(r)
}

// deleteIdentityLocked removes a user-assigned identity and its principal:
// its tokens stop verifying at once and the storage accounts that use it for
// their key can no longer get a token (KeyVaultAccessTokenCannotBeAcquired).
// Accounts keep the reference, as Azure's do. Caller holds s.mu and saves.
func (s *Service) deleteIdentityLocked(ctx context.Context, key string, u *userIdent) error {
	if err := s.cfg.Identity.RemoveManagedIdentity(ctx, u.PrincipalID); err != nil && !errors.Is(err, identity.ErrPrincipalNotFound) {
		return err
	}
	delete(s.st.Identities, key)
	return nil
}

func (s *Service) sortedIdentitiesLocked(group string) []*userIdent {
	var out []*userIdent
	for _, u := range s.st.Identities {
		if group == "" || eq(u.Group, group) {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

func (s *Service) listIdentities(w http.ResponseWriter, r *http.Request, group string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, u := range s.sortedIdentitiesLocked(group) {
		out = append(out, identityJSON(u))
	}
	return writeList(w, r, out)
}
