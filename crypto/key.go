package crypto

import (
	"crypto/rand"
	"errors"
	"io"
)

// KeySize is the size in bytes of every symmetric key in azemu (AES-256).
const KeySize = 32

// Key is a 256-bit symmetric key.
type Key [KeySize]byte

// NewKey returns a fresh random key from crypto/rand.
func NewKey() (Key, error) {
	var k Key
	if _, err := io.ReadFull(rand.Reader, k[:]); err != nil {
		return Key{}, err
	}
	return k, nil
}

// FileID identifies one data file; it is bound into every chunk as associated data.
type FileID [16]byte

// NewFileID returns a fresh random file id.
func NewFileID() (FileID, error) {
	var id FileID
	if _, err := io.ReadFull(rand.Reader, id[:]); err != nil {
		return FileID{}, err
	}
	return id, nil
}

// KeyID names which account encryption key sealed a file. It is opaque to crypto.
type KeyID [16]byte

// Sentinel errors; compare with errors.Is.
var (
	ErrAuthFailed         = errors.New("crypto: message authentication failed")
	ErrTruncated          = errors.New("crypto: ciphertext truncated")
	ErrUnsupportedVersion = errors.New("crypto: unsupported format version")
	ErrMalformedHeader    = errors.New("crypto: malformed header")
)

// Seal encrypts small secrets with AES-256-GCM. (stub)
func Seal(key Key, plaintext, aad []byte) ([]byte, error) { return nil, errors.New("not implemented") }

// Open decrypts what Seal produced. (stub)
func Open(key Key, sealed, aad []byte) ([]byte, error) { return nil, errors.New("not implemented") }
