package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// UserAgent is what the console sends with every call it makes, so the
// request log can tell its calls from a client's.
const UserAgent = "azemu-console/1"

// Entry is one request in the request log. It holds no secret: no
// Authorization header, no token, no SAS signature, no body.
type Entry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Service string    `json:"service"` // blob, file, keyvault, management, identity, admin
	Method  string    `json:"method"`
	// Operation is the REST operation, named as Azure's reference names it
	// (GetBlob, WrapKey, Microsoft.Storage/storageAccounts/write).
	Operation string `json:"operation"`
	// Resource is the path with the query reduced to its safe parameters.
	Resource string `json:"resource"`
	// Caller says who signed the request: a Shared Key account, a SAS, a
	// token's application or object id, or anonymous.
	Caller     string  `json:"caller"`
	Console    bool    `json:"console"` // sent by the console itself
	Status     int     `json:"status"`
	Code       string  `json:"code,omitempty"` // Azure error code of a failed request
	RequestID  string  `json:"requestId,omitempty"`
	DurationMS float64 `json:"durationMs"`
}

// RequestLog is a bounded in-memory ring of the latest requests. It is safe
// for concurrent use; the zero value is not usable, use NewRequestLog.
type RequestLog struct {
	mu      sync.Mutex
	entries []Entry // ring; entries[(next-1) % cap] is the newest
	next    uint64  // sequence number of the next entry (first is 1)
	names   map[string]string
}

// NewRequestLog returns a ring that keeps the last capacity entries. names
// maps object or client ids to labels shown as the caller (the development
// principal's ids to "development principal").
func NewRequestLog(capacity int, names map[string]string) *RequestLog {
	if capacity <= 0 {
		capacity = 1000
	}
	n := make(map[string]string, len(names))
	for k, v := range names {
		n[strings.ToLower(k)] = v
	}
	return &RequestLog{entries: make([]Entry, 0, capacity), next: 1, names: n}
}

// Add appends e, giving it the next sequence number, and drops the oldest
// entry when the ring is full.
func (l *RequestLog) Add(e Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Seq = l.next
	l.next++
	if len(l.entries) < cap(l.entries) {
		l.entries = append(l.entries, e)
		return
	}
	l.entries[int((e.Seq-1)%uint64(cap(l.entries)))] = e
}

// After returns up to max entries newer than seq, newest first.
func (l *RequestLog) After(seq uint64, max int) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Entry{}
	n := uint64(len(l.entries))
	for s := l.next - 1; s > seq && s >= l.next-n && s > 0 && len(out) < max; s-- {
		out = append(out, l.entries[int((s-1)%uint64(cap(l.entries)))])
	}
	return out
}

