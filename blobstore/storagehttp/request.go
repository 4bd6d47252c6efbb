package storagehttp

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// Host-style suffixes: <account>.blob.localhost[:port] and
// <account>.file.localhost[:port] name the account in the Host header.
const (
	HostSuffixBlob = ".blob.localhost"
	HostSuffixFile = ".file.localhost"
)

// Path templates of the three levels both services share. Names are matched
// still percent-encoded (the routers use UseEncodedPath) so "/", "%2F" and
// "//" inside names survive; the adapters decode them with Unescape.
const (
	PathService = "/{account:[^/]+}{slash:/?}"
)

// Query matches a request's restype and comp query parameters exactly (""
// means absent) and optionally a request header: present (Value "") or equal
// to Value (case-insensitive), and the absence of NoHeader. The routers tell
// sub-resources apart with it.
type Query struct {
	Restype, Comp string
	Header, Value string
	NoHeader      string
}

// Matches reports whether r matches q.
func (q Query) Matches(r *http.Request) bool {
	v := r.URL.Query()
	if v.Get("restype") != q.Restype || v.Get("comp") != q.Comp {
		return false
	}
	if q.Header != "" {
		got := r.Header.Get(q.Header)
		if got == "" || q.Value != "" && !strings.EqualFold(got, q.Value) {
			return false
		}
	}
	return q.NoHeader == "" || r.Header.Get(q.NoHeader) == ""
}

// HostAccount returns the account of a host-style Host header ending in
// suffix (HostSuffixBlob, HostSuffixFile), in lower case; a port is ignored
// and the account must be one DNS label.
func HostAccount(host, suffix string) (string, bool) {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.ToLower(h)
	if !strings.HasSuffix(h, suffix) {
		return "", false
	}
	acct := strings.TrimSuffix(h, suffix)
	if acct == "" || strings.Contains(acct, ".") {
		return "", false
	}
	return acct, true
}

type hostStyleKey struct{}

// HostStyle brings a host-style request (<account><suffix>/<rest>) into the
// path style the routers know (/<account>/<rest>) on a shallow copy, and
// marks its context so ServiceEndpoint answers in host style. RequestURI,
// which clients sign, is kept. Other requests come back unchanged.
func HostStyle(r *http.Request, suffix string) *http.Request {
	acct, ok := HostAccount(r.Host, suffix)
	if !ok {
		return r
	}
	r2 := r.Clone(context.WithValue(r.Context(), hostStyleKey{}, true))
	u := *r.URL
	u.Path = "/" + acct + r.URL.Path
	if r.URL.RawPath != "" {
		u.RawPath = "/" + acct + r.URL.RawPath
	}
	r2.URL = &u
	return r2
}

// IsHostStyle reports whether HostStyle rewrote the request.
func IsHostStyle(r *http.Request) bool {
	hs, _ := r.Context().Value(hostStyleKey{}).(bool)
	return hs
}

// ServiceEndpoint is the ServiceEndpoint attribute of listings: the
// scheme and host, then for path-style requests the account. The File
// service ends a path-style endpoint with "/" (slash true), the Blob
// service does not.
func ServiceEndpoint(r *http.Request, account string, slash bool) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if IsHostStyle(r) {
		return scheme + "://" + r.Host + "/"
	}
	if slash {
		account += "/"
	}
	return scheme + "://" + r.Host + "/" + account
}

// Unescape decodes one percent-encoded path variable; a bad escape is
// InvalidUri.
func Unescape(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	v, err := url.PathUnescape(s)
	if err != nil {
		return "", storageerr.ErrInvalidURI
	}
	return v, nil
}

// ClientIP returns the address of the client (nil when RemoteAddr is no IP).
func ClientIP(r *http.Request) net.IP {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return net.ParseIP(host)
}

