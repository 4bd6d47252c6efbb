package management

import (
	"strings"

	"github.com/azemu/azemu/keyvault"
)

// policyExtra holds the secret, certificate and storage permissions of one
// access policy entry as ARM echoes them. The vault service authorises keys,
// secrets and certificates (it is handed those lists too) but has no
// managed storage accounts; ARM echoes every list it was given, so the
// management plane keeps the non-key lists beside the vault, by entry
// identity.
type policyExtra struct {
	TenantID      string   `json:"tenantId"`
	ObjectID      string   `json:"objectId"`
	ApplicationID string   `json:"applicationId,omitempty"`
	Secrets       []string `json:"secrets,omitempty"`
	Certificates  []string `json:"certificates,omitempty"`
	Storage       []string `json:"storage,omitempty"`
}

func (p policyExtra) empty() bool {
	return len(p.Secrets) == 0 && len(p.Certificates) == 0 && len(p.Storage) == 0
}

func samePolicy(aTenant, aObject, aApp, bTenant, bObject, bApp string) bool {
	return eq(aTenant, bTenant) && eq(aObject, bObject) && eq(aApp, bApp)
}

// extrasIn takes the non-key permissions of the request's entries.
func extrasIn(in []AccessPolicySpec) []policyExtra {
	var out []policyExtra
	for _, p := range in {
		e := policyExtra{TenantID: p.TenantID, ObjectID: p.ObjectID,
			Secrets: dedupe(p.Permissions.Secrets), Certificates: dedupe(p.Permissions.Certificates), Storage: dedupe(p.Permissions.Storage)}
		if p.ApplicationID != nil {
			e.ApplicationID = *p.ApplicationID
		}
		out = append(out, e)
	}
	return out
}

// dedupe drops repeated permissions (case-insensitively), keeping the
// spelling first given.
func dedupe(in []string) []string {
	var out []string
	for _, p := range in {
		if !containsFold(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func minus(list, remove []string) []string {
	var out []string
	for _, p := range list {
		if !containsFold(remove, p) {
			out = append(out, p)
		}
	}
	return out
}

// setExtrasLocked replaces a vault's extra permissions (PUT/PATCH with
// accessPolicies). Caller holds s.mu and saves.
func (s *Service) setExtrasLocked(vault string, in []AccessPolicySpec) {
	var keep []policyExtra
	for _, e := range extrasIn(in) {
		if !e.empty() {
			keep = append(keep, e)
		}
	}
	s.putExtrasLocked(vault, keep)
}

func (s *Service) putExtrasLocked(vault string, list []policyExtra) {
	if len(list) == 0 {
		delete(s.st.Policies, strings.ToLower(vault))
		return
	}
	s.st.Policies[strings.ToLower(vault)] = list
}

// updateExtrasLocked applies accessPolicies/{add,replace,remove} to a
// vault's extra permissions, as Azure applies it to every list: add unions,
// replace sets, remove subtracts. Caller holds s.mu and saves.
func (s *Service) updateExtrasLocked(vault string, op keyvault.AccessPolicyUpdate, in []AccessPolicySpec) {
	list := append([]policyExtra(nil), s.st.Policies[strings.ToLower(vault)]...)
	for i, e := range extrasIn(in) {
		idx := -1
		for i, x := range list {
			if samePolicy(x.TenantID, x.ObjectID, x.ApplicationID, e.TenantID, e.ObjectID, e.ApplicationID) {
				idx = i
			}
		}
		switch op {
		case keyvault.AccessPolicyAdd:
			if idx < 0 {
				list = append(list, e)
				continue
			}
			list[idx].Secrets = dedupe(append(list[idx].Secrets, e.Secrets...))
			list[idx].Certificates = dedupe(append(list[idx].Certificates, e.Certificates...))
			list[idx].Storage = dedupe(append(list[idx].Storage, e.Storage...))
		case keyvault.AccessPolicyReplace:
			if idx < 0 {
				list = append(list, e)
			} else {
				list[idx] = e
			}
		case keyvault.AccessPolicyRemove:
			if idx < 0 {
				continue
			}
			if e.empty() && len(in[i].Permissions.Keys) == 0 {
				// No permission named: the whole entry goes.
				list[idx] = policyExtra{}
				continue
			}
			list[idx].Secrets = minus(list[idx].Secrets, e.Secrets)
			list[idx].Certificates = minus(list[idx].Certificates, e.Certificates)
			list[idx].Storage = minus(list[idx].Storage, e.Storage)
		}
	}
	var keep []policyExtra
	for _, e := range list {
		if !e.empty() {
			keep = append(keep, e)
		}
	}
	s.putExtrasLocked(vault, keep)
}

// policiesLocked lists a vault's access policies with every permission
// list: the vault's entries with their key permissions and the extra lists
// kept here, then entries that have only extra permissions left. Caller
// holds s.mu.
func (s *Service) policiesLocked(vault string, in []keyvault.AccessPolicy) []AccessPolicy {
	extras := s.st.Policies[strings.ToLower(vault)]
	used := make([]bool, len(extras))
	out := []AccessPolicy{}
	add := func(tenant, object, app string, keys []string, x policyExtra) {
		out = append(out, AccessPolicy{TenantID: tenant, ObjectID: object, ApplicationID: app,
			Keys:         append([]string{}, keys...),
			Secrets:      append([]string{}, x.Secrets...),
			Certificates: append([]string{}, x.Certificates...),
			Storage:      append([]string{}, x.Storage...)})
	}
	for _, p := range in {
		var x policyExtra
		for i, e := range extras {
			if !used[i] && samePolicy(p.TenantID, p.ObjectID, p.ApplicationID, e.TenantID, e.ObjectID, e.ApplicationID) {
				x, used[i] = e, true
			}
		}
		add(p.TenantID, p.ObjectID, p.ApplicationID, p.Keys, x)
	}
	for i, e := range extras {
		if !used[i] {
			add(e.TenantID, e.ObjectID, e.ApplicationID, nil, e)
		}
	}
	return out
}
