package storagehttp

import (
	"bytes"
	"crypto/md5"
	"hash/crc64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseContentRequest(t *testing.T) {
	tests := []struct {
		name    string
		hdr     map[string]string
		withCRC bool
		code    string
		want    ContentRequest
	}{
		{"none", nil, true, "", ContentRequest{}},
		{"range md5", map[string]string{"x-ms-range": "bytes=0-9", "x-ms-range-get-content-md5": "true"}, true, "",
			ContentRequest{Range: Range{0, 9}, HasRange: true, MD5: true}},
		{"md5 without range", map[string]string{"x-ms-range-get-content-md5": "true"}, false, "InvalidHeaderValue", ContentRequest{}},
		{"crc", map[string]string{"Range": "bytes=1-", "x-ms-range-get-content-crc64": "TRUE"}, true, "",
			ContentRequest{Range: Range{1, -1}, HasRange: true, CRC64: true}},
		{"crc ignored without withCRC", map[string]string{"x-ms-range-get-content-crc64": "true"}, false, "", ContentRequest{}},
		{"crc without range", map[string]string{"x-ms-range-get-content-crc64": "true"}, true, "InvalidHeaderValue", ContentRequest{}},
		{"crc and md5", map[string]string{"x-ms-range": "bytes=0-1", "x-ms-range-get-content-md5": "true", "x-ms-range-get-content-crc64": "true"}, true, "InvalidHeaderValue", ContentRequest{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.hdr {
				h.Set(k, v)
			}
			got, err := ParseContentRequest(h, tc.withCRC)
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, _, err := ContentRequest{Range: Range{0, 5 << 20}, HasRange: true, MD5: true}.Resolve(10 << 20)
	assert.Equal(t, "OutOfRangeInput", storageerr.CodeOf(err))
	_, _, err = ContentRequest{Range: Range{10, 20}, HasRange: true}.Resolve(5)
	assert.Equal(t, "InvalidRange", storageerr.CodeOf(err))
}

func TestWriteContent(t *testing.T) {
	data := []byte("0123456789")
	table := crc64.MakeTable(crc64.ECMA)
	tests := []struct {
		name   string
		req    ContentRequest
		status int
		body   string
		want   map[string]string
	}{
		{"full", ContentRequest{}, 200, "0123456789",
			map[string]string{"Content-MD5": "bWQ1", "Content-Length": "10", "Content-Range": "", "x-ms-content-md5": ""}},
		{"range md5", ContentRequest{Range: Range{2, 4}, HasRange: true, MD5: true}, 206, "234",
			map[string]string{"Content-Range": "bytes 2-4/10", "x-ms-content-md5": "bWQ1", "Content-MD5": md5Of("234"), "Content-Length": "3"}},
		{"range crc", ContentRequest{Range: Range{0, 0}, HasRange: true, CRC64: true}, 206, "0",
			map[string]string{"Content-MD5": "", "x-ms-content-crc64": Base64(crcLE(table, "0"))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			off, n, err := tc.req.Resolve(int64(len(data)))
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			var p BufferPool
			err = p.WriteContent(rec, httptest.NewRequest(http.MethodGet, "/", nil), tc.req, Content{
				Data: bytes.NewReader(data), Size: int64(len(data)), Off: off, N: n,
				StoredMD5: []byte("md5"), StoredMD5Header: "x-ms-content-md5", CRC64: table,
			})
			require.NoError(t, err)
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.body, rec.Body.String())
			for k, v := range tc.want {
				assert.Equal(t, v, rec.Header().Get(k), k)
			}
		})
	}
}

func crcLE(table *crc64.Table, s string) []byte {
	v := crc64.Checksum([]byte(s), table)
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

func FuzzParseContentRequest(f *testing.F) {
	f.Add("bytes=0-9", "true", "", int64(10))
	f.Add("bytes=5-", "", "true", int64(3))
	f.Fuzz(func(t *testing.T, rng, md5, crc string, size int64) {
		h := http.Header{"X-Ms-Range": {rng}, "X-Ms-Range-Get-Content-Md5": {md5}, "X-Ms-Range-Get-Content-Crc64": {crc}}
		req, err := ParseContentRequest(h, true)
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		if size < 0 {
			return
		}
		off, n, err := req.Resolve(size)
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		require.GreaterOrEqual(t, off, int64(0))
		require.GreaterOrEqual(t, n, int64(0))
		require.LessOrEqual(t, off+n, size)
	})
}

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return Base64(sum[:])
}

// headerWatcher records whether a status line was written.
type headerWatcher struct {
	*httptest.ResponseRecorder
	wrote bool
}

func (h *headerWatcher) WriteHeader(code int) { h.wrote = true; h.ResponseRecorder.WriteHeader(code) }
func (h *headerWatcher) Write(b []byte) (int, error) {
	h.wrote = true
	return h.ResponseRecorder.Write(b)
}

// TestWriteContentVerifiesFirstChunkBeforeStatus: content whose first bytes
// fail to read (a tampered data file) is an error before any status line,
// never a 200 cut short; a failure further in still cuts the stream.
func TestWriteContentVerifiesFirstChunkBeforeStatus(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 3*CopyBufferSize)
	var p BufferPool
	for _, tc := range []struct {
		name   string
		failAt int64
		req    ContentRequest
		early  bool
	}{
		{"first chunk", 0, ContentRequest{}, true},
		{"inside the first buffer", CopyBufferSize - 1, ContentRequest{}, true},
		{"first chunk of a range", 2 * CopyBufferSize, ContentRequest{Range: Range{2*CopyBufferSize + 5, 3*CopyBufferSize - 1}, HasRange: true}, true},
		{"further in", 2 * CopyBufferSize, ContentRequest{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off, n, err := tc.req.Resolve(int64(len(data)))
			require.NoError(t, err)
			w := &headerWatcher{ResponseRecorder: httptest.NewRecorder()}
			var streamErr error
			err = p.WriteContent(w, httptest.NewRequest(http.MethodGet, "/", nil), tc.req, Content{
				Data: failingReaderAt{data: data, failAt: tc.failAt}, Size: int64(len(data)), Off: off, N: n,
				OnStreamError: func(err error) { streamErr = err },
			})
			if tc.early {
				assert.ErrorIs(t, err, errBroken)
				assert.False(t, w.wrote, "no status line before the first chunk verified")
				return
			}
			require.NoError(t, err)
			assert.True(t, w.wrote)
			assert.ErrorIs(t, streamErr, errBroken)
			assert.Less(t, w.Body.Len(), len(data))
		})
	}
}
