package identity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/azemu/azemu/internal/authn"
)

const (
	// maxTokenLen bounds what VerifyToken parses; Entra tokens are a few KiB.
	maxTokenLen = 16 << 10
	// clockLeeway tolerates small clock differences on exp and nbf.
	clockLeeway = time.Minute
)

// tokenVersion picks the claim set: v2 (client credentials on the v2.0
// endpoint) or v1 (the v1 endpoint and managed identities, as Entra does).
type tokenVersion int

const (
	v1 tokenVersion = 1
	v2 tokenVersion = 2
)

// mint signs an access token for p with audience aud, issued by base (the
// authority URL without tenant). It returns the token and its expiry.
func (s *Service) mint(p Principal, aud, base string, ver tokenVersion) (string, time.Time, error) {
	now := s.cfg.Now().UTC().Truncate(time.Second)
	exp := now.Add(TokenLifetime)
	uti, err := newGUID()
	if err != nil {
		return "", time.Time{}, err
	}
	c := jwt.MapClaims{
		"aud":   aud,
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   exp.Unix(),
		"oid":   p.ObjectID,
		"sub":   p.ObjectID,
		"tid":   p.TenantID,
		"uti":   uti,
		"idtyp": "app",
		"appid": p.ClientID,
		"azp":   p.ClientID,
	}
	base = strings.TrimSuffix(base, "/")
	if ver == v1 {
		c["iss"] = base + "/" + p.TenantID + "/"
		c["idp"] = base + "/" + p.TenantID + "/"
		c["ver"] = "1.0"
	} else {
		c["iss"] = base + "/" + p.TenantID + "/v2.0"
		c["ver"] = "2.0"
	}
	acr := "1" // client secret
	if p.Kind == KindManagedIdentity {
		acr = "2"
		if p.ResourceID != "" {
			c["xms_mirid"] = p.ResourceID
		}
	}
	c["appidacr"] = acr
	c["azpacr"] = acr
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = s.key.kid
	signed, err := tok.SignedString(s.key.priv)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("identity: sign token: %w", err)
	}
	return signed, exp, nil
}

// tokenClaims is what VerifyToken reads from a token.
type tokenClaims struct {
	jwt.RegisteredClaims
	TenantID string `json:"tid"`
	ObjectID string `json:"oid"`
	AppID    string `json:"appid"`
	AZP      string `json:"azp"`
}

