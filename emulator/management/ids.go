package management

import "strings"

// ARM resource types the plane serves.
const (
	AccountType      = "Microsoft.Storage/storageAccounts"
	UserIdentityType = "Microsoft.ManagedIdentity/userAssignedIdentities"
	VaultType        = "Microsoft.KeyVault/vaults"
	DeletedVaultType = "Microsoft.KeyVault/deletedVaults"
	GroupType        = "Microsoft.Resources/resourceGroups"
)

// SubscriptionID is the ARM id of the one subscription.
func SubscriptionID() string { return "/subscriptions/" + DefaultSubscription }

// GroupID is the ARM id of a resource group.
func GroupID(group string) string { return SubscriptionID() + "/resourceGroups/" + group }

// AccountID is the ARM id of a storage account.
func AccountID(group, name string) string {
	return GroupID(group) + "/providers/" + AccountType + "/" + name
}

// UserIdentityID is the ARM id of a user-assigned identity.
func UserIdentityID(group, name string) string {
	return GroupID(group) + "/providers/" + UserIdentityType + "/" + name
}

// VaultID is the ARM id of a key vault.
func VaultID(group, name string) string {
	return GroupID(group) + "/providers/" + VaultType + "/" + name
}

// DeletedVaultID is the ARM id of a soft-deleted vault, which lives under
// its location rather than its group.
func DeletedVaultID(location, name string) string {
	return SubscriptionID() + "/providers/Microsoft.KeyVault/locations/" + location + "/deletedVaults/" + name
}

// NormLocation is ARM's canonical location name: "East US" is stored and
// returned as "eastus".
func NormLocation(l string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(l), " ", ""))
}

func eq(a, b string) bool { return strings.EqualFold(a, b) }
