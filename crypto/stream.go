package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// Data-file format constants (version 1; see doc.go for the byte layout).
const (
	// FormatVersion1 is the first data-file format version.
	FormatVersion1 byte = 1
	// FormatVersion is the version NewWriter writes.
	FormatVersion = FormatVersion1
	// HeaderSize is the size of a version 1 header.
	HeaderSize = 64
	// SaltSize is the size of the random per-file HKDF salt.
	SaltSize = 32
	// ChunkSize is the plaintext size of every chunk except the final one.
	ChunkSize = 64 << 10
	// chunkCTSize is the stored size of a full chunk: plaintext plus tag.
	chunkCTSize = ChunkSize + TagSize
	// aadSize is the size of every chunk's associated data: header || file id.
	aadSize = HeaderSize + IDSize
)

// Magic is the first four bytes of every data file, whatever its version.
var magic = [4]byte{'A', 'Z', 'E', 'F'}

// Header offsets of format version 1.
const (
	offMagic     = 0  // 4 bytes "AZEF"
	offVersion   = 4  // 1 byte
	offReserved1 = 5  // 3 bytes, zero
	offChunkSize = 8  // uint32 big-endian
	offKeyID     = 12 // 16 bytes
	offSalt      = 28 // 32 bytes
	offReserved2 = 60 // 4 bytes, zero
)

// hkdfInfoPrefix starts the HKDF info string of a data-file key; the format
// version byte and the file id follow it.
const hkdfInfoPrefix = "azemu data-file key"

// Header is the decoded, validated header of a data file. It is written in the
// clear (the key id is needed to find the AEK) and authenticated as part of
// every chunk's associated data.
type Header struct {
	// Version is the data-file format version (FormatVersion1).
	Version uint8
	// KeyID names the AEK the file's data key was derived from.
	KeyID KeyID
	// ChunkSize is the plaintext size of each non-final chunk.
	ChunkSize uint32
	// Salt is the random HKDF salt of this file's data key.
	Salt [SaltSize]byte
}

// marshal encodes a version 1 header.
func (h *Header) marshal() [HeaderSize]byte {
	var b [HeaderSize]byte
	copy(b[offMagic:], magic[:])
	b[offVersion] = h.Version
	binary.BigEndian.PutUint32(b[offChunkSize:], h.ChunkSize)
	copy(b[offKeyID:], h.KeyID[:])
	copy(b[offSalt:], h.Salt[:])
	return b
}

// parseHeader decodes the header at the start of b, which holds as many of
// the file's first HeaderSize bytes as exist. It dispatches on the version
// byte so that a later version with a different layout can be added beside
// version 1 without touching it.
func parseHeader(b []byte) (Header, error) {
	if len(b) < len(magic) {
		if bytes.Equal(b, magic[:len(b)]) {
			return Header{}, fmt.Errorf("crypto: header: %d bytes: %w", len(b), ErrTruncated)
		}
		return Header{}, fmt.Errorf("crypto: header: bad magic: %w", ErrMalformedHeader)
	}
	if !bytes.Equal(b[offMagic:offMagic+len(magic)], magic[:]) {
		return Header{}, fmt.Errorf("crypto: header: bad magic: %w", ErrMalformedHeader)
	}
	if len(b) <= offVersion {
		return Header{}, fmt.Errorf("crypto: header: no version byte: %w", ErrTruncated)
	}
	switch v := b[offVersion]; v {
	case FormatVersion1:
		return parseHeaderV1(b)
	default:
		return Header{}, fmt.Errorf("crypto: header: format version %d: %w", v, ErrUnsupportedVersion)
	}
}

