package file

import (
	"errors"
	"io"
	"math"
	"sort"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// Azure Files data is a sparse map of extents (bucket fextents): each Put
// Range writes one new immutable data file (a fresh file id and HKDF salt,
// so no (key, nonce) pair is ever reused; up to 16 KiB it is kept inline in
// the extent row instead of on disk, as small blobs are) and points the
// range at it;
// overwritten parts of older extents are cut away in the same transaction
// and a data file no extent references any more is collected. Bytes no
// extent covers (never written, cleared, or grown by a resize) read as
// zeros and cost no disk.

// sealedExtent is the sealed-store extent a Files extent row points at.
func sealedExtent(e boltstore.Extent) sealed.Extent {
	return sealed.Extent{F: sealed.FileRef(e.File), Off: e.FileOff, Len: e.Len, In: e.Inline}
}

// extentsIn returns the extents of file id overlapping [off, end), in order.
func extentsIn(tx *boltstore.Tx, scope []byte, id uint64, off, end int64) ([]boltstore.Extent, error) {
	prefix := boltstore.ExtentPrefix(scope, id)
	start := boltstore.ExtentKey(scope, id, off)
	var out []boltstore.Extent
	if k, v := tx.FileLastBefore(boltstore.FileExtents, prefix, start); k != nil {
		if e, ok := boltstore.DecodeExtent(k[len(prefix):], v); ok && e.Off+e.Len > off {
			out = append(out, e)
		}
	}
	err := tx.FileScan(boltstore.FileExtents, prefix, start, func(k, v []byte) (bool, error) {
		e, ok := boltstore.DecodeExtent(k[len(prefix):], v)
		if !ok {
			return false, errors.New("blobstore: malformed extent row")
		}
		if e.Off >= end {
			return false, nil
		}
		out = append(out, e)
		return true, nil
	})
	return out, err
}

func putExtent(tx *boltstore.Tx, scope []byte, id uint64, e boltstore.Extent) error {
	return tx.FilePut(boltstore.FileExtents, boltstore.ExtentKey(scope, id, e.Off), boltstore.EncodeExtent(e))
}

// punch removes [off, end) from a file's extent map, keeping the parts of
// cut extents outside it, and returns the number of stored bytes removed.
// Each extent row holds one reference on its data file, so a split adds one
// and a removal drops one.
func punch(tx *boltstore.Tx, scope []byte, id uint64, off, end int64, dead *[]crypto.FileID) (int64, error) {
	exts, err := extentsIn(tx, scope, id, off, end)
	if err != nil {
		return 0, err
	}
	var removed int64
	for _, e := range exts {
		removed += min(e.Off+e.Len, end) - max(e.Off, off)
		if err := tx.FileDelete(boltstore.FileExtents, boltstore.ExtentKey(scope, id, e.Off)); err != nil {
			return 0, err
		}
		pieces := 0
		if e.Off < off {
			l := e
			l.Len = off - e.Off
			if err := putExtent(tx, scope, id, l); err != nil {
				return 0, err
			}
			pieces++
		}
		if e.Off+e.Len > end {
			r := e
			r.Off, r.Len, r.FileOff = end, e.Off+e.Len-end, e.FileOff+(end-e.Off)
			if err := putExtent(tx, scope, id, r); err != nil {
				return 0, err
			}
			pieces++
		}
		if pieces != 1 {
			if err := blobstore.AddRefs(tx, []sealed.Extent{sealedExtent(e)}, pieces-1, dead); err != nil {
				return 0, err
			}
		}
	}
	return removed, nil
}

// dropFileData removes every extent of file id (of the share ref, whose
// record is sh), returns the bytes to the share's usage and stores the
// share.
func dropFileData(tx *boltstore.Tx, ref blobstore.ShareRef, sh *shareRec, scope []byte, id uint64, dead *[]crypto.FileID) error {
	removed, err := dropExtents(tx, scope, id, dead)
	if err != nil {
		return err
	}
	if err := sh.use(-removed); err != nil {
		return err
	}
	return putShare(tx, ref, sh)
}

// dropExtents removes every extent of a file and returns the bytes removed.
func dropExtents(tx *boltstore.Tx, scope []byte, id uint64, dead *[]crypto.FileID) (int64, error) {
	return punch(tx, scope, id, 0, math.MaxInt64, dead)
}

// copyExtents gives file dst in dstScope the extents of src in srcScope and
// returns the bytes they cover.
func copyExtents(tx *boltstore.Tx, srcScope []byte, src uint64, dstScope []byte, dst uint64, dead *[]crypto.FileID) (int64, error) {
	exts, err := extentsIn(tx, srcScope, src, 0, math.MaxInt64)
	if err != nil {
		return 0, err
	}
	var added int64
	for _, e := range exts {
		if err := putExtent(tx, dstScope, dst, e); err != nil {
			return 0, err
		}
		if err := blobstore.AddRefs(tx, []sealed.Extent{sealedExtent(e)}, +1, dead); err != nil {
			return 0, err
		}
		added += e.Len
	}
	return added, nil
}

// use charges delta stored bytes to a live share: growing beyond the quota
// (GiB) fails with storageerr.ErrShareSizeLimitReached and the transaction rolls back.
func (r *shareRec) use(delta int64) error {
	r.Used = max(r.Used+delta, 0)
	if delta > 0 && r.Quota > 0 && r.Used > int64(r.Quota)<<30 {
		return storageerr.ErrShareSizeLimitReached
	}
	return nil
}

// fits reports storageerr.ErrShareSizeLimitReached for a file larger than the share's
// quota: Azure refuses such a Create File or resize (a 4 TiB file in a 1
// TiB share) even before any byte is written.
func (r *shareRec) fits(size int64) error {
	if r.Quota > 0 && size > int64(r.Quota)<<30 {
		return storageerr.ErrShareSizeLimitReached
	}
	return nil
}

// FileReader reads a file's plaintext. It is an io.ReaderAt composing the
// file's extents and zero gaps; only the chunks a read touches are
// decrypted and nothing is buffered whole. A tampered data file makes
// ReadAt fail; it never returns wrong bytes. The reader stays valid after
// the file changes (its data files are pinned until Close).
type FileReader struct {
	// Properties of the file as of the read (with metadata).
	Properties blobstore.FileProperties
	r          *sparseReader
	close      func()
}

// Size is the file's content length.
func (f *FileReader) Size() int64 { return f.r.size }

// ReadAt implements io.ReaderAt.
func (f *FileReader) ReadAt(p []byte, off int64) (int, error) { return f.r.ReadAt(p, off) }

// Close releases the reader.
func (f *FileReader) Close() error {
	if f.close != nil {
		f.close()
		f.close = nil
	}
	return nil
}

// sparseReader maps file offsets to a sealed reader over the concatenated
// extents, filling gaps with zeros.
type sparseReader struct {
	exts   []boltstore.Extent
	starts []int64 // starts[i] is where exts[i] begins in er
	er     *sealed.Reader
	size   int64
}

func newSparseReader(p *sealed.Pin, key sealed.Key, exts []boltstore.Extent, size int64) *sparseReader {
	bexts := make([]sealed.Extent, len(exts))
	starts := make([]int64, len(exts))
	at := int64(0)
	for i, e := range exts {
		bexts[i], starts[i] = sealedExtent(e), at
		at += e.Len
	}
	return &sparseReader{exts: exts, starts: starts, er: p.Reader(key, bexts), size: size}
}

func (r *sparseReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blobstore: negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.size-off))
	i := sort.Search(len(r.exts), func(i int) bool { return r.exts[i].Off+r.exts[i].Len > off })
	done := 0
	for done < n {
		pos := off + int64(done)
		want := int64(n - done)
		if i < len(r.exts) && r.exts[i].Off <= pos {
			e := r.exts[i]
			m := min(want, e.Off+e.Len-pos)
			got, err := r.er.ReadAt(p[done:done+int(m)], r.starts[i]+(pos-e.Off))
			done += got
			if err != nil && !(errors.Is(err, io.EOF) && int64(got) == m) {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return done, err
			}
			i++
			continue
		}
		m := want
		if i < len(r.exts) {
			m = min(m, r.exts[i].Off-pos)
		}
		clear(p[done : done+int(m)])
		done += int(m)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// rangesOf coalesces extents into byte ranges clipped to [lo, hi].
func rangesOf(exts []boltstore.Extent, lo, hi int64) []blobstore.ByteRange {
	var out []blobstore.ByteRange
	for _, e := range exts {
		s, t := max(e.Off, lo), min(e.Off+e.Len-1, hi)
		if s > t {
			continue
		}
		if n := len(out); n > 0 && out[n-1].End+1 >= s {
			out[n-1].End = max(out[n-1].End, t)
			continue
		}
		out = append(out, blobstore.ByteRange{Start: s, End: t})
	}
	return out
}

// diffRanges compares a file's extents with those of an earlier snapshot:
// bytes whose data differ are Ranges, bytes that had data and now have none
// are ClearRanges (both clipped to [lo, hi]).
func diffRanges(cur, prev []boltstore.Extent, lo, hi int64) (changed, cleared []blobstore.ByteRange) {
	pts := []int64{}
	for _, list := range [][]boltstore.Extent{cur, prev} {
		for _, e := range list {
			pts = append(pts, e.Off, e.Off+e.Len)
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i] < pts[j] })
	at := func(list []boltstore.Extent, p int64) *boltstore.Extent {
		i := sort.Search(len(list), func(i int) bool { return list[i].Off+list[i].Len > p })
		if i < len(list) && list[i].Off <= p {
			return &list[i]
		}
		return nil
	}
	add := func(out []blobstore.ByteRange, s, t int64) []blobstore.ByteRange {
		s, t = max(s, lo), min(t, hi)
		if s > t {
			return out
		}
		if n := len(out); n > 0 && out[n-1].End+1 >= s {
			out[n-1].End = max(out[n-1].End, t)
			return out
		}
		return append(out, blobstore.ByteRange{Start: s, End: t})
	}
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		if a == b {
			continue
		}
		c, p := at(cur, a), at(prev, a)
		switch {
		case c != nil && (p == nil || c.File != p.File || c.FileOff-c.Off != p.FileOff-p.Off):
			changed = add(changed, a, b-1)
		case c == nil && p != nil:
			cleared = add(cleared, a, b-1)
		}
	}
	return changed, cleared
}
