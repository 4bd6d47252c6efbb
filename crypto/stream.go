package crypto

import (
	"errors"
	"io"
)

// Writer encrypts a data file (stub).
type Writer struct{ n int64 }

// NewWriter starts a data file (stub).
func NewWriter(dst io.Writer, aek Key, kid KeyID, id FileID) (*Writer, error) {
	return nil, errors.New("not implemented")
}

// Write buffers and seals plaintext.
func (w *Writer) Write(p []byte) (int, error) { return 0, errors.New("not implemented") }

// Close seals the final chunk.
func (w *Writer) Close() error { return errors.New("not implemented") }

// Size returns plaintext bytes written so far.
func (w *Writer) Size() int64 { return w.n }

// Header is the decoded data-file header.
type Header struct {
	Version   uint8
	KeyID     KeyID
	ChunkSize uint32
	Salt      [32]byte
}

// ReadHeader reads and validates a data-file header.
func ReadHeader(src io.ReaderAt) (Header, error) { return Header{}, errors.New("not implemented") }

// Reader decrypts a data file with random access.
type Reader struct{ size int64 }

// NewReader opens a data file.
func NewReader(src io.ReaderAt, ciphertextSize int64, aek Key, id FileID) (*Reader, error) {
	return nil, errors.New("not implemented")
}

// ReadAt implements io.ReaderAt over the plaintext.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) { return 0, errors.New("not implemented") }

// Size returns the plaintext size.
func (r *Reader) Size() int64 { return r.size }

// CiphertextSize returns the data-file size for a plaintext size.
func CiphertextSize(plaintextSize int64) int64 { return 0 }
