package blobapi

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/blob"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storagehttp"
	"github.com/azemu/azemu/crypto"
)

const testAccount = "devstoreaccount1"

// env is the Blob REST handler over a real in-memory blobstore, served by
// httptest, with a raw HTTP client that signs with Shared Key.
type env struct {
	t   *testing.T
	srv *httptest.Server
	key []byte
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	svc, err := blobstore.Open(blobstore.Config{RootKey: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	key := []byte("0123456789abcdef0123456789abcdef")
	require.NoError(t, svc.CreateAccount(context.Background(), blobstore.AccountSpec{Name: testAccount, Keys: [][]byte{key}}))
	rules := blob.New(svc)
	srv := httptest.NewServer(New(Config{Service: rules}))
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, key: key}
}

type req struct {
	method string
	path   string // after the server URL, e.g. "/devstoreaccount1/ccc?restype=container"
	header map[string]string
	body   string
	anon   bool
	host   string
}

func (e *env) do(rq req) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r, err := http.NewRequest(rq.method, e.srv.URL+rq.path, body)
	require.NoError(e.t, err)
	if rq.host != "" {
		r.Host = rq.host
	}
	r.Header.Set("x-ms-version", "2026-12-06")
	r.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	if !rq.anon {
		mac := hmac.New(sha256.New, e.key)
		mac.Write([]byte(storageauth.StringToSign(r, testAccount)))
		r.Header.Set("Authorization", "SharedKey "+testAccount+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	resp, err := e.srv.Client().Do(r)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp, string(b)
}

func (e *env) must(rq req, status int) (*http.Response, string) {
	e.t.Helper()
	resp, body := e.do(rq)
	require.Equal(e.t, status, resp.StatusCode, "%s %s: %s", rq.method, rq.path, body)
	return resp, body
}

func TestCommonHeadersAndErrors(t *testing.T) {
	e := newEnv(t)
	resp, body := e.must(req{method: "GET", path: "/devstoreaccount1/missing?restype=container", header: map[string]string{"x-ms-client-request-id": "abc"}}, 404)
	h := resp.Header
	assert.Equal(t, "ContainerNotFound", h.Get("x-ms-error-code"))
	assert.NotEmpty(t, h.Get("x-ms-request-id"))
	assert.Equal(t, "2026-12-06", h.Get("x-ms-version"))
	assert.Equal(t, "abc", h.Get("x-ms-client-request-id"))
	assert.Equal(t, storagehttp.ServerBlob, h.Get("Server"))
	assert.NotEmpty(t, h.Get("Date"))
	assert.Contains(t, body, "<Code>ContainerNotFound</Code>")
	assert.Contains(t, body, "\nRequestId:"+h.Get("x-ms-request-id")+"\nTime:")

	resp, body = e.must(req{method: "HEAD", path: "/devstoreaccount1/missing/blob"}, 404)
	assert.Equal(t, "ContainerNotFound", resp.Header.Get("x-ms-error-code"))
	assert.Empty(t, body)

	resp, _ = e.must(req{method: "GET", path: "/devstoreaccount1/ccc?restype=container&comp=bogus"}, 400)
	assert.Equal(t, "InvalidQueryParameterValue", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "PUT", path: "/devstoreaccount1/ccc/b?comp=seal"}, 400)
	assert.Equal(t, "FeatureNotSupportedByEmulator", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "POST", path: "/devstoreaccount1/ccc/b"}, 405)
	assert.Equal(t, "UnsupportedHttpVerb", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "PUT", path: "/devstoreaccount1/ccc/b", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-encryption-key": "a2V5", "x-ms-encryption-key-sha256": "a2V5", "x-ms-encryption-algorithm": "AES256"}}, 400)
	assert.Equal(t, "FeatureNotSupportedByEmulator", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "GET", path: "/nosuchaccount?comp=list"}, 404)
	assert.Equal(t, "ResourceNotFound", resp.Header.Get("x-ms-error-code"))
}

