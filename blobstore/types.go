package blobstore

import (
	"io"
	"sync"
	"time"
)

// ContainerRef names a container of an account.
type ContainerRef struct {
	Account   string
	Container string
}

// BlobRef names a blob, or one of its snapshots when Snapshot is not empty.
// Snapshot is the snapshot identifier exactly as Azure prints it
// ("2011-03-09T01:42:34.9360000Z"), as returned by SnapshotBlob.
type BlobRef struct {
	Account   string
	Container string
	Blob      string
	Snapshot  string
}

// ContainerRef returns the container part of r.
func (r BlobRef) ContainerRef() ContainerRef {
	return ContainerRef{Account: r.Account, Container: r.Container}
}

// Conditions are the conditional request headers of one request. Zero values
// mean "not given". ETags are compared without quotes; the raw header value
// may be given (a comma-separated list of quoted ETags, or "*").
//
// Evaluation (in the service):
//   - reads (Get Blob, Get Blob Properties, Get Blob Metadata, Get Block List):
//     If-Match / If-Unmodified-Since failing gives storageerr.ErrConditionNotMet (412);
//     If-None-Match matching or If-Modified-Since not satisfied gives
//     storageerr.ErrNotModified (304).
//   - writes and deletes: any failing condition gives storageerr.ErrConditionNotMet (412),
//     except If-None-Match "*" on an operation that creates a blob (Put Blob,
//     Put Block List, Create Append Blob, Copy Blob destination) when the blob
//     exists, which gives storageerr.ErrBlobAlreadyExists (409).
//
// LeaseID is x-ms-lease-id; lease rules are applied per operation as Azure
// does (LeaseIdMissing, LeaseIdMismatchWithBlobOperation,
// LeaseNotPresentWithBlobOperation and the container variants).
type Conditions struct {
	IfMatch           string
	IfNoneMatch       string
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
	LeaseID           string
}

// HTTPHeaders are the standard blob properties set from x-ms-blob-content-*
// headers (or the plain headers on Put Blob) and returned as the plain
// Content-* headers on reads.
type HTTPHeaders struct {
	ContentType        string
	ContentEncoding    string
	ContentLanguage    string
	ContentDisposition string
	CacheControl       string
	// ContentMD5 is the stored Content-MD5 property (16 bytes) or nil.
	ContentMD5 []byte
}

// PublicAccess is a container's public access level (x-ms-blob-public-access).
type PublicAccess string

// Public access levels as Azure spells them.
const (
	PublicAccessNone      PublicAccess = ""
	PublicAccessBlob      PublicAccess = "blob"
	PublicAccessContainer PublicAccess = "container"
)

// LeaseState is x-ms-lease-state.
type LeaseState string

// Lease states as Azure reports them.
const (
	LeaseStateAvailable LeaseState = "available"
	LeaseStateLeased    LeaseState = "leased"
	LeaseStateExpired   LeaseState = "expired"
	LeaseStateBreaking  LeaseState = "breaking"
	LeaseStateBroken    LeaseState = "broken"
)

// LeaseStatus is x-ms-lease-status.
type LeaseStatus string

// Lease statuses as Azure reports them.
const (
	LeaseStatusLocked   LeaseStatus = "locked"
	LeaseStatusUnlocked LeaseStatus = "unlocked"
)

// LeaseDuration is x-ms-lease-duration; empty unless the lease is leased.
type LeaseDuration string

// Lease durations as Azure reports them.
const (
	LeaseDurationNone     LeaseDuration = ""
	LeaseDurationInfinite LeaseDuration = "infinite"
	LeaseDurationFixed    LeaseDuration = "fixed"
)

// LeaseInfo is the lease state of a container or blob at the time of the
// call (computed on the emulator clock: fixed leases expire, breaking leases
// become broken without any write).
type LeaseInfo struct {
	State    LeaseState
	Status   LeaseStatus
	Duration LeaseDuration
}

// LeaseAction is x-ms-lease-action.
type LeaseAction string

// Lease actions.
const (
	LeaseAcquire LeaseAction = "acquire"
	LeaseRenew   LeaseAction = "renew"
	LeaseChange  LeaseAction = "change"
	LeaseRelease LeaseAction = "release"
	LeaseBreak   LeaseAction = "break"
)

