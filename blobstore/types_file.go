package blobstore

import (
	"io"
	"time"
)

// ShareRef names a share of an account, or one of its snapshots when
// Snapshot is not empty (Azure's sharesnapshot id, "2017-05-10T17:52:33.0000000Z").
type ShareRef struct {
	Account  string
	Share    string
	Snapshot string
}

// FileRef names a file or directory of a share (or share snapshot). Path is
// the slash-separated path below the share root; "" is the root directory.
// Names compare case-insensitively, as on Azure Files.
type FileRef struct {
	Account  string
	Share    string
	Snapshot string
	Path     string
}

// ShareRef returns the share part of r.
func (r FileRef) ShareRef() ShareRef {
	return ShareRef{Account: r.Account, Share: r.Share, Snapshot: r.Snapshot}
}

// FileServiceProperties are the File service properties of an account.
// Nil pointers and a nil Cors slice mean "unchanged" in SetFileServiceProperties.
type FileServiceProperties struct {
	HourMetrics   *MetricsProperties `json:",omitempty"`
	MinuteMetrics *MetricsProperties `json:",omitempty"`
	Cors          []CorsRule         `json:",omitempty"`
	// SMBMultichannel is ProtocolSettings/SMB/Multichannel/Enabled; nil when never set.
	SMBMultichannel *bool `json:",omitempty"`
	// SMBEncryptionInTransit and NFSEncryptionInTransit are
	// ProtocolSettings/{SMB,NFS}/EncryptionInTransit/Required; nil when never
	// set (records written before these fields read as never set).
	SMBEncryptionInTransit *bool `json:",omitempty"`
	NFSEncryptionInTransit *bool `json:",omitempty"`
}

// ShareProperties are the properties of a share or share snapshot.
type ShareProperties struct {
	Name     string
	Snapshot string
	// ETag is unquoted; protocol layers quote it.
	ETag                 string
	LastModified         time.Time
	Quota                int
	AccessTier           string
	AccessTierChangeTime time.Time
	EnabledProtocols     string
	// Metadata is nil unless the operation returns metadata.
	Metadata map[string]string
	Lease    LeaseInfo
}

// CreateShareOptions is the input of CreateShare.
type CreateShareOptions struct {
	// Quota in GiB, 0 means the default (5120); 1..102400 otherwise.
	Quota int
	// AccessTier: "", TransactionOptimized, Hot, Cool, Premium.
	AccessTier string
	// EnabledProtocols: "" or SMB (NFS is refused).
	EnabledProtocols string
	Metadata         map[string]string
}

// SetSharePropertiesOptions is the input of SetShareProperties.
type SetSharePropertiesOptions struct {
	// Quota in GiB, nil means unchanged.
	Quota      *int
	AccessTier string
	LeaseID    string
}

// ListSharesOptions is the input of ListShares.
type ListSharesOptions struct {
	Prefix           string
	Marker           string
	MaxResults       int
	IncludeMetadata  bool
	IncludeSnapshots bool
	// IncludeDeleted is accepted; azemu keeps no soft-deleted shares.
	IncludeDeleted bool
}

// ShareList is one page of ListShares: shares by name, the snapshots of a
// share (oldest first) before the share itself.
type ShareList struct {
	Shares     []ShareProperties
	NextMarker string
}

// DeleteShareOptions is the input of DeleteShare.
type DeleteShareOptions struct {
	// DeleteSnapshots: "" (a share with snapshots gives storageerr.ErrShareHasSnapshots),
	// include, include-leased.
	DeleteSnapshots string
	LeaseID         string
}

// ShareACL is the result of GetShareACL.
type ShareACL struct {
	Identifiers  []SignedIdentifier
	ETag         string
	LastModified time.Time
}

// ShareStats is the result of GetShareStats.
type ShareStats struct {
	// UsageBytes is the plaintext size of all data stored for the share
	// (written ranges; never-written and cleared ranges cost nothing).
	UsageBytes   int64
	ETag         string
	LastModified time.Time
}

// SMBProperties are the SMB headers of Create/Set Directory and File
// properties, as sent (x-ms-file-attributes, x-ms-file-creation-time,
// x-ms-file-last-write-time, x-ms-file-change-time, x-ms-file-permission,
// x-ms-file-permission-key). Empty strings mean "not given": defaults on
// create (now, Archive/Directory, inherit), preserve on set. Times are
// "now", "preserve" or ISO 8601; Attributes is "None", "preserve" or a
// "|"-separated list; Permission is SDDL, "inherit" or "preserve".
type SMBProperties struct {
	Attributes    string
	CreationTime  string
	LastWriteTime string
	ChangeTime    string
	Permission    string
	// PermissionFormat is "" / Sddl or Binary (base64).
	PermissionFormat string
	PermissionKey    string
}

// FileProperties are the properties of a directory or file.
type FileProperties struct {
	// Name is the last path component as created ("" for the root).
	Name string
	// Path is the full path as addressed.
	Path  string
	IsDir bool
	// ETag is unquoted; protocol layers quote it.
	ETag           string
	LastModified   time.Time
	Attributes     string
	CreationTime   time.Time
	LastWriteTime  time.Time
	ChangeTime     time.Time
	LastAccessTime time.Time
	PermissionKey  string
	// FileID and ParentID are decimal ids (x-ms-file-id, x-ms-file-parent-id).
	FileID   string
	ParentID string
	// Metadata is nil unless the operation returns metadata.
	Metadata map[string]string
	// Files only.
	ContentLength int64
	HTTPHeaders   HTTPHeaders
	Lease         LeaseInfo
	Copy          *CopyInfo
	// ServerEncrypted is always true: azemu encrypts everything it stores.
	ServerEncrypted bool
}