func TestBlobRoundTripAndRanges(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/devstoreaccount1/ccc?restype=container"}, 201)
	content := strings.Repeat("abcdefghij", 100)
	sum := md5.Sum([]byte(content))
	resp, _ := e.must(req{method: "PUT", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt", body: content, header: map[string]string{
		"x-ms-blob-type": "BlockBlob", "Content-Type": "text/plain", "x-ms-meta-color": "blue", "Content-MD5": base64.StdEncoding.EncodeToString(sum[:]),
	}}, 201)
	assert.Equal(t, "true", resp.Header.Get("x-ms-request-server-encrypted"))
	assert.NotEmpty(t, resp.Header.Get("ETag"))
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), resp.Header.Get("Content-MD5"))
	etag := resp.Header.Get("ETag")

	resp, body := e.must(req{method: "GET", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt"}, 200)
	assert.Equal(t, content, body)
	h := resp.Header
	assert.Equal(t, "text/plain", h.Get("Content-Type"))
	assert.Equal(t, "blue", h.Get("x-ms-meta-color"))
	assert.Equal(t, "BlockBlob", h.Get("x-ms-blob-type"))
	assert.Equal(t, "true", h.Get("x-ms-server-encrypted"))
	assert.Equal(t, "bytes", h.Get("Accept-Ranges"))
	assert.Equal(t, "unlocked", h.Get("x-ms-lease-status"))
	assert.Equal(t, "available", h.Get("x-ms-lease-state"))
	assert.Equal(t, etag, h.Get("ETag"))
	assert.NotEmpty(t, h.Get("x-ms-creation-time"))

	resp, body = e.must(req{method: "GET", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt", header: map[string]string{"x-ms-range": "bytes=10-19", "Range": "bytes=0-1", "x-ms-range-get-content-md5": "true"}}, 206)
	assert.Equal(t, content[10:20], body)
	assert.Equal(t, "bytes 10-19/1000", resp.Header.Get("Content-Range"))
	rs := md5.Sum([]byte(content[10:20]))
	assert.Equal(t, base64.StdEncoding.EncodeToString(rs[:]), resp.Header.Get("Content-MD5"))
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), resp.Header.Get("x-ms-blob-content-md5"))

	resp, _ = e.must(req{method: "GET", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt", header: map[string]string{"Range": "bytes=1000-"}}, 416)
	assert.Equal(t, "InvalidRange", resp.Header.Get("x-ms-error-code"))
	assert.Equal(t, "bytes */1000", resp.Header.Get("Content-Range"))
	_, body = e.must(req{method: "GET", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt", header: map[string]string{"Range": "bytes=-5"}}, 200)
	assert.Equal(t, content, body, "a suffix Range is ignored")

	resp, body = e.must(req{method: "HEAD", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt"}, 200)
	assert.Empty(t, body)
	assert.Equal(t, "1000", resp.Header.Get("Content-Length"))
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), resp.Header.Get("Content-MD5"))

	resp, _ = e.must(req{method: "HEAD", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt", header: map[string]string{"If-None-Match": etag}}, 304)
	assert.Empty(t, resp.Header.Get("Content-Type"))
	resp, _ = e.must(req{method: "GET", path: "/devstoreaccount1/ccc/dir/a%2Fb//c.txt", header: map[string]string{"If-Match": `"0x1"`}}, 412)
	assert.Equal(t, "ConditionNotMet", resp.Header.Get("x-ms-error-code"))

	// The encoded slash and the double slash are part of the name.
	_, body = e.must(req{method: "GET", path: "/devstoreaccount1/ccc?restype=container&comp=list"}, 200)
	assert.Contains(t, body, "<Name>dir/a/b//c.txt</Name>")

	resp, _ = e.must(req{method: "PUT", path: "/devstoreaccount1/ccc/bad.txt", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob", "Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}}, 400)
	assert.Equal(t, "Md5Mismatch", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "PUT", path: "/devstoreaccount1/ccc/bad.txt", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-meta-1x": "v"}}, 400)
	assert.Equal(t, "InvalidMetadata", resp.Header.Get("x-ms-error-code"))
}

func TestListingXML(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/devstoreaccount1/list?restype=container", header: map[string]string{"x-ms-meta-k": "v"}}, 201)
	for _, n := range []string{"a/1", "a/2", "b"} {
		e.must(req{method: "PUT", path: "/devstoreaccount1/list/" + n, body: n, header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	}
	_, body := e.must(req{method: "GET", path: "/devstoreaccount1?comp=list&prefix=li&include=metadata"}, 200)
	assert.True(t, strings.HasPrefix(body, `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="`+e.srv.URL+`/devstoreaccount1"><Prefix>li</Prefix><Containers><Container><Name>list</Name><Properties><Last-Modified>`), body)
	assert.Contains(t, body, `<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold><DefaultEncryptionScope>$account-encryption-key</DefaultEncryptionScope>`)
	assert.Contains(t, body, `<Metadata><k>v</k></Metadata></Container></Containers><NextMarker></NextMarker></EnumerationResults>`)

	_, body = e.must(req{method: "GET", path: "/devstoreaccount1/list?restype=container&comp=list&delimiter=/&maxresults=1"}, 200)
	assert.Contains(t, body, `ContainerName="list"><MaxResults>1</MaxResults><Delimiter>/</Delimiter><Blobs><BlobPrefix><Name>a/</Name></BlobPrefix></Blobs><NextMarker>`)
	assert.NotContains(t, body, "<NextMarker></NextMarker>")

	resp, _ := e.must(req{method: "GET", path: "/devstoreaccount1/list?restype=container&comp=list&maxresults=0"}, 400)
	assert.Equal(t, "OutOfRangeQueryParameterValue", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "GET", path: "/devstoreaccount1/list?restype=container&comp=list&include=bogus"}, 400)
	assert.Equal(t, "InvalidQueryParameterValue", resp.Header.Get("x-ms-error-code"))
}

func TestAnonymousAccess(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/devstoreaccount1/pub?restype=container"}, 201)
	e.must(req{method: "PUT", path: "/devstoreaccount1/pub/f", body: "public", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)

	resp, _ := e.must(req{method: "GET", path: "/devstoreaccount1/pub/f", anon: true}, 404)
	assert.Equal(t, "ResourceNotFound", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "PUT", path: "/devstoreaccount1/pub/g", body: "x", anon: true, header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 401)
	assert.Equal(t, "NoAuthenticationInformation", resp.Header.Get("x-ms-error-code"))

	e.must(req{method: "PUT", path: "/devstoreaccount1/pub?restype=container&comp=acl", header: map[string]string{"x-ms-blob-public-access": "blob"}}, 200)
	_, body := e.must(req{method: "GET", path: "/devstoreaccount1/pub/f", anon: true}, 200)
	assert.Equal(t, "public", body)
	e.must(req{method: "HEAD", path: "/devstoreaccount1/pub/f", anon: true}, 200)
	e.must(req{method: "GET", path: "/devstoreaccount1/pub?restype=container&comp=list", anon: true}, 404)
	e.must(req{method: "GET", path: "/devstoreaccount1/pub?restype=container", anon: true}, 404)

	e.must(req{method: "PUT", path: "/devstoreaccount1/pub?restype=container&comp=acl", header: map[string]string{"x-ms-blob-public-access": "container"}}, 200)
	e.must(req{method: "GET", path: "/devstoreaccount1/pub?restype=container&comp=list", anon: true}, 200)
	e.must(req{method: "GET", path: "/devstoreaccount1/pub?restype=container&comp=acl", anon: true}, 401)
	resp, _ = e.must(req{method: "GET", path: "/devstoreaccount1/pub?restype=container", anon: true}, 200)
	assert.Equal(t, "container", resp.Header.Get("x-ms-blob-public-access"))
}

func TestHostStyleAndCORS(t *testing.T) {
	e := newEnv(t)
	host := testAccount + ".blob.localhost:" + e.srv.URL[strings.LastIndexByte(e.srv.URL, ':')+1:]
	e.must(req{method: "PUT", path: "/hst?restype=container", host: host}, 201)
	e.must(req{method: "PUT", path: "/hst/x", body: "hs", host: host, header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	_, body := e.must(req{method: "GET", path: "/devstoreaccount1/hst/x"}, 200)
	assert.Equal(t, "hs", body)
	_, body = e.must(req{method: "GET", path: "/?comp=list", host: host}, 200)
	assert.Contains(t, body, `ServiceEndpoint="http://`+host+`/"`)

	props := `<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Cors><CorsRule><AllowedOrigins>http://app</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>5</MaxAgeInSeconds><ExposedHeaders>x-ms-*</ExposedHeaders><AllowedHeaders>x-ms-meta-*</AllowedHeaders></CorsRule></Cors></StorageServiceProperties>`
	e.must(req{method: "PUT", path: "/devstoreaccount1?restype=service&comp=properties", body: props}, 202)
	_, body = e.must(req{method: "GET", path: "/devstoreaccount1?restype=service&comp=properties"}, 200)
	assert.Contains(t, body, "<AllowedOrigins>http://app</AllowedOrigins>")

	resp, _ := e.must(req{method: "OPTIONS", path: "/devstoreaccount1/hst/x", anon: true, header: map[string]string{"Origin": "http://app", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-ms-meta-a"}}, 200)
	assert.Equal(t, "http://app", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "5", resp.Header.Get("Access-Control-Max-Age"))
	assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"), "a preflight always allows credentials")
	resp, _ = e.must(req{method: "OPTIONS", path: "/devstoreaccount1/hst/x", anon: true, header: map[string]string{"Origin": "http://app", "Access-Control-Request-Method": "DELETE"}}, 403)
	assert.Equal(t, "CorsPreflightFailure", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "OPTIONS", path: "/devstoreaccount1/hst/x", anon: true, header: map[string]string{"Origin": "http://app", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "content-type"}}, 403)
	assert.Equal(t, "CorsPreflightFailure", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "GET", path: "/devstoreaccount1/hst/x", header: map[string]string{"Origin": "http://app"}}, 200)
	assert.Equal(t, "http://app", resp.Header.Get("Access-Control-Allow-Origin"))
	// Azure expands the rule's patterns to the response's own header names.
	exposed := strings.Split(resp.Header.Get("Access-Control-Expose-Headers"), ",")
	assert.Contains(t, exposed, "x-ms-request-id")
	assert.Contains(t, exposed, "x-ms-blob-type")
	assert.NotContains(t, exposed, "Content-Type")
	assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
	assert.Equal(t, "Origin", resp.Header.Get("Vary"))
}

// TestCORSActualRequests follows Azure's table for actual requests: Vary,
// Access-Control-Allow-Origin and Access-Control-Expose-Headers by origin
// match, with and without an Origin header, on errors too.
func TestCORSActualRequests(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount
	e.must(req{method: "PUT", path: A + "/crs?restype=container"}, 201)
	e.must(req{method: "PUT", path: A + "/crs/b", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-meta-color": "blue"}}, 201)

	// No rules: no CORS headers at all.
	resp, _ := e.must(req{method: "GET", path: A + "/crs/b", header: map[string]string{"Origin": "http://app"}}, 200)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, resp.Header.Get("Vary"))

	props := `<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Cors>` +
		`<CorsRule><AllowedOrigins>http://app</AllowedOrigins><AllowedMethods>GET,HEAD,PUT</AllowedMethods><MaxAgeInSeconds>5</MaxAgeInSeconds><ExposedHeaders>x-ms-meta-*,ETag</ExposedHeaders><AllowedHeaders>*</AllowedHeaders></CorsRule>` +
		`<CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>5</MaxAgeInSeconds><ExposedHeaders>*</ExposedHeaders><AllowedHeaders>*</AllowedHeaders></CorsRule>` +
		`</Cors></StorageServiceProperties>`
	e.must(req{method: "PUT", path: A + "?restype=service&comp=properties", body: props}, 202)

	tests := []struct {
		name, method, origin string
		status               int
		allow, vary, creds   string
		exposed, notExposed  []string
	}{
		{"exact origin", "GET", "http://app", 200, "http://app", "Origin", "true", []string{"x-ms-meta-color", "ETag"}, []string{"x-ms-request-id", "Content-Length"}},
		{"exact origin PUT has no Vary", "PUT", "http://app", 400, "http://app", "", "true", nil, nil},
		{"allow-all rule", "GET", "http://other", 200, "*", "", "", []string{"x-ms-request-id", "Content-Length", "ETag", "x-ms-meta-color"}, []string{"Access-Control-Allow-Origin"}},
		{"no matching rule", "HEAD", "http://other", 200, "", "Origin", "", nil, nil},
		// Without Origin azemu sends no CORS headers (Azure's Vary and
		// allow-all answers only matter to browsers, which send Origin).
		{"no origin", "GET", "", 200, "", "", "", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.origin != "" {
				h["Origin"] = tc.origin
			}
			resp, _ := e.must(req{method: tc.method, path: A + "/crs/b", header: h}, tc.status)
			assert.Equal(t, tc.allow, resp.Header.Get("Access-Control-Allow-Origin"))
			assert.Equal(t, tc.vary, resp.Header.Get("Vary"))
			assert.Equal(t, tc.creds, resp.Header.Get("Access-Control-Allow-Credentials"))
			exposed := strings.Split(resp.Header.Get("Access-Control-Expose-Headers"), ",")
			for _, n := range tc.exposed {
				assert.Contains(t, exposed, n)
			}
			for _, n := range tc.notExposed {
				assert.NotContains(t, exposed, n)
			}
		})
	}
	// An authentication failure still carries the CORS headers, so a
	// browser app can read the storage error.
	resp, _ = e.must(req{method: "GET", path: A + "/crs?restype=container&comp=list", anon: true, header: map[string]string{"Origin": "http://app"}}, 404)
	assert.Equal(t, "http://app", resp.Header.Get("Access-Control-Allow-Origin"))
}

func TestBlockListWire(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/devstoreaccount1/blk?restype=container"}, 201)
	e.must(req{method: "PUT", path: "/devstoreaccount1/blk/b?comp=block&blockid=QUE%3D", body: "first"}, 201)
	e.must(req{method: "PUT", path: "/devstoreaccount1/blk/b?comp=block&blockid=QkI%3D", body: "second"}, 201)
	resp, _ := e.must(req{method: "PUT", path: "/devstoreaccount1/blk/b?comp=block", body: "x"}, 400)
	assert.Equal(t, "MissingRequiredQueryParameter", resp.Header.Get("x-ms-error-code"))
	_, body := e.must(req{method: "GET", path: "/devstoreaccount1/blk/b?comp=blocklist&blocklisttype=all"}, 200)
	assert.Contains(t, body, `<BlockList><CommittedBlocks></CommittedBlocks><UncommittedBlocks><Block><Name>QUE=</Name><Size>5</Size></Block><Block><Name>QkI=</Name><Size>6</Size></Block></UncommittedBlocks></BlockList>`)
	e.must(req{method: "PUT", path: "/devstoreaccount1/blk/b?comp=blocklist", body: `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>QkI=</Latest><Uncommitted>QUE=</Uncommitted></BlockList>`}, 201)
	_, body = e.must(req{method: "GET", path: "/devstoreaccount1/blk/b"}, 200)
	assert.Equal(t, "secondfirst", body)
	resp, _ = e.must(req{method: "PUT", path: "/devstoreaccount1/blk/b?comp=blocklist", body: `<BlockList><Latest>`}, 400)
	assert.Equal(t, "InvalidXmlDocument", resp.Header.Get("x-ms-error-code"))
}

func TestRootContainerAndSnapshotParam(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/devstoreaccount1/$root?restype=container"}, 201)
	e.must(req{method: "PUT", path: "/devstoreaccount1/top.txt", body: "root blob", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	_, body := e.must(req{method: "GET", path: "/devstoreaccount1/$root/top.txt"}, 200)
	assert.Equal(t, "root blob", body)
	_, body = e.must(req{method: "GET", path: "/devstoreaccount1/top.txt"}, 200)
	assert.Equal(t, "root blob", body)
	e.must(req{method: "GET", path: "/devstoreaccount1/$root?restype=container"}, 200)

	resp, _ := e.must(req{method: "GET", path: "/devstoreaccount1/top.txt?snapshot=yesterday"}, 400)
	assert.Equal(t, "InvalidQueryParameterValue", resp.Header.Get("x-ms-error-code"))
}