// IsLoopbackHost reports whether host (with or without a port) is
// localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(strings.ToLower(h), "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// RedactSAS removes the signature from a URL before it is echoed or logged;
// a URL that does not parse becomes "".
func RedactSAS(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	q := u.Query()
	if q.Has("sig") {
		q.Set("sig", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// SplitList splits a comma-separated list, trimming spaces and dropping
// empty items.
func SplitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ParseMaxResults parses the maxresults query parameter: absent is 0 (the
// service default), not a number is InvalidQueryParameterValue, below 1 is
// OutOfRangeQueryParameterValue.
func ParseMaxResults(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "maxresults").WithDetail("QueryParameterValue", v)
	}
	if n < 1 {
		return 0, storageerr.ErrOutOfRangeQueryParameterValue.WithDetail("QueryParameterName", "maxresults").
			WithDetail("QueryParameterValue", v).WithDetail("MinimumAllowed", "1").WithDetail("MaximumAllowed", "5000")
	}
	return n, nil
}

// MD5Header decodes an MD5 request header (Content-MD5, x-ms-blob-content-md5,
// x-ms-content-md5): absent is nil, anything but 16 bytes of base64 is
// InvalidMd5.
func MD5Header(r *http.Request, name string) ([]byte, error) {
	v := r.Header.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 16 {
		return nil, storageerr.ErrInvalidMD5.WithDetail("HeaderName", name).WithDetail("HeaderValue", v)
	}
	return b, nil
}

// Base64 encodes b for a header ("" for no bytes).
func Base64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// LeaseOrDefault fills in what an unleased resource reports: available and
// unlocked.
func LeaseOrDefault(l blobstore.LeaseInfo) blobstore.LeaseInfo {
	if l.State == "" {
		l.State = blobstore.LeaseStateAvailable
	}
	if l.Status == "" {
		l.Status = blobstore.LeaseStatusUnlocked
	}
	return l
}

// SetLeaseHeaders sets x-ms-lease-state, -status and (when known) -duration.
func SetLeaseHeaders(h http.Header, l blobstore.LeaseInfo) {
	l = LeaseOrDefault(l)
	h.Set("x-ms-lease-state", string(l.State))
	h.Set("x-ms-lease-status", string(l.Status))
	if l.Duration != "" {
		h.Set("x-ms-lease-duration", string(l.Duration))
	}
}

// SetETagHeaders sets ETag (quoted) and Last-Modified, each when known.
func SetETagHeaders(h http.Header, etag string, lastModified time.Time) {
	if etag != "" {
		h.Set("ETag", QuoteETag(etag))
	}
	if !lastModified.IsZero() {
		h.Set("Last-Modified", FormatHTTPDate(lastModified))
	}
}

// NewRouter returns the router of a storage protocol: paths are matched
// still percent-encoded and never cleaned (names with "/", "%2F" and "//"
// survive), OPTIONS goes to preflight, and what no operation matches goes to
// noRoute.
func NewRouter(preflight, noRoute http.HandlerFunc) *mux.Router {
	m := mux.NewRouter().SkipClean(true).UseEncodedPath()
	m.Methods(http.MethodOptions).PathPrefix("/").Handler(preflight)
	m.NotFoundHandler = noRoute
	m.MethodNotAllowedHandler = noRoute
	return m
}

// Route adds one operation to m: comma-separated methods, a path template
// and the query/header matcher.
func Route(m *mux.Router, methods, path string, q Query, h http.Handler) {
	m.Methods(strings.Split(methods, ",")...).Path(path).
		MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return q.Matches(r) }).Handler(h)
}

// EchoList returns what a listing echoes of its request: the prefix and
// marker when the query names them (even empty) and maxresults when given.
func EchoList(q url.Values, maxResults int) (prefix, marker *string, max *int) {
	if q.Has("prefix") {
		p := q.Get("prefix")
		prefix = &p
	}
	if q.Has("marker") {
		m := q.Get("marker")
		marker = &m
	}
	if maxResults > 0 {
		max = &maxResults
	}
	return prefix, marker, max
}

// NoRoute answers a request no operation matched, as Azure does: a comp
// the service does not know (known) is InvalidQueryParameterValue; then the
// service's own answer (special, nil when it has none); then a verb no
// storage operation uses is UnsupportedHttpVerb, and anything else
// InvalidUri.
func (p *Responder) NoRoute(w http.ResponseWriter, r *http.Request, known func(comp string) bool, special func(r *http.Request) error) {
	p.SetCommonHeaders(w, r)
	comp := r.URL.Query().Get("comp")
	var err error
	switch {
	case comp != "" && !known(comp):
		err = storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "comp").WithDetail("QueryParameterValue", comp)
	case special != nil:
		err = special(r)
	}
	if err == nil {
		switch r.Method {
		case http.MethodGet, http.MethodPut, http.MethodHead, http.MethodDelete:
			err = storageerr.ErrInvalidURI
		default:
			err = storageerr.ErrUnsupportedHTTPVerb
		}
	}
	p.WriteError(w, r, err)
}

// Config is what every storage protocol handler is configured with besides
// its service (blobapi.Config and fileapi.Config embed it).
type Config struct {
	Logger *slog.Logger
	// Now is the real clock used for authentication and the Date header
	// (never the emulator clock). nil means time.Now.
	Now func() time.Time
}

// WithDefaults fills in what the caller left out: a logger that discards
// and time.Now.
func (c Config) WithDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}
