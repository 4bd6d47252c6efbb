package storageauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	blobsas "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	blobservice "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	filesas "github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	fileservice "github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The well-known development account (public; Azurite and azemu use it).
const (
	devAccount = "devstoreaccount1"
	devKeyB64  = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

func devKey(t testing.TB) []byte {
	k, err := base64.StdEncoding.DecodeString(devKeyB64)
	require.NoError(t, err)
	return k
}

// otherKey is a second account key: verification must accept either.
var otherKeyBytes = bytes.Repeat([]byte{7}, 64)

// captured is one request the SDK sent, kept so tests can replay and tamper it.
type captured struct {
	method, uri, host string
	header            http.Header
	req               Request
	res               Result
	err               error
}

// recorder is an httptest server that authenticates every request it gets
// with Authenticate and records the outcome. It answers each request with a
// plain success status; the SDK call's own result does not matter.
type recorder struct {
	t       testing.TB
	service Service
	keys    [][]byte
	mu      sync.Mutex
	got     []captured
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	req := requestFor(rc.service, r)
	res, err := Authenticate(r.Context(), r, req, rc.keys, nil)
	rc.mu.Lock()
	rc.got = append(rc.got, captured{r.Method, r.RequestURI, r.Host, r.Header.Clone(), req, res, err})
	rc.mu.Unlock()
	switch r.Method {
	case http.MethodPut:
		w.WriteHeader(http.StatusCreated)
	case http.MethodDelete:
		w.WriteHeader(http.StatusAccepted)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func (rc *recorder) take() []captured {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.got
	rc.got = nil
	return out
}

// requestFor derives the Request as a handler would: host-style when the
// Host names the account, else path-style.
func requestFor(svc Service, r *http.Request) Request {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	var account string
	hostStyle := true
	if i := strings.Index(host, ".blob.localhost"); i > 0 {
		account = host[:i]
	} else if i := strings.Index(host, ".file.localhost"); i > 0 {
		account = host[:i]
	} else {
		account, segs, hostStyle = segs[0], segs[1:], false
	}
	perm := PermRead
	switch r.Method {
	case http.MethodPut:
		perm = PermWrite
	case http.MethodDelete:
		perm = PermDelete
	}
	req := Request{Service: svc, Account: account, ResourceType: ResourceService, Permission: perm, HostStyle: hostStyle,
		ClientIP: net.ParseIP("127.0.0.1"), Now: time.Now()}
	if len(segs) > 0 && segs[0] != "" {
		req.Container = segs[0]
		req.ResourceType = ResourceContainer
	}
	if len(segs) > 1 {
		req.Path = strings.Join(segs[1:], "/")
		req.ResourceType = ResourceObject
	}
	return req
}

// startRecorder starts a recorder; the returned client dials it for any host,
// so host-style names (devstoreaccount1.blob.localhost) work without DNS.
func startRecorder(t *testing.T, svc Service) (*recorder, string, *http.Client) {
	rc := &recorder{t: t, service: svc, keys: [][]byte{otherKeyBytes, devKey(t)}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
	t.Cleanup(client.CloseIdleConnections)
	return rc, addr, client
}

func clientOptions(hc *http.Client) azcore.ClientOptions {
	return azcore.ClientOptions{Transport: hc, Retry: policy.RetryOptions{MaxRetries: -1}}
}

// trickyMetadata has names whose order differs between plain byte order and
// the service's order (underscore vs digits, names that are prefixes).
func trickyMetadata() map[string]*string {
	return map[string]*string{
		"a_b": to.Ptr("1"), "ab": to.Ptr("2"), "a1": to.Ptr("3"), "Zeta": to.Ptr("4"),
		"meta_data": to.Ptr("5"), "metadata": to.Ptr("6"), "m": to.Ptr("spaced  value"), "x9_": to.Ptr("7"),
	}
}

// blobNames covers escaping: spaces, '+', '%', unicode, '?', '#', slashes.
func blobNames() []string {
	return []string{"plain.txt", "dir/sub dir/file name+x%.txt", "ünïcode/ø€.bin", "q?a#b&c=d", "a//b", "tilde~(1)!*'.txt"}
}

func TestSharedKeyAcceptsBlobSDK(t *testing.T) {
	for _, style := range []string{"path", "host"} {
		t.Run(style, func(t *testing.T) {
			rc, addr, hc := startRecorder(t, ServiceBlob)
			base := "http://" + addr + "/" + devAccount
			if style == "host" {
				_, port, _ := net.SplitHostPort(addr)
				base = "http://" + devAccount + ".blob.localhost:" + port
			}
			cred, err := azblob.NewSharedKeyCredential(devAccount, devKeyB64)
			require.NoError(t, err)
			ctx := context.Background()
			opts := clientOptions(hc)

			svc, err := blobservice.NewClientWithSharedKeyCredential(base+"/", cred, &blobservice.ClientOptions{ClientOptions: opts})
			require.NoError(t, err)
			_, _ = svc.GetProperties(ctx, nil)
			pager := svc.NewListContainersPager(&blobservice.ListContainersOptions{Prefix: to.Ptr("pre fix"), Include: blobservice.ListContainersInclude{Metadata: true}})
			_, _ = pager.NextPage(ctx)

			cc := svc.NewContainerClient("photos")
			_, _ = cc.Create(ctx, &container.CreateOptions{Metadata: trickyMetadata()})
			_, _ = cc.SetMetadata(ctx, &container.SetMetadataOptions{Metadata: trickyMetadata()})
			bp := cc.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr("dir/ä b"), Include: container.ListBlobsInclude{Metadata: true, Snapshots: true}})
			_, _ = bp.NextPage(ctx)

			for _, name := range blobNames() {
				bb := cc.NewBlockBlobClient(name)
				_, _ = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("hello")), &blockblob.UploadOptions{
					Metadata:                trickyMetadata(),
					HTTPHeaders:             &blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain; charset=utf-8"), BlobContentLanguage: to.Ptr("en")},
					TransactionalValidation: blob.TransferValidationTypeMD5([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}),
				})
				_, _ = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("")), nil)
				_, _ = bb.DownloadStream(ctx, &blob.DownloadStreamOptions{
					Range: blob.HTTPRange{Offset: 1, Count: 3},
					AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{
						IfMatch: to.Ptr(azcore.ETag(`"0x8D"`)), IfModifiedSince: to.Ptr(time.Now().Add(-time.Hour)),
					}},
				})
				_, _ = bb.GetProperties(ctx, nil)
				_, _ = bb.SetTags(ctx, map[string]string{"k": "v w"}, nil)
				_, _ = bb.StageBlock(ctx, base64.StdEncoding.EncodeToString([]byte("block-1")), streaming.NopCloser(strings.NewReader("x")), nil)
				_, _ = bb.Delete(ctx, &blob.DeleteOptions{DeleteSnapshots: to.Ptr(blob.DeleteSnapshotsOptionTypeInclude)})
			}
			got := rc.take()
			require.Greater(t, len(got), 30)
			for _, g := range got {
				if assert.NoError(t, g.err, "%s %s: %v", g.method, g.uri, detailOf(g.err)) {
					assert.Equal(t, MethodSharedKey, g.res.Method)
				}
				assertPrimaryMatches(t, g)
			}
		})
	}
}

