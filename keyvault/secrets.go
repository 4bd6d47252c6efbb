package keyvault

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	azcrypto "github.com/azemu/azemu/crypto"
)

// MaxSecretValueBytes is Key Vault's limit on a secret value: 25 KB
// (https://learn.microsoft.com/azure/key-vault/general/service-limits).
const MaxSecretValueBytes = 25 * 1024

// SecretAttributes are a secret version's attributes as Key Vault reports them.
type SecretAttributes struct {
	Enabled         bool
	NotBefore       *time.Time
	Expires         *time.Time
	Created         time.Time
	Updated         time.Time
	RecoveryLevel   string
	RecoverableDays int
}

// SecretBundle is a secret version with its value (SecretBundle). For a
// secret that backs a certificate, Managed is true and KeyVersion names the
// key of the same name and version (kid).
type SecretBundle struct {
	Vault, Name, Version string
	Value                string
	ContentType          string
	Attributes           SecretAttributes
	Tags                 map[string]string
	Managed              bool
	KeyVersion           string // "" unless Managed
}

// DeletedSecretBundle is a soft-deleted secret (without its value).
type DeletedSecretBundle struct {
	SecretBundle
	Recoverable        bool
	DeletedDate        time.Time
	ScheduledPurgeDate time.Time
}

// SecretItem is one entry of a secret listing.
type SecretItem struct {
	Name, Version string // Version "" in Get Secrets
	ContentType   string
	Attributes    SecretAttributes
	Tags          map[string]string
	Managed       bool
}

// DeletedSecretItem is one entry of the list of deleted secrets.
type DeletedSecretItem struct {
	SecretItem
	DeletedDate        time.Time
	ScheduledPurgeDate time.Time
}

// SetSecretParams are SecretSetParameters. Value is required (it may be "").
type SetSecretParams struct {
	Value       string
	ContentType string
	Attributes  AttributesUpdate
	Tags        map[string]string
}

// UpdateSecretParams are SecretUpdateParameters; nil fields are unchanged.
type UpdateSecretParams struct {
	ContentType *string
	Attributes  AttributesUpdate
	Tags        map[string]string
}

type secretState struct {
	name     string
	versions []*secretVersion // creation order: latest last
	deleted  *time.Time
	purgeAt  *time.Time
	gen      uint64
}

func (st *secretState) latest() *secretVersion { return st.versions[len(st.versions)-1] }

// secretVersion is immutable once published. The value is held sealed with
// the root key (associated data secretAAD) in memory as on disk, and opened
// only to answer Get Secret.
type secretVersion struct {
	version     string
	contentType string
	enabled     bool
	nbf, exp    *time.Time
	created     time.Time
	updated     time.Time
	tags        map[string]string
	managed     bool // backs a certificate version of the same name
	sealed      []byte
}

// secretAAD binds a sealed value to its vault, name and version.
func secretAAD(vault, name, version string) []byte {
	return []byte("azemu/keyvault/v1/secrets/" + strings.ToLower(vault) + "/" + strings.ToLower(name) + "/" + version)
}

func (s *Service) sealSecret(vault, name, version string, value []byte) ([]byte, error) {
	return azcrypto.Seal(s.cfg.RootKey, value, secretAAD(vault, name, version))
}

func (s *Service) openSecret(vault, name, version string, sealed []byte) ([]byte, error) {
	b, err := azcrypto.Open(s.cfg.RootKey, sealed, secretAAD(vault, name, version))
	if err != nil {
		return nil, fmt.Errorf("open secret %s/%s/%s: %w", vault, name, version, err)
	}
	return b, nil
}

func secretAttributes(v *vaultState, sv *secretVersion) SecretAttributes {
	return SecretAttributes{Enabled: sv.enabled, NotBefore: sv.nbf, Expires: sv.exp, Created: sv.created,
		Updated: sv.updated, RecoveryLevel: v.v.RecoveryLevel(), RecoverableDays: v.v.RecoverableDays()}
}

// secretBundle renders a version without its value. Caller holds s.mu.
func secretBundle(v *vaultState, st *secretState, sv *secretVersion) SecretBundle {
	b := SecretBundle{Vault: v.v.Name, Name: st.name, Version: sv.version, ContentType: sv.contentType,
		Attributes: secretAttributes(v, sv), Tags: cloneTags(sv.tags), Managed: sv.managed}
	if sv.managed {
		b.KeyVersion = sv.version
	}
	return b
}

