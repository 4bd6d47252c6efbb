package storagehttp

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMaxResults(t *testing.T) {
	n, err := ParseMaxResults("")
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = ParseMaxResults("25")
	require.NoError(t, err)
	assert.Equal(t, 25, n)
	_, err = ParseMaxResults("0")
	assert.Equal(t, "OutOfRangeQueryParameterValue", storageerr.CodeOf(err))
	_, err = ParseMaxResults("ten")
	assert.Equal(t, "InvalidQueryParameterValue", storageerr.CodeOf(err))
}

func TestHostAccount(t *testing.T) {
	_, ok := HostAccount("a.b.blob.localhost", HostSuffixBlob)
	assert.False(t, ok)
	acct, ok := HostAccount("DevStoreAccount1.BLOB.localhost:1", HostSuffixBlob)
	assert.True(t, ok)
	assert.Equal(t, "devstoreaccount1", acct)
	_, ok = HostAccount("acct.blob.localhost", HostSuffixFile)
	assert.False(t, ok)
	_, ok = HostAccount(".file.localhost", HostSuffixFile)
	assert.False(t, ok)
}

func TestNoRoute(t *testing.T) {
	known := func(comp string) bool { return comp == "list" }
	special := func(r *http.Request) error {
		if r.URL.Query().Get("comp") != "" {
			return storageerr.ErrFeatureNotSupported
		}
		return nil
	}
	tests := []struct {
		method, target, code string
	}{
		{http.MethodGet, "/a?comp=bogus", "InvalidQueryParameterValue"},
		{http.MethodGet, "/a?comp=list", storageerr.ErrFeatureNotSupported.Code},
		{http.MethodPost, "/a", "UnsupportedHttpVerb"},
		{http.MethodGet, "/a", "InvalidUri"},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		p := &Responder{}
		p.NoRoute(rec, httptest.NewRequest(tc.method, tc.target, nil), known, special)
		assert.Equal(t, tc.code, rec.Header().Get(HeaderErrorCode), tc.target)
	}
}

func TestConfigWithDefaults(t *testing.T) {
	c := Config{}.WithDefaults()
	assert.NotNil(t, c.Logger)
	assert.NotNil(t, c.Now)
}

func TestCallOf(t *testing.T) {
	type call struct{ name string }
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	assert.Equal(t, &call{}, CallOf[call](r), "nothing stored: a zero call")
	r = WithCall(r, &call{name: "x"})
	assert.Equal(t, "x", CallOf[call](r).name)
	type other struct{ name string }
	assert.Equal(t, "", CallOf[other](r).name, "keys are per type")
}
