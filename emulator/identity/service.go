package identity

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/crypto"
)

// Service is the token authority and verifier. It is safe for concurrent use.
type Service struct {
	cfg        Config
	issuerHost string // lower-case host name of Config.Issuer
	key        *signingKey
	router     *mux.Router
	log        *slog.Logger

	mu         sync.RWMutex
	principals map[string]*record // by lower-case object id
	defaultMI  string             // object id or client id; "" = development principal
}

// New opens (or creates) the authority's signing key and principal registry.
func New(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.IdentityHeader == "" {
		cfg.IdentityHeader = DefaultIdentityHeader
	}
	cfg.Issuer = strings.TrimRight(cfg.Issuer, "/")
	s := &Service{cfg: cfg, log: cfg.Logger.With("service", "identity"), defaultMI: strings.ToLower(cfg.DefaultManagedIdentity)}
	if cfg.Issuer != "" {
		u, err := url.Parse(cfg.Issuer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("identity: Issuer %q must be a scheme://host[:port] URL", cfg.Issuer)
		}
		s.issuerHost = strings.ToLower(u.Hostname())
	}
	if cfg.DataDir != "" {
		if cfg.RootKey == (crypto.Key{}) {
			return nil, fmt.Errorf("identity: RootKey is required with a DataDir")
		}
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("identity: create %s: %w", cfg.DataDir, err)
		}
	}
	var err error
	if s.key, err = loadSigningKey(cfg); err != nil {
		return nil, err
	}
	if err := s.loadRegistry(); err != nil {
		return nil, err
	}
	s.router = s.routes()
	return s, nil
}

// Close releases resources; the Service must not be used afterwards.
func (s *Service) Close() error { return nil }

// Handler serves the authority and managed identity endpoints (see package doc).
func (s *Service) Handler() http.Handler { return s.router }

// Handles reports whether r's path belongs to Handler, so the emulator can
// dispatch requests on the shared HTTPS listener. It matches paths only, not
// methods, so that a wrong method still gets the authority's error.
func (s *Service) Handles(r *http.Request) bool {
	var m mux.RouteMatch
	if !s.router.Match(r, &m) { // never false while NotFoundHandler is set
		return false
	}
	return m.MatchErr == nil || m.MatchErr == mux.ErrMethodMismatch
}

// KeyID returns the kid of the current signing key (as in the JWKS).
func (s *Service) KeyID() string { return s.key.kid }

// IssueToken mints a token (v2 claims) for a registered principal without HTTP.
func (s *Service) IssueToken(ctx context.Context, req TokenRequest) (Token, error) {
	p, err := s.LookupPrincipal(ctx, req.ObjectID)
	if err != nil {
		return Token{}, err
	}
	if req.Audience == "" {
		return Token{}, fmt.Errorf("identity: IssueToken needs an audience")
	}
	base := strings.TrimRight(req.Issuer, "/")
	if base == "" {
		base = s.cfg.Issuer
	}
	if base == "" {
		return Token{}, fmt.Errorf("identity: IssueToken needs an issuer (Config.Issuer is empty)")
	}
	raw, exp, err := s.mint(p, req.Audience, base, v2)
	if err != nil {
		return Token{}, err
	}
	return Token{AccessToken: raw, ExpiresOn: exp}, nil
}

