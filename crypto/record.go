package crypto

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Authenticated records (see doc.go, "Authenticated records").
const (
	// RecordMagic is the first byte of an authenticated record. Records
	// written before authentication start with '{' (JSON) or a small
	// binary format tag, never with it.
	RecordMagic byte = 0xA7
	// RecordVersion1 is the only authenticated-record format so far.
	RecordVersion1 byte = 1
	// RecordTagSize is the HMAC-SHA256 tag size.
	RecordTagSize = sha256.Size
	// RecordOverhead is len(Authenticate(path, v)) - len(v).
	RecordOverhead = 2 + RecordTagSize
	// recordKeyInfo is the HKDF info of the record authentication key.
	recordKeyInfo = "azemu metadata record authentication key v1"
)

// ErrUnauthenticated means a record carries no authentication envelope at
// all: it was written before records were authenticated, or the envelope
// was stripped.
var ErrUnauthenticated = errors.New("crypto: record is not authenticated")

// RecordAuth authenticates metadata records: each stored value is bound to
// its own key path (bucket and key), so a record that is edited, moved to
// another key or swapped with another fails verification. The key is
// derived from the root key and never leaves the process. It is safe for
// concurrent use.
type RecordAuth struct {
	pool sync.Pool // hash.Hash (HMAC-SHA256 under the derived key)
}

// NewRecordAuth derives the record authentication key from the root key:
// HKDF-SHA256(secret = root key, no salt, info = recordKeyInfo), 32 bytes.
func NewRecordAuth(root Key) (*RecordAuth, error) {
	k, err := hkdf.Key(sha256.New, root[:], nil, recordKeyInfo, KeySize)
	if err != nil {
		return nil, fmt.Errorf("crypto: derive record key: %w", err)
	}
	a := &RecordAuth{}
	a.pool.New = func() any { return hmac.New(sha256.New, k) }
	return a, nil
}

// tag computes the version-1 tag of value at path into dst.
func (a *RecordAuth) tag(dst []byte, path [][]byte, value []byte) []byte {
	m := a.pool.Get().(hash.Hash)
	defer a.pool.Put(m)
	m.Reset()
	var n [binary.MaxVarintLen64]byte
	m.Write([]byte{RecordMagic, RecordVersion1})
	m.Write(n[:binary.PutUvarint(n[:], uint64(len(path)))])
	for _, p := range path {
		m.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		m.Write(p)
	}
	m.Write(value)
	return m.Sum(dst)
}

// Authenticate returns value in an authenticated envelope bound to path:
// magic || version || value || HMAC-SHA256 tag.
func (a *RecordAuth) Authenticate(path [][]byte, value []byte) []byte {
	out := make([]byte, 0, RecordOverhead+len(value))
	out = append(out, RecordMagic, RecordVersion1)
	out = append(out, value...)
	return a.tag(out, path, value)
}

// Verify checks an envelope Authenticate made for the same path and returns
// the value inside (a subslice of stored). ErrUnauthenticated: no envelope;
// ErrUnsupportedVersion: an unknown version; ErrTruncated: too short;
// ErrAuthFailed: the tag does not match (an edited, moved or swapped record).
func (a *RecordAuth) Verify(path [][]byte, stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != RecordMagic {
		return nil, ErrUnauthenticated
	}
	if len(stored) < 2 {
		return nil, fmt.Errorf("crypto: record: %w", ErrTruncated)
	}
	switch v := stored[1]; v {
	case RecordVersion1:
		if len(stored) < RecordOverhead {
			return nil, fmt.Errorf("crypto: record: %d bytes is shorter than the %d-byte overhead: %w", len(stored), RecordOverhead, ErrTruncated)
		}
		value := stored[2 : len(stored)-RecordTagSize]
		var buf [RecordTagSize]byte
		if !hmac.Equal(a.tag(buf[:0], path, value), stored[len(stored)-RecordTagSize:]) {
			return nil, fmt.Errorf("crypto: record: %w", ErrAuthFailed)
		}
		return value, nil
	default:
		return nil, fmt.Errorf("crypto: record version %d: %w", v, ErrUnsupportedVersion)
	}
}

// IsAuthenticated reports whether stored starts like an authenticated
// record (it may still fail Verify).
func IsAuthenticated(stored []byte) bool { return len(stored) > 0 && stored[0] == RecordMagic }
