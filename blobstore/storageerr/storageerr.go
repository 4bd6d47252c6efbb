package storageerr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the one error type of the storage services. It carries Azure's
// HTTP status and error code; the protocol packages render it as Azure's
// XML error body plus the x-ms-error-code header.
//
// Every value of the table below is an identity: errors.Is(err, ErrX) holds
// for ErrX itself and for every error made from it with WithMessage or
// WithDetail, and for nothing else, even when two table entries share a wire
// code (ErrAccountNotFound and ErrResourceNotFound are both
// "ResourceNotFound", ErrNotModified and ErrConditionNotMet both
// "ConditionNotMet").
type Error struct {
	Status  int
	Code    string
	Message string
	// Extra holds additional XML elements Azure sends for some errors
	// (QueryParameterName, HeaderName, Reason, ...), in order.
	Extra []Detail
	// Header holds extra response headers some errors carry.
	Header http.Header

	// origin is the table entry this error was derived from (nil for a
	// table entry or an ad-hoc error: then the error is its own origin).
	origin *Error
}

// Detail is one extra element of an error body.
type Detail struct {
	Name  string
	Value string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func (e *Error) identity() *Error {
	if e.origin != nil {
		return e.origin
	}
	return e
}

// Is reports whether target is the same error as e: the same table entry
// (or ad-hoc value), whatever message or details either carries.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.identity() == e.identity()
}

// WithMessage returns e with another message; it stays e for errors.Is.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	c.origin = e.identity()
	return &c
}

// WithDetail returns e with one more extra element; it stays e for
// errors.Is.
func (e *Error) WithDetail(name, value string) *Error {
	c := *e
	c.Extra = append(append([]Detail(nil), e.Extra...), Detail{name, value})
	c.origin = e.identity()
	return &c
}

// WithHeader returns e with one more response header; it stays e for
// errors.Is.
func (e *Error) WithHeader(name, value string) *Error {
	c := *e
	c.Header = e.Header.Clone()
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Header.Set(name, value)
	c.origin = e.identity()
	return &c
}

// CodeOf returns the wire error code of err (what x-ms-error-code carries),
// or "" when err is not an *Error. It is for rendering and for tests that
// check the wire code; compare errors with errors.Is.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// New returns an error of its own identity, for an error a protocol package
// answers that the table does not hold.
func New(status int, code, msg string) *Error { return newErr(status, code, msg) }