// RegisterPrincipal adds or replaces (same object id) a service principal.
// The client id must be unique within the tenant.
func (s *Service) RegisterPrincipal(ctx context.Context, spec ServicePrincipalSpec) (Principal, error) {
	if spec.Secret == "" {
		return Principal{}, fmt.Errorf("%w: a service principal needs a secret", ErrInvalidPrincipal)
	}
	r := record{Principal: Principal{Kind: KindServicePrincipal, DisplayName: spec.DisplayName}, SecretSHA256: secretDigest(spec.Secret)}
	var err error
	if r.TenantID, err = canonicalTenant(spec.TenantID); err != nil {
		return Principal{}, err
	}
	if r.ClientID, err = canonicalID("client id", spec.ClientID); err != nil {
		return Principal{}, err
	}
	if r.ObjectID, err = canonicalID("object id", spec.ObjectID); err != nil {
		return Principal{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.putLocked(r, s.cfg.Now())
	if err == nil {
		s.log.Info("registered service principal", "object_id", p.ObjectID, "client_id", p.ClientID, "tenant", p.TenantID)
	}
	return p, err
}

// RegisterManagedIdentity adds or replaces (same object id) a managed identity.
// The client id must be unique within the tenant.
func (s *Service) RegisterManagedIdentity(ctx context.Context, spec ManagedIdentitySpec) (Principal, error) {
	r := record{Principal: Principal{Kind: KindManagedIdentity, DisplayName: spec.DisplayName, ResourceID: spec.ResourceID}}
	var err error
	if r.TenantID, err = canonicalTenant(spec.TenantID); err != nil {
		return Principal{}, err
	}
	if r.ClientID, err = canonicalID("client id", spec.ClientID); err != nil {
		return Principal{}, err
	}
	if r.ObjectID, err = canonicalID("object id", spec.ObjectID); err != nil {
		return Principal{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ResourceID != "" {
		for _, o := range s.principals {
			if o.Kind == KindManagedIdentity && o.ObjectID != r.ObjectID && strings.EqualFold(o.ResourceID, r.ResourceID) && o.ResourceID != "" {
				// A user-assigned identity has exactly one principal, and so has
				// the system-assigned identity of one resource.
				return Principal{}, fmt.Errorf("%w: resource %s already has managed identity %s", ErrPrincipalExists, r.ResourceID, o.ObjectID)
			}
		}
	}
	p, err := s.putLocked(r, s.cfg.Now())
	if err == nil {
		s.log.Info("registered managed identity", "object_id", p.ObjectID, "client_id", p.ClientID, "tenant", p.TenantID, "resource_id", p.ResourceID)
	}
	return p, err
}

// RemoveManagedIdentity removes a managed identity by object (principal) id;
// its tokens stop verifying at once. Removing a principal that is not a
// managed identity fails with ErrPrincipalNotFound.
func (s *Service) RemoveManagedIdentity(ctx context.Context, objectID string) error {
	return s.remove(objectID, KindManagedIdentity)
}

// RemovePrincipal removes any principal by object id; its tokens stop verifying.
func (s *Service) RemovePrincipal(ctx context.Context, objectID string) error {
	return s.remove(objectID, "")
}

func (s *Service) remove(objectID string, kind PrincipalKind) error {
	id := strings.ToLower(objectID)
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.principals[id]
	if !ok || (kind != "" && r.Kind != kind) {
		return fmt.Errorf("%w: object %s", ErrPrincipalNotFound, objectID)
	}
	delete(s.principals, id)
	if err := s.saveRegistryLocked(); err != nil {
		s.principals[id] = r
		return err
	}
	s.log.Info("removed principal", "object_id", id, "kind", r.Kind)
	return nil
}

// LookupPrincipal returns the principal with this object id, or ErrPrincipalNotFound.
func (s *Service) LookupPrincipal(ctx context.Context, objectID string) (Principal, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.principals[strings.ToLower(objectID)]
	if !ok {
		return Principal{}, fmt.Errorf("%w: object %s", ErrPrincipalNotFound, objectID)
	}
	return r.Principal, nil
}

// LookupManagedIdentity finds a managed identity by ARM resource id
// (case-insensitive), or ErrPrincipalNotFound.
func (s *Service) LookupManagedIdentity(ctx context.Context, resourceID string) (Principal, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.principals {
		if r.Kind == KindManagedIdentity && r.ResourceID != "" && strings.EqualFold(r.ResourceID, resourceID) {
			return r.Principal, nil
		}
	}
	return Principal{}, fmt.Errorf("%w: managed identity for %s", ErrPrincipalNotFound, resourceID)
}

// Principals lists every registered principal, by object id.
func (s *Service) Principals(ctx context.Context) []Principal {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Principal, 0, len(s.principals))
	for _, r := range s.principals {
		out = append(out, r.Principal)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ObjectID < out[j].ObjectID })
	return out
}

// SetDefaultManagedIdentity picks the identity (object id or client id) that
// answers managed identity requests naming none; "" restores the development
// principal. The identity need not exist yet; a missing one makes such
// requests fail as Azure does ("Unable to load the proper Managed Identity").
func (s *Service) SetDefaultManagedIdentity(ctx context.Context, id string) error {
	if id != "" && !isGUID(id) {
		return fmt.Errorf("%w: %q is not a GUID", ErrInvalidPrincipal, id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.defaultMI = strings.ToLower(id)
	return nil
}

// selector names a managed identity on the managed identity endpoints.
type selector struct {
	clientID, objectID, resourceID string
}

// selectManagedIdentity resolves sel; with an empty selector it returns the
// default managed identity. Besides managed identities only the development
// principal can be selected (it stands in as the default).
func (s *Service) selectManagedIdentity(sel selector) (Principal, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if sel == (selector{}) {
		if s.defaultMI == "" {
			sel.objectID = DevObjectID
		} else {
			for _, r := range s.principals {
				if r.ObjectID == s.defaultMI || strings.EqualFold(r.ClientID, s.defaultMI) {
					return r.Principal, true
				}
			}
			return Principal{}, false
		}
	}
	for _, r := range s.principals {
		if r.Kind != KindManagedIdentity && r.ObjectID != DevObjectID {
			continue
		}
		switch {
		case sel.clientID != "" && strings.EqualFold(r.ClientID, sel.clientID),
			sel.objectID != "" && strings.EqualFold(r.ObjectID, sel.objectID),
			sel.resourceID != "" && r.ResourceID != "" && strings.EqualFold(r.ResourceID, sel.resourceID):
			return r.Principal, true
		}
	}
	return Principal{}, false
}