func TestSharedKeyAcceptsFileSDK(t *testing.T) {
	for _, style := range []string{"path", "host"} {
		t.Run(style, func(t *testing.T) {
			rc, addr, hc := startRecorder(t, ServiceFile)
			base := "http://" + addr + "/" + devAccount
			if style == "host" {
				_, port, _ := net.SplitHostPort(addr)
				base = "http://" + devAccount + ".file.localhost:" + port
			}
			cred, err := fileservice.NewSharedKeyCredential(devAccount, devKeyB64)
			require.NoError(t, err)
			ctx := context.Background()
			opts := clientOptions(hc)
			svc, err := fileservice.NewClientWithSharedKeyCredential(base+"/", cred, &fileservice.ClientOptions{ClientOptions: opts})
			require.NoError(t, err)
			_, _ = svc.GetProperties(ctx, nil)
			sp := svc.NewListSharesPager(&fileservice.ListSharesOptions{Prefix: to.Ptr("s")})
			_, _ = sp.NextPage(ctx)
			sc := svc.NewShareClient("docs")
			_, _ = sc.Create(ctx, &share.CreateOptions{Quota: to.Ptr(int32(5)), Metadata: map[string]*string{"a_b": to.Ptr("1"), "ab": to.Ptr("2")}})
			dc := sc.NewDirectoryClient("dir one/sub")
			_, _ = dc.Create(ctx, &directory.CreateOptions{Metadata: map[string]*string{"x": to.Ptr("y")}})
			lp := dc.NewListFilesAndDirectoriesPager(nil)
			_, _ = lp.NextPage(ctx)
			for _, name := range []string{"f.txt", "ünï code+%.bin"} {
				fc := dc.NewFileClient(name)
				_, _ = fc.Create(ctx, 5, &file.CreateOptions{Metadata: map[string]*string{"k": to.Ptr("v")}})
				_, _ = fc.UploadRange(ctx, 0, streaming.NopCloser(strings.NewReader("hello")), nil)
				_, _ = fc.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 0, Count: 2}})
				_, _ = fc.GetProperties(ctx, nil)
				_, _ = fc.Delete(ctx, nil)
			}
			got := rc.take()
			require.Greater(t, len(got), 12)
			for _, g := range got {
				if assert.NoError(t, g.err, "%s %s: %v", g.method, g.uri, detailOf(g.err)) {
					assert.Equal(t, MethodSharedKey, g.res.Method)
				}
				assertPrimaryMatches(t, g)
			}
		})
	}
}