func parseHeaderV1(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("crypto: header: %d of %d bytes: %w", len(b), HeaderSize, ErrTruncated)
	}
	b = b[:HeaderSize]
	if !allZero(b[offReserved1:offChunkSize]) || !allZero(b[offReserved2:HeaderSize]) {
		return Header{}, fmt.Errorf("crypto: header: reserved bytes set: %w", ErrMalformedHeader)
	}
	h := Header{Version: b[offVersion], ChunkSize: binary.BigEndian.Uint32(b[offChunkSize:])}
	if h.ChunkSize != ChunkSize {
		return Header{}, fmt.Errorf("crypto: header: chunk size %d: %w", h.ChunkSize, ErrMalformedHeader)
	}
	copy(h.KeyID[:], b[offKeyID:])
	copy(h.Salt[:], b[offSalt:])
	return h, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// ReadHeader reads and validates the header of a data file without any key.
// Its main use is to learn Header.KeyID, and so which AEK NewReader needs. It
// fails with ErrMalformedHeader, ErrUnsupportedVersion or ErrTruncated, or
// with src's own read error. A header that parses is not yet authentic:
// NewReader authenticates it.
func ReadHeader(src io.ReaderAt) (Header, error) {
	var b [HeaderSize]byte
	n, err := src.ReadAt(b[:], 0)
	if n < len(b) && err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Header{}, fmt.Errorf("crypto: read header: %w", err)
	}
	if n < 0 || n > len(b) {
		return Header{}, fmt.Errorf("crypto: read header: invalid count %d: %w", n, ErrTruncated)
	}
	return parseHeader(b[:n])
}

// CiphertextSize returns the size of the data file that NewWriter produces
// for plaintextSize bytes: HeaderSize plus the plaintext plus one TagSize per
// chunk (at least one chunk, even for an empty file). It returns -1 for a
// negative size or one whose data file would not fit in an int64.
func CiphertextSize(plaintextSize int64) int64 {
	if plaintextSize < 0 {
		return -1
	}
	chunks := plaintextSize / ChunkSize
	if plaintextSize%ChunkSize != 0 || plaintextSize == 0 {
		chunks++
	}
	overhead := HeaderSize + chunks*TagSize
	if plaintextSize > math.MaxInt64-overhead {
		return -1
	}
	return plaintextSize + overhead
}

