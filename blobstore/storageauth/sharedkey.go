package storageauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// MaxClockSkew is how far a Shared Key request's x-ms-date (or Date) may be
// from the real clock, in the past or in the future, before it is rejected.
const MaxClockSkew = 15 * time.Minute

// authHeader is a parsed "SharedKey account:signature" Authorization header.
type authHeader struct {
	lite      bool
	account   string
	signature string
}

// Authorization schemes.
const (
	schemeSharedKey     = "SharedKey"
	schemeSharedKeyLite = "SharedKeyLite"
	schemeBearer        = "Bearer"
)

// parseAuthorization parses an Authorization header value. Any shape other
// than "SharedKey|SharedKeyLite <account>:<base64 signature>" is
// InvalidAuthenticationInfo (400), as Azure answers; a bearer token gets its
// own, explicit answer.
func parseAuthorization(v string) (authHeader, error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	rest = strings.TrimSpace(rest)
	switch {
	case strings.EqualFold(scheme, schemeBearer):
		return authHeader{}, errBearer()
	case strings.EqualFold(scheme, schemeSharedKey), strings.EqualFold(scheme, schemeSharedKeyLite):
	default:
		return authHeader{}, storageerr.ErrInvalidAuthenticationInfo
	}
	account, sig, ok := strings.Cut(rest, ":")
	if !ok || account == "" || sig == "" || strings.ContainsAny(rest, " \t") {
		return authHeader{}, storageerr.ErrInvalidAuthenticationInfo
	}
	if _, err := base64.StdEncoding.DecodeString(sig); err != nil {
		return authHeader{}, storageerr.ErrInvalidAuthenticationInfo
	}
	return authHeader{lite: strings.EqualFold(scheme, schemeSharedKeyLite), account: account, signature: sig}, nil
}

func errBearer() error {
	return storageerr.ErrAuthenticationFailed.
		WithMessage("azemu accepts Shared Key or shared access signature (SAS) authorization on the Blob and File endpoints; bearer tokens (Microsoft Entra ID / OAuth) are not supported there yet.").
		WithDetail(detailName, "Bearer token authorization is not supported by azemu on the storage endpoints yet. Use the account key (Shared Key, e.g. a connection string) or a SAS.")
}

// detailName is the extra element Azure adds to authentication failures.
const detailName = "AuthenticationErrorDetail"

func authFailed(detail string) *storageerr.Error {
	return storageerr.ErrAuthenticationFailed.WithDetail(detailName, detail)
}

