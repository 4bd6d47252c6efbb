package management

import (
	"context"
	"maps"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GroupSpec is what a PUT or PATCH of a resource group gives.
type GroupSpec struct {
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags"`
}

// Resource is one entry of the generic resource list.
type Resource struct {
	ID, Name, Type, Group, Location string
	Tags                            map[string]string
	// Kind and SKU are set for storage accounts.
	Kind, SKU string
}

func (g *Group) clone() Group {
	c := *g
	c.Tags = maps.Clone(g.Tags)
	return c
}

// CheckGroup returns ResourceGroupNotFound unless the group exists.
func (s *Service) CheckGroup(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.groupLocked(name)
	return err
}

func (s *Service) groupLocked(name string) (*Group, error) {
	g, ok := s.st.Groups[strings.ToLower(name)]
	if !ok {
		return nil, errGroupNotFound(name)
	}
	return g, nil
}

// Group returns a resource group.
func (s *Service) Group(_ context.Context, name string) (Group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(name)
	if err != nil {
		return Group{}, err
	}
	return g.clone(), nil
}

// ListGroups returns every resource group, ordered by name.
func (s *Service) ListGroups(_ context.Context) []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.st.Groups))
	for k := range s.st.Groups {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]Group, 0, len(names))
	for _, k := range names {
		out = append(out, s.st.Groups[k].clone())
	}
	return out
}

// checkGroupName refuses what ARM refuses in a resource group name: more
// than 90 characters, a trailing period, or any character other than a
// letter, a digit, '-', '.', '(', ')' or '_' (400 InvalidResourceGroup).
func checkGroupName(name string) error {
	var bad strings.Builder
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune("-._()", c) {
			bad.WriteRune(c)
		}
	}
	switch {
	case bad.Len() > 0:
		return newError(statusBadRequest, CodeInvalidResourceGroup,
			"The provided resource group name '%s' has these invalid characters: '%s'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.", name, bad.String())
	case utf8.RuneCountInString(name) > 90:
		return newError(statusBadRequest, CodeInvalidResourceGroup,
			"The provided resource group name '%s' is too long. A resource group name can be at most 90 characters.", name)
	case strings.HasSuffix(name, "."):
		return newError(statusBadRequest, CodeInvalidResourceGroup,
			"The provided resource group name '%s' ends with a period. A resource group name cannot end with a period.", name)
	}
	return nil
}

// PutGroup creates a group or updates its tags. A PUT (patch false) replaces
// the tags and refuses another location; a PATCH changes only what it gives
// and needs the group to exist. created reports a new group.
func (s *Service) PutGroup(_ context.Context, name string, in GroupSpec, patch bool) (g Group, created bool, err error) {
	if err := checkGroupName(name); err != nil {
		return Group{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.st.Groups[strings.ToLower(name)]
	switch {
	case !ok && patch:
		return Group{}, false, errGroupNotFound(name)
	case !ok && in.Location == "":
		return Group{}, false, newError(statusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
	case !ok:
		cur = &Group{Name: name, Location: NormLocation(in.Location)}
		created = true
	case in.Location != "" && !eq(NormLocation(in.Location), NormLocation(cur.Location)) && !patch:
		return Group{}, false, newError(statusConflict, "InvalidResourceGroupLocation",
			"Invalid resource group location '%s'. The Resource group already exists in location '%s'.", NormLocation(in.Location), cur.Location)
	}
	if in.Tags != nil || !patch {
		cur.Tags = in.Tags
	}
	s.st.Groups[strings.ToLower(name)] = cur
	if err := s.saveLocked(); err != nil {
		return Group{}, false, err
	}
	return cur.clone(), created, nil
}

// DeleteGroup deletes a group with everything in it (accounts, identities,
// vaults, which are soft-deleted as Azure does). The default group stays:
// devstoreaccount1 and devvault live there.
func (s *Service) DeleteGroup(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(name)
	if err != nil {
		return err
	}
	if eq(g.Name, DefaultGroup) {
		return newError(statusConflict, "ResourceGroupDeletionBlocked",
			"The resource group '%s' holds azemu's development account and vault and cannot be deleted.", g.Name)
	}
	for _, a := range s.accountsInLocked(g.Name) {
		if err := s.deleteAccountLocked(ctx, a); err != nil {
			return err
		}
	}
	for key, u := range s.st.Identities {
		if eq(u.Group, g.Name) {
			if err := s.deleteIdentityLocked(ctx, key, u); err != nil {
				return err
			}
		}
	}
	for vn, vg := range s.st.Vaults {
		if !eq(vg, g.Name) {
			continue
		}
		if _, err := s.cfg.Vault.GetVault(ctx, vn); err == nil {
			if err := s.cfg.Vault.DeleteVault(ctx, vn); err != nil {
				return fromVault(err)
			}
		}
	}
	delete(s.st.Groups, strings.ToLower(g.Name))
	return s.saveLocked()
}

// ListResources is the generic resource list of a group ("" = the whole
// subscription): storage accounts, user-assigned identities and vaults, in
// that order, each ordered by name.
func (s *Service) ListResources(ctx context.Context, group string) ([]Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if group != "" {
		if _, err := s.groupLocked(group); err != nil {
			return nil, err
		}
	}
	var out []Resource
	for _, a := range s.sortedAccountsLocked(group) {
		out = append(out, Resource{ID: AccountID(a.Group, a.Name), Name: a.Name, Type: AccountType, Group: a.Group,
			Location: a.Location, Tags: maps.Clone(a.Tags), Kind: a.Kind, SKU: a.SKU})
	}
	for _, u := range s.sortedIdentitiesLocked(group) {
		out = append(out, Resource{ID: UserIdentityID(u.Group, u.Name), Name: u.Name, Type: UserIdentityType, Group: u.Group,
			Location: u.Location, Tags: maps.Clone(u.Tags)})
	}
	for _, v := range s.cfg.Vault.ListVaults(ctx) {
		vg := s.vaultGroupLocked(v.Name)
		if group != "" && !eq(vg, group) {
			continue
		}
		out = append(out, Resource{ID: VaultID(vg, v.Name), Name: v.Name, Type: VaultType, Group: vg,
			Location: v.Location, Tags: maps.Clone(v.Tags)})
	}
	return out, nil
}
