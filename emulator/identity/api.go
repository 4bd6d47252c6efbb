package identity

import (
	"errors"
	"log/slog"
	"time"

	"github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/internal/authn"
)

// Well-known identifiers of the development principal, which exists by default.
const (
	DevTenantID     = "00000000-0000-4000-8000-000000000000"
	DevClientID     = "00000000-0000-4000-8000-000000000001"
	DevClientSecret = "azemu-development-secret"
	DevObjectID     = "00000000-0000-4000-8000-000000000002"

	// DefaultIdentityHeader is the X-IDENTITY-HEADER value the managed
	// identity endpoint expects when Config.IdentityHeader is empty.
	DefaultIdentityHeader = "azemu-identity-header"

	// TokenLifetime is the lifetime of every issued access token.
	TokenLifetime = time.Hour
)

// Sentinel errors returned (wrapped) by VerifyToken: the ones of
// internal/authn, so that consumers test for them without importing this
// package.
var (
	ErrMalformedToken   = authn.ErrMalformedToken
	ErrInvalidSignature = authn.ErrInvalidSignature
	ErrTokenExpired     = authn.ErrTokenExpired
	ErrTokenNotYetValid = authn.ErrTokenNotYetValid
	ErrInvalidIssuer    = authn.ErrInvalidIssuer
	ErrInvalidAudience  = authn.ErrInvalidAudience
	ErrUnknownPrincipal = authn.ErrUnknownPrincipal
)

// Sentinel errors returned (wrapped) by the principal registry.
var (
	ErrPrincipalNotFound = errors.New("identity: principal not found")
	ErrPrincipalExists   = errors.New("identity: principal already exists")
	ErrInvalidPrincipal  = errors.New("identity: invalid principal")
)

// Config configures New.
type Config struct {
	// DataDir holds the sealed signing key and principal registry; "" keeps
	// everything in memory.
	DataDir string
	// RootKey seals the files in DataDir. It must not be zero when DataDir is set.
	RootKey crypto.Key
	// Issuer is the authority base URL, e.g. "https://localhost:8443". Tokens
	// minted for requests on a loopback alias take the request's scheme and
	// host:port instead.
	Issuer string
	// IdentityHeader is the secret the managed identity endpoint expects in
	// X-IDENTITY-HEADER; "" means DefaultIdentityHeader.
	IdentityHeader string
	// DefaultManagedIdentity (object id or client id) answers managed identity
	// requests that name no identity; "" means the development principal.
	DefaultManagedIdentity string
	// Aliases are extra host names (beyond the loopback aliases) that may
	// appear in issuers.
	Aliases []string
	// Now is the REAL clock (token lifetimes); nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// PrincipalKind tells service principals and managed identities apart.
type PrincipalKind string

// Principal kinds.
const (
	KindServicePrincipal PrincipalKind = "ServicePrincipal"
	KindManagedIdentity  PrincipalKind = "ManagedIdentity"
)

// Principal is a registered identity. Secrets are never returned.
type Principal struct {
	Kind        PrincipalKind
	TenantID    string
	ClientID    string // application (client) id
	ObjectID    string // object id; the principal id of a managed identity
	DisplayName string
	// ResourceID is, for a managed identity, the ARM id of the user-assigned
	// identity or of the resource (storage account) owning a system-assigned one.
	ResourceID string
	Created    time.Time
}

// ServicePrincipalSpec registers a service principal. Empty TenantID means
// DevTenantID; empty ClientID/ObjectID are generated. Secret is required.
type ServicePrincipalSpec struct {
	TenantID    string
	ClientID    string
	ObjectID    string
	DisplayName string
	Secret      string
}

// ManagedIdentitySpec registers a managed identity. Empty TenantID means
// DevTenantID; empty ClientID/ObjectID are generated.
type ManagedIdentitySpec struct {
	TenantID    string
	ClientID    string
	ObjectID    string // principal id
	DisplayName string
	ResourceID  string
}

// TokenRequest asks IssueToken for a token without the HTTP round trip.
type TokenRequest struct {
	ObjectID string // the principal
	Audience string // e.g. "https://vault.localhost:8443"
	Issuer   string // authority base URL; "" means Config.Issuer
}

// Token is an issued access token.
type Token struct {
	AccessToken string
	ExpiresOn   time.Time
}