// deriveAEAD derives a file's data key, HKDF-SHA256(aek, salt, info), and
// returns its AES-256-GCM AEAD. info = "azemu data-file key" || version || file id.
func deriveAEAD(aek Key, h *Header, id FileID) (cipher.AEAD, error) {
	info := make([]byte, 0, len(hkdfInfoPrefix)+1+IDSize)
	info = append(info, hkdfInfoPrefix...)
	info = append(info, h.Version)
	info = append(info, id[:]...)
	dk, err := hkdf.Key(sha256.New, aek[:], h.Salt[:], string(info), KeySize)
	if err != nil {
		return nil, fmt.Errorf("crypto: derive data key: %w", err)
	}
	defer clear(dk)
	block, err := aes.NewCipher(dk)
	if err != nil {
		return nil, fmt.Errorf("crypto: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("crypto: gcm: %w", err)
	}
	return aead, nil
}

// chunkAAD is every chunk's associated data: the raw header and the file id.
func chunkAAD(hdr *[HeaderSize]byte, id FileID) []byte {
	aad := make([]byte, 0, aadSize)
	aad = append(aad, hdr[:]...)
	return append(aad, id[:]...)
}

// putNonce writes the STREAM nonce of chunk index into n: the index as an
// 11-byte big-endian counter, then 0x01 for the final chunk or 0x00.
func putNonce(n *[NonceSize]byte, index uint64, last bool) {
	*n = [NonceSize]byte{}
	binary.BigEndian.PutUint64(n[3:11], index)
	if last {
		n[11] = 1
	}
}

// Writer encrypts a data file, writing the header at once and each 64 KiB
// chunk as soon as it knows the chunk is not the last. It buffers at most one
// chunk and allocates nothing per chunk. Close seals the final chunk, which
// holds the last 1..ChunkSize bytes, or nothing for an empty file. A Writer
// is not safe for concurrent use. Any error from dst is sticky.
type Writer struct {
	dst     io.Writer
	aead    cipher.AEAD
	aad     []byte
	buf     []byte // buffered plaintext; grows up to cap chunkCTSize so a chunk seals in place
	nonce   [NonceSize]byte
	counter uint64
	size    int64
	err     error
	closed  bool
}

// NewWriter writes a version 1 header to dst, naming kid, with a fresh random
// salt, and returns a Writer whose chunks are sealed under
// HKDF-SHA256(aek, salt, info) with id as associated data. The caller must
// Close it to seal the final chunk; without Close the file does not open.
func NewWriter(dst io.Writer, aek Key, kid KeyID, id FileID) (*Writer, error) {
	return newWriter(dst, aek, kid, id, rand.Reader)
}

// newWriter is NewWriter with the salt drawn from random; tests use it to
// make files reproducible.
func newWriter(dst io.Writer, aek Key, kid KeyID, id FileID, random io.Reader) (*Writer, error) {
	h := Header{Version: FormatVersion1, KeyID: kid, ChunkSize: ChunkSize}
	if _, err := io.ReadFull(random, h.Salt[:]); err != nil {
		return nil, fmt.Errorf("crypto: generate salt: %w", err)
	}
	aead, err := deriveAEAD(aek, &h, id)
	if err != nil {
		return nil, err
	}
	hdr := h.marshal()
	if err := writeFull(dst, hdr[:]); err != nil {
		return nil, fmt.Errorf("crypto: write header: %w", err)
	}
	return &Writer{
		dst:  dst,
		aead: aead,
		aad:  chunkAAD(&hdr, id),
	}, nil
}

// Write encrypts p. It returns len(p) unless an error occurs.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	total := 0
	for len(p) > 0 {
		if len(w.buf) == ChunkSize {
			// More data follows, so the buffered chunk is not the last.
			if err := w.seal(w.buf, false); err != nil {
				return total, err
			}
		}
		if len(w.buf) == 0 && len(p) > ChunkSize {
			// Fast path: seal straight from p into the buffer, no copy.
			if err := w.seal(p[:ChunkSize], false); err != nil {
				return total, err
			}
			p = p[ChunkSize:]
			total += ChunkSize
			w.size += ChunkSize
			continue
		}
		k := min(len(p), ChunkSize-len(w.buf))
		w.grow(k)
		copy(w.buf[len(w.buf):len(w.buf)+k], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		total += k
		w.size += int64(k)
	}
	return total, nil
}

// grow makes room for n more buffered bytes plus the tag, growing the
// buffer geometrically up to one sealed chunk, so a small file never pays
// for a 64 KiB buffer.
func (w *Writer) grow(n int) {
	need := len(w.buf) + n + TagSize
	if need <= cap(w.buf) {
		return
	}
	nb := make([]byte, len(w.buf), min(max(need, 2*cap(w.buf)), chunkCTSize))
	copy(nb, w.buf)
	clear(w.buf)
	w.buf = nb
}

// seal seals pt (the buffer itself, or caller bytes of a full chunk) as the
// next chunk into w.buf and writes it; w.buf is empty afterwards.
func (w *Writer) seal(pt []byte, last bool) error {
	if w.counter == math.MaxUint64 {
		// Unreachable (2^64 chunks), but a nonce must never repeat.
		w.err = errors.New("crypto: data file exceeds the chunk counter")
		return w.err
	}
	putNonce(&w.nonce, w.counter, last)
	out := w.aead.Seal(w.buf[:0], w.nonce[:], pt, w.aad)
	w.buf = out[:0] // Seal grew the buffer if it was too small for pt
	w.counter++
	if err := writeFull(w.dst, out); err != nil {
		w.err = fmt.Errorf("crypto: write chunk: %w", err)
		return w.err
	}
	return nil
}

// Close seals and writes the final chunk (empty if nothing was written). It
// does not close dst. Calling Close again returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	defer clear(w.buf[:cap(w.buf)])
	if w.err != nil {
		return w.err
	}
	return w.seal(w.buf, true)
}

