package sealed

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// Written is the outcome of Write.
type Written struct {
	ID   crypto.FileID
	Size int64
	// MD5 is the body's digest when Write computed one.
	MD5 []byte
	// None is true for an empty body: no file is kept.
	None bool
	// Inline holds the sealed bytes of a small body kept in the caller's
	// record instead of on disk.
	Inline []byte
}

// Extents is the extent covering all of a written body (none when empty).
func (w Written) Extents() []Extent {
	if w.None {
		return nil
	}
	return []Extent{{F: FileRef(w.ID), Off: 0, Len: w.Size, In: w.Inline}}
}

// WriteOptions are the options of Write.
type WriteOptions struct {
	// Size is the body's length, or -1 when unknown.
	Size int64
	// Limit is the longest body accepted: beyond it Write fails with
	// storageerr.ErrRequestBodyTooLarge.
	Limit int64
	// MD5, when set, is checked against the body's digest
	// (storageerr.ErrMD5Mismatch; storageerr.ErrInvalidMD5 when not 16 bytes).
	MD5 []byte
	// Digest computes the body's MD5 even without MD5 to check. MD5 costs
	// more CPU than the encryption, so only writes that store the digest
	// ask for it.
	Digest bool
	// Inline keeps a body of known size up to Config.InlineMax in
	// Written.Inline instead of a file (with its digest).
	Inline bool
}

// Write streams body into a new sealed data file under key. The file is
// marked in flight: the caller MUST call Settle once its metadata
// transaction is done, which removes the file unless committed.
func (s *Store) Write(ctx context.Context, key Key, body io.Reader, o WriteOptions) (Written, error) {
	if body == nil {
		body = eofReader{}
	}
	if o.Inline && o.Size > 0 && o.Size <= s.cfg.InlineMax {
		return writeInline(ctx, key, body, o.Size, o.MD5)
	}
	return s.writeFile(ctx, key, body, o)
}

// Settle ends the in-flight state of a written file. When the metadata
// transaction did not commit, the file is removed.
func (s *Store) Settle(w Written, committed bool) {
	if w.Inline != nil {
		return // nothing on disk
	}
	s.setInflight(w.ID, false)
	if !committed && !w.None {
		_ = os.Remove(s.Path(w.ID))
	}
}

// writeInline seals a body of exactly size bytes (at most InlineMax) in
// memory, in the data-file format, for an inline extent.
func writeInline(ctx context.Context, key Key, r io.Reader, size int64, wantMD5 []byte) (w Written, err error) {
	if wantMD5 != nil && len(wantMD5) != md5.Size {
		return w, storageerr.ErrInvalidMD5
	}
	if w.ID, err = crypto.NewFileID(); err != nil {
		return w, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, crypto.CiphertextSize(size)))
	cw, err := crypto.NewWriter(buf, key.AEK, key.ID, w.ID)
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
	w.Size, w.MD5 = n, h.Sum(nil)
	if wantMD5 != nil && string(wantMD5) != string(w.MD5) {
		return w, storageerr.ErrMD5Mismatch
	}
	if err := cw.Close(); err != nil {
		return w, err
	}
	w.Inline = buf.Bytes()
	return w, nil
}

func (s *Store) writeFile(ctx context.Context, key Key, r io.Reader, o WriteOptions) (w Written, err error) {
	if o.Size > o.Limit {
		return w, storageerr.ErrRequestBodyTooLarge
	}
	if o.MD5 != nil && len(o.MD5) != md5.Size {
		return w, storageerr.ErrInvalidMD5
	}
	// Wait for the body's first bytes before creating the file: a client
	// that stalls before sending anything holds no data file (only its
	// socket, until the front end's idle timeout drops it), and one that
	// goes away leaves nothing to clean up.
	br := bufio.NewReaderSize(r, 4096)
	if o.Size != 0 {
		if _, err := br.Peek(1); err != nil && !errors.Is(err, io.EOF) {
			return w, &bodyError{err}
		}
	}
	r = br
	id, err := crypto.NewFileID()
	if err != nil {
		return w, err
	}
	w.ID = id
	s.setInflight(id, true)
	// The file is written at its final name (see the package comment):
	// that spares a rename and spreads file creation over the fan-out
	// folders, which matters for many small concurrent uploads.
	path := s.Path(id)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		// The fan-out folder is made on first use.
		if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
			f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		}
	}
	if err != nil {
		s.Settle(w, false)
		return w, fmt.Errorf("sealed: create data file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(path)
			s.Settle(w, false)
		}
	}()
	cw, err := crypto.NewWriter(f, key.AEK, key.ID, id)
	if err != nil {
		return w, err
	}
	digest := o.Digest || o.MD5 != nil
	var dst io.Writer = cw
	h := md5.New()
	if digest {
		dst = io.MultiWriter(cw, h)
	}
	n, err := copyBody(ctx, dst, r, o.Size, o.Limit)
	if err != nil {
		return w, err
	}
	if o.Size >= 0 && n != o.Size {
		return w, storageerr.ErrInvalidInput.WithMessage("The request body is %d bytes but Content-Length is %d.", n, o.Size)
	}
	w.Size = n
	if digest {
		w.MD5 = h.Sum(nil)
	}
	if o.MD5 != nil && string(o.MD5) != string(w.MD5) {
		return w, storageerr.ErrMD5Mismatch
	}
	if n == 0 {
		_ = f.Close()
		_ = os.Remove(path)
		ok = true
		w.None = true
		s.Settle(w, false)
		return w, nil
	}
	if err := s.finish(f, cw); err != nil {
		return w, err
	}
	ok = true
	return w, nil
}

// finish closes the sealing writer and the file, fsync'ing both the file
// and its folder with Config.Fsync.
func (s *Store) finish(f *os.File, cw io.Closer) error {
	if err := cw.Close(); err != nil {
		return err
	}
	if s.cfg.Fsync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sealed: fsync data file: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sealed: close data file: %w", err)
	}
	if s.cfg.Fsync {
		return syncDir(filepath.Dir(f.Name()))
	}
	return nil
}

// setInflight marks a file as being written (the orphan sweep skips it).
func (s *Store) setInflight(id crypto.FileID, on bool) {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	if on {
		s.inflight[id] = true
	} else {
		delete(s.inflight, id)
	}
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
		return fmt.Errorf("sealed: fsync dir: %w", err)
	}
	return nil
}

// bodyError marks a failure reading the request body.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "sealed: read body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

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
