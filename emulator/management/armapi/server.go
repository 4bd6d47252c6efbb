package armapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/azemu/azemu/emulator/management"
	"github.com/azemu/azemu/internal/authn"
)

// TokenVerifier checks a bearer token (without "Bearer ") for one of the
// audiences and returns its caller. It MUST return an error wrapping one of
// the authn sentinels for a token it refuses (ErrTokenExpired,
// ErrInvalidAudience, ErrInvalidSignature, ErrInvalidIssuer,
// ErrUnknownPrincipal, ...), so the handler can answer with ARM's code for
// it. The token authority (emulator/identity) implements it.
type TokenVerifier interface {
	VerifyToken(ctx context.Context, raw string, audiences ...string) (authn.Caller, error)
}

// Config configures the handler.
type Config struct {
	Service  *management.Service
	Verifier TokenVerifier
	// Authority is the token authority's base URL
	// ("https://localhost:8443"), named in the WWW-Authenticate of a 401.
	Authority string
	Logger    *slog.Logger
}

type server struct {
	svc       *management.Service
	verifier  TokenVerifier
	authority string
	log       *slog.Logger
}

// Error codes of the management plane, short names for the handlers.
type Error = management.Error

var newError = management.NewError

// managementAudiences are the audiences a management token may carry.
func managementAudiences() []string {
	return []string{"https://management.core.windows.net/", "https://management.core.windows.net", "https://management.azure.com/", "https://management.azure.com"}
}

// maxBody bounds every request body.
const maxBody = 1 << 20

// handlerFunc is one REST operation; the adapter renders its error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New returns the management plane's HTTP handler: /subscriptions...,
// /tenants, /providers/... .
func New(cfg Config) http.Handler {
	s := &server{svc: cfg.Service, verifier: cfg.Verifier, authority: strings.TrimRight(cfg.Authority, "/"), log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set("x-ms-request-id", id)
		w.Header().Set("x-ms-correlation-request-id", id)
		if c := r.Header.Get("x-ms-client-request-id"); c != "" && len(c) <= 256 {
			w.Header().Set("x-ms-client-request-id", c)
		}
		serve := s.serve
		if IsMetadataPath(r.URL.Path) {
			serve = s.metadata
		}
		if err := serve(w, r); err != nil {
			s.writeError(w, r, id, err)
		}
	})
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *server) writeError(w http.ResponseWriter, r *http.Request, reqID string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		s.log.Error("management request failed", "method", r.Method, "path", r.URL.Path, "request_id", reqID, "err", err)
		e = newError(http.StatusInternalServerError, management.CodeInternalError, "The server encountered an internal error. Tracking id '%s'.", reqID)
	} else {
		s.log.Debug("management request refused", "method", r.Method, "path", r.URL.Path, "request_id", reqID,
			"status", e.Status, "code", e.Code)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/%s", error="invalid_token", error_description="%s"`,
			s.authority, management.DefaultTenant, strings.ReplaceAll(e.Message, `"`, `'`)))
	}
	body := map[string]any{"error": map[string]string{"code": e.Code, "message": e.Message}}
	writeJSON(w, r, e.Status, body)
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method == http.MethodHead || v == nil {
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// decodeBody reads a JSON body of at most maxBody bytes into v. An empty body
// is an error when required.
func decodeBody(r *http.Request, v any, required bool) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return errBadBody(err)
	}
	if len(b) > maxBody {
		return newError(http.StatusRequestEntityTooLarge, management.CodeInvalidRequestContent, "The request content is larger than %d bytes.", maxBody)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		if required {
			return newError(http.StatusBadRequest, management.CodeInvalidRequestContent, "The request content was invalid and could not be deserialized: the body is empty.")
		}
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errBadBody(err)
	}
	return nil
}

// authenticate accepts any valid token of azemu's authority for the
// management audience.
func (s *server) authenticate(r *http.Request) error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return newError(http.StatusUnauthorized, management.CodeAuthenticationFailed, "Authentication failed. The 'Authorization' header is missing.")
	}
	scheme, raw, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return newError(http.StatusUnauthorized, management.CodeAuthenticationFailed, "Authentication failed. The 'Authorization' header is provided in an invalid format.")
	}
	if _, err := s.verifier.VerifyToken(r.Context(), strings.TrimSpace(raw), managementAudiences()...); err != nil {
		code, msg := management.CodeInvalidAuthenticationToken, "The access token is invalid."
		switch {
		case errors.Is(err, authn.ErrTokenExpired):
			code = management.CodeExpiredAuthenticationToken
			msg = "The access token expiry UTC time is earlier than current UTC time."
		case errors.Is(err, authn.ErrInvalidAudience):
			code = management.CodeInvalidAuthenticationTokenAudience
			msg = "The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences '" +
				strings.Join(managementAudiences(), "','") + "'."
		case errors.Is(err, authn.ErrInvalidSignature), errors.Is(err, authn.ErrInvalidIssuer):
			msg = "The access token is from the wrong issuer or has an invalid signature."
		case errors.Is(err, authn.ErrUnknownPrincipal):
			msg = "The access token's principal does not exist."
		}
		return newError(http.StatusUnauthorized, code, "%s", msg)
	}
	return nil
}