// headerValue returns the first value of a header, "" when absent.
func headerValue(h http.Header, name string) string {
	if v := h.Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// contentLengths returns the Content-Length values a client may have
// signed, the primary first: the header as sent, but "" for 0 from api
// version 2015-02-21 on (x-ms-version) and "0" before; the other form of 0
// is the fallback.
func contentLengths(r *http.Request) []string {
	v := headerValue(r.Header, "Content-Length")
	if v == "" && r.ContentLength > 0 {
		v = strconv.FormatInt(r.ContentLength, 10)
	}
	if v != "0" {
		return []string{v}
	}
	if ver := headerValue(r.Header, "X-Ms-Version"); ver != "" && ver < "2015-02-21" {
		return []string{"0", ""}
	}
	return []string{"", "0"}
}

// StringToSign returns the Shared Key string-to-sign of r for account, the
// one the service reports in AuthenticationErrorDetail: path as sent, headers
// in the service's order. It is exported for tests and diagnostics.
func StringToSign(r *http.Request, account string) string {
	resource, _ := canonicalResource(account, rawPath(r), false)
	return sharedKeyStrings(r, resource, false)[0]
}

// sharedKeyStrings returns the candidate strings-to-sign of r (the primary
// first) over the canonicalized resource path resource (canonicalResource),
// for Shared Key or, with lite, Shared Key Lite. The candidates differ only
// in how clients lay out the same facts: x-ms-* headers in the service's
// order or in plain byte order (the Python SDK sorts with sorted()), an
// empty line or none when there are no x-ms-* headers, and the two spellings
// of a zero Content-Length. They all name the same resource, query and
// headers, so none lets a signature reach another request.
func sharedKeyStrings(r *http.Request, resource string, lite bool) []string {
	h := r.Header
	date := headerValue(h, "Date")
	if headerValue(h, "X-Ms-Date") != "" {
		date = ""
	}
	params := parseQuery(rawQuery(r))
	query := canonicalQuery(params)
	headerSets := []string{canonicalHeaders(h, compareHeaderNames)}
	if ord := canonicalHeaders(h, strings.Compare); ord != headerSets[0] {
		headerSets = append(headerSets, ord)
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, ch := range headerSets {
		if lite {
			res := resource
			if comp, ok := queryFirst(params, "comp"); ok {
				res += "?comp=" + comp
			}
			add(r.Method + "\n" + headerValue(h, "Content-MD5") + "\n" + headerValue(h, "Content-Type") + "\n" +
				date + "\n" + ch + res)
			continue
		}
		for _, cl := range contentLengths(r) {
			fixed := strings.Join([]string{
				r.Method,
				headerValue(h, "Content-Encoding"),
				headerValue(h, "Content-Language"),
				cl,
				headerValue(h, "Content-MD5"),
				headerValue(h, "Content-Type"),
				date,
				headerValue(h, "If-Modified-Since"),
				headerValue(h, "If-Match"),
				headerValue(h, "If-None-Match"),
				headerValue(h, "If-Unmodified-Since"),
				headerValue(h, "Range"),
			}, "\n") + "\n"
			add(fixed + ch + resource + query)
			if ch == "" {
				// Clients that join the parts with '\n' leave an empty
				// line when there are no x-ms-* headers.
				add(fixed + "\n" + resource + query)
			}
		}
	}
	return out
}

func rawQuery(r *http.Request) string {
	if r.URL == nil {
		return ""
	}
	return r.URL.RawQuery
}

// sign returns the base64 HMAC-SHA256 of msg under key.
func sign(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// matchAny reports whether sig is the signature of any candidate under any
// key. Each comparison is constant-time, and all keys are tried for a
// candidate, so timing tells neither which key matched nor how much of the
// signature did; candidates are tried in order and the first match ends the
// search (the primary nearly always matches, so a request costs one HMAC per
// key).
func matchAny(sig string, keys [][]byte, candidates []string) bool {
	for _, c := range candidates {
		ok := 0
		for _, k := range keys {
			ok |= subtle.ConstantTimeCompare([]byte(sign(k, c)), []byte(sig))
		}
		if ok == 1 {
			return true
		}
	}
	return false
}

// requestDate checks the request's x-ms-date (or Date) against the real
// clock: at most MaxClockSkew old, as Azure documents ("the storage services
// ensure that a request is no older than 15 minutes by the time it reaches
// the service", https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key#specifying-the-date-header),
// and at most MaxClockSkew ahead, or a request dated next year could be
// replayed for a year.
func requestDate(r *http.Request, now time.Time) error {
	v := headerValue(r.Header, "X-Ms-Date")
	if v == "" {
		v = headerValue(r.Header, "Date")
	}
	if v == "" {
		return authFailed("Request date header not specified. Set the x-ms-date or the Date header (RFC 1123, e.g. 'Thu, 26 Nov 2026 21:00:00 GMT').")
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return authFailed("The Date header in the request is incorrect.")
	}
	if now.Sub(t) > MaxClockSkew {
		return authFailed("Request date header too old: '" + v + "'")
	}
	if t.Sub(now) > MaxClockSkew {
		return authFailed("Request date header too far in the future: '" + v + "'. The x-ms-date or Date header may be at most 15 minutes ahead of the service's clock.")
	}
	return nil
}

// authenticateSharedKey checks a Shared Key or Shared Key Lite request.
func authenticateSharedKey(r *http.Request, req Request, keys [][]byte, ah authHeader) (Result, error) {
	if !strings.EqualFold(ah.account, req.Account) {
		return Result{}, authFailed("The account name '" + ah.account + "' in the Authorization header does not match the account '" + req.Account + "' the request addresses.")
	}
	if err := requestDate(r, req.Now); err != nil {
		return Result{}, err
	}
	resource, err := canonicalResource(ah.account, rawPath(r), req.HostStyle)
	if err != nil {
		return Result{}, authFailed("Shared Key cannot authenticate a host-style request whose first path segment is the account name '" + ah.account +
			"': it signs the same string as the path-style request for another resource. Use the path-style URL (/" + ah.account + "/" + ah.account + "/...) or a shared access signature.")
	}
	candidates := sharedKeyStrings(r, resource, ah.lite)
	if !matchAny(ah.signature, keys, candidates) {
		return Result{}, authFailed("The MAC signature found in the HTTP request '" + ah.signature +
			"' is not the same as any computed signature. Server used following string to sign: '" + candidates[0] + "'.")
	}
	if ah.lite {
		return Result{Method: MethodSharedKeyLite}, nil
	}
	return Result{Method: MethodSharedKey}, nil
}
