package identity

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/internal/authn"
)

// The Microsoft Graph surface: what tools ask Graph about principals, for
// example the Azure CLI's "az keyvault create", which looks up the object id
// of the signed-in service principal to give it an access policy:
//
//	GET /v1.0/me                                     (a user only; an app gets 400)
//	GET /v1.0/servicePrincipals?$filter=...          servicePrincipalNames/any(c:c eq '<appId>'), appId eq, id eq, displayName eq
//	GET /v1.0/servicePrincipals/{id}
//
// Shapes and errors follow the Graph v1.0 reference
// (https://learn.microsoft.com/graph/api/serviceprincipal-list,
// https://learn.microsoft.com/graph/errors): errors are
// {"error":{"code","message","innerError":{...}}}.

// graphError is an error of the Graph surface.
type graphError struct {
	status  int
	code    string
	message string
}

func (e *graphError) Error() string { return e.code + ": " + e.message }

func (s *Service) graph(op string, h handlerFunc) http.Handler {
	return s.wrap(op, h, func(w http.ResponseWriter, r *http.Request, ids reqIDs, err error) bool {
		var e *graphError
		if !errors.As(err, &e) {
			return false
		}
		writeJSON(w, e.status, map[string]any{"error": map[string]any{
			"code": e.code, "message": e.message,
			"innerError": map[string]any{
				"date": s.cfg.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": ids.trace, "client-request-id": ids.correlation,
			},
		}})
		return true
	})
}

// graphAudiences are the audiences a Graph token may carry: Graph's own and
// this authority's base URL (what a cloud registered against azemu names as
// its Microsoft Graph resource), as the request addressed it or as
// configured. A trailing slash does not matter.
func (s *Service) graphAudiences(r *http.Request) []string {
	return []string{"https://graph.microsoft.com", s.issuerBase(r), s.cfg.Issuer}
}

// graphCaller verifies the request's bearer token for Graph.
func (s *Service) graphCaller(r *http.Request) (authn.Caller, error) {
	h := r.Header.Get("Authorization")
	scheme, raw, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return authn.Caller{}, &graphError{http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty."}
	}
	c, err := s.VerifyToken(r.Context(), strings.TrimSpace(raw), s.graphAudiences(r)...)
	if err != nil {
		msg := "Access token validation failure."
		if errors.Is(err, authn.ErrInvalidAudience) {
			msg = "Access token validation failure. Invalid audience."
		} else if errors.Is(err, authn.ErrTokenExpired) {
			msg = "Lifetime validation failed, the token is expired."
		}
		return authn.Caller{}, &graphError{http.StatusUnauthorized, "InvalidAuthenticationToken", msg}
	}
	return c, nil
}

// me serves GET /v1.0/me, which Graph answers only for a signed-in user
// (delegated flow); every caller of azemu is an application.
func (s *Service) me(_ http.ResponseWriter, r *http.Request, _ reqIDs) error {
	if _, err := s.graphCaller(r); err != nil {
		return err
	}
	return &graphError{http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow."}
}

var (
	spnFilterRE   = regexp.MustCompile(`^servicePrincipalNames/any\((\w+):\s*(\w+)\s+eq\s+'([^']*)'\)$`)
	fieldFilterRE = regexp.MustCompile(`^(appId|id|displayName)\s+eq\s+'([^']*)'$`)
)

// principalFilter reads the $filter clauses the Graph surface supports; ok
// is false for anything else.
func principalFilter(f string) (match func(Principal) bool, ok bool) {
	f = strings.TrimSpace(f)
	if f == "" {
		return func(Principal) bool { return true }, true
	}
	if m := spnFilterRE.FindStringSubmatch(f); m != nil && m[1] == m[2] {
		// A service principal's names are its appId (and, for a managed
		// identity, the resource id of its owner).
		want := m[3]
		return func(p Principal) bool {
			return strings.EqualFold(p.ClientID, want) || (p.ResourceID != "" && strings.EqualFold(p.ResourceID, want))
		}, true
	}
	if m := fieldFilterRE.FindStringSubmatch(f); m != nil {
		want := m[2]
		return func(p Principal) bool {
			switch m[1] {
			case "appId":
				return strings.EqualFold(p.ClientID, want)
			case "id":
				return strings.EqualFold(p.ObjectID, want)
			}
			return p.DisplayName == want
		}, true
	}
	return nil, false
}

func (s *Service) servicePrincipalJSON(p Principal) map[string]any {
	names := []string{p.ClientID}
	typ := "Application"
	if p.Kind == KindManagedIdentity {
		typ = "ManagedIdentity"
		if p.ResourceID != "" {
			names = append(names, p.ResourceID)
		}
	}
	return map[string]any{
		"id": p.ObjectID, "appId": p.ClientID, "displayName": p.DisplayName, "appOwnerOrganizationId": p.TenantID,
		"accountEnabled": true, "servicePrincipalNames": names, "servicePrincipalType": typ,
	}
}

// listServicePrincipals serves GET /v1.0/servicePrincipals.
func (s *Service) listServicePrincipals(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	if _, err := s.graphCaller(r); err != nil {
		return err
	}
	filter := r.URL.Query().Get("$filter")
	match, ok := principalFilter(filter)
	if !ok {
		return &graphError{http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified: '" + filter + "'."}
	}
	out := []any{}
	for _, p := range s.Principals(r.Context()) {
		if match(p) {
			out = append(out, s.servicePrincipalJSON(p))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": s.issuerBase(r) + "/v1.0/$metadata#servicePrincipals", "value": out,
	})
	return nil
}

// getServicePrincipal serves GET /v1.0/servicePrincipals/{id}.
func (s *Service) getServicePrincipal(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	if _, err := s.graphCaller(r); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	p, err := s.LookupPrincipal(r.Context(), strings.ToLower(id))
	if err != nil {
		return &graphError{http.StatusNotFound, "Request_ResourceNotFound",
			"Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."}
	}
	body := s.servicePrincipalJSON(p)
	body["@odata.context"] = s.issuerBase(r) + "/v1.0/$metadata#servicePrincipals/$entity"
	writeJSON(w, http.StatusOK, body)
	return nil
}
