package sealed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/azemu/azemu/crypto"
)

// Reader is a decrypting io.ReaderAt over a list of extents, read as one
// run of plaintext: only the chunks a read touches are decrypted, and a
// tampered file fails the read instead of returning wrong bytes. It opens data
// files lazily and keeps at most maxOpen of them open.
type Reader struct {
	s      *Store
	aek    crypto.Key
	exts   []Extent
	starts []int64 // starts[i] is the blob offset of exts[i]
	size   int64

	mu   sync.Mutex
	open []*openFile // most recently used last
}

type openFile struct {
	id crypto.FileID
	f  *os.File
	r  *crypto.Reader
	// users counts ReadAt calls using it; closed when evicted and unused.
	users   int
	evicted bool
}

const maxOpen = 4

func newReader(s *Store, aek crypto.Key, exts []Extent) *Reader {
	er := &Reader{s: s, aek: aek, exts: exts, starts: make([]int64, len(exts))}
	for i, e := range exts {
		er.starts[i] = er.size
		er.size += e.Len
	}
	return er
}

// ReadAt implements io.ReaderAt.
func (er *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("sealed: negative offset")
	}
	if off >= er.size {
		return 0, io.EOF
	}
	n := 0
	i := sort.Search(len(er.starts), func(i int) bool { return er.starts[i] > off }) - 1
	for ; i < len(er.exts) && n < len(p); i++ {
		e := er.exts[i]
		within := off + int64(n) - er.starts[i]
		want := min(int64(len(p)-n), e.Len-within)
		if want <= 0 {
			continue
		}
		var (
			m   int
			err error
		)
		if e.In != nil {
			m, err = readInline(er.aek, e, p[n:n+int(want)], e.Off+within)
		} else {
			of, aerr := er.acquire(crypto.FileID(e.F))
			if aerr != nil {
				return n, aerr
			}
			m, err = of.r.ReadAt(p[n:n+int(want)], e.Off+within)
			er.release(of)
		}
		n += m
		if err != nil && !(errors.Is(err, io.EOF) && int64(m) == want) {
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("sealed: data file %s shorter than its extent: %w", e.F.String(), io.ErrUnexpectedEOF)
			}
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readInline reads from an extent's inline data file.
func readInline(aek crypto.Key, e Extent, p []byte, off int64) (int, error) {
	r, err := crypto.NewReader(bytes.NewReader(e.In), int64(len(e.In)), aek, crypto.FileID(e.F))
	if err != nil {
		return 0, fmt.Errorf("sealed: inline data %s: %w", e.F.String(), err)
	}
	return r.ReadAt(p, off)
}

func (er *Reader) acquire(id crypto.FileID) (*openFile, error) {
	if of := er.cached(id); of != nil {
		return of, nil
	}
	f, err := os.Open(er.s.Path(id))
	if err != nil {
		return nil, fmt.Errorf("sealed: open data file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	r, err := crypto.NewReader(f, st.Size(), er.aek, id)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("sealed: data file %s: %w", id.String(), err)
	}
	of := &openFile{id: id, f: f, r: r, users: 1}
	for _, v := range er.add(of) {
		_ = v.f.Close()
	}
	return of, nil
}

// cached returns an open file of the LRU, marked in use, or nil.
func (er *Reader) cached(id crypto.FileID) *openFile {
	er.mu.Lock()
	defer er.mu.Unlock()
	for i, of := range er.open {
		if of.id == id {
			er.open = append(append(er.open[:i:i], er.open[i+1:]...), of)
			of.users++
			return of
		}
	}
	return nil
}

// add puts of into the LRU and returns the evicted files nobody uses,
// which the caller closes.
func (er *Reader) add(of *openFile) []*openFile {
	er.mu.Lock()
	defer er.mu.Unlock()
	er.open = append(er.open, of)
	var victims []*openFile
	for len(er.open) > maxOpen {
		v := er.open[0]
		er.open = er.open[1:]
		v.evicted = true
		if v.users == 0 {
			victims = append(victims, v)
		}
	}
	return victims
}

func (er *Reader) release(of *openFile) {
	if er.done(of) {
		_ = of.f.Close()
	}
}

// done ends one use of of and reports whether it should be closed now.
func (er *Reader) done(of *openFile) bool {
	er.mu.Lock()
	defer er.mu.Unlock()
	of.users--
	return of.evicted && of.users == 0
}

func (er *Reader) close() {
	for _, of := range er.evictAll() {
		_ = of.f.Close()
	}
}

// evictAll empties the LRU and returns the files nobody uses.
func (er *Reader) evictAll() []*openFile {
	er.mu.Lock()
	defer er.mu.Unlock()
	var idle []*openFile
	for _, of := range er.open {
		of.evicted = true
		if of.users == 0 {
			idle = append(idle, of)
		}
	}
	er.open = nil
	return idle
}

var _ io.ReaderAt = (*Reader)(nil)

// Size is the length of the plaintext the reader covers.
func (er *Reader) Size() int64 { return er.size }
