package blobapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
)

// corsRule finds the first CORS rule of the account matching origin and
// method (rules are evaluated in order, as Azure does).
func corsRule(rules []blobstore.CorsRule, origin, method string) (blobstore.CorsRule, bool) {
	for _, rule := range rules {
		if listHas(rule.AllowedOrigins, origin, false) && listHas(rule.AllowedMethods, method, false) {
			return rule, true
		}
	}
	return blobstore.CorsRule{}, false
}

// listHas reports whether the comma-separated list allows v: "*" allows
// everything; with prefixes, "x-ms-meta-*" allows every name starting with
// "x-ms-meta-".
func listHas(list, v string, prefixes bool) bool {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "*":
			return true
		case strings.EqualFold(item, v):
			return true
		case prefixes && strings.HasSuffix(item, "*") && len(v) >= len(item)-1 && strings.EqualFold(v[:len(item)-1], item[:len(item)-1]):
			return true
		}
	}
	return false
}

func allowedOrigin(rule blobstore.CorsRule, origin string) string {
	if strings.TrimSpace(rule.AllowedOrigins) == "*" {
		return "*"
	}
	return origin
}

// corsHeaders adds the CORS response headers of a matching rule to an actual
// (non-preflight) request that carries Origin.
func (a *api) corsHeaders(w http.ResponseWriter, r *http.Request, c *call) {
	props, err := a.svc.GetServiceProperties(r.Context(), c.account.Name)
	if err != nil {
		return
	}
	origin := r.Header.Get("Origin")
	rule, ok := corsRule(props.Cors, origin, r.Method)
	if !ok {
		return
	}
	h := w.Header()
	allow := allowedOrigin(rule, origin)
	h.Set("Access-Control-Allow-Origin", allow)
	if rule.ExposedHeaders != "" {
		h.Set("Access-Control-Expose-Headers", rule.ExposedHeaders)
	}
	if allow != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
}

// errCorsPreflightFailure is Azure's answer to a preflight no rule allows.
var errCorsPreflightFailure = &blobstore.Error{Status: http.StatusForbidden, Code: "CorsPreflightFailure",
	Message: "CORS not enabled or no matching rule found for this request."}

// Preflight answers a CORS preflight (OPTIONS) request from the account's
// CORS rules; it needs no authentication.
// https://learn.microsoft.com/rest/api/storageservices/preflight-blob-request
func (a *api) Preflight(w http.ResponseWriter, r *http.Request) {
	a.resp.SetCommonHeaders(w, r)
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	if origin == "" {
		a.resp.WriteError(w, r, blobstore.ErrMissingRequiredHeader.WithDetail("HeaderName", "Origin"))
		return
	}
	if method == "" {
		a.resp.WriteError(w, r, blobstore.ErrMissingRequiredHeader.WithDetail("HeaderName", "Access-Control-Request-Method"))
		return
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	acct := path
	if i := strings.IndexByte(path, '/'); i >= 0 {
		acct = path[:i]
	}
	props, err := a.svc.GetServiceProperties(r.Context(), acct)
	if err != nil {
		a.resp.WriteError(w, r, err)
		return
	}
	reqHeaders := r.Header.Get("Access-Control-Request-Headers")
	for _, rule := range props.Cors {
		if !listHas(rule.AllowedOrigins, origin, false) || !listHas(rule.AllowedMethods, method, false) {
			continue
		}
		ok := true
		for _, name := range splitList(reqHeaders) {
			if !listHas(rule.AllowedHeaders, name, true) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		h := w.Header()
		allow := allowedOrigin(rule, origin)
		h.Set("Access-Control-Allow-Origin", allow)
		h.Set("Access-Control-Allow-Methods", method)
		if reqHeaders != "" {
			h.Set("Access-Control-Allow-Headers", reqHeaders)
		}
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeInSeconds))
		if allow != "*" {
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	a.resp.WriteError(w, r, errCorsPreflightFailure)
}
