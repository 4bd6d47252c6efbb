package blob

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/sealed"
)

// Blob records are the hot records (List Blobs decodes one per entry, a
// committed block list can hold 50,000 extents), so they use a compact
// binary encoding. Records are written at version 4; older versions still
// read: version 3 is version 4 without the inline In bytes of each extent,
// version 2 is version 3 without the final TierChanged field, and version 1
// records are JSON (they start with '{').
//
//	0x04                       format tag (0x03, 0x02: versions 3 and 2)
//	str  Type
//	time Created
//	str  ETag
//	time LastModified
//	str  ContentType, ContentEncoding, ContentLanguage, ContentDisposition, CacheControl
//	bytes ContentMD5
//	bytes MetaSealed
//	varint Size
//	uvarint n, then n × (16-byte file id, varint Off, varint Len    Extents
//	          [, bytes In (version 4 only)])
//	uvarint n, then n × str                                         Blocks
//	uvarint BlockCount
//	str ID, str State, bool Infinite, varint Seconds, time Expires, time BreakAt   Lease
//	bool hasCopy [str ID, str Status, str Source, str Progress, time CompletionTime, str StatusDescription]
//	str  Tier
//	time TierChanged                                                (version 3 and 4)
//
// str and bytes are a uvarint length then the bytes; time is a presence
// byte then varint Unix nanoseconds (UTC); bool is one byte 0 or 1. Trailing
// bytes are an error. Decoders never panic on malformed input.
const (
	blobRecV2 = 0x02
	blobRecV3 = 0x03
	blobRecV4 = 0x04 // extents may carry an inline data file
)

type wbuf struct{ b []byte }

func (w *wbuf) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *wbuf) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *wbuf) bytes(p []byte)   { w.uvarint(uint64(len(p))); w.b = append(w.b, p...) }
func (w *wbuf) str(s string)     { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }

func (w *wbuf) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *wbuf) time(t time.Time) {
	if t.IsZero() {
		w.b = append(w.b, 0)
		return
	}
	w.b = append(w.b, 1)
	w.varint(t.UnixNano())
}

// lease writes a lease as blob and container records hold it: str ID,
// str State, bool Infinite, varint Seconds, time Expires, time BreakAt.
func (w *wbuf) lease(l blobstore.Lease) {
	w.str(l.ID)
	w.str(string(l.State))
	w.bool(l.Infinite)
	w.varint(int64(l.Seconds))
	w.time(l.Expires)
	w.time(l.BreakAt)
}

var errCorrupt = errors.New("blobstore: corrupt blob record")

type rbuf struct {
	b   []byte
	err error
}

func (r *rbuf) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *rbuf) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *rbuf) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *rbuf) take(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func (r *rbuf) bytes() []byte {
	p := r.take(r.uvarint())
	if len(p) == 0 {
		return nil
	}
	return append([]byte(nil), p...)
}

func (r *rbuf) str() string { return string(r.take(r.uvarint())) }

func (r *rbuf) bool() bool {
	p := r.take(1)
	if len(p) != 1 || p[0] > 1 {
		r.fail()
		return false
	}
	return p[0] == 1
}

func (r *rbuf) time() time.Time {
	if !r.bool() {
		return time.Time{}
	}
	return time.Unix(0, r.varint()).UTC()
}

// lease reads what wbuf.lease wrote.
func (r *rbuf) lease() blobstore.Lease {
	var l blobstore.Lease
	l.ID = r.str()
	l.State = blobstore.LeaseState(r.str())
	l.Infinite = r.bool()
	l.Seconds = int(r.varint())
	l.Expires = r.time()
	l.BreakAt = r.time()
	return l
}

// count reads a uvarint element count bounded by the bytes left (every
// element takes at least min bytes), so a corrupt count cannot make the
// decoder allocate without limit.
func (r *rbuf) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) || n > math.MaxInt32 {
		r.fail()
		return 0
	}
	return int(n)
}

func encodeBlobRec(rec *blobRec) []byte { return encodeBlobRecAs(rec, blobRecV4) }

// encodeBlobRecAs writes rec in a given format version (older versions for
// the tests that prove old records still read; they drop what the version
// lacks).
func encodeBlobRecAs(rec *blobRec, version byte) []byte {
	inline := 0
	for _, e := range rec.Extents {
		inline += len(e.In)
	}
	w := wbuf{b: make([]byte, 0, 128+len(rec.MetaSealed)+21*len(rec.Extents)+inline+16*len(rec.Blocks))}
	w.b = append(w.b, version)
	w.str(string(rec.Type))
	w.time(rec.Created)
	w.str(rec.ETag)
	w.time(rec.LastModified)
	h := rec.Headers
	w.str(h.ContentType)
	w.str(h.ContentEncoding)
	w.str(h.ContentLanguage)
	w.str(h.ContentDisposition)
	w.str(h.CacheControl)
	w.bytes(h.ContentMD5)
	w.bytes(rec.MetaSealed)
	w.varint(rec.Size)
	w.uvarint(uint64(len(rec.Extents)))
	for _, e := range rec.Extents {
		w.b = append(w.b, e.F[:]...)
		w.varint(e.Off)
		w.varint(e.Len)
		if version >= blobRecV4 {
			w.bytes(e.In)
		}
	}
	w.uvarint(uint64(len(rec.Blocks)))
	for _, id := range rec.Blocks {
		w.str(id)
	}
	w.uvarint(uint64(rec.BlockCount))
	w.lease(rec.Lease)
	w.bool(rec.Copy != nil)
	if c := rec.Copy; c != nil {
		w.str(c.ID)
		w.str(string(c.Status))
		w.str(c.Source)
		w.str(c.Progress)
		w.time(c.CompletionTime)
		w.str(c.StatusDescription)
	}
	w.str(rec.Tier)
	if version >= blobRecV3 {
		w.time(rec.TierChanged)
	}
	return w.b
}