// segments splits a path into its non-empty segments.
func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func eq(a, b string) bool { return strings.EqualFold(a, b) }

func errBadBody(err error) *Error {
	return newError(http.StatusBadRequest, management.CodeInvalidRequestContent,
		"The request content was invalid and could not be deserialized: '%v'.", err)
}

// serve authenticates, checks the api-version and dispatches by path.
func (s *server) serve(w http.ResponseWriter, r *http.Request) error {
	if err := s.authenticate(r); err != nil {
		return err
	}
	if err := checkAPIVersion(r); err != nil {
		return err
	}
	if r.Method == http.MethodHead {
		return s.head(w, r)
	}
	segs := segments(r.URL.Path)
	// Role assignments hang below any scope.
	for i := 0; i+2 < len(segs); i++ {
		if eq(segs[i], "providers") && eq(segs[i+1], "Microsoft.Authorization") && eq(segs[i+2], "roleAssignments") {
			name := ""
			switch len(segs) - (i + 3) {
			case 0:
			case 1:
				name = segs[i+3]
			default:
				return errNoRoute(r)
			}
			return s.roleAssignments(w, r, segs[:i], name)
		}
	}
	if len(segs) == 0 {
		return errNoRoute(r)
	}
	switch {
	case eq(segs[0], "tenants") && len(segs) == 1:
		return only(r, http.MethodGet, func() error { return s.listTenants(w, r) })
	case eq(segs[0], "subscriptions"):
	default:
		return errNoRoute(r)
	}
	if len(segs) == 1 {
		return only(r, http.MethodGet, func() error { return s.listSubscriptions(w, r) })
	}
	if !eq(segs[1], management.DefaultSubscription) {
		return newError(http.StatusNotFound, management.CodeSubscriptionNotFound, "The subscription '%s' could not be found.", segs[1])
	}
	rest := segs[2:]
	if len(rest) == 0 {
		return only(r, http.MethodGet, func() error { return s.getSubscription(w, r) })
	}
	switch {
	case eq(rest[0], "resourcegroups"):
		if len(rest) == 1 {
			return only(r, http.MethodGet, func() error { return s.listGroups(w, r) })
		}
		grp := rest[1]
		if len(rest) == 2 {
			return s.groupOp(w, r, grp)
		}
		if eq(rest[2], "resources") && len(rest) == 3 {
			return only(r, http.MethodGet, func() error { return s.listResources(w, r, grp) })
		}
		if eq(rest[2], "providers") && len(rest) >= 5 {
			if err := s.svc.CheckGroup(r.Context(), grp); err != nil {
				return err
			}
			return s.provider(w, r, grp, rest[3], rest[4:])
		}
	case eq(rest[0], "resources") && len(rest) == 1:
		return only(r, http.MethodGet, func() error { return s.listResources(w, r, "") })
	case eq(rest[0], "providers") && len(rest) == 1:
		return only(r, http.MethodGet, func() error { return listProviders(w, r) })
	case eq(rest[0], "providers") && len(rest) == 2:
		return only(r, http.MethodGet, func() error { return getProvider(w, r, rest[1]) })
	case eq(rest[0], "providers") && len(rest) == 3 && eq(rest[2], "register"):
		return only(r, http.MethodPost, func() error { return getProvider(w, r, rest[1]) })
	case eq(rest[0], "providers") && len(rest) >= 3:
		return s.provider(w, r, "", rest[1], rest[2:])
	}
	return errNoRoute(r)
}

