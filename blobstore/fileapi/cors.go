package fileapi

import (
	"context"
	"net/http"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// corsHeaders wraps w so a request that carries Origin gets the CORS
// headers of the first matching rule of the account's File service: the
// rule's exposed headers as written, and credentials and Vary: Origin
// unless the rule allows every origin.
func (a *api) corsHeaders(w http.ResponseWriter, r *http.Request, c *call) http.ResponseWriter {
	props, err := a.svc.GetFileServiceProperties(r.Context(), c.account.Name)
	if err != nil {
		return w
	}
	origin := r.Header.Get("Origin")
	rule, ok := storagehttp.MatchCORSRule(props.Cors, origin, r.Method)
	if !ok {
		return w
	}
	allow := storagehttp.AllowedOrigin(rule, origin)
	return storagehttp.CORSPlan{AllowOrigin: allow, Credentials: allow != "*", Vary: allow != "*",
		Expose: rule.ExposedHeaders, ExposeVerbatim: true}.Wrap(w)
}

// Preflight answers a CORS preflight (OPTIONS) request from the account's
// File service CORS rules; it needs no authentication.
// https://learn.microsoft.com/rest/api/storageservices/preflight-file-request
func (a *api) Preflight(w http.ResponseWriter, r *http.Request) {
	a.resp.Preflight(w, r, storagehttp.PreflightOptions{
		Rules: func(ctx context.Context, account string) ([]blobstore.CorsRule, error) {
			props, err := a.svc.GetFileServiceProperties(ctx, account)
			return props.Cors, err
		},
	})
}
