package crypto

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// Fixed key and id, so that a fuzzer-found input that opens would have to be
// a forgery under a key the fuzzer never sees in the clear.
var (
	fuzzAEK = Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
	fuzzID  = FileID{0xf1, 0x1e}
)

// fixedRand yields the same bytes every time, so seeds built in the fuzz
// setup are identical in every fuzzing worker process.
type fixedRand struct{}

func (fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i) ^ 0x5a
	}
	return len(p), nil
}

// fuzzFile is what the writer makes of pt under fuzzAEK and fuzzID.
func fuzzFile(f *testing.F, pt []byte) []byte {
	var buf bytes.Buffer
	w, err := newWriter(&buf, fuzzAEK, testKID, fuzzID, fixedRand{})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := w.Write(pt); err != nil {
		f.Fatal(err)
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

func isSentinel(err error) bool {
	return errors.Is(err, ErrAuthFailed) || errors.Is(err, ErrTruncated) ||
		errors.Is(err, ErrUnsupportedVersion) || errors.Is(err, ErrMalformedHeader)
}

func FuzzReadHeader(f *testing.F) {
	valid := fuzzFile(f, []byte("x"))[:HeaderSize]
	f.Add(valid)
	f.Add([]byte{})
	f.Add([]byte("AZEF"))
	f.Add([]byte("AZEF\x02"))
	f.Add(append([]byte("AZEF\x01"), make([]byte, 100)...))
	f.Add(bytes.Repeat([]byte{0xff}, HeaderSize))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(bytes.NewReader(data))
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		// A header that parses is canonical: it re-encodes to the same bytes.
		if len(data) < HeaderSize {
			t.Fatalf("parsed a %d-byte header", len(data))
		}
		if enc := h.marshal(); !bytes.Equal(enc[:], data[:HeaderSize]) {
			t.Fatalf("header does not re-encode to its bytes")
		}
	})
}

func FuzzNewReader(f *testing.F) {
	var seeds [][]byte
	for _, n := range []int{0, 1, 100, ChunkSize, ChunkSize + 1, 2*ChunkSize + 7} {
		pt := bytes.Repeat([]byte{byte(n)}, n)
		ct := fuzzFile(f, pt)
		seeds = append(seeds, ct)
		f.Add(ct)
	}
	f.Add([]byte{})
	f.Add([]byte("AZEF\x01"))
	f.Add(append(bytes.Clone(seeds[1]), 0))
	f.Add(seeds[4][:HeaderSize+chunkCTSize])
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), int64(len(data)), fuzzAEK, fuzzID)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		pt, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
		if err != nil {
			if !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("read error %v is not ErrAuthFailed", err)
			}
			return
		}
		// Only the writer's own output may decrypt in full.
		for _, s := range seeds {
			if bytes.Equal(s, data) {
				if CiphertextSize(int64(len(pt))) != int64(len(data)) {
					t.Fatalf("size mismatch")
				}
				return
			}
		}
		t.Fatalf("forged data file of %d bytes decrypted", len(data))
	})
}

func FuzzOpen(f *testing.F) {
	aad := []byte("aad")
	var seeds [][]byte
	for _, pt := range [][]byte{nil, []byte("k"), bytes.Repeat([]byte{9}, KeySize)} {
		s, err := seal(fuzzAEK, pt, aad, fixedRand{})
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, s)
		f.Add(s, aad)
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1}, aad)
	f.Add([]byte{2, 0, 0}, aad)
	f.Add(make([]byte, SealOverhead), []byte{})
	f.Fuzz(func(t *testing.T, sealed, a []byte) {
		pt, err := Open(fuzzAEK, sealed, a)
		if err != nil {
			if pt != nil {
				t.Fatalf("plaintext returned with error")
			}
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if !bytes.Equal(a, aad) {
			t.Fatalf("opened under the wrong aad")
		}
		for _, s := range seeds {
			if bytes.Equal(s, sealed) {
				return
			}
		}
		t.Fatalf("forged sealed message opened")
	})
}