// sdkSignedRequests returns a few real SDK-signed blob requests to tamper with.
func sdkSignedRequests(t *testing.T) []captured {
	rc, addr, hc := startRecorder(t, ServiceBlob)
	cred, err := azblob.NewSharedKeyCredential(devAccount, devKeyB64)
	require.NoError(t, err)
	ctx := context.Background()
	bb, err := blockblob.NewClientWithSharedKeyCredential("http://"+addr+"/"+devAccount+"/photos/dir/a%20b.txt?timeout=30", cred,
		&blockblob.ClientOptions{ClientOptions: clientOptions(hc)})
	require.NoError(t, err)
	_, _ = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("hello")), &blockblob.UploadOptions{Metadata: trickyMetadata(),
		HTTPHeaders: &blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain")}})
	_, _ = bb.DownloadStream(ctx, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 1, Count: 3}})
	got := rc.take()
	require.Len(t, got, 2)
	for _, g := range got {
		require.NoError(t, g.err)
	}
	return got
}

// replay rebuilds a captured request with edits applied.
func replay(t *testing.T, c captured, edit func(r *http.Request)) *http.Request {
	r := httptest.NewRequest(c.method, c.uri, nil)
	r.Host = c.host
	r.Header = c.header.Clone()
	if edit != nil {
		edit(r)
	}
	return r
}

func assertAuthError(t *testing.T, err error, status int, code, detailPrefix string) {
	t.Helper()
	var se *storageerr.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, status, se.Status)
	assert.Equal(t, code, se.Code)
	if detailPrefix != "" {
		var detail string
		for _, d := range se.Extra {
			if d.Name == "AuthenticationErrorDetail" {
				detail = d.Value
			}
		}
		assert.True(t, strings.HasPrefix(detail, detailPrefix), "detail %q does not start with %q", detail, detailPrefix)
	}
}

