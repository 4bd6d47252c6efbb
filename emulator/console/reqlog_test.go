package console

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fakeJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(claims)) + ".c2lnbmF0dXJlLXNlY3JldA"
}

// serve sends r through the log middleware to a handler that answers with
// status, header and body.
func serve(l *RequestLog, listener string, r *http.Request, status int, header map[string]string, body string) Entry {
	h := l.Middleware(listener, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	h.ServeHTTP(httptest.NewRecorder(), r)
	return l.After(0, 1)[0]
}

// TestRequestLogRedacts: nothing that authenticates a request reaches the
// log: not the Authorization header, not a token, not a SAS signature, not
// a secret in the query.
func TestRequestLogRedacts(t *testing.T) {
	l := NewRequestLog(10, map[string]string{"00000000-0000-4000-8000-000000000002": "development principal"})
	secrets := []string{"c2lnbmF0dXJlLXNlY3JldA", "SIGSECRET", "hmacsecret", "client-secret-value", "c2VjcmV0"}

	sas := httptest.NewRequest("GET", "http://127.0.0.1:10000/acct/c/b?sv=2025-01-05&sp=r&se=2030-01-01&sr=b&sig=SIGSECRET%3D&comp=metadata", nil)
	e := serve(l, "blob", sas, 200, nil, "")
	assert.Equal(t, "SAS", e.Caller)
	assert.Contains(t, e.Resource, "sig=REDACTED")
	assert.Contains(t, e.Resource, "sp=r")
	assert.Equal(t, "GetBlobMetadata", e.Operation)

	sk := httptest.NewRequest("PUT", "http://127.0.0.1:10000/acct/c/b", nil)
	sk.Header.Set("Authorization", "SharedKey acct:hmacsecret=")
	e = serve(l, "blob", sk, 403, map[string]string{"x-ms-error-code": "KeyVaultEncryptionKeyNotFound", "x-ms-request-id": "rid"}, "<Error/>")
	assert.Equal(t, "Shared Key acct", e.Caller)
	assert.Equal(t, "PutBlob", e.Operation)
	assert.Equal(t, 403, e.Status)
	assert.Equal(t, "KeyVaultEncryptionKeyNotFound", e.Code)
	assert.Equal(t, "rid", e.RequestID)

	bearer := httptest.NewRequest("PATCH", "https://devvault.vault.localhost:8443/keys/k/v1?api-version=7.5", nil)
	bearer.Header.Set("Authorization", "Bearer "+fakeJWT(`{"oid":"00000000-0000-4000-8000-000000000002","appid":"x"}`))
	bearer.Header.Set("User-Agent", UserAgent)
	e = serve(l, "https", bearer, 403, nil, `{"error":{"code":"Forbidden","message":"no"}}`)
	assert.Equal(t, "keyvault", e.Service)
	assert.Equal(t, "UpdateKey", e.Operation)
	assert.Equal(t, "Bearer development principal", e.Caller)
	assert.True(t, e.Console)
	assert.Equal(t, "Forbidden", e.Code)

	tok := httptest.NewRequest("POST", "https://localhost:8443/tenant/oauth2/v2.0/token?client_secret=client-secret-value&client_assertion=c2VjcmV0", nil)
	e = serve(l, "https", tok, 401, nil, `{"error":"invalid_client","error_description":"bad"}`)
	assert.Equal(t, "identity", e.Service)
	assert.Equal(t, "Token", e.Operation)
	assert.Equal(t, "invalid_client", e.Code)

	all, err := json.Marshal(l.After(0, 100))
	require.NoError(t, err)
	for _, s := range secrets {
		assert.NotContains(t, string(all), s)
	}
}

// TestRequestLogRing keeps the newest entries, newest first, and answers
// only what is newer than the sequence number the page has seen.
func TestRequestLogRing(t *testing.T) {
	l := NewRequestLog(3, nil)
	for i := range 5 {
		l.Add(Entry{Status: 200 + i})
	}
	got := l.After(0, 10)
	require.Len(t, got, 3)
	assert.Equal(t, []uint64{5, 4, 3}, []uint64{got[0].Seq, got[1].Seq, got[2].Seq})
	assert.Equal(t, 204, got[0].Status)
	assert.Len(t, l.After(4, 10), 1)
	assert.Empty(t, l.After(5, 10))
	assert.Len(t, l.After(0, 2), 2)
}

// TestOperationNames names requests as the services' references do.
func TestOperationNames(t *testing.T) {
	cases := []struct{ listener, method, url, want string }{
		{"blob", "GET", "http://127.0.0.1:10000/acct?comp=list", "ListContainers"},
		{"blob", "PUT", "http://127.0.0.1:10000/acct/c?restype=container", "CreateContainer"},
		{"blob", "GET", "http://127.0.0.1:10000/acct/c?restype=container&comp=list", "ListBlobs"},
		{"blob", "PUT", "http://127.0.0.1:10000/acct/c/b?comp=block&blockid=AA", "PutBlock"},
		{"blob", "HEAD", "http://acct.blob.localhost:10000/c/b", "GetBlobProperties"},
		{"blob", "GET", "http://acct.blob.localhost:10000/c/dir/b", "GetBlob"},
		{"file", "PUT", "http://127.0.0.1:10003/acct/s?restype=share", "CreateShare"},
		{"file", "GET", "http://127.0.0.1:10003/acct/s/d?restype=directory&comp=list", "ListFilesAndDirectories"},
		{"file", "PUT", "http://127.0.0.1:10003/acct/s/d/f?comp=range", "PutRange"},
		{"https", "POST", "https://v.vault.localhost:8443/keys/k/create?api-version=7.5", "CreateKey"},
		{"https", "POST", "https://v.vault.localhost:8443/keys/k/v1/unwrapkey?api-version=7.5", "UnwrapKey"},
		{"https", "POST", "https://v.vault.localhost:8443/deletedkeys/k/recover?api-version=7.5", "RecoverDeletedKey"},
		{"https", "DELETE", "https://v.vault.localhost:8443/deletedkeys/k?api-version=7.5", "PurgeDeletedKey"},
		{"https", "GET", "https://v.vault.localhost:8443/keys/k/versions?api-version=7.5", "GetKeyVersions"},
		{"https", "POST", "https://localhost:8443/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/listKeys", "Microsoft.Storage/storageAccounts/listKeys/action"},
		{"https", "PATCH", "https://localhost:8443/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a", "Microsoft.Storage/storageAccounts/write"},
		{"https", "PUT", "https://localhost:8443/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v/accessPolicies/remove", "Microsoft.KeyVault/vaults/accessPolicies/write"},
		{"https", "DELETE", "https://localhost:8443/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v/providers/Microsoft.Authorization/roleAssignments/r", "Microsoft.Authorization/roleAssignments/delete"},
		{"https", "GET", "https://localhost:8443/subscriptions/s/providers/Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/read"},
		{"https", "POST", "https://localhost:8443/_azemu/clock/advance", "AdvanceClock"},
		{"https", "GET", "https://localhost:8443/msi/token?resource=x", "ManagedIdentityToken"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(tc.method, tc.url, nil)
		assert.Equal(t, tc.want, operation(serviceOf(tc.listener, r), r), tc.method+" "+tc.url)
	}
}

// FuzzRequestLogEntry: any request line, host and Authorization make an
// entry without a panic, and neither a SAS signature nor the signature or
// token of the Authorization header reaches it.
func FuzzRequestLogEntry(f *testing.F) {
	const secret = "Zq9SECRET"
	f.Add("GET", "/acct/c/b?sv=1&sp=r", "h.blob.localhost", uint8(0), "acct")
	f.Add("POST", "/keys/k/v/wrapkey?api-version=7.5", "v.vault.localhost:8443", uint8(1), `{"oid":"x"}`)
	f.Add("PUT", "/subscriptions/s/providers", "localhost", uint8(2), "")
	f.Add("GET", "/%zz?%zz=1&a=b=c", "", uint8(1), "not json")
	l := NewRequestLog(4, nil)
	f.Fuzz(func(t *testing.T, method, target, host string, kind uint8, who string) {
		if strings.Contains(method+target+host+who, "Zq9") {
			t.Skip()
		}
		r, err := http.NewRequest("GET", "http://x/", nil)
		require.NoError(t, err)
		r.Method = method
		if u, err := r.URL.Parse(target); err == nil {
			r.URL = u
		}
		r.URL.RawQuery += "&sig=" + secret
		r.Host = host
		switch kind % 3 {
		case 0:
			r.Header.Set("Authorization", "SharedKey "+who+":"+secret)
		case 1:
			r.Header.Set("Authorization", "Bearer "+fakeJWT(who)+secret)
		default:
			r.Header.Set("Authorization", "Bearer "+secret)
		}
		for _, listener := range []string{"blob", "file", "https"} {
			e := serve(l, listener, r, 500, nil, "{")
			b, err := json.Marshal(e)
			require.NoError(t, err)
			assert.NotContains(t, string(b), secret)
		}
	})
}

// BenchmarkRequestLogMiddleware is what the log adds to every request the
// emulator serves.
func BenchmarkRequestLogMiddleware(b *testing.B) {
	l := NewRequestLog(2000, nil)
	h := l.Middleware("blob", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	r := httptest.NewRequest("GET", "http://127.0.0.1:10000/acct/container/some/blob.txt?comp=metadata&sig=abc", nil)
	r.Header.Set("Authorization", "SharedKey acct:c2lnbmF0dXJl")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}
