package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TokenSource returns a bearer token (without "Bearer ") for scope, such
// as "https://management.azure.com/.default".
type TokenSource interface {
	Token(ctx context.Context, scope string) (string, error)
}

// ClientSecretTokens gets tokens from azemu's token authority with the
// OAuth 2.0 client credentials grant, as ClientSecretCredential does
// (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow),
// and keeps each until shortly before it expires.
type ClientSecretTokens struct {
	// Authority is the token authority's base URL (https://localhost:8443).
	Authority, TenantID, ClientID, Secret string
	Client                                *http.Client

	mu    sync.Mutex
	cache map[string]cachedToken
}

type cachedToken struct {
	raw     string
	expires time.Time
}

var _ TokenSource = (*ClientSecretTokens)(nil)

// Token returns a cached token for scope or requests a new one.
func (c *ClientSecretTokens) Token(ctx context.Context, scope string) (string, error) {
	c.mu.Lock()
	if t, ok := c.cache[scope]; ok && time.Now().Before(t.expires) {
		c.mu.Unlock()
		return t.raw, nil
	}
	c.mu.Unlock()

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID},
		"client_secret": {c.Secret}, "scope": {scope}}
	u := strings.TrimRight(c.Authority, "/") + "/" + url.PathEscape(c.TenantID) + "/oauth2/v2.0/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", UserAgent)
	resp, err := c.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("token for %s: %w", scope, err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok); err != nil {
		return "", fmt.Errorf("token for %s: HTTP %d, unreadable answer", scope, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return "", fmt.Errorf("token for %s: HTTP %d %s %s", scope, resp.StatusCode, tok.Error, tok.Description)
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil {
		c.cache = map[string]cachedToken{}
	}
	// Renew at half life, so a token never expires in flight.
	c.cache[scope] = cachedToken{raw: tok.AccessToken, expires: time.Now().Add(life / 2)}
	return tok.AccessToken, nil
}
