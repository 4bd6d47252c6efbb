package blobstore

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"

	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// Data files: every Put Blob, Put Block and Append Block body becomes one
// immutable file data/<first two hex digits>/<file id hex>, in the crypto
// STREAM format under the account key (file id as associated data). It is
// written under tmp/, fsync'd when Config.Fsync, and renamed into place
// before the metadata that references it is committed.

func (s *Service) filePath(id crypto.FileID) string {
	h := id.String()
	return filepath.Join(s.files, h[:2], h)
}

// written is the outcome of writeData.
type written struct {
	id   crypto.FileID
	size int64
	md5  []byte
	// none is true for an empty body: no file is kept.
	none bool
	// inline holds the sealed data file of a small body kept in the
	// record instead of on disk (writeSmall).
	inline []byte
}

// bodyError marks a failure reading the request body.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "blobstore: read body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// writeData streams r (size bytes, or -1 for unknown) into a new encrypted
// data file of at most limit bytes. The file is marked in flight: the
// caller MUST call s.settle(w, committed) once its metadata transaction is
// done, which removes the file unless committed.
//
// The body's MD5 is computed only when wantMD5 is given (to check it): MD5
// costs more CPU than the encryption, and staged blocks, appended blocks and
// ranges need no digest otherwise. Put Blob, which stores the digest as the
// blob's Content-MD5, uses writeDataDigest.
func (s *Service) writeData(ctx context.Context, k *accountKey, r io.Reader, size, limit int64, wantMD5 []byte) (written, error) {
	return s.writeFile(ctx, k, r, size, limit, wantMD5, wantMD5 != nil)
}

// writeDataDigest is writeData that always computes the body's MD5. A body
// of known size up to inlineMax is sealed in memory and kept in the blob
// record (written.inline) instead of a file.
func (s *Service) writeDataDigest(ctx context.Context, k *accountKey, r io.Reader, size, limit int64, wantMD5 []byte) (written, error) {
	if size > 0 && size <= s.inlineMax {
		return writeSmall(ctx, k, r, size, wantMD5)
	}
	return s.writeFile(ctx, k, r, size, limit, wantMD5, true)
}

// inlineMax is the largest body kept inline in its record (Service.inlineMax;
// tests that look at data files set that to 0). Creating a file
// costs far more than sealing 16 KiB (hundreds of microseconds on some
// virtual disks), and small blobs are where per-request cost dominates.
const inlineMax = 16 << 10

// writeSmall seals a body of exactly size bytes (at most inlineMax) in
// memory, in the data-file format, for an inline extent.
func writeSmall(ctx context.Context, k *accountKey, r io.Reader, size int64, wantMD5 []byte) (w written, err error) {
	if wantMD5 != nil && len(wantMD5) != md5.Size {
		return w, storageerr.ErrInvalidMD5
	}
	if r == nil {
		r = eofReader{}
	}
	if w.id, err = crypto.NewFileID(); err != nil {
		return w, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, crypto.CiphertextSize(size)))
	cw, err := crypto.NewWriter(buf, k.aek, k.kid, w.id)
	if err != nil {
		return w, err
	}
	h := md5.New()
	n, err := copyBody(ctx, io.MultiWriter(cw, h), r, size, size)
	if errors.Is(err, storageerr.ErrRequestBodyTooLarge) {
		err = storageerr.ErrInvalidInput.WithMessage("The request body is longer than Content-Length %d.", size)
	}
	if err != nil {
		return w, err
	}
	if n != size {
		return w, storageerr.ErrInvalidInput.WithMessage("The request body is %d bytes but Content-Length is %d.", n, size)
	}
	w.size, w.md5 = n, h.Sum(nil)
	if wantMD5 != nil && string(wantMD5) != string(w.md5) {
		return w, storageerr.ErrMD5Mismatch
	}
	if err := cw.Close(); err != nil {
		return w, err
	}
	w.inline = buf.Bytes()
	return w, nil
}

