package authn

import (
	"errors"
	"time"
)

// Caller is the verified caller of a request: the claims of a valid access
// token that Entra ID puts in every token it issues (see "Access token claims
// reference", https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
// Identifiers are lower case.
type Caller struct {
	ObjectID string    // oid: the principal's object id
	TenantID string    // tid: the tenant the principal signed in to
	AppID    string    // appid (v1 tokens) or azp (v2 tokens): the client id
	Audience string    // aud, as in the token
	Expires  time.Time // exp
}

// Sentinel errors a token verifier returns (wrapped with %w). They never
// carry the token itself.
var (
	// ErrMalformedToken: not a JWT, too long, or a required claim missing.
	ErrMalformedToken = errors.New("authn: malformed token")
	// ErrInvalidSignature: the signature does not verify or the signing key is unknown.
	ErrInvalidSignature = errors.New("authn: invalid token signature")
	// ErrTokenExpired: exp is in the past.
	ErrTokenExpired = errors.New("authn: token expired")
	// ErrTokenNotYetValid: nbf is in the future.
	ErrTokenNotYetValid = errors.New("authn: token not yet valid")
	// ErrInvalidIssuer: iss is not this authority or names another tenant.
	ErrInvalidIssuer = errors.New("authn: invalid token issuer")
	// ErrInvalidAudience: aud is none of the audiences the service accepts.
	ErrInvalidAudience = errors.New("authn: invalid token audience")
	// ErrUnknownPrincipal: the principal was removed or re-created since the
	// token was issued.
	ErrUnknownPrincipal = errors.New("authn: token principal is not registered")
)