// Middleware records every request next serves on a listener of service
// ("blob", "file", or "https" for the listener of Key Vault, tokens,
// management and the admin API) once it is answered.
func (l *RequestLog) Middleware(service string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &logRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			l.Add(l.entry(service, r, rec, start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// entry builds the log entry of an answered request.
func (l *RequestLog) entry(listener string, r *http.Request, rec *logRecorder, start time.Time) Entry {
	svc := serviceOf(listener, r)
	path := r.URL.EscapedPath()
	e := Entry{
		Time:       start.UTC(),
		Service:    svc,
		Method:     r.Method,
		Operation:  operation(svc, r),
		Resource:   path + redactQuery(r.URL.RawQuery),
		Caller:     l.caller(r),
		Console:    strings.HasPrefix(r.Header.Get("User-Agent"), UserAgent),
		Status:     rec.status,
		RequestID:  rec.Header().Get("x-ms-request-id"),
		DurationMS: float64(time.Since(start).Microseconds()) / 1000,
	}
	if rec.status >= 400 {
		e.Code = rec.Header().Get("x-ms-error-code")
		if e.Code == "" {
			e.Code = jsonErrorCode(rec.errBody.Bytes())
		}
	}
	if len(e.Resource) > 512 {
		e.Resource = e.Resource[:512] + "…"
	}
	return e
}

// serviceOf tells which service a request went to, by the same rules the
// HTTPS listener routes by.
func serviceOf(listener string, r *http.Request) string {
	if listener != "https" {
		return listener
	}
	path := r.URL.Path
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	first := strings.ToLower(firstSegment(path))
	switch {
	case strings.HasPrefix(path, "/_azemu/"):
		return "admin"
	case strings.HasSuffix(strings.ToLower(host), ".vault.localhost"):
		return "keyvault"
	case first == "keys" || first == "deletedkeys" || first == "secrets" || first == "deletedsecrets" ||
		first == "certificates" || first == "deletedcertificates" || first == "rng":
		return "keyvault"
	case first == "subscriptions" || first == "providers" || first == "tenants":
		return "management"
	}
	return "identity"
}

func firstSegment(p string) string {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}

// safeQuery are the query parameters shown in the log. Every other
// parameter shows as name=REDACTED: sig (a SAS signature), tokens, secrets.
var safeQuery = map[string]bool{
	"comp": true, "restype": true, "api-version": true, "prefix": true, "delimiter": true, "maxresults": true,
	"include": true, "timeout": true, "snapshot": true, "versionid": true, "sharesnapshot": true, "blockid": true,
	"blocklisttype": true, "resource": true, "maxpagesize": true, "$top": true, "$filter": true,
	"sv": true, "ss": true, "srt": true, "sp": true, "se": true, "st": true, "spr": true, "sr": true, "si": true, "sip": true,
}

// redactQuery returns "?..." with the values of unsafe parameters replaced,
// or "" for an empty query. It never fails: an unparsable pair is redacted
// whole.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var b strings.Builder
	for i, pair := range strings.Split(raw, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		name, _, _ := strings.Cut(pair, "=")
		dec, err := url.QueryUnescape(name)
		if err != nil || !safeQuery[strings.ToLower(dec)] {
			if err != nil {
				name = "REDACTED"
			}
			b.WriteString(name + "=REDACTED")
			continue
		}
		b.WriteString(pair)
	}
	return "?" + b.String()
}

// caller describes who signed r without keeping anything secret.
func (l *RequestLog) caller(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(auth, " ")
	switch {
	case strings.EqualFold(scheme, "SharedKey") || strings.EqualFold(scheme, "SharedKeyLite"):
		account, _, _ := strings.Cut(strings.TrimSpace(rest), ":")
		return "Shared Key " + clip(account, 64)
	case strings.EqualFold(scheme, "Bearer"):
		return "Bearer " + l.tokenSubject(strings.TrimSpace(rest))
	case auth != "":
		return "unknown scheme"
	case r.URL.Query().Has("sig"):
		return "SAS"
	}
	return "anonymous"
}

// tokenSubject names a JWT's principal from its claims, unverified (the
// services verify it; the log only describes it).
func (l *RequestLog) tokenSubject(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || len(parts[1]) > 8192 {
		return "(not a JWT)"
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "(not a JWT)"
	}
	var c struct {
		AppID string `json:"appid"`
		AZP   string `json:"azp"`
		OID   string `json:"oid"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return "(not a JWT)"
	}
	for _, id := range []string{c.OID, c.AppID, c.AZP} {
		if name, ok := l.names[strings.ToLower(id)]; ok && id != "" {
			return name
		}
	}
	switch {
	case c.OID != "":
		return "oid " + clip(c.OID, 64)
	case c.AppID != "":
		return "app " + clip(c.AppID, 64)
	case c.AZP != "":
		return "app " + clip(c.AZP, 64)
	}
	return "(no subject)"
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// jsonErrorCode reads the error code of a JSON error body: Key Vault and
// management send {"error":{"code":...}}, the token authority
// {"error":"invalid_client"}.
func jsonErrorCode(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return ""
	}
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Error) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(v.Error, &s) == nil {
		return clip(s, 128)
	}
	var o struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(v.Error, &o) == nil {
		return clip(o.Code, 128)
	}
	return ""
}

// maxErrBody bounds how much of an error body the recorder keeps to read
// its code.
const maxErrBody = 4096

// logRecorder notes the status and keeps the start of an error body.
type logRecorder struct {
	http.ResponseWriter
	status  int
	wrote   bool
	errBody bytes.Buffer
}

func (s *logRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status = code
		s.wrote = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *logRecorder) Write(p []byte) (int, error) {
	s.wrote = true
	if s.status >= 400 && s.errBody.Len() < maxErrBody {
		rest := maxErrBody - s.errBody.Len()
		s.errBody.Write(p[:min(len(p), rest)])
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *logRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
