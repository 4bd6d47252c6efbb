package crypto

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testKID = KeyID{0x6b, 0x69, 0x64}

func randBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func mustFileID(t testing.TB) FileID {
	t.Helper()
	id, err := NewFileID()
	require.NoError(t, err)
	return id
}

// encrypt writes pt through a Writer in one Write call.
func encrypt(t testing.TB, aek Key, id FileID, pt []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, aek, testKID, id)
	require.NoError(t, err)
	n, err := w.Write(pt)
	require.NoError(t, err)
	require.Equal(t, len(pt), n)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func open(ct []byte, aek Key, id FileID) (*Reader, error) {
	return NewReader(bytes.NewReader(ct), int64(len(ct)), aek, id)
}

// readAll reads the whole plaintext through ReadAt.
func readAll(r *Reader) ([]byte, error) {
	return io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
}

func TestRoundTripSizes(t *testing.T) {
	aek := mustKey(t)
	sizes := []int{0, 1, 100, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 2*ChunkSize + 1, 3 << 20}
	for _, size := range sizes {
		pt := randBytes(t, size)
		id := mustFileID(t)
		ct := encrypt(t, aek, id, pt)
		assert.Equal(t, CiphertextSize(int64(size)), int64(len(ct)), "size %d", size)

		r, err := open(ct, aek, id)
		require.NoError(t, err, "size %d", size)
		assert.Equal(t, int64(size), r.Size())
		got, err := readAll(r)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(pt, got), "size %d", size)
		assert.Equal(t, testKID, r.Header().KeyID)
	}
}

func TestCiphertextSize(t *testing.T) {
	tests := []struct {
		plaintext, want int64
	}{
		{0, HeaderSize + TagSize},
		{1, HeaderSize + 1 + TagSize},
		{ChunkSize - 1, HeaderSize + ChunkSize - 1 + TagSize},
		{ChunkSize, HeaderSize + ChunkSize + TagSize},
		{ChunkSize + 1, HeaderSize + ChunkSize + 1 + 2*TagSize},
		{3 << 20, HeaderSize + 3<<20 + 48*TagSize},
		{-1, -1},
		{1<<63 - 1, -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CiphertextSize(tt.plaintext), "plaintext %d", tt.plaintext)
	}
}

// TestWriterSplitWrites checks that any way of splitting the input gives the
// same plaintext back, and that Size tracks what was written.
func TestWriterSplitWrites(t *testing.T) {
	aek := mustKey(t)
	pt := randBytes(t, 3*ChunkSize+123)
	splits := map[string][]int{
		"bytewise-small": {1, 1, 1, 1},
		"odd":            {7, ChunkSize - 7, 1, ChunkSize, ChunkSize + 5},
		"exact chunks":   {ChunkSize, ChunkSize, ChunkSize},
		"big then small": {2*ChunkSize + 1, 3},
		"with empties":   {0, 10, 0, ChunkSize, 0},
	}
	for name, split := range splits {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			id := mustFileID(t)
			w, err := NewWriter(&buf, aek, testKID, id)
			require.NoError(t, err)
			written := 0
			for _, n := range split {
				n = min(n, len(pt)-written)
				k, err := w.Write(pt[written : written+n])
				require.NoError(t, err)
				require.Equal(t, n, k)
				written += n
				assert.Equal(t, int64(written), w.Size())
			}
			require.NoError(t, w.Close())
			r, err := open(buf.Bytes(), aek, id)
			require.NoError(t, err)
			got, err := readAll(r)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(pt[:written], got))
			assert.Equal(t, CiphertextSize(int64(written)), int64(buf.Len()))
		})
	}
}

