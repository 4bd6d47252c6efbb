package storagehttp

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// MaxRangeChecksum is the largest range for which a client may ask for its
// MD5 (x-ms-range-get-content-md5) or CRC64 (x-ms-range-get-content-crc64):
// 4 MiB.
const MaxRangeChecksum = 4 << 20

// ContentRequest is what a Get Blob / Get File asks of the content: a range,
// and a transactional MD5 or CRC64 of it.
type ContentRequest struct {
	Range    Range
	HasRange bool
	MD5      bool
	CRC64    bool
}

// ParseContentRequest reads Range / x-ms-range, x-ms-range-get-content-md5
// and, when the service offers it (withCRC), x-ms-range-get-content-crc64.
// A checksum needs a range, and only one may be asked (InvalidHeaderValue).
func ParseContentRequest(h http.Header, withCRC bool) (ContentRequest, error) {
	var c ContentRequest
	var err error
	if c.Range, c.HasRange, err = ParseRange(h); err != nil {
		return c, err
	}
	c.MD5 = strings.EqualFold(h.Get("x-ms-range-get-content-md5"), "true")
	if c.MD5 && !c.HasRange {
		return c, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-range-get-content-md5").WithDetail("HeaderValue", "true")
	}
	c.CRC64 = withCRC && strings.EqualFold(h.Get("x-ms-range-get-content-crc64"), "true")
	if c.CRC64 && (!c.HasRange || c.MD5) {
		// Without a range, or together with the MD5 request, it is a 400.
		return c, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-range-get-content-crc64").WithDetail("HeaderValue", "true")
	}
	return c, nil
}

// Resolve returns the offset and length to serve of content of size bytes
// (all of it without a range); a range starting past the end is
// InvalidRange, a checksum of more than MaxRangeChecksum OutOfRangeInput.
func (c ContentRequest) Resolve(size int64) (off, n int64, err error) {
	if !c.HasRange {
		return 0, size, nil
	}
	if off, n, err = c.Range.Resolve(size); err != nil {
		return 0, 0, err
	}
	if c.MD5 && n > MaxRangeChecksum {
		return 0, 0, storageerr.ErrOutOfRangeInput.WithMessage("The specified range size for x-ms-range-get-content-md5 exceeds 4 MiB.")
	}
	if c.CRC64 && n > MaxRangeChecksum {
		return 0, 0, storageerr.ErrOutOfRangeInput.WithMessage("The specified range size for x-ms-range-get-content-crc64 exceeds 4 MiB.")
	}
	return off, n, nil
}

// Content is the body WriteContent serves: Off and N (from
// ContentRequest.Resolve) of Size bytes readable from Data.
type Content struct {
	Data      io.ReaderAt
	Size      int64
	Off, N    int64
	StoredMD5 []byte // the MD5 of the whole content, as stored
	// StoredMD5Header carries StoredMD5 on a range response
	// (x-ms-blob-content-md5, x-ms-content-md5); a full response sends it
	// as Content-MD5.
	StoredMD5Header string
	// CRC64 is the table of x-ms-content-crc64 (nil when the service has
	// none).
	CRC64 *crc64.Table
	// OnStreamError is told of a failure once the status is out.
	OnStreamError func(error)
}

// WriteContent answers a Get Blob / Get File once the properties headers
// are set: 206 with Content-Range and the asked checksum for a range, else
// 200 and the stored Content-MD5; then Content-Length and the body. An error
// before the status is returned; a failure while streaming goes to
// OnStreamError and cuts the body short, so the server drops the connection
// and the client never takes a truncated or unauthenticated body for the
// content.
func (p *BufferPool) WriteContent(w http.ResponseWriter, r *http.Request, req ContentRequest, c Content) error {
	h := w.Header()
	status := http.StatusOK
	if req.HasRange {
		status = http.StatusPartialContent
		h.Set("Content-Range", ContentRange(c.Off, c.N, c.Size))
		if len(c.StoredMD5) > 0 {
			h.Set(c.StoredMD5Header, Base64(c.StoredMD5))
		}
		if req.MD5 {
			sum := md5.New()
			if _, err := p.Copy(sum, io.NewSectionReader(c.Data, c.Off, c.N)); err != nil {
				return err
			}
			h.Set("Content-MD5", Base64(sum.Sum(nil)))
		}
		if req.CRC64 && c.CRC64 != nil {
			sum := crc64.New(c.CRC64)
			if _, err := p.Copy(sum, io.NewSectionReader(c.Data, c.Off, c.N)); err != nil {
				return err
			}
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], sum.Sum64())
			h.Set("x-ms-content-crc64", Base64(b[:]))
		}
	} else if len(c.StoredMD5) > 0 {
		h.Set("Content-MD5", Base64(c.StoredMD5))
	}
	h.Set("Content-Length", strconv.FormatInt(c.N, 10))
	if c.N == 0 || r.Method == http.MethodHead {
		w.WriteHeader(status)
		return nil
	}
	// Read (and so authenticate) the first buffer of the range before the
	// status line: a data file whose header or first chunks fail is an
	// error the client sees as such, not a 200 cut short. Later chunks can
	// only fail mid-stream (OnStreamError).
	bp := p.get()
	defer p.pool.Put(bp)
	want := min(c.N, int64(len(*bp)))
	m, err := c.Data.ReadAt((*bp)[:want], c.Off)
	if err != nil && (!errors.Is(err, io.EOF) || int64(m) < want) {
		return err
	}
	w.WriteHeader(status)
	if _, err := w.Write((*bp)[:want]); err != nil {
		return nil // the client went away; nothing more to say
	}
	if rest := c.N - want; rest > 0 {
		if _, err := p.Stream(w, c.Data, c.Off+want, rest); err != nil && c.OnStreamError != nil {
			c.OnStreamError(err)
		}
	}
	return nil
}
