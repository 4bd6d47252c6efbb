package identity

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
)

// maxFormBytes bounds a token request body.
const maxFormBytes = 64 << 10

// tenantVar returns the {tenant} path segment in lower case (JS lowercases
// it, Go sends it as typed), after checking its syntax.
func tenantVar(r *http.Request) (string, error) {
	t := mux.Vars(r)["tenant"]
	if !validTenant(t) {
		return "", errTenantInvalid(t)
	}
	return strings.ToLower(t), nil
}

// validTenant accepts what the credentials accept: [A-Za-z0-9.-], bounded.
func validTenant(t string) bool {
	if t == "" || len(t) > 256 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func isMultiTenant(t string) bool { return t == "common" || t == "organizations" }

// issuerBase returns the authority URL (scheme://host:port) a client sees:
// the request's own when its host is an accepted alias, so that MSAL's
// issuer-matches-authority check passes for localhost and 127.0.0.1 alike;
// Config.Issuer otherwise.
func (s *Service) issuerBase(r *http.Request) string {
	host := strings.ToLower(r.Host)
	if validHostPort(host) {
		h := host
		if hh, _, ok := splitHostPort(host); ok {
			h = hh
		}
		if s.acceptedHost(h) || s.cfg.Issuer == "" {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			return scheme + "://" + host
		}
	}
	if s.cfg.Issuer != "" {
		return s.cfg.Issuer
	}
	return "https://localhost"
}

// validHostPort accepts host names, IPv4 and bracketed IPv6 with an optional port.
func validHostPort(h string) bool {
	if h == "" || len(h) > 300 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

func splitHostPort(h string) (host, port string, ok bool) {
	if strings.HasPrefix(h, "[") {
		end := strings.Index(h, "]")
		if end < 0 {
			return "", "", false
		}
		host, rest := h[1:end], h[end+1:]
		if rest == "" {
			return host, "", true
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", false
		}
		return host, rest[1:], true
	}
	host, port, found := strings.Cut(h, ":")
	if !found {
		return h, "", true
	}
	return host, port, !strings.Contains(port, ":")
}

// tenantIssuer is the issuer of a tenant's documents; the multi-tenant
// aliases get Entra's {tenantid} placeholder.
func tenantIssuer(base, tenant string, ver tokenVersion) string {
	if isMultiTenant(tenant) {
		tenant = "{tenantid}"
	}
	if ver == v1 {
		return base + "/" + tenant + "/"
	}
	return base + "/" + tenant + "/v2.0"
}

// openIDConfigurationV2 serves the v2.0 OIDC discovery document. Any
// syntactically valid tenant gets one, so that an unknown tenant fails at the
// token endpoint with a readable AADSTS error rather than msal-node's opaque
// endpoints_resolution_error.
// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc
func (s *Service) openIDConfigurationV2(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	tenant, err := tenantVar(r)
	if err != nil {
		return err
	}
	base := s.issuerBase(r)
	t := base + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                tenantIssuer(base, tenant, v2),
		"authorization_endpoint":                t + "/oauth2/v2.0/authorize",
		"token_endpoint":                        t + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         t + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  t + "/oauth2/v2.0/logout",
		"jwks_uri":                              t + "/discovery/v2.0/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "oid", "tid", "azp", "appid", "ver"},
		"request_uri_parameter_supported":       false,
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"tenant_region_scope":                   nil,
		"cloud_instance_name":                   "azemu",
	})
	return nil
}

// openIDConfigurationV1 serves the v1 OIDC discovery document.
func (s *Service) openIDConfigurationV1(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	tenant, err := tenantVar(r)
	if err != nil {
		return err
	}
	base := s.issuerBase(r)
	t := base + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                tenantIssuer(base, tenant, v1),
		"authorization_endpoint":                t + "/oauth2/authorize",
		"token_endpoint":                        t + "/oauth2/token",
		"end_session_endpoint":                  t + "/oauth2/logout",
		"jwks_uri":                              t + "/discovery/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "token id_token", "token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "oid", "tid", "appid", "ver"},
		"cloud_instance_name":                   "azemu",
	})
	return nil
}