func TestWriterCloseAndErrors(t *testing.T) {
	aek := mustKey(t)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, aek, testKID, mustFileID(t))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.NoError(t, w.Close(), "second Close")
	_, err = w.Write([]byte("x"))
	assert.ErrorIs(t, err, ErrClosed)

	boom := errors.New("disk full")
	_, err = NewWriter(failWriter{err: boom}, aek, testKID, mustFileID(t))
	assert.ErrorIs(t, err, boom)

	fw := &failAfter{n: HeaderSize, err: boom}
	w, err = NewWriter(fw, aek, testKID, mustFileID(t))
	require.NoError(t, err)
	_, err = w.Write(make([]byte, 3*ChunkSize))
	assert.ErrorIs(t, err, boom)
	_, err = w.Write([]byte("x"))
	assert.ErrorIs(t, err, boom, "errors are sticky")
	assert.ErrorIs(t, w.Close(), boom)

	w, err = NewWriter(&shortWriter{}, aek, testKID, mustFileID(t))
	assert.ErrorIs(t, err, io.ErrShortWrite)
	assert.Nil(t, w)
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, f.err
	}
	f.n -= len(p)
	return len(p), nil
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestSameInputGivesDifferentFiles(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	pt := []byte("same plaintext, same key, same id")
	a, b := encrypt(t, aek, id, pt), encrypt(t, aek, id, pt)
	assert.NotEqual(t, a[HeaderSize:], b[HeaderSize:], "a fresh salt gives a fresh data key")
	assert.NotContains(t, string(a), string(pt))
}

func TestReadAtRandomRanges(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	pt := randBytes(t, 3<<20+777)
	r, err := open(encrypt(t, aek, id, pt), aek, id)
	require.NoError(t, err)
	size := int64(len(pt))

	rng := mrand.New(mrand.NewPCG(1, 2))
	for range 300 {
		off := rng.Int64N(size)
		n := rng.IntN(3*ChunkSize + 2)
		p := make([]byte, n)
		got, err := r.ReadAt(p, off)
		want := min(int64(n), size-off)
		require.Equal(t, int(want), got, "off %d len %d", off, n)
		if int64(n) > size-off {
			require.ErrorIs(t, err, io.EOF)
		} else {
			require.NoError(t, err, "off %d len %d", off, n)
		}
		require.True(t, bytes.Equal(pt[off:off+want], p[:got]), "off %d len %d", off, n)
	}

	// Edges: every chunk boundary, the end, past the end, negative offsets.
	for _, off := range []int64{0, ChunkSize - 1, ChunkSize, 2*ChunkSize - 1, size - 1} {
		p := make([]byte, 2)
		n, err := r.ReadAt(p, off)
		if off == size-1 {
			assert.Equal(t, 1, n)
			assert.ErrorIs(t, err, io.EOF)
		} else {
			assert.Equal(t, 2, n)
			assert.NoError(t, err)
		}
		assert.Equal(t, pt[off:off+int64(n)], p[:n])
	}
	n, err := r.ReadAt(make([]byte, 1), size)
	assert.Equal(t, 0, n)
	assert.ErrorIs(t, err, io.EOF)
	n, err = r.ReadAt(make([]byte, 1), size+1000)
	assert.Equal(t, 0, n)
	assert.ErrorIs(t, err, io.EOF)
	_, err = r.ReadAt(make([]byte, 1), -1)
	assert.Error(t, err)
	n, err = r.ReadAt(nil, 5)
	assert.Equal(t, 0, n)
	assert.NoError(t, err)
}

