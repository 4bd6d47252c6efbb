package storagehttp

import (
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

func TestWriteError(t *testing.T) {
	now := time.Date(2020, 2, 6, 3, 54, 31, 489462500, time.UTC)
	p := &Responder{Server: ServerFile, Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tests := []struct {
		name     string
		method   string
		err      error
		status   int
		code     string
		extra    string
		wantBody bool
	}{
		{"domain error", http.MethodGet, storageerr.ErrContainerNotFound, 404, "ContainerNotFound", "", true},
		{"wrapped", http.MethodPut, errors.Join(errors.New("ctx"), storageerr.ErrBlobNotFound), 404, "BlobNotFound", "", true},
		{"extra", http.MethodGet, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-range"), 400, "InvalidHeaderValue", "<HeaderName>x-ms-range</HeaderName>", true},
		{"head no body", http.MethodHead, storageerr.ErrBlobNotFound, 404, "BlobNotFound", "", false},
		{"unknown", http.MethodGet, errors.New("disk on fire"), 500, "InternalError", "", true},
		{"too large", http.MethodPut, &http.MaxBytesError{Limit: 1}, 413, "RequestBodyTooLarge", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/devstoreaccount1/c", nil)
			r.Header.Set("x-ms-version", "2026-12-06")
			r.Header.Set("x-ms-client-request-id", "client-1")
			w := httptest.NewRecorder()
			w.Header().Set("x-ms-request-id", "rid-1")
			p.WriteError(w, r, tc.err)
			assert.Equal(t, tc.status, w.Code)
			h := w.Header()
			assert.Equal(t, tc.code, h.Get("x-ms-error-code"))
			assert.Equal(t, "rid-1", h.Get("x-ms-request-id"))
			assert.Equal(t, "2026-12-06", h.Get("x-ms-version"))
			assert.Equal(t, "client-1", h.Get("x-ms-client-request-id"))
			assert.Equal(t, "Thu, 06 Feb 2020 03:54:31 GMT", h.Get("Date"))
			assert.Equal(t, ServerFile, h.Get("Server"))
			if !tc.wantBody {
				assert.Empty(t, w.Body.Bytes())
				return
			}
			body := w.Body.String()
			assert.True(t, strings.HasPrefix(body, `<?xml version="1.0" encoding="utf-8"?><Error><Code>`+tc.code+`</Code>`), body)
			assert.Contains(t, body, "\nRequestId:rid-1\nTime:2020-02-06T03:54:31.4894625Z</Message>")
			assert.Contains(t, body, tc.extra)
			var parsed struct {
				Code    string
				Message string
			}
			require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &parsed))
			assert.Equal(t, tc.code, parsed.Code)
			assert.Equal(t, "application/xml", h.Get("Content-Type"))
		})
	}
}

func TestWriteErrorRangeHeader(t *testing.T) {
	_, _, err := Range{Start: 10, End: -1}.Resolve(5)
	w := httptest.NewRecorder()
	(&Responder{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).WriteError(w, httptest.NewRequest(http.MethodGet, "/a/b/c", nil), err)
	assert.Equal(t, 416, w.Code)
	assert.Equal(t, "bytes */5", w.Header().Get("Content-Range"))
	assert.NotEmpty(t, w.Header().Get("x-ms-request-id"))
	assert.Equal(t, ServerBlob, w.Header().Get("Server"))
}

func TestParseMetadata(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want map[string]string
		code string
	}{
		{"none", http.Header{"Content-Type": {"x"}}, nil, ""},
		{"simple", http.Header{"X-Ms-Meta-Foo": {"bar"}, "X-Ms-Meta-_x1": {"y"}}, map[string]string{"foo": "bar", "_x1": "y"}, ""},
		{"digit first", http.Header{"X-Ms-Meta-1a": {"v"}}, nil, "InvalidMetadata"},
		{"dash", http.Header{"X-Ms-Meta-A-B": {"v"}}, nil, "InvalidMetadata"},
		{"empty name", http.Header{"X-Ms-Meta-": {"v"}}, nil, "EmptyMetadataKey"},
		{"too large", http.Header{"X-Ms-Meta-Big": {strings.Repeat("v", blobstore.MaxMetadataSize)}}, nil, "MetadataTooLarge"},
		{"exactly 8KiB", http.Header{"X-Ms-Meta-Big": {strings.Repeat("v", blobstore.MaxMetadataSize-3)}}, map[string]string{"big": strings.Repeat("v", blobstore.MaxMetadataSize-3)}, ""},
		{"joined", http.Header{"X-Ms-Meta-A": {"1", "2"}}, map[string]string{"a": "1,2"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, err := ParseMetadata(tc.h)
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, md)
		})
	}
}

