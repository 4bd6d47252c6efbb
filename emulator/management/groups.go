package management

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

func subscriptionID() string { return "/subscriptions/" + DefaultSubscription }

func groupID(g string) string { return subscriptionID() + "/resourceGroups/" + g }

func (s *Service) listTenants(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, map[string]any{"value": []any{map[string]any{
		"id": "/tenants/" + DefaultTenant, "tenantId": DefaultTenant, "tenantCategory": "Home",
		"displayName": "azemu", "defaultDomain": "azemu.localhost",
	}}})
	return nil
}

func subscriptionJSON() map[string]any {
	return map[string]any{
		"id": subscriptionID(), "subscriptionId": DefaultSubscription, "tenantId": DefaultTenant,
		"displayName": "azemu", "state": "Enabled",
		"subscriptionPolicies": map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "azemu", "spendingLimit": "Off"},
		"authorizationSource":  "RoleBased",
	}
}

func (s *Service) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, map[string]any{"value": []any{subscriptionJSON()}})
	return nil
}

func (s *Service) getSubscription(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, subscriptionJSON())
	return nil
}

// checkGroup returns ResourceGroupNotFound unless the group exists.
func (s *Service) checkGroup(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.groupLocked(name)
	return err
}

func (s *Service) groupLocked(name string) (*group, error) {
	g, ok := s.st.Groups[strings.ToLower(name)]
	if !ok {
		return nil, errGroupNotFound(name)
	}
	return g, nil
}

func groupJSON(g *group) map[string]any {
	m := map[string]any{
		"id": groupID(g.Name), "name": g.Name, "type": "Microsoft.Resources/resourceGroups",
		"location": g.Location, "properties": map[string]any{"provisioningState": "Succeeded"},
	}
	if len(g.Tags) > 0 {
		m["tags"] = g.Tags
	}
	return m
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
		return newError(http.StatusBadRequest, CodeInvalidResourceGroup,
			"The provided resource group name '%s' has these invalid characters: '%s'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.", name, bad.String())
	case utf8.RuneCountInString(name) > 90:
		return newError(http.StatusBadRequest, CodeInvalidResourceGroup,
			"The provided resource group name '%s' is too long. A resource group name can be at most 90 characters.", name)
	case strings.HasSuffix(name, "."):
		return newError(http.StatusBadRequest, CodeInvalidResourceGroup,
			"The provided resource group name '%s' ends with a period. A resource group name cannot end with a period.", name)
	}
	return nil
}

func (s *Service) groupOp(w http.ResponseWriter, r *http.Request, name string) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.mu.Lock()
		g, err := s.groupLocked(name)
		var body map[string]any
		if err == nil {
			body = groupJSON(g)
		}
		s.mu.Unlock()
		if err != nil {
			if r.Method == http.MethodHead {
				writeJSON(w, r, http.StatusNotFound, nil)
				return nil
			}
			return err
		}
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		writeJSON(w, r, http.StatusOK, body)
		return nil
	case http.MethodPut, http.MethodPatch:
		var in struct {
			Location string            `json:"location"`
			Tags     map[string]string `json:"tags"`
		}
		if err := decodeBody(r, &in, true); err != nil {
			return err
		}
		if err := checkGroupName(name); err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, ok := s.st.Groups[strings.ToLower(name)]
		status := http.StatusOK
		if !ok {
			if r.Method == http.MethodPatch {
				return errGroupNotFound(name)
			}
			if in.Location == "" {
				return newError(http.StatusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
			}
			g = &group{Name: name, Location: normLocation(in.Location)}
			status = http.StatusCreated
		} else if in.Location != "" && !eq(normLocation(in.Location), normLocation(g.Location)) && r.Method == http.MethodPut {
			return newError(http.StatusConflict, "InvalidResourceGroupLocation",
				"Invalid resource group location '%s'. The Resource group already exists in location '%s'.", normLocation(in.Location), g.Location)
		}
		if in.Tags != nil || r.Method == http.MethodPut {
			g.Tags = in.Tags
		}
		s.st.Groups[strings.ToLower(name)] = g
		if err := s.saveLocked(); err != nil {
			return err
		}
		writeJSON(w, r, status, groupJSON(g))
		return nil
	case http.MethodDelete:
		return s.deleteGroup(w, r, name)
	}
	return errMethod(r)
}

