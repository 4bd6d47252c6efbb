package fileapi

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	fileservice "github.com/azemu/azemu/blobstore/file"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/crypto"
)

// rawEnv sends hand-made requests authorised by an account SAS, for wire
// details the SDK hides.
type rawEnv struct {
	t   *testing.T
	url string
	sas string
}

func newRawEnv(t *testing.T) *rawEnv {
	root, err := crypto.NewKey()
	require.NoError(t, err)
	svc, err := blobstore.Open(blobstore.Config{RootKey: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	key, err := base64.StdEncoding.DecodeString(devKey)
	require.NoError(t, err)
	require.NoError(t, svc.CreateAccount(context.Background(), blobstore.AccountSpec{Name: devAccount, Keys: [][]byte{key}}))
	rules := fileservice.New(svc, nil)
	srv := httptest.NewServer(New(Config{Service: rules}))
	t.Cleanup(srv.Close)
	cred, err := service.NewSharedKeyCredential(devAccount, devKey)
	require.NoError(t, err)
	qp, err := sas.AccountSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		Permissions:   (&sas.AccountPermissions{Read: true, Write: true, Create: true, Delete: true, List: true}).String(),
		ResourceTypes: (&sas.AccountResourceTypes{Service: true, Container: true, Object: true}).String(),
	}.SignWithSharedKey(cred)
	require.NoError(t, err)
	return &rawEnv{t: t, url: srv.URL + "/" + devAccount, sas: qp.Encode()}
}

func (e *rawEnv) do(method, path, query string, h map[string]string, body string) (*http.Response, string) {
	e.t.Helper()
	u := e.url + path + "?" + e.sas
	if query != "" {
		u += "&" + query
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("x-ms-version", "2026-06-06")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	_ = resp.Body.Close()
	return resp, string(b)
}

func TestRawProtocol(t *testing.T) {
	e := newRawEnv(t)
	resp, _ := e.do("PUT", "/raw", "restype=share", nil, "")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "Windows-Azure-File/1.0 Microsoft-HTTPAPI/2.0", resp.Header.Get("Server"))
	assert.Equal(t, "5120", resp.Header.Get("x-ms-share-quota"))

	resp, _ = e.do("PUT", "/raw/f.txt", "", map[string]string{"x-ms-type": "file", "x-ms-content-length": "10"}, "")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	iso := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)
	for _, h := range []string{"x-ms-file-creation-time", "x-ms-file-last-write-time", "x-ms-file-change-time"} {
		assert.Regexp(t, iso, resp.Header.Get(h), h)
	}
	assert.Regexp(t, `^\d+\*\d+$`, resp.Header.Get("x-ms-file-permission-key"))
	assert.Equal(t, "Archive", resp.Header.Get("x-ms-file-attributes"))
	assert.NotEmpty(t, resp.Header.Get("x-ms-file-id"))
	assert.Equal(t, "true", resp.Header.Get("x-ms-request-server-encrypted"))

	tests := []struct {
		name         string
		method, path string
		query        string
		headers      map[string]string
		body         string
		status       int
		code         string
	}{
		{"missing x-ms-write", "PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=0-1"}, "ab", 400, "MissingRequiredHeader"},
		{"length mismatch", "PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=0-3", "x-ms-write": "update"}, "ab", 400, "InvalidHeaderValue"},
		{"range past end", "PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=9-10", "x-ms-write": "update"}, "ab", 416, "InvalidRange"},
		{"bad md5", "PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=0-1", "x-ms-write": "update", "Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, "ab", 400, "Md5Mismatch"},
		{"unknown comp", "GET", "/raw/f.txt", "comp=bogus", nil, "", 400, "InvalidQueryParameterValue"},
		{"get beyond end", "GET", "/raw/f.txt", "", map[string]string{"x-ms-range": "bytes=10-"}, "", 416, "InvalidRange"},
		{"missing content length", "PUT", "/raw/g.txt", "", map[string]string{"x-ms-type": "file"}, "", 400, "MissingRequiredHeader"},
		{"structured body", "PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=0-1", "x-ms-write": "update", "x-ms-structured-body": "XSM/1.0; properties=crc64"}, "ab", 400, "FeatureNotSupportedByEmulator"},
		{"bad attributes", "PUT", "/raw/d", "restype=directory", map[string]string{"x-ms-file-attributes": "Bogus"}, "", 400, "InvalidHeaderValue"},
		{"bad time", "PUT", "/raw/d", "restype=directory", map[string]string{"x-ms-file-creation-time": "yesterday"}, "", 400, "InvalidHeaderValue"},
		{"no x-ms-type", "PUT", "/raw/h.txt", "", map[string]string{"x-ms-content-length": "1"}, "", 400, "MissingRequiredHeader"},
		{"range too large", "PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=0-4194304", "x-ms-write": "update"}, strings.Repeat("x", 4<<20+1), 413, "RequestBodyTooLarge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.do(tc.method, tc.path, tc.query, tc.headers, tc.body)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			assert.Equal(t, tc.code, resp.Header.Get("x-ms-error-code"))
			assert.Contains(t, body, "<Code>"+tc.code+"</Code>")
			assert.Contains(t, body, "RequestId:")
		})
	}
	// HEAD errors carry the code in the header only.
	resp, body := e.do("HEAD", "/raw/missing.txt", "", nil, "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "ResourceNotFound", resp.Header.Get("x-ms-error-code"))
	assert.Empty(t, body)

	// A cleared range lists as nothing and reads as zeros.
	sum := md5.Sum([]byte("0123456789"))
	md := base64.StdEncoding.EncodeToString(sum[:])
	resp, _ = e.do("PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=0-9", "x-ms-write": "update", "Content-MD5": md}, "0123456789")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, md, resp.Header.Get("Content-MD5"), "the digest is echoed when the client sent one")
	resp, _ = e.do("PUT", "/raw/f.txt", "comp=range", map[string]string{"x-ms-range": "bytes=2-5", "x-ms-write": "clear"}, "")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	resp, body = e.do("GET", "/raw/f.txt", "comp=rangelist", nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// A clear inside one 512-byte page zeroes the bytes and keeps the range.
	assert.Equal(t, `<?xml version="1.0" encoding="utf-8"?><Ranges><Range><Start>0</Start><End>9</End></Range></Ranges>`, body)
	assert.Equal(t, "10", resp.Header.Get("x-ms-content-length"))
	resp, body = e.do("GET", "/raw/f.txt", "", map[string]string{"Range": "bytes=1-6"}, "")
	assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, "1\x00\x00\x00\x006", body)
	assert.Equal(t, "bytes 1-6/10", resp.Header.Get("Content-Range"))
	assert.Equal(t, "File", resp.Header.Get("x-ms-type"))
	assert.Equal(t, "true", resp.Header.Get("x-ms-server-encrypted"))

	// The File service takes no HTTP conditions.
	resp, body = e.do("GET", "/raw/f.txt", "", map[string]string{"If-None-Match": `"0x1"`}, "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "ConditionHeadersNotSupported", resp.Header.Get("x-ms-error-code"))
	assert.Contains(t, body, "<Code>ConditionHeadersNotSupported</Code>")

	// Listing XML carries the extended info when asked.
	resp, body = e.do("GET", "/raw", "restype=directory&comp=list&include=Timestamps,Etag,Attributes,PermissionKey", map[string]string{"x-ms-file-extended-info": "true"}, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `<EnumerationResults ServiceEndpoint="`)
	assert.Contains(t, body, `ShareName="raw" DirectoryPath=""`)
	assert.Regexp(t, `<File><Name>f.txt</Name><FileId>\d+</FileId><Properties><Content-Length>10</Content-Length><CreationTime>`, body)
	assert.Contains(t, body, `<Attributes>Archive</Attributes><PermissionKey>`)
}
