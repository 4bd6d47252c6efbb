package queueapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/crypto"
)

var testKey = []byte("queue-test-key-queue-test-key-32")

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	k, err := crypto.NewKey()
	require.NoError(t, err)
	svc, err := queue.Open(queue.Config{Keys: staticKeys{k}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	srv := httptest.NewServer(New(Config{Service: svc, Accounts: oneAccount{testKey}}))
	t.Cleanup(srv.Close)
	return srv
}

func sign(s string) string {
	mac := hmac.New(sha256.New, testKey)
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// do sends a Shared Key request and returns the response with its body read.
func do(t *testing.T, srv *httptest.Server, method, target, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest(method, srv.URL+target, strings.NewReader(body))
	require.NoError(t, err)
	r.Header.Set("x-ms-version", "2018-03-28")
	r.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	if r.Header.Get("Authorization") == "" {
		r.Header.Set("Authorization", "SharedKey "+testAccount+":"+sign(storageauth.StringToSign(r, testAccount)))
	}
	resp, err := srv.Client().Do(r)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp, string(b)
}

// errorBody is Azure's storage error body.
type errorBody struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func requireError(t *testing.T, resp *http.Response, body string, status int, code string) {
	t.Helper()
	require.Equal(t, status, resp.StatusCode, body)
	assert.Equal(t, code, resp.Header.Get("x-ms-error-code"))
	assert.NotEmpty(t, resp.Header.Get("x-ms-request-id"))
	if body == "" {
		return
	}
	var e errorBody
	require.NoError(t, xml.Unmarshal([]byte(body), &e))
	assert.Equal(t, code, e.Code)
	assert.Contains(t, e.Message, "RequestId:")
	assert.Contains(t, e.Message, "Time:")
}

func TestErrorsOnTheWire(t *testing.T) {
	srv := newServer(t)
	resp, body := do(t, srv, "GET", "/devstoreaccount1/nope?comp=metadata", "")
	requireError(t, resp, body, 404, "QueueNotFound")
	resp, body = do(t, srv, "HEAD", "/devstoreaccount1/nope?comp=metadata", "")
	requireError(t, resp, body, 404, "QueueNotFound")
	assert.Empty(t, body)
	resp, body = do(t, srv, "GET", "/otheraccount/nope?comp=metadata", "")
	requireError(t, resp, body, 404, "ResourceNotFound")
	resp, body = do(t, srv, "POST", "/devstoreaccount1/nope", "")
	requireError(t, resp, body, 405, "UnsupportedHttpVerb")
	resp, body = do(t, srv, "GET", "/devstoreaccount1/nope?comp=bogus", "")
	requireError(t, resp, body, 400, "InvalidQueryParameterValue")
	resp, body = do(t, srv, "PUT", "/devstoreaccount1/nope", "", "Authorization", "SharedKey devstoreaccount1:AAAA")
	requireError(t, resp, body, 403, "AuthenticationFailed")
	resp, body = do(t, srv, "PUT", "/devstoreaccount1/UPPER", "")
	requireError(t, resp, body, 400, "InvalidResourceName")
}

func TestPutGetAndUpdateOnTheWire(t *testing.T) {
	srv := newServer(t)
	resp, body := do(t, srv, "PUT", "/devstoreaccount1/wire", "", "x-ms-meta-Owner", "me")
	require.Equal(t, 201, resp.StatusCode, body)
	resp, _ = do(t, srv, "PUT", "/devstoreaccount1/wire", "", "x-ms-meta-Owner", "me")
	assert.Equal(t, 204, resp.StatusCode)

	resp, body = do(t, srv, "POST", "/devstoreaccount1/wire/messages?messagettl=-1", "<QueueMessage><MessageText>a &amp; b</MessageText></QueueMessage>")
	require.Equal(t, 201, resp.StatusCode, body)
	assert.Equal(t, "application/xml", resp.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(body, `<?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage><MessageId>`), body)
	assert.Contains(t, body, "<ExpirationTime>Fri, 31 Dec 9999 23:59:59 GMT</ExpirationTime>")
	assert.NotContains(t, body, "MessageText", "Put Message does not echo the text")
	var put xmlMessageList
	require.NoError(t, xml.Unmarshal([]byte(body), &put))
	require.Len(t, put.Messages, 1)
	_, err := time.Parse(http.TimeFormat, put.Messages[0].InsertionTime)
	assert.NoError(t, err, "times are RFC 1123")

	resp, body = do(t, srv, "GET", "/devstoreaccount1/wire/messages?numofmessages=1&visibilitytimeout=10", "")
	require.Equal(t, 200, resp.StatusCode, body)
	var got xmlMessageList
	require.NoError(t, xml.Unmarshal([]byte(body), &got))
	require.Len(t, got.Messages, 1)
	m := got.Messages[0]
	assert.Equal(t, "a & b", *m.MessageText)
	assert.EqualValues(t, 1, *m.DequeueCount)

	id := "/devstoreaccount1/wire/messages/" + m.MessageID
	resp, body = do(t, srv, "PUT", id+"?visibilitytimeout=0", "")
	requireError(t, resp, body, 400, "MissingRequiredQueryParameter")
	resp, body = do(t, srv, "PUT", id+"?popreceipt="+urlEscape(*m.PopReceipt), "")
	requireError(t, resp, body, 400, "MissingRequiredQueryParameter")
	resp, body = do(t, srv, "PUT", id+"?popreceipt="+urlEscape(*m.PopReceipt)+"&visibilitytimeout=x", "")
	requireError(t, resp, body, 400, "InvalidQueryParameterValue")
	resp, body = do(t, srv, "PUT", id+"?popreceipt="+urlEscape(*m.PopReceipt)+"&visibilitytimeout=0", "<QueueMessage><MessageText>new</MessageText></QueueMessage>")
	require.Equal(t, 204, resp.StatusCode, body)
	assert.NotEmpty(t, resp.Header.Get("x-ms-popreceipt"))
	_, err = time.Parse(http.TimeFormat, resp.Header.Get("x-ms-time-next-visible"))
	assert.NoError(t, err)
	resp, body = do(t, srv, "DELETE", id+"?popreceipt="+urlEscape(*m.PopReceipt), "")
	requireError(t, resp, body, 400, "PopReceiptMismatch")
	resp, body = do(t, srv, "DELETE", id, "")
	requireError(t, resp, body, 400, "MissingRequiredQueryParameter")

	resp, body = do(t, srv, "GET", "/devstoreaccount1/wire/messages?peekonly=true", "")
	require.Equal(t, 200, resp.StatusCode, body)
	assert.Contains(t, body, "<MessageText>new</MessageText>")
	assert.NotContains(t, body, "PopReceipt", "peek shows no pop receipt")

	resp, body = do(t, srv, "POST", "/devstoreaccount1/wire/messages", "<QueueMessage/>")
	requireError(t, resp, body, 400, "MissingRequiredXmlNode")
	resp, body = do(t, srv, "POST", "/devstoreaccount1/wire/messages", "not xml")
	requireError(t, resp, body, 400, "InvalidXmlDocument")
	resp, body = do(t, srv, "POST", "/devstoreaccount1/wire/messages", "<QueueMessage><MessageText>"+strings.Repeat("x", 64<<10+1)+"</MessageText></QueueMessage>")
	requireError(t, resp, body, 413, "RequestBodyTooLarge")

	resp, body = do(t, srv, "GET", "/devstoreaccount1/wire?comp=metadata", "")
	require.Equal(t, 200, resp.StatusCode, body)
	assert.Equal(t, "1", resp.Header.Get("x-ms-approximate-messages-count"))
	assert.Equal(t, "me", resp.Header.Get("x-ms-meta-owner"))
}

func TestListQueuesOnTheWire(t *testing.T) {
	srv := newServer(t)
	for _, n := range []string{"aaa", "bbb"} {
		resp, _ := do(t, srv, "PUT", "/devstoreaccount1/"+n, "")
		require.Equal(t, 201, resp.StatusCode)
	}
	resp, body := do(t, srv, "GET", "/devstoreaccount1?comp=list&maxresults=1&prefix=", "")
	require.Equal(t, 200, resp.StatusCode, body)
	want := `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="` + srv.URL + `/devstoreaccount1/"><Prefix></Prefix><MaxResults>1</MaxResults><Queues><Queue><Name>aaa</Name></Queue></Queues><NextMarker>bbb</NextMarker></EnumerationResults>`
	assert.Equal(t, want, body)
	resp, body = do(t, srv, "GET", "/devstoreaccount1?comp=list&include=bogus", "")
	requireError(t, resp, body, 400, "InvalidQueryParameterValue")
}

// Shared Key Lite, which no SDK sends, in the documented layout: VERB,
// Content-MD5, Content-Type, Date, x-ms-* headers, then the resource with
// only ?comp.
func TestSharedKeyLite(t *testing.T) {
	srv := newServer(t)
	resp, _ := do(t, srv, "PUT", "/devstoreaccount1/lite", "")
	require.Equal(t, 201, resp.StatusCode)
	date := time.Now().UTC().Format(http.TimeFormat)
	s := "GET\n\n\n\nx-ms-date:" + date + "\nx-ms-version:2018-03-28\n/devstoreaccount1/devstoreaccount1/lite?comp=metadata"
	resp, body := do(t, srv, "GET", "/devstoreaccount1/lite?comp=metadata", "", "x-ms-date", date, "Authorization", "SharedKeyLite devstoreaccount1:"+sign(s))
	require.Equal(t, 200, resp.StatusCode, body)
	resp, body = do(t, srv, "GET", "/devstoreaccount1/lite?comp=metadata", "", "x-ms-date", date, "Authorization", "SharedKeyLite devstoreaccount1:"+sign(s+"x"))
	requireError(t, resp, body, 403, "AuthenticationFailed")
}

func urlEscape(s string) string {
	return strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(s)
}