// openIDConfigurationADFS serves the ADFS discovery document at
// /adfs/adfs/.well-known/openid-configuration, where the Azure CLI looks
// when "az login" is given --tenant adfs (the ADFS authority with the
// tenant appended). It is the /adfs document.
func (s *Service) openIDConfigurationADFS(w http.ResponseWriter, r *http.Request, ids reqIDs) error {
	return s.openIDConfigurationV1(w, mux.SetURLVars(r, map[string]string{"tenant": ADFSTenant}), ids)
}

// keys serves the JWKS with the authority's signing key.
// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature
func (s *Service) keys(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	tenant, err := tenantVar(r)
	if err != nil {
		return err
	}
	ver := v2
	if !strings.Contains(r.URL.Path, "/v2.0/") {
		ver = v1
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []jwk{s.key.jwk(tenantIssuer(s.issuerBase(r), tenant, ver))}})
	return nil
}

// tokenForm holds the fields of a token request that azemu reads; the rest
// (claims, client_info, x-client-*, telemetry) is ignored.
type tokenForm struct {
	GrantType       string
	ClientID        string
	ClientSecret    string
	ClientAssertion string
	Scope           string
	Resource        string
}

// parseTokenForm reads an application/x-www-form-urlencoded body. Any other
// content type yields an empty form (so the request fails on grant_type, as
// with Entra). The first value of a repeated field wins.
func parseTokenForm(contentType string, body []byte) (tokenForm, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return tokenForm{}, nil
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return tokenForm{}, errBadRequestBody("The request body is not a valid form: " + err.Error())
	}
	return tokenForm{
		GrantType:       vals.Get("grant_type"),
		ClientID:        vals.Get("client_id"),
		ClientSecret:    vals.Get("client_secret"),
		ClientAssertion: vals.Get("client_assertion"),
		Scope:           vals.Get("scope"),
		Resource:        vals.Get("resource"),
	}, nil
}

// scopeAudience turns a v2 scope list into the token audience: the first
// scope that is not an OIDC scope, which must end in "/.default".
func scopeAudience(scope string) (string, error) {
	for _, sc := range strings.Fields(scope) {
		switch strings.ToLower(sc) {
		case "openid", "offline_access", "profile", "email":
			continue
		}
		aud, ok := strings.CutSuffix(sc, "/.default")
		if !ok || aud == "" || len(aud) > 2048 {
			return "", errInvalidScope(sc)
		}
		return aud, nil
	}
	return "", errInvalidScope(scope)
}

// ADFSTenant is the tenant segment of an ADFS-style authority
// (https://host/adfs), which is what the Azure CLI and MSAL Python accept
// for a private cloud without asking the public cloud whether the authority
// is known. It stands for the development tenant. ADFS's OAuth endpoints
// are /adfs/oauth2/token and /adfs/.well-known/openid-configuration
// (https://learn.microsoft.com/windows-server/identity/ad-fs/overview/ad-fs-openid-connect-oauth-flows-scenarios).
const ADFSTenant = "adfs"

// tokenAudience is the audience a token request asks for: from scope when
// byScope, else from resource.
func tokenAudience(f tokenForm, byScope bool) (string, error) {
	if byScope {
		if strings.TrimSpace(f.Scope) == "" {
			return "", errMissingParameter("scope")
		}
		return scopeAudience(f.Scope)
	}
	aud := strings.TrimSpace(f.Resource)
	if aud == "" {
		return "", errMissingParameter("resource")
	}
	return aud, nil
}

// tokenV2 is the v2.0 token endpoint (client credentials with a secret).
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
func (s *Service) tokenV2(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	return s.token(w, r, v2)
}

// tokenV1 is the v1 token endpoint (client credentials, `resource` instead of `scope`).
func (s *Service) tokenV1(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	return s.token(w, r, v1)
}

