package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/internal/authn"
)

const testAud = "https://vault.localhost:8443"

func newVerifyService(t *testing.T, clk *clock) *Service {
	t.Helper()
	s, err := New(Config{Issuer: "https://localhost:8443", Now: clk.Now})
	require.NoError(t, err)
	return s
}

// baseClaims are the claims of a valid v2 token of the development principal at now.
func baseClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"aud": testAud, "iss": "https://localhost:8443/" + DevTenantID + "/v2.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"oid": DevObjectID, "sub": DevObjectID, "tid": DevTenantID, "appid": DevClientID, "azp": DevClientID, "ver": "2.0",
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func TestVerifyToken(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	s := newVerifyService(t, clk)
	other := newVerifyService(t, clk)
	ctx := context.Background()
	ours := func(mut func(jwt.MapClaims)) string {
		c := baseClaims(now)
		if mut != nil {
			mut(c)
		}
		return sign(t, jwt.SigningMethodRS256, s.key.priv, s.key.kid, c)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&s.key.priv.PublicKey)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	strangerKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	valid := ours(nil)
	b64 := base64.RawURLEncoding.EncodeToString
	parts := strings.Split(valid, ".")

	for _, tc := range []struct {
		name      string
		token     string
		audiences []string
		want      error
	}{
		{"valid", valid, []string{testAud}, nil},
		{"audience case and trailing slash", valid, []string{"HTTPS://Vault.localhost:8443/"}, nil},
		{"one of several audiences", valid, []string{"https://management.azure.com", testAud}, nil},
		{"audience array", ours(func(c jwt.MapClaims) { c["aud"] = []string{"x", testAud} }), []string{testAud}, nil},
		{"v1 issuer", ours(func(c jwt.MapClaims) { c["iss"] = "https://localhost:8443/" + DevTenantID + "/" }), []string{testAud}, nil},
		{"127.0.0.1 issuer on another port", ours(func(c jwt.MapClaims) { c["iss"] = "https://127.0.0.1:9999/" + DevTenantID + "/v2.0" }), []string{testAud}, nil},
		{"expired within leeway", ours(func(c jwt.MapClaims) { c["exp"] = now.Add(-30 * time.Second).Unix() }), []string{testAud}, nil},
		{"v1 appid only", ours(func(c jwt.MapClaims) { delete(c, "azp") }), []string{testAud}, nil},

		{"expired", ours(func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() }), []string{testAud}, ErrTokenExpired},
		{"not yet valid", ours(func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Minute).Unix() }), []string{testAud}, ErrTokenNotYetValid},
		{"no exp", ours(func(c jwt.MapClaims) { delete(c, "exp") }), []string{testAud}, ErrMalformedToken},
		{"exp not a number", ours(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }), []string{testAud}, ErrMalformedToken},
		{"no oid", ours(func(c jwt.MapClaims) { delete(c, "oid") }), []string{testAud}, ErrMalformedToken},
		{"foreign issuer", ours(func(c jwt.MapClaims) { c["iss"] = "https://login.microsoftonline.com/" + DevTenantID + "/v2.0" }), []string{testAud}, ErrInvalidIssuer},
		{"issuer of another tenant", ours(func(c jwt.MapClaims) { c["iss"] = "https://localhost:8443/11111111-1111-1111-1111-111111111111/v2.0" }), []string{testAud}, ErrInvalidIssuer},
		{"issuer with extra path", ours(func(c jwt.MapClaims) { c["iss"] = "https://localhost:8443/" + DevTenantID + "/v2.0/x" }), []string{testAud}, ErrInvalidIssuer},
		{"issuer not a URL", ours(func(c jwt.MapClaims) { c["iss"] = "::" }), []string{testAud}, ErrInvalidIssuer},
		{"no issuer", ours(func(c jwt.MapClaims) { delete(c, "iss") }), []string{testAud}, ErrInvalidIssuer},
		{"wrong audience", valid, []string{"https://management.azure.com"}, ErrInvalidAudience},
		{"audience prefix only", valid, []string{"https://vault.localhost"}, ErrInvalidAudience},
		{"no audiences given", valid, nil, ErrInvalidAudience},
		{"unknown principal", ours(func(c jwt.MapClaims) { c["oid"] = "11111111-1111-1111-1111-111111111111" }), []string{testAud}, ErrUnknownPrincipal},
		{"client of another principal", ours(func(c jwt.MapClaims) {
			c["appid"] = "11111111-1111-1111-1111-111111111111"
			c["azp"] = c["appid"]
		}), []string{testAud}, ErrUnknownPrincipal},
		{"principal in another tenant", ours(func(c jwt.MapClaims) {
			c["tid"] = "11111111-1111-1111-1111-111111111111"
			c["iss"] = "https://localhost:8443/11111111-1111-1111-1111-111111111111/v2.0"
		}), []string{testAud}, ErrUnknownPrincipal},

		{"flipped signature", parts[0] + "." + parts[1] + "." + flip(parts[2]), []string{testAud}, ErrInvalidSignature},
		{"edited payload", parts[0] + "." + b64([]byte(`{"aud":"`+testAud+`","oid":"`+DevObjectID+`"}`)) + "." + parts[2], []string{testAud}, ErrInvalidSignature},
		{"another authority's token", sign(t, jwt.SigningMethodRS256, other.key.priv, other.key.kid, baseClaims(now)), []string{testAud}, ErrInvalidSignature},
		{"stranger key with our kid", sign(t, jwt.SigningMethodRS256, strangerKey, s.key.kid, baseClaims(now)), []string{testAud}, ErrInvalidSignature},
		{"no kid", sign(t, jwt.SigningMethodRS256, s.key.priv, "", baseClaims(now)), []string{testAud}, ErrInvalidSignature},
		{"RS512", sign(t, jwt.SigningMethodRS512, s.key.priv, s.key.kid, baseClaims(now)), []string{testAud}, ErrInvalidSignature},
		{"PS256", sign(t, jwt.SigningMethodPS256, s.key.priv, s.key.kid, baseClaims(now)), []string{testAud}, ErrInvalidSignature},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, s.key.kid, baseClaims(now)), []string{testAud}, ErrInvalidSignature},
		{"alg none, empty signature by hand", b64([]byte(`{"alg":"none","kid":"`+s.key.kid+`"}`)) + "." + parts[1] + ".", []string{testAud}, ErrInvalidSignature},
		{"HS256 keyed with the public key PEM", sign(t, jwt.SigningMethodHS256, pubPEM, s.key.kid, baseClaims(now)), []string{testAud}, ErrInvalidSignature},
		{"HS256 keyed with the public key DER", sign(t, jwt.SigningMethodHS256, pubDER, s.key.kid, baseClaims(now)), []string{testAud}, ErrInvalidSignature},

		{"empty", "", []string{testAud}, ErrMalformedToken},
		{"garbage", "not a token", []string{testAud}, ErrMalformedToken},
		{"two parts", parts[0] + "." + parts[1], []string{testAud}, ErrMalformedToken},
		{"header not JSON", b64([]byte("{")) + "." + parts[1] + "." + parts[2], []string{testAud}, ErrMalformedToken},
		{"payload not JSON", parts[0] + "." + b64([]byte("[")) + "." + parts[2], []string{testAud}, ErrMalformedToken},
		{"Bearer prefix left on", "Bearer " + valid, []string{testAud}, ErrMalformedToken},
		{"oversized", valid + strings.Repeat("A", maxTokenLen), []string{testAud}, ErrMalformedToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.VerifyToken(ctx, tc.token, tc.audiences...)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, DevObjectID, c.ObjectID)
				assert.Equal(t, DevTenantID, c.TenantID)
				assert.Equal(t, DevClientID, c.AppID)
				assert.NotEmpty(t, c.Audience)
				assert.False(t, c.Expires.IsZero())
				return
			}
			require.ErrorIs(t, err, tc.want)
			if len(tc.token) > 40 {
				assert.NotContains(t, err.Error(), tc.token[len(tc.token)-20:], "errors never echo the token")
			}
		})
	}
}

