package keyvault

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	azcrypto "github.com/azemu/azemu/crypto"
)

// Certificate backup blob format: the magic "AZKVBC01" followed by
// crypto.Seal(root key, JSON(certBackup), "azemu/keyvault/backup/certificates/v1").
// The JSON holds the source tenant, the policy and every version with its
// certificate, chain and private JWK; the key and secret of each version are
// rebuilt from them on restore. Like secret backups it restores into any
// vault of the same tenant on an emulator with the same root key.
var certBackupMagic = []byte("AZKVBC01")

var certBackupAAD = []byte("azemu/keyvault/backup/certificates/v1")

type certBackup struct {
	Tenant   string              `json:"tenant"`
	Record   certRecord          `json:"record"`
	Versions []certBackupVersion `json:"keys"`
}

type certBackupVersion struct {
	Version string     `json:"version"`
	Private JSONWebKey `json:"private"`
}

// BackupCertificate returns an opaque, sealed backup of a certificate with
// every version and its private key (permission backup).
func (s *Service) BackupCertificate(_ context.Context, c Caller, vault, name string) ([]byte, error) {
	s.mu.RLock()
	v, err := s.certVault(c, vault, PermBackup, name)
	var b certBackup
	if err == nil {
		var cs *certState
		if cs, err = activeCert(v, name); err == nil {
			rec := certRecordOf(cs)
			rec.Op, rec.Deleted, rec.PurgeAt = nil, nil, nil
			b = certBackup{Tenant: v.v.TenantID, Record: rec}
			for _, cv := range cs.versions {
				kp := keyPairOf(v, cs.name, cv.version)
				if kp == nil {
					err = ErrInternal
					break
				}
				b.Versions = append(b.Versions, certBackupVersion{Version: cv.version, Private: privateJWK(kp)})
			}
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	sealed, err := azcrypto.Seal(s.cfg.RootKey, plain, certBackupAAD)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(nil), certBackupMagic...), sealed...), nil
}

// RestoreCertificate restores a backup with every version, its key and its
// secret (permission restore). A name in use answers 409 Conflict; a blob of
// another tenant or not made by BackupCertificate answers 400.
func (s *Service) RestoreCertificate(ctx context.Context, c Caller, vault string, blob []byte) (CertificateBundle, error) {
	s.mu.RLock()
	_, err := s.certVault(c, vault, PermRestore, "")
	s.mu.RUnlock()
	if err != nil {
		return CertificateBundle{}, err
	}
	bad := badParam("Backup blob contains invalid or corrupt version.")
	if !bytes.HasPrefix(blob, certBackupMagic) {
		return CertificateBundle{}, bad
	}
	plain, err := azcrypto.Open(s.cfg.RootKey, blob[len(certBackupMagic):], certBackupAAD)
	if err != nil {
		return CertificateBundle{}, bad
	}
	defer clear(plain)
	var b certBackup
	if err := json.Unmarshal(plain, &b); err != nil || !ValidKeyName(b.Record.Name) || len(b.Record.Versions) == 0 ||
		len(b.Versions) != len(b.Record.Versions) {
		return CertificateBundle{}, bad
	}
	name := b.Record.Name
	keys := map[string]keyPair{}
	for _, bv := range b.Versions {
		kp, _, err := parseJWK(bv.Private)
		if err != nil {
			return CertificateBundle{}, bad
		}
		keys[bv.Version] = kp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermRestore, name)
	if err != nil {
		return CertificateBundle{}, err
	}
	if !strings.EqualFold(v.v.TenantID, b.Tenant) {
		return CertificateBundle{}, badParam("The backup blob was made in another tenant; a backup can only be restored into a vault of the same tenant and subscription.")
	}
	lname := strings.ToLower(name)
	_, certTaken := v.obj.certs[lname]
	_, keyTaken := v.keys[lname]
	_, secretTaken := v.obj.secrets[lname]
	if certTaken || keyTaken || secretTaken {
		return CertificateBundle{}, ErrConflict.withMessage("There was a conflict restoring the certificate '%s'. This can happen if either: a second certificate with the same name was created after the first certificate was deleted; thus trying to restore a certificate whose name is already in use. To fix this, rename the second certificate to something else so that the restore works. The second probable cause of this exception is when multiple operations are performed in parallel against the certificate. To avoid this error, perform operations against a certificate in a sequential manner.", name)
	}
	cs := &certState{name: name, policy: b.Record.Policy, policyAt: b.Record.PolicyAt, notified: b.Record.Notified}
	for _, r := range b.Record.Versions {
		cv := certVersionFromRecord(r)
		kp := keys[cv.version]
		if kp == nil {
			return CertificateBundle{}, bad
		}
		if err := s.publishFaces(ctx, v, name, cs.policy, cv, kp); err != nil {
			return CertificateBundle{}, err
		}
		cs.versions = append(cs.versions, cv)
	}
	if err := s.putCert(ctx, v, cs); err != nil {
		return CertificateBundle{}, err
	}
	return certBundle(v, cs, cs.latest()), nil
}