func (s *Service) token(w http.ResponseWriter, r *http.Request, ver tokenVersion) error {
	if r.Method != http.MethodPost {
		return errPostOnly(r.Method)
	}
	tenant, err := tenantVar(r)
	if err != nil {
		var e *aadError
		if errors.As(err, &e) {
			e.code = "invalid_request" // the token endpoint's spelling
		}
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errBadRequestBody("The request body is too large.")
		}
		return errBadRequestBody("The request body could not be read.")
	}
	f, err := parseTokenForm(r.Header.Get("Content-Type"), body)
	if err != nil {
		return err
	}
	if user, pass, ok := r.BasicAuth(); ok { // client_secret_basic: RFC 6749 2.3.1 form-encodes both
		if u, err := url.QueryUnescape(user); err == nil && (f.ClientID == "" || f.ClientID == u) {
			f.ClientID = u
			if p, err := url.QueryUnescape(pass); err == nil && f.ClientSecret == "" {
				f.ClientSecret = p
			}
		}
	}
	if f.GrantType == "" {
		return errMissingParameter("grant_type")
	}
	if f.GrantType != "client_credentials" {
		return errUnsupportedGrant(f.GrantType)
	}
	if f.ClientID == "" {
		return errMissingParameter("client_id")
	}
	// ADFS (the authority https://host/adfs) takes a scope on its one token
	// endpoint, as MSAL sends it, or a resource, and is single-tenant.
	adfs := ver == v1 && tenant == ADFSTenant
	if adfs {
		tenant = DevTenantID
	}
	aud, err := tokenAudience(f, ver == v2 || (adfs && strings.TrimSpace(f.Resource) == ""))
	if err != nil {
		return err
	}

	p, secretOK, err := s.authenticateClient(tenant, f)
	if err != nil {
		return err
	}
	if !secretOK {
		return errInvalidSecret(f.ClientID)
	}
	raw, exp, err := s.mint(p, aud, s.issuerBase(r), ver)
	if err != nil {
		return err
	}
	s.log.Debug("issued token", "op", "token", "tenant", p.TenantID, "client_id", p.ClientID, "audience", aud)
	if ver == v1 && !adfs {
		now := s.cfg.Now().Unix()
		in := strconv.FormatInt(exp.Unix()-now-1, 10)
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type": "Bearer", "expires_in": in, "ext_expires_in": in,
			"expires_on": strconv.FormatInt(exp.Unix(), 10), "not_before": strconv.FormatInt(now, 10),
			"resource": aud, "access_token": raw,
		})
		return nil
	}
	in := exp.Unix() - s.cfg.Now().Unix() - 1
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": in, "ext_expires_in": in, "access_token": raw})
	return nil
}

// authenticateClient finds the service principal f.ClientID in tenant and
// checks its secret. It returns the AADSTS error Entra gives for an unknown
// tenant or application or a missing credential.
func (s *Service) authenticateClient(tenant string, f tokenForm) (Principal, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	known := isMultiTenant(tenant)
	var found *record
	for _, r := range s.principals {
		if strings.EqualFold(r.TenantID, tenant) {
			known = true
		}
		if r.Kind == KindServicePrincipal && strings.EqualFold(r.ClientID, f.ClientID) &&
			(isMultiTenant(tenant) || strings.EqualFold(r.TenantID, tenant)) {
			found = r
		}
	}
	if !known {
		return Principal{}, false, errTenantNotFound(tenant)
	}
	if found == nil {
		return Principal{}, false, errAppNotFound(f.ClientID, tenant)
	}
	if f.ClientAssertion != "" {
		return Principal{}, false, errAssertionUnsupported()
	}
	if f.ClientSecret == "" {
		return Principal{}, false, errSecretRequired()
	}
	return found.Principal, secretMatches(found, f.ClientSecret), nil
}

// mintManagedIdentity mints the token of a managed identity request.
func (s *Service) mintManagedIdentity(r *http.Request, sel selector, resource string) (Principal, string, int64, bool, error) {
	p, ok := s.selectManagedIdentity(sel)
	if !ok {
		return Principal{}, "", 0, false, nil
	}
	base := s.cfg.Issuer
	if base == "" {
		base = s.issuerBase(r)
	}
	raw, exp, err := s.mint(p, resource, base, v1)
	if err != nil {
		return Principal{}, "", 0, false, err
	}
	s.log.Debug("issued managed identity token", "object_id", p.ObjectID, "client_id", p.ClientID, "audience", resource)
	return p, raw, exp.Unix(), true, nil
}