// decodeBlobRec decodes a blob record of either version.
func decodeBlobRec(b []byte) (*blobRec, error) {
	if len(b) == 0 {
		return nil, errCorrupt
	}
	if b[0] != blobRecV2 && b[0] != blobRecV3 && b[0] != blobRecV4 {
		return blobstore.DecodeRecord[blobRec](b) // version 1: JSON
	}
	v3 := b[0] >= blobRecV3
	v4 := b[0] >= blobRecV4
	r := rbuf{b: b[1:]}
	rec := &blobRec{V: blobstore.RecordVersion}
	rec.Type = blobstore.BlobType(r.str())
	rec.Created = r.time()
	rec.ETag = r.str()
	rec.LastModified = r.time()
	h := &rec.Headers
	h.ContentType = r.str()
	h.ContentEncoding = r.str()
	h.ContentLanguage = r.str()
	h.ContentDisposition = r.str()
	h.CacheControl = r.str()
	h.ContentMD5 = r.bytes()
	rec.MetaSealed = r.bytes()
	rec.Size = r.varint()
	if n := r.count(18); n > 0 {
		rec.Extents = make([]sealed.Extent, n)
		for i := range rec.Extents {
			copy(rec.Extents[i].F[:], r.take(16))
			rec.Extents[i].Off = r.varint()
			rec.Extents[i].Len = r.varint()
			if v4 {
				rec.Extents[i].In = r.bytes()
			}
		}
	}
	if n := r.count(1); n > 0 {
		rec.Blocks = make([]string, n)
		for i := range rec.Blocks {
			rec.Blocks[i] = r.str()
		}
	}
	rec.BlockCount = int(r.uvarint())
	rec.Lease = r.lease()
	if r.bool() {
		c := &blobstore.CopyInfo{}
		c.ID = r.str()
		c.Status = blobstore.CopyStatus(r.str())
		c.Source = r.str()
		c.Progress = r.str()
		c.CompletionTime = r.time()
		c.StatusDescription = r.str()
		rec.Copy = c
	}
	rec.Tier = r.str()
	if v3 {
		rec.TierChanged = r.time()
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(r.b))
	}
	if rec.Size < 0 || rec.BlockCount < 0 {
		return nil, errCorrupt
	}
	for _, e := range rec.Extents {
		if e.Off < 0 || e.Len < 0 {
			return nil, errCorrupt
		}
	}
	return rec, nil
}

// Container records, binary since format 2 (format 1 is JSON and starts
// with '{'), read on every blob request:
//
//	byte 0x02
//	time Created, str ETag, time LastModified, bytes MetaSealed, str PublicAccess
//	uvarint n, then n × (str ID, time Start, time Expiry, str Permission)   ACL
//	str ID, str State, bool Infinite, varint Seconds, time Expires, time BreakAt   Lease
//	str DefaultEncryptionScope, bool DenyEncryptionScopeOverride
const containerRecV2 = 0x02

func encodeContainerRec(rec *containerRec) []byte {
	w := wbuf{b: make([]byte, 0, 96+len(rec.MetaSealed)+48*len(rec.ACL))}
	w.b = append(w.b, containerRecV2)
	w.time(rec.Created)
	w.str(rec.ETag)
	w.time(rec.LastModified)
	w.bytes(rec.MetaSealed)
	w.str(string(rec.PublicAccess))
	w.uvarint(uint64(len(rec.ACL)))
	for _, si := range rec.ACL {
		w.str(si.ID)
		w.time(si.Policy.Start)
		w.time(si.Policy.Expiry)
		w.str(si.Policy.Permission)
	}
	w.lease(rec.Lease)
	w.str(rec.DefaultEncryptionScope)
	w.bool(rec.DenyEncryptionScopeOverride)
	return w.b
}

func decodeContainerRec(b []byte) (*containerRec, error) {
	if len(b) == 0 {
		return nil, errCorrupt
	}
	if b[0] != containerRecV2 {
		return blobstore.DecodeRecord[containerRec](b) // format 1: JSON
	}
	r := rbuf{b: b[1:]}
	rec := &containerRec{V: blobstore.RecordVersion}
	rec.Created = r.time()
	rec.ETag = r.str()
	rec.LastModified = r.time()
	rec.MetaSealed = r.bytes()
	rec.PublicAccess = blobstore.PublicAccess(r.str())
	if n := r.count(4); n > 0 {
		rec.ACL = make([]blobstore.SignedIdentifier, n)
		for i := range rec.ACL {
			si := &rec.ACL[i]
			si.ID = r.str()
			si.Policy.Start = r.time()
			si.Policy.Expiry = r.time()
			si.Policy.Permission = r.str()
		}
	}
	rec.Lease = r.lease()
	rec.DefaultEncryptionScope = r.str()
	rec.DenyEncryptionScopeOverride = r.bool()
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(r.b))
	}
	return rec, nil
}
