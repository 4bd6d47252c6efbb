package keyvault

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

var keyNameRE = regexp.MustCompile(`^[0-9a-zA-Z-]{1,127}$`)

// ValidKeyName reports whether name is a valid key name.
func ValidKeyName(name string) bool { return keyNameRE.MatchString(name) }

func checkName(name string) error {
	if !ValidKeyName(name) {
		return badParam("The request URI contains an invalid name: %s", name)
	}
	return nil
}

func validateTags(tags map[string]string) error {
	if len(tags) > 15 {
		return badParam("A key can have at most 15 tags.")
	}
	for k, v := range tags {
		if k == "" || len(k) > 256 || len(v) > 256 {
			return badParam("Tag names and values must be 1-256 characters long.")
		}
	}
	return nil
}

func cloneTags(t map[string]string) map[string]string {
	if t == nil {
		return nil
	}
	c := make(map[string]string, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

func (s *Service) newVersionID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// bundle renders a key version. Caller holds s.mu.
func bundle(v *vaultState, k *keyState, kv *keyVersion) KeyBundle {
	j := kv.pub
	j.Kty = kv.kty
	j.KeyOps = append([]string(nil), kv.keyOps...)
	return KeyBundle{
		Vault: v.v.Name, Name: k.name, Version: kv.version, Key: j,
		Attributes: attributes(v, kv), Tags: cloneTags(kv.tags), ReleasePolicy: kv.releasePolicy,
		Managed: isManagedName(v, k.name),
	}
}

func attributes(v *vaultState, kv *keyVersion) KeyAttributes {
	a := KeyAttributes{
		Enabled: kv.enabled, NotBefore: kv.nbf, Expires: kv.exp, Created: kv.created, Updated: kv.updated,
		RecoveryLevel: v.v.RecoveryLevel(), RecoverableDays: v.v.RecoverableDays(), Exportable: kv.exportable,
	}
	if strings.HasSuffix(kv.kty, "-HSM") {
		a.HSMPlatform = hsmPlatform
	}
	return a
}

// hsmPlatform is what Key Vault reports in attributes.hsmPlatform for
// HSM-protected keys created today.
const hsmPlatform = "2"

func deletedBundle(v *vaultState, k *keyState) DeletedKeyBundle {
	d := DeletedKeyBundle{KeyBundle: bundle(v, k, k.latest()), Recoverable: k.deleted != nil}
	if k.deleted != nil {
		d.DeletedDate, d.ScheduledPurgeDate = *k.deleted, *k.purgeAt
	}
	return d
}

// activeKey finds a key that is not deleted. Caller holds s.mu.
func activeKey(v *vaultState, name string) (*keyState, error) {
	k, ok := v.keys[strings.ToLower(name)]
	if !ok || k.deleted != nil {
		return nil, keyNotFound(name)
	}
	return k, nil
}

func findVersion(k *keyState, name, version string) (*keyVersion, error) {
	if version == "" {
		return k.latest(), nil
	}
	for _, kv := range k.versions {
		if kv.version == strings.ToLower(version) {
			return kv, nil
		}
	}
	return nil, keyNotFound(name + "/" + version)
}

// checkNameFree refuses a name held by a soft-deleted key. Caller holds s.mu.
func checkNameFree(v *vaultState, name string) error {
	if k, ok := v.keys[strings.ToLower(name)]; ok && k.deleted != nil {
		return ErrDeletedButRecover.withMessage("Key %s is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.", name)
	}
	return nil
}

// precheck authorises c for perm on the vault and, for a name, checks the
// name is usable for a new version.
func (s *Service) precheck(c Caller, vault, name, perm string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.vault(vault)
	if err != nil {
		return err
	}
	if err := s.authorize(v, c, perm, name, false); err != nil {
		return err
	}
	return checkNameFree(v, name)
}

// addVersion publishes a new key version (creating the key if needed) after
// re-checking authorisation, since the lock was released while the key was
// generated. Caller must NOT hold s.mu.
func (s *Service) addVersion(ctx context.Context, c Caller, vault, name, perm string, kv *keyVersion) (KeyBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vault(vault)
	if err != nil {
		return KeyBundle{}, err
	}
	if err := s.authorize(v, c, perm, name, false); err != nil {
		return KeyBundle{}, err
	}
	if err := checkNameFree(v, name); err != nil {
		return KeyBundle{}, err
	}
	if err := managedKey(v, name, "create"); err != nil {
		return KeyBundle{}, err
	}
	return s.publishVersion(ctx, v, name, kv)
}

// publishVersion seals and appends kv. Caller holds s.mu.
func (s *Service) publishVersion(ctx context.Context, v *vaultState, name string, kv *keyVersion) (KeyBundle, error) {
	lname := strings.ToLower(name)
	old := v.keys[lname]
	nk := &keyState{name: name}
	if old != nil {
		nk.name, nk.policy = old.name, old.policy
		nk.versions = append(nk.versions, old.versions...)
	}
	sealed, err := s.sealKeyPair(v.v.Name, nk.name, kv.version, kv.kp)
	if err != nil {
		return KeyBundle{}, err
	}
	kv.sealed = sealed
	nk.versions = append(nk.versions, kv)
	if err := s.putKey(ctx, v, nk); err != nil {
		return KeyBundle{}, err
	}
	return bundle(v, nk, kv), nil
}

// putKey persists and publishes a key state. Caller holds s.mu.
func (s *Service) putKey(ctx context.Context, v *vaultState, k *keyState) error {
	if err := s.persistKey(ctx, v.v.Name, k); err != nil {
		return err
	}
	k.gen = s.nextGen()
	v.keys[strings.ToLower(k.name)] = k
	return nil
}

func (s *Service) newAttributes(kv *keyVersion, a AttributesUpdate) error {
	if err := checkAttrTimes(a); err != nil {
		return err
	}
	kv.enabled = true
	if a.Enabled != nil {
		kv.enabled = *a.Enabled
	}
	kv.nbf, kv.exp = nonZero(a.NotBefore), nonZero(a.Expires)
	if a.Exportable != nil && *a.Exportable {
		if !hasReleasePolicy(kv.releasePolicy) {
			return badParam("AKV.SKR.1004: Exportable keys must have release policy.")
		}
		return badParam("Exportable keys (secure key release) are not supported by azemu.")
	}
	return checkReleasePolicy(kv.exportable, kv.releasePolicy)
}

// checkReleasePolicy applies Key Vault's rule that only exportable keys
// carry a release policy (a JSON null counts as none).
func checkReleasePolicy(exportable bool, policy json.RawMessage) error {
	if hasReleasePolicy(policy) && !exportable {
		return badParam("AKV.SKR.1005: Non-exportable keys must not have release policy.")
	}
	return nil
}

func hasReleasePolicy(policy json.RawMessage) bool {
	t := bytes.TrimSpace(policy)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

func nonZero(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateKey creates a key, or a new version of an existing key (permission
// create). RSA/RSA-HSM take key_size 2048 (default), 3072 or 4096 and only
// the exponent 65537; EC/EC-HSM take P-256 (default), P-384, P-521, P-256K.
// oct/oct-HSM answer 400 as a non-Managed-HSM vault does.
func (s *Service) CreateKey(ctx context.Context, c Caller, vault, name string, p CreateKeyParams) (KeyBundle, error) {
	if err := checkName(name); err != nil {
		return KeyBundle{}, err
	}
	if err := s.precheck(c, vault, name, PermCreate); err != nil {
		return KeyBundle{}, err
	}
	kv, err := s.validateCreate(vault, p)
	if err != nil {
		return KeyBundle{}, err
	}
	size := p.KeySize
	if isRSA(p.Kty) && size == 0 {
		size = 2048
	}
	crv := p.Curve
	if !isRSA(p.Kty) && crv == "" {
		crv = CurveP256
	}
	kp, err := generateKeyPair(s.rand, p.Kty, size, p.PublicExponent, crv)
	if err != nil {
		return KeyBundle{}, err
	}
	kv.kp, kv.pub = kp, publicJWK(kp)
	return s.addVersion(ctx, c, vault, name, PermCreate, kv)
}

func (s *Service) validateCreate(vault string, p CreateKeyParams) (*keyVersion, error) {
	switch p.Kty {
	case KtyRSA, KtyRSAHSM:
		if p.KeySize != 0 && p.KeySize != 2048 && p.KeySize != 3072 && p.KeySize != 4096 {
			return nil, badParam("Invalid key size %d. The supported sizes for RSA keys are 2048, 3072 and 4096.", p.KeySize)
		}
		if p.PublicExponent != 0 && p.PublicExponent != 65537 {
			return nil, badParam("Unsupported public exponent %d; only 65537 is supported.", p.PublicExponent)
		}
		if p.Curve != "" {
			return nil, badParam("The curve (crv) parameter is not valid for key type '%s'.", p.Kty)
		}
	case KtyEC, KtyECHSM:
		if p.Curve != "" && curveBytes(p.Curve) == 0 {
			return nil, badParam("Invalid curve '%s'. The supported curves are P-256, P-384, P-521 and P-256K.", p.Curve)
		}
		if p.KeySize != 0 {
			return nil, badParam("The key_size parameter is not valid for key type '%s'; the curve (crv) sets the size.", p.Kty)
		}
		if p.PublicExponent != 0 {
			return nil, badParam("The public_exponent parameter is not valid for key type '%s'.", p.Kty)
		}
	case KtyOct, KtyOctHSM:
		return nil, badParam("Key type '%s' is not supported in a key vault; it is only supported by Managed HSM.", p.Kty)
	case "":
		return nil, badParam("The key type (kty) is required.")
	default:
		return nil, badParam("Invalid key type '%s'.", p.Kty)
	}
	if err := s.checkHSM(vault, p.Kty); err != nil {
		return nil, err
	}
	ops, err := normalizeKeyOps(p.KeyOps, isRSA(p.Kty))
	if err != nil {
		return nil, err
	}
	if err := validateTags(p.Tags); err != nil {
		return nil, err
	}
	id, err := s.newVersionID()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	kv := &keyVersion{version: id, kty: p.Kty, keyOps: ops, created: now, updated: now,
		tags: cloneTags(p.Tags), releasePolicy: p.ReleasePolicy}
	if err := s.newAttributes(kv, p.Attributes); err != nil {
		return nil, err
	}
	return kv, nil
}

func (s *Service) checkHSM(vault, kty string) error {
	if kty != KtyRSAHSM && kty != KtyECHSM {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if v, err := s.vault(vault); err == nil && v.v.SKU == "standard" {
		return badParam("HSM-protected keys (%s) require a premium vault.", kty)
	}
	return nil
}

// ImportKey imports a private JWK as a new key or version (permission
// import). The JWK is validated thoroughly (sizes, consistency of every
// parameter, point on curve). HSM=true stores an RSA/EC key as RSA-HSM/EC-HSM.
func (s *Service) ImportKey(ctx context.Context, c Caller, vault, name string, p ImportKeyParams) (KeyBundle, error) {
	if err := checkName(name); err != nil {
		return KeyBundle{}, err
	}
	if err := s.precheck(c, vault, name, PermImport); err != nil {
		return KeyBundle{}, err
	}
	kp, base, err := parseJWK(p.Key)
	if err != nil {
		return KeyBundle{}, err
	}
	kty := p.Key.Kty
	if p.HSM && !strings.HasSuffix(kty, "-HSM") {
		kty = base + "-HSM"
	}
	if err := s.checkHSM(vault, kty); err != nil {
		return KeyBundle{}, err
	}
	ops, err := normalizeKeyOps(p.Key.KeyOps, base == KtyRSA)
	if err != nil {
		return KeyBundle{}, err
	}
	if err := validateTags(p.Tags); err != nil {
		return KeyBundle{}, err
	}
	id, err := s.newVersionID()
	if err != nil {
		return KeyBundle{}, err
	}
	now := s.clock()
	kv := &keyVersion{version: id, kty: kty, keyOps: ops, created: now, updated: now, tags: cloneTags(p.Tags),
		releasePolicy: p.ReleasePolicy, kp: kp, pub: publicJWK(kp)}
	if err := s.newAttributes(kv, p.Attributes); err != nil {
		return KeyBundle{}, err
	}
	return s.addVersion(ctx, c, vault, name, PermImport, kv)
}

// GetKey returns a version ("" = latest) of an active key (permission get).
// A disabled key is returned (200) with enabled=false.
func (s *Service) GetKey(_ context.Context, c Caller, ref KeyRef) (KeyBundle, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, k, err := s.lookup(c, ref.Vault, ref.Name, PermGet)
	if err != nil {
		return KeyBundle{}, err
	}
	kv, err := findVersion(k, ref.Name, ref.Version)
	if err != nil {
		return KeyBundle{}, err
	}
	return bundle(v, k, kv), nil
}

// lookup finds vault and active key after authorisation. Caller holds s.mu.
func (s *Service) lookup(c Caller, vault, name, perm string) (*vaultState, *keyState, error) {
	v, err := s.vault(vault)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(v, c, perm, name, false); err != nil {
		return nil, nil, err
	}
	k, err := activeKey(v, name)
	if err != nil {
		return nil, nil, err
	}
	return v, k, nil
}

// UpdateKey changes attributes, key_ops and tags of a version ("" = latest)
// (permission update).
func (s *Service) UpdateKey(ctx context.Context, c Caller, ref KeyRef, p UpdateKeyParams) (KeyBundle, error) {
	if err := validateTags(p.Tags); err != nil {
		return KeyBundle{}, err
	}
	if err := checkAttrTimes(p.Attributes); err != nil {
		return KeyBundle{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, k, err := s.lookup(c, ref.Vault, ref.Name, PermUpdate)
	if err != nil {
		return KeyBundle{}, err
	}
	if err := managedKey(v, ref.Name, "update"); err != nil {
		return KeyBundle{}, err
	}
	kv, err := findVersion(k, ref.Name, ref.Version)
	if err != nil {
		return KeyBundle{}, err
	}
	nkv := *kv
	if p.KeyOps != nil {
		if nkv.keyOps, err = normalizeKeyOps(p.KeyOps, isRSA(kv.kty)); err != nil {
			return KeyBundle{}, err
		}
	}
	a := p.Attributes
	if a.Enabled != nil {
		nkv.enabled = *a.Enabled
	}
	if a.NotBefore != nil {
		nkv.nbf = nonZero(a.NotBefore)
	}
	if a.Expires != nil {
		nkv.exp = nonZero(a.Expires)
	}
	if a.Exportable != nil && *a.Exportable != kv.exportable {
		return KeyBundle{}, badParam("The exportable attribute cannot be changed.")
	}
	if p.Tags != nil {
		nkv.tags = cloneTags(p.Tags)
	}
	if hasReleasePolicy(p.ReleasePolicy) {
		if err := checkReleasePolicy(nkv.exportable, p.ReleasePolicy); err != nil {
			return KeyBundle{}, err
		}
		nkv.releasePolicy = p.ReleasePolicy
	}
	nkv.updated = s.clock()
	nk := *k
	nk.versions = append([]*keyVersion(nil), k.versions...)
	for i, x := range nk.versions {
		if x == kv {
			nk.versions[i] = &nkv
		}
	}
	if err := s.putKey(ctx, v, &nk); err != nil {
		return KeyBundle{}, err
	}
	return bundle(v, &nk, &nkv), nil
}

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return "", badParam("The $skiptoken is invalid.")
	}
	return string(b), nil
}

func pageSize(o ListOptions) (int, error) {
	if o.MaxResults == 0 {
		return 25, nil
	}
	if o.MaxResults < 1 || o.MaxResults > 25 {
		return 0, badParam("Invalid value for maxresults: %d. It must be between 1 and 25.", o.MaxResults)
	}
	return o.MaxResults, nil
}

// sortedKeys returns the vault's keys (deleted or not) by lower-case name.
func sortedKeys(v *vaultState, deleted bool) []string {
	var names []string
	for n, k := range v.keys {
		if (k.deleted != nil) == deleted {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// pageNames cuts one page out of sorted names after the token's name.
func pageNames(names []string, o ListOptions) ([]string, string, error) {
	n, err := pageSize(o)
	if err != nil {
		return nil, "", err
	}
	start := 0
	if o.Token != "" {
		after, err := decodeToken(o.Token)
		if err != nil {
			return nil, "", err
		}
		start = sort.SearchStrings(names, after)
		if start < len(names) && names[start] == after {
			start++
		}
	}
	end := min(start+n, len(names))
	page := names[start:end]
	next := ""
	if end < len(names) {
		next = encodeToken(page[len(page)-1])
	}
	return page, next, nil
}

// ListKeys lists the active keys, latest version each (permission list).
func (s *Service) ListKeys(_ context.Context, c Caller, vault string, o ListOptions) (Page[KeyItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.vault(vault)
	if err != nil {
		return Page[KeyItem]{}, err
	}
	if err := s.authorize(v, c, PermList, "", false); err != nil {
		return Page[KeyItem]{}, err
	}
	names, next, err := pageNames(sortedKeys(v, false), o)
	if err != nil {
		return Page[KeyItem]{}, err
	}
	p := Page[KeyItem]{Next: next, Items: []KeyItem{}}
	for _, n := range names {
		k := v.keys[n]
		kv := k.latest()
		p.Items = append(p.Items, KeyItem{Name: k.name, Kty: kv.kty, Attributes: attributes(v, kv), Tags: cloneTags(kv.tags)})
	}
	return p, nil
}

// ListKeyVersions lists the versions of an active key (permission list) in
// the order Key Vault lists them: by version identifier, not by creation time
// (versions are random hex, so the order looks random, as on Azure).
//
// A name with no active key lists no versions (200, empty), as Key Vault
// answers, rather than KeyNotFound.
func (s *Service) ListKeyVersions(_ context.Context, c Caller, vault, name string, o ListOptions) (Page[KeyItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.vault(vault)
	if err != nil {
		return Page[KeyItem]{}, err
	}
	if err := s.authorize(v, c, PermList, name, false); err != nil {
		return Page[KeyItem]{}, err
	}
	if _, err := pageSize(o); err != nil {
		return Page[KeyItem]{}, err
	}
	k, err := activeKey(v, name)
	if err != nil {
		return Page[KeyItem]{Items: []KeyItem{}}, nil
	}
	byID := make(map[string]*keyVersion, len(k.versions))
	ids := make([]string, 0, len(k.versions))
	for _, kv := range k.versions {
		byID[kv.version] = kv
		ids = append(ids, kv.version)
	}
	sort.Strings(ids)
	page, next, err := pageNames(ids, o)
	if err != nil {
		return Page[KeyItem]{}, err
	}
	p := Page[KeyItem]{Items: []KeyItem{}, Next: next}
	for _, id := range page {
		kv := byID[id]
		p.Items = append(p.Items, KeyItem{Name: k.name, Version: kv.version, Kty: kv.kty, Attributes: attributes(v, kv), Tags: cloneTags(kv.tags)})
	}
	return p, nil
}

// DeleteKey deletes all versions of a key (permission delete): soft delete
// with a purge scheduled after the vault's retention, or, in a vault without
// soft delete, for good.
func (s *Service) DeleteKey(ctx context.Context, c Caller, vault, name string) (DeletedKeyBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, k, err := s.lookup(c, vault, name, PermDelete)
	if err != nil {
		return DeletedKeyBundle{}, err
	}
	if err := managedKey(v, name, "delete"); err != nil {
		return DeletedKeyBundle{}, err
	}
	if !v.v.EnableSoftDelete {
		if err := s.store.DeleteKey(ctx, strings.ToLower(v.v.Name), strings.ToLower(k.name)); err != nil {
			return DeletedKeyBundle{}, err
		}
		delete(v.keys, strings.ToLower(k.name))
		s.nextGen()
		return deletedBundle(v, k), nil
	}
	now := s.clock()
	purge := now.Add(time.Duration(v.v.SoftDeleteRetentionDays) * 24 * time.Hour)
	nk := *k
	nk.deleted, nk.purgeAt = &now, &purge
	if err := s.putKey(ctx, v, &nk); err != nil {
		return DeletedKeyBundle{}, err
	}
	return deletedBundle(v, &nk), nil
}

// deletedKey finds a soft-deleted key after authorisation. Caller holds s.mu.
func (s *Service) deletedKey(c Caller, vault, name, perm string) (*vaultState, *keyState, error) {
	v, err := s.vault(vault)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(v, c, perm, name, true); err != nil {
		return nil, nil, err
	}
	k, ok := v.keys[strings.ToLower(name)]
	if !ok || k.deleted == nil {
		return nil, nil, deletedKeyNotFound(name)
	}
	return v, k, nil
}

// GetDeletedKey returns a soft-deleted key (permission get).
func (s *Service) GetDeletedKey(_ context.Context, c Caller, vault, name string) (DeletedKeyBundle, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, k, err := s.deletedKey(c, vault, name, PermGet)
	if err != nil {
		return DeletedKeyBundle{}, err
	}
	return deletedBundle(v, k), nil
}

// ListDeletedKeys lists soft-deleted keys (permission list).
func (s *Service) ListDeletedKeys(_ context.Context, c Caller, vault string, o ListOptions) (Page[DeletedKeyItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.vault(vault)
	if err != nil {
		return Page[DeletedKeyItem]{}, err
	}
	if err := s.authorize(v, c, PermList, "", true); err != nil {
		return Page[DeletedKeyItem]{}, err
	}
	names, next, err := pageNames(sortedKeys(v, true), o)
	if err != nil {
		return Page[DeletedKeyItem]{}, err
	}
	p := Page[DeletedKeyItem]{Next: next, Items: []DeletedKeyItem{}}
	for _, n := range names {
		k := v.keys[n]
		kv := k.latest()
		p.Items = append(p.Items, DeletedKeyItem{
			KeyItem:     KeyItem{Name: k.name, Kty: kv.kty, Attributes: attributes(v, kv), Tags: cloneTags(kv.tags)},
			DeletedDate: *k.deleted, ScheduledPurgeDate: *k.purgeAt,
		})
	}
	return p, nil
}

// RecoverDeletedKey brings a soft-deleted key back (permission recover).
func (s *Service) RecoverDeletedKey(ctx context.Context, c Caller, vault, name string) (KeyBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, k, err := s.deletedKey(c, vault, name, PermRecover)
	if err != nil {
		return KeyBundle{}, err
	}
	if err := managedKey(v, name, "recover"); err != nil {
		return KeyBundle{}, err
	}
	nk := *k
	nk.deleted, nk.purgeAt = nil, nil
	if err := s.putKey(ctx, v, &nk); err != nil {
		return KeyBundle{}, err
	}
	return bundle(v, &nk, nk.latest()), nil
}

// PurgeDeletedKey removes a soft-deleted key for good (permission purge);
// refused under purge protection.
func (s *Service) PurgeDeletedKey(ctx context.Context, c Caller, vault, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, k, err := s.deletedKey(c, vault, name, PermPurge)
	if err != nil {
		return err
	}
	if err := managedKey(v, name, "purge"); err != nil {
		return err
	}
	if v.v.EnablePurgeProtection {
		return ErrPurgeProtected.withMessage("Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.\r\nVault: %s;location=%s", v.v.Name, v.v.Location)
	}
	if err := s.store.DeleteKey(ctx, strings.ToLower(v.v.Name), strings.ToLower(k.name)); err != nil {
		return err
	}
	delete(v.keys, strings.ToLower(k.name))
	s.nextGen()
	return nil
}

// RotateKey creates a new version like the latest one (permission rotate):
// same type, size or curve, key_ops and tags; expiry from the rotation
// policy's expiryTime when set.
func (s *Service) RotateKey(ctx context.Context, c Caller, vault, name string) (KeyBundle, error) {
	s.mu.RLock()
	v, k, err := s.lookup(c, vault, name, PermRotate)
	var kv *keyVersion
	var policy *RotationPolicy
	if err == nil {
		kv, policy = k.latest(), k.policy
		_ = v
	}
	s.mu.RUnlock()
	if err != nil {
		return KeyBundle{}, err
	}
	nkv, err := s.nextVersionLike(kv, policy)
	if err != nil {
		return KeyBundle{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _, err = s.lookup(c, vault, name, PermRotate)
	if err != nil {
		return KeyBundle{}, err
	}
	if err := managedKey(v, name, "rotate"); err != nil {
		return KeyBundle{}, err
	}
	return s.publishVersion(ctx, v, name, nkv)
}

// nextVersionLike generates a fresh key shaped like kv.
func (s *Service) nextVersionLike(kv *keyVersion, policy *RotationPolicy) (*keyVersion, error) {
	size, crv := 0, ""
	switch k := kv.kp.(type) {
	case *rsa.PrivateKey:
		size = k.N.BitLen()
	default:
		crv = kv.pub.Crv
	}
	kp, err := generateKeyPair(s.rand, kv.kty, size, 0, crv)
	if err != nil {
		return nil, err
	}
	id, err := s.newVersionID()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	nkv := &keyVersion{version: id, kty: kv.kty, keyOps: append([]string(nil), kv.keyOps...), enabled: true,
		created: now, updated: now, tags: cloneTags(kv.tags), releasePolicy: kv.releasePolicy, kp: kp, pub: publicJWK(kp)}
	if policy != nil && policy.ExpiryTime != "" {
		d, err := parseDuration(policy.ExpiryTime)
		if err == nil {
			exp := d.addTo(now)
			nkv.exp = &exp
		}
	}
	return nkv, nil
}

// rotateLocked rotates under the lock (Tick). Caller holds s.mu.
func (s *Service) rotateLocked(ctx context.Context, v *vaultState, k *keyState) (KeyBundle, error) {
	nkv, err := s.nextVersionLike(k.latest(), k.policy)
	if err != nil {
		return KeyBundle{}, err
	}
	return s.publishVersion(ctx, v, k.name, nkv)
}

// KeyState reports, without RSA work, whether UnwrapKey by c on
// vault/name/version ("" = latest) would pass every check now: the vault is
// active, the key exists and is not deleted, the version exists, is enabled
// and permits unwrapKey, and c holds the unwrapKey permission (or data
// action). It returns the error UnwrapKey would return otherwise. generation
// changes whenever the vault (policies, role assignments, deletion) or the key
// (versions, attributes, deletion, policy) changes, so a cache of an
// unwrapped key is valid while the generation stays the same.
func (s *Service) KeyState(_ context.Context, c Caller, ref KeyRef) (generation uint64, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, k, kv, err := s.usable(c, ref.Vault, ref.Name, ref.Version, PermUnwrapKey, OpUnwrapKey)
	if err != nil {
		return 0, err
	}
	_ = kv
	return max(v.gen, k.gen), nil
}

// GetRandomBytes returns count (1..128) random bytes to any authenticated
// caller of an active vault.
func (s *Service) GetRandomBytes(_ context.Context, _ Caller, vault string, count int) ([]byte, error) {
	if count < 1 || count > 128 {
		return nil, badParam("GetRandomBytesRequest: count cannot be greater than 128 or less than 1")
	}
	s.mu.RLock()
	_, err := s.vault(vault)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	b := make([]byte, count)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return nil, err
	}
	return b, nil
}
