package blobstore

// File-service error values not in the lead's table (errors.go).
var (
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
	// ErrFilePermissionNotFound is Get Permission with an unknown key.
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
