package storagehttp

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func copySourceRequest(src string) *http.Request {
	r := httptest.NewRequest(http.MethodPut, "/acct/s/f", nil)
	r.Host = "127.0.0.1:10001"
	r.Header.Set("x-ms-copy-source", src)
	return r
}

var fileSourceOptions = CopySourceOptions{Header: "x-ms-copy-source", HostSuffixes: []string{HostSuffixFile, HostSuffixBlob},
	Account: "acct", NotLocal: "not here"}

func TestParseCopySource(t *testing.T) {
	tests := []struct {
		name, src         string
		code              string
		cont, path, sufix string
	}{
		{"path style", "http://127.0.0.1:10000/acct/c/a%2Fb?snapshot=x", "", "c", "a/b", ""},
		{"own host", "http://127.0.0.1:10001/acct/s/d/f", "", "s", "d/f", ""},
		{"localhost", "https://localhost/acct/s/f", "", "s", "f", ""},
		{"host style file", "http://acct.file.localhost:10001/s/d/f", "", "s", "d/f", HostSuffixFile},
		{"host style blob", "http://acct.blob.localhost/c/b", "", "c", "b", HostSuffixBlob},
		{"other host", "http://example.com/acct/c/b", "CannotVerifyCopySource", "", "", ""},
		{"other account", "http://127.0.0.1/other/c/b", "CopyAcrossAccountsNotSupported", "", "", ""},
		{"too short", "http://127.0.0.1/acct/c", "InvalidHeaderValue", "", "", ""},
		{"empty name", "http://127.0.0.1/acct//b", "InvalidHeaderValue", "", "", ""},
		{"no scheme", "127.0.0.1/acct/c/b", "InvalidHeaderValue", "", "", ""},
		{"ftp", "ftp://127.0.0.1/acct/c/b", "InvalidHeaderValue", "", "", ""},
		{"bad escape", "http://127.0.0.1/acct/c/%zz", "InvalidHeaderValue", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := ParseCopySource(copySourceRequest(tc.src), fileSourceOptions)
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "acct", src.Account)
			assert.Equal(t, tc.cont, src.Container)
			assert.Equal(t, tc.path, src.Path)
			assert.Equal(t, tc.sufix, src.HostSuffix)
			assert.Equal(t, tc.src, src.Raw)
		})
	}
	_, err := ParseCopySource(copySourceRequest("http://127.0.0.1/acct/c?sig=secret"), fileSourceOptions)
	var e *storageerr.Error
	require.ErrorAs(t, err, &e)
	for _, x := range e.Extra {
		assert.NotContains(t, x.Value, "secret", "signatures are never echoed")
	}
}

func FuzzParseCopySource(f *testing.F) {
	f.Add("http://127.0.0.1:10000/acct/c/a%2Fb?snapshot=x&sig=s")
	f.Add("http://acct.file.localhost/s/d/f")
	f.Add("https://[::1]:1/acct//")
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest(http.MethodPut, "/acct/s/f", nil)
		r.Header["X-Ms-Copy-Source"] = []string{s}
		src, err := ParseCopySource(r, fileSourceOptions)
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		require.Equal(t, "acct", src.Account)
		require.NotEmpty(t, src.Container)
		require.NotEmpty(t, src.Path)
	})
}
