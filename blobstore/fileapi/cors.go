package fileapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// listHas reports whether the comma-separated list allows v: "*" allows
// everything; with prefixes, "x-ms-meta-*" allows names starting with it.
func listHas(list, v string, prefixes bool) bool {
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

func allowedOrigin(rule blobstore.CorsRule, origin string) string {
	if strings.TrimSpace(rule.AllowedOrigins) == "*" {
		return "*"
	}
	return origin
}

// corsHeaders adds the CORS headers of the first matching rule of the
// account's File service to a request that carries Origin.
func (a *api) corsHeaders(w http.ResponseWriter, r *http.Request, c *call) {
	props, err := a.svc.GetFileServiceProperties(r.Context(), c.account.Name)
	if err != nil {
		return
	}
	origin := r.Header.Get("Origin")
	for _, rule := range props.Cors {
		if !listHas(rule.AllowedOrigins, origin, false) || !listHas(rule.AllowedMethods, r.Method, false) {
			continue
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
		return
	}
}

var errCorsPreflightFailure = &blobstore.Error{Status: http.StatusForbidden, Code: "CorsPreflightFailure",
	Message: "CORS not enabled or no matching rule found for this request."}

// Preflight answers a CORS preflight (OPTIONS) request from the account's
// File service CORS rules; it needs no authentication.
// https://learn.microsoft.com/rest/api/storageservices/preflight-file-request
func (a *api) Preflight(w http.ResponseWriter, r *http.Request) {
	a.resp.SetCommonHeaders(w, r)
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	switch {
	case origin == "":
		a.resp.WriteError(w, r, blobstore.ErrMissingRequiredHeader.WithDetail("HeaderName", "Origin"))
		return
	case method == "":
		a.resp.WriteError(w, r, blobstore.ErrMissingRequiredHeader.WithDetail("HeaderName", "Access-Control-Request-Method"))
		return
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	acct := path
	if i := strings.IndexByte(path, '/'); i >= 0 {
		acct = path[:i]
	}
	if hacct, ok := storagehttp.HostAccount(r.Host, storagehttp.HostSuffixFile); ok {
		acct = hacct
	}
	props, err := a.svc.GetFileServiceProperties(r.Context(), acct)
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
		if allow != "*" {
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	a.resp.WriteError(w, r, errCorsPreflightFailure)
}
