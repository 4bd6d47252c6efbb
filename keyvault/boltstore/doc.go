// Package boltstore persists the vault service's records in one bbolt file.
//
// It stores opaque byte records (see schema.go) and knows nothing of keys:
// the keyvault service seals every private key with the root key before a
// record reaches this package, so nothing here is plaintext key material.
package boltstore
