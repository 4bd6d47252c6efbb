// Package storageerr is Azure Storage's wire error table, shared by every
// storage service azemu emulates (Blob and Files; Queue and Table next):
// one *Error value per Azure error code, with its HTTP status and Azure's
// default message. Services return these values (or copies made with
// WithMessage and WithDetail); the protocol packages render them as
// Azure's XML error body with the x-ms-error-code header.
//
// Codes and statuses are those of the common and service-specific error
// code pages of the Storage REST reference:
// https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes,
// https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes and
// https://learn.microsoft.com/rest/api/storageservices/file-service-error-codes.
package storageerr
