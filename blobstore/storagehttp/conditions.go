package storagehttp

import (
	"net/http"
	"time"
)

// Conditions are the HTTP conditional headers of a request, parsed but not
// evaluated: the service evaluates them against the resource.
type Conditions struct {
	// IfMatch and IfNoneMatch hold unquoted ETags; "*" stays "*".
	IfMatch     []string
	IfNoneMatch []string
	// IfModifiedSince and IfUnmodifiedSince are zero when absent or not a
	// valid HTTP date (HTTP says such headers are ignored).
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
	// IfTags is the x-ms-if-tags SQL-like tag condition, verbatim.
	IfTags string
}

// Empty reports whether no condition is set.
func (c Conditions) Empty() bool {
	return len(c.IfMatch) == 0 && len(c.IfNoneMatch) == 0 && c.IfModifiedSince.IsZero() &&
		c.IfUnmodifiedSince.IsZero() && c.IfTags == ""
}

// ParseConditions reads If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since and x-ms-if-tags.
func ParseConditions(h http.Header) Conditions {
	return parseConditions(h, "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "x-ms-if-tags")
}

// ParseSourceConditions reads the x-ms-source-if-* headers of copy and
// *FromURL operations.
func ParseSourceConditions(h http.Header) Conditions {
	return parseConditions(h, "x-ms-source-if-match", "x-ms-source-if-none-match",
		"x-ms-source-if-modified-since", "x-ms-source-if-unmodified-since", "x-ms-source-if-tags")
}

func parseConditions(h http.Header, match, noneMatch, modSince, unmodSince, tags string) Conditions {
	var c Conditions
	c.IfMatch = SplitETags(h.Get(match))
	c.IfNoneMatch = SplitETags(h.Get(noneMatch))
	if t, ok := ParseHTTPDate(h.Get(modSince)); ok {
		c.IfModifiedSince = t
	}
	if t, ok := ParseHTTPDate(h.Get(unmodSince)); ok {
		c.IfUnmodifiedSince = t
	}
	c.IfTags = h.Get(tags)
	return c
}

// LeaseID returns the x-ms-lease-id header ("" when absent).
func LeaseID(h http.Header) string { return h.Get("x-ms-lease-id") }

// SourceLeaseID returns the x-ms-source-lease-id header.
func SourceLeaseID(h http.Header) string { return h.Get("x-ms-source-lease-id") }
