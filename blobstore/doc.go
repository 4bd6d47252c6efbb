// Package blobstore is azemu's storage service for Azure Blob Storage and
// Azure Files: accounts, containers, blobs, shares, directories and files,
// with conditions, leases, encryption at rest and customer-managed-key
// gating. The protocol packages blobapi and fileapi translate HTTP into calls
// on it; boltstore persists its metadata.
package blobstore
