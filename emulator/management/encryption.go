package management

import (
	"context"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

// applyIdentity applies the identity block of a PUT/PATCH to a (a copy the
// caller owns). It returns the principal id of a system-assigned identity it
// registered, so the caller can undo it when a later step fails.
func (s *Service) applyIdentity(ctx context.Context, a *account, in *identityIn) (registered string, err error) {
	if in == nil {
		return "", nil
	}
	sys, user := false, false
	for _, p := range strings.Split(in.Type, ",") {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "none":
		case "systemassigned":
			sys = true
		case "userassigned":
			user = true
		default:
			return "", newError(http.StatusBadRequest, CodeInvalidValues,
				"The identity type '%s' is invalid. Use None, SystemAssigned, UserAssigned or 'SystemAssigned,UserAssigned'.", in.Type)
		}
	}
	// User-assigned identities: the map given replaces the list; a null value
	// removes an entry (PATCH semantics), and so does omitting it.
	var ua []string
	if user {
		for id, v := range in.UserAssignedIdentities {
			if strings.TrimSpace(string(v)) == "null" {
				continue
			}
			u, ok := s.st.Identities[strings.ToLower(id)]
			if !ok {
				return "", newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
					"The user-assigned identity '%s' does not exist.", id)
			}
			ua = append(ua, identityID(u.Group, u.Name))
		}
		if len(ua) == 0 {
			return "", newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
				"The identity type UserAssigned needs one entry in userAssignedIdentities.")
		}
		if len(ua) > 1 {
			return "", newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue, "Only 1 User Assigned identity is permitted here.")
		}
	} else if len(in.UserAssignedIdentities) > 0 {
		for _, v := range in.UserAssignedIdentities {
			if strings.TrimSpace(string(v)) != "null" {
				return "", newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
					"userAssignedIdentities may only be given with the identity type UserAssigned.")
			}
		}
	}
	a.Identity.UserAssigned = ua
	a.Identity.ExplicitNone = !sys && !user
	if sys && a.Identity.System == "" {
		rid := accountID(a)
		p, err := s.cfg.Identity.LookupManagedIdentity(ctx, rid)
		if err != nil {
			p, err = s.cfg.Identity.RegisterManagedIdentity(ctx, identity.ManagedIdentitySpec{
				TenantID: DefaultTenant, DisplayName: a.Name, ResourceID: rid})
			if err != nil {
				return "", err
			}
			registered = p.ObjectID
		}
		a.Identity.System, a.Identity.SystemClient = p.ObjectID, p.ClientID
	}
	if !sys {
		a.Identity.System, a.Identity.SystemClient = "", ""
	}
	return registered, nil
}

// keyVaultURI parses a keyvaulturi and returns the vault name and the base
// URL (scheme://host[:port]) key identifiers are built on.
func keyVaultURI(raw string) (vault, base string, err error) {
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || strings.Trim(u.Path, "/") != "" {
		return "", "", newError(http.StatusBadRequest, CodeInvalidValues,
			"The keyvaulturi '%s' is not a Key Vault URI like https://<vault>.vault.localhost:8443.", raw)
	}
	vault = keyvault.VaultFromHost(u.Host)
	if vault == "" {
		return "", "", newError(http.StatusBadRequest, CodeInvalidValues,
			"The keyvaulturi '%s' does not name a vault (https://<vault>.vault.localhost:<port>).", raw)
	}
	return vault, "https://" + strings.ToLower(u.Host), nil
}

func keyID(base, name, version string) string {
	id := base + "/keys/" + name
	if version != "" {
		id += "/" + version
	}
	return id
}

func caller(id blobstore.Identity) keyvault.Caller {
	return keyvault.Caller{ObjectID: id.PrincipalID, TenantID: id.TenantID, AppID: id.ClientID}
}