func deletedSecretBundle(v *vaultState, st *secretState) DeletedSecretBundle {
	d := DeletedSecretBundle{SecretBundle: secretBundle(v, st, st.latest()), Recoverable: st.deleted != nil}
	if st.deleted != nil {
		d.DeletedDate, d.ScheduledPurgeDate = *st.deleted, *st.purgeAt
	}
	return d
}

func secretItem(st *secretState, sv *secretVersion, v *vaultState, withVersion bool) SecretItem {
	it := SecretItem{Name: st.name, ContentType: sv.contentType, Attributes: secretAttributes(v, sv),
		Tags: cloneTags(sv.tags), Managed: sv.managed}
	if withVersion {
		it.Version = sv.version
	}
	return it
}

// secretFor finds an active vault and authorises c. Caller holds s.mu.
func (s *Service) secretVault(c Caller, vault, perm, action, name string) (*vaultState, error) {
	v, err := s.vault(vault)
	if err != nil {
		return nil, err
	}
	if err := s.allow(v, c, check{coll: collSecrets, perm: perm, action: action, name: name}); err != nil {
		return nil, err
	}
	return v, nil
}

// activeSecret finds a secret that is not deleted. Caller holds s.mu.
func activeSecret(v *vaultState, name string) (*secretState, error) {
	st, ok := v.obj.secrets[strings.ToLower(name)]
	if !ok || st.deleted != nil {
		return nil, secretNotFound(name)
	}
	return st, nil
}

func findSecretVersion(st *secretState, name, version string) (*secretVersion, error) {
	if version == "" {
		return st.latest(), nil
	}
	for _, sv := range st.versions {
		if sv.version == strings.ToLower(version) {
			return sv, nil
		}
	}
	return nil, secretNotFound(name + "/" + version)
}

func checkSecretParams(name string, value string, a AttributesUpdate, tags map[string]string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if len(value) > MaxSecretValueBytes {
		return badParam("The secret value is too large: %d bytes; the maximum size of a secret value is %d bytes.", len(value), MaxSecretValueBytes)
	}
	if err := checkAttrTimes(a); err != nil {
		return err
	}
	if a.Exportable != nil {
		return badParam("The attribute 'exportable' is not valid for a secret.")
	}
	return validateObjectTags(tags)
}