func (s *Service) writeFile(ctx context.Context, k *accountKey, r io.Reader, size, limit int64, wantMD5 []byte, digest bool) (w written, err error) {
	if size > limit {
		return w, storageerr.ErrRequestBodyTooLarge
	}
	if wantMD5 != nil && len(wantMD5) != md5.Size {
		return w, storageerr.ErrInvalidMD5
	}
	if r == nil {
		r = eofReader{}
	}
	id, err := crypto.NewFileID()
	if err != nil {
		return w, err
	}
	w.id = id
	s.setInflight(id, true)
	// The file is written at its final name: until the metadata commit
	// references it, nothing reads it, and a crash leaves an orphan that the
	// start-up sweep removes. Writing in place spares a rename and spreads
	// file creation over the fan-out folders instead of one temp folder,
	// which matters for many small concurrent uploads.
	path := s.filePath(id)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		// The fan-out folder is made on first use.
		if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
			f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		}
	}
	if err != nil {
		s.settle(w, false)
		return w, fmt.Errorf("blobstore: create data file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(path)
			s.settle(w, false)
		}
	}()
	cw, err := crypto.NewWriter(f, k.aek, k.kid, id)
	if err != nil {
		return w, err
	}
	var dst io.Writer = cw
	h := md5.New()
	if digest {
		dst = io.MultiWriter(cw, h)
	}
	n, err := copyBody(ctx, dst, r, size, limit)
	if err != nil {
		return w, err
	}
	if size >= 0 && n != size {
		return w, storageerr.ErrInvalidInput.WithMessage("The request body is %d bytes but Content-Length is %d.", n, size)
	}
	w.size = n
	if digest {
		w.md5 = h.Sum(nil)
	}
	if wantMD5 != nil && string(wantMD5) != string(w.md5) {
		return w, storageerr.ErrMD5Mismatch
	}
	if n == 0 {
		_ = f.Close()
		_ = os.Remove(path)
		ok = true
		w.none = true
		s.settle(w, false)
		return w, nil
	}
	if err := cw.Close(); err != nil {
		return w, err
	}
	if s.cfg.Fsync {
		if err := f.Sync(); err != nil {
			return w, fmt.Errorf("blobstore: fsync data file: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return w, fmt.Errorf("blobstore: close data file: %w", err)
	}
	if s.cfg.Fsync {
		if err := syncDir(filepath.Dir(path)); err != nil {
			return w, err
		}
	}
	ok = true
	return w, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blobstore: fsync dir: %w", err)
	}
	return nil
}

// copyBody copies at most limit bytes from r to dst with a bounded buffer,
// failing with storageerr.ErrRequestBodyTooLarge beyond it.
func copyBody(ctx context.Context, dst io.Writer, r io.Reader, size, limit int64) (int64, error) {
	bufSize := int64(256 << 10)
	if size >= 0 && size < bufSize {
		bufSize = size + 1 // room to notice a body longer than announced
	}
	buf := make([]byte, bufSize)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		m, err := r.Read(buf)
		if m > 0 {
			n += int64(m)
			if n > limit {
				return n, storageerr.ErrRequestBodyTooLarge
			}
			if _, werr := dst.Write(buf[:m]); werr != nil {
				return n, werr
			}
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, &bodyError{err}
		}
	}
}

// settle ends the in-flight state of a written file. When the metadata
// transaction did not commit, the file is removed.
func (s *Service) settle(w written, committed bool) {
	if w.inline != nil {
		return // nothing on disk
	}
	s.setInflight(w.id, false)
	if !committed && !w.none {
		_ = os.Remove(s.filePath(w.id))
	}
}

// setInflight marks a file as being written (the orphan sweep skips it).
func (s *Service) setInflight(id crypto.FileID, on bool) {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	if on {
		s.inflight[id] = true
	} else {
		delete(s.inflight, id)
	}
}

// extentOf is the extent covering all of a written file.
func (w written) extent() []extent {
	if w.none {
		return nil
	}
	return []extent{{F: fileRef(w.id), Off: 0, Len: w.size, In: w.inline}}
}

// removeFiles deletes data files whose reference count dropped to zero, or
// defers that until the readers that pinned them are closed.
func (s *Service) removeFiles(ids []crypto.FileID) {
	if len(ids) == 0 {
		return
	}
	// A transaction may drop a file's count to zero and raise it again
	// (a commit that reuses a staged block): keep files still referenced.
	// A file at zero can never be referenced again, so this is race free.
	var gone []crypto.FileID
	if err := s.st.View(func(tx *boltstore.Tx) error {
		for _, id := range ids {
			if !tx.HasFile(id) {
				gone = append(gone, id)
			}
		}
		return nil
	}); err != nil {
		s.log.Warn("blobstore: check data files", "err", err)
		return
	}
	for _, id := range s.doom(gone) {
		if err := os.Remove(s.filePath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("blobstore: remove data file", "file", id.String(), "err", err)
		}
	}
}

