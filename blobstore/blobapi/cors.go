package blobapi

import (
	"context"
	"net/http"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// corsHeaders wraps w so an actual request gets the CORS response headers
// of the account's Blob service rules (storagehttp.PlanCORS), on success and
// on error alike. An unknown account gets none.
func (a *api) corsHeaders(w http.ResponseWriter, r *http.Request, account string) http.ResponseWriter {
	props, err := a.svc.GetServiceProperties(r.Context(), account)
	if err != nil {
		return w
	}
	plan, ok := storagehttp.PlanCORS(props.Cors, r.Header.Get("Origin"), r.Method)
	if !ok {
		return w
	}
	return plan.Wrap(w)
}

// Preflight answers a CORS preflight (OPTIONS) request from the account's
// Blob service CORS rules; it needs no authentication.
// https://learn.microsoft.com/rest/api/storageservices/preflight-blob-request
func (a *api) Preflight(w http.ResponseWriter, r *http.Request) {
	a.resp.Preflight(w, r, storagehttp.PreflightOptions{
		Rules: func(ctx context.Context, account string) ([]blobstore.CorsRule, error) {
			props, err := a.svc.GetServiceProperties(ctx, account)
			return props.Cors, err
		},
		// Preflight Blob Request: "This header is always set to true."
		AlwaysCredentials: true,
	})
}
