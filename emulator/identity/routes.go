package identity

import (
	"net/http"

	"github.com/gorilla/mux"
)

// routes lists every endpoint, one line per operation.
func (s *Service) routes() *mux.Router {
	r := mux.NewRouter()
	get := []string{http.MethodGet, http.MethodHead}
	r.Handle("/{tenant}/v2.0/.well-known/openid-configuration", s.aad("OpenIDConfigurationV2", s.openIDConfigurationV2)).Methods(get...)
	r.Handle("/{tenant}/.well-known/openid-configuration", s.aad("OpenIDConfigurationV1", s.openIDConfigurationV1)).Methods(get...)
	r.Handle("/adfs/adfs/.well-known/openid-configuration", s.aad("OpenIDConfigurationADFS", s.openIDConfigurationADFS)).Methods(get...)
	r.Handle("/{tenant}/discovery/v2.0/keys", s.aad("KeysV2", s.keys)).Methods(get...)
	r.Handle("/{tenant}/discovery/keys", s.aad("KeysV1", s.keys)).Methods(get...)
	r.Handle("/{tenant}/oauth2/v2.0/token", s.aad("TokenV2", s.tokenV2)) // any method: AAD answers a GET with AADSTS900561
	r.Handle("/{tenant}/oauth2/token", s.aad("TokenV1", s.tokenV1))
	r.Handle("/msi/token", s.msi("ManagedIdentityToken", s.managedIdentityToken)).Methods(get...)
	r.Handle("/metadata/identity/oauth2/token", s.imds("IMDSToken", s.imdsToken)).Methods(get...)
	r.Handle("/v1.0/me", s.graph("GraphGetMe", s.me)).Methods(get...)
	r.Handle("/v1.0/servicePrincipals", s.graph("GraphListServicePrincipals", s.listServicePrincipals)).Methods(get...)
	r.Handle("/v1.0/servicePrincipals/{id}", s.graph("GraphGetServicePrincipal", s.getServicePrincipal)).Methods(get...)
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request", "error_description": "method not allowed"})
	})
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "error_description": "no such identity endpoint"})
	})
	return r
}
