package console

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/storageauth"
)

// fakeAzure answers the management calls the console makes for an
// account key and checks the Shared Key of every storage call with the
// service's own verifier.
type fakeAzure struct {
	key       []byte
	listKeys  atomic.Int32
	lastBlob  *http.Request
	blobBody  string
	authError error
}

func (f *fakeAzure) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/providers/Microsoft.Storage/storageAccounts"):
		_, _ = io.WriteString(w, `{"value":[{"name":"acct","id":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/acct"}]}`)
	case strings.HasSuffix(r.URL.Path, "/listKeys"):
		f.listKeys.Add(1)
		if r.Header.Get("Authorization") != "Bearer arm-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, `{"keys":[{"keyName":"key1","value":"`+base64.StdEncoding.EncodeToString(f.key)+`"}]}`)
	case strings.HasPrefix(r.URL.Path, "/acct/"):
		f.lastBlob = r.Clone(context.Background())
		b, _ := io.ReadAll(r.Body)
		f.blobBody = string(b)
		_, f.authError = storageauth.Authenticate(r.Context(), r, storageauth.Request{Service: storageauth.ServiceBlob, Account: "acct", Now: time.Now()}, [][]byte{f.key}, nil)
		if f.authError != nil {
			w.Header().Set("x-ms-error-code", "AuthenticationFailed")
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Set-Cookie", "a=b")
		_, _ = io.WriteString(w, "<script>alert(1)</script>")
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

type scopedTokens struct{}

func (scopedTokens) Token(_ context.Context, scope string) (string, error) {
	if strings.HasPrefix(scope, "https://management.azure.com") {
		return "arm-token", nil
	}
	return "other-token", nil
}

// TestProxySignsStorageCalls: the page's Blob call reaches the service
// signed with the key listKeys returns, without the browser's cookies or
// Authorization, and stored content comes back sandboxed.
func TestProxySignsStorageCalls(t *testing.T) {
	fake := &fakeAzure{key: []byte("0123456789abcdef0123456789abcdef")}
	up := httptest.NewServer(fake)
	defer up.Close()
	c := newTestConsole(t, Config{BlobURL: up.URL, HTTPSURL: up.URL, Client: up.Client(), Tokens: scopedTokens{}})
	h := c.Handler()

	put := func(path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("PUT", path, strings.NewReader(body))
		r.Host = "127.0.0.1:10010"
		r.Header.Set(PageHeader, "1")
		r.Header.Set("Cookie", "session=browser-cookie")
		r.Header.Set("Authorization", "Basic browser-credential")
		r.Header.Set("x-ms-blob-type", "BlockBlob")
		r.Header.Set("Content-Type", "text/plain")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := put("/api/blob/acct/c/dir/a%20b.txt", "hello")
	require.NoError(t, fake.authError)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "hello", fake.blobBody)
	assert.Equal(t, "/acct/c/dir/a%20b.txt", fake.lastBlob.URL.EscapedPath())
	assert.Empty(t, fake.lastBlob.Header.Get("Cookie"))
	assert.True(t, strings.HasPrefix(fake.lastBlob.Header.Get("Authorization"), "SharedKey acct:"))
	assert.Equal(t, UserAgent, fake.lastBlob.Header.Get("User-Agent"))
	assert.Equal(t, "BlockBlob", fake.lastBlob.Header.Get("x-ms-blob-type"))
	assert.Equal(t, storageVersion, fake.lastBlob.Header.Get("x-ms-version"))
	assert.Contains(t, w.Header().Get("Content-Security-Policy"), "sandbox")
	assert.Empty(t, w.Header().Get("Set-Cookie"))

	// The key is cached; a failed authentication (a regenerated key) drops it.
	put("/api/blob/acct/c/b", "x")
	assert.Equal(t, int32(1), fake.listKeys.Load())
	fake.key = []byte("another key, after regenerateKey")
	assert.Equal(t, http.StatusForbidden, put("/api/blob/acct/c/b", "x").Code)
	assert.Equal(t, http.StatusOK, put("/api/blob/acct/c/b", "x").Code)
	assert.Equal(t, int32(2), fake.listKeys.Load())
}

// TestProxyRefusesOtherTargets: the API reaches only the emulator's own
// endpoints, by names it checks.
func TestProxyRefusesOtherTargets(t *testing.T) {
	h := newTestConsole(t, Config{BlobURL: "http://127.0.0.1:1"}).Handler()
	for path, code := range map[string]int{
		"/api/blob/Not_An_Account/c":         http.StatusBadRequest,
		"/api/kv/evil.example%2Fx/keys":      http.StatusBadRequest,
		"/api/arm/providers/x":               http.StatusNotFound,
		"/api/clock/anything":                http.StatusNotFound,
		"/api/file/acct/s":                   http.StatusNotFound, // the Files listener is off
		"/api/elsewhere/https://example.com": http.StatusNotFound,
	} {
		r := httptest.NewRequest("GET", path, nil)
		r.Host = "127.0.0.1:10010"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, code, w.Code, path)
	}
}