// SetSecret stores a new version of a secret, creating the secret if needed
// (permission set). A name held by a soft-deleted secret answers 409
// ObjectIsDeletedButRecoverable; a name held by a certificate's secret
// answers 403 (its versions are made by the certificate).
func (s *Service) SetSecret(ctx context.Context, c Caller, vault, name string, p SetSecretParams) (SecretBundle, error) {
	if err := checkSecretParams(name, p.Value, p.Attributes, p.Tags); err != nil {
		return SecretBundle{}, err
	}
	id, err := s.newVersionID()
	if err != nil {
		return SecretBundle{}, err
	}
	now := s.clock()
	sv := &secretVersion{version: id, contentType: p.ContentType, enabled: true, created: now, updated: now,
		tags: cloneTags(p.Tags), nbf: nonZero(p.Attributes.NotBefore), exp: nonZero(p.Attributes.Expires)}
	if p.Attributes.Enabled != nil {
		sv.enabled = *p.Attributes.Enabled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.secretVault(c, vault, PermSet, "", name)
	if err != nil {
		return SecretBundle{}, err
	}
	old := v.obj.secrets[strings.ToLower(name)]
	if old != nil && old.deleted != nil {
		return SecretBundle{}, deletedButRecoverable("secret", name)
	}
	if old != nil && old.latest().managed {
		return SecretBundle{}, ErrManagedObject.withMessage("Secret %s backs a certificate; set a new version through the certificate.", name)
	}
	if sv.sealed, err = s.sealSecret(v.v.Name, name, id, []byte(p.Value)); err != nil {
		return SecretBundle{}, err
	}
	st, err := s.appendSecretVersion(ctx, v, name, sv)
	if err != nil {
		return SecretBundle{}, err
	}
	b := secretBundle(v, st, sv)
	b.Value = p.Value
	return b, nil
}

// appendSecretVersion publishes sv as the latest version of name (sealed
// already). Caller holds s.mu.
func (s *Service) appendSecretVersion(ctx context.Context, v *vaultState, name string, sv *secretVersion) (*secretState, error) {
	st := &secretState{name: name}
	if old := v.obj.secrets[strings.ToLower(name)]; old != nil {
		st.name = old.name
		st.versions = append(st.versions, old.versions...)
	}
	st.versions = append(st.versions, sv)
	return st, s.putSecret(ctx, v, st)
}

// GetSecret returns a version ("" = latest) with its value (permission
// get). A disabled version answers 403 Forbidden/SecretDisabled; nbf and exp
// are reported, not enforced, as on Azure.
func (s *Service) GetSecret(_ context.Context, c Caller, vault, name, version string) (SecretBundle, error) {
	s.mu.RLock()
	v, err := s.secretVault(c, vault, PermGet, "", name)
	var st *secretState
	var sv *secretVersion
	if err == nil {
		st, err = activeSecret(v, name)
	}
	if err == nil {
		sv, err = findSecretVersion(st, name, version)
	}
	var b SecretBundle
	if err == nil {
		if !sv.enabled {
			err = ErrSecretDisabled
		} else {
			b = secretBundle(v, st, sv)
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return SecretBundle{}, err
	}
	value, err := s.openSecret(b.Vault, st.name, sv.version, sv.sealed)
	if err != nil {
		return SecretBundle{}, err
	}
	b.Value = string(value)
	clear(value)
	return b, nil
}

// UpdateSecret changes the attributes, content type and tags of a version
// ("" = latest) but never its value (access policy permission set; RBAC
// data action secrets/update).
func (s *Service) UpdateSecret(ctx context.Context, c Caller, vault, name, version string, p UpdateSecretParams) (SecretBundle, error) {
	if err := checkAttrTimes(p.Attributes); err != nil {
		return SecretBundle{}, err
	}
	if p.Attributes.Exportable != nil {
		return SecretBundle{}, badParam("The attribute 'exportable' is not valid for a secret.")
	}
	if err := validateObjectTags(p.Tags); err != nil {
		return SecretBundle{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.secretVault(c, vault, PermSet, secretUpdateAction, name)
	if err != nil {
		return SecretBundle{}, err
	}
	st, err := activeSecret(v, name)
	if err != nil {
		return SecretBundle{}, err
	}
	sv, err := findSecretVersion(st, name, version)
	if err != nil {
		return SecretBundle{}, err
	}
	if sv.managed {
		return SecretBundle{}, ErrManagedObject.withMessage("Secret %s backs a certificate; update the certificate instead.", name)
	}
	nsv := *sv
	applyAttrs(&nsv.enabled, &nsv.nbf, &nsv.exp, p.Attributes)
	if p.ContentType != nil {
		nsv.contentType = *p.ContentType
	}
	if p.Tags != nil {
		nsv.tags = cloneTags(p.Tags)
	}
	nsv.updated = s.clock()
	nst := *st
	nst.versions = replaceVersion(st.versions, sv, &nsv)
	if err := s.putSecret(ctx, v, &nst); err != nil {
		return SecretBundle{}, err
	}
	return secretBundle(v, &nst, &nsv), nil
}

// applyAttrs applies an attributes update: nil fields unchanged, a zero
// time clears nbf or exp.
func applyAttrs(enabled *bool, nbf, exp **time.Time, a AttributesUpdate) {
	if a.Enabled != nil {
		*enabled = *a.Enabled
	}
	if a.NotBefore != nil {
		*nbf = nonZero(a.NotBefore)
	}
	if a.Expires != nil {
		*exp = nonZero(a.Expires)
	}
}

func replaceVersion[T comparable](list []T, old, nu T) []T {
	out := append([]T(nil), list...)
	for i, x := range out {
		if x == old {
			out[i] = nu
		}
	}
	return out
}

// ListSecrets lists the active secrets, latest version each (permission
// list), including the secrets that back certificates (managed).
func (s *Service) ListSecrets(_ context.Context, c Caller, vault string, o ListOptions) (Page[SecretItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.secretVault(c, vault, PermList, "", "")
	if err != nil {
		return Page[SecretItem]{}, err
	}
	names, next, err := pageNames(sortedNames(v.obj.secrets, isSecretDeleted, false), o)
	if err != nil {
		return Page[SecretItem]{}, err
	}
	p := Page[SecretItem]{Next: next, Items: []SecretItem{}}
	for _, n := range names {
		st := v.obj.secrets[n]
		p.Items = append(p.Items, secretItem(st, st.latest(), v, false))
	}
	return p, nil
}

func isSecretDeleted(st *secretState) bool { return st.deleted != nil }

// ListSecretVersions lists the versions of an active secret (permission
// list), ordered by version identifier as Key Vault lists them; a name
// without an active secret lists nothing.
func (s *Service) ListSecretVersions(_ context.Context, c Caller, vault, name string, o ListOptions) (Page[SecretItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.secretVault(c, vault, PermList, "", name)
	if err != nil {
		return Page[SecretItem]{}, err
	}
	if _, err := pageSize(o); err != nil {
		return Page[SecretItem]{}, err
	}
	st, err := activeSecret(v, name)
	if err != nil {
		return Page[SecretItem]{Items: []SecretItem{}}, nil
	}
	byID := make(map[string]*secretVersion, len(st.versions))
	ids := make([]string, 0, len(st.versions))
	for _, sv := range st.versions {
		byID[sv.version] = sv
		ids = append(ids, sv.version)
	}
	sort.Strings(ids)
	page, next, err := pageNames(ids, o)
	if err != nil {
		return Page[SecretItem]{}, err
	}
	p := Page[SecretItem]{Items: []SecretItem{}, Next: next}
	for _, id := range page {
		p.Items = append(p.Items, secretItem(st, byID[id], v, true))
	}
	return p, nil
}

// DeleteSecret deletes every version of a secret (permission delete): soft
// delete with a purge scheduled after the vault's retention or, without soft
// delete, for good. A certificate's secret is deleted with the certificate.
func (s *Service) DeleteSecret(ctx context.Context, c Caller, vault, name string) (DeletedSecretBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.secretVault(c, vault, PermDelete, "", name)
	if err != nil {
		return DeletedSecretBundle{}, err
	}
	st, err := activeSecret(v, name)
	if err != nil {
		return DeletedSecretBundle{}, err
	}
	if st.latest().managed {
		return DeletedSecretBundle{}, ErrManagedObject.withMessage("Secret %s backs a certificate; delete the certificate instead.", name)
	}
	if !v.v.EnableSoftDelete {
		if err := s.dropSecret(ctx, v, st); err != nil {
			return DeletedSecretBundle{}, err
		}
		return deletedSecretBundle(v, st), nil
	}
	nst := *st
	now, purge := s.softDeleteDates(v)
	nst.deleted, nst.purgeAt = &now, &purge
	if err := s.putSecret(ctx, v, &nst); err != nil {
		return DeletedSecretBundle{}, err
	}
	return deletedSecretBundle(v, &nst), nil
}

// deletedSecret finds a soft-deleted secret after authorisation. Caller holds s.mu.
func (s *Service) deletedSecret(c Caller, vault, name, perm, action string) (*vaultState, *secretState, error) {
	v, err := s.secretVault(c, vault, perm, action, name)
	if err != nil {
		return nil, nil, err
	}
	st, ok := v.obj.secrets[strings.ToLower(name)]
	if !ok || st.deleted == nil {
		return nil, nil, deletedSecretNotFound(name)
	}
	return v, st, nil
}

// GetDeletedSecret returns a soft-deleted secret without its value
// (permission get; RBAC secrets/readMetadata).
func (s *Service) GetDeletedSecret(_ context.Context, c Caller, vault, name string) (DeletedSecretBundle, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, st, err := s.deletedSecret(c, vault, name, PermGet, secretReadMetadataAction)
	if err != nil {
		return DeletedSecretBundle{}, err
	}
	return deletedSecretBundle(v, st), nil
}

// ListDeletedSecrets lists soft-deleted secrets (permission list).
func (s *Service) ListDeletedSecrets(_ context.Context, c Caller, vault string, o ListOptions) (Page[DeletedSecretItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.secretVault(c, vault, PermList, "", "")
	if err != nil {
		return Page[DeletedSecretItem]{}, err
	}
	names, next, err := pageNames(sortedNames(v.obj.secrets, isSecretDeleted, true), o)
	if err != nil {
		return Page[DeletedSecretItem]{}, err
	}
	p := Page[DeletedSecretItem]{Next: next, Items: []DeletedSecretItem{}}
	for _, n := range names {
		st := v.obj.secrets[n]
		p.Items = append(p.Items, DeletedSecretItem{SecretItem: secretItem(st, st.latest(), v, false),
			DeletedDate: *st.deleted, ScheduledPurgeDate: *st.purgeAt})
	}
	return p, nil
}

// RecoverDeletedSecret brings a soft-deleted secret back (permission recover).
func (s *Service) RecoverDeletedSecret(ctx context.Context, c Caller, vault, name string) (SecretBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, st, err := s.deletedSecret(c, vault, name, PermRecover, "")
	if err != nil {
		return SecretBundle{}, err
	}
	if st.latest().managed {
		return SecretBundle{}, ErrManagedObject.withMessage("Secret %s backs a certificate; recover the certificate instead.", name)
	}
	nst := *st
	nst.deleted, nst.purgeAt = nil, nil
	if err := s.putSecret(ctx, v, &nst); err != nil {
		return SecretBundle{}, err
	}
	return secretBundle(v, &nst, nst.latest()), nil
}

// PurgeDeletedSecret removes a soft-deleted secret for good (permission
// purge); refused under purge protection.
func (s *Service) PurgeDeletedSecret(ctx context.Context, c Caller, vault, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, st, err := s.deletedSecret(c, vault, name, PermPurge, "")
	if err != nil {
		return err
	}
	if v.v.EnablePurgeProtection {
		return purgeProtected(v)
	}
	if st.latest().managed {
		return ErrManagedObject.withMessage("Secret %s backs a certificate; purge the certificate instead.", name)
	}
	return s.dropSecret(ctx, v, st)
}

// putSecret persists and publishes a secret state. Caller holds s.mu.
func (s *Service) putSecret(ctx context.Context, v *vaultState, st *secretState) error {
	if err := s.putRecord(ctx, v, kindSecret, st.name, secretRecordOf(st)); err != nil {
		return err
	}
	st.gen = s.nextGen()
	v.obj.secrets[strings.ToLower(st.name)] = st
	return nil
}

// dropSecret removes a secret for good. Caller holds s.mu.
func (s *Service) dropSecret(ctx context.Context, v *vaultState, st *secretState) error {
	if err := s.store.DeleteObject(ctx, strings.ToLower(v.v.Name), kindSecret, strings.ToLower(st.name)); err != nil {
		return err
	}
	delete(v.obj.secrets, strings.ToLower(st.name))
	s.nextGen()
	return nil
}

// Secret records: every version with its value sealed (secretAAD).
type secretRecord struct {
	Format   int                   `json:"format"`
	Name     string                `json:"name"`
	Versions []secretVersionRecord `json:"versions"`
	Deleted  *time.Time            `json:"deleted,omitempty"`
	PurgeAt  *time.Time            `json:"purgeAt,omitempty"`
}

type secretVersionRecord struct {
	Version     string            `json:"version"`
	ContentType string            `json:"contentType,omitempty"`
	Enabled     bool              `json:"enabled"`
	NotBefore   *time.Time        `json:"nbf,omitempty"`
	Expires     *time.Time        `json:"exp,omitempty"`
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
	Tags        map[string]string `json:"tags,omitempty"`
	Managed     bool              `json:"managed,omitempty"`
	Sealed      []byte            `json:"sealed"`
}

func secretRecordOf(st *secretState) secretRecord {
	rec := secretRecord{Format: recordVersion, Name: st.name, Deleted: st.deleted, PurgeAt: st.purgeAt}
	for _, sv := range st.versions {
		rec.Versions = append(rec.Versions, secretVersionRecord{Version: sv.version, ContentType: sv.contentType,
			Enabled: sv.enabled, NotBefore: sv.nbf, Expires: sv.exp, Created: sv.created, Updated: sv.updated,
			Tags: sv.tags, Managed: sv.managed, Sealed: sv.sealed})
	}
	return rec
}

func secretFromRecord(rec secretRecord) *secretState {
	st := &secretState{name: rec.Name, deleted: rec.Deleted, purgeAt: rec.PurgeAt}
	for _, r := range rec.Versions {
		st.versions = append(st.versions, &secretVersion{version: r.Version, contentType: r.ContentType,
			enabled: r.Enabled, nbf: r.NotBefore, exp: r.Expires, created: r.Created, updated: r.Updated,
			tags: r.Tags, managed: r.Managed, sealed: r.Sealed})
	}
	return st
}

// loadSecret restores a secret record, checking that every sealed value
// opens under the root key. Caller holds s.mu.
func (s *Service) loadSecret(v *vaultState, name string, data []byte) error {
	var rec secretRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return err
	}
	if rec.Format != recordVersion {
		return fmt.Errorf("unsupported format %d", rec.Format)
	}
	if len(rec.Versions) == 0 {
		return fmt.Errorf("no versions")
	}
	st := secretFromRecord(rec)
	for _, sv := range st.versions {
		plain, err := s.openSecret(v.v.Name, st.name, sv.version, sv.sealed)
		if err != nil {
			return err
		}
		clear(plain)
	}
	st.gen = s.nextGen()
	v.obj.secrets[name] = st
	return nil
}
