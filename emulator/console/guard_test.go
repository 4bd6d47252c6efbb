package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type staticTokens string

func (s staticTokens) Token(context.Context, string) (string, error) { return string(s), nil }

func newTestConsole(t *testing.T, cfg Config) *Console {
	t.Helper()
	if cfg.Hosts == nil {
		cfg.Hosts = []string{"127.0.0.1:10010", "localhost:10010"}
	}
	if cfg.HTTPSURL == "" {
		cfg.HTTPSURL = "https://localhost:8443"
	}
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	if cfg.Tokens == nil {
		cfg.Tokens = staticTokens("token")
	}
	cfg.Subscription, cfg.ResourceGroup = "00000000-0000-0000-0000-000000000000", "azemu"
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

// TestGuardRefusesOtherSites covers what a hostile page in the user's
// browser could send: a DNS-rebinding page reaches the port under its own
// Host name; a cross-site page sends its Origin, a form POST without the
// console's header, or a CORS preflight. None may read state or change it.
func TestGuardRefusesOtherSites(t *testing.T) {
	h := newTestConsole(t, Config{}).Handler()
	cases := []struct {
		name, method, path, host string
		header                   map[string]string
		allowed                  bool
	}{
		{name: "the page", method: "GET", path: "/", host: "127.0.0.1:10010", allowed: true},
		{name: "the page by localhost", method: "GET", path: "/", host: "localhost:10010", allowed: true},
		{name: "the page's API read", method: "GET", path: "/api/info", host: "localhost:10010", allowed: true},
		{name: "DNS rebinding: page", method: "GET", path: "/", host: "evil.example:10010"},
		{name: "DNS rebinding: API read", method: "GET", path: "/api/info", host: "evil.example"},
		{name: "DNS rebinding: write with the header", method: "POST", path: "/api/clock/advance", host: "rebind.evil.example:10010",
			header: map[string]string{PageHeader: "1", "Origin": "http://rebind.evil.example:10010"}},
		{name: "other port", method: "GET", path: "/api/info", host: "127.0.0.1:9999"},
		{name: "cross-site read", method: "GET", path: "/api/info", host: "127.0.0.1:10010", header: map[string]string{"Origin": "https://evil.example"}},
		{name: "cross-site form POST", method: "POST", path: "/api/kv/devvault/keys/k", host: "127.0.0.1:10010",
			header: map[string]string{"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"}},
		{name: "cross-site POST with the header", method: "POST", path: "/api/clock/advance", host: "127.0.0.1:10010",
			header: map[string]string{"Origin": "null", PageHeader: "1"}},
		{name: "write without the header", method: "PATCH", path: "/api/kv/devvault/keys/k", host: "127.0.0.1:10010",
			header: map[string]string{"Origin": "http://127.0.0.1:10010"}},
		{name: "write marked cross-site", method: "DELETE", path: "/api/kv/devvault/keys/k", host: "127.0.0.1:10010",
			header: map[string]string{PageHeader: "1", "Sec-Fetch-Site": "cross-site"}},
		{name: "preflight", method: "OPTIONS", path: "/api/kv/devvault/keys/k", host: "127.0.0.1:10010",
			header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(""))
			r.Host = tc.host
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if tc.allowed {
				assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
				return
			}
			assert.Equal(t, http.StatusForbidden, w.Code)
			assert.Contains(t, w.Body.String(), `"RequestRefused"`)
			assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
		})
	}
}

// TestGuardAllowsTheConsolesOwnWrites lets the page's own write through to
// the API (here it fails further on, at the unreachable endpoint, not at
// the guard).
func TestGuardAllowsTheConsolesOwnWrites(t *testing.T) {
	h := newTestConsole(t, Config{HTTPSURL: "https://127.0.0.1:1"}).Handler()
	r := httptest.NewRequest("POST", "/api/clock/advance", strings.NewReader(`{"seconds":1}`))
	r.Host = "127.0.0.1:10010"
	r.Header.Set("Origin", "http://127.0.0.1:10010")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set(PageHeader, "1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusBadGateway, w.Code)
	assert.Contains(t, w.Body.String(), "ConsoleUpstreamUnreachable")
}

// TestPageHeaders: the page may run only its own scripts and cannot be
// framed.
func TestPageHeaders(t *testing.T) {
	h := newTestConsole(t, Config{}).Handler()
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "127.0.0.1:10010"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Header().Get("Content-Security-Policy"), "script-src 'self'")
	assert.Contains(t, w.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "DENY", w.Header().Get("X-Frame-Options"))
	assert.NotContains(t, w.Body.String(), "http://", "the page loads nothing from elsewhere")
	assert.NotContains(t, w.Body.String(), "https://")

	r = httptest.NewRequest("GET", "/assets/app.js", nil)
	r.Host = "127.0.0.1:10010"
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code)
	assert.NotRegexp(t, `(src|href)=["']https?://`, w.Body.String())
}