func TestReadAtConcurrent(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	pt := randBytes(t, 1<<20+99)
	r, err := open(encrypt(t, aek, id, pt), aek, id)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(g), 9))
			for range 50 {
				off := rng.Int64N(int64(len(pt)))
				p := make([]byte, rng.IntN(2*ChunkSize)+1)
				n, err := r.ReadAt(p, off)
				if err != nil && !errors.Is(err, io.EOF) {
					errs <- err
					return
				}
				if !bytes.Equal(pt[off:off+int64(n)], p[:n]) {
					errs <- errors.New("mismatch")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestReadHeader(t *testing.T) {
	aek := mustKey(t)
	ct := encrypt(t, aek, mustFileID(t), []byte("hello"))
	h, err := ReadHeader(bytes.NewReader(ct))
	require.NoError(t, err)
	assert.Equal(t, FormatVersion1, h.Version)
	assert.Equal(t, testKID, h.KeyID)
	assert.Equal(t, uint32(ChunkSize), h.ChunkSize)
	assert.NotEqual(t, [SaltSize]byte{}, h.Salt)
	assert.Equal(t, "AZEF", string(ct[:4]))

	withVersion := func(v byte) []byte {
		b := bytes.Clone(ct)
		b[offVersion] = v
		return b
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"empty", nil, ErrTruncated},
		{"magic prefix", ct[:2], ErrTruncated},
		{"magic only", ct[:4], ErrTruncated},
		{"half header", ct[:HeaderSize/2], ErrTruncated},
		{"one short", ct[:HeaderSize-1], ErrTruncated},
		{"bad magic", append([]byte("AZEX"), ct[4:]...), ErrMalformedHeader},
		{"bad magic prefix", []byte("Z"), ErrMalformedHeader},
		{"version 0", withVersion(0), ErrUnsupportedVersion},
		{"version 2", withVersion(2), ErrUnsupportedVersion},
		{"version 2 short", withVersion(2)[:5], ErrUnsupportedVersion},
		{"version 255", withVersion(255), ErrUnsupportedVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadHeader(bytes.NewReader(tt.data))
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}

	boom := errors.New("io")
	_, err = ReadHeader(errReaderAt{boom})
	assert.ErrorIs(t, err, boom)
}

type errReaderAt struct{ err error }

func (e errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, e.err }

// chunkAt returns the [start, end) of stored chunk i of a file with n chunks.
func chunkAt(ct []byte, i int) (int, int) {
	start := HeaderSize + i*chunkCTSize
	return start, min(start+chunkCTSize, len(ct))
}

// TestTamperFailsClosed changes a three-chunk file in every way the format
// must catch. Changes to the header or the final chunk fail NewReader;
// changes to an inner chunk fail the ReadAt that covers it.
func TestTamperFailsClosed(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	pt := randBytes(t, 2*ChunkSize+1000)
	ct := encrypt(t, aek, id, pt)
	require.Equal(t, HeaderSize+2*chunkCTSize+1000+TagSize, len(ct))
	otherFile := encrypt(t, aek, id, pt) // same key, id and plaintext; other salt

	flip := func(i int) func([]byte) []byte {
		return func(b []byte) []byte { b[i] ^= 0x01; return b }
	}
	c0s, c0e := chunkAt(ct, 0)
	c1s, c1e := chunkAt(ct, 1)
	c2s, c2e := chunkAt(ct, 2)

	tests := []struct {
		name   string
		mutate func([]byte) []byte
		// openErr is the error NewReader must give; nil means it opens and
		// readErr is what reading the whole file must give.
		openErr, readErr error
		key              *Key
		id               *FileID
	}{
		{name: "flip magic", mutate: flip(0), openErr: ErrMalformedHeader},
		{name: "flip version", mutate: flip(offVersion), openErr: ErrUnsupportedVersion},
		{name: "flip reserved1", mutate: flip(offReserved1), openErr: ErrMalformedHeader},
		{name: "flip chunk size", mutate: flip(offChunkSize + 3), openErr: ErrMalformedHeader},
		{name: "flip key id", mutate: flip(offKeyID), openErr: ErrAuthFailed},
		{name: "flip salt", mutate: flip(offSalt + 31), openErr: ErrAuthFailed},
		{name: "flip reserved2", mutate: flip(HeaderSize - 1), openErr: ErrMalformedHeader},
		{name: "flip first chunk body first byte", mutate: flip(c0s), readErr: ErrAuthFailed},
		{name: "flip first chunk body middle", mutate: flip(c0s + ChunkSize/2), readErr: ErrAuthFailed},
		{name: "flip first chunk tag", mutate: flip(c0e - 1), readErr: ErrAuthFailed},
		{name: "flip inner chunk body", mutate: flip(c1s + 5), readErr: ErrAuthFailed},
		{name: "flip inner chunk tag", mutate: flip(c1e - TagSize), readErr: ErrAuthFailed},
		{name: "flip final chunk body", mutate: flip(c2s), openErr: ErrAuthFailed},
		{name: "flip final chunk tag", mutate: flip(c2e - 1), openErr: ErrAuthFailed},
		{name: "truncate at chunk boundary 2", mutate: func(b []byte) []byte { return b[:c2s] }, openErr: ErrTruncated},
		{name: "truncate at chunk boundary 1", mutate: func(b []byte) []byte { return b[:c1s] }, openErr: ErrTruncated},
		{name: "truncate to header", mutate: func(b []byte) []byte { return b[:HeaderSize] }, openErr: ErrTruncated},
		{name: "truncate into header", mutate: func(b []byte) []byte { return b[:HeaderSize-1] }, openErr: ErrTruncated},
		{name: "truncate to header plus tag", mutate: func(b []byte) []byte { return b[:HeaderSize+TagSize] }, openErr: ErrAuthFailed},
		{name: "truncate mid final chunk", mutate: func(b []byte) []byte { return b[:c2s+500] }, openErr: ErrAuthFailed},
		{name: "truncate mid inner chunk", mutate: func(b []byte) []byte { return b[:c1s+500] }, openErr: ErrAuthFailed},
		{name: "truncate final tag by one", mutate: func(b []byte) []byte { return b[:len(b)-1] }, openErr: ErrAuthFailed},
		{name: "truncate just after boundary", mutate: func(b []byte) []byte { return b[:c1s+3] }, openErr: ErrAuthFailed},
		{name: "drop inner chunk", mutate: func(b []byte) []byte { return append(b[:c1s:c1s], b[c1e:]...) }, openErr: ErrAuthFailed},
		{name: "drop first chunk", mutate: func(b []byte) []byte { return append(b[:c0s:c0s], b[c0e:]...) }, openErr: ErrAuthFailed},
		{name: "drop final chunk", mutate: func(b []byte) []byte { return b[:c2s] }, openErr: ErrTruncated},
		{name: "swap chunks 0 and 1", mutate: func(b []byte) []byte {
			out := append([]byte{}, b[:c0s]...)
			out = append(out, b[c1s:c1e]...)
			out = append(out, b[c0s:c0e]...)
			return append(out, b[c2s:]...)
		}, readErr: ErrAuthFailed},
		{name: "swap inner and final", mutate: func(b []byte) []byte {
			out := append([]byte{}, b[:c1s]...)
			out = append(out, b[c2s:c2e]...)
			return append(out, b[c1s:c1e]...)
		}, openErr: ErrAuthFailed},
		{name: "duplicate chunk 0", mutate: func(b []byte) []byte {
			out := append([]byte{}, b[:c1s]...)
			out = append(out, b[c0s:c0e]...)
			return append(out, b[c1s:]...)
		}, openErr: ErrAuthFailed},
		{name: "append one byte", mutate: func(b []byte) []byte { return append(b, 0) }, openErr: ErrAuthFailed},
		{name: "append a tag's worth", mutate: func(b []byte) []byte { return append(b, make([]byte, TagSize)...) }, openErr: ErrAuthFailed},
		{name: "append copy of chunk 0", mutate: func(b []byte) []byte { return append(b, b[c0s:c0e]...) }, openErr: ErrAuthFailed},
		{name: "splice chunk from other file", mutate: func(b []byte) []byte {
			copy(b[c0s:c0e], otherFile[c0s:c0e])
			return b
		}, readErr: ErrAuthFailed},
		{name: "header from other file", mutate: func(b []byte) []byte {
			copy(b, otherFile[:HeaderSize])
			return b
		}, openErr: ErrAuthFailed},
		{name: "wrong key", key: new(mustKey(t)), openErr: ErrAuthFailed},
		{name: "wrong file id", id: new(mustFileID(t)), openErr: ErrAuthFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(ct)
			if tt.mutate != nil {
				bad = tt.mutate(bad)
			}
			k, fid := aek, id
			if tt.key != nil {
				k = *tt.key
			}
			if tt.id != nil {
				fid = *tt.id
			}
			r, err := open(bad, k, fid)
			if tt.openErr != nil {
				assert.ErrorIs(t, err, tt.openErr)
				assert.Nil(t, r)
				return
			}
			require.NoError(t, err)
			got, err := readAll(r)
			assert.ErrorIs(t, err, tt.readErr)
			// Whatever was returned before the failure is authentic.
			assert.True(t, bytes.Equal(pt[:len(got)], got))
		})
	}
}

// TestReadAtNeverLeaksUnauthenticatedBytes reads a tampered chunk straight
// into the caller's buffer (the zero-copy path) and checks no byte of it is
// left behind.
func TestReadAtNeverLeaksUnauthenticatedBytes(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	pt := bytes.Repeat([]byte{0xAA}, 3*ChunkSize)
	ct := encrypt(t, aek, id, pt)
	ct[HeaderSize+chunkCTSize+100] ^= 0xFF // chunk 1 body
	r, err := open(ct, aek, id)
	require.NoError(t, err)

	for _, tc := range []struct {
		off   int64
		len   int
		wantN int
	}{{0, 2 * ChunkSize, ChunkSize}, {ChunkSize, ChunkSize, 0}, {ChunkSize + 10, 100, 0}, {10, 2 * ChunkSize, ChunkSize - 10}} {
		p := make([]byte, tc.len)
		n, err := r.ReadAt(p, tc.off)
		require.ErrorIs(t, err, ErrAuthFailed)
		assert.Equal(t, tc.wantN, n)
		assert.True(t, bytes.Equal(pt[tc.off:tc.off+int64(n)], p[:n]))
		assert.True(t, allZero(p[n:]), "bytes after the failure must stay untouched or zero")
	}
	// Chunks that are intact still read.
	p := make([]byte, 10)
	_, err = r.ReadAt(p, 2*ChunkSize+5)
	require.NoError(t, err)
	assert.Equal(t, pt[:10], p)
}

func TestNewReaderSourceShorterThanClaimed(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	ct := encrypt(t, aek, id, randBytes(t, 2*ChunkSize+1))
	_, err := NewReader(bytes.NewReader(ct[:len(ct)-10]), int64(len(ct)), aek, id)
	assert.ErrorIs(t, err, ErrTruncated)

	// The file shrinks after NewReader: ReadAt reports truncation.
	src := &shrinkable{b: ct}
	r, err := NewReader(src, int64(len(ct)), aek, id)
	require.NoError(t, err)
	src.b = src.b[:HeaderSize+10]
	_, err = r.ReadAt(make([]byte, 10), 0)
	assert.ErrorIs(t, err, ErrTruncated)

	boom := errors.New("io")
	src.b, src.err = ct, boom
	_, err = r.ReadAt(make([]byte, 10), 0)
	assert.ErrorIs(t, err, boom)
}

type shrinkable struct {
	b   []byte
	err error
}

func (s *shrinkable) ReadAt(p []byte, off int64) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	return bytes.NewReader(s.b).ReadAt(p, off)
}

// TestNewReaderClaimedSizes feeds NewReader stored sizes that do not match the
// source, including absurd ones; it must fail with a sentinel, never panic or
// allocate by the claimed size.
func TestNewReaderClaimedSizes(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	ct := encrypt(t, aek, id, randBytes(t, ChunkSize+10))
	for _, size := range []int64{-1, 0, HeaderSize, HeaderSize + TagSize - 1, int64(len(ct)) - 1, int64(len(ct)) + 1,
		int64(len(ct)) + chunkCTSize, 1 << 40, 1<<63 - 1} {
		r, err := NewReader(bytes.NewReader(ct), size, aek, id)
		assert.Nil(t, r, "size %d", size)
		assert.True(t, isSentinel(err), "size %d: %v", size, err)
	}
}
