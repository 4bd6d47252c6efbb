package blobapi

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storagehttp"
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

// allowsAll reports whether a rule allows every origin.
func allowsAll(rule blobstore.CorsRule) bool {
	for _, o := range strings.Split(rule.AllowedOrigins, ",") {
		if strings.TrimSpace(o) == "*" {
			return true
		}
	}
	return false
}

// corsPlan is what an actual (non-preflight) request gets, decided before
// the handler runs; the exposed header names are only known once the
// handler has set its headers (corsWriter).
type corsPlan struct {
	allowOrigin string // "" for none
	credentials bool
	vary        bool
	expose      string // the rule's ExposedHeaders ("" for none)
}

// planCORS applies the account's CORS rules to an actual request as Azure
// does ("Understanding how the Vary header is set" in the CORS overview):
//   - a rule matching the origin and method that allows every origin gives
//     Access-Control-Allow-Origin: * and the exposed headers (Azure does so
//     even without an Origin header; the handler only asks with one);
//   - a rule matching the exact origin gives that origin, the exposed
//     headers, Access-Control-Allow-Credentials: true and, for GET/HEAD,
//     Vary: Origin;
//   - no match while rules exist gives Vary: Origin for GET/HEAD;
//   - no rules give nothing.
func planCORS(rules []blobstore.CorsRule, origin, method string) (corsPlan, bool) {
	if len(rules) == 0 {
		return corsPlan{}, false
	}
	cacheable := method == http.MethodGet || method == http.MethodHead
	var rule blobstore.CorsRule
	found := false
	if origin != "" {
		rule, found = corsRule(rules, origin, method)
	} else {
		for _, r := range rules {
			if allowsAll(r) && listHas(r.AllowedMethods, method, false) {
				rule, found = r, true
				break
			}
		}
	}
	switch {
	case found && allowsAll(rule):
		return corsPlan{allowOrigin: "*", expose: rule.ExposedHeaders}, true
	case found:
		return corsPlan{allowOrigin: origin, credentials: true, vary: cacheable, expose: rule.ExposedHeaders}, true
	}
	return corsPlan{vary: cacheable}, true
}

// corsHeaders wraps w so an actual request gets the CORS response headers
// of the account's rules, on success and on error alike (a browser app can
// then read the storage error). An unknown account gets none.
func (a *api) corsHeaders(w http.ResponseWriter, r *http.Request, account string) http.ResponseWriter {
	props, err := a.svc.GetServiceProperties(r.Context(), account)
	if err != nil {
		return w
	}
	plan, ok := planCORS(props.Cors, r.Header.Get("Origin"), r.Method)
	if !ok {
		return w
	}
	return &corsWriter{ResponseWriter: w, plan: plan}
}

// corsWriter adds a corsPlan's headers when the status is written.
// Access-Control-Expose-Headers lists the response's own header names that
// the rule's ExposedHeaders allow (literal names, prefixes ending in "*",
// or "*"), as Azure expands them: browsers do not expand such patterns.
type corsWriter struct {
	http.ResponseWriter
	plan  corsPlan
	wrote bool
}

func (c *corsWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *corsWriter) WriteHeader(status int) {
	if !c.wrote {
		c.wrote = true
		c.apply()
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

func (c *corsWriter) apply() {
	h := c.Header()
	p := c.plan
	if p.vary {
		h.Add("Vary", "Origin")
	}
	if p.allowOrigin == "" {
		return
	}
	var names []string
	if strings.TrimSpace(p.expose) != "" {
		for k := range h {
			name := exposedName(k)
			if strings.HasPrefix(strings.ToLower(name), "access-control-") || strings.EqualFold(name, "Vary") {
				continue
			}
			if listHas(p.expose, name, true) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
	}
	h.Set("Access-Control-Allow-Origin", p.allowOrigin)
	if len(names) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(names, ","))
	}
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// exposedName spells a response header name as Azure does in
// Access-Control-Expose-Headers (x-ms-* in lower case).
func exposedName(k string) string {
	switch {
	case len(k) > 5 && strings.EqualFold(k[:5], "x-ms-"):
		return strings.ToLower(k)
	case k == "Etag":
		return "ETag"
	case k == "Content-Md5":
		return "Content-MD5"
	}
	return k
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
		for _, name := range storagehttp.SplitList(reqHeaders) {
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
		// Preflight Blob Request: "This header is always set to true."
		h.Set("Access-Control-Allow-Credentials", "true")
		if allow != "*" {
			h.Add("Vary", "Origin")
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	a.resp.WriteError(w, r, errCorsPreflightFailure)
}