// encryptionIdentity resolves the identity the account uses for its key:
// the named user-assigned identity (which must be assigned to the account)
// or the system-assigned one. When the account is being created, only a
// user-assigned identity will do (AZURE-SEMANTICS 1.2).
func (s *Service) encryptionIdentity(ctx context.Context, a *account, uai string, creating bool) (blobstore.Identity, error) {
	if uai != "" {
		assigned := false
		for _, id := range a.Identity.UserAssigned {
			assigned = assigned || eq(id, uai)
		}
		if !assigned {
			return blobstore.Identity{}, newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
				"The user-assigned identity '%s' named in encryption.identity is not assigned to the storage account.", uai)
		}
		u, ok := s.st.Identities[strings.ToLower(uai)]
		if !ok {
			return blobstore.Identity{}, newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
				"The user-assigned identity '%s' does not exist.", uai)
		}
		return blobstore.Identity{PrincipalID: u.PrincipalID, TenantID: u.TenantID, ClientID: u.ClientID}, nil
	}
	if creating {
		return blobstore.Identity{}, newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
			"A user-assigned identity (encryption.identity.userAssignedIdentity) is required to enable customer-managed keys when the storage account is created.")
	}
	if a.Identity.System == "" {
		return blobstore.Identity{}, newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
			"The storage account has no managed identity to reach the key vault: assign a system-assigned identity or name a user-assigned identity in encryption.identity.userAssignedIdentity.")
	}
	p, err := s.cfg.Identity.LookupPrincipal(ctx, a.Identity.System)
	if err != nil {
		return blobstore.Identity{}, errKeyVaultAuth("The storage account's system-assigned identity does not exist.")
	}
	return blobstore.Identity{PrincipalID: p.ObjectID, TenantID: p.TenantID, ClientID: p.ClientID}, nil
}

// validateKey checks what Azure checks before it accepts a key: the vault
// is recoverable (soft delete and purge protection), the identity can get
// the key, and the key is an enabled, currently valid RSA key of 2048, 3072
// or 4096 bits. It returns the key version's bundle.
func (s *Service) validateKey(ctx context.Context, id blobstore.Identity, vault, name, version string) (keyvault.KeyBundle, error) {
	v, err := s.cfg.Vault.GetVault(ctx, vault)
	if err != nil {
		return keyvault.KeyBundle{}, errKeyVaultAuth("The key vault '" + vault + "' was not found.")
	}
	if !v.EnableSoftDelete || !v.EnablePurgeProtection {
		return keyvault.KeyBundle{}, errKeyVaultPolicy()
	}
	kb, err := s.cfg.Vault.GetKey(ctx, caller(id), vault, name, version)
	if err != nil {
		return keyvault.KeyBundle{}, errKeyVaultAuth("")
	}
	now := s.cfg.Now()
	if !kb.Attributes.Enabled ||
		(kb.Attributes.Expires != nil && !now.Before(*kb.Attributes.Expires)) ||
		(kb.Attributes.NotBefore != nil && now.Before(*kb.Attributes.NotBefore)) {
		return keyvault.KeyBundle{}, errKeyVaultAuth("")
	}
	bits := new(big.Int).SetBytes(kb.Key.N).BitLen()
	if (kb.Key.Kty != keyvault.KtyRSA && kb.Key.Kty != keyvault.KtyRSAHSM) || (bits != 2048 && bits != 3072 && bits != 4096) {
		return keyvault.KeyBundle{}, newError(http.StatusBadRequest, CodeInvalidValues,
			"The key '%s' cannot protect a storage account: customer-managed keys must be RSA or RSA-HSM keys of 2048, 3072 or 4096 bits.", name)
	}
	return kb, nil
}

// fromWrap maps a storage/key provider error met while (re-)wrapping the
// account key: every key vault refusal is the authentication issue Azure
// reports.
func fromWrap(err error) error {
	for _, e := range []*storageerr.Error{blobstore.ErrKeyVaultEncryptionKeyNotFound,
		blobstore.ErrKeyVaultAccessTokenCannotBeAcquired, blobstore.ErrKeyVaultVaultNotFound} {
		if errors.Is(err, e) {
			return errKeyVaultAuth("")
		}
	}
	return fromStorage(err)
}

