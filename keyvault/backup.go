package keyvault

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	azcrypto "github.com/azemu/azemu/crypto"
)

// Backup blob format: the magic "AZKVBK01" followed by crypto.Seal(root key,
// JSON(backupPayload), "azemu/keyvault/backup/v1"). The JSON holds every
// version with its private JWK, so the blob is only as safe as the root key:
// it restores into any vault of an emulator with the same root key.
var backupMagic = []byte("AZKVBK01")

var backupAAD = []byte("azemu/keyvault/backup/v1")

type backupPayload struct {
	Name     string          `json:"name"`
	Versions []backupVersion `json:"versions"`
	Policy   *RotationPolicy `json:"policy,omitempty"`
}

type backupVersion struct {
	versionRecord
	Private JSONWebKey `json:"private"`
}

// BackupKey returns an opaque, sealed backup of every version of a key
// (permission backup).
func (s *Service) BackupKey(_ context.Context, c Caller, vault, name string) ([]byte, error) {
	s.mu.RLock()
	_, k, err := s.lookup(c, vault, name, PermBackup)
	var p backupPayload
	if err == nil {
		p = backupPayload{Name: k.name, Policy: k.policy}
		for _, kv := range k.versions {
			p.Versions = append(p.Versions, backupVersion{
				versionRecord: versionRecord{Version: kv.version, Kty: kv.kty, KeyOps: kv.keyOps, Enabled: kv.enabled,
					NotBefore: kv.nbf, Expires: kv.exp, Created: kv.created, Updated: kv.updated, Exportable: kv.exportable,
					Tags: kv.tags, ReleasePolicy: kv.releasePolicy, Public: kv.pub},
				Private: privateJWK(kv.kp),
			})
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	sealed, err := azcrypto.Seal(s.cfg.RootKey, plain, backupAAD)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(nil), backupMagic...), sealed...), nil
}

// RestoreKey restores a backup into vault (permission restore) with all
// versions and their ids. A name in use (active or soft-deleted) answers 409.
func (s *Service) RestoreKey(ctx context.Context, c Caller, vault string, blob []byte) (KeyBundle, error) {
	if err := s.precheck(c, vault, "", PermRestore); err != nil {
		return KeyBundle{}, err
	}
	bad := badParam("Backup blob contains invalid or corrupt version.")
	if !bytes.HasPrefix(blob, backupMagic) {
		return KeyBundle{}, bad
	}
	plain, err := azcrypto.Open(s.cfg.RootKey, blob[len(backupMagic):], backupAAD)
	if err != nil {
		return KeyBundle{}, bad
	}
	defer clear(plain)
	var p backupPayload
	if err := json.Unmarshal(plain, &p); err != nil || !ValidKeyName(p.Name) || len(p.Versions) == 0 {
		return KeyBundle{}, bad
	}
	nk := &keyState{name: p.Name, policy: p.Policy}
	for _, bv := range p.Versions {
		kp, _, err := parseJWK(bv.Private)
		if err != nil {
			return KeyBundle{}, bad
		}
		vr := bv.versionRecord
		nk.versions = append(nk.versions, &keyVersion{version: vr.Version, kty: vr.Kty, keyOps: vr.KeyOps,
			enabled: vr.Enabled, nbf: vr.NotBefore, exp: vr.Expires, created: vr.Created, updated: vr.Updated,
			exportable: vr.Exportable, tags: vr.Tags, releasePolicy: vr.ReleasePolicy, kp: kp, pub: publicJWK(kp)})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vault(vault)
	if err != nil {
		return KeyBundle{}, err
	}
	if err := s.authorize(v, c, PermRestore, p.Name, false); err != nil {
		return KeyBundle{}, err
	}
	if _, exists := v.keys[strings.ToLower(p.Name)]; exists {
		// Key Vault's wording; it names the versioned kid, which the
		// service (without the request's host) names as key/version.
		return KeyBundle{}, ErrConflict.withMessage("There was a conflict restoring the key '%s/%s'. This can happen if either: a second key with the same name was created after the first key was deleted; thus trying to restore a key whose name is already in use. To fix this, rename the second key to something else so that the restore works. The second probable cause of this exception is when multiple operations are performed in parallel against the key. To avoid this error, perform operations against a key in a sequential manner.", p.Name, nk.latest().version)
	}
	for _, kv := range nk.versions {
		if kv.sealed, err = s.sealKeyPair(v.v.Name, nk.name, kv.version, kv.kp); err != nil {
			return KeyBundle{}, err
		}
	}
	if err := s.putKey(ctx, v, nk); err != nil {
		return KeyBundle{}, err
	}
	return bundle(v, nk, nk.latest()), nil
}