// managedIdentityToken is the App Service managed identity endpoint
// (IDENTITY_ENDPOINT / IDENTITY_HEADER, api-version 2019-08-01).
// https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
func (s *Service) managedIdentityToken(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	hdr := r.Header.Get("X-IDENTITY-HEADER")
	if hdr == "" || subtle.ConstantTimeCompare([]byte(hdr), []byte(s.cfg.IdentityHeader)) != 1 {
		return &msiError{http.StatusUnauthorized, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER."}
	}
	q := r.URL.Query()
	if v := q.Get("api-version"); v != "2019-08-01" {
		return &msiError{http.StatusBadRequest, "The api-version '" + v + "' is not supported; use 2019-08-01."}
	}
	resource := strings.TrimSuffix(strings.TrimSpace(q.Get("resource")), "/.default")
	if resource == "" {
		return &msiError{http.StatusBadRequest, "The 'resource' query parameter is required."}
	}
	sel, bad := selectorFrom(q, "mi_res_id")
	if bad != "" {
		return &msiError{http.StatusBadRequest, bad}
	}
	p, raw, exp, ok, err := s.mintManagedIdentity(r, sel, resource)
	if err != nil {
		return err
	}
	if !ok {
		return &msiError{http.StatusBadRequest, "Unable to load the proper Managed Identity."}
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": raw,
		"expires_on":   strconv.FormatInt(exp, 10),
		"resource":     resource,
		"token_type":   "Bearer",
		"client_id":    p.ClientID,
	})
	return nil
}

// imdsToken is the Azure VM instance metadata identity endpoint
// (Metadata: true, api-version 2018-02-01).
// https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
func (s *Service) imdsToken(w http.ResponseWriter, r *http.Request, _ reqIDs) error {
	if !strings.EqualFold(r.Header.Get("Metadata"), "true") {
		return &imdsError{http.StatusBadRequest, "invalid_request", "Required metadata header not specified"}
	}
	q := r.URL.Query()
	if q.Get("api-version") == "" {
		return &imdsError{http.StatusBadRequest, "invalid_request", "Required query variable 'api-version' is missing"}
	}
	resource := strings.TrimSuffix(strings.TrimSpace(q.Get("resource")), "/.default")
	if resource == "" {
		return &imdsError{http.StatusBadRequest, "invalid_request", "Required query variable 'resource' is missing"}
	}
	sel, bad := selectorFrom(q, "msi_res_id")
	if bad != "" {
		return &imdsError{http.StatusBadRequest, "invalid_request", bad}
	}
	p, raw, exp, ok, err := s.mintManagedIdentity(r, sel, resource)
	if err != nil {
		return err
	}
	if !ok {
		return &imdsError{http.StatusBadRequest, "invalid_request", "Identity not found"}
	}
	now := s.cfg.Now().Unix()
	in := strconv.FormatInt(exp-now-1, 10)
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": raw, "client_id": p.ClientID,
		"expires_in": in, "ext_expires_in": in,
		"expires_on": strconv.FormatInt(exp, 10), "not_before": strconv.FormatInt(now, 10),
		"resource": resource, "token_type": "Bearer",
	})
	return nil
}

// selectorFrom reads the identity selector of a managed identity request;
// resParam is the primary resource-id parameter name (mi_res_id for App
// Service, msi_res_id for IMDS); both names are accepted. A non-empty
// second result is the message refusing an ambiguous request.
func selectorFrom(q url.Values, resParam string) (selector, string) {
	sel := selector{clientID: q.Get("client_id"), objectID: q.Get("object_id"), resourceID: q.Get(resParam)}
	if sel.objectID == "" {
		sel.objectID = q.Get("principal_id")
	}
	if sel.resourceID == "" {
		for _, alt := range []string{"mi_res_id", "msi_res_id"} {
			if sel.resourceID = q.Get(alt); sel.resourceID != "" {
				break
			}
		}
	}
	n := 0
	for _, v := range []string{sel.clientID, sel.objectID, sel.resourceID} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return selector{}, "Only one of client_id, object_id (principal_id) and " + resParam + " may be given."
	}
	return sel, ""
}