func TestSharedKeyTamper(t *testing.T) {
	reqs := sdkSignedRequests(t)
	const mac = "The MAC signature found in the HTTP request '"
	put := reqs[0]
	tests := []struct {
		name   string
		edit   func(r *http.Request)
		req    func(q *Request)
		keys   [][]byte
		status int
		code   string
		detail string
	}{
		{name: "untouched"},
		{name: "verb", edit: func(r *http.Request) { r.Method = http.MethodPost }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "content type", edit: func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "content length", edit: func(r *http.Request) { r.Header.Set("Content-Length", "6") }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "metadata value", edit: func(r *http.Request) { r.Header.Set("X-Ms-Meta-Ab", "tampered") }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "added x-ms header", edit: func(r *http.Request) { r.Header.Set("X-Ms-Meta-New", "1") }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "range", edit: func(r *http.Request) { r.Header.Set("Range", "bytes=0-1") }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "if-match", edit: func(r *http.Request) { r.Header.Set("If-Match", `"x"`) }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "path", edit: func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "a%20b", "a%20c", 1) }, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "query", edit: func(r *http.Request) {
			r.RequestURI = strings.Replace(r.RequestURI, "timeout=30", "timeout=31", 1)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "timeout=30", "timeout=31", 1)
		}, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "wrong key", keys: [][]byte{otherKeyBytes}, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "no keys", keys: [][]byte{}, status: 403, code: "AuthenticationFailed", detail: mac},
		{name: "other account in header", edit: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), devAccount, "other", 1))
		}, status: 403, code: "AuthenticationFailed", detail: "The account name 'other'"},
		{name: "date missing", edit: func(r *http.Request) { r.Header.Del("X-Ms-Date"); r.Header.Del("Date") }, status: 403, code: "AuthenticationFailed", detail: "Request date header not specified"},
		{name: "date malformed", edit: func(r *http.Request) { r.Header.Set("X-Ms-Date", "yesterday") }, status: 403, code: "AuthenticationFailed", detail: "The Date header in the request is incorrect."},
		{name: "date too old", req: func(q *Request) { q.Now = q.Now.Add(16 * time.Minute) }, status: 403, code: "AuthenticationFailed", detail: "Request date header too old: '"},
		{name: "date 14 minutes old", req: func(q *Request) { q.Now = q.Now.Add(14 * time.Minute) }},
		{name: "no colon", edit: func(r *http.Request) { r.Header.Set("Authorization", "SharedKey devstoreaccount1") }, status: 400, code: "InvalidAuthenticationInfo"},
		{name: "empty", edit: func(r *http.Request) { r.Header.Set("Authorization", "") }, status: 400, code: "InvalidAuthenticationInfo"},
		{name: "unknown scheme", edit: func(r *http.Request) { r.Header.Set("Authorization", "Basic dXNlcjpwYXNz") }, status: 400, code: "InvalidAuthenticationInfo"},
		{name: "signature not base64", edit: func(r *http.Request) { r.Header.Set("Authorization", "SharedKey devstoreaccount1:%%%") }, status: 400, code: "InvalidAuthenticationInfo"},
		{name: "bearer", edit: func(r *http.Request) { r.Header.Set("Authorization", "Bearer eyJ0eXAi.x.y") }, status: 403, code: "AuthenticationFailed", detail: "Bearer token authorization is not supported by azemu"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := replay(t, put, tc.edit)
			q := put.req
			if tc.req != nil {
				tc.req(&q)
			}
			keys := [][]byte{devKey(t)}
			if tc.keys != nil {
				keys = tc.keys
			}
			res, err := Authenticate(context.Background(), r, q, keys, nil)
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, MethodSharedKey, res.Method)
				return
			}
			assertAuthError(t, err, tc.status, tc.code, tc.detail)
		})
	}
}

func TestSharedKeyMismatchDetailShowsStringToSign(t *testing.T) {
	put := sdkSignedRequests(t)[0]
	r := replay(t, put, func(r *http.Request) { r.Header.Set("X-Ms-Meta-Ab", "tampered") })
	_, err := Authenticate(context.Background(), r, put.req, [][]byte{devKey(t)}, nil)
	var se *storageerr.Error
	require.ErrorAs(t, err, &se)
	require.Len(t, se.Extra, 1)
	sig := strings.TrimPrefix(put.header.Get("Authorization"), "SharedKey devstoreaccount1:")
	want := "The MAC signature found in the HTTP request '" + sig + "' is not the same as any computed signature. Server used following string to sign: '" +
		StringToSign(r, devAccount) + "'."
	assert.Equal(t, want, se.Extra[0].Value)
	assert.Contains(t, se.Extra[0].Value, "\n/devstoreaccount1/devstoreaccount1/photos/dir/a%20b.txt\ntimeout:30'")
	assert.Contains(t, se.Extra[0].Value, "x-ms-meta-ab:tampered\n")
}

