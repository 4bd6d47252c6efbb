// Package management is azemu's ARM-like management plane: the rules, state
// and persistence of the subset of Azure Resource Manager that applications
// and tests use to set up customer-managed keys, over the in-process
// services. Its HTTP protocol (routes, ARM's wire format and error envelope,
// authentication) is the armapi package; this package speaks no HTTP.
//
//   - Microsoft.Resources: resource groups, the default subscription
//     00000000-0000-0000-0000-000000000000 and its default group "azemu"
//     (location "local"), and the generic resource list.
//   - Microsoft.Storage/storageAccounts: create, get, update, delete, list,
//     keys, regenerateKey, managed identities and encryption
//     (customer-managed keys).
//   - Microsoft.ManagedIdentity/userAssignedIdentities.
//   - Microsoft.KeyVault/vaults, deletedVaults and vaults/accessPolicies.
//   - Microsoft.Authorization/roleAssignments on vaults (RBAC vaults).
//
// Every operation is one Service method that validates its input, changes
// the services and the state under one mutex and writes the state file.
// Failures are *Error values carrying ARM's status, code and message
// (ResourceGroupNotFound, ResourceNotFound, InvalidResourceLocation,
// StorageAccountInAnotherResourceGroup, StorageAccountAlreadyTaken,
// AccountNameInvalid, VaultNameNotValid, VaultAlreadyExists, ...).
// Locations are stored in canonical form ("East US" is "eastus").
//
// Enabling a customer-managed key validates what Azure validates (vault soft
// delete and purge protection, the identity's get/wrapKey/unwrapKey access,
// an enabled, unexpired RSA key of 2048, 3072 or 4096 bits) and then asks the
// storage service to re-wrap the account key through its key provider, acting
// as the account's managed identity, so the vault's own authorisation decides.
// Tick runs the daily check that moves accounts with a versionless key to the
// key's latest version.
//
// The management state (groups, the ARM properties of accounts, user-assigned
// identities, which group holds which vault, the secret/certificate/storage
// permissions of vault access policies) is a versioned JSON file in the data
// folder, replaced atomically on every change; older versions still read. It
// holds no secret: account keys live in the storage service, key material in
// the vault service.
package management
