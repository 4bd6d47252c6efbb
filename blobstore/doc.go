// Package blobstore is the storage account core of azemu, what every
// storage service shares: accounts and their shared keys, account
// encryption keys wrapped by the root key or through the KeyProvider seam
// by a customer-managed key in a vault, the gating and caching of those
// keys, the emulator clock and ETags, the request and result types of the
// storage APIs, the conditions and lease rules, and the metadata sealing.
//
// The services are built on it: blob (Azure Blob Storage) and file (Azure
// Files), each with its own Service, attached to the core so that deleting
// an account and the clock-driven Sweep reach them. Their records live in
// boltstore, their bytes in sealed; storageerr is the wire error table.
// See docs/architecture.md for the package tree and its import rules.
package blobstore