// Size returns the number of plaintext bytes accepted so far.
func (w *Writer) Size() int64 { return w.size }

func writeFull(dst io.Writer, b []byte) error {
	n, err := dst.Write(b)
	if err != nil {
		return err
	}
	if n != len(b) {
		return io.ErrShortWrite
	}
	return nil
}

// Reader decrypts a data file with random access: ReadAt reads and
// authenticates only the chunks it covers, and returns only authenticated
// plaintext. The final chunk is authenticated (and kept) by NewReader, so a
// truncated or extended file fails to open. A Reader is safe for concurrent
// ReadAt calls: the AEAD and fields are read-only after NewReader and each
// call takes its own chunk buffer from a pool.
type Reader struct {
	src    io.ReaderAt
	aead   cipher.AEAD
	aad    []byte
	header Header
	size   int64  // plaintext size
	chunks int64  // number of chunks, >= 1
	last   []byte // authenticated plaintext of the final chunk
	bufs   sync.Pool
}

// chunkBuf is a pooled per-call buffer: one stored chunk and its nonce (kept
// here so the nonce does not escape to the heap per chunk).
// readBatch is how many whole chunks one ReadAt reads with a single read of
// its source: large sequential reads then cost one system call per batch
// instead of one per 64 KiB chunk.
const readBatch = 16

type chunkBuf struct {
	b     []byte
	nonce [NonceSize]byte
}

// NewReader opens the data file in src, whose stored size is ciphertextSize,
// with the AEK the header's KeyID names and the file's id. It validates the
// header, derives the data key and authenticates the final chunk. Errors wrap
// ErrMalformedHeader, ErrUnsupportedVersion, ErrTruncated (too short, or cut
// at a chunk boundary) or ErrAuthFailed (wrong key or id, changed or appended
// bytes), or are src's own read errors.
func NewReader(src io.ReaderAt, ciphertextSize int64, aek Key, id FileID) (*Reader, error) {
	h, err := ReadHeader(src)
	if err != nil {
		return nil, err
	}
	switch h.Version {
	case FormatVersion1:
		return newReaderV1(src, ciphertextSize, aek, id, h)
	default:
		// parseHeader already rejects unknown versions; keep the dispatch total.
		return nil, fmt.Errorf("crypto: format version %d: %w", h.Version, ErrUnsupportedVersion)
	}
}

func newReaderV1(src io.ReaderAt, ctSize int64, aek Key, id FileID, h Header) (*Reader, error) {
	if ctSize < HeaderSize+TagSize {
		return nil, fmt.Errorf("crypto: data file of %d bytes: %w", ctSize, ErrTruncated)
	}
	body := ctSize - HeaderSize
	chunks := body / chunkCTSize
	if body%chunkCTSize != 0 {
		chunks++
	}
	lastCT := body - (chunks-1)*chunkCTSize
	if lastCT < TagSize {
		// No writer output ends this way: bytes were cut or appended.
		return nil, fmt.Errorf("crypto: data file of %d bytes does not end on a chunk: %w", ctSize, ErrAuthFailed)
	}
	aead, err := deriveAEAD(aek, &h, id)
	if err != nil {
		return nil, err
	}
	hdr := h.marshal()
	r := &Reader{
		src:    src,
		aead:   aead,
		aad:    chunkAAD(&hdr, id),
		header: h,
		size:   body - chunks*TagSize,
		chunks: chunks,
	}
	r.bufs.New = func() any { return &chunkBuf{b: make([]byte, chunkCTSize)} }

	// Authenticate the final chunk now and keep its plaintext.
	lastOff := HeaderSize + (chunks-1)*chunkCTSize
	ct := make([]byte, lastCT)
	if err := readChunk(src, ct, lastOff); err != nil {
		return nil, err
	}
	var nonce [NonceSize]byte
	putNonce(&nonce, uint64(chunks-1), true)
	pt, err := aead.Open(ct[:0], nonce[:], ct, r.aad)
	if err != nil {
		if lastCT == chunkCTSize && r.isInnerChunk(uint64(chunks-1), lastOff) {
			return nil, fmt.Errorf("crypto: chunk %d is not the final chunk: %w", chunks-1, ErrTruncated)
		}
		return nil, fmt.Errorf("crypto: final chunk %d: %w", chunks-1, ErrAuthFailed)
	}
	if chunks > 1 && len(pt) == 0 {
		// The writer never ends a non-empty file with an empty chunk.
		return nil, fmt.Errorf("crypto: empty final chunk %d: %w", chunks-1, ErrAuthFailed)
	}
	r.last = pt
	return r, nil
}

