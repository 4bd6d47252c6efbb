package storagehttp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// logBuffer collects log lines (concurrency-safe) to check their levels.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// take returns what was logged and empties the buffer.
func (l *logBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// guardServer serves a Put-Blob-like operation through Guard and Handle: it
// reads the whole body and answers 201 with the byte count. idle and max
// configure the guard.
func guardServer(t testing.TB, idle time.Duration, maxUploads int, guard bool) (*httptest.Server, *logBuffer, chan struct{}) {
	logs := &logBuffer{}
	p := &Responder{Server: ServerBlob, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	started := make(chan struct{}, 1024)
	prepare := func(w http.ResponseWriter, r *http.Request, _ string) (http.ResponseWriter, *http.Request, error) {
		return w, r, nil
	}
	var h http.Handler = p.Handle("blob", "Upload", prepare, func(w http.ResponseWriter, r *http.Request) error {
		select {
		case started <- struct{}{}:
		default: // nobody counts (fuzzing)
		}
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			return fmt.Errorf("blobstore: read body: %w", err)
		}
		w.Header().Set("x-azemu-read", fmt.Sprint(n))
		w.WriteHeader(http.StatusCreated)
		return nil
	})
	if guard {
		h = NewGuard(p, idle, maxUploads).Wrap(h)
	} else {
		// The body classification alone, as the guard installs it.
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = &guardedBody{rc: r.Body, ctl: http.NewResponseController(w)}
			next.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, logs, started
}

// rawRequest sends head+body on a new connection, closes the write side
// when closeWrite, and returns the response (nil when the server dropped
// the connection without one).
func rawRequest(t testing.TB, srv *httptest.Server, head string, body []byte, closeWrite bool) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = io.WriteString(conn, head)
	require.NoError(t, err)
	_, _ = conn.Write(body)
	if closeWrite {
		_ = conn.(*net.TCPConn).CloseWrite()
	}
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "no answer and no close within 10s")
		return nil
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

const putHead = "PUT /devstoreaccount1/c/b HTTP/1.1\r\nHost: 127.0.0.1\r\nx-ms-blob-type: BlockBlob\r\n"

func TestGuardRefusesBodyWithoutLength(t *testing.T) {
	srv, logs, _ := guardServer(t, 0, 0, true)
	for _, body := range []string{"5\r\nhello\r\n0\r\n\r\n", "zz\r\nhello\r\n0\r\n\r\n", "ffffffffffffffffffff\r\n"} {
		resp := rawRequest(t, srv, putHead+"Transfer-Encoding: chunked\r\n\r\n", []byte(body), true)
		require.NotNil(t, resp)
		assert.Equal(t, http.StatusLengthRequired, resp.StatusCode)
		assert.Equal(t, "MissingContentLengthHeader", resp.Header.Get("x-ms-error-code"))
	}
	// A fixed-length body goes through.
	resp := rawRequest(t, srv, putHead+"Content-Length: 5\r\n\r\n", []byte("hello"), false)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.NotContains(t, logs.String(), "level=ERROR")
}

func TestRequireContentLength(t *testing.T) {
	r := httptest.NewRequest(http.MethodPut, "/devstoreaccount1/c/b", nil)
	assert.ErrorIs(t, RequireContentLength(r), storageerr.ErrMissingContentLengthHeader)
	r.Header.Set("Content-Length", "0")
	assert.NoError(t, RequireContentLength(r))
}

func TestGuardMalformedChunkIs400(t *testing.T) {
	// Without the guard's length rule, a broken chunk framing still must
	// not be a server error.
	srv, logs, _ := guardServer(t, 0, 0, false)
	for _, body := range []string{"zz\r\nhello\r\n0\r\n\r\n", "fffffffffffffffffffffff\r\nx\r\n"} {
		resp := rawRequest(t, srv, putHead+"Transfer-Encoding: chunked\r\n\r\n", []byte(body), false)
		require.NotNil(t, resp, "%q", body)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%q", body)
		assert.Equal(t, "InvalidInput", resp.Header.Get("x-ms-error-code"))
	}
	assert.NotContains(t, logs.String(), "level=ERROR")
}

func TestGuardClientGoneIsNoServerError(t *testing.T) {
	srv, logs, _ := guardServer(t, 0, 0, true)
	// Five bytes of a declared hundred, then the client closes.
	resp := rawRequest(t, srv, putHead+"Content-Length: 100\r\n\r\n", []byte("hello"), true)
	assert.Nil(t, resp, "the connection is dropped, not answered")
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "request body abandoned") }, 10*time.Second, time.Millisecond)
	assert.NotContains(t, logs.String(), "level=ERROR")
	assert.Contains(t, logs.String(), "level=INFO")
}