func TestNoCredentialIsAnonymous(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/devstoreaccount1/c/b?comp=metadata", nil)
	res, err := Authenticate(context.Background(), r, Request{Service: ServiceBlob, Account: devAccount}, [][]byte{devKey(t)}, nil)
	require.NoError(t, err)
	assert.Equal(t, MethodAnonymous, res.Method)
	assert.False(t, res.Allows(PermRead))
}

// signHandMade signs r the way a hand-written client following the REST
// documentation would (used for Shared Key Lite, which no Go SDK sends).
func signHandMade(t testing.TB, r *http.Request, lite bool) {
	t.Helper()
	s := sharedKeyStrings(r, mustResource(t, rawPath(r)), lite)[0]
	scheme := "SharedKey"
	if lite {
		scheme = "SharedKeyLite"
	}
	r.Header.Set("Authorization", scheme+" "+devAccount+":"+sign(devKey(t), s))
}

func TestSharedKeyLite(t *testing.T) {
	r := httptest.NewRequest(http.MethodPut, "/devstoreaccount1/c/hello.txt?comp=metadata&timeout=5", nil)
	r.Header.Set("X-Ms-Date", time.Now().UTC().Format(http.TimeFormat))
	r.Header.Set("X-Ms-Meta-M1", "v1")
	r.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	signHandMade(t, r, true)
	q := Request{Service: ServiceBlob, Account: devAccount, Container: "c", Path: "hello.txt", Now: time.Now()}
	res, err := Authenticate(context.Background(), r, q, [][]byte{devKey(t)}, nil)
	require.NoError(t, err)
	assert.Equal(t, MethodSharedKeyLite, res.Method)
	// The documented layout: VERB, MD5, type, date (empty: x-ms-date), headers, resource with ?comp only.
	want := "PUT\n\ntext/plain; charset=UTF-8\n\nx-ms-date:" + r.Header.Get("X-Ms-Date") + "\nx-ms-meta-m1:v1\n/devstoreaccount1/devstoreaccount1/c/hello.txt?comp=metadata"
	assert.Equal(t, want, sharedKeyStrings(r, "/devstoreaccount1/devstoreaccount1/c/hello.txt", true)[0])

	r.Header.Set("X-Ms-Meta-M1", "v2")
	_, err = Authenticate(context.Background(), r, q, [][]byte{devKey(t)}, nil)
	assertAuthError(t, err, 403, "AuthenticationFailed", "The MAC signature found")
}

func TestSharedKeyPathVariants(t *testing.T) {
	// The Date header instead of x-ms-date is accepted; a path-style
	// resource signed without the repeated account (which Azurite accepts
	// and no official client sends) is not: it is the string-to-sign of
	// another resource (TestSharedKeySignatureAuthenticatesOneResource).
	for _, tc := range []struct {
		resource string
		ok       bool
	}{
		{"/devstoreaccount1/devstoreaccount1/c/a%20b", true},
		{"/devstoreaccount1/c/a%20b", false},
		{"/devstoreaccount1/devstoreaccount1/c/a b", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/devstoreaccount1/c/a%20b?restype=container&comp=list", nil)
		r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		r.Header.Set("X-Ms-Version", "2021-08-06")
		s := "GET\n\n\n\n\n\n" + r.Header.Get("Date") + "\n\n\n\n\n\nx-ms-version:2021-08-06\n" + tc.resource + "\ncomp:list\nrestype:container"
		r.Header.Set("Authorization", "SharedKey devstoreaccount1:"+sign(devKey(t), s))
		res, err := Authenticate(context.Background(), r, Request{Service: ServiceBlob, Account: devAccount, Now: time.Now()}, [][]byte{devKey(t)}, nil)
		if !tc.ok {
			assertAuthError(t, err, 403, "AuthenticationFailed", "The MAC signature found")
			continue
		}
		require.NoError(t, err, tc.resource)
		assert.Equal(t, MethodSharedKey, res.Method)
	}
}

func TestCompareHeaderNames(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"x-ms-date", "x-ms-version", -1},
		{"x-ms-meta-a_b", "x-ms-meta-a1", -1}, // '_' sorts before digits (byte order says the opposite)
		{"x-ms-meta-foob", "x-ms-meta-foo-bar", -1},
		{"x-ms-meta-ab", "x-ms-meta-a-b", -1},
		{"x-ms-meta-a-b", "x-ms-meta-ab", 1},
		{"x-ms-meta-Zeta", "x-ms-meta-zeta", 0},
		{"x-ms-blob-content-type", "x-ms-blob-type", -1},
		{"x-ms-a", "x-ms-a", 0},
		{"x-ms-\xff", "x-ms-z", 1},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, compareHeaderNames(tc.a, tc.b), "%s vs %s", tc.a, tc.b)
		assert.Equal(t, -tc.want, compareHeaderNames(tc.b, tc.a), "%s vs %s", tc.b, tc.a)
	}
}

