package blobstore

import (
	"encoding/json"
	"fmt"
	"time"
)

// RecordVersion is the version field V of the JSON records (accounts,
// staged blocks, Files records, and blob and container records written
// before their binary codec). Version 1 is the only one so far;
// DecodeRecord rejects unknown versions. Names and system properties are
// readable; user metadata is sealed (see SealMetadata).
const RecordVersion = 1

// accountRec is the stored form of an account.
type accountRec struct {
	V    int
	Name string
	// Keys are the shared keys, in clear only in version 1 records and in
	// memory; version 2 stores them in SealedKeys (see accountkeys.go).
	Keys       [][]byte `json:",omitempty"`
	SealedKeys []byte   `json:",omitempty"`
	Created    time.Time
	// AEKID names the account encryption key in data-file headers.
	AEKID string
	// KeySource is KeySourceStorage or KeySourceKeyvault.
	KeySource string
	KeyID     string    `json:",omitempty"`
	Identity  *Identity `json:",omitempty"`
	// RootSealedAEK is the AEK sealed by the root key (Microsoft.Storage).
	RootSealedAEK []byte `json:",omitempty"`
	// VaultWrappedAEK is the AEK wrapped by the vault key (Microsoft.Keyvault).
	VaultWrappedAEK *WrappedKey        `json:",omitempty"`
	Props           *ServiceProperties `json:",omitempty"`
}

// Lease is the stored lease of a container, blob, share or file. The
// effective state is computed from it and the clock (see Lease.Effective).
type Lease struct {
	ID string `json:",omitempty"`
	// State is the state at the last lease operation: "" (available),
	// leased, breaking, broken.
	State    LeaseState `json:",omitempty"`
	Infinite bool       `json:",omitempty"`
	// Seconds is the fixed duration.
	Seconds int `json:",omitempty"`
	// Expires is the end of a fixed lease.
	Expires time.Time `json:",omitempty"`
	// BreakAt is when a breaking lease becomes broken.
	BreakAt time.Time `json:",omitempty"`
}

// EncodeRecord encodes a JSON record.
func EncodeRecord(v any) ([]byte, error) { return json.Marshal(v) }

// Versioned is a JSON record with its version field.
type Versioned interface{ RecordVersion() int }

func (r *accountRec) RecordVersion() int { return r.V }

// DecodeRecord decodes a JSON record and checks its version.
func DecodeRecord[T any, PT interface {
	*T
	Versioned
}](b []byte) (PT, error) {
	r := PT(new(T))
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("blobstore: decode %T: %w", r, err)
	}
	if v := r.RecordVersion(); v != RecordVersion {
		return nil, fmt.Errorf("blobstore: %T version %d unsupported", r, v)
	}
	return r, nil
}
