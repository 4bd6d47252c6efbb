package identity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func FuzzVerifyToken(f *testing.F) {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	s, err := New(Config{Issuer: "https://localhost:8443", Now: (&clock{t: now}).Now})
	if err != nil {
		f.Fatal(err)
	}
	tok, err := s.IssueToken(context.Background(), TokenRequest{ObjectID: DevObjectID, Audience: testAud})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok.AccessToken)
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOiJ4In0.")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6W119.e30.AAAA")
	parts := strings.Split(tok.AccessToken, ".")
	f.Add(parts[0] + ".." + parts[2])
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := s.VerifyToken(context.Background(), raw, testAud)
		if err == nil && raw != tok.AccessToken {
			// Only a token we signed can verify; the fuzzer cannot forge RS256.
			if c.ObjectID != DevObjectID {
				t.Fatalf("forged token accepted: %+v", c)
			}
		}
	})
}

func FuzzParseTokenForm(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a&client_secret=b&scope=x%2F.default")
	f.Add("application/x-www-form-urlencoded;charset=utf-8", "scope=https://vault.localhost:8443/.default openid&claims=%7B%7D")
	f.Add("text/plain", "grant_type=client_credentials")
	f.Add("application/x-www-form-urlencoded", "%zz=1&;;&=&a=%")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		form, err := parseTokenForm(contentType, []byte(body))
		if err == nil {
			_, _ = scopeAudience(form.Scope)
		}
	})
}

// FuzzTokenEndpoint drives the whole token handler with arbitrary bodies and
// paths: it must answer (never panic) with 200, 400 or 401.
func FuzzTokenEndpoint(f *testing.F) {
	s, err := New(Config{Issuer: "https://localhost:8443"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(DevTenantID, "grant_type=client_credentials&client_id="+DevClientID+"&client_secret="+DevClientSecret+"&scope=a%2F.default")
	f.Add("common", "grant_type=client_credentials&client_id="+DevClientID+"&scope=%2F.default")
	f.Add("x", "grant_type=foo")
	f.Fuzz(func(t *testing.T, tenant, body string) {
		req := httptest.NewRequest(http.MethodPost, "/"+url.PathEscape(tenant)+"/oauth2/v2.0/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 401, 404, 301:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
