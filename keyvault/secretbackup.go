package keyvault

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	azcrypto "github.com/azemu/azemu/crypto"
)

// Secret backup blob format: the magic "AZKVBS01" followed by
// crypto.Seal(root key, JSON(secretBackup), "azemu/keyvault/backup/secrets/v1").
// The JSON holds the tenant of the source vault and every version with its
// value, so the blob is only as safe as the root key. It restores into any
// vault of the same tenant on an emulator with the same root key; Key Vault
// refuses restoring into another tenant (or subscription), and so does this.
var secretBackupMagic = []byte("AZKVBS01")

var secretBackupAAD = []byte("azemu/keyvault/backup/secrets/v1")

type secretBackup struct {
	Tenant   string                `json:"tenant"`
	Name     string                `json:"name"`
	Versions []secretBackupVersion `json:"versions"`
}

type secretBackupVersion struct {
	secretVersionRecord
	Value []byte `json:"value"`
}

// BackupSecret returns an opaque, sealed backup of every version of a secret
// (permission backup).
func (s *Service) BackupSecret(_ context.Context, c Caller, vault, name string) ([]byte, error) {
	s.mu.RLock()
	v, err := s.secretVault(c, vault, PermBackup, "", name)
	var st *secretState
	if err == nil {
		st, err = activeSecret(v, name)
	}
	if err == nil && st.latest().managed {
		err = ErrManagedObject.withMessage("Secret %s backs a certificate; back up the certificate instead.", name)
	}
	var b secretBackup
	if err == nil {
		b = secretBackup{Tenant: v.v.TenantID, Name: st.name}
		for _, sv := range st.versions {
			rec := secretRecordOf(&secretState{name: st.name, versions: []*secretVersion{sv}}).Versions[0]
			rec.Sealed = nil
			b.Versions = append(b.Versions, secretBackupVersion{secretVersionRecord: rec})
		}
	}
	vaultName := ""
	if v != nil {
		vaultName = v.v.Name
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, bv := range b.Versions {
			clear(bv.Value)
		}
	}()
	for i, sv := range st.versions {
		if b.Versions[i].Value, err = s.openSecret(vaultName, st.name, sv.version, sv.sealed); err != nil {
			return nil, err
		}
	}
	plain, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	sealed, err := azcrypto.Seal(s.cfg.RootKey, plain, secretBackupAAD)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(nil), secretBackupMagic...), sealed...), nil
}

// RestoreSecret restores a backup into vault (permission restore) with every
// version and its id. A name in use (active or soft-deleted) answers 409
// Conflict; a blob of another tenant or not made by BackupSecret answers 400.
func (s *Service) RestoreSecret(ctx context.Context, c Caller, vault string, blob []byte) (SecretBundle, error) {
	s.mu.RLock()
	_, err := s.secretVault(c, vault, PermRestore, "", "")
	s.mu.RUnlock()
	if err != nil {
		return SecretBundle{}, err
	}
	bad := badParam("Backup blob contains invalid or corrupt version.")
	if !bytes.HasPrefix(blob, secretBackupMagic) {
		return SecretBundle{}, bad
	}
	plain, err := azcrypto.Open(s.cfg.RootKey, blob[len(secretBackupMagic):], secretBackupAAD)
	if err != nil {
		return SecretBundle{}, bad
	}
	defer clear(plain)
	var b secretBackup
	if err := json.Unmarshal(plain, &b); err != nil || !ValidKeyName(b.Name) || len(b.Versions) == 0 {
		return SecretBundle{}, bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.secretVault(c, vault, PermRestore, "", b.Name)
	if err != nil {
		return SecretBundle{}, err
	}
	if !strings.EqualFold(v.v.TenantID, b.Tenant) {
		return SecretBundle{}, badParam("The backup blob was made in another tenant; a backup can only be restored into a vault of the same tenant and subscription.")
	}
	if _, exists := v.obj.secrets[strings.ToLower(b.Name)]; exists {
		return SecretBundle{}, ErrConflict.withMessage("There was a conflict restoring the secret '%s'. This can happen if either: a second secret with the same name was created after the first secret was deleted; thus trying to restore a secret whose name is already in use. To fix this, rename the second secret to something else so that the restore works. The second probable cause of this exception is when multiple operations are performed in parallel against the secret. To avoid this error, perform operations against a secret in a sequential manner.", b.Name)
	}
	st := &secretState{name: b.Name}
	for _, bv := range b.Versions {
		r := bv.secretVersionRecord
		sealed, err := s.sealSecret(v.v.Name, b.Name, r.Version, bv.Value)
		clear(bv.Value)
		if err != nil {
			return SecretBundle{}, err
		}
		st.versions = append(st.versions, &secretVersion{version: r.Version, contentType: r.ContentType,
			enabled: r.Enabled, nbf: r.NotBefore, exp: r.Expires, created: r.Created, updated: r.Updated,
			tags: r.Tags, sealed: sealed})
	}
	if err := s.putSecret(ctx, v, st); err != nil {
		return SecretBundle{}, err
	}
	return secretBundle(v, st, st.latest()), nil
}
