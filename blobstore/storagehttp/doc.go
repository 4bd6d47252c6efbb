// Package storagehttp holds the wire helpers shared by the Azure Storage REST
// protocol packages (blobapi for Blob, fileapi for Files): the XML error body
// and its headers, the common response headers (x-ms-request-id, x-ms-version,
// Date, Server), Range/x-ms-range parsing, conditional header parsing,
// x-ms-meta-* parsing, RFC 1123 and ISO 8601 dates, ETag quoting and a pooled
// copy buffer for streaming blob and file contents.
//
// Nothing here knows a storage operation: it turns headers into typed values
// and typed errors (*blobstore.Error) into Azure's wire format.
package storagehttp
