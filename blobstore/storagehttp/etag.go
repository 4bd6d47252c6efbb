package storagehttp

import "strings"

// QuoteETag returns the quoted form Azure sends in the ETag header and in
// listing XML ("0x8D...").
func QuoteETag(etag string) string {
	if etag == "" {
		return ""
	}
	if strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, `W/"`) {
		return etag
	}
	return `"` + etag + `"`
}

// UnquoteETag strips the quotes (and a weak prefix) from a client-sent ETag so
// it compares equal to the stored value; "*" stays "*".
func UnquoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

// SplitETags splits an If-Match / If-None-Match list ("a", "b", *) into
// unquoted values.
func SplitETags(h string) []string {
	var out []string
	for _, part := range strings.Split(h, ",") {
		if v := UnquoteETag(part); v != "" {
			out = append(out, v)
		}
	}
	return out
}
