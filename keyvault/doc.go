// Package keyvault is the vault service of azemu: vaults (tenant, soft delete,
// purge protection, access policies or RBAC role assignments), keys and their
// versions, the cryptographic key operations, secrets, certificates (with
// their policies, operations, issuers and contacts), soft delete / recover /
// purge, backup / restore, rotation policies and certificate lifetime
// actions.
//
// A certificate version has a key and a secret of the same name and version
// (certfaces.go): the key is an ordinary key record marked managed by the
// certificate's existence, the secret an ordinary secret record marked
// managed; the keys and secrets APIs refuse to change either.
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
// disk in plaintext. Secret values (including a certificate's PKCS#12 or
// PEM) are sealed the same way ("azemu/keyvault/v1/secrets/<vault>/<name>/
// <version>") in memory as on disk and opened only to answer Get Secret; an
// issuer's provider password is sealed too. Backups are sealed with the root
// key as a whole and carry the source vault's tenant.
//
// Time: every rule that depends on time (nbf/exp, scheduled purge, rotation)
// uses Config.Now, the emulator clock; Tick runs what is due.
//
// Concurrency: one RWMutex guards the state; RSA/EC work runs outside it on
// immutable key versions (except the key generation of a certificate
// renewed by its lifetime action, which Tick runs under the lock). Each change to a vault, a key or a policy takes a
// new value of a service-wide generation counter, which KeyState reports so a
// caller can cache an unwrapped key and re-check it without RSA work.
package keyvault
