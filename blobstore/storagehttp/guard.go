package storagehttp

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// Request limits every storage endpoint applies before an operation runs.
const (
	// MaxClientRequestID is the longest x-ms-client-request-id accepted:
	// "a client-generated, opaque value with a 1-kibibyte (KiB) character
	// limit" (https://learn.microsoft.com/rest/api/storageservices/common-rest-api-request-headers).
	MaxClientRequestID = 1024
	// DefaultBodyIdleTimeout is how long a request body may send nothing
	// before the connection is dropped, as a production front end does.
	DefaultBodyIdleTimeout = time.Minute
	// DefaultMaxUploads is how many requests with a body may be in flight
	// at once per Guard. Each holds a socket and, while its bytes are
	// sealed, a data file; the cap keeps a flood of slow uploads from
	// exhausting the process's file descriptors.
	DefaultMaxUploads = 512
)

// Guard is the storage endpoints' first line: it refuses what Azure refuses
// before an operation runs (a body without a Content-Length, an overlong
// x-ms-client-request-id), caps the requests with a body in flight, and
// drops a connection whose body stalls. Errors it renders use Responder.
//
// The zero value applies the defaults.
type Guard struct {
	Responder *Responder
	// BodyIdleTimeout bounds the silence between two reads of a request
	// body (zero: DefaultBodyIdleTimeout, negative: none). The deadline is
	// re-armed as bytes arrive, so a slow but moving upload is never cut.
	BodyIdleTimeout time.Duration
	// MaxUploads caps requests with a body in flight (zero:
	// DefaultMaxUploads, negative: no cap). Past it a request is 503
	// ServerBusy at once, which every SDK retries with backoff.
	MaxUploads int

	slots chan struct{}
}

// NewGuard returns a Guard over r with the given limits (zero values take
// the defaults). One Guard may serve several handlers; they then share the
// upload cap.
func NewGuard(r *Responder, idle time.Duration, maxUploads int) *Guard {
	if idle == 0 {
		idle = DefaultBodyIdleTimeout
	}
	if maxUploads == 0 {
		maxUploads = DefaultMaxUploads
	}
	g := &Guard{Responder: r, BodyIdleTimeout: idle, MaxUploads: maxUploads}
	if maxUploads > 0 {
		g.slots = make(chan struct{}, maxUploads)
	}
	return g
}

// Wrap returns next behind the guard.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := precheck(r); err != nil {
			g.Responder.WriteError(w, r, err)
			return
		}
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if g.slots != nil {
			select {
			case g.slots <- struct{}{}:
				defer func() { <-g.slots }()
			default:
				g.Responder.WriteError(w, r, storageerr.ErrServerBusy)
				return
			}
		}
		body := &guardedBody{rc: r.Body, ctl: http.NewResponseController(w), idle: g.BodyIdleTimeout}
		// Armed now, not at the first read: an operation that answers
		// without reading the body (403, 409, ...) leaves the server to
		// drain it, and that must not wait on a silent client forever.
		body.arm(time.Now())
		r.Body = body
		next.ServeHTTP(w, r)
	})
}

// precheck refuses a request Azure refuses whatever the operation:
//   - a body of unknown length (Transfer-Encoding: chunked, or HTTP/2
//     without content-length) is 411 MissingContentLengthHeader: Azure
//     Storage does not take chunked request bodies, and every write
//     operation documents Content-Length as required;
//   - an x-ms-client-request-id over MaxClientRequestID characters is 400
//     InvalidHeaderValue (the value is neither echoed nor logged).
func precheck(r *http.Request) error {
	if r.ContentLength < 0 {
		return storageerr.ErrMissingContentLengthHeader
	}
	if len(r.Header.Get(HeaderClientRequestID)) > MaxClientRequestID {
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", HeaderClientRequestID)
	}
	return nil
}

// lengthRequired are the operations whose REST reference marks
// Content-Length required, even when the body is empty (the "From URL"
// ones and Create File send 0): Handle answers 411 MissingContentLengthHeader
// without it.
var lengthRequired = map[string]bool{
	// Blob: Put Blob, Put Blob From URL, Put Block, Put Block From URL,
	// Append Block, Append Block From URL, Put Blob of an append or page
	// blob, Put Page, Put Page From URL.
	"PutBlob": true, "PutBlobFromURL": true, "PutBlock": true, "PutBlockFromURL": true,
	"AppendBlock": true, "AppendBlockFromURL": true, "CreateAppendBlob": true, "PutPageBlob": true,
	"PutPage": true, "PutPageFromURL": true,
	// Files: Create File, Put Range, Put Range From URL.
	"CreateFile": true, "PutRange": true, "PutRangeFromURL": true,
}

