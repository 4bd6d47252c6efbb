package blobstore

import (
	"encoding/json"
	"fmt"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// User metadata (x-ms-meta-*) is sealed with crypto.Seal under a key derived
// from the account key (HKDF-SHA256, info "azemu blobstore metadata v1"),
// with the object's path as associated data, so a sealed value cannot be
// moved to another object. Empty metadata is stored as nil and needs no key.

const MaxMetadataSize = 8 << 10

// ValidateMetadata applies Azure's rules to user metadata: names are C#
// identifiers (InvalidMetadata) and not empty (EmptyMetadataKey), and names
// and values together take at most 8 KiB (MetadataTooLarge). Blob and Files
// requests are checked by it once, here; the protocol layers only collect.
func ValidateMetadata(m map[string]string) error {
	total := 0
	for k, v := range m {
		if k == "" {
			return storageerr.ErrEmptyMetadataKey
		}
		if !IsMetadataName(k) {
			return storageerr.ErrInvalidMetadata.WithDetail("MetadataName", k)
		}
		total += len(k) + len(v)
	}
	if total > MaxMetadataSize {
		return storageerr.ErrMetadataTooLarge
	}
	return nil
}

// IsMetadataName reports whether s follows the C# identifier rules Azure
// applies to metadata names (ASCII subset: a letter or underscore, then
// letters, digits and underscores).
func IsMetadataName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// SealMetadata seals user metadata under k with aad (nil for none).
func SealMetadata(k *AccountKey, m map[string]string, aad []byte) ([]byte, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	defer clear(b)
	return crypto.Seal(k.metaKey, b, aad)
}

// OpenMetadata opens what SealMetadata sealed with the same aad.
func OpenMetadata(k *AccountKey, msealed, aad []byte) (map[string]string, error) {
	if len(msealed) == 0 {
		return map[string]string{}, nil
	}
	b, err := crypto.Open(k.metaKey, msealed, aad)
	if err != nil {
		return nil, fmt.Errorf("blobstore: open metadata: %w", err)
	}
	defer clear(b)
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("blobstore: decode metadata: %w", err)
	}
	return m, nil
}

// Seal seals b (a record's secret part: user metadata, a security
// descriptor) under the account's metadata key with aad, the path of what
// it belongs to.
func (k *AccountKey) Seal(b, aad []byte) ([]byte, error) { return crypto.Seal(k.metaKey, b, aad) }

// Open opens what Seal sealed with the same aad.
func (k *AccountKey) Open(sealed, aad []byte) ([]byte, error) {
	return crypto.Open(k.metaKey, sealed, aad)
}
