package emulator

import "github.com/azemu/azemu/blobstore"

// keyProvider returns the KeyProvider through which storage reaches the
// in-process Key Vault for customer-managed keys. nil until CMK lands.
func (e *Emulator) keyProvider() blobstore.KeyProvider { return nil }