func TestParseConditions(t *testing.T) {
	h := http.Header{}
	h.Set("If-Match", `"0x1", "0x2"`)
	h.Set("If-None-Match", "*")
	h.Set("If-Modified-Since", "Thu, 06 Feb 2020 03:54:31 GMT")
	h.Set("If-Unmodified-Since", "garbage")
	h.Set("x-ms-source-if-match", `"0x9"`)
	c := ParseConditions(h)
	assert.Equal(t, []string{"0x1", "0x2"}, c.IfMatch)
	assert.Equal(t, []string{"*"}, c.IfNoneMatch)
	assert.Equal(t, time.Date(2020, 2, 6, 3, 54, 31, 0, time.UTC), c.IfModifiedSince)
	assert.True(t, c.IfUnmodifiedSince.IsZero())
	assert.False(t, c.Empty())
	s := ParseSourceConditions(h)
	assert.Equal(t, []string{"0x9"}, s.IfMatch)
	assert.True(t, ParseConditions(http.Header{}).Empty())
}

func TestETagAndDates(t *testing.T) {
	assert.Equal(t, `"0x8D"`, QuoteETag("0x8D"))
	assert.Equal(t, `"0x8D"`, QuoteETag(`"0x8D"`))
	assert.Equal(t, "0x8D", UnquoteETag(`W/"0x8D"`))
	assert.Equal(t, "*", UnquoteETag("*"))
	ts, ok := ParseISO("2009-09-28T08:49:37.0000000Z")
	require.True(t, ok)
	assert.Equal(t, "2009-09-28T08:49:37.0000000Z", FormatISO(ts))
	_, ok = ParseHTTPDate("nope")
	assert.False(t, ok)
}

func TestBufferPoolCopy(t *testing.T) {
	var p BufferPool
	var sb strings.Builder
	n, err := p.Copy(&sb, strings.NewReader(strings.Repeat("x", CopyBufferSize+5)))
	require.NoError(t, err)
	assert.Equal(t, int64(CopyBufferSize+5), n)
	assert.Equal(t, CopyBufferSize+5, sb.Len())
}

func FuzzParseMetadata(f *testing.F) {
	f.Add("foo", "bar")
	f.Add("", "")
	f.Add("1x", "v")
	f.Fuzz(func(t *testing.T, name, value string) {
		md, err := ParseMetadata(http.Header{"X-Ms-Meta-" + name: {value}})
		if err == nil {
			for k := range md {
				if !blobstore.IsMetadataName(k) {
					t.Fatalf("accepted %q", k)
				}
			}
		}
	})
}

func TestXMLMetadata(t *testing.T) {
	type wrap struct {
		XMLName xml.Name     `xml:"X"`
		M       *XMLMetadata `xml:"Metadata,omitempty"`
	}
	md := XMLMetadata{"b": "<", "a": "1"}
	empty := XMLMetadata(nil)
	for _, tc := range []struct {
		in   wrap
		want string
	}{
		{wrap{M: &md}, `<X><Metadata><a>1</a><b>&lt;</b></Metadata></X>`},
		{wrap{M: &empty}, `<X><Metadata></Metadata></X>`},
		{wrap{}, `<X></X>`},
	} {
		b, err := xml.Marshal(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b))
	}
}
