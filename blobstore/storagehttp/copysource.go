package storagehttp

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// InvalidHeader is InvalidHeaderValue naming the header and its value; the
// value goes through RedactSAS, as it may be a URL carrying a signature
// (x-ms-copy-source, x-ms-file-rename-source).
func InvalidHeader(name, v string) error {
	return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", name).WithDetail("HeaderValue", RedactSAS(v))
}

// CopySource is a parsed copy source URL (x-ms-copy-source) naming a
// resource of this emulator.
type CopySource struct {
	Raw string // as sent
	URL *url.URL
	// Account, Container (container or share) and Path (blob name or file
	// path) are decoded.
	Account, Container, Path string
	// HostSuffix is the host-style suffix the URL used; "" for a path-style
	// URL on the request's own host or a loopback host.
	HostSuffix string
}

// CopySourceOptions say how a service reads its copy source header.
type CopySourceOptions struct {
	// Header holds the URL (x-ms-copy-source).
	Header string
	// HostSuffixes are the host-style suffixes the service resolves.
	HostSuffixes []string
	// Account is the request's account: a source elsewhere is
	// CopyAcrossAccountsNotSupported.
	Account string
	// NotLocal is the message of CannotVerifyCopySource for a URL of some
	// other host.
	NotLocal string
}

// ParseCopySource parses the copy source header of r: an http(s) URL of
// /<account>/<container>/<path>, host style with one of o.HostSuffixes or
// path style on the request's own host or a loopback host. A malformed URL
// is InvalidHeaderValue (signature redacted).
func ParseCopySource(r *http.Request, o CopySourceOptions) (CopySource, error) {
	raw := r.Header.Get(o.Header)
	invalid := InvalidHeader(o.Header, raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return CopySource{}, invalid
	}
	src := CopySource{Raw: raw, URL: u}
	var ok bool
	src.Account, src.Container, src.Path, src.HostSuffix, ok = SplitResourceURL(u, o.HostSuffixes...)
	if src.HostSuffix == "" && !strings.EqualFold(u.Host, r.Host) && !IsLoopbackHost(u.Host) {
		return CopySource{}, storageerr.ErrCannotVerifyCopySource.WithMessage("%s", o.NotLocal)
	}
	if !ok || src.Account == "" || src.Container == "" || src.Path == "" {
		return CopySource{}, invalid
	}
	if src.Account != o.Account {
		return src, storageerr.ErrCopyAcrossAccountsNotSupported
	}
	return src, nil
}

// SplitResourceURL splits the path of a storage URL into the account, the
// container (or share) and the rest, each decoded. A host-style URL
// (<account><suffix>, suffixes tried in order) takes the account from the
// host, and suffix tells which matched ("" for path style). ok is false when
// there are not three segments or one does not decode; empty segments are
// the caller's to judge.
func SplitResourceURL(u *url.URL, suffixes ...string) (account, container, path, suffix string, ok bool) {
	escaped := strings.TrimPrefix(u.EscapedPath(), "/")
	segs := strings.SplitN(escaped, "/", 3)
	for _, sfx := range suffixes {
		if acct, hok := HostAccount(u.Host, sfx); hok {
			segs = append([]string{acct}, strings.SplitN(escaped, "/", 2)...)
			suffix = sfx
			break
		}
	}
	if len(segs) != 3 {
		return "", "", "", suffix, false
	}
	var parts [3]string
	for i, seg := range segs {
		v, err := url.PathUnescape(seg)
		if err != nil {
			return "", "", "", suffix, false
		}
		parts[i] = v
	}
	return parts[0], parts[1], parts[2], suffix, true
}

// Authenticate checks that the source URL's own SAS grants read on the
// source object (service, and path as the service names it), with keys of
// the account and its stored access policies; the request's client address
// and the real clock now apply. The error is storageauth's.
func (s CopySource) Authenticate(r *http.Request, service storageauth.Service, path string, keys [][]byte, policies storageauth.PolicyLookup, now time.Time) error {
	sr, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.Raw, nil)
	if err != nil {
		return err
	}
	sr.RequestURI = s.URL.RequestURI()
	sr.RemoteAddr = r.RemoteAddr
	req := storageauth.Request{Service: service, Account: s.Account, Container: s.Container, Path: path,
		ResourceType: storageauth.ResourceObject, Permission: 'r', ClientIP: ClientIP(r), HTTPS: s.URL.Scheme == "https", Now: now}
	_, err = storageauth.Authenticate(r.Context(), sr, req, keys, policies)
	return err
}
