package blobstore

import "github.com/azemu/azemu/blobstore/storageerr"

// The errors of the account and key-provider contract, named here so the
// code that implements KeyProvider or manages accounts needs only this
// package. Each is the storageerr value itself (the same identity for
// errors.Is), not a copy.
var (
	// ErrAccountNotFound is what Account, DeleteAccount and SetEncryption
	// return for an unknown account.
	ErrAccountNotFound = storageerr.ErrAccountNotFound
	// ErrKeyVaultEncryptionKeyNotFound is what a KeyProvider returns when the
	// vault key is deleted, disabled, expired or lacks wrap/unwrap.
	ErrKeyVaultEncryptionKeyNotFound = storageerr.ErrKeyVaultEncryptionKeyNotFound
	// ErrKeyVaultAccessTokenCannotBeAcquired is what a KeyProvider returns
	// when the account's identity cannot reach the vault (deleted identity,
	// access revoked).
	ErrKeyVaultAccessTokenCannotBeAcquired = storageerr.ErrKeyVaultAccessTokenCannotBeAcquired
	// ErrKeyVaultVaultNotFound is what a KeyProvider returns when the vault
	// is gone.
	ErrKeyVaultVaultNotFound = storageerr.ErrKeyVaultVaultNotFound
)