func TestCanonicalResource(t *testing.T) {
	for _, tc := range []struct {
		path      string
		hostStyle bool
		want      string
	}{
		{"/devstoreaccount1/c/a%20b", false, "/devstoreaccount1/devstoreaccount1/c/a%20b"},
		{"/devstoreaccount1", false, "/devstoreaccount1/devstoreaccount1"},
		{"", false, "/devstoreaccount1/"},
		{"/c/a%20b", true, "/devstoreaccount1/c/a%20b"},
		{"/", true, "/devstoreaccount1/"},
		{"", true, "/devstoreaccount1/"},
		{"/devstoreaccount1x/b", true, "/devstoreaccount1/devstoreaccount1x/b"},
		{"/devstoreaccount1/b", true, ""},
		{"/DevStoreAccount1", true, ""},
		{"/%64evstoreaccount1/b", true, ""},
	} {
		got, err := canonicalResource(devAccount, tc.path, tc.hostStyle)
		if tc.want == "" {
			assert.ErrorIs(t, err, errAmbiguousHostStyle, "%q host style %v", tc.path, tc.hostStyle)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%q host style %v", tc.path, tc.hostStyle)
	}
}

func detailOf(err error) []storageerr.Detail {
	var se *storageerr.Error
	if errors.As(err, &se) {
		return se.Extra
	}
	return nil
}

// TestSASSentBySDKClients drives SDK clients built from SAS URLs (no
// credential) against the recorder: what the SDK sends on the wire, extra
// query parameters included, verifies.
func TestSASSentBySDKClients(t *testing.T) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	t.Run("blob service SAS", func(t *testing.T) {
		rc, addr, hc := startRecorder(t, ServiceBlob)
		qp, err := blobsas.BlobSignatureValues{ContainerName: "photos", BlobName: "dir/a b.txt", Permissions: "rwd", ExpiryTime: exp}.SignWithSharedKey(blobCred(t))
		require.NoError(t, err)
		bb, err := blockblob.NewClientWithNoCredential("http://"+addr+"/"+devAccount+"/photos/dir/a%20b.txt?"+qp.Encode(), &blockblob.ClientOptions{ClientOptions: clientOptions(hc)})
		require.NoError(t, err)
		_, _ = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("hi")), &blockblob.UploadOptions{Metadata: trickyMetadata()})
		_, _ = bb.GetProperties(ctx, nil)
		_, _ = bb.Delete(ctx, nil)
		assertAllVia(t, rc.take(), 3, MethodServiceSAS)
	})
	t.Run("blob account SAS", func(t *testing.T) {
		rc, addr, hc := startRecorder(t, ServiceBlob)
		qp, err := blobsas.AccountSignatureValues{Permissions: "rwdlc", ResourceTypes: "sco", ExpiryTime: exp}.SignWithSharedKey(blobCred(t))
		require.NoError(t, err)
		svc, err := blobservice.NewClientWithNoCredential("http://"+addr+"/"+devAccount+"/?"+qp.Encode(), &blobservice.ClientOptions{ClientOptions: clientOptions(hc)})
		require.NoError(t, err)
		_, _ = svc.GetProperties(ctx, nil)
		cc := svc.NewContainerClient("photos")
		_, _ = cc.Create(ctx, nil)
		p := cc.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr("a b")})
		_, _ = p.NextPage(ctx)
		_, _ = cc.NewBlockBlobClient("x/y z").Upload(ctx, streaming.NopCloser(strings.NewReader("hi")), nil)
		assertAllVia(t, rc.take(), 4, MethodAccountSAS)
	})
	t.Run("file service SAS", func(t *testing.T) {
		rc, addr, hc := startRecorder(t, ServiceFile)
		qp, err := filesas.SignatureValues{ShareName: "docs", FilePath: "dir/f g.txt", Permissions: "rcwd", ExpiryTime: exp}.SignWithSharedKey(fileCred(t))
		require.NoError(t, err)
		fc, err := file.NewClientWithNoCredential("http://"+addr+"/"+devAccount+"/docs/dir/f%20g.txt?"+qp.Encode(), &file.ClientOptions{ClientOptions: clientOptions(hc)})
		require.NoError(t, err)
		_, _ = fc.Create(ctx, 2, nil)
		_, _ = fc.UploadRange(ctx, 0, streaming.NopCloser(strings.NewReader("hi")), nil)
		_, _ = fc.GetProperties(ctx, nil)
		assertAllVia(t, rc.take(), 3, MethodServiceSAS)
	})
}

