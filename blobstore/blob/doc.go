// Package blob holds the rules of Azure Blob Storage: containers, block and
// append blobs, staged blocks, snapshots, copies, leases, conditions,
// listings and customer-managed-key gating of each operation. Its Service
// runs over the storage account core (package blobstore: accounts, keys,
// the clock), the metadata store (boltstore) and the sealed-extent store
// (sealed); blobapi translates HTTP into calls on it.
package blob