// errNoRoute is ARM's answer for a path it has no resource type for:
// 404 InvalidResourceType naming the type and namespace when the path has
// a provider part.
func errNoRoute(r *http.Request) *Error {
	segs := segments(r.URL.Path)
	v := r.URL.Query().Get("api-version")
	for i := len(segs) - 2; i >= 0; i-- {
		if !eq(segs[i], "providers") {
			continue
		}
		var typ []string
		for j := i + 2; j < len(segs); j += 2 {
			typ = append(typ, segs[j])
		}
		if len(typ) == 0 {
			return newError(http.StatusNotFound, management.CodeInvalidResourceType,
				"The resource type could not be found in the namespace '%s' for api version '%s'.", segs[i+1], v)
		}
		return newError(http.StatusNotFound, management.CodeInvalidResourceType,
			"The resource type '%s' could not be found in the namespace '%s' for api version '%s'.", strings.Join(typ, "/"), segs[i+1], v)
	}
	return newError(http.StatusNotFound, management.CodeInvalidResourceType,
		"The resource type could not be found for the request path '%s' (azemu serves storage accounts, key vaults, user-assigned identities, role assignments and resource groups).", r.URL.Path)
}

func errMethod(r *http.Request) *Error {
	return newError(http.StatusMethodNotAllowed, management.CodeMethodNotAllowed, "The requested method '%s' is not allowed for '%s'.", r.Method, r.URL.Path)
}

func only(r *http.Request, method string, f func() error) error {
	if r.Method != method {
		return errMethod(r)
	}
	return f()
}

// provider dispatches a resource provider path; group is "" at subscription level.
func (s *server) provider(w http.ResponseWriter, r *http.Request, group, ns string, p []string) error {
	switch {
	case eq(ns, "Microsoft.Storage"):
		switch {
		case eq(p[0], "storageAccounts") && len(p) == 1:
			return only(r, http.MethodGet, func() error { return s.listAccounts(w, r, group) })
		case eq(p[0], "checkNameAvailability") && len(p) == 1 && group == "":
			return only(r, http.MethodPost, func() error { return s.checkAccountName(w, r) })
		case eq(p[0], "storageAccounts") && len(p) == 2 && group != "":
			return s.accountOp(w, r, group, p[1])
		case eq(p[0], "storageAccounts") && len(p) == 3 && group != "" && eq(p[2], "listKeys"):
			return only(r, http.MethodPost, func() error { return s.listKeys(w, r, group, p[1]) })
		case eq(p[0], "storageAccounts") && len(p) == 3 && group != "" && eq(p[2], "regenerateKey"):
			return only(r, http.MethodPost, func() error { return s.regenerateKey(w, r, group, p[1]) })
		}
	case eq(ns, "Microsoft.ManagedIdentity"):
		switch {
		case eq(p[0], "userAssignedIdentities") && len(p) == 1:
			return only(r, http.MethodGet, func() error { return s.listIdentities(w, r, group) })
		case eq(p[0], "userAssignedIdentities") && len(p) == 2 && group != "":
			return s.identityOp(w, r, group, p[1])
		}
	case eq(ns, "Microsoft.KeyVault"):
		switch {
		case eq(p[0], "vaults") && len(p) == 1:
			return only(r, http.MethodGet, func() error { return s.listVaults(w, r, group) })
		case eq(p[0], "vaults") && len(p) == 2 && group != "":
			return s.vaultOp(w, r, group, p[1])
		case eq(p[0], "vaults") && len(p) == 4 && group != "" && eq(p[2], "accessPolicies"):
			return only(r, http.MethodPut, func() error { return s.updateAccessPolicies(w, r, group, p[1], p[3]) })
		case eq(p[0], "deletedVaults") && len(p) == 1 && group == "":
			return only(r, http.MethodGet, func() error { return s.listDeletedVaults(w, r) })
		case eq(p[0], "locations") && len(p) == 4 && group == "" && eq(p[2], "deletedVaults"):
			return only(r, http.MethodGet, func() error { return s.getDeletedVault(w, r, p[1], p[3]) })
		case eq(p[0], "locations") && len(p) == 5 && group == "" && eq(p[2], "deletedVaults") && eq(p[4], "purge"):
			return only(r, http.MethodPost, func() error { return s.purgeDeletedVault(w, r, p[1], p[3]) })
		case eq(p[0], "checkNameAvailability") && len(p) == 1 && group == "":
			return only(r, http.MethodPost, func() error { return s.checkVaultName(w, r) })
		}
	default:
		return newError(http.StatusBadRequest, management.CodeNoRegisteredProvider,
			"No registered resource provider found for namespace '%s'. azemu serves Microsoft.Storage, Microsoft.KeyVault, Microsoft.ManagedIdentity and Microsoft.Authorization.", ns)
	}
	return errNoRoute(r)
}
