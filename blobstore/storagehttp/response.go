package storagehttp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// Server header values Azure sends.
const (
	ServerBlob = "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0"
	ServerFile = "Windows-Azure-File/1.0 Microsoft-HTTPAPI/2.0"
)

// Header names used by every storage operation.
const (
	HeaderRequestID       = "x-ms-request-id"
	HeaderClientRequestID = "x-ms-client-request-id"
	HeaderVersion         = "x-ms-version"
	HeaderErrorCode       = "x-ms-error-code"
	HeaderDate            = "x-ms-date"
)

// Responder writes the headers common to every response of one storage
// service and renders errors. The zero value is usable: Server defaults to
// ServerBlob, Now to time.Now and Logger to slog.Default.
type Responder struct {
	// Server is the Server header value (ServerBlob or ServerFile).
	Server string
	// Logger receives 5xx errors at Error level and 4xx at Debug level.
	Logger *slog.Logger
	// Now is the real clock used for the Date header and error Time.
	Now func() time.Time
}

func (p *Responder) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Responder) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

// RequestID returns the request id of this response. The emulator's
// middleware sets x-ms-request-id on the response before the handler runs; when
// it did not (unit tests, embedding), a new id is made and set.
func RequestID(w http.ResponseWriter) string {
	if id := w.Header().Get(HeaderRequestID); id != "" {
		return id
	}
	id := NewRequestID()
	w.Header().Set(HeaderRequestID, id)
	return id
}

// NewRequestID returns a random UUID-shaped request id.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// SetCommonHeaders sets the headers every storage response carries:
// x-ms-request-id, x-ms-version (the client's version echoed: azemu accepts
// every version), x-ms-client-request-id (echoed when sent), Date and Server.
// It returns the request id.
func (p *Responder) SetCommonHeaders(w http.ResponseWriter, r *http.Request) string {
	id := RequestID(w)
	h := w.Header()
	if v := r.Header.Get(HeaderVersion); v != "" {
		h.Set(HeaderVersion, v)
	}
	if v := r.Header.Get(HeaderClientRequestID); v != "" && len(v) <= MaxClientRequestID {
		// An overlong one is refused (Guard), never echoed.
		h.Set(HeaderClientRequestID, v)
	}
	h.Set("Date", FormatHTTPDate(p.now()))
	server := p.Server
	if server == "" {
		server = ServerBlob
	}
	h.Set("Server", server)
	return id
}

// AsStorageError maps err to the storage wire error. *storageerr.Error values
// (wrapped or not) pass through; a body over its limit becomes
// RequestBodyTooLarge; anything else is InternalError and ok is false so the
// caller knows to log it.
func AsStorageError(err error) (e *storageerr.Error, known bool) {
	if errors.As(err, &e) {
		return e, true
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return storageerr.ErrRequestBodyTooLarge, true
	}
	if _, ok := bodyErrorOf(err); ok {
		// A malformed chunked body is the client's fault. Gone or stalled
		// bodies are dropped by Handle before they get here; should one
		// reach a writer all the same, it is no server error either.
		return storageerr.ErrInvalidInput.WithMessage("The request body could not be read: its framing is malformed or it ended early."), true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return storageerr.ErrOperationTimedOut, true
	}
	return storageerr.ErrInternalError, false
}

// WriteError renders err as Azure does: the status, x-ms-error-code, the
// common headers, any headers the error carries, and (except for HEAD) the
// XML body whose Message ends with RequestId and Time. Errors that are not
// storage errors become 500 InternalError and are logged with the request id.
//
// attrs are extra log attributes (service, op, account) for the log line.
func (p *Responder) WriteError(w http.ResponseWriter, r *http.Request, err error, attrs ...any) {
	e, known := AsStorageError(err)
	id := p.SetCommonHeaders(w, r)
	now := p.now()
	log := p.logger().With(attrs...)
	switch {
	case !known:
		log.Error("storage request failed", "request_id", id, "method", r.Method, "path", r.URL.EscapedPath(), "error", err)
	case e.Status >= 500:
		log.Error("storage request failed", "request_id", id, "method", r.Method, "code", e.Code, "error", err)
	default:
		log.Debug("storage request rejected", "request_id", id, "method", r.Method, "code", e.Code, "status", e.Status)
	}
	h := w.Header()
	for k, vs := range e.Header {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	h.Set(HeaderErrorCode, e.Code)
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if r.Method == http.MethodHead || status == http.StatusNotModified {
		h.Del("Content-Type")
		h.Del("Content-Length")
		w.WriteHeader(status)
		return
	}
	var b strings.Builder
	b.WriteString(XMLDecl)
	b.WriteString("<Error><Code>")
	EscapeXMLText(&b, e.Code)
	b.WriteString("</Code><Message>")
	EscapeXMLText(&b, e.Message+"\nRequestId:"+id+"\nTime:"+FormatISO(now))
	b.WriteString("</Message>")
	for _, x := range e.Extra {
		if !validXMLName(x.Name) {
			continue
		}
		b.WriteString("<" + x.Name + ">")
		EscapeXMLText(&b, x.Value)
		b.WriteString("</" + x.Name + ">")
	}
	b.WriteString("</Error>")
	out := b.String()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, out)
}

// XMLDecl is the XML declaration Azure Storage puts before every body.
const XMLDecl = `<?xml version="1.0" encoding="utf-8"?>`

// EscapeXMLText writes s as XML character data. Unlike xml.EscapeText it
// keeps newlines literal, as Azure's error messages carry them, and it drops
// characters XML cannot carry.
func EscapeXMLText(b *strings.Builder, s string) {
	for _, c := range s {
		switch {
		case c == '&':
			b.WriteString("&amp;")
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '\n' || c == '\t' || c == '\r' || c >= 0x20 && c != 0xFFFE && c != 0xFFFF:
			b.WriteRune(c)
		}
	}
}

func validXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.')
		if !ok {
			return false
		}
	}
	return true
}
