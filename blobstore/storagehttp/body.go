package storagehttp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/azemu/azemu/blobstore"
)

// MaxXMLBody is the largest XML request body azemu reads (4 MiB); Azure's own
// limits for block lists and service properties are below it.
const MaxXMLBody = 4 << 20

// ReadBody reads a request body of at most limit bytes. A larger body is
// RequestBodyTooLarge (413).
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, blobstore.ErrRequestBodyTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, blobstore.ErrRequestBodyTooLarge
	}
	return b, nil
}

// DecodeXML reads an XML request body of at most MaxXMLBody bytes into v.
// Syntax errors are InvalidXmlDocument; an empty body leaves v untouched and
// reports empty=true so callers can apply Azure's per-operation rule.
func DecodeXML(r *http.Request, v any) (empty bool, err error) {
	b, err := ReadBody(r, MaxXMLBody)
	if err != nil {
		return false, err
	}
	return UnmarshalXML(b, v)
}

// UnmarshalXML decodes b into v with the same error mapping as DecodeXML.
func UnmarshalXML(b []byte, v any) (empty bool, err error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return true, nil
	}
	if err := xml.Unmarshal(b, v); err != nil {
		return false, blobstore.ErrInvalidXMLDocument
	}
	return false, nil
}

// WriteXML writes status and v as an XML body with Azure's declaration.
func WriteXML(w http.ResponseWriter, status int, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	out := make([]byte, 0, len(XMLDecl)+len(b))
	out = append(append(out, XMLDecl...), b...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	_, err = w.Write(out)
	return err
}

// CopyBufferSize is the size of the pooled buffers used to stream contents.
const CopyBufferSize = 256 << 10

// BufferPool hands out CopyBufferSize buffers for io.CopyBuffer. Each
// protocol handler owns one (no package-level state).
type BufferPool struct {
	pool sync.Pool
}

// Copy copies src to dst through a pooled buffer. dst is wrapped so its
// ReaderFrom (http.ResponseWriter has one, with a 32 KiB buffer) cannot
// bypass the pooled buffer: big buffers mean fewer decrypt calls.
func (p *BufferPool) Copy(dst io.Writer, src io.Reader) (int64, error) {
	bp, _ := p.pool.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, CopyBufferSize)
		bp = &b
	}
	defer p.pool.Put(bp)
	return io.CopyBuffer(writerOnly{dst}, readerOnly{src}, *bp)
}

type writerOnly struct{ io.Writer }

type readerOnly struct{ io.Reader }

// IsClientGone reports whether err comes from the client going away while
// a body was read or written, which is not a server error.
func IsClientGone(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, http.ErrBodyReadAfterClose)
}

// ParseXMLBody reads an XML request body of at most MaxXMLBody bytes and
// hands it to parse.
func ParseXMLBody[T any](r *http.Request, parse func([]byte) (T, error)) (T, error) {
	b, err := ReadBody(r, MaxXMLBody)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(b)
}