func (s *Service) listGroups(w http.ResponseWriter, r *http.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.st.Groups))
	for k := range s.st.Groups {
		names = append(names, k)
	}
	sort.Strings(names)
	tags, byTag := groupTagFilter(r.URL.Query().Get("$filter"))
	out := []any{}
	for _, k := range names {
		g := s.st.Groups[k]
		if byTag && !tags.match(g.Tags) {
			continue
		}
		out = append(out, groupJSON(g))
	}
	return writeList(w, r, out)
}

var (
	tagNameFilterRE  = regexp.MustCompile(`(?i)\btagName\s+eq\s+'([^']*)'`)
	tagValueFilterRE = regexp.MustCompile(`(?i)\btagValue\s+eq\s+'([^']*)'`)
)

// tagFilter is the resource group list's $filter
// "tagName eq 'n' [and tagValue eq 'v']"; value nil matches any value.
type tagFilter struct {
	name  string
	value *string
}

func groupTagFilter(f string) (tagFilter, bool) {
	m := tagNameFilterRE.FindStringSubmatch(f)
	if m == nil {
		return tagFilter{}, false
	}
	tf := tagFilter{name: m[1]}
	if v := tagValueFilterRE.FindStringSubmatch(f); v != nil {
		tf.value = &v[1]
	}
	return tf, true
}

// match reports whether tags has the filter's name (case-insensitively)
// with its value.
func (f tagFilter) match(tags map[string]string) bool {
	for k, v := range tags {
		if eq(k, f.name) && (f.value == nil || v == *f.value) {
			return true
		}
	}
	return false
}

// deleteGroup deletes a group with everything in it (accounts, identities,
// vaults, which are soft-deleted as Azure does). The default group stays:
// devstoreaccount1 and devvault live there.
func (s *Service) deleteGroup(w http.ResponseWriter, r *http.Request, name string) error {
	ctx := r.Context()
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(name)
	if err != nil {
		return err
	}
	if eq(g.Name, DefaultGroup) {
		return newError(http.StatusConflict, "ResourceGroupDeletionBlocked",
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
	if err := s.saveLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// resourceFilterRE reads the clauses of the generic list's $filter that
// azemu understands: resourceType, resourceGroup, name and location
// equality, joined by "and".
var resourceFilterRE = regexp.MustCompile(`(?i)\b(resourceType|resourceGroup|name|location)\s+eq\s+'([^']*)'`)

// resourceFilter is a parsed $filter: property (lower case) → wanted value.
type resourceFilter map[string]string

func parseResourceFilter(f string) resourceFilter {
	out := resourceFilter{}
	for _, m := range resourceFilterRE.FindAllStringSubmatch(f, -1) {
		out[strings.ToLower(m[1])] = m[2]
	}
	return out
}

func (f resourceFilter) match(typ, group, name, location string) bool {
	for k, v := range f {
		got := map[string]string{"resourcetype": typ, "resourcegroup": group, "name": name, "location": location}[k]
		if k == "location" {
			v = normLocation(v)
		}
		if !eq(got, v) {
			return false
		}
	}
	return true
}

// listResources is the generic resource list (armkeyvault's VaultsClient
// lists vaults through it with $filter=resourceType eq '...').
func (s *Service) listResources(w http.ResponseWriter, r *http.Request, grp string) error {
	filter := parseResourceFilter(r.URL.Query().Get("$filter"))
	ctx := r.Context()
	s.mu.Lock()
	defer s.mu.Unlock()
	if grp != "" {
		if _, err := s.groupLocked(grp); err != nil {
			return err
		}
	}
	var out []any
	add := func(group, id, name, t, loc string, tags map[string]string, extra map[string]any) {
		if !filter.match(t, group, name, loc) {
			return
		}
		m := map[string]any{"id": id, "name": name, "type": t, "location": loc}
		if len(tags) > 0 {
			m["tags"] = tags
		}
		for k, v := range extra {
			m[k] = v
		}
		out = append(out, m)
	}
	for _, a := range s.sortedAccountsLocked(grp) {
		add(a.Group, accountID(a), a.Name, accountType, a.Location, a.Tags,
			map[string]any{"kind": a.Kind, "sku": map[string]any{"name": a.SKU, "tier": skuTier(a.SKU)}})
	}
	for _, u := range s.sortedIdentitiesLocked(grp) {
		add(u.Group, identityID(u.Group, u.Name), u.Name, identityType, u.Location, u.Tags, nil)
	}
	for _, v := range s.cfg.Vault.ListVaults(ctx) {
		vg := s.vaultGroupLocked(v.Name)
		if grp != "" && !eq(vg, grp) {
			continue
		}
		add(vg, vaultID(vg, v.Name), v.Name, vaultType, v.Location, v.Tags, nil)
	}
	return writeList(w, r, out)
}
