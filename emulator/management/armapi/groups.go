package armapi

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/azemu/azemu/emulator/management"
)

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ListTenants: GET /tenants (https://learn.microsoft.com/rest/api/resources/tenants/list)
func (s *server) listTenants(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, map[string]any{"value": []any{map[string]any{
		"id": "/tenants/" + management.DefaultTenant, "tenantId": management.DefaultTenant, "tenantCategory": "Home",
		"displayName": "azemu", "defaultDomain": "azemu.localhost",
	}}})
	return nil
}

func subscriptionJSON() map[string]any {
	return map[string]any{
		"id": management.SubscriptionID(), "subscriptionId": management.DefaultSubscription, "tenantId": management.DefaultTenant,
		"displayName": "azemu", "state": "Enabled",
		"subscriptionPolicies": map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "azemu", "spendingLimit": "Off"},
		"authorizationSource":  "RoleBased",
	}
}

// ListSubscriptions: GET /subscriptions (https://learn.microsoft.com/rest/api/resources/subscriptions/list)
func (s *server) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, map[string]any{"value": []any{subscriptionJSON()}})
	return nil
}

// GetSubscription: GET /subscriptions/{id} (https://learn.microsoft.com/rest/api/resources/subscriptions/get)
func (s *server) getSubscription(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, subscriptionJSON())
	return nil
}

func groupJSON(g management.Group) map[string]any {
	m := map[string]any{
		"id": management.GroupID(g.Name), "name": g.Name, "type": management.GroupType,
		"location": g.Location, "properties": map[string]any{"provisioningState": "Succeeded"},
	}
	if len(g.Tags) > 0 {
		m["tags"] = g.Tags
	}
	return m
}

// groupOp serves one resource group
// (https://learn.microsoft.com/rest/api/resources/resource-groups).
func (s *server) groupOp(w http.ResponseWriter, r *http.Request, name string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		g, err := s.svc.Group(ctx, name)
		if err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, groupJSON(g))
		return nil
	case http.MethodPut, http.MethodPatch:
		var in management.GroupSpec
		if err := decodeBody(r, &in, true); err != nil {
			return err
		}
		g, created, err := s.svc.PutGroup(ctx, name, in, r.Method == http.MethodPatch)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		writeJSON(w, r, status, groupJSON(g))
		return nil
	case http.MethodDelete:
		if err := s.svc.DeleteGroup(ctx, name); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return errMethod(r)
}

// listGroups: GET /subscriptions/{id}/resourcegroups, with the $filter
// "tagName eq 'n' [and tagValue eq 'v']".
func (s *server) listGroups(w http.ResponseWriter, r *http.Request) error {
	tags, byTag := groupTagFilter(r.URL.Query().Get("$filter"))
	out := []any{}
	for _, g := range s.svc.ListGroups(r.Context()) {
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
			v = management.NormLocation(v)
		}
		if !eq(got, v) {
			return false
		}
	}
	return true
}

// listResources is the generic resource list
// (https://learn.microsoft.com/rest/api/resources/resources/list); the Azure
// CLI and armkeyvault's VaultsClient find vaults through it with
// $filter=resourceType eq 'Microsoft.KeyVault/vaults'.
func (s *server) listResources(w http.ResponseWriter, r *http.Request, grp string) error {
	filter := parseResourceFilter(r.URL.Query().Get("$filter"))
	list, err := s.svc.ListResources(r.Context(), grp)
	if err != nil {
		return err
	}
	var out []any
	for _, res := range list {
		if !filter.match(res.Type, res.Group, res.Name, res.Location) {
			continue
		}
		m := map[string]any{"id": res.ID, "name": res.Name, "type": res.Type, "location": res.Location}
		if len(res.Tags) > 0 {
			m["tags"] = res.Tags
		}
		if res.Type == management.AccountType {
			m["kind"] = res.Kind
			m["sku"] = map[string]any{"name": res.SKU, "tier": skuTier(res.SKU)}
		}
		out = append(out, m)
	}
	return writeList(w, r, out)
}