// isInnerChunk reports whether the full chunk at off authenticates as a
// non-final chunk, which tells a file cut at a chunk boundary from garbage.
func (r *Reader) isInnerChunk(index uint64, off int64) bool {
	ct := make([]byte, chunkCTSize)
	if readChunk(r.src, ct, off) != nil {
		return false
	}
	var nonce [NonceSize]byte
	putNonce(&nonce, index, false)
	_, err := r.aead.Open(ct[:0], nonce[:], ct, r.aad)
	return err == nil
}

// readChunk reads len(b) bytes at off; a short source is ErrTruncated.
func readChunk(src io.ReaderAt, b []byte, off int64) error {
	n, err := src.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("crypto: read chunk at %d: %w", off, ErrTruncated)
	}
	return fmt.Errorf("crypto: read chunk at %d: %w", off, err)
}

// Header returns the file's (authenticated) header.
func (r *Reader) Header() Header { return r.header }

// Size returns the plaintext size.
func (r *Reader) Size() int64 { return r.size }

// ReadAt implements io.ReaderAt over the plaintext. It reads and decrypts
// only the chunks that [off, off+len(p)) covers. On an authentication failure
// it returns the bytes of the chunks before the bad one and an error wrapping
// ErrAuthFailed; p holds no unauthenticated bytes.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("crypto: ReadAt: negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	var eof error
	if int64(len(p)) > r.size-off {
		p = p[:r.size-off]
		eof = io.EOF
	}
	var cb *chunkBuf
	defer func() {
		if cb != nil {
			r.bufs.Put(cb)
		}
	}()
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		index := pos / ChunkSize
		within := int(pos % ChunkSize)
		if index == r.chunks-1 {
			n += copy(p[n:], r.last[within:])
			continue
		}
		if cb == nil {
			cb = r.bufs.Get().(*chunkBuf)
		}
		if within == 0 && len(p)-n >= ChunkSize {
			// Whole chunks land in p: read up to readBatch of them with one
			// read and decrypt each straight into p.
			k := min(int64(readBatch), int64((len(p)-n)/ChunkSize), r.chunks-1-index)
			if need := int(k) * chunkCTSize; cap(cb.b) < need {
				cb.b = make([]byte, need)
			}
			cts := cb.b[:k*chunkCTSize]
			if err := readChunk(r.src, cts, HeaderSize+index*chunkCTSize); err != nil {
				return n, err
			}
			for j := range k {
				putNonce(&cb.nonce, uint64(index+j), false)
				if _, err := r.aead.Open(p[n:n], cb.nonce[:], cts[j*chunkCTSize:(j+1)*chunkCTSize], r.aad); err != nil {
					clear(p[n : n+ChunkSize])
					return n, fmt.Errorf("crypto: chunk %d: %w", index+j, ErrAuthFailed)
				}
				n += ChunkSize
			}
			continue
		}
		ct := cb.b[:chunkCTSize]
		if err := readChunk(r.src, ct, HeaderSize+index*chunkCTSize); err != nil {
			return n, err
		}
		putNonce(&cb.nonce, uint64(index), false)
		pt, err := r.aead.Open(ct[:0], cb.nonce[:], ct, r.aad)
		if err != nil {
			return n, fmt.Errorf("crypto: chunk %d: %w", index, ErrAuthFailed)
		}
		n += copy(p[n:], pt[within:])
	}
	return n, eof
}