func newErr(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// The error table: one value per Azure error code, spelled as Azure spells it,
// with its status and Azure's default message. Use WithMessage/WithDetail to
// specialise.
var (
	// Common codes.
	ErrAccountIsDisabled                 = newErr(403, "AccountIsDisabled", "The specified account is disabled.")
	ErrAuthenticationFailed              = newErr(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.")
	ErrAuthorizationFailure              = newErr(403, "AuthorizationFailure", "This request is not authorized to perform this operation.")
	ErrAuthorizationPermissionMismatch   = newErr(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.")
	ErrAuthorizationResourceTypeMismatch = newErr(403, "AuthorizationResourceTypeMismatch", "This request is not authorized to perform this operation using this resource type.")
	ErrAuthorizationServiceMismatch      = newErr(403, "AuthorizationServiceMismatch", "This request is not authorized to perform this operation using this service.")
	ErrAuthorizationSourceIPMismatch     = newErr(403, "AuthorizationSourceIPMismatch", "This request is not authorized to perform this operation using this source IP.")
	ErrAuthorizationProtocolMismatch     = newErr(403, "AuthorizationProtocolMismatch", "This request is not authorized to perform this operation using this protocol.")
	ErrNoAuthenticationInformation       = newErr(401, "NoAuthenticationInformation", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.")
	ErrInsufficientAccountPermissions    = newErr(403, "InsufficientAccountPermissions", "The account being accessed does not have sufficient permissions to execute this operation.")
	ErrResourceNotFound                  = newErr(404, "ResourceNotFound", "The specified resource does not exist.")
	ErrResourceAlreadyExists             = newErr(409, "ResourceAlreadyExists", "The specified resource already exists.")
	ErrResourceTypeMismatch              = newErr(409, "ResourceTypeMismatch", "The specified resource type does not match the type of the existing resource.")
	ErrConditionNotMet                   = newErr(412, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
	ErrConditionHeadersNotSupported      = newErr(400, "ConditionHeadersNotSupported", "Condition headers are not supported.")
	ErrMultipleConditionHeaders          = newErr(400, "MultipleConditionHeadersNotSupported", "Multiple condition headers are not supported.")
	ErrEmptyMetadataKey                  = newErr(400, "EmptyMetadataKey", "The key for one of the metadata key-value pairs is empty.")
	ErrInvalidMetadata                   = newErr(400, "InvalidMetadata", "The metadata specified is invalid. It has characters that are not permitted.")
	ErrMetadataTooLarge                  = newErr(400, "MetadataTooLarge", "The size of the specified metadata exceeds the maximum size permitted.")
	ErrInvalidHeaderValue                = newErr(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
	ErrInvalidQueryParameterValue        = newErr(400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
	ErrInvalidInput                      = newErr(400, "InvalidInput", "One of the request inputs is not valid.")
	ErrInvalidURI                        = newErr(400, "InvalidUri", "The requested URI does not represent any resource on the server.")
	ErrInvalidXMLDocument                = newErr(400, "InvalidXmlDocument", "XML specified is not syntactically valid.")
	ErrInvalidXMLNodeValue               = newErr(400, "InvalidXmlNodeValue", "The value for one of the XML nodes is not in the correct format.")
	ErrInvalidResourceName               = newErr(400, "InvalidResourceName", "The specifed resource name contains invalid characters.")
	ErrOutOfRangeInput                   = newErr(400, "OutOfRangeInput", "One of the request inputs is out of range.")
	ErrOutOfRangeQueryParameterValue     = newErr(400, "OutOfRangeQueryParameterValue", "One of the query parameters specified in the request URI is outside the permissible range.")
	ErrMissingRequiredHeader             = newErr(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.")
	ErrMissingRequiredQueryParameter     = newErr(400, "MissingRequiredQueryParameter", "A query parameter that's mandatory for this request is not specified.")
	ErrMissingRequiredXMLNode            = newErr(400, "MissingRequiredXmlNode", "An XML node that's mandatory for this request is not specified.")
	ErrMissingContentLengthHeader        = newErr(411, "MissingContentLengthHeader", "The Content-Length header was not specified.")
	ErrRequestBodyTooLarge               = newErr(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.")
	ErrMD5Mismatch                       = newErr(400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
	ErrInvalidMD5                        = newErr(400, "InvalidMd5", "The MD5 value specified in the request is invalid. The MD5 value must be 128 bits and Base64-encoded.")
	ErrUnsupportedHeader                 = newErr(400, "UnsupportedHeader", "One of the headers specified in the request is not supported.")
	ErrUnsupportedQueryParameter         = newErr(400, "UnsupportedQueryParameter", "One of the query parameters specified in the request URI is not supported.")
	ErrUnsupportedHTTPVerb               = newErr(405, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb.")
	ErrInvalidRange                      = newErr(416, "InvalidRange", "The range specified is invalid for the current size of the resource.")
	ErrInvalidAuthenticationInfo         = newErr(400, "InvalidAuthenticationInfo", "Authentication information is not given in the correct format. Check the value of Authorization header.")
	ErrInternalError                     = newErr(500, "InternalError", "The server encountered an internal error. Please retry the request.")
	ErrOperationTimedOut                 = newErr(500, "OperationTimedOut", "The operation could not be completed within the permitted time.")
	ErrServerBusy                        = newErr(503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.")
	ErrFeatureNotSupported               = newErr(400, "FeatureNotSupportedByEmulator", "The requested feature is not supported by azemu.")

	// Customer-managed key revocation: what a request gets while the
	// account's vault key is unreachable (see docs/cmk-revocation.md).
	ErrKeyVaultEncryptionKeyNotFound           = newErr(403, "KeyVaultEncryptionKeyNotFound", "The key vault key is not found to unwrap the encryption key.")
	ErrKeyVaultAccessTokenCannotBeAcquired     = newErr(403, "KeyVaultAccessTokenCannotBeAcquired", "The access token to the key vault cannot be acquired. The storage account's managed identity cannot authenticate.")
	ErrKeyVaultVaultNotFound                   = newErr(403, "KeyVaultVaultNotFound", "The key vault configured for the storage account's encryption is not found.")
	ErrBlobUsesCustomerSpecifiedEncryption     = newErr(409, "BlobUsesCustomerSpecifiedEncryption", "The blob is encrypted with customer specified encryption, but it was not provided in the request.")
	ErrBlobDoesNotUseCustomerSpecifiedEnc      = newErr(409, "BlobDoesNotUseCustomerSpecifiedEncryption", "The blob is not encrypted with customer specified encryption, but one was provided in the request.")
	ErrBlobCustomerSpecifiedEncryptionMismatch = newErr(409, "BlobCustomerSpecifiedEncryptionMismatch", "The given customer specified encryption does not match the encryption used to encrypt the blob.")

	// Blob service codes.
	ErrAppendPositionConditionNotMet            = newErr(412, "AppendPositionConditionNotMet", "The append position condition specified was not met.")
	ErrBlobAlreadyExists                        = newErr(409, "BlobAlreadyExists", "The specified blob already exists.")
	ErrBlobNotFound                             = newErr(404, "BlobNotFound", "The specified blob does not exist.")
	ErrBlobArchived                             = newErr(409, "BlobArchived", "This operation is not permitted on an archived blob.")
	ErrBlockCountExceedsLimit                   = newErr(409, "BlockCountExceedsLimit", "The committed block count cannot exceed the maximum limit of 50,000 blocks.")
	ErrBlockListTooLong                         = newErr(400, "BlockListTooLong", "The block list may not contain more than 50,000 blocks.")
	ErrCannotVerifyCopySource                   = newErr(409, "CannotVerifyCopySource", "Could not verify the copy source within the specified time.")
	ErrContainerAlreadyExists                   = newErr(409, "ContainerAlreadyExists", "The specified container already exists.")
	ErrContainerBeingDeleted                    = newErr(409, "ContainerBeingDeleted", "The specified container is being deleted.")
	ErrContainerDisabled                        = newErr(409, "ContainerDisabled", "The specified container has been disabled by the administrator.")
	ErrContainerNotFound                        = newErr(404, "ContainerNotFound", "The specified container does not exist.")
	ErrContentLengthLargerThanTierLimit         = newErr(409, "ContentLengthLargerThanTierLimit", "The blob's content length cannot exceed its tier limit.")
	ErrCopyAcrossAccountsNotSupported           = newErr(400, "CopyAcrossAccountsNotSupported", "The copy source account and destination account must be the same.")
	ErrCopyIDMismatch                           = newErr(409, "CopyIdMismatch", "The specified copy ID did not match the copy ID for the pending copy operation.")
	ErrInvalidBlobOrBlock                       = newErr(400, "InvalidBlobOrBlock", "The specified blob or block content is invalid.")
	ErrInvalidBlobTier                          = newErr(400, "InvalidBlobTier", "The specified blob tier is invalid.")
	ErrInvalidBlobType                          = newErr(409, "InvalidBlobType", "The blob type is invalid for this operation.")
	ErrInvalidBlockID                           = newErr(400, "InvalidBlockId", "The specified block ID is invalid. The block ID must be Base64-encoded.")
	ErrInvalidBlockList                         = newErr(400, "InvalidBlockList", "The specified block list is invalid.")
	ErrInvalidOperation                         = newErr(400, "InvalidOperation", "Invalid operation against a blob snapshot.")
	ErrInvalidSourceBlobType                    = newErr(409, "InvalidSourceBlobType", "The source blob type is invalid for this operation.")
	ErrInvalidSourceBlobURL                     = newErr(409, "InvalidSourceBlobUrl", "The source URL for the copy operation is not a valid blob URL.")
	ErrInvalidVersionForPageBlobOperation       = newErr(400, "InvalidVersionForPageBlobOperation", "All operations on page blobs require at least version 2009-09-19.")
	ErrLeaseAlreadyPresent                      = newErr(409, "LeaseAlreadyPresent", "There is already a lease present.")
	ErrLeaseAlreadyBroken                       = newErr(409, "LeaseAlreadyBroken", "The lease has already been broken and cannot be broken again.")
	ErrLeaseIDMismatchWithBlobOperation         = newErr(412, "LeaseIdMismatchWithBlobOperation", "The lease ID specified did not match the lease ID for the blob.")
	ErrLeaseIDMismatchWithContainerOperation    = newErr(412, "LeaseIdMismatchWithContainerOperation", "The lease ID specified did not match the lease ID for the container.")
	ErrLeaseIDMismatchWithLeaseOperation        = newErr(409, "LeaseIdMismatchWithLeaseOperation", "The lease ID specified did not match the lease ID for the blob/container.")
	ErrLeaseIDMissing                           = newErr(412, "LeaseIdMissing", "There is currently a lease on the blob and no lease ID was specified in the request.")
	ErrLeaseIsBreakingAndCannotBeAcquired       = newErr(409, "LeaseIsBreakingAndCannotBeAcquired", "The lease ID matched, but the lease is currently in breaking state and cannot be acquired until it is broken.")
	ErrLeaseIsBreakingAndCannotBeChanged        = newErr(409, "LeaseIsBreakingAndCannotBeChanged", "The lease ID matched, but the lease is currently in breaking state and cannot be changed.")
	ErrLeaseIsBrokenAndCannotBeRenewed          = newErr(409, "LeaseIsBrokenAndCannotBeRenewed", "The lease ID matched, but the lease has been broken explicitly and cannot be renewed.")
	ErrLeaseLost                                = newErr(412, "LeaseLost", "A lease ID was specified, but the lease for the blob/container has expired.")
	ErrLeaseNotPresentWithBlobOperation         = newErr(412, "LeaseNotPresentWithBlobOperation", "There is currently no lease on the blob.")
	ErrLeaseNotPresentWithContainerOperation    = newErr(412, "LeaseNotPresentWithContainerOperation", "There is currently no lease on the container.")
	ErrLeaseNotPresentWithLeaseOperation        = newErr(409, "LeaseNotPresentWithLeaseOperation", "There is currently no lease on the blob/container.")
	ErrMaxBlobSizeConditionNotMet               = newErr(412, "MaxBlobSizeConditionNotMet", "The max blob size condition specified was not met.")
	ErrNoPendingCopyOperation                   = newErr(409, "NoPendingCopyOperation", "There is currently no pending copy operation.")
	ErrOperationNotAllowedOnIncrementalCopyBlob = newErr(409, "OperationNotAllowedOnIncrementalCopyBlob", "The specified operation is not allowed on an incremental copy blob.")
	ErrPendingCopyOperation                     = newErr(409, "PendingCopyOperation", "There is currently a pending copy operation.")
	ErrSnapshotsPresent                         = newErr(409, "SnapshotsPresent", "This operation is not permitted while the blob has snapshots.")
	ErrSourceConditionNotMet                    = newErr(412, "SourceConditionNotMet", "The source condition specified using HTTP conditional header(s) is not met.")
	ErrTargetConditionNotMet                    = newErr(412, "TargetConditionNotMet", "The target condition specified using HTTP conditional header(s) is not met.")
	ErrUnauthorizedBlobOverwrite                = newErr(403, "UnauthorizedBlobOverwrite", "This request is not authorized to perform blob overwrites.")
	ErrBlobImmutableDueToPolicy                 = newErr(409, "BlobImmutableDueToPolicy", "This operation is not permitted as the blob is immutable due to a policy.")
	ErrBlockBlobTooLarge                        = newErr(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.")

	// File service codes.
	ErrCannotDeleteFileOrDirectory        = newErr(409, "CannotDeleteFileOrDirectory", "The file or directory could not be deleted because it is in use by an SMB client.")
	ErrClientCacheFlushDelay              = newErr(409, "ClientCacheFlushDelay", "The specified resource state could not be flushed from an SMB client in the specified time.")
	ErrDeletePending                      = newErr(409, "DeletePending", "The specified resource is marked for deletion by an SMB client.")
	ErrDirectoryNotEmpty                  = newErr(409, "DirectoryNotEmpty", "The specified directory is not empty.")
	ErrFileLockConflict                   = newErr(409, "FileLockConflict", "A portion of the specified file is locked by an SMB client.")
	ErrInvalidFileOrDirectoryPathName     = newErr(400, "InvalidFileOrDirectoryPathName", "File or directory path is too long or file or directory path has too many subdirectories.")
	ErrParentNotFound                     = newErr(404, "ParentNotFound", "The specified parent path does not exist.")
	ErrReadOnlyAttribute                  = newErr(409, "ReadOnlyAttribute", "The specified resource is read-only and cannot be modified at this time.")
	ErrShareAlreadyExists                 = newErr(409, "ShareAlreadyExists", "The specified share already exists.")
	ErrShareBeingDeleted                  = newErr(409, "ShareBeingDeleted", "The specified share is being deleted. Try operation later.")
	ErrShareDisabled                      = newErr(403, "ShareDisabled", "The specified share is disabled by the administrator.")
	ErrShareNotFound                      = newErr(404, "ShareNotFound", "The specified share does not exist.")
	ErrShareHasSnapshots                  = newErr(409, "ShareHasSnapshots", "The share has snapshots and the operation requires no snapshots.")
	ErrShareSnapshotNotFound              = newErr(404, "ShareSnapshotNotFound", "The specified share snapshot does not exist.")
	ErrShareSnapshotOperationNotSupported = newErr(400, "ShareSnapshotOperationNotSupported", "The operation is not supported on a share snapshot.")
	ErrShareSnapshotCountExceeded         = newErr(409, "ShareSnapshotCountExceeded", "The total number of snapshots for the share is over the limit.")
	ErrSharingViolation                   = newErr(409, "SharingViolation", "The specified resource is open in a way that conflicts with the requested operation.")
	ErrFileShareQuotaExceeded             = newErr(409, "ShareQuotaExceeded", "The operation failed because the quota of the share would be exceeded.")
	ErrInvalidFileOrDirectoryName         = newErr(400, "InvalidResourceName", "The specifed resource name contains invalid characters.")

	// Blob service codes Azure sends beside the table above.
	// ErrNotModified is returned by reads (Get Blob, Get Blob Properties, Get
	// Blob Metadata) when If-None-Match matches or If-Modified-Since is not
	// satisfied. The protocol layer renders it as 304 Not Modified with no
	// body. Its code is ConditionNotMet, as Azure sends in x-ms-error-code,
	// but it is its own error: errors.Is(err, ErrConditionNotMet) is false.
	ErrNotModified = newErr(304, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")

	// ErrAccountNotFound is returned for an unknown storage account. It answers
	// ResourceNotFound (404) on the wire with its own message, and is its own
	// error: errors.Is(err, ErrResourceNotFound) is false.
	ErrAccountNotFound = newErr(404, "ResourceNotFound", "The specified account does not exist.")

	// ErrNotImplemented is an operation azemu does not implement yet.
	ErrNotImplemented = newErr(501, "NotImplemented", "This operation is not implemented yet by azemu.")

	// File service codes.
	ErrLeaseIDMismatchWithFileOperation = newErr(412, "LeaseIdMismatchWithFileOperation", "The lease ID specified did not match the lease ID for the file.")
	ErrLeaseNotPresentWithFileOperation = newErr(412, "LeaseNotPresentWithFileOperation", "There is currently no lease on the file.")
	// Share leases answer with the container codes and "file share" in the
	// message, as real responses show (x-ms-version 2020-02-10 recordings).
	ErrLeaseIDMismatchWithShareOperation = newErr(412, "LeaseIdMismatchWithContainerOperation", "The lease ID specified did not match the lease ID for the file share.")
	ErrLeaseNotPresentWithShareOperation = newErr(412, "LeaseNotPresentWithContainerOperation", "There is currently no lease on the file share.")
	// ErrFileLeaseIDMissing is LeaseIdMissing with the file wording.
	ErrFileLeaseIDMissing = newErr(412, "LeaseIdMissing", "There is currently a lease on the file and no lease ID was specified in the request.")
	// ErrShareLeaseIDMissing is LeaseIdMissing with the share wording.
	ErrShareLeaseIDMissing = newErr(412, "LeaseIdMissing", "There is currently a lease on the file share and no lease ID was specified in the request.")
	// ErrFileInvalidPermission is returned for a security descriptor azemu
	// cannot accept (not SDDL, or larger than 8 KiB).
	ErrFileInvalidPermission = newErr(400, "FileInvalidPermission", "The specified file permission is not valid.")
	// ErrFilePermissionNotFound is Get Permission with an unknown key: a
	// ResourceNotFound on the wire, its own error in errors.Is.
	ErrFilePermissionNotFound = newErr(404, "ResourceNotFound", "The specified permission key does not exist.")
	// ErrShareSizeLimitReached is a write beyond the share's quota (403 on
	// Azure, as seen in client error maps [UNVERIFIED]).
	ErrShareSizeLimitReached = newErr(403, "ShareSizeLimitReached", "The specified share is full.")
	// ErrFileCRC64Mismatch is a Put Range From URL source range whose CRC64
	// differs from x-ms-source-content-crc64.
	ErrFileCRC64Mismatch = newErr(400, "Crc64Mismatch", "The CRC64 value specified in the request did not match with the CRC64 value calculated by the server.")
	// ErrPreviousSnapshotNotFound is List Ranges against a previous share
	// snapshot where the file had another path, without
	// x-ms-file-support-rename.
	ErrPreviousSnapshotNotFound = newErr(409, "PreviousSnapshotNotFound", "The previous snapshot is not found.")
	// ErrFileResourceNotFound is a missing file or directory.
	ErrFileResourceNotFound = ErrResourceNotFound
)
