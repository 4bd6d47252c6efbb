package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// KeySize is the size in bytes of every symmetric key in azemu (AES-256).
const KeySize = 32

// Key is a 256-bit symmetric key: the root key, an account encryption key
// (AEK) or a key derived from one. Key deliberately prints as "[REDACTED]"
// under every fmt verb and in slog, so key bytes cannot leak into logs by
// accident; use k[:] to reach the bytes.
type Key [KeySize]byte

// NewKey returns a fresh random key from crypto/rand.
func NewKey() (Key, error) {
	var k Key
	if _, err := io.ReadFull(rand.Reader, k[:]); err != nil {
		return Key{}, fmt.Errorf("crypto: generate key: %w", err)
	}
	return k, nil
}

// KeyFromBytes copies a KeySize-byte slice (for example an unwrapped AEK)
// into a Key. Any other length is an error.
func KeyFromBytes(b []byte) (Key, error) {
	var k Key
	if len(b) != KeySize {
		return Key{}, fmt.Errorf("crypto: key must be %d bytes, got %d", KeySize, len(b))
	}
	copy(k[:], b)
	return k, nil
}

// Format implements fmt.Formatter so that %v, %x, %s, %#v and friends never
// print key material.
func (Key) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }

// LogValue implements slog.LogValuer so that keys never reach a log.
func (Key) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// IDSize is the size in bytes of FileID and KeyID.
const IDSize = 16

// FileID identifies one data file. It is mixed into the file's data key and
// bound into every chunk as associated data, so a file renamed onto another
// id fails to decrypt.
type FileID [IDSize]byte

// NewFileID returns a fresh random file id from crypto/rand.
func NewFileID() (FileID, error) {
	var id FileID
	if _, err := io.ReadFull(rand.Reader, id[:]); err != nil {
		return FileID{}, fmt.Errorf("crypto: generate file id: %w", err)
	}
	return id, nil
}

// String returns the id as 32 lowercase hex digits (safe to use in file names).
func (id FileID) String() string { return hex.EncodeToString(id[:]) }

// ParseFileID parses the form String returns.
func ParseFileID(s string) (FileID, error) {
	var id FileID
	if len(s) != 2*IDSize {
		return FileID{}, fmt.Errorf("crypto: file id must be %d hex digits", 2*IDSize)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return FileID{}, fmt.Errorf("crypto: file id: %w", err)
	}
	return id, nil
}

// KeyID names which account encryption key sealed a data file. It is stored in
// the clear in the file header so the owner can find the right AEK; crypto
// treats it as opaque bytes (but authenticates it).
type KeyID [IDSize]byte

// NewKeyID returns a fresh random key id from crypto/rand.
func NewKeyID() (KeyID, error) {
	id, err := NewFileID()
	return KeyID(id), err
}

// String returns the id as 32 lowercase hex digits.
func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// ParseKeyID parses the form String returns.
func ParseKeyID(s string) (KeyID, error) {
	id, err := ParseFileID(s)
	return KeyID(id), err
}

// Sentinel errors. Every failure of Open, ReadHeader, NewReader and
// Reader.ReadAt wraps exactly one of them; compare with errors.Is.
var (
	// ErrAuthFailed means a tag did not verify: wrong key, wrong file id or
	// associated data, or bytes that were changed, reordered or appended.
	ErrAuthFailed = errors.New("crypto: message authentication failed")
	// ErrTruncated means the input is shorter than the format requires, or
	// the final chunk is provably a non-final chunk (the file was cut at a
	// chunk boundary).
	ErrTruncated = errors.New("crypto: ciphertext truncated")
	// ErrUnsupportedVersion means a version byte this build does not know.
	ErrUnsupportedVersion = errors.New("crypto: unsupported format version")
	// ErrMalformedHeader means a data-file header that is not well formed
	// (bad magic, nonzero reserved bytes, unsupported chunk size).
	ErrMalformedHeader = errors.New("crypto: malformed header")
	// ErrClosed is returned by Writer methods after Close.
	ErrClosed = errors.New("crypto: writer closed")
)

// Seal format constants (see doc.go).
const (
	// SealVersion1 is the only Seal format so far: AES-256-GCM, random nonce.
	SealVersion1 byte = 1
	// NonceSize is the AES-GCM nonce size used by every format (96 bits).
	NonceSize = 12
	// TagSize is the AES-GCM tag size used by every format (128 bits).
	TagSize = 16
	// SealOverhead is len(Seal(k, p, a)) - len(p).
	SealOverhead = 1 + NonceSize + TagSize
)

// Seal encrypts a small secret (a wrapped AEK, vault key material, sealed
// metadata) with AES-256-GCM under key and a fresh random 96-bit nonce,
// authenticating aad as well. The result is
// version(1) || nonce(12) || ciphertext || tag(16); the version byte is also
// authenticated. Random nonces limit one key to about 2^32 Seal calls, which is
// far beyond what azemu does with any single key.
func Seal(key Key, plaintext, aad []byte) ([]byte, error) {
	return seal(key, plaintext, aad, rand.Reader)
}

// seal is Seal with the nonce drawn from random; tests use it to make sealed
// messages reproducible.
func seal(key Key, plaintext, aad []byte, random io.Reader) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+NonceSize, SealOverhead+len(plaintext))
	out[0] = SealVersion1
	if _, err := io.ReadFull(random, out[1:1+NonceSize]); err != nil {
		return nil, fmt.Errorf("crypto: generate nonce: %w", err)
	}
	return aead.Seal(out, out[1:1+NonceSize], plaintext, sealAAD(SealVersion1, aad)), nil
}

// Open authenticates and decrypts what Seal produced with the same key and
// aad. It returns ErrUnsupportedVersion for an unknown version byte,
// ErrTruncated for input too short to hold a nonce and tag, and ErrAuthFailed
// for anything else that does not verify. It never returns partial plaintext.
func Open(key Key, sealed, aad []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, fmt.Errorf("crypto: open: empty input: %w", ErrTruncated)
	}
	switch v := sealed[0]; v {
	case SealVersion1:
		if len(sealed) < SealOverhead {
			return nil, fmt.Errorf("crypto: open: %d bytes is shorter than the %d-byte overhead: %w", len(sealed), SealOverhead, ErrTruncated)
		}
		aead, err := newGCM(key)
		if err != nil {
			return nil, err
		}
		nonce, ct := sealed[1:1+NonceSize], sealed[1+NonceSize:]
		pt, err := aead.Open(make([]byte, 0, len(ct)-TagSize), nonce, ct, sealAAD(v, aad))
		if err != nil {
			return nil, fmt.Errorf("crypto: open: %w", ErrAuthFailed)
		}
		return pt, nil
	default:
		return nil, fmt.Errorf("crypto: open: seal version %d: %w", v, ErrUnsupportedVersion)
	}
}

// sealAAD is the GCM associated data of a sealed secret: the version byte
// followed by the caller's aad, so the version cannot be swapped.
func sealAAD(version byte, aad []byte) []byte {
	a := make([]byte, 0, 1+len(aad))
	a = append(a, version)
	return append(a, aad...)
}

func newGCM(key Key) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("crypto: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("crypto: gcm: %w", err)
	}
	return aead, nil
}
