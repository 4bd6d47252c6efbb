package storageauth

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// queryParam is one query parameter as it appears on the wire, decoded.
type queryParam struct {
	name, value string
}

// parseQuery splits a raw query into decoded name/value pairs, in order. It is
// lenient where url.ParseQuery is strict: a malformed escape keeps its raw
// text instead of failing, and ';' is an ordinary character. It never fails.
func parseQuery(raw string) []queryParam {
	var out []queryParam
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, queryParam{unescapeQuery(name), unescapeQuery(value)})
	}
	return out
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// queryFirst returns the first value of the parameter name (exact match).
func queryFirst(params []queryParam, name string) (string, bool) {
	for _, p := range params {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// canonicalQuery renders the query part of a Shared Key canonicalized
// resource: one line per parameter, name lowercased, names sorted, values of
// a name sorted and joined with ','. Each line starts with '\n'.
func canonicalQuery(params []queryParam) string {
	if len(params) == 0 {
		return ""
	}
	byName := map[string][]string{}
	for _, p := range params {
		n := strings.ToLower(p.name)
		byName[n] = append(byName[n], p.value)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		vals := byName[n]
		slices.Sort(vals)
		b.WriteByte('\n')
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(strings.Join(vals, ","))
	}
	return b.String()
}

// rawPath returns the request path exactly as the client sent it (still
// percent-encoded), which is what clients sign. It prefers RequestURI, the
// request line's target, over the re-encoded r.URL.
func rawPath(r *http.Request) string {
	target := r.RequestURI
	if target != "" && target != "*" {
		if i := strings.IndexByte(target, '?'); i >= 0 {
			target = target[:i]
		}
		if strings.HasPrefix(target, "/") {
			return target
		}
		// Absolute form (proxies): scheme://host/path.
		if u, err := url.Parse(target); err == nil && u.Host != "" {
			return u.EscapedPath()
		}
	}
	if r.URL == nil {
		return ""
	}
	return r.URL.EscapedPath()
}

// canonicalResource returns the path part of the Shared Key canonicalized
// resource: "/<account>" followed by the request path exactly as sent
// (percent-encoded as on the wire, "/" when empty). That is the one form
// every official client signs, path style or host style: the Go SDK
// (SharedKeyCredential.buildCanonicalizedResource: u.EscapedPath()), the
// JavaScript SDK (StorageSharedKeyCredentialPolicy: the URL's pathname), the
// Python SDK and so the Azure CLI (SharedKeyCredentialPolicy: urlparse(url).path,
// and the legacy multiapi clients: the quoted request path) and .NET
// (Uri.AbsolutePath). A path-style URL carries the account as its first
// segment, so "/acct/c/b" is signed as "/acct/acct/c/b"; host style
// (<account>.blob.localhost) signs "/acct/c/b". See
// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key#shared-key-format-for-2009-09-19-and-later
// ("if you are authorizing against the emulator, the account name appears
// twice").
//
// Exactly one form is accepted, so that a signature authenticates one
// resource. Accepting the path-style form without the repeated account as
// well (as Azurite does) made the signature of /acct/c/b also valid for blob
// "c/b" of a container named "acct" (/acct/acct/c/b). Serving both URL
// styles on one endpoint leaves one collision that no choice of form can
// remove, because clients sign the same string for both: a host-style
// request whose first segment is the account name ("acct" container or
// share, /acct/c/b) signs exactly what the path-style request for /c/b
// signs. Host style is the rarer of the two on an emulator, so such a
// request is refused (ErrAmbiguousHostStyle) rather than letting a captured
// path-style signature reach another resource; a SAS, whose string-to-sign
// names the resource itself, still works there.
func canonicalResource(account, path string, hostStyle bool) (string, error) {
	if hostStyle && firstSegmentIs(path, account) {
		return "", errAmbiguousHostStyle
	}
	if !strings.HasPrefix(path, "/") {
		// Only "" (and "*", OPTIONS *) reach here: every other request
		// target starts with '/'.
		path = "/" + path
	}
	return "/" + account + path, nil
}

// errAmbiguousHostStyle is returned by canonicalResource for a host-style
// request whose first path segment is the account name.
var errAmbiguousHostStyle = errors.New("storageauth: host-style Shared Key request to a container or share named like its account")

// firstSegmentIs reports whether the first segment of the raw path, decoded
// (a client may escape any character), is name, ignoring case (account names
// are lowercase; a Host header or path segment may not be).
func firstSegmentIs(path, name string) bool {
	seg := strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	if dec, err := url.PathUnescape(seg); err == nil {
		seg = dec
	}
	return strings.EqualFold(seg, name)
}

// canonicalHeaders renders the canonicalized x-ms-* headers: names
// lowercased, sorted with less, each line "name:value" (several values joined
// with ','), each line followed by '\n'.
func canonicalHeaders(h http.Header, less func(a, b string) int) string {
	vals := map[string][]string{}
	for k, v := range h {
		name := strings.ToLower(strings.TrimSpace(k))
		if strings.HasPrefix(name, "x-ms-") {
			vals[name] = append(vals[name], v...)
		}
	}
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	slices.SortFunc(names, less)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(strings.Join(vals[n], ","))
		b.WriteByte('\n')
	}
	return b.String()
}

// headerWeightOrder lists, in ascending order, the characters that count at
// the first level of the header-name comparison the storage service uses (a
// culture-aware, case-insensitive comparison). Every other ASCII character is
// ignored at that level; the hyphen and the apostrophe only break ties at the
// second level.
const headerWeightOrder = "!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz"

// primaryWeight returns the first-level weight of c: 0 = ignored.
func primaryWeight(c byte) int {
	if c >= 0x80 {
		// Not valid in an HTTP header name; order after everything, never panic.
		return 1000 + int(c)
	}
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	if i := strings.IndexByte(headerWeightOrder, c); i >= 0 {
		return i + 2 // 0 = ignored, 1 = end of string
	}
	return 0
}

// secondaryWeight returns the second-level weight of c: only the apostrophe and the hyphen
// count; 0 = ordinary character.
func secondaryWeight(c byte) int {
	switch c {
	case '\'':
		return 2
	case '-':
		return 3
	}
	return 0
}

// compareHeaderNames orders x-ms-* header names the way the storage service
// and the official Go SDK do (not plain byte order): first by the significant
// characters only, a shorter sequence first; then, for names whose
// significant characters agree, by where the hyphens and apostrophes are.
func compareHeaderNames(a, b string) int {
	i, j := 0, 0
	for {
		for i < len(a) && primaryWeight(a[i]) == 0 {
			i++
		}
		for j < len(b) && primaryWeight(b[j]) == 0 {
			j++
		}
		if i == len(a) || j == len(b) {
			switch {
			case i == len(a) && j == len(b):
			case i == len(a):
				return -1
			default:
				return 1
			}
			break
		}
		if wa, wb := primaryWeight(a[i]), primaryWeight(b[j]); wa != wb {
			if wa < wb {
				return -1
			}
			return 1
		}
		i++
		j++
	}
	// Second level: walk both names position by position.
	for k := 0; ; k++ {
		wa, wb := 1, 1 // 1 = end of string
		if k < len(a) {
			wa = secondaryWeight(a[k])
		}
		if k < len(b) {
			wb = secondaryWeight(b[k])
		}
		switch {
		case k >= len(a) && k >= len(b):
			return 0
		case wa == wb:
			continue
		case wa == 0:
			return -1
		case wb == 0:
			return 1
		case wa < wb:
			return -1
		default:
			return 1
		}
	}
}
