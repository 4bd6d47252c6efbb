package file

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// Azure Files records (JSON with version V, as accounts and staged blocks). Names,
// system properties and extent maps are readable; user metadata and
// security descriptors are sealed under the account's metadata key.

// shareRec is a share or share snapshot.
type shareRec struct {
	V            int
	Created      time.Time
	ETag         string
	LastModified time.Time
	Quota        int
	AccessTier   string
	TierChanged  time.Time
	Protocols    string
	MetaSealed   []byte                       `json:",omitempty"`
	ACL          []blobstore.SignedIdentifier `json:",omitempty"`
	Lease        blobstore.Lease
	// Used is the bytes stored by the live share's files (extents), charged
	// against Quota. Snapshots are not charged.
	Used int64 `json:",omitempty"`
	// Root holds the root directory's properties (it has no fnodes row).
	Root nodeRec
}

// nodeRec is a directory or file.
type nodeRec struct {
	V      int
	Dir    bool `json:",omitempty"`
	Name   string
	ID     uint64
	Parent uint64
	// SMB properties.
	Attributes string
	Created    time.Time
	Written    time.Time
	Changed    time.Time
	PermKey    string
	// REST properties.
	ETag         string
	LastModified time.Time
	MetaSealed   []byte `json:",omitempty"`
	// Files only. The data is the file's extents (bucket fextents).
	Size    int64                 `json:",omitempty"`
	Headers blobstore.HTTPHeaders `json:",omitempty"`
	Lease   blobstore.Lease       `json:",omitempty"`
	Copy    *blobstore.CopyInfo   `json:",omitempty"`
}

// fileSvcRec is the File service properties of an account.
type fileSvcRec struct {
	V     int
	Props blobstore.FileServiceProperties
}

func (r *shareRec) RecordVersion() int   { return r.V }
func (r *nodeRec) RecordVersion() int    { return r.V }
func (r *fileSvcRec) RecordVersion() int { return r.V }

// fileOp names a File operation for customer-managed key gating.
type fileOp string

// File operations that need the account key (fileGated decides which are
// gated: docs/cmk-revocation.md).
const (
	fopCreatePermission       fileOp = "File:CreatePermission"
	fopGetPermission          fileOp = "File:GetPermission"
	fopListFiles              fileOp = "File:ListDirectoriesAndFiles"
	fopCreateDirectory        fileOp = "File:CreateDirectory"
	fopGetDirectoryProperties fileOp = "File:GetDirectoryProperties"
	fopSetDirectoryProperties fileOp = "File:SetDirectoryProperties"
	fopGetDirectoryMetadata   fileOp = "File:GetDirectoryMetadata"
	fopSetDirectoryMetadata   fileOp = "File:SetDirectoryMetadata"
	fopCreateFile             fileOp = "File:CreateFile"
	fopGetFile                fileOp = "File:GetFile"
	fopGetFileProperties      fileOp = "File:GetFileProperties"
	fopSetFileProperties      fileOp = "File:SetFileProperties"
	fopPutRange               fileOp = "File:PutRange"
	fopPutRangeFromURL        fileOp = "File:PutRangeFromURL"
	fopGetFileMetadata        fileOp = "File:GetFileMetadata"
	fopSetFileMetadata        fileOp = "File:SetFileMetadata"
	fopCopyFile               fileOp = "File:CopyFile"
	fopRenameFile             fileOp = "File:RenameFile"
	// Not gated: they use the cached key when they carry metadata.
	fopShare           fileOp = "File:Share"
	fopRenameDirectory fileOp = "File:RenameDirectory"
)

// fileGated reports whether a File operation fails while the account's
// customer-managed key is unavailable: exactly the Azure Files operations
// listed in "Revoke access to a storage account that uses customer-managed
// keys" of
// https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview
// (docs/cmk-revocation.md).
func fileGated(o fileOp) bool {
	switch o {
	case fopCreatePermission, fopGetPermission, fopListFiles, fopCreateDirectory, fopGetDirectoryProperties,
		fopSetDirectoryProperties, fopGetDirectoryMetadata, fopSetDirectoryMetadata, fopCreateFile, fopGetFile,
		fopGetFileProperties, fopSetFileProperties, fopPutRange, fopPutRangeFromURL, fopGetFileMetadata,
		fopSetFileMetadata, fopCopyFile, fopRenameFile:
		return true
	}
	return false
}

// fileKey returns the account key for a File operation: gated operations
// check the key state on every call (accountKey); the others use the cached
// key (keyFor with an op the blob table does not gate).
func (s *Service) fileKey(ctx context.Context, account string, o fileOp) (*blobstore.AccountKey, error) {
	return s.core.Key(ctx, account, fileGated(o))
}