func flip(sig string) string {
	b := []byte(sig)
	if b[3] == 'A' {
		b[3] = 'B'
	} else {
		b[3] = 'A'
	}
	return string(b)
}

func TestVerifyTokenLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	s := newVerifyService(t, clk)
	ctx := context.Background()

	mi, err := s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{ResourceID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"})
	require.NoError(t, err)
	tok, err := s.IssueToken(ctx, TokenRequest{ObjectID: mi.ObjectID, Audience: testAud})
	require.NoError(t, err)
	assert.Equal(t, now.Add(TokenLifetime), tok.ExpiresOn)

	c, err := s.VerifyToken(ctx, tok.AccessToken, testAud)
	require.NoError(t, err)
	assert.Equal(t, authn.Caller{ObjectID: mi.ObjectID, TenantID: DevTenantID, AppID: mi.ClientID, Audience: testAud, Expires: tok.ExpiresOn}, c)

	clk.Set(now.Add(TokenLifetime + 2*time.Minute))
	_, err = s.VerifyToken(ctx, tok.AccessToken, testAud)
	require.ErrorIs(t, err, ErrTokenExpired)
	clk.Set(now.Add(time.Minute))

	require.NoError(t, s.RemoveManagedIdentity(ctx, mi.ObjectID))
	_, err = s.VerifyToken(ctx, tok.AccessToken, testAud)
	require.ErrorIs(t, err, ErrUnknownPrincipal)
	require.ErrorIs(t, s.RemoveManagedIdentity(ctx, mi.ObjectID), ErrPrincipalNotFound)

	// Re-created with the same ids later: the old token stays dead.
	clk.Set(now.Add(2 * time.Minute))
	_, err = s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{ObjectID: mi.ObjectID, ClientID: mi.ClientID, ResourceID: mi.ResourceID})
	require.NoError(t, err)
	_, err = s.VerifyToken(ctx, tok.AccessToken, testAud)
	require.ErrorIs(t, err, ErrUnknownPrincipal)
	fresh, err := s.IssueToken(ctx, TokenRequest{ObjectID: mi.ObjectID, Audience: testAud})
	require.NoError(t, err)
	_, err = s.VerifyToken(ctx, fresh.AccessToken, testAud)
	require.NoError(t, err)
}