// LeaseOptions is the input of LeaseContainer and LeaseBlob.
type LeaseOptions struct {
	Action LeaseAction
	// LeaseID is x-ms-lease-id: required for renew, change and release.
	LeaseID string
	// ProposedLeaseID is x-ms-proposed-lease-id: optional for acquire (a
	// GUID is generated when empty), required for change.
	ProposedLeaseID string
	// Duration is x-ms-lease-duration for acquire: -1 (infinite) or 15..60
	// seconds; anything else gives storageerr.ErrInvalidHeaderValue.
	Duration int
	// BreakPeriod is x-ms-lease-break-period for break: nil when not given,
	// else 0..60 seconds.
	BreakPeriod *int
	// Conditions: If-Modified-Since / If-Unmodified-Since / If-Match /
	// If-None-Match (blobs only for the ETag ones). LeaseID here is ignored.
	Conditions Conditions
}

// LeaseResult is the outcome of a lease operation.
type LeaseResult struct {
	// LeaseID is x-ms-lease-id (acquire, renew, change); empty for release and break.
	LeaseID string
	// LeaseTime is x-ms-lease-time (break only): seconds until the lease is broken.
	LeaseTime    int
	ETag         string
	LastModified time.Time
}

// SignedIdentifier is one stored access policy of a container ACL.
type SignedIdentifier struct {
	ID     string
	Policy AccessPolicy
}

// AccessPolicy is a stored access policy. Zero Start/Expiry and empty
// Permission mean "not given" (the SAS must then supply them).
type AccessPolicy struct {
	Start      time.Time
	Expiry     time.Time
	Permission string
}

// ContainerProperties are the properties of a container.
type ContainerProperties struct {
	Name string
	// ETag is the unquoted ETag (e.g. 0x8DC1A2B3C4D5E6F); protocol layers quote it.
	ETag         string
	LastModified time.Time
	// Metadata is nil unless the operation returns metadata.
	Metadata                    map[string]string
	PublicAccess                PublicAccess
	Lease                       LeaseInfo
	HasImmutabilityPolicy       bool
	HasLegalHold                bool
	DefaultEncryptionScope      string
	DenyEncryptionScopeOverride bool
}

// CreateContainerOptions is the input of CreateContainer.
type CreateContainerOptions struct {
	Metadata                    map[string]string
	PublicAccess                PublicAccess
	DefaultEncryptionScope      string
	DenyEncryptionScopeOverride bool
}

// ContainerACL is the result of GetContainerACL.
type ContainerACL struct {
	PublicAccess PublicAccess
	Identifiers  []SignedIdentifier
	ETag         string
	LastModified time.Time
}

// SetContainerACLOptions is the input of SetContainerACL.
type SetContainerACLOptions struct {
	PublicAccess PublicAccess
	// Identifiers replace the stored ones; at most 5 (else storageerr.ErrInvalidXMLDocument),
	// ids at most 64 characters (else storageerr.ErrInvalidXMLDocument).
	Identifiers []SignedIdentifier
	// Conditions: LeaseID, If-Modified-Since, If-Unmodified-Since.
	Conditions Conditions
}

// ListContainersOptions is the input of ListContainers.
type ListContainersOptions struct {
	Prefix string
	Marker string
	// MaxResults: 0 means the default 5000; values above 5000 are clamped;
	// negative gives storageerr.ErrOutOfRangeQueryParameterValue.
	MaxResults      int
	IncludeMetadata bool
}

// ContainerList is one page of ListContainers.
type ContainerList struct {
	Containers []ContainerProperties
	// NextMarker is empty on the last page.
	NextMarker string
}

// BlobType is x-ms-blob-type.
type BlobType string

// Blob types as Azure spells them.
const (
	BlockBlob  BlobType = "BlockBlob"
	AppendBlob BlobType = "AppendBlob"
	PageBlob   BlobType = "PageBlob"
)

// CopyStatus is x-ms-copy-status.
type CopyStatus string

// Copy statuses.
const (
	CopyPending CopyStatus = "pending"
	CopySuccess CopyStatus = "success"
	CopyAborted CopyStatus = "aborted"
	CopyFailed  CopyStatus = "failed"
)

// CopyInfo describes the last copy operation that had this blob as destination.
type CopyInfo struct {
	ID     string
	Status CopyStatus
	// Source is the source URL as given to CopyBlob.
	Source string
	// Progress is "<bytes copied>/<total bytes>".
	Progress          string
	CompletionTime    time.Time
	StatusDescription string
}

