// Package management is azemu's ARM-like management plane: the subset of
// Azure Resource Manager that applications and tests use to set up customer-
// managed keys, served over the in-process services.
//
//   - Microsoft.Resources: resource groups (create, get, list, delete), the
//     default subscription 00000000-0000-0000-0000-000000000000 and its
//     default group "azemu" (location "local"), and the generic resource list.
//   - Microsoft.Storage/storageAccounts: create (always a synchronous 200 with
//     provisioningState Succeeded, which armstorage's poller accepts without
//     polling), get, update, delete, list, listKeys, regenerateKey, managed
//     identities and properties.encryption (customer-managed keys).
//   - Microsoft.ManagedIdentity/userAssignedIdentities.
//   - Microsoft.KeyVault/vaults, deletedVaults and vaults/accessPolicies.
//   - Microsoft.Authorization/roleAssignments on vaults (RBAC vaults).
//
// Every request needs a bearer token from azemu's authority for the
// management audience; every authenticated principal may manage every
// resource. Errors have ARM's shape {"error":{"code","message"}} with ARM's
// codes and messages (MissingApiVersionParameter, InvalidApiVersionParameter
// for a malformed version, ResourceGroupNotFound, ResourceNotFound,
// InvalidResourceType, InvalidResourceLocation,
// StorageAccountInAnotherResourceGroup, StorageAccountAlreadyTaken,
// AccountNameInvalid, VaultNameNotValid, VaultAlreadyExists, ...).
// Any well-formed api-version is served the same way.
//
// ARM's common protocol: locations are stored and returned in canonical
// form ("East US" is "eastus"); HEAD works on every resource (204 or the
// status a GET would give); lists answer {"value","nextLink"} and page when
// the client sends $top (nextLink carries $skiptoken); the generic resource
// list filters on resourceType, resourceGroup, name and location;
// GET /providers[/{namespace}] and POST .../register report the namespaces
// azemu serves as registered; Microsoft.Storage and Microsoft.KeyVault
// answer checkNameAvailability.
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
// folder, replaced atomically on every change; older versions still read. It holds no secret: account
// keys live in the storage service, key material in the vault service.
package management
