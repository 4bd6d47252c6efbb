package storagehttp

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		name    string
		header  http.Header
		want    Range
		ok      bool
		errCode string
	}{
		{"none", http.Header{}, Range{}, false, ""},
		{"closed", http.Header{"Range": {"bytes=0-511"}}, Range{0, 511}, true, ""},
		{"open", http.Header{"Range": {"bytes=255-"}}, Range{255, -1}, true, ""},
		{"x-ms-range wins", http.Header{"Range": {"bytes=0-1"}, "X-Ms-Range": {"bytes=5-9"}}, Range{5, 9}, true, ""},
		{"suffix ignored", http.Header{"Range": {"bytes=-10"}}, Range{}, false, ""},
		{"multi ignored", http.Header{"Range": {"bytes=0-1,5-6"}}, Range{}, false, ""},
		{"other unit ignored", http.Header{"Range": {"items=0-1"}}, Range{}, false, ""},
		{"reversed", http.Header{"Range": {"bytes=9-5"}}, Range{}, false, "InvalidRange"},
		{"x-ms-range malformed", http.Header{"X-Ms-Range": {"bytes=x-"}}, Range{}, false, "InvalidHeaderValue"},
		{"x-ms-range suffix", http.Header{"X-Ms-Range": {"bytes=-5"}}, Range{}, false, "InvalidHeaderValue"},
		{"x-ms-range reversed", http.Header{"X-Ms-Range": {"bytes=9-5"}}, Range{}, false, "InvalidRange"},
		{"spaces", http.Header{"Range": {" bytes= 1 - 2 "}}, Range{1, 2}, true, ""},
		{"overflow", http.Header{"X-Ms-Range": {"bytes=99999999999999999999-"}}, Range{}, false, "InvalidHeaderValue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := ParseRange(tc.header)
			if tc.errCode != "" {
				require.Error(t, err)
				assert.Equal(t, tc.errCode, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRangeResolve(t *testing.T) {
	tests := []struct {
		name      string
		rng       Range
		size      int64
		off, n    int64
		wantError bool
	}{
		{"inside", Range{0, 511}, 1024, 0, 512, false},
		{"open", Range{255, -1}, 1024, 255, 769, false},
		{"clipped", Range{1000, 5000}, 1024, 1000, 24, false},
		{"last byte", Range{1023, 1023}, 1024, 1023, 1, false},
		{"past end", Range{1024, -1}, 1024, 0, 0, true},
		{"empty resource", Range{0, -1}, 0, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			off, n, err := tc.rng.Resolve(tc.size)
			if tc.wantError {
				var e *storageerr.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, 416, e.Status)
				assert.Equal(t, "InvalidRange", e.Code)
				assert.Equal(t, "bytes */"+strconv.FormatInt(tc.size, 10), e.Header.Get("Content-Range"))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.off, off)
			assert.Equal(t, tc.n, n)
			assert.Equal(t, "bytes 0-511/1024", ContentRange(0, 512, 1024))
		})
	}
}

func FuzzParseRangeValue(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=5-", "bytes=-5", "bytes=1-0", "Bytes=0-0", "bytes=", "bytes=9223372036854775807-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rng, err := ParseRangeValue(s)
		if err != nil {
			return
		}
		if rng.Start < 0 || (rng.End >= 0 && rng.End < rng.Start) || rng.End < -1 {
			t.Fatalf("bad range %+v from %q", rng, s)
		}
		for _, size := range []int64{0, 1, 1024, 1 << 40} {
			off, n, err := rng.Resolve(size)
			if err != nil {
				continue
			}
			if off < 0 || n <= 0 || off+n > size {
				t.Fatalf("resolve %+v size %d gave %d,%d", rng, size, off, n)
			}
		}
	})
}
