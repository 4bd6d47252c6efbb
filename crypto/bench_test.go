package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"io"
	"testing"
)

// BenchmarkAESGCM is the ceiling: raw one-core AES-256-GCM Seal of one 64 KiB
// chunk in place, with nothing else around it.
func BenchmarkAESGCM(b *testing.B) {
	k := mustKey(b)
	block, err := aes.NewCipher(k[:])
	if err != nil {
		b.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, ChunkSize, chunkCTSize)
	nonce := make([]byte, NonceSize)
	aad := make([]byte, aadSize)
	b.SetBytes(ChunkSize)
	b.ReportAllocs()
	for b.Loop() {
		aead.Seal(buf[:0], nonce, buf[:ChunkSize], aad)
	}
}

// BenchmarkWriter encrypts 1 MiB per iteration through one long-lived Writer
// into io.Discard.
func BenchmarkWriter(b *testing.B) {
	aek := mustKey(b)
	w, err := NewWriter(io.Discard, aek, testKID, mustFileID(b))
	if err != nil {
		b.Fatal(err)
	}
	p := make([]byte, 1<<20)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Write(p); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReaderReadAt reads an 8 MiB file from memory through ReadAt:
// 1 MiB chunk-aligned reads, and 64 KiB reads that straddle two chunks.
func BenchmarkReaderReadAt(b *testing.B) {
	aek := mustKey(b)
	id := mustFileID(b)
	const size = 8 << 20
	ct := encrypt(b, aek, id, make([]byte, size))
	r, err := NewReader(bytes.NewReader(ct), int64(len(ct)), aek, id)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		n     int
		shift int64
	}{{"1MiB-aligned", 1 << 20, 0}, {"64KiB-unaligned", ChunkSize, ChunkSize / 2}} {
		b.Run(bc.name, func(b *testing.B) {
			p := make([]byte, bc.n)
			b.SetBytes(int64(bc.n))
			b.ReportAllocs()
			var off int64
			for b.Loop() {
				if _, err := r.ReadAt(p, off+bc.shift); err != nil {
					b.Fatal(err)
				}
				off = (off + int64(bc.n)) % (size - 2*int64(bc.n))
			}
		})
	}
}
