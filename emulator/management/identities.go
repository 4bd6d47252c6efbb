package management

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"sort"
	"strings"

	"github.com/azemu/azemu/emulator/identity"
)

var identityNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$`)

// UserIdentitySpec is what a PUT or PATCH of a user-assigned identity gives.
type UserIdentitySpec struct {
	Location string
	Tags     map[string]string
	// IsolationScope is "None" or "Regional" (any case); nil leaves it.
	IsolationScope *string
}

func (u *UserIdentity) clone() UserIdentity {
	c := *u
	c.Tags = maps.Clone(u.Tags)
	return c
}

// UserIdentity returns a user-assigned identity.
func (s *Service) UserIdentity(_ context.Context, group, name string) (UserIdentity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.st.Identities[strings.ToLower(UserIdentityID(group, name))]
	if !ok {
		return UserIdentity{}, errResourceNotFound(UserIdentityType, name, group)
	}
	return u.clone(), nil
}

// normScope checks an isolationScope and spells it as ARM does.
func normScope(v *string) (*string, error) {
	if v == nil {
		return nil, nil
	}
	var out string
	switch {
	case eq(*v, "None"):
		out = "None"
	case eq(*v, "Regional"):
		out = "Regional"
	default:
		return nil, newError(statusBadRequest, CodeInvalidRequestPropertyValue,
			"The isolationScope '%s' is invalid. Use None or Regional.", *v)
	}
	return &out, nil
}

// PutUserIdentity creates a user-assigned identity (registering its
// principal with the token authority) or updates its tags and isolation
// scope. PATCH (patch true) needs the identity to exist. created reports a
// new identity.
func (s *Service) PutUserIdentity(ctx context.Context, group, name string, in UserIdentitySpec, patch bool) (u UserIdentity, created bool, err error) {
	scope, err := normScope(in.IsolationScope)
	if err != nil {
		return UserIdentity{}, false, err
	}
	key := strings.ToLower(UserIdentityID(group, name))
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(group)
	if err != nil {
		return UserIdentity{}, false, err
	}
	if cur, ok := s.st.Identities[key]; ok {
		if !patch {
			if err := checkLocation(cur.Name, cur.Group, cur.Location, in.Location); err != nil {
				return UserIdentity{}, false, err
			}
		}
		if in.Tags != nil || !patch {
			cur.Tags = in.Tags
		}
		if scope != nil {
			cur.IsolationScope = *scope
		}
		if err := s.saveLocked(); err != nil {
			return UserIdentity{}, false, err
		}
		return cur.clone(), false, nil
	}
	if patch {
		return UserIdentity{}, false, errResourceNotFound(UserIdentityType, name, group)
	}
	nu, err := s.createIdentityLocked(ctx, g, name, in, scope)
	if err != nil {
		return UserIdentity{}, false, err
	}
	return nu.clone(), true, nil
}

// createIdentityLocked registers the principal of a new user-assigned
// identity and records it. Caller holds s.mu.
func (s *Service) createIdentityLocked(ctx context.Context, g *Group, name string, in UserIdentitySpec, scope *string) (*UserIdentity, error) {
	if !identityNameRE.MatchString(name) {
		return nil, newError(statusBadRequest, CodeInvalidResourceName,
			"Resource name '%s' is invalid. The name can contain only letters, numbers, underscores and hyphens, must start with a letter or number and be 3 to 128 characters long.", name)
	}
	if in.Location == "" {
		return nil, newError(statusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
	}
	p, err := s.cfg.Identity.RegisterManagedIdentity(ctx, identity.ManagedIdentitySpec{
		TenantID: DefaultTenant, DisplayName: name, ResourceID: UserIdentityID(g.Name, name)})
	if err != nil {
		return nil, err
	}
	u := &UserIdentity{Name: name, Group: g.Name, Location: NormLocation(in.Location), Tags: in.Tags,
		PrincipalID: p.ObjectID, ClientID: p.ClientID, TenantID: p.TenantID}
	if scope != nil {
		u.IsolationScope = *scope
	}
	key := strings.ToLower(UserIdentityID(g.Name, name))
	s.st.Identities[key] = u
	if err := s.saveLocked(); err != nil {
		_ = s.cfg.Identity.RemoveManagedIdentity(ctx, p.ObjectID)
		delete(s.st.Identities, key)
		return nil, err
	}
	return u, nil
}

// DeleteUserIdentity deletes a user-assigned identity; existed is false
// when there was none (ARM answers 204 then).
func (s *Service) DeleteUserIdentity(ctx context.Context, group, name string) (existed bool, err error) {
	key := strings.ToLower(UserIdentityID(group, name))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.groupLocked(group); err != nil {
		return false, err
	}
	u, ok := s.st.Identities[key]
	if !ok {
		return false, nil
	}
	if err := s.deleteIdentityLocked(ctx, key, u); err != nil {
		return true, err
	}
	return true, s.saveLocked()
}

// deleteIdentityLocked removes a user-assigned identity and its principal:
// its tokens stop verifying at once and the storage accounts that use it for
// their key can no longer get a token (KeyVaultAccessTokenCannotBeAcquired).
// Accounts keep the reference, as Azure's do. Caller holds s.mu and saves.
func (s *Service) deleteIdentityLocked(ctx context.Context, key string, u *UserIdentity) error {
	if err := s.cfg.Identity.RemoveManagedIdentity(ctx, u.PrincipalID); err != nil && !errors.Is(err, identity.ErrPrincipalNotFound) {
		return err
	}
	delete(s.st.Identities, key)
	return nil
}

func (s *Service) sortedIdentitiesLocked(group string) []*UserIdentity {
	var out []*UserIdentity
	for _, u := range s.st.Identities {
		if group == "" || eq(u.Group, group) {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// ListUserIdentities returns the user-assigned identities of a group ("" =
// all), ordered by name.
func (s *Service) ListUserIdentities(_ context.Context, group string) []UserIdentity {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []UserIdentity{}
	for _, u := range s.sortedIdentitiesLocked(group) {
		out = append(out, u.clone())
	}
	return out
}
