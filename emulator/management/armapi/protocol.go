package armapi

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/azemu/azemu/emulator/management"
)

// apiVersionRE is the shape of every ARM api-version: a date, optionally
// with a stage suffix (2024-01-01, 2021-04-01-preview).
var apiVersionRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}(-[A-Za-z]+)?$`)

// supportedAPIVersions are the versions the management SDKs azemu is tested
// with send (armstorage, armkeyvault, armmsi, armresources,
// armauthorization); any well-formed version is served the same way.
const supportedAPIVersions = "2024-11-30,2024-11-01,2024-01-01,2023-07-01,2023-01-31,2022-04-01,2021-04-01,2015-11-01"

func errMissingAPIVersion() *Error {
	return newError(http.StatusBadRequest, management.CodeMissingAPIVersion,
		"The api-version query parameter (?api-version=) is required for all requests.")
}

// checkAPIVersion refuses a request without api-version
// (MissingApiVersionParameter) or with one that is not a version at all
// (InvalidApiVersionParameter), as ARM does before any resource provider
// sees the request. Well-formed versions are not checked against a list, so
// newer SDKs keep working.
func checkAPIVersion(r *http.Request) error {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		return errMissingAPIVersion()
	}
	if !apiVersionRE.MatchString(v) {
		return newError(http.StatusBadRequest, management.CodeInvalidAPIVersion,
			"The api-version '%s' is invalid. The supported versions are '%s'.", v, supportedAPIVersions)
	}
	return nil
}

// headWriter records the status of a GET run for a HEAD and drops the body.
type headWriter struct {
	h      http.Header
	status int
}

func (w *headWriter) Header() http.Header { return w.h }
func (w *headWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
func (w *headWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// head serves HEAD on any resource (armresources CheckExistence,
// CheckExistenceByID): 204 when a GET would answer 200, otherwise the GET's
// status, with no body.
func (s *server) head(w http.ResponseWriter, r *http.Request) error {
	g := r.Clone(r.Context())
	g.Method = http.MethodGet
	g.Body = http.NoBody
	hw := &headWriter{h: http.Header{}}
	if err := s.serve(hw, g); err != nil {
		// The adapter renders it: the GET's status, no body for HEAD,
		// and anything unexpected logged.
		return err
	}
	status := hw.status
	if status == 0 || status == http.StatusOK {
		status = http.StatusNoContent
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	return nil
}

// maxPageSize bounds $top, as ARM does for resource lists.
const maxPageSize = 1000

// writeList writes ARM's list shape {"value": [...], "nextLink": ...}. A
// client that asks for $top gets pages of that size, others pages of
// maxPageSize; nextLink is this URL with $skiptoken set to the offset of
// the next page, and is absent on the last page.
func writeList(w http.ResponseWriter, r *http.Request, items []any) error {
	if items == nil {
		items = []any{}
	}
	q := r.URL.Query()
	start := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return newError(http.StatusBadRequest, management.CodeInvalidQueryParameter, "The $skiptoken '%s' is invalid.", tok)
		}
		start = min(n, len(items))
	}
	// Without $top a page holds at most maxPageSize items, as ARM's do.
	end := min(start+maxPageSize, len(items))
	if top := q.Get("$top"); top != "" {
		n, err := strconv.Atoi(top)
		if err != nil || n < 1 {
			return newError(http.StatusBadRequest, management.CodeInvalidQueryParameter,
				"The value '%s' of the query parameter '$top' is invalid: it must be an integer from 1 to %d.", top, maxPageSize)
		}
		end = min(start+min(n, maxPageSize), len(items))
	}
	body := map[string]any{"value": items[start:end]}
	if end < len(items) {
		q.Set("$skiptoken", strconv.Itoa(end))
		body["nextLink"] = baseURL(r) + r.URL.EscapedPath() + "?" + q.Encode()
	}
	writeJSON(w, r, http.StatusOK, body)
	return nil
}

// baseURL is scheme://host of the request, for absolute links.
func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// providerTypes are the resource types each namespace azemu serves
// registers (GET /subscriptions/{id}/providers[/{namespace}]).
func providerTypes() map[string][]string {
	return map[string][]string{
		"Microsoft.Storage":         {"storageAccounts", "checkNameAvailability"},
		"Microsoft.KeyVault":        {"vaults", "vaults/accessPolicies", "deletedVaults", "locations/deletedVaults", "checkNameAvailability"},
		"Microsoft.ManagedIdentity": {"userAssignedIdentities"},
		"Microsoft.Authorization":   {"roleAssignments"},
		"Microsoft.Resources":       {"resourceGroups", "subscriptions", "tenants"},
	}
}

func providerNamespaces() []string {
	return []string{"Microsoft.Authorization", "Microsoft.KeyVault", "Microsoft.ManagedIdentity", "Microsoft.Resources", "Microsoft.Storage"}
}

func providerJSON(ns string) map[string]any {
	var types []any
	for _, t := range providerTypes()[ns] {
		types = append(types, map[string]any{
			"resourceType": t, "locations": []string{}, "apiVersions": strings.Split(supportedAPIVersions, ","),
		})
	}
	return map[string]any{
		"id": management.SubscriptionID() + "/providers/" + ns, "namespace": ns,
		"registrationState": "Registered", "registrationPolicy": "RegistrationRequired",
		"resourceTypes": types,
	}
}

// listProviders serves GET /subscriptions/{id}/providers: every namespace
// azemu serves, registered (tools check registration before they deploy).
func listProviders(w http.ResponseWriter, r *http.Request) error {
	var out []any
	for _, ns := range providerNamespaces() {
		out = append(out, providerJSON(ns))
	}
	return writeList(w, r, out)
}

// getProvider serves GET /subscriptions/{id}/providers/{namespace} and
// POST .../{namespace}/register (a no-op: everything is registered).
func getProvider(w http.ResponseWriter, r *http.Request, ns string) error {
	for _, n := range providerNamespaces() {
		if eq(n, ns) {
			writeJSON(w, r, http.StatusOK, providerJSON(n))
			return nil
		}
	}
	return newError(http.StatusNotFound, management.CodeInvalidResourceNamespace, "The resource namespace '%s' is invalid.", ns)
}
