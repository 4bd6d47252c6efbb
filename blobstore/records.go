package blobstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/azemu/azemu/blobstore/sealed"
)

// Records are stored as JSON with a version field V. Version 1 is the only
// one so far; decoders reject unknown versions. Names and system properties
// are readable; user metadata is sealed (see sealMetadata).
const recordVersion = 1

// accountRec is the stored form of an account.
type accountRec struct {
	V       int
	Name    string
	Keys    [][]byte
	Created time.Time
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

// leaseRec is the stored lease of a container or blob. The effective state
// is computed from it and the clock (see leaseRec.state).
type leaseRec struct {
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

type containerRec struct {
	V                           int
	Created                     time.Time
	ETag                        string
	LastModified                time.Time
	MetaSealed                  []byte             `json:",omitempty"`
	PublicAccess                PublicAccess       `json:",omitempty"`
	ACL                         []SignedIdentifier `json:",omitempty"`
	Lease                       leaseRec
	DefaultEncryptionScope      string `json:",omitempty"`
	DenyEncryptionScopeOverride bool   `json:",omitempty"`
}

type blobRec struct {
	V            int
	Type         BlobType
	Created      time.Time
	ETag         string
	LastModified time.Time
	Headers      HTTPHeaders
	MetaSealed   []byte `json:",omitempty"`
	Size         int64
	Extents      []sealed.Extent `json:",omitempty"`
	// Blocks are the committed block ids (base64), parallel to Extents,
	// for block blobs committed with Put Block List (nil after Put Blob).
	Blocks []string `json:",omitempty"`
	// BlockCount is the committed block count of an append blob.
	BlockCount int       `json:",omitempty"`
	Lease      leaseRec  `json:",omitempty"`
	Copy       *CopyInfo `json:",omitempty"`
	Tier       string    `json:",omitempty"`
	// TierChanged is when Tier was last set explicitly (x-ms-access-tier-change-time).
	TierChanged time.Time `json:",omitempty"`
}

// blockRec is a staged block.
type blockRec struct {
	V       int
	ID      string // base64 as sent
	Size    int64
	F       *sealed.FileRef `json:",omitempty"` // nil for an empty block
	Created time.Time
}

func encode(v any) ([]byte, error) { return json.Marshal(v) }

type versioned interface{ version() int }

func (r *accountRec) version() int   { return r.V }
func (r *containerRec) version() int { return r.V }
func (r *blobRec) version() int      { return r.V }
func (r *blockRec) version() int     { return r.V }

// decode decodes a record and checks its version.
func decode[T any, PT interface {
	*T
	versioned
}](b []byte) (PT, error) {
	r := PT(new(T))
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("blobstore: decode %T: %w", r, err)
	}
	if v := r.version(); v != recordVersion {
		return nil, fmt.Errorf("blobstore: %T version %d unsupported", r, v)
	}
	return r, nil
}