// RequireContentLength refuses a request without a Content-Length header
// (411 MissingContentLengthHeader), for the operations whose REST reference
// marks it required even for an empty body (Put Blob, Put Block, Append
// Block, Put Page, Create File, Put Range, ...).
func RequireContentLength(r *http.Request) error {
	if len(r.Header.Values("Content-Length")) == 0 {
		return storageerr.ErrMissingContentLengthHeader
	}
	return nil
}

// BodyFailure says why reading a request body failed.
type BodyFailure int

// The ways a request body read fails.
const (
	// BodyGone: the client closed or reset the connection mid-body.
	BodyGone BodyFailure = iota + 1
	// BodyStalled: nothing arrived for the idle timeout.
	BodyStalled
	// BodyMalformed: the framing is broken (a bad chunk size line).
	BodyMalformed
)

// BodyError is a failure reading a request body, classified. Handle drops
// the connection for BodyGone and BodyStalled (nobody is left to answer,
// and a client that stalls gets what a production front end gives it) and
// AsStorageError makes BodyMalformed a 400; none is a server error.
type BodyError struct {
	Failure BodyFailure
	Err     error
}

func (e *BodyError) Error() string {
	switch e.Failure {
	case BodyGone:
		return "request body: client went away: " + e.Err.Error()
	case BodyStalled:
		return "request body: idle timeout: " + e.Err.Error()
	default:
		return "request body: malformed: " + e.Err.Error()
	}
}

func (e *BodyError) Unwrap() error { return e.Err }

// classifyBodyError wraps a read error of a request body. io.EOF and
// *http.MaxBytesError (413, mapped elsewhere) pass through.
func classifyBodyError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.As(err, &mbe):
		return err
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &BodyError{Failure: BodyStalled, Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, http.ErrBodyReadAfterClose),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &BodyError{Failure: BodyGone, Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return &BodyError{Failure: BodyStalled, Err: err}
		}
		return &BodyError{Failure: BodyGone, Err: err}
	}
	// What is left comes from the chunked decoder of net/http ("invalid
	// byte in chunk length", "http chunk length too large", ...), whose
	// errors are not exported.
	return &BodyError{Failure: BodyMalformed, Err: err}
}

// guardedBody re-arms the connection's read deadline before each read and
// classifies read errors. Once the body is done the deadline is cleared, so
// the server's own background read of an idle connection is not cut short
// while the operation finishes.
type guardedBody struct {
	rc    io.ReadCloser
	ctl   *http.ResponseController
	idle  time.Duration
	armed time.Time // when the deadline was last set
	done  bool
}

func (b *guardedBody) Read(p []byte) (int, error) {
	if b.done {
		return b.rc.Read(p)
	}
	// Re-arm at most every quarter of the timeout: a deadline is a timer
	// update per call, and reads come every few KiB.
	if now := time.Now(); b.idle > 0 && now.Sub(b.armed) > b.idle/4 {
		b.arm(now)
	}
	n, err := b.rc.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		b.done = true
		if !b.armed.IsZero() {
			_ = b.ctl.SetReadDeadline(time.Time{})
		}
	default:
		// The deadline stays (expired, for a stall): the server drains
		// what is left of the body when the handler ends, and that must
		// not wait on a silent client either.
		b.done = true
		err = classifyBodyError(err)
	}
	return n, err
}

// arm sets the read deadline to now plus the idle timeout.
func (b *guardedBody) arm(now time.Time) {
	if b.idle <= 0 {
		return
	}
	if err := b.ctl.SetReadDeadline(now.Add(b.idle)); err != nil {
		b.idle = 0 // not supported by this writer: never retry
		return
	}
	b.armed = now
}

func (b *guardedBody) Close() error { return b.rc.Close() }

// bodyErrorOf returns the classified body failure in err's chain, if any.
func bodyErrorOf(err error) (*BodyError, bool) {
	var be *BodyError
	if errors.As(err, &be) {
		return be, true
	}
	return nil, false
}