func TestGuardDropsStalledBody(t *testing.T) {
	srv, logs, _ := guardServer(t, 100*time.Millisecond, 0, true)
	// Headers and 5 of 100 bytes, then silence: the server drops the
	// connection once the body has been idle for the timeout.
	start := time.Now()
	resp := rawRequest(t, srv, putHead+"Content-Length: 100\r\n\r\n", []byte("hello"), false)
	assert.Nil(t, resp)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "idle timeout") }, 10*time.Second, time.Millisecond)
	assert.NotContains(t, logs.String(), "level=ERROR")
}

func TestGuardSlowButMovingBodyIsNotCut(t *testing.T) {
	srv, _, _ := guardServer(t, 200*time.Millisecond, 0, true)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, putHead+"Content-Length: 10\r\n\r\n")
	require.NoError(t, err)
	// Ten bytes, one every 50 ms: 500 ms in all, longer than the idle
	// timeout, never idle that long. The pace is the client's; the server
	// is not waited on.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range 10 {
		<-tick.C
		_, err := conn.Write([]byte("x"))
		require.NoError(t, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "10", resp.Header.Get("x-azemu-read"))
}

func TestGuardCapsUploadsInFlight(t *testing.T) {
	srv, _, started := guardServer(t, time.Minute, 2, true)
	var conns []net.Conn
	for range 2 {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		conns = append(conns, conn)
		_, err = io.WriteString(conn, putHead+"Content-Length: 10\r\n\r\nab")
		require.NoError(t, err)
		<-started // the operation holds its slot
	}
	resp := rawRequest(t, srv, putHead+"Content-Length: 1\r\n\r\n", []byte("x"), false)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "ServerBusy", resp.Header.Get("x-ms-error-code"))
	// A request without a body is not an upload.
	resp = rawRequest(t, srv, "GET /devstoreaccount1/c/b HTTP/1.1\r\nHost: x\r\n\r\n", nil, false)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	// Finishing one upload frees its slot.
	_, err := io.WriteString(conns[0], "cdefghij")
	require.NoError(t, err)
	first, err := http.ReadResponse(bufio.NewReader(conns[0]), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, first.StatusCode)
	require.Eventually(t, func() bool {
		resp := rawRequest(t, srv, putHead+"Content-Length: 1\r\n\r\n", []byte("x"), false)
		return resp != nil && resp.StatusCode == http.StatusCreated
	}, 10*time.Second, time.Millisecond)
	for _, c := range conns {
		_ = c.Close()
	}
}

func TestGuardClientRequestIDLimit(t *testing.T) {
	srv, _, _ := guardServer(t, 0, 0, true)
	for _, tc := range []struct {
		n      int
		status int
	}{{MaxClientRequestID, http.StatusCreated}, {MaxClientRequestID + 1, http.StatusBadRequest}, {64 << 10, http.StatusBadRequest}} {
		id := strings.Repeat("a", tc.n)
		resp := rawRequest(t, srv, putHead+"Content-Length: 1\r\nx-ms-client-request-id: "+id+"\r\n\r\n", []byte("x"), false)
		require.NotNil(t, resp)
		assert.Equal(t, tc.status, resp.StatusCode, "length %d", tc.n)
		if tc.status == http.StatusBadRequest {
			assert.Equal(t, "InvalidHeaderValue", resp.Header.Get("x-ms-error-code"))
			assert.Empty(t, resp.Header.Get("x-ms-client-request-id"), "an overlong id is not echoed")
		} else {
			assert.Equal(t, id, resp.Header.Get("x-ms-client-request-id"))
		}
	}
}

