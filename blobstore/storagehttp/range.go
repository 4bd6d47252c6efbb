package storagehttp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// Range is a byte range as the client asked for it, before it is checked
// against the size of the resource. End is inclusive; End < 0 means "to the
// end" (bytes=start-).
type Range struct {
	Start int64
	End   int64
}

// HeaderRange is Azure's own range header; it wins over the standard Range.
const HeaderRange = "x-ms-range"

// ParseRange reads x-ms-range, or when absent the standard Range header, as
// Azure does (learn.microsoft.com/rest/api/storageservices/specifying-the-range-header-for-blob-service-operations).
// Azure accepts exactly two forms: bytes=start- and bytes=start-end.
//
// ok is false when no range applies. A standard Range header that is not one
// of those forms (suffix bytes=-n, several ranges, another unit) is ignored,
// as HTTP lets servers ignore ranges they do not support, and the whole
// resource is served. A malformed x-ms-range is an InvalidHeaderValue error;
// start > end in either header is InvalidRange.
func ParseRange(h http.Header) (rng Range, ok bool, err error) {
	if v := h.Get(HeaderRange); v != "" {
		rng, err := ParseRangeValue(v)
		if err != nil {
			if err == errReversed {
				return Range{}, false, storageerr.ErrInvalidRange
			}
			return Range{}, false, storageerr.ErrInvalidHeaderValue.
				WithDetail("HeaderName", HeaderRange).WithDetail("HeaderValue", v)
		}
		return rng, true, nil
	}
	if v := h.Get("Range"); v != "" {
		rng, err := ParseRangeValue(v)
		if err == errReversed {
			return Range{}, false, storageerr.ErrInvalidRange
		}
		if err != nil {
			return Range{}, false, nil
		}
		return rng, true, nil
	}
	return Range{}, false, nil
}

type rangeError string

func (e rangeError) Error() string { return string(e) }

const (
	errSyntax   = rangeError("malformed byte range")
	errReversed = rangeError("byte range end before start")
)

// ParseRangeValue parses one "bytes=start-" or "bytes=start-end" value.
func ParseRangeValue(v string) (Range, error) {
	v = strings.TrimSpace(v)
	const prefix = "bytes="
	if len(v) < len(prefix) || !strings.EqualFold(v[:len(prefix)], prefix) {
		return Range{}, errSyntax
	}
	v = strings.TrimSpace(v[len(prefix):])
	dash := strings.IndexByte(v, '-')
	if dash <= 0 {
		return Range{}, errSyntax // no dash, or a suffix range "-n"
	}
	start, ok := parseOffset(strings.TrimSpace(v[:dash]))
	if !ok {
		return Range{}, errSyntax
	}
	rest := strings.TrimSpace(v[dash+1:])
	if rest == "" {
		return Range{Start: start, End: -1}, nil
	}
	end, ok := parseOffset(rest)
	if !ok {
		return Range{}, errSyntax
	}
	if end < start {
		return Range{}, errReversed
	}
	return Range{Start: start, End: end}, nil
}

func parseOffset(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Resolve checks the range against a resource of size bytes and returns the
// offset and length to serve. A start at or past the end is 416 InvalidRange
// carrying Content-Range "bytes */size"; an end past the end is clipped.
func (r Range) Resolve(size int64) (offset, length int64, err error) {
	if r.Start >= size {
		return 0, 0, storageerr.ErrInvalidRange.WithHeader("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
	}
	end := r.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return r.Start, end - r.Start + 1, nil
}

// Length returns the number of bytes of a closed range, or -1 for an open one.
func (r Range) Length() int64 {
	if r.End < 0 {
		return -1
	}
	return r.End - r.Start + 1
}

// ContentRange renders the Content-Range header of a partial response.
func ContentRange(offset, length, size int64) string {
	return "bytes " + strconv.FormatInt(offset, 10) + "-" + strconv.FormatInt(offset+length-1, 10) +
		"/" + strconv.FormatInt(size, 10)
}
