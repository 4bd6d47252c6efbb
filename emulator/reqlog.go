package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// middleware is the part of the request pipeline every service shares:
// panic recovery (a panic becomes Azure's 500 InternalError, never a dropped
// connection) and the request log: 5xx at Error, every other failed request
// one line at Info (operation, status, error code, request id), successes
// at Debug.
func (e *Emulator) middleware(service string, next http.Handler) http.Handler {
	return e.reqlog.Middleware(service, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				e.log.Error("panic serving request", "service", service, "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				if !rec.wrote {
					rec.Header().Set("x-ms-error-code", "InternalError")
					rec.Header().Set("Content-Type", "application/xml")
					rec.WriteHeader(http.StatusInternalServerError)
					fmt.Fprint(rec, `<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code><Message>The server encountered an internal error. Please retry the request.</Message></Error>`)
				}
			}
			e.logRequest(r, service, rec, time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	}))
}

func (e *Emulator) logRequest(r *http.Request, service string, rec *statusRecorder, took time.Duration) {
	level := slog.LevelDebug
	switch {
	case rec.status >= 500:
		level = slog.LevelError
	case rec.status >= 400:
		level = slog.LevelInfo
	}
	if !e.log.Enabled(r.Context(), level) {
		return
	}
	attrs := []any{
		"service", service, "op", operation(r), "status", rec.status,
		"request_id", rec.Header().Get("x-ms-request-id"),
	}
	if rec.status >= 400 {
		attrs = append(attrs, "code", rec.errorCode())
	}
	attrs = append(attrs, "path", r.URL.Path, "bytes", rec.bytes, "duration", took)
	msg := "request"
	if rec.status >= 400 {
		msg = "request failed"
	}
	e.log.Log(r.Context(), level, msg, attrs...)
}

// operation names a request for the log from what the wire says: the method
// and the comp/restype selectors that tell storage operations apart
// ("PUT comp=block"), or the method and the first path segments.
func operation(r *http.Request) string {
	q := r.URL.Query()
	var sel []string
	for _, k := range []string{"restype", "comp"} {
		if v := q.Get(k); v != "" {
			sel = append(sel, k+"="+v)
		}
	}
	if len(sel) > 0 {
		return r.Method + " " + strings.Join(sel, "&")
	}
	return r.Method
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
	// errBody keeps the start of an error body, to log its JSON error code.
	errBody []byte
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status = code
		s.wrote = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	s.wrote = true
	if s.status >= 400 && len(s.errBody) < 4096 {
		s.errBody = append(s.errBody, p[:min(len(p), 4096-len(s.errBody))]...)
	}
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}

// errorCode is the Azure error code of a failed response: x-ms-error-code
// for storage, error.code of the JSON body for Key Vault, tokens and
// management.
func (s *statusRecorder) errorCode() string {
	if c := s.Header().Get("x-ms-error-code"); c != "" {
		return c
	}
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(s.errBody, &body) != nil || len(body.Error) == 0 {
		return ""
	}
	var obj struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body.Error, &obj) == nil && obj.Code != "" {
		return obj.Code
	}
	var code string // the token endpoint's OAuth error is a string
	_ = json.Unmarshal(body.Error, &code)
	return code
}

// Unwrap lets http.ResponseController reach the real writer (flush,
// deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// wrongPortHint says when a request on one storage listener looks like the
// other service's: the Blob SDK pointed at the Files port gets Azure's
// answer (MissingRequiredHeader x-ms-type) with a hint why.
func wrongPortHint(service string, r *http.Request) string {
	q := r.URL.Query()
	h := r.Header
	switch service {
	case "file":
		if h.Get("x-ms-blob-type") != "" || q.Get("restype") == "container" ||
			oneOf(q.Get("comp"), "block", "blocklist", "appendblock", "page", "pagelist", "tier", "blobs", "tags", "batch", "userdelegationkey") {
			return "This is azemu's Files port; the request looks like a Blob request, which belongs on the Blob port."
		}
	case "blob":
		if oneOf(h.Get("x-ms-type"), "file", "directory") || oneOf(q.Get("restype"), "share", "directory") ||
			oneOf(q.Get("comp"), "range", "rangelist", "listhandles", "forceclosehandles", "filepermission") {
			return "This is azemu's Blob port; the request looks like a Files request, which belongs on the Files port."
		}
	}
	return ""
}

func oneOf(v string, set ...string) bool {
	for _, s := range set {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// hintWriter adds a hint to the message of a storage error response,
// keeping its status and code: the error body (small) is held back and
// rewritten in finish; any other response passes through untouched.
type hintWriter struct {
	http.ResponseWriter
	hint   string
	head   bool
	status int
	held   bool
	buf    bytes.Buffer
}

func (h *hintWriter) WriteHeader(code int) {
	if h.status != 0 {
		return
	}
	h.status = code
	if code >= 400 && !h.head && strings.Contains(h.Header().Get("Content-Type"), "xml") {
		h.held = true
		return
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *hintWriter) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.WriteHeader(http.StatusOK)
	}
	if h.held {
		return h.buf.Write(p)
	}
	return h.ResponseWriter.Write(p)
}

func (h *hintWriter) finish() {
	if !h.held {
		return
	}
	body := h.buf.Bytes()
	for _, anchor := range []string{"\nRequestId:", "</Message>"} {
		if i := bytes.Index(body, []byte(anchor)); i >= 0 {
			body = append(body[:i:i], append([]byte(" "+h.hint), body[i:]...)...)
			break
		}
	}
	h.Header().Set("Content-Length", strconv.Itoa(len(body)))
	h.ResponseWriter.WriteHeader(h.status)
	_, _ = h.ResponseWriter.Write(body)
}

// Unwrap lets http.ResponseController reach the real writer.
func (h *hintWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// serverLog receives what net/http logs about a listener (it has no typed
// hook for TLS handshake failures, only this log line). A failed handshake
// almost always means the client does not trust azemu's CA, which clients
// report in confusing ways (bad certificate, unknown authority, even "bad
// record MAC"), so it is logged at Info with the fix.
type serverLog struct {
	e       *Emulator
	service string
}

func (l serverLog) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	const marker = "TLS handshake error from "
	i := strings.Index(msg, marker)
	if i < 0 {
		l.e.log.Debug("http server", "service", l.service, "msg", msg)
		return len(p), nil
	}
	from, reason, _ := strings.Cut(msg[i+len(marker):], ": ")
	hint := "the client does not trust azemu's CA: give it the CA (" + l.e.trustHint() +
		") via curl --cacert, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE or a Go tls.Config, or use the http:// storage ports"
	if strings.Contains(reason, "HTTP request to an HTTPS server") {
		hint = "the client spoke plain HTTP to an HTTPS port: use https://"
	}
	l.e.log.Info("TLS handshake failed", "service", l.service, "client", from, "reason", reason, "hint", hint)
	return len(p), nil
}

// trustHint says where to get the CA of this instance.
func (e *Emulator) trustHint() string {
	switch {
	case e.cfg.CertFile != "":
		return "the issuer of " + e.cfg.CertFile
	case !e.cfg.InMemory:
		return "azemu cert --data " + e.cfg.DataDir
	}
	return "GET /_azemu/ca.pem on any azemu port"
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
