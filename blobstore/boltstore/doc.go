// Package boltstore persists the blob service's metadata in a bbolt
// database: accounts, containers, blobs and snapshots, staged blocks, and the
// reference counts of the encrypted data files that live beside it. It knows
// key layouts and orderings but nothing of HTTP, keys or plaintext: values
// are opaque records encoded (and partly sealed) by package blobstore.
//
// See schema.go for the bucket names and key layouts.
package boltstore