// applyEncryption applies properties.encryption to a (a copy the caller
// owns): switching to the vault key validates it and re-wraps the account
// key as the account's identity; switching back re-wraps with the root key.
// No data is re-encrypted. Caller holds s.mu.
func (s *Service) applyEncryption(ctx context.Context, a *account, in *encryptionIn, creating bool) error {
	if in == nil {
		// No encryption block: the setting stays as it is (a revoked key
		// must not block a tag update).
		return nil
	}
	if in.RequireInfrastructureEncryption != nil {
		if !creating && *in.RequireInfrastructureEncryption != a.InfraEncryption {
			return newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
				"requireInfrastructureEncryption can only be set when the storage account is created.")
		}
		a.InfraEncryption = *in.RequireInfrastructureEncryption
	}
	source := a.Encryption.KeySource
	switch {
	case in.KeySource == "":
		if creating && in.KeyVaultProperties != nil {
			source = blobstore.KeySourceKeyvault
		}
	case eq(in.KeySource, blobstore.KeySourceStorage):
		source = blobstore.KeySourceStorage
	case eq(in.KeySource, blobstore.KeySourceKeyvault):
		source = blobstore.KeySourceKeyvault
	default:
		return newError(http.StatusBadRequest, CodeInvalidValues,
			"The keySource '%s' is invalid. Use Microsoft.Storage or Microsoft.Keyvault.", in.KeySource)
	}
	if source == blobstore.KeySourceStorage {
		if a.Encryption.KeySource == blobstore.KeySourceKeyvault {
			if err := s.cfg.Storage.SetEncryption(ctx, a.Name, blobstore.EncryptionSpec{KeySource: blobstore.KeySourceStorage}); err != nil {
				return fromWrap(err)
			}
		}
		a.Encryption = encryption{KeySource: blobstore.KeySourceStorage, ServicesSince: a.Encryption.ServicesSince}
		return nil
	}
	want := a.Encryption
	if want.KeySource != blobstore.KeySourceKeyvault {
		want = encryption{ServicesSince: a.Encryption.ServicesSince}
	}
	want.KeySource = blobstore.KeySourceKeyvault
	if p := in.KeyVaultProperties; p != nil {
		if p.KeyName != nil {
			want.KeyName = *p.KeyName
		}
		if p.KeyVaultURI != nil {
			want.KeyVaultURI = *p.KeyVaultURI
		}
		if p.KeyVersion != nil {
			want.KeyVersion = *p.KeyVersion
		} else if p.KeyName != nil {
			want.KeyVersion = ""
		}
	}
	if in.Identity != nil {
		if in.Identity.UserAssignedIdentity != nil {
			want.UserAssigned = *in.Identity.UserAssignedIdentity
		}
		if in.Identity.FederatedIdentityClientID != nil {
			want.FederatedID = *in.Identity.FederatedIdentityClientID
		}
	}
	if want.KeyName == "" || want.KeyVaultURI == "" {
		return newError(http.StatusBadRequest, CodeInvalidValues,
			"keyvaultproperties.keyname and keyvaultproperties.keyvaulturi are required when keySource is Microsoft.Keyvault.")
	}
	if want.FederatedID != "" {
		return newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue,
			"Cross-tenant customer-managed keys (federatedIdentityClientId) are not supported by azemu.")
	}
	if _, err := s.encryptionIdentity(ctx, a, want.UserAssigned, creating); err != nil {
		return err
	}
	return s.rewrapIfNeeded(ctx, a, want)
}