// BlobProperties are the properties of a blob or snapshot.
type BlobProperties struct {
	Container string
	Name      string
	// Snapshot is empty for the base blob.
	Snapshot      string
	BlobType      BlobType
	ContentLength int64
	HTTPHeaders   HTTPHeaders
	// Metadata is the user metadata (x-ms-meta-*); nil when the operation
	// does not return metadata (List Blobs without include=metadata).
	Metadata map[string]string
	// ETag is unquoted; protocol layers quote it.
	ETag         string
	LastModified time.Time
	CreationTime time.Time
	Lease        LeaseInfo
	// Copy is nil when the blob was never a copy destination.
	Copy *CopyInfo
	// ServerEncrypted is always true: azemu encrypts everything it stores.
	ServerEncrypted bool
	// AccessTier is the block blob's tier (Hot, Cool, Cold; "Hot" with
	// AccessTierInferred when never set), empty for other blob types.
	AccessTier         string
	AccessTierInferred bool
	// AccessTierChangeTime is when the tier was last set explicitly (zero
	// when inferred).
	AccessTierChangeTime time.Time
	// CommittedBlockCount is x-ms-blob-committed-block-count (append blobs).
	CommittedBlockCount int
	// IsCommitted is false only for uncommitted blobs returned by ListBlobs
	// with include=uncommittedblobs (blobs with staged blocks only).
	IsCommitted bool
}

// WriteResult is what write operations return.
type WriteResult struct {
	ETag         string
	LastModified time.Time
	// ContentMD5 is the MD5 of the request body (Put Blob, Put Block, Append
	// Block) or nil.
	ContentMD5 []byte
	// RequestServerEncrypted is x-ms-request-server-encrypted: always true.
	RequestServerEncrypted bool
}

// PutBlobOptions is the input of PutBlob.
type PutBlobOptions struct {
	// Body is streamed into encrypted data files; it is never held in memory.
	Body io.Reader
	// Size is Content-Length, or -1 when unknown (chunked). With a known
	// size, a body that ends early or runs longer gives storageerr.ErrInvalidInput and
	// nothing is committed.
	Size        int64
	HTTPHeaders HTTPHeaders
	Metadata    map[string]string
	// TransactionalMD5 is the Content-MD5 request header (16 bytes) or nil.
	// It is checked against the MD5 computed while streaming: a mismatch gives
	// storageerr.ErrMD5Mismatch and nothing is committed. When HTTPHeaders.ContentMD5 is
	// nil, the computed MD5 is stored as the blob's Content-MD5.
	TransactionalMD5 []byte
	Conditions       Conditions
	// Tier is x-ms-access-tier: "" keeps the tier of the blob it replaces;
	// Hot, Cool or Cold (any case); Archive is storageerr.ErrFeatureNotSupported.
	Tier string
}

// PutBlockOptions is the input of PutBlock.
type PutBlockOptions struct {
	// BlockID is the blockid query parameter, base64 as sent. Decoded it must
	// be 1..64 bytes (else storageerr.ErrInvalidQueryParameterValue), and every block id
	// of a blob must decode to the same length (else storageerr.ErrInvalidBlobOrBlock).
	BlockID          string
	Body             io.Reader
	Size             int64
	TransactionalMD5 []byte
	// LeaseID is x-ms-lease-id.
	LeaseID string
}

// BlockListType selects which list GetBlockList returns.
type BlockListType string

// Block list types (blocklisttype query parameter).
const (
	BlockListCommitted   BlockListType = "committed"
	BlockListUncommitted BlockListType = "uncommitted"
	BlockListAll         BlockListType = "all"
)

// BlockLookup is where Put Block List looks a block id up.
type BlockLookup string

// Block lookups (the element names of the BlockList XML).
const (
	LookupCommitted   BlockLookup = "Committed"
	LookupUncommitted BlockLookup = "Uncommitted"
	LookupLatest      BlockLookup = "Latest"
)

// BlockListItem is one entry of a Put Block List request.
type BlockListItem struct {
	// ID is the base64 block id as sent.
	ID     string
	Lookup BlockLookup
}

// PutBlockListOptions is the input of PutBlockList.
type PutBlockListOptions struct {
	Blocks []BlockListItem
	// HTTPHeaders replace the blob's headers (absent ones are cleared, as
	// Azure does; ContentMD5 is x-ms-blob-content-md5 and is not validated).
	HTTPHeaders HTTPHeaders
	Metadata    map[string]string
	Conditions  Conditions
	Tier        string
}

