// Package file holds the rules of Azure Files: shares and share snapshots,
// directories, files and their ranges, SMB properties and permissions,
// leases, renames, copies and customer-managed-key gating of each
// operation. Its Service runs over the storage account core (package
// blobstore), the metadata store (boltstore) and the sealed-extent store
// (sealed); fileapi translates HTTP into calls on it. Blob copy sources are
// read through the Blobs interface, so this package never imports the Blob
// rules.
package file
