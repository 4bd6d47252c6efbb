package storagehttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

func TestCORSMatching(t *testing.T) {
	rules := []blobstore.CorsRule{
		{AllowedOrigins: "http://a, http://b", AllowedMethods: "GET,HEAD", AllowedHeaders: "x-ms-meta-*,content-type"},
		{AllowedOrigins: "*", AllowedMethods: "PUT"},
	}
	r, ok := MatchCORSRule(rules, "http://b", "GET")
	require.True(t, ok)
	assert.Equal(t, "http://b", AllowedOrigin(r, "http://b"))
	r, ok = MatchCORSRule(rules, "http://z", "PUT")
	require.True(t, ok)
	assert.Equal(t, "*", AllowedOrigin(r, "http://z"))
	_, ok = MatchCORSRule(rules, "http://z", "GET")
	assert.False(t, ok)
	assert.True(t, ListHas(rules[0].AllowedHeaders, "X-Ms-Meta-Color", true))
	assert.False(t, ListHas(rules[0].AllowedHeaders, "x-ms-version", true))
	assert.False(t, ListHas("x-ms-meta-*", "x-ms-meta-a", false))
}

// TestPlanCORS is Azure's table for actual requests ("Understanding how the
// Vary header is set"), rule evaluation alone.
func TestPlanCORS(t *testing.T) {
	exact := blobstore.CorsRule{AllowedOrigins: "http://app", AllowedMethods: "GET,PUT", ExposedHeaders: "x-ms-*"}
	all := blobstore.CorsRule{AllowedOrigins: "*", AllowedMethods: "GET", ExposedHeaders: "*"}
	tests := []struct {
		name           string
		rules          []blobstore.CorsRule
		origin, method string
		want           CORSPlan
		ok             bool
	}{
		{"no rules", nil, "http://app", "GET", CORSPlan{}, false},
		{"no origin, rules", []blobstore.CorsRule{exact}, "", "GET", CORSPlan{Vary: true}, true},
		{"no origin, allow-all rule", []blobstore.CorsRule{exact, all}, "", "GET", CORSPlan{AllowOrigin: "*", Expose: "*"}, true},
		{"exact match", []blobstore.CorsRule{exact, all}, "http://app", "GET", CORSPlan{AllowOrigin: "http://app", Credentials: true, Vary: true, Expose: "x-ms-*"}, true},
		{"exact match, PUT: no Vary", []blobstore.CorsRule{exact}, "http://app", "PUT", CORSPlan{AllowOrigin: "http://app", Credentials: true, Expose: "x-ms-*"}, true},
		{"no match", []blobstore.CorsRule{exact}, "http://other", "GET", CORSPlan{Vary: true}, true},
		{"allow-all match", []blobstore.CorsRule{exact, all}, "http://other", "GET", CORSPlan{AllowOrigin: "*", Expose: "*"}, true},
		{"no match, DELETE: nothing", []blobstore.CorsRule{exact}, "http://other", "DELETE", CORSPlan{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := PlanCORS(tc.rules, tc.origin, tc.method)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCORSPlanWrap(t *testing.T) {
	tests := []struct {
		name string
		plan CORSPlan
		want map[string]string
	}{
		{"verbatim (File)", CORSPlan{AllowOrigin: "http://a", Credentials: true, Vary: true, Expose: "x-ms-meta-*", ExposeVerbatim: true},
			map[string]string{"Access-Control-Allow-Origin": "http://a", "Access-Control-Expose-Headers": "x-ms-meta-*",
				"Access-Control-Allow-Credentials": "true", "Vary": "Origin"}},
		{"expanded (Blob)", CORSPlan{AllowOrigin: "*", Expose: "x-ms-meta-*,etag"},
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag,x-ms-meta-a",
				"Access-Control-Allow-Credentials": "", "Vary": ""}},
		{"vary only", CORSPlan{Vary: true, Expose: "*"},
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Expose-Headers": "", "Vary": "Origin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := tc.plan.Wrap(rec)
			w.Header().Set("x-ms-meta-a", "1")
			w.Header().Set("ETag", `"0x1"`)
			_, err := w.Write([]byte("x"))
			require.NoError(t, err)
			for k, v := range tc.want {
				assert.Equal(t, v, rec.Header().Get(k), k)
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	rules := []blobstore.CorsRule{{AllowedOrigins: "*", AllowedMethods: "PUT", AllowedHeaders: "x-ms-meta-*", MaxAgeInSeconds: 9}}
	lookup := func(_ context.Context, account string) ([]blobstore.CorsRule, error) {
		if account != "acct" {
			return nil, storageerr.ErrResourceNotFound
		}
		return rules, nil
	}
	tests := []struct {
		name     string
		always   bool
		path     string
		hdr      map[string]string
		status   int
		wantCred string
	}{
		{"blob always sends credentials", true, "/acct/c/b", map[string]string{"Origin": "http://a", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-ms-meta-x"}, 200, "true"},
		{"file: not for *", false, "/acct/s/f", map[string]string{"Origin": "http://a", "Access-Control-Request-Method": "PUT"}, 200, ""},
		{"header not allowed", true, "/acct", map[string]string{"Origin": "http://a", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-ms-version"}, 403, ""},
		{"no origin", true, "/acct", map[string]string{"Access-Control-Request-Method": "PUT"}, 400, ""},
		{"unknown account", true, "/other", map[string]string{"Origin": "http://a", "Access-Control-Request-Method": "PUT"}, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodOptions, tc.path, nil)
			for k, v := range tc.hdr {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			p := &Responder{}
			p.Preflight(rec, r, PreflightOptions{Rules: lookup, AlwaysCredentials: tc.always})
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.wantCred, rec.Header().Get("Access-Control-Allow-Credentials"))
			if tc.status == 200 {
				assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
				assert.Equal(t, "9", rec.Header().Get("Access-Control-Max-Age"))
			}
		})
	}
}
