package blobapi

import (
	"net/http"
	"net/url"
	"strings"
)

// Dot segments in blob names.
//
// Azure Blob Storage does not keep "." and ".." as parts of a blob name: its
// front end resolves them in the request path as RFC 3986 section 5.2.4
// removes dot segments (after percent-decoding, so %2E and %2F count too),
// and it drops the dots a path segment ends with. A client that writes
// "./key" writes "key", "a/../b" is "b", and "folder/file." is
// "folder/file". Azure's naming guide tells users to avoid such names for
// this reason ("No path segments should end with a dot",
// https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata);
// the service-side aliasing is reported in
// https://github.com/Azure/azure-sdk-for-rust/issues/5275 and
// https://github.com/Azure/azure-sdk-for-java/issues/36674. azemu resolves
// them the same way, before routing and authorisation, so a request reaches
// (and is authorised for) the resource Azure would address, and two names
// Azure treats as one are one here too. Shared Key still verifies against
// the request line the client signed.

// resolveDots applies Azure's dot handling to a decoded request path
// ("/<account>/<container>/<blob>"). It reports false, with p unchanged,
// when nothing changes, which is the common case and costs one scan.
func resolveDots(p string) (string, bool) {
	if !strings.Contains(p, ".") {
		return p, false
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	changed := false
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			changed = true
			if last {
				out = append(out, "") // "a/." is "a/"
			}
			continue
		case "..":
			changed = true
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
			continue
		}
		if t := strings.TrimRight(s, "."); t != s {
			changed = true
			if t == "" {
				// A segment of dots only ("...") is gone with its dots.
				continue
			}
			s = t
		}
		out = append(out, s)
	}
	if !changed {
		return p, false
	}
	return "/" + strings.Join(out, "/"), true
}

// withResolvedDots returns r addressed at the path resolveDots gives, on a
// shallow copy whose RequestURI (what clients sign) is kept.
func withResolvedDots(r *http.Request) *http.Request {
	p, changed := resolveDots(r.URL.Path)
	if !changed {
		return r
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Path = p
	u.RawPath = strings.Join(segs, "/")
	r2.URL = &u
	return r2
}
