package identity

import (
	"context"
	"errors"
	"net/http"
)

var errNotImplemented = errors.New("identity: not implemented yet")

// Service is the token authority and verifier. It is safe for concurrent use.
type Service struct {
	cfg Config
}

// New opens (or creates) the authority's signing key and principal registry.
func New(cfg Config) (*Service, error) { return &Service{cfg: cfg}, nil }

// Close releases resources; the Service must not be used afterwards.
func (s *Service) Close() error { return nil }

// Handler serves the authority and managed identity endpoints (see package doc).
func (s *Service) Handler() http.Handler { return http.NotFoundHandler() }

// Handles reports whether r's path belongs to Handler, so the emulator can
// dispatch requests on the shared HTTPS listener.
func (s *Service) Handles(r *http.Request) bool { return false }

// VerifyToken checks raw (a bearer token without the "Bearer " prefix) and
// returns its claims. The audience must equal one of audiences, compared
// case-insensitively and ignoring a trailing slash; no audiences accepts none.
func (s *Service) VerifyToken(ctx context.Context, raw string, audiences ...string) (Claims, error) {
	return Claims{}, errNotImplemented
}

// IssueToken mints a token for a registered principal without HTTP.
func (s *Service) IssueToken(ctx context.Context, req TokenRequest) (Token, error) {
	return Token{}, errNotImplemented
}

// RegisterPrincipal adds or replaces (same object id) a service principal.
func (s *Service) RegisterPrincipal(ctx context.Context, spec ServicePrincipalSpec) (Principal, error) {
	return Principal{}, errNotImplemented
}

// RegisterManagedIdentity adds or replaces (same object id) a managed identity.
func (s *Service) RegisterManagedIdentity(ctx context.Context, spec ManagedIdentitySpec) (Principal, error) {
	return Principal{}, errNotImplemented
}

// RemoveManagedIdentity removes a managed identity by object (principal) id;
// its tokens stop verifying at once.
func (s *Service) RemoveManagedIdentity(ctx context.Context, objectID string) error {
	return errNotImplemented
}

// RemovePrincipal removes any principal by object id; its tokens stop verifying.
func (s *Service) RemovePrincipal(ctx context.Context, objectID string) error {
	return errNotImplemented
}

// LookupPrincipal returns the principal with this object id, or ErrPrincipalNotFound.
func (s *Service) LookupPrincipal(ctx context.Context, objectID string) (Principal, error) {
	return Principal{}, errNotImplemented
}

// LookupManagedIdentity finds a managed identity by ARM resource id
// (case-insensitive), or ErrPrincipalNotFound.
func (s *Service) LookupManagedIdentity(ctx context.Context, resourceID string) (Principal, error) {
	return Principal{}, errNotImplemented
}

// SetDefaultManagedIdentity picks the identity (object id or client id) that
// answers managed identity requests naming none; "" restores the development principal.
func (s *Service) SetDefaultManagedIdentity(ctx context.Context, id string) error {
	return errNotImplemented
}
