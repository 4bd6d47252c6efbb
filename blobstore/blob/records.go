package blob

import (
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/sealed"
)

// Blob records. Containers and blobs are stored in the binary codec of
// codec.go (older JSON versions stay readable); staged blocks as JSON.

type containerRec struct {
	V                           int
	Created                     time.Time
	ETag                        string
	LastModified                time.Time
	MetaSealed                  []byte                       `json:",omitempty"`
	PublicAccess                blobstore.PublicAccess       `json:",omitempty"`
	ACL                         []blobstore.SignedIdentifier `json:",omitempty"`
	Lease                       blobstore.Lease
	DefaultEncryptionScope      string `json:",omitempty"`
	DenyEncryptionScopeOverride bool   `json:",omitempty"`
}

type blobRec struct {
	V            int
	Type         blobstore.BlobType
	Created      time.Time
	ETag         string
	LastModified time.Time
	Headers      blobstore.HTTPHeaders
	MetaSealed   []byte `json:",omitempty"`
	Size         int64
	Extents      []sealed.Extent `json:",omitempty"`
	// Blocks are the committed block ids (base64), parallel to Extents,
	// for block blobs committed with Put Block List (nil after Put Blob).
	Blocks []string `json:",omitempty"`
	// BlockCount is the committed block count of an append blob.
	BlockCount int                 `json:",omitempty"`
	Lease      blobstore.Lease     `json:",omitempty"`
	Copy       *blobstore.CopyInfo `json:",omitempty"`
	Tier       string              `json:",omitempty"`
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

func (r *containerRec) RecordVersion() int { return r.V }
func (r *blobRec) RecordVersion() int      { return r.V }
func (r *blockRec) RecordVersion() int     { return r.V }
