package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Durations come from flags, variables and arguments; any string parses or
// fails, never panics, and a success is never negative.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90d", "1d12h", "1h30m", "0.5d", "d", "-1d", "1e309d", "dd", "1d-1h", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("parseDuration(%q) = %v", s, d)
		}
	})
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"blob-prot", "blob-port", 2}, {"data", "date", 1}, {"", "abc", 3}} {
		assert.Equal(t, tc.want, editDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
	}
}