// rewrapIfNeeded validates the key of want and, when the key, version or
// identity differs from what wraps the account key now, re-wraps it.
func (s *Service) rewrapIfNeeded(ctx context.Context, a *account, want encryption) error {
	id, err := s.encryptionIdentity(ctx, a, want.UserAssigned, false)
	if err != nil {
		return err
	}
	vault, base, err := keyVaultURI(want.KeyVaultURI)
	if err != nil {
		return err
	}
	kb, err := s.validateKey(ctx, id, vault, want.KeyName, want.KeyVersion)
	if err != nil {
		return err
	}
	cur, err := s.cfg.Storage.Account(ctx, a.Name)
	if err != nil {
		return fromStorage(err)
	}
	kid := keyID(base, want.KeyName, want.KeyVersion)
	if !(cur.Encryption.KeySource == blobstore.KeySourceKeyvault && cur.Encryption.KeyID == kid &&
		cur.Encryption.Identity.PrincipalID == id.PrincipalID) {
		if err := s.cfg.Storage.SetEncryption(ctx, a.Name, blobstore.EncryptionSpec{
			KeySource: blobstore.KeySourceKeyvault, KeyID: kid, Identity: id}); err != nil {
			return fromWrap(err)
		}
	}
	now := s.cfg.Now().UTC()
	after, err := s.cfg.Storage.Account(ctx, a.Name)
	if err != nil {
		return fromStorage(err)
	}
	if after.WrappedKeyID != cur.WrappedKeyID || want.LastRotation == nil {
		want.LastRotation = &now
	}
	want.KeyExpiry = kb.Attributes.Expires
	want.LastKeyCheck = now
	a.Encryption = want
	return nil
}

// Tick runs the daily key check: every account whose key is configured
// without a version moves to the key's latest version once a day on the
// emulator clock (Azure checks daily). A pinned version stays. A latest
// version that cannot be used (disabled, expired, no access) leaves the
// account on the version it has.
func (s *Service) Tick(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now().UTC()
	dirty := false
	for _, a := range s.st.Accounts {
		e := a.Encryption
		if e.KeySource != blobstore.KeySourceKeyvault || e.KeyVersion != "" || now.Sub(e.LastKeyCheck) < KeyCheckInterval {
			continue
		}
		a.Encryption.LastKeyCheck = now
		dirty = true
		if err := s.followLatest(ctx, a); err != nil {
			s.log.Warn("management: daily key check", "account", a.Name, "key", e.KeyName, "err", err)
		}
	}
	if !dirty {
		return nil
	}
	return s.saveLocked()
}

func (s *Service) followLatest(ctx context.Context, a *account) error {
	id, err := s.encryptionIdentity(ctx, a, a.Encryption.UserAssigned, false)
	if err != nil {
		return err
	}
	vault, base, err := keyVaultURI(a.Encryption.KeyVaultURI)
	if err != nil {
		return err
	}
	kb, err := s.cfg.Vault.GetKey(ctx, caller(id), vault, a.Encryption.KeyName, "")
	if err != nil {
		return err
	}
	cur, err := s.cfg.Storage.Account(ctx, a.Name)
	if err != nil {
		return err
	}
	if _, _, curVersion, err := keyvault.ParseKeyID(cur.WrappedKeyID); err == nil && strings.EqualFold(curVersion, kb.Version) {
		a.Encryption.KeyExpiry = kb.Attributes.Expires
		return nil
	}
	if !kb.Attributes.Enabled {
		return errors.New("the latest key version is disabled; staying on the current one")
	}
	if err := s.cfg.Storage.SetEncryption(ctx, a.Name, blobstore.EncryptionSpec{
		KeySource: blobstore.KeySourceKeyvault, KeyID: keyID(base, a.Encryption.KeyName, ""), Identity: id}); err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	a.Encryption.LastRotation = &now
	a.Encryption.KeyExpiry = kb.Attributes.Expires
	s.log.Info("management: account moved to the latest key version", "account", a.Name, "key", a.Encryption.KeyName, "version", kb.Version)
	return nil
}