// Block is one block of a block list.
type Block struct {
	// Name is the base64 block id.
	Name string
	Size int64
}

// BlockList is the result of GetBlockList.
type BlockList struct {
	Committed   []Block
	Uncommitted []Block
	// ETag and LastModified are set when the blob exists (committed).
	ETag          string
	LastModified  time.Time
	ContentLength int64
}

// GetBlockListOptions is the input of GetBlockList.
type GetBlockListOptions struct {
	Type       BlockListType
	Conditions Conditions
}

// DeleteSnapshots is x-ms-delete-snapshots.
type DeleteSnapshots string

// x-ms-delete-snapshots values.
const (
	DeleteSnapshotsNone    DeleteSnapshots = ""
	DeleteSnapshotsInclude DeleteSnapshots = "include"
	DeleteSnapshotsOnly    DeleteSnapshots = "only"
)

// DeleteBlobOptions is the input of DeleteBlob.
type DeleteBlobOptions struct {
	DeleteSnapshots DeleteSnapshots
	Conditions      Conditions
}

// SnapshotOptions is the input of SnapshotBlob.
type SnapshotOptions struct {
	// Metadata, when not nil, replaces the base blob's metadata on the snapshot.
	Metadata   map[string]string
	Conditions Conditions
}

// SnapshotResult is the result of SnapshotBlob.
type SnapshotResult struct {
	Snapshot     string
	ETag         string
	LastModified time.Time
}

// CopyBlobOptions is the input of CopyBlob (copy within this emulator).
type CopyBlobOptions struct {
	// Source names the source blob (or snapshot). Cross-account copies give
	// storageerr.ErrCopyAcrossAccountsNotSupported.
	Source BlobRef
	// SourceURL is x-ms-copy-source as sent; it is reported as x-ms-copy-source.
	SourceURL string
	// Metadata, when not nil, replaces the source's metadata.
	Metadata map[string]string
	// SourceConditions are the x-ms-source-if-* headers (failing: storageerr.ErrSourceConditionNotMet).
	SourceConditions Conditions
	// Conditions apply to the destination.
	Conditions Conditions
	Tier       string
	// AsPutBlob makes it Put Blob From URL: the destination is a block blob
	// that records no copy properties (CopyResult.CopyID is empty), its
	// metadata is Metadata (nil: none, the source's is not copied) and its
	// HTTP headers are HTTPHeaders when not nil, else the source's.
	AsPutBlob   bool
	HTTPHeaders *HTTPHeaders
}

// CopyResult is the result of CopyBlob.
type CopyResult struct {
	CopyID       string
	CopyStatus   CopyStatus
	ETag         string
	LastModified time.Time
}

// AbortCopyOptions is the input of AbortCopy.
type AbortCopyOptions struct {
	CopyID  string
	LeaseID string
}

// CreateAppendBlobOptions is the input of CreateAppendBlob.
type CreateAppendBlobOptions struct {
	HTTPHeaders HTTPHeaders
	Metadata    map[string]string
	Conditions  Conditions
}

// AppendBlockOptions is the input of AppendBlock.
type AppendBlockOptions struct {
	Body             io.Reader
	Size             int64
	TransactionalMD5 []byte
	Conditions       Conditions
	// AppendPosition is x-ms-blob-condition-appendpos, nil when absent.
	AppendPosition *int64
	// MaxSize is x-ms-blob-condition-maxsize, nil when absent.
	MaxSize *int64
}

// AppendResult is the result of AppendBlock.
type AppendResult struct {
	WriteResult
	// AppendOffset is x-ms-blob-append-offset.
	AppendOffset        int64
	CommittedBlockCount int
}

// ListBlobsInclude is the include query parameter of List Blobs.
type ListBlobsInclude struct {
	Metadata         bool
	Snapshots        bool
	UncommittedBlobs bool
	Copy             bool
	Deleted          bool
	Tags             bool
	Versions         bool
}

// ListBlobsOptions is the input of ListBlobs.
type ListBlobsOptions struct {
	Prefix    string
	Delimiter string
	Marker    string
	// MaxResults: 0 means 5000; above 5000 is clamped; negative gives
	// storageerr.ErrOutOfRangeQueryParameterValue.
	MaxResults int
	Include    ListBlobsInclude
}

// BlobListItem is one entry of a List Blobs page: either a blob or, with a
// delimiter, a BlobPrefix.
type BlobListItem struct {
	// Prefix is set for a BlobPrefix entry (Blob is then nil).
	Prefix string
	Blob   *BlobProperties
}

