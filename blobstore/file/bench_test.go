package file

import (
	"bytes"
	"io"
	mrand "math/rand/v2"
	"testing"

	"github.com/azemu/azemu/blobstore"
)

// BenchmarkFileSequentialUpload writes a 64 MiB file in 4 MiB Put Ranges.
func BenchmarkFileSequentialUpload(b *testing.B) {
	e := newFSEnv(b, nil)
	e.mkShare("bench")
	const size, chunk = 64 << 20, 4 << 20
	data := bytes.Repeat([]byte{0x5A}, chunk)
	ref := fref("bench", "up")
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.mkFile(ref, size)
		for off := int64(0); off < size; off += chunk {
			if _, err := e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: off, Length: chunk, Body: bytes.NewReader(data)}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFileSequentialDownload reads a 64 MiB file (16 extents) through
// the decrypting ReaderAt.
func BenchmarkFileSequentialDownload(b *testing.B) {
	e := newFSEnv(b, nil)
	e.mkShare("bench")
	const size, chunk = 64 << 20, 4 << 20
	data := bytes.Repeat([]byte{0x5A}, chunk)
	ref := fref("bench", "down")
	e.mkFile(ref, size)
	for off := int64(0); off < size; off += chunk {
		e.write(ref, off, data)
	}
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := e.s.GetFile(e.ctx, ref, "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, io.NewSectionReader(r, 0, size), buf); err != nil {
			b.Fatal(err)
		}
		_ = r.Close()
	}
}

// BenchmarkFileRandomPutRange4K overwrites random 4 KiB-aligned ranges of a
// 64 MiB file (one new data file and one extent-map transaction each).
func BenchmarkFileRandomPutRange4K(b *testing.B) {
	e := newFSEnv(b, nil)
	e.mkShare("bench")
	const size = 64 << 20
	ref := fref("bench", "rand")
	e.mkFile(ref, size)
	data := bytes.Repeat([]byte{0xA5}, 4096)
	rng := mrand.New(mrand.NewPCG(3, 4))
	b.SetBytes(4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := rng.Int64N(size/4096) * 4096
		if _, err := e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: off, Length: 4096, Body: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
	}
}
