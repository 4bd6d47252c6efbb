// Package keyvault is the vault service of azemu: vaults (tenant, soft delete,
// purge protection, access policies or RBAC role assignments), keys and their
// versions, the cryptographic key operations, soft delete / recover / purge,
// backup / restore and rotation policies.
//
// All business rules of Key Vault live here, not in the REST layer
// (keyvault/kvapi): every operation takes a Caller (the object id, tenant and
// application of the token or of the in-process client such as the storage
// CMK key provider) and is authorised against the vault's access policies or,
// when the vault uses RBAC, its role assignments, exactly as an HTTP request.
//
// Key material: private keys are held in memory while the service runs and are
// persisted only sealed with the root key (crypto.Seal, associated data
// "azemu/keyvault/v1/<vault>/<key>/<version>"), so no private key reaches the
// disk in plaintext. Backups are sealed with the root key as a whole.
//
// Time: every rule that depends on time (nbf/exp, scheduled purge, rotation)
// uses Config.Now, the emulator clock; Tick runs what is due.
//
// Concurrency: one RWMutex guards the state; RSA/EC work runs outside it on
// immutable key versions. Each change to a vault, a key or a policy takes a
// new value of a service-wide generation counter, which KeyState reports so a
// caller can cache an unwrapped key and re-check it without RSA work.
package keyvault