// doom returns the files that can be removed now and marks the pinned ones
// for removal at unpin. Holding gcMu exclusively waits out every reader
// that may have seen a record referencing them but not pinned yet; readers
// that start later cannot see those records any more (the commit that
// dropped them is done), so the removal itself needs no lock.
func (s *Service) doom(ids []crypto.FileID) []crypto.FileID {
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	var now []crypto.FileID
	for _, id := range ids {
		if s.pins[id] > 0 {
			s.doomed[id] = true
		} else {
			now = append(now, id)
		}
	}
	return now
}

// pin keeps files from removal until unpin. Call with gcMu held shared.
func (s *Service) pin(ids []crypto.FileID) {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	for _, id := range ids {
		s.pins[id]++
	}
}

// unpin releases pinned files and removes those that were doomed meanwhile.
func (s *Service) unpin(ids []crypto.FileID) {
	for _, id := range s.release(ids) {
		_ = os.Remove(s.filePath(id))
	}
}

// release drops one pin of each file and returns the doomed files no
// reader holds any more.
func (s *Service) release(ids []crypto.FileID) []crypto.FileID {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	var now []crypto.FileID
	for _, id := range ids {
		s.pins[id]--
		if s.pins[id] <= 0 {
			delete(s.pins, id)
			if s.doomed[id] {
				delete(s.doomed, id)
				now = append(now, id)
			}
		}
	}
	return now
}

// extentReader is an io.ReaderAt over a list of extents. It opens data
// files lazily and keeps at most maxOpen of them open.
type extentReader struct {
	s      *Service
	aek    crypto.Key
	exts   []extent
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

func newExtentReader(s *Service, aek crypto.Key, exts []extent) *extentReader {
	er := &extentReader{s: s, aek: aek, exts: exts, starts: make([]int64, len(exts))}
	for i, e := range exts {
		er.starts[i] = er.size
		er.size += e.Len
	}
	return er
}

// ReadAt implements io.ReaderAt.
func (er *extentReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blobstore: negative offset")
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
				err = fmt.Errorf("blobstore: data file %s shorter than its extent: %w", e.F.String(), io.ErrUnexpectedEOF)
			}
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f fileRef) String() string { return crypto.FileID(f).String() }

// readInline reads from an extent's inline data file.
func readInline(aek crypto.Key, e extent, p []byte, off int64) (int, error) {
	r, err := crypto.NewReader(bytes.NewReader(e.In), int64(len(e.In)), aek, crypto.FileID(e.F))
	if err != nil {
		return 0, fmt.Errorf("blobstore: inline data %s: %w", e.F.String(), err)
	}
	return r.ReadAt(p, off)
}

func (er *extentReader) acquire(id crypto.FileID) (*openFile, error) {
	if of := er.cached(id); of != nil {
		return of, nil
	}
	f, err := os.Open(er.s.filePath(id))
	if err != nil {
		return nil, fmt.Errorf("blobstore: open data file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	r, err := crypto.NewReader(f, st.Size(), er.aek, id)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("blobstore: data file %s: %w", id.String(), err)
	}
	of := &openFile{id: id, f: f, r: r, users: 1}
	for _, v := range er.add(of) {
		_ = v.f.Close()
	}
	return of, nil
}

// cached returns an open file of the LRU, marked in use, or nil.
func (er *extentReader) cached(id crypto.FileID) *openFile {
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
func (er *extentReader) add(of *openFile) []*openFile {
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

func (er *extentReader) release(of *openFile) {
	if er.done(of) {
		_ = of.f.Close()
	}
}

// done ends one use of of and reports whether it should be closed now.
func (er *extentReader) done(of *openFile) bool {
	er.mu.Lock()
	defer er.mu.Unlock()
	of.users--
	return of.evicted && of.users == 0
}

func (er *extentReader) close() {
	for _, of := range er.evictAll() {
		_ = of.f.Close()
	}
}

// evictAll empties the LRU and returns the files nobody uses.
func (er *extentReader) evictAll() []*openFile {
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

var _ io.ReaderAt = (*extentReader)(nil)