func TestClassifyBodyError(t *testing.T) {
	_, err := io.Copy(io.Discard, httputil.NewChunkedReader(strings.NewReader("zz\r\n")))
	require.Error(t, err)
	var be *BodyError
	require.ErrorAs(t, classifyBodyError(err), &be)
	assert.Equal(t, BodyMalformed, be.Failure)
	require.ErrorAs(t, classifyBodyError(io.ErrUnexpectedEOF), &be)
	assert.Equal(t, BodyGone, be.Failure)
	assert.Equal(t, io.EOF, classifyBodyError(io.EOF))
	mbe := &http.MaxBytesError{Limit: 1}
	assert.Equal(t, error(mbe), classifyBodyError(mbe))
	e, known := AsStorageError(fmt.Errorf("x: %w", &BodyError{Failure: BodyMalformed, Err: errors.New("bad")}))
	assert.True(t, known)
	assert.Equal(t, 400, e.Status)
}

// FuzzChunkedBody sends a chunked Put Blob body, any bytes, to a server
// that reads it through the body classification (no length rule), and to
// one behind the full guard. Neither may answer 5xx or log an error: the
// first answers 201 for a well-formed body, 400 for a broken framing, or
// drops the connection when the body ends early; the guard answers 411.
func FuzzChunkedBody(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("zz\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("ffffffffffffffffffffffff\r\n"))
	f.Add([]byte("5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n"))
	f.Add([]byte("3\r\nab"))
	f.Add([]byte("0\r\n\r\n"))
	f.Add([]byte("-1\r\n"))
	plain, plainLogs, _ := guardServer(f, 0, 0, false)
	guarded, guardedLogs, _ := guardServer(f, 0, 0, true)
	f.Fuzz(func(t *testing.T, body []byte) {
		head := putHead + "Transfer-Encoding: chunked\r\n\r\n"
		if resp := rawRequest(t, plain, head, body, true); resp != nil {
			switch resp.StatusCode {
			case http.StatusCreated, http.StatusBadRequest:
			default:
				t.Fatalf("status %d for %q", resp.StatusCode, body)
			}
		}
		resp := rawRequest(t, guarded, head, body, true)
		if resp == nil || resp.StatusCode != http.StatusLengthRequired {
			t.Fatalf("guard answered %v for %q", resp, body)
		}
		for _, l := range []*logBuffer{plainLogs, guardedLogs} {
			if logged := l.take(); strings.Contains(logged, "level=ERROR") {
				t.Fatalf("error logged for %q: %s", body, logged)
			}
		}
	})
}

func TestGuardDropsStalledBodyNobodyReads(t *testing.T) {
	// An operation that answers without reading the body: the server then
	// drains the body, and a silent client must not hold it there.
	logs := &logBuffer{}
	p := &Responder{Logger: slog.New(slog.NewTextHandler(logs, nil))}
	srv := httptest.NewServer(NewGuard(p, 100*time.Millisecond, 0).Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.WriteError(w, r, storageerr.ErrAuthenticationFailed)
	})))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, putHead+"Content-Length: 100\r\n\r\nhello")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, _ = io.Copy(io.Discard, resp.Body)
	// Then the server closes the connection instead of waiting for the
	// other 95 bytes.
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF)
}

func TestHandleRequiresContentLength(t *testing.T) {
	p := &Responder{}
	prepare := func(w http.ResponseWriter, r *http.Request, _ string) (http.ResponseWriter, *http.Request, error) {
		return w, r, nil
	}
	ok := func(w http.ResponseWriter, r *http.Request) error { w.WriteHeader(http.StatusCreated); return nil }
	for _, tc := range []struct {
		op     string
		length bool
		status int
	}{
		{"PutBlob", false, http.StatusLengthRequired},
		{"PutBlob", true, http.StatusCreated},
		{"PutBlockFromURL", false, http.StatusLengthRequired},
		{"CreateFile", false, http.StatusLengthRequired},
		{"PutRange", true, http.StatusCreated},
		{"SetBlobMetadata", false, http.StatusCreated},
	} {
		r := httptest.NewRequest(http.MethodPut, "/devstoreaccount1/c/b", nil)
		if tc.length {
			r.Header.Set("Content-Length", "0")
		}
		w := httptest.NewRecorder()
		p.Handle("blob", tc.op, prepare, ok).ServeHTTP(w, r)
		assert.Equal(t, tc.status, w.Code, "%s with Content-Length %v", tc.op, tc.length)
		if tc.status == http.StatusLengthRequired {
			assert.Equal(t, "MissingContentLengthHeader", w.Header().Get("x-ms-error-code"))
		}
	}
}