// BlobList is one page of ListBlobs, in Azure's order: by name, snapshots
// oldest first, the base blob after its snapshots.
type BlobList struct {
	Items []BlobListItem
	// NextMarker is empty on the last page.
	NextMarker string
}

// ServiceProperties are the Blob service properties of an account, as the
// protocol layer parses them from (and renders them to) the
// StorageServiceProperties XML. The service stores them verbatim.
type ServiceProperties struct {
	Logging               *LoggingProperties `json:",omitempty"`
	HourMetrics           *MetricsProperties `json:",omitempty"`
	MinuteMetrics         *MetricsProperties `json:",omitempty"`
	Cors                  []CorsRule         `json:",omitempty"`
	DefaultServiceVersion string             `json:",omitempty"`
	DeleteRetentionPolicy *RetentionPolicy   `json:",omitempty"`
	StaticWebsite         *StaticWebsite     `json:",omitempty"`
}

// LoggingProperties is the Logging element.
type LoggingProperties struct {
	Version         string
	Delete          bool
	Read            bool
	Write           bool
	RetentionPolicy RetentionPolicy
}

// MetricsProperties is the HourMetrics/MinuteMetrics element.
type MetricsProperties struct {
	Version         string
	Enabled         bool
	IncludeAPIs     *bool `json:",omitempty"`
	RetentionPolicy RetentionPolicy
}

// RetentionPolicy is a RetentionPolicy / DeleteRetentionPolicy element.
type RetentionPolicy struct {
	Enabled bool
	// Days is nil when not given.
	Days                 *int  `json:",omitempty"`
	AllowPermanentDelete *bool `json:",omitempty"`
}

// CorsRule is one CorsRule element (comma-separated lists kept as sent).
type CorsRule struct {
	AllowedOrigins  string
	AllowedMethods  string
	AllowedHeaders  string
	ExposedHeaders  string
	MaxAgeInSeconds int
}

// StaticWebsite is the StaticWebsite element.
type StaticWebsite struct {
	Enabled                  bool
	IndexDocument            string `json:",omitempty"`
	ErrorDocument404Path     string `json:",omitempty"`
	DefaultIndexDocumentPath string `json:",omitempty"`
}

// AccountInfo is the result of GetAccountInfo.
type AccountInfo struct {
	SkuName                        string
	AccountKind                    string
	IsHierarchicalNamespaceEnabled bool
}

// BlobReader reads a blob's plaintext. It is an io.ReaderAt: serve ranges
// with io.NewSectionReader; only the chunks a read touches are decrypted. A
// tampered data file makes ReadAt fail with an error; it never returns wrong
// bytes. Close releases open files; the reader stays valid (the data files
// it reads are immutable and kept until Close) even if the blob is
// overwritten or deleted meanwhile.
type BlobReader struct {
	// Properties of the blob as of the read (with metadata).
	Properties BlobProperties
	r          io.ReaderAt
	size       int64
	close      func() error
}

// Size is the blob's content length.
func (b *BlobReader) Size() int64 { return b.size }

// ReadAt implements io.ReaderAt over the plaintext.
func (b *BlobReader) ReadAt(p []byte, off int64) (int, error) {
	if b.r == nil {
		return 0, io.EOF
	}
	return b.r.ReadAt(p, off)
}

// NewBlobReader returns a reader of size bytes served by r, with the
// blob's properties; close (may be nil) runs once, on the first Close.
func NewBlobReader(p BlobProperties, r io.ReaderAt, size int64, close func() error) *BlobReader {
	if close != nil {
		var once sync.Once
		inner := close
		close = func() error {
			var err error
			once.Do(func() { err = inner() })
			return err
		}
	}
	return &BlobReader{Properties: p, r: r, size: size, close: close}
}

// Close releases the reader's resources.
func (b *BlobReader) Close() error {
	if b.close == nil {
		return nil
	}
	return b.close()
}

// SetBlobPropertiesOptions is the input of SetBlobProperties.
type SetBlobPropertiesOptions struct {
	// HTTPHeaders replace all the blob's HTTP headers (absent ones are
	// cleared); nil leaves them as they are, as Azure does when a request
	// sets none of the x-ms-blob-content-* / x-ms-blob-cache-control headers.
	HTTPHeaders *HTTPHeaders
	Conditions  Conditions
}