// VerifyToken checks raw (a bearer token without the "Bearer " prefix) and
// returns its caller. The audience must equal one of audiences, compared
// case-insensitively and ignoring a trailing slash; with no audiences, every
// token is refused with ErrInvalidAudience. Errors wrap the sentinels in
// api.go and never contain the token.
func (s *Service) VerifyToken(ctx context.Context, raw string, audiences ...string) (authn.Caller, error) {
	if raw == "" || len(raw) > maxTokenLen {
		return authn.Caller{}, fmt.Errorf("%w: empty or longer than %d bytes", ErrMalformedToken, maxTokenLen)
	}
	var c tokenClaims
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithoutClaimsValidation())
	_, err := parser.ParseWithClaims(raw, &c, s.keyFunc)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenMalformed):
		return authn.Caller{}, fmt.Errorf("%w: %s", ErrMalformedToken, jwtReason(err))
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return authn.Caller{}, fmt.Errorf("%w: %s", ErrInvalidSignature, jwtReason(err))
	default:
		return authn.Caller{}, fmt.Errorf("%w: %s", ErrMalformedToken, jwtReason(err))
	}

	now := s.cfg.Now()
	if c.ExpiresAt == nil {
		return authn.Caller{}, fmt.Errorf("%w: no exp claim", ErrMalformedToken)
	}
	if now.After(c.ExpiresAt.Add(clockLeeway)) {
		return authn.Caller{}, fmt.Errorf("%w: expired at %s", ErrTokenExpired, c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if c.NotBefore != nil && now.Add(clockLeeway).Before(c.NotBefore.Time) {
		return authn.Caller{}, fmt.Errorf("%w: valid from %s", ErrTokenNotYetValid, c.NotBefore.UTC().Format(time.RFC3339))
	}
	if c.TenantID == "" || c.ObjectID == "" {
		return authn.Caller{}, fmt.Errorf("%w: tid or oid claim missing", ErrMalformedToken)
	}
	if err := s.checkIssuer(c.Issuer, c.TenantID); err != nil {
		return authn.Caller{}, err
	}
	aud, ok := matchAudience(c.Audience, audiences)
	if !ok {
		return authn.Caller{}, fmt.Errorf("%w: audience %q is not one of %q", ErrInvalidAudience, strings.Join(c.Audience, " "), audiences)
	}
	appID := c.AppID
	if appID == "" {
		appID = c.AZP
	}
	if err := s.checkPrincipal(c, appID); err != nil {
		return authn.Caller{}, err
	}
	return authn.Caller{
		ObjectID: strings.ToLower(c.ObjectID),
		TenantID: strings.ToLower(c.TenantID),
		AppID:    strings.ToLower(appID),
		Audience: aud,
		Expires:  c.ExpiresAt.UTC(),
	}, nil
}

// jwtReason gives the jwt library's message (it never includes the token).
func jwtReason(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

func (s *Service) keyFunc(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, errors.New("token has no kid")
	}
	if kid != s.key.kid {
		return nil, errors.New("unknown kid")
	}
	return &s.key.priv.PublicKey, nil
}

// checkIssuer accepts "<scheme>://<host[:port]>/<tid>/v2.0" (v2) or
// "<scheme>://<host[:port]>/<tid>/" (v1) where host is an accepted issuer host
// and <tid> equals the tid claim.
func (s *Service) checkIssuer(iss, tid string) error {
	u, err := url.Parse(iss)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%w: %q is not an issuer URL", ErrInvalidIssuer, iss)
	}
	if !s.acceptedHost(u.Hostname()) {
		return fmt.Errorf("%w: %q is not this authority", ErrInvalidIssuer, iss)
	}
	p := strings.TrimPrefix(u.Path, "/")
	t, rest, _ := strings.Cut(p, "/")
	if !strings.EqualFold(t, tid) || (rest != "" && rest != "v2.0") {
		return fmt.Errorf("%w: %q does not name tenant %s", ErrInvalidIssuer, iss, tid)
	}
	return nil
}

// acceptedHost reports whether host may appear in an issuer (and whether the
// issuer of a request may be built from it): the loopback names and
// addresses, *.localhost, host.docker.internal, Config.Issuer's host and
// Config.Aliases.
func (s *Service) acceptedHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "" {
		return false
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "host.docker.internal" {
		return true
	}
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil && ip.IsLoopback() {
		return true
	}
	if s.issuerHost != "" && h == s.issuerHost {
		return true
	}
	for _, a := range s.cfg.Aliases {
		if strings.EqualFold(a, h) {
			return true
		}
	}
	return false
}

func normAudience(a string) string { return strings.TrimRight(strings.ToLower(a), "/") }

func matchAudience(have jwt.ClaimStrings, want []string) (string, bool) {
	for _, h := range have {
		for _, w := range want {
			if w != "" && normAudience(h) == normAudience(w) {
				return h, true
			}
		}
	}
	return "", false
}

// checkPrincipal refuses tokens of principals that were removed, re-created
// after the token was issued, or do not match the token's tenant and client.
func (s *Service) checkPrincipal(c tokenClaims, appID string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.principals[strings.ToLower(c.ObjectID)]
	if !ok {
		return fmt.Errorf("%w: object %s", ErrUnknownPrincipal, c.ObjectID)
	}
	if !strings.EqualFold(r.TenantID, c.TenantID) || !strings.EqualFold(r.ClientID, appID) {
		return fmt.Errorf("%w: object %s does not belong to tenant %s and client %s", ErrUnknownPrincipal, c.ObjectID, c.TenantID, appID)
	}
	if !r.Created.IsZero() && (c.IssuedAt == nil || c.IssuedAt.Before(r.Created)) {
		return fmt.Errorf("%w: object %s was registered after the token was issued", ErrUnknownPrincipal, c.ObjectID)
	}
	return nil
}