func assertAllVia(t *testing.T, got []captured, n int, m Method) {
	t.Helper()
	require.Len(t, got, n)
	for _, g := range got {
		if assert.NoError(t, g.err, "%s %s: %v", g.method, g.uri, detailOf(g.err)) {
			assert.Equal(t, m, g.res.Method, "%s %s", g.method, g.uri)
		}
	}
}

// assertPrimaryMatches checks that the SDK signed exactly the primary
// string-to-sign (the one error details report), not just some fallback
// variant: header order and path handling agree with the SDK.
func assertPrimaryMatches(t *testing.T, g captured) {
	t.Helper()
	r := replay(t, g, nil)
	want := "SharedKey " + devAccount + ":" + sign(devKey(t), StringToSign(r, devAccount))
	assert.Equal(t, want, g.header.Get("Authorization"), "%s %s", g.method, g.uri)
}

func TestSharedKeyContentLengthZero(t *testing.T) {
	for _, tc := range []struct {
		version, signed string
	}{{"2021-08-06", ""}, {"2021-08-06", "0"}, {"2014-02-14", "0"}, {"", ""}} {
		r := httptest.NewRequest(http.MethodPut, "/devstoreaccount1/c?restype=container", nil)
		r.Header.Set("Content-Length", "0")
		r.Header.Set("X-Ms-Date", time.Now().UTC().Format(http.TimeFormat))
		xms := "x-ms-date:" + r.Header.Get("X-Ms-Date") + "\n"
		if tc.version != "" {
			r.Header.Set("X-Ms-Version", tc.version)
			xms += "x-ms-version:" + tc.version + "\n"
		}
		s := "PUT\n\n\n" + tc.signed + "\n\n\n\n\n\n\n\n\n" + xms + "/devstoreaccount1/devstoreaccount1/c\nrestype:container"
		r.Header.Set("Authorization", "SharedKey devstoreaccount1:"+sign(devKey(t), s))
		_, err := Authenticate(context.Background(), r, Request{Service: ServiceBlob, Account: devAccount, Container: "c"}, [][]byte{devKey(t)}, nil)
		assert.NoError(t, err, "version %q signed %q: %v", tc.version, tc.signed, detailOf(err))
	}
}

// mustResource is the path-style canonicalized resource of path.
func mustResource(t testing.TB, path string) string {
	t.Helper()
	s, err := canonicalResource(devAccount, path, false)
	require.NoError(t, err)
	return s
}
