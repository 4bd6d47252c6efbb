package storagehttp

import (
	"strings"
	"time"
)

// TimeFormatISO is the ISO 8601 form Azure Storage uses in error messages,
// snapshot identifiers and signed identifiers: UTC with seven fractional
// digits ("2020-02-06T03:54:31.4894625Z").
const TimeFormatISO = "2006-01-02T15:04:05.0000000Z"

// FormatHTTPDate renders t as the RFC 1123 date Azure puts in Date,
// Last-Modified, x-ms-creation-time and listing XML ("Mon, 02 Jan 2006
// 15:04:05 GMT").
func FormatHTTPDate(t time.Time) string {
	return t.UTC().Format(http1123)
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

// ParseHTTPDate parses an HTTP date. It accepts RFC 1123 (what every SDK
// sends), RFC 850 and asctime, as HTTP requires of servers.
func ParseHTTPDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{http1123, "Mon, 02 Jan 2006 15:04:05 MST", time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// FormatISO renders t in UTC with seven fractional digits.
func FormatISO(t time.Time) string {
	return t.UTC().Format(TimeFormatISO)
}

// ParseISO parses an ISO 8601 / RFC 3339 timestamp with or without
// fractional seconds, as Azure accepts in signed identifiers and snapshot ids.
func ParseISO(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
