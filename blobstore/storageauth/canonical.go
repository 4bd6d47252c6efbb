package storageauth

import (
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

// resourcePaths returns the path variants a client may have signed, the
// primary first:
//   - the path as sent: path-style URLs carry the account as the first segment,
//     so "/acct/c/b" is signed as "/acct/acct/c/b" (the Go, .NET, JS and Python
//     SDKs all do this); host-style "/c/b" is signed as "/acct/c/b";
//   - path-style without the repeated account segment (what Azurite accepts);
//   - the decoded path and its canonical re-encoding, for clients that sign
//     the unescaped name or escape differently from what they send.
func resourcePaths(account, path string) []string {
	out := []string{path}
	add := func(p string) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	prefix := "/" + account
	if path == prefix {
		add("/")
	} else if strings.HasPrefix(path, prefix+"/") {
		add(path[len(prefix):])
	}
	if dec, err := url.PathUnescape(path); err == nil {
		add(dec)
		add((&url.URL{Path: dec}).EscapedPath())
	}
	return out
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