func TestRegistry(t *testing.T) {
	s, err := New(Config{})
	require.NoError(t, err)
	ctx := context.Background()

	dev, err := s.LookupPrincipal(ctx, strings.ToUpper(DevObjectID))
	require.NoError(t, err)
	assert.Equal(t, KindServicePrincipal, dev.Kind)

	p, err := s.RegisterPrincipal(ctx, ServicePrincipalSpec{Secret: "x"})
	require.NoError(t, err)
	assert.True(t, isGUID(p.ClientID) && isGUID(p.ObjectID))
	assert.Equal(t, DevTenantID, p.TenantID)

	for _, tc := range []struct {
		name string
		err  error
		call func() error
	}{
		{"no secret", ErrInvalidPrincipal, func() error { _, err := s.RegisterPrincipal(ctx, ServicePrincipalSpec{}); return err }},
		{"bad object id", ErrInvalidPrincipal, func() error {
			_, err := s.RegisterPrincipal(ctx, ServicePrincipalSpec{Secret: "x", ObjectID: "nope"})
			return err
		}},
		{"bad tenant", ErrInvalidPrincipal, func() error {
			_, err := s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{TenantID: "contoso.onmicrosoft.com"})
			return err
		}},
		{"client id taken in tenant", ErrPrincipalExists, func() error {
			_, err := s.RegisterPrincipal(ctx, ServicePrincipalSpec{Secret: "x", ClientID: DevClientID})
			return err
		}},
		{"object id of another kind", ErrPrincipalExists, func() error {
			_, err := s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{ObjectID: DevObjectID})
			return err
		}},
		{"remove a service principal as managed identity", ErrPrincipalNotFound, func() error { return s.RemoveManagedIdentity(ctx, p.ObjectID) }},
		{"lookup missing", ErrPrincipalNotFound, func() error {
			_, err := s.LookupPrincipal(ctx, "11111111-1111-1111-1111-111111111111")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { require.ErrorIs(t, tc.call(), tc.err) })
	}

	t.Run("replace keeps the same object", func(t *testing.T) {
		q, err := s.RegisterPrincipal(ctx, ServicePrincipalSpec{ObjectID: p.ObjectID, ClientID: p.ClientID, Secret: "new", DisplayName: "renamed"})
		require.NoError(t, err)
		assert.Equal(t, "renamed", q.DisplayName)
		assert.Equal(t, p.Created, q.Created)
	})
	t.Run("managed identity by resource", func(t *testing.T) {
		const res = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
		mi, err := s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{ResourceID: res})
		require.NoError(t, err)
		got, err := s.LookupManagedIdentity(ctx, strings.ToUpper(res))
		require.NoError(t, err)
		assert.Equal(t, mi, got)
		_, err = s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{ResourceID: res})
		require.ErrorIs(t, err, ErrPrincipalExists)
		assert.Len(t, s.Principals(ctx), 3)
	})
}

// TestConcurrentRegistryAndVerify runs registrations, removals and
// verifications together (for -race).
func TestConcurrentRegistryAndVerify(t *testing.T) {
	s, err := New(Config{Issuer: "https://localhost:8443", DataDir: t.TempDir(), RootKey: testRootKey(t)})
	require.NoError(t, err)
	ctx := context.Background()
	tok, err := s.IssueToken(ctx, TokenRequest{ObjectID: DevObjectID, Audience: testAud})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				mi, err := s.RegisterManagedIdentity(ctx, ManagedIdentitySpec{})
				assert.NoError(t, err)
				assert.NoError(t, s.RemoveManagedIdentity(ctx, mi.ObjectID))
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				_, err := s.VerifyToken(ctx, tok.AccessToken, testAud)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.Len(t, s.Principals(ctx), 1)
}

func BenchmarkVerifyToken(b *testing.B) {
	s, err := New(Config{Issuer: "https://localhost:8443"})
	require.NoError(b, err)
	ctx := context.Background()
	tok, err := s.IssueToken(ctx, TokenRequest{ObjectID: DevObjectID, Audience: testAud})
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.VerifyToken(ctx, tok.AccessToken, testAud); err != nil {
			b.Fatal(err)
		}
	}
}
