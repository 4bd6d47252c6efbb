package storagehttp

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// CORS of both storage services: the rule matching, preflight answers and
// actual-request headers. Where the Blob and File services answer
// differently, the difference is a field of CORSPlan or PreflightOptions.

// MatchCORSRule finds the first CORS rule matching origin and method (rules
// are evaluated in order, as Azure does).
func MatchCORSRule(rules []blobstore.CorsRule, origin, method string) (blobstore.CorsRule, bool) {
	for _, rule := range rules {
		if ListHas(rule.AllowedOrigins, origin, false) && ListHas(rule.AllowedMethods, method, false) {
			return rule, true
		}
	}
	return blobstore.CorsRule{}, false
}

// ListHas reports whether the comma-separated list allows v: "*" allows
// everything; with prefixes, "x-ms-meta-*" allows every name starting with
// "x-ms-meta-".
func ListHas(list, v string, prefixes bool) bool {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "*", strings.EqualFold(item, v):
			return true
		case prefixes && strings.HasSuffix(item, "*") && len(v) >= len(item)-1 && strings.EqualFold(v[:len(item)-1], item[:len(item)-1]):
			return true
		}
	}
	return false
}

// AllowedOrigin is the Access-Control-Allow-Origin a matching rule gives:
// "*" for a rule whose origins are just "*", else the request's origin.
func AllowedOrigin(rule blobstore.CorsRule, origin string) string {
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

// CORSPlan is what an actual (non-preflight) request gets, decided before
// the handler runs.
type CORSPlan struct {
	AllowOrigin string // "" for none
	Credentials bool
	Vary        bool
	Expose      string // the rule's ExposedHeaders ("" for none)
	// ExposeVerbatim sends Expose as the rule has it (the File service).
	// Otherwise Access-Control-Expose-Headers lists the response's own
	// header names that Expose allows (literal names, prefixes ending in
	// "*", or "*"), as the Blob service expands them: browsers do not
	// expand such patterns. Those names are only known once the handler has
	// set its headers, so Wrap applies the plan when the status is written.
	ExposeVerbatim bool
}

// PlanCORS applies the account's CORS rules to an actual request as the
// Blob service does ("Understanding how the Vary header is set" in the
// CORS overview):
//   - a rule matching the origin and method that allows every origin gives
//     Access-Control-Allow-Origin: * and the exposed headers (Azure does so
//     even without an Origin header; the handler only asks with one);
//   - a rule matching the exact origin gives that origin, the exposed
//     headers, Access-Control-Allow-Credentials: true and, for GET/HEAD,
//     Vary: Origin;
//   - no match while rules exist gives Vary: Origin for GET/HEAD;
//   - no rules give nothing.
func PlanCORS(rules []blobstore.CorsRule, origin, method string) (CORSPlan, bool) {
	if len(rules) == 0 {
		return CORSPlan{}, false
	}
	cacheable := method == http.MethodGet || method == http.MethodHead
	var rule blobstore.CorsRule
	found := false
	if origin != "" {
		rule, found = MatchCORSRule(rules, origin, method)
	} else {
		for _, r := range rules {
			if allowsAll(r) && ListHas(r.AllowedMethods, method, false) {
				rule, found = r, true
				break
			}
		}
	}
	switch {
	case found && allowsAll(rule):
		return CORSPlan{AllowOrigin: "*", Expose: rule.ExposedHeaders}, true
	case found:
		return CORSPlan{AllowOrigin: origin, Credentials: true, Vary: cacheable, Expose: rule.ExposedHeaders}, true
	}
	return CORSPlan{Vary: cacheable}, true
}

// Wrap returns w adding the plan's headers when the status is written, on
// success and on error alike (a browser app can then read the storage
// error).
func (p CORSPlan) Wrap(w http.ResponseWriter) http.ResponseWriter {
	return &corsWriter{ResponseWriter: w, plan: p}
}

// corsWriter adds a CORSPlan's headers when the status is written.
type corsWriter struct {
	http.ResponseWriter
	plan  CORSPlan
	wrote bool
}

func (c *corsWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *corsWriter) WriteHeader(status int) {
	if !c.wrote {
		c.wrote = true
		c.plan.apply(c.Header())
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

func (p CORSPlan) apply(h http.Header) {
	if p.Vary {
		h.Add("Vary", "Origin")
	}
	if p.AllowOrigin == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", p.AllowOrigin)
	switch {
	case p.ExposeVerbatim && p.Expose != "":
		h.Set("Access-Control-Expose-Headers", p.Expose)
	case !p.ExposeVerbatim && strings.TrimSpace(p.Expose) != "":
		var names []string
		for k := range h {
			name := exposedName(k)
			if strings.HasPrefix(strings.ToLower(name), "access-control-") || strings.EqualFold(name, "Vary") {
				continue
			}
			if ListHas(p.Expose, name, true) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		if len(names) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(names, ","))
		}
	}
	if p.Credentials {
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

// ErrCorsPreflightFailure is Azure's answer to a preflight no rule allows.
var ErrCorsPreflightFailure = &storageerr.Error{Status: http.StatusForbidden, Code: "CorsPreflightFailure",
	Message: "CORS not enabled or no matching rule found for this request."}

// PreflightOptions are what a service's preflight needs.
type PreflightOptions struct {
	// Rules returns the CORS rules of the account's service.
	Rules func(ctx context.Context, account string) ([]blobstore.CorsRule, error)
	// AlwaysCredentials sends Access-Control-Allow-Credentials: true on
	// every allowed preflight, as the Blob service does ("This header is
	// always set to true"); the File service sends it only when the
	// allowed origin is not "*".
	AlwaysCredentials bool
}

// Preflight answers a CORS preflight (OPTIONS) request from the account's
// CORS rules; it needs no authentication. The account is the first path
// segment (host-style requests are rewritten by HostStyle first).
func (p *Responder) Preflight(w http.ResponseWriter, r *http.Request, o PreflightOptions) {
	p.SetCommonHeaders(w, r)
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	switch {
	case origin == "":
		p.WriteError(w, r, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "Origin"))
		return
	case method == "":
		p.WriteError(w, r, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "Access-Control-Request-Method"))
		return
	}
	acct, _, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	rules, err := o.Rules(r.Context(), acct)
	if err != nil {
		p.WriteError(w, r, err)
		return
	}
	reqHeaders := r.Header.Get("Access-Control-Request-Headers")
	for _, rule := range rules {
		if !ListHas(rule.AllowedOrigins, origin, false) || !ListHas(rule.AllowedMethods, method, false) || !allowsHeaders(rule, reqHeaders) {
			continue
		}
		h := w.Header()
		allow := AllowedOrigin(rule, origin)
		h.Set("Access-Control-Allow-Origin", allow)
		h.Set("Access-Control-Allow-Methods", method)
		if reqHeaders != "" {
			h.Set("Access-Control-Allow-Headers", reqHeaders)
		}
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeInSeconds))
		if o.AlwaysCredentials || allow != "*" {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if allow != "*" {
			h.Add("Vary", "Origin")
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	p.WriteError(w, r, ErrCorsPreflightFailure)
}

// allowsHeaders reports whether a rule allows every header a preflight
// names in Access-Control-Request-Headers.
func allowsHeaders(rule blobstore.CorsRule, reqHeaders string) bool {
	for _, name := range SplitList(reqHeaders) {
		if !ListHas(rule.AllowedHeaders, name, true) {
			return false
		}
	}
	return true
}