// CreateDirectoryOptions is the input of CreateDirectory.
type CreateDirectoryOptions struct {
	SMB      SMBProperties
	Metadata map[string]string
}

// ListFilesOptions is the input of ListFilesAndDirectories.
type ListFilesOptions struct {
	Prefix     string
	Marker     string
	MaxResults int
}

// FileList is one page of ListFilesAndDirectories, in name order
// (case-insensitive), directories and files mixed.
type FileList struct {
	DirectoryID string
	Items       []FileProperties
	NextMarker  string
}

// RenameOptions is the input of RenameFile and RenameDirectory.
type RenameOptions struct {
	// Source must be in the same share as the destination.
	Source          FileRef
	ReplaceIfExists bool
	IgnoreReadOnly  bool
	SMB             SMBProperties
	// Metadata, when not nil, replaces the source's metadata.
	Metadata      map[string]string
	SourceLeaseID string
	DestLeaseID   string
	// ContentType, when not nil, replaces the file's content type.
	ContentType *string
}

// CreateFileOptions is the input of CreateFile.
type CreateFileOptions struct {
	// Size is x-ms-content-length: the new file is Size zero bytes.
	Size        int64
	HTTPHeaders HTTPHeaders
	SMB         SMBProperties
	Metadata    map[string]string
	LeaseID     string
	// CreateOnly refuses to replace an existing file
	// (storageerr.ErrAuthorizationPermissionMismatch): a SAS granting create but not write.
	CreateOnly bool
}

// SetFilePropertiesOptions is the input of SetFileProperties.
type SetFilePropertiesOptions struct {
	// HTTPHeaders replace the stored ones (absent ones are cleared, as Azure does).
	HTTPHeaders HTTPHeaders
	// Size resizes the file when not nil (shrinking drops the data beyond it).
	Size    *int64
	SMB     SMBProperties
	LeaseID string
}

// PutRangeOptions is the input of PutRange.
type PutRangeOptions struct {
	Offset int64
	Length int64
	// Clear (x-ms-write: clear) releases the range: it reads as zeros and
	// costs no disk. Body must be nil.
	Clear bool
	// Body is streamed into a new encrypted data file; at most 4 MiB.
	Body             io.Reader
	TransactionalMD5 []byte
	LeaseID          string
	// PreserveLastWriteTime is x-ms-file-last-write-time: Preserve.
	PreserveLastWriteTime bool
	// FromURL marks Put Range From URL (for CMK gating and errors).
	FromURL bool
}

// FileWriteResult is what Put Range returns.
type FileWriteResult struct {
	ETag          string
	LastModified  time.Time
	LastWriteTime time.Time
	ContentMD5    []byte
}

// ByteRange is an inclusive byte range [Start, End].
type ByteRange struct{ Start, End int64 }

// ListRangesOptions is the input of ListRanges.
type ListRangesOptions struct {
	// Range limits the listing when not nil.
	Range *ByteRange
	// PrevSnapshot lists what changed since that share snapshot.
	PrevSnapshot string
	// SupportRename (x-ms-file-support-rename) diffs a file renamed since
	// PrevSnapshot against its old path; without it that is
	// storageerr.ErrPreviousSnapshotNotFound.
	SupportRename bool
	LeaseID       string
}

// RangeList is the result of ListRanges.
type RangeList struct {
	Ranges []ByteRange
	// ClearRanges are only reported with PrevSnapshot.
	ClearRanges   []ByteRange
	ContentLength int64
	ETag          string
	LastModified  time.Time
}

// CopyFileOptions is the input of CopyFile (copy within this emulator).
type CopyFileOptions struct {
	// Source is a file of the same account (Source.Path set) ...
	Source FileRef
	// ... or a blob of the same account (SourceBlob.Blob set).
	SourceBlob BlobRef
	// SourceURL is x-ms-copy-source as sent (reported as x-ms-copy-source).
	SourceURL string
	// Metadata, when not nil, replaces the source's metadata.
	Metadata map[string]string
	// SMB: with CopySourceSMB the source's attributes and times are kept
	// (x-ms-file-permission-copy-mode: source, or "source" values).
	SMB     SMBProperties
	LeaseID string
	// CreateOnly refuses to replace an existing file, as in CreateFileOptions.
	CreateOnly bool
	// IgnoreReadOnly (x-ms-file-copy-ignore-readonly) replaces a read-only
	// destination; without it that is storageerr.ErrReadOnlyAttribute.
	IgnoreReadOnly bool
	// SetArchive (x-ms-file-copy-set-archive) adds Archive to the copy's
	// attributes.
	SetArchive bool
}

// FileCopyResult is the result of CopyFile.
type FileCopyResult struct {
	CopyID       string
	CopyStatus   CopyStatus
	ETag         string
	LastModified time.Time
}

// SharePermission is a security descriptor of Create/Get Permission.
type SharePermission struct {
	// Format is "Sddl" or "Binary" (Permission then holds base64).
	Format     string `json:"format,omitempty"`
	Permission string `json:"permission"`
}
