package storagehttp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// MaxXMLBody is the largest XML request body azemu reads (4 MiB); Azure's own
// limits for block lists and service properties are below it.
const MaxXMLBody = 4 << 20

// ReadBody reads a request body of at most limit bytes. A larger body is
// RequestBodyTooLarge (413).
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, storageerr.ErrRequestBodyTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, storageerr.ErrRequestBodyTooLarge
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
		return false, storageerr.ErrInvalidXMLDocument
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
	bp := p.get()
	defer p.pool.Put(bp)
	return io.CopyBuffer(writerOnly{dst}, readerOnly{src}, *bp)
}

// Stream writes n bytes of src from off to w. Beyond two buffers it reads
// (and so decrypts) the next buffer on another goroutine while the current
// one is written, so one download uses both the decryption and the network
// path at once instead of taking turns.
func (p *BufferPool) Stream(w io.Writer, src io.ReaderAt, off, n int64) (int64, error) {
	if n <= 2*CopyBufferSize {
		return p.Copy(w, io.NewSectionReader(src, off, n))
	}
	bufs := [2]*[]byte{p.get(), p.get()}
	type chunk struct {
		buf []byte
		n   int
		err error
	}
	ready := make(chan chunk, 1)
	free := make(chan []byte, 2)
	free <- *bufs[0]
	free <- *bufs[1]
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ready)
		for pos, end := off, off+n; pos < end; {
			var buf []byte
			select {
			case buf = <-free:
			case <-done:
				return
			}
			want := min(int64(len(buf)), end-pos)
			m, err := src.ReadAt(buf[:want], pos)
			if errors.Is(err, io.EOF) && int64(m) == want {
				err = nil
			}
			select {
			case ready <- chunk{buf, m, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
			pos += int64(m)
		}
	}()
	defer func() {
		close(done)
		wg.Wait() // the reader is done with the buffers before they go back
		p.pool.Put(bufs[0])
		p.pool.Put(bufs[1])
	}()
	var written int64
	for c := range ready {
		if c.n > 0 {
			m, err := w.Write(c.buf[:c.n])
			written += int64(m)
			if err != nil {
				return written, err
			}
		}
		if c.err != nil {
			return written, c.err
		}
		free <- c.buf
	}
	return written, nil
}

func (p *BufferPool) get() *[]byte {
	if bp, _ := p.pool.Get().(*[]byte); bp != nil {
		return bp
	}
	b := make([]byte, CopyBufferSize)
	return &b
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
