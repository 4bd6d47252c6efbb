package blobapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

func TestLeaseOptions(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		want   blobstore.LeaseOptions
		code   string
	}{
		{"acquire", map[string]string{"x-ms-lease-action": "acquire", "x-ms-lease-duration": "-1", "x-ms-proposed-lease-id": "p"},
			blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1, ProposedLeaseID: "p"}, ""},
		{"acquire without duration", map[string]string{"x-ms-lease-action": "acquire"}, blobstore.LeaseOptions{}, "MissingRequiredHeader"},
		{"bad duration", map[string]string{"x-ms-lease-action": "acquire", "x-ms-lease-duration": "x"}, blobstore.LeaseOptions{}, "InvalidHeaderValue"},
		{"break with period", map[string]string{"x-ms-lease-action": "Break", "x-ms-lease-break-period": "5"},
			blobstore.LeaseOptions{Action: blobstore.LeaseBreak, BreakPeriod: ptr(5)}, ""},
		{"renew", map[string]string{"x-ms-lease-action": "renew", "x-ms-lease-id": "id"}, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: "id"}, ""},
		{"no action", map[string]string{}, blobstore.LeaseOptions{}, "MissingRequiredHeader"},
		{"bad action", map[string]string{"x-ms-lease-action": "steal"}, blobstore.LeaseOptions{}, "InvalidHeaderValue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPut, "/a/c?comp=lease", nil)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			got, err := leaseOptions(r)
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestRewrite(t *testing.T) {
	tests := []struct {
		host, target, wantPath, wantRaw string
	}{
		{"127.0.0.1:10000", "/acct/c/b", "/acct/c/b", "/acct/c/b"},
		{"acct.blob.localhost:10000", "/c/a%2Fb", "/acct/c/a/b", "/acct/c/a%2Fb"},
		{"acct.blob.localhost", "/?comp=list", "/acct/", "/acct/"},
		{"127.0.0.1:10000", "/acct/top.txt", "/acct/$root/top.txt", "/acct/$root/top.txt"},
		{"127.0.0.1:10000", "/acct/cont?restype=container", "/acct/cont", "/acct/cont"},
		{"other.example", "/acct/c/b", "/acct/c/b", "/acct/c/b"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(http.MethodGet, tc.target, nil)
		r.Host = tc.host
		got := rewrite(r)
		assert.Equal(t, tc.wantPath, got.URL.Path, tc.target)
		assert.Equal(t, tc.wantRaw, got.URL.EscapedPath(), tc.target)
		assert.Equal(t, tc.target, got.RequestURI, "what the client signed is kept")
	}
}