// fileGate fails a gated operation when the account key is unavailable.
func (s *Service) fileGate(ctx context.Context, account string, o fileOp) error {
	if !fileGated(o) {
		return nil
	}
	_, err := s.core.Key(ctx, account, true)
	return err
}

// Limits of Azure Files.
const (
	maxFileSize       = 4 << 40
	maxRangeSize      = 4 << 20
	maxFileNameLen    = 255
	maxFilePathLen    = 2048
	maxFileDepth      = 250
	defaultShareQuota = 5120
	maxShareQuota     = 102400
	maxPermissionSize = 8 << 10
)

// defaultSDDL is the security descriptor of the root directory and of
// everything created with "inherit".
const defaultSDDL = "O:SYG:SYD:(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIIOID;GA;;;CO)(A;OICIID;0x1301bf;;;AU)(A;OICIID;0x1200a9;;;BU)"

// permissionKey derives Azure's "<decimal>*<decimal>" permission key from a
// descriptor: equal descriptors share a key, as on Azure.
func permissionKey(format, desc string) string {
	h := sha256.Sum256([]byte(format + "\x00" + desc))
	return strconv.FormatUint(binary.BigEndian.Uint64(h[:8]), 10) + "*" + strconv.FormatUint(binary.BigEndian.Uint64(h[8:16]), 10)
}

func newNodeID() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	// Azure's ids have the top bit set (11529285414812647424,
	// 13835128424026341376, ...); the root directory is 0.
	return binary.BigEndian.Uint64(b[:]) | 1<<63
}

func fileIDString(id uint64) string { return strconv.FormatUint(id, 10) }

func shareAAD(account, share string) []byte { return []byte("s\x00" + account + "\x00" + share) }

func nodeAAD(account, share string, id uint64) []byte {
	return []byte("f\x00" + account + "\x00" + share + "\x00" + fileIDString(id))
}

func permAAD(account, share, key string) []byte {
	return []byte("p\x00" + account + "\x00" + share + "\x00" + key)
}

// validShareName applies Azure's rules (those of container names, without
// the special $ names).
func validShareName(n string) bool {
	return n != "$root" && n != "$logs" && n != "$web" && blobstore.ValidContainerName(n)
}

// splitFilePath validates a path and returns its components. Names are
// 1-255 characters without " \ / : | < > * ? or control characters, not
// "." or ".."; the path is at most 2048 characters and 250 levels deep.
func splitFilePath(p string) ([]string, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil, nil
	}
	if len(p) > maxFilePathLen || !utf8.ValidString(p) {
		return nil, storageerr.ErrInvalidFileOrDirectoryPathName
	}
	parts := strings.Split(p, "/")
	if len(parts) > maxFileDepth {
		return nil, storageerr.ErrInvalidFileOrDirectoryPathName
	}
	for _, c := range parts {
		if c == "" || c == "." || c == ".." || utf8.RuneCountInString(c) > maxFileNameLen {
			return nil, storageerr.ErrInvalidFileOrDirectoryPathName
		}
		for _, r := range c {
			if r < 0x20 || strings.ContainsRune(`"\:|<>*?`, r) {
				return nil, storageerr.ErrInvalidResourceName.WithMessage("The specifed resource name contains invalid characters.")
			}
		}
	}
	return parts, nil
}

// fold is the case-insensitive form of a name or path used in keys.
func fold(s string) string { return strings.ToLower(s) }

// nodeLoc is where a path's row lives.
type nodeLoc struct {
	scope  []byte
	parts  []string
	parent string // folded parent path
	name   string // folded name
}

func (l nodeLoc) root() bool { return len(l.parts) == 0 }

func (l nodeLoc) key() []byte { return boltstore.NodeKey(l.scope, l.parent, l.name) }

// folded is the folded full path.
func (l nodeLoc) folded() string { return fold(strings.Join(l.parts, "/")) }

func (l nodeLoc) parentLoc() nodeLoc {
	p := nodeLoc{scope: l.scope, parts: l.parts[:len(l.parts)-1]}
	if len(p.parts) > 0 {
		p.parent = fold(strings.Join(p.parts[:len(p.parts)-1], "/"))
		p.name = fold(p.parts[len(p.parts)-1])
	}
	return p
}

func locate(ref blobstore.FileRef) (nodeLoc, error) {
	parts, err := splitFilePath(ref.Path)
	if err != nil {
		return nodeLoc{}, err
	}
	if err := boltstore.CheckFileNames(ref.Account, ref.Share, ref.Snapshot); err != nil {
		return nodeLoc{}, storageerr.ErrInvalidResourceName
	}
	l := nodeLoc{scope: boltstore.ShareScope(ref.Account, ref.Share, ref.Snapshot), parts: parts}
	if len(parts) > 0 {
		l.parent = fold(strings.Join(parts[:len(parts)-1], "/"))
		l.name = fold(parts[len(parts)-1])
	}
	return l, nil
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
