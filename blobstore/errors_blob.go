package blobstore

import "errors"

// Blob-service error values not in the lead's table (errors.go).
var (
	// ErrNotModified is returned by reads (Get Blob, Get Blob Properties, Get
	// Blob Metadata) when If-None-Match matches or If-Modified-Since is not
	// satisfied. The protocol layer renders it as 304 Not Modified with no
	// body. Its code is ConditionNotMet, as Azure sends in x-ms-error-code, so
	// errors.Is also matches ErrConditionNotMet (and vice versa): tell them
	// apart with IsNotModified or by Status.
	ErrNotModified = newErr(304, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")

	// ErrAccountNotFound is returned for an unknown storage account. It is a
	// ResourceNotFound (404) with a specific message, so errors.Is(err,
	// ErrResourceNotFound) matches it.
	ErrAccountNotFound = newErr(404, "ResourceNotFound", "The specified account does not exist.")

	errNotImplemented = newErr(501, "NotImplemented", "This operation is not implemented yet by azemu.")
)

// IsNotModified reports whether err is ErrNotModified (status 304).
func IsNotModified(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 304
}
