package emulator

import (
	"context"

	"github.com/azemu/azemu/keyvault"
)

// ensureDevVault creates the default vault on first start: soft delete with
// 90 days' retention and purge protection on, as Azure requires of a vault
// that holds customer-managed keys, and an access policy that grants the
// development principal every key, secret and certificate permission. An
// existing devvault is left as the user made it.
func (e *Emulator) ensureDevVault(ctx context.Context) error {
	on := true
	_, err := e.vault.EnsureVault(ctx, keyvault.VaultSpec{
		Name:                    DevVaultName,
		TenantID:                DevTenantID,
		EnableSoftDelete:        &on,
		SoftDeleteRetentionDays: 90,
		EnablePurgeProtection:   true,
		AccessPolicies: []keyvault.AccessPolicy{{
			TenantID:     DevTenantID,
			ObjectID:     DevObjectID,
			Keys:         keyvault.AllKeyPermissions(),
			Secrets:      keyvault.AllSecretPermissions(),
			Certificates: keyvault.AllCertificatePermissions(),
		}},
	})
	return err
}
