package emulator

import (
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a log sink the servers' goroutines may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startLogged(t *testing.T) (*Emulator, *syncBuffer) {
	var logs syncBuffer
	e := startTest(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	return e, &logs
}

// At info, every failed request is one line with its operation, status,
// error code and request id; successes are not logged.
func TestFailedRequestsAreLoggedAtInfo(t *testing.T) {
	e, logs := startLogged(t)
	client := e.HTTPClient()
	resp, err := client.Get(e.BlobURL() + "/" + DevAccountName + "/nosuchcontainer?restype=container")
	require.NoError(t, err)
	resp.Body.Close()
	rid := resp.Header.Get("x-ms-request-id")
	require.NotEmpty(t, rid)
	resp, err = client.Get(e.VaultURL() + "/_azemu/clock")
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = client.Get(e.BlobURL() + "/_azemu/health")
	require.NoError(t, err)
	resp.Body.Close()

	out := logs.String()
	assert.Contains(t, out, `msg="request failed" service=blob op="GET restype=container" status=`)
	assert.Contains(t, out, "request_id="+rid)
	assert.Regexp(t, `service=blob .*code=(ContainerNotFound|NoAuthenticationInformation|ResourceNotFound)`, out)
	assert.Contains(t, out, "service=https op=GET status=401")
	assert.Contains(t, out, "code=AuthenticationFailed")
	assert.NotContains(t, out, "/_azemu/health")
}

// A client that does not trust the CA shows up as such in the log.
func TestUntrustedCAIsLoggedWithTheFix(t *testing.T) {
	e, logs := startLogged(t)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	_, err := client.Get(e.VaultURL() + "/_azemu/health")
	require.Error(t, err, "the system roots do not hold azemu's CA")
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "TLS handshake failed") }, 5*time.Second, time.Millisecond)
	assert.Contains(t, logs.String(), "does not trust azemu's CA")
	assert.Contains(t, logs.String(), "/_azemu/ca.pem")
}

// A Blob request on the Files port (or the reverse) keeps Azure's status
// and code, with a hint in the message.
func TestWrongPortHint(t *testing.T) {
	e := startTest(t, Config{})
	client := e.HTTPClient()
	for _, tc := range []struct {
		base, path, want string
		hdr              http.Header
	}{
		{e.FileURL(), "/" + DevAccountName + "/c/b.txt", "Files port", http.Header{"x-ms-blob-type": {"BlockBlob"}, "x-ms-version": {"2025-01-05"}}},
		{e.BlobURL(), "/" + DevAccountName + "/share?restype=share", "Blob port", http.Header{"x-ms-version": {"2025-01-05"}}},
	} {
		hinted := doPut(t, client, tc.base+tc.path, tc.hdr)
		assert.GreaterOrEqual(t, hinted.status, 400, tc.path)
		assert.NotEmpty(t, hinted.code, tc.path)
		assert.Contains(t, hinted.body, tc.want, tc.path)
		assert.Contains(t, hinted.body, "RequestId:", "the hint goes before Azure's RequestId line")
	}
}

type answer struct {
	status     int
	code, body string
}

func doPut(t *testing.T, client *http.Client, url string, hdr http.Header) answer {
	req, err := http.NewRequest(http.MethodPut, url, strings.NewReader("x"))
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, resp.ContentLength, int64(len(b)))
	return answer{resp.StatusCode, resp.Header.Get("x-ms-error-code"), string(b)}
}
