package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

// wrapAlgorithm is what Azure Storage uses to wrap an account key with the
// customer's RSA key.
const wrapAlgorithm = "RSA-OAEP-256"

// cmk is the KeyProvider through which storage reaches the in-process
// vault for customer-managed keys, acting as the account's managed identity
// so that the vault's own access checks decide. It holds only what it needs:
// the vault service and the principal lookup of the token authority.
type cmk struct {
	vault *keyvault.Service
	ids   principalLookup
}

// principalLookup finds a principal by object id; it MUST return an error
// wrapping identity.ErrPrincipalNotFound when there is none.
type principalLookup interface {
	LookupPrincipal(ctx context.Context, objectID string) (identity.Principal, error)
}

var _ blobstore.KeyProvider = (*cmk)(nil)

func callerOf(id blobstore.Identity) keyvault.Caller {
	return keyvault.Caller{ObjectID: id.PrincipalID, TenantID: id.TenantID, AppID: id.ClientID}
}

// checkIdentity stands for the token request the storage service makes as
// its managed identity: a principal that no longer exists gets no token.
func (c *cmk) checkIdentity(ctx context.Context, id blobstore.Identity) error {
	ids := c.ids
	if ids == nil || id.PrincipalID == "" {
		return blobstore.ErrKeyVaultAccessTokenCannotBeAcquired
	}
	p, err := ids.LookupPrincipal(ctx, id.PrincipalID)
	if err != nil {
		if errors.Is(err, identity.ErrPrincipalNotFound) {
			return blobstore.ErrKeyVaultAccessTokenCannotBeAcquired
		}
		return err
	}
	if id.TenantID != "" && !strings.EqualFold(p.TenantID, id.TenantID) {
		return blobstore.ErrKeyVaultAccessTokenCannotBeAcquired
	}
	return nil
}

// mapVaultErr turns the vault's refusal into the storage error Azure
// answers while the key is unavailable (AZURE-SEMANTICS 2.2).
func mapVaultErr(err error) error {
	var ke *keyvault.Error
	if !errors.As(err, &ke) {
		return fmt.Errorf("key vault: %w", err)
	}
	switch ke.Code {
	case keyvault.CodeVaultNotFound:
		return blobstore.ErrKeyVaultVaultNotFound
	case keyvault.CodeInternalError:
		return fmt.Errorf("key vault: %w", err)
	}
	// KeyNotFound (deleted, purged, unknown version), Forbidden (disabled,
	// no permission, operation not allowed), BadParameter.
	return blobstore.ErrKeyVaultEncryptionKeyNotFound
}

// versionedKID names the version used, on the host the configuration named.
func versionedKID(keyID, name, version string) string {
	u, err := url.Parse(keyID)
	if err != nil || u.Host == "" {
		return keyID
	}
	return "https://" + strings.ToLower(u.Host) + "/keys/" + name + "/" + version
}

// WrapKey wraps aek with the vault key keyID (versionless: the latest
// version) as the account's identity, with RSA-OAEP-256.
func (c *cmk) WrapKey(ctx context.Context, id blobstore.Identity, keyID string, aek []byte) (blobstore.WrappedKey, error) {
	vault, name, version, err := keyvault.ParseKeyID(keyID)
	if err != nil {
		return blobstore.WrappedKey{}, blobstore.ErrKeyVaultEncryptionKeyNotFound
	}
	if err := c.checkIdentity(ctx, id); err != nil {
		return blobstore.WrappedKey{}, err
	}
	kv := c.vault
	if kv == nil {
		return blobstore.WrappedKey{}, blobstore.ErrKeyVaultVaultNotFound
	}
	res, err := kv.WrapKey(ctx, callerOf(id), vault, name, version, wrapAlgorithm, aek)
	if err != nil {
		return blobstore.WrappedKey{}, mapVaultErr(err)
	}
	return blobstore.WrappedKey{KeyID: versionedKID(keyID, res.Name, res.Version), Algorithm: wrapAlgorithm, Bytes: res.Value}, nil
}

// UnwrapKey unwraps the account key as the account's identity.
func (c *cmk) UnwrapKey(ctx context.Context, id blobstore.Identity, w blobstore.WrappedKey) ([]byte, error) {
	vault, name, version, err := keyvault.ParseKeyID(w.KeyID)
	if err != nil {
		return nil, blobstore.ErrKeyVaultEncryptionKeyNotFound
	}
	if err := c.checkIdentity(ctx, id); err != nil {
		return nil, err
	}
	kv := c.vault
	if kv == nil {
		return nil, blobstore.ErrKeyVaultVaultNotFound
	}
	alg := w.Algorithm
	if alg == "" {
		alg = wrapAlgorithm
	}
	res, err := kv.UnwrapKey(ctx, callerOf(id), vault, name, version, alg, w.Bytes)
	if err != nil {
		return nil, mapVaultErr(err)
	}
	return res.Value, nil
}

// KeyState is the cheap check storage makes on every request that needs the
// key: the identity still exists and the vault would unwrap now (no RSA).
// Storage itself may reuse a good answer for Config.CMKCacheTTL.
func (c *cmk) KeyState(ctx context.Context, id blobstore.Identity, w blobstore.WrappedKey) (uint64, error) {
	vault, name, version, err := keyvault.ParseKeyID(w.KeyID)
	if err != nil {
		return 0, blobstore.ErrKeyVaultEncryptionKeyNotFound
	}
	if err := c.checkIdentity(ctx, id); err != nil {
		return 0, err
	}
	kv := c.vault
	if kv == nil {
		return 0, blobstore.ErrKeyVaultVaultNotFound
	}
	gen, err := kv.KeyState(ctx, callerOf(id), vault, name, version)
	if err != nil {
		return 0, mapVaultErr(err)
	}
	return gen, nil
}
