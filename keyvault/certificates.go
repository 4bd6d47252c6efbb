package keyvault

import (
	"context"
	"crypto/x509"
	"sort"
	"strings"
	"time"
)

// CertificateAttributes are a certificate version's attributes. NotBefore
// and Expires are the X.509 validity of the certificate.
type CertificateAttributes struct {
	Enabled         bool
	NotBefore       time.Time
	Expires         time.Time
	Created         time.Time
	Updated         time.Time
	RecoveryLevel   string
	RecoverableDays int
}

// CertificateBundle is a certificate version (CertificateBundle): the DER
// certificate (cer), its thumbprint (x5t), and the names of its key and
// secret, which share its name and version.
type CertificateBundle struct {
	Vault, Name, Version string
	DER                  []byte
	Thumbprint           []byte
	ContentType          string // the secret's content type
	Attributes           CertificateAttributes
	Tags                 map[string]string
	Policy               *CertificatePolicy // set on the latest version's bundle
	PolicyUpdated        time.Time
}

// DeletedCertificateBundle is a soft-deleted certificate.
type DeletedCertificateBundle struct {
	CertificateBundle
	Recoverable        bool
	DeletedDate        time.Time
	ScheduledPurgeDate time.Time
}

// CertificateItem is one entry of a certificate listing.
type CertificateItem struct {
	Name, Version string
	Thumbprint    []byte
	Attributes    CertificateAttributes
	Tags          map[string]string
}

// DeletedCertificateItem is one entry of the list of deleted certificates.
type DeletedCertificateItem struct {
	CertificateItem
	DeletedDate        time.Time
	ScheduledPurgeDate time.Time
}

// CertificateOperation is the state of a certificate's creation
// (CertificateOperation): for issuer Self it completes at once; for issuer
// Unknown it stays inProgress with the CSR until Merge Certificate.
type CertificateOperation struct {
	Vault, Name           string
	IssuerName            string
	CertificateType       string
	CSR                   []byte
	CancellationRequested bool
	Status                string // inProgress, completed, cancelled, failed
	StatusDetails         string
	ErrorCode, ErrorMsg   string
	TargetVersion         string // the version it made ("" until completed)
	RequestID             string
}

// Operation states.
const (
	OpStatusInProgress = "inProgress"
	OpStatusCompleted  = "completed"
	OpStatusCancelled  = "cancelled"
	OpStatusFailed     = "failed"
)

type certState struct {
	name     string
	versions []*certVersion // creation order: latest last
	policy   CertificatePolicy
	policyAt time.Time // policy updated
	op       *certOp   // last operation, nil when none
	deleted  *time.Time
	purgeAt  *time.Time
	notified string // version whose EmailContacts action has fired
	gen      uint64
}

func (cs *certState) latest() *certVersion {
	if len(cs.versions) == 0 {
		return nil
	}
	return cs.versions[len(cs.versions)-1]
}

// certVersion is immutable once published.
type certVersion struct {
	version  string
	der      []byte
	chain    [][]byte
	enabled  bool
	nbf, exp time.Time
	created  time.Time
	updated  time.Time
	tags     map[string]string
}

// certOp is a certificate operation; while inProgress it holds the pending
// key pair (sealed in records like any key).
type certOp struct {
	CertificateOperation
	version string // the version the pending key and certificate get
	kp      keyPair
	sealed  []byte
	enabled bool
	tags    map[string]string
}

func certAttributes(v *vaultState, cv *certVersion) CertificateAttributes {
	return CertificateAttributes{Enabled: cv.enabled, NotBefore: cv.nbf, Expires: cv.exp, Created: cv.created,
		Updated: cv.updated, RecoveryLevel: v.v.RecoveryLevel(), RecoverableDays: v.v.RecoverableDays()}
}

// certBundle renders a version; the policy comes with the latest one.
func certBundle(v *vaultState, cs *certState, cv *certVersion) CertificateBundle {
	b := CertificateBundle{Vault: v.v.Name, Name: cs.name, Version: cv.version, DER: cv.der,
		Thumbprint: thumbprint(cv.der), ContentType: cs.policy.SecretProps.ContentType,
		Attributes: certAttributes(v, cv), Tags: cloneTags(cv.tags)}
	if cv == cs.latest() {
		p := clonePolicyJSON(cs.policy)
		b.Policy, b.PolicyUpdated = &p, cs.policyAt
	}
	return b
}

func deletedCertBundle(v *vaultState, cs *certState) DeletedCertificateBundle {
	d := DeletedCertificateBundle{CertificateBundle: certBundle(v, cs, cs.latest()), Recoverable: cs.deleted != nil}
	if cs.deleted != nil {
		d.DeletedDate, d.ScheduledPurgeDate = *cs.deleted, *cs.purgeAt
	}
	return d
}

func certItem(v *vaultState, cs *certState, cv *certVersion, withVersion bool) CertificateItem {
	it := CertificateItem{Name: cs.name, Thumbprint: thumbprint(cv.der), Attributes: certAttributes(v, cv), Tags: cloneTags(cv.tags)}
	if withVersion {
		it.Version = cv.version
	}
	return it
}

func opOf(v *vaultState, cs *certState) CertificateOperation {
	o := cs.op.CertificateOperation
	o.Vault, o.Name = v.v.Name, cs.name
	o.CSR = append([]byte(nil), o.CSR...)
	return o
}

// certVault finds an active vault and authorises c for a certificate
// permission. Caller holds s.mu.
func (s *Service) certVault(c Caller, vault, perm, name string) (*vaultState, error) {
	v, err := s.vault(vault)
	if err != nil {
		return nil, err
	}
	if err := s.allow(v, c, check{coll: collCertificates, perm: perm, name: name}); err != nil {
		return nil, err
	}
	return v, nil
}

// activeCert finds a certificate that is not deleted and has at least one
// version. Caller holds s.mu.
func activeCert(v *vaultState, name string) (*certState, error) {
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil || len(cs.versions) == 0 {
		return nil, certificateNotFound(name)
	}
	return cs, nil
}

func findCertVersion(cs *certState, name, version string) (*certVersion, error) {
	if version == "" {
		return cs.latest(), nil
	}
	for _, cv := range cs.versions {
		if cv.version == strings.ToLower(version) {
			return cv, nil
		}
	}
	return nil, certificateNotFound(name + "/" + version)
}

func isCertDeleted(cs *certState) bool { return cs.deleted != nil }

// GetCertificate returns a version ("" = latest) (permission get).
func (s *Service) GetCertificate(_ context.Context, c Caller, vault, name, version string) (CertificateBundle, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermGet, name)
	if err != nil {
		return CertificateBundle{}, err
	}
	if b, ok := pendingBundle(v, name, version); ok {
		return b, nil
	}
	cs, err := activeCert(v, name)
	if err != nil {
		return CertificateBundle{}, err
	}
	cv, err := findCertVersion(cs, name, version)
	if err != nil {
		return CertificateBundle{}, err
	}
	return certBundle(v, cs, cv), nil
}

// pendingBundle renders a certificate whose first version is still pending
// (or whose creation was cancelled): Key Vault answers Get Certificate with
// that version, disabled and without cer or x5t, and the SDK pollers rely on
// it. Caller holds s.mu.
func pendingBundle(v *vaultState, name, version string) (CertificateBundle, bool) {
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil || len(cs.versions) > 0 || cs.op == nil ||
		(version != "" && !strings.EqualFold(version, cs.op.version)) {
		return CertificateBundle{}, false
	}
	p := clonePolicyJSON(cs.policy)
	return CertificateBundle{Vault: v.v.Name, Name: cs.name, Version: cs.op.version, ContentType: p.SecretProps.ContentType,
		Attributes: CertificateAttributes{Created: cs.policyAt, Updated: cs.policyAt, RecoveryLevel: v.v.RecoveryLevel(),
			RecoverableDays: v.v.RecoverableDays()},
		Tags: cloneTags(cs.op.tags), Policy: &p, PolicyUpdated: cs.policyAt}, true
}

// ListCertificates lists active certificates, latest version each
// (permission list). Certificates whose only version is still pending are
// listed when includePending is set, as Key Vault does.
func (s *Service) ListCertificates(_ context.Context, c Caller, vault string, o ListOptions, includePending bool) (Page[CertificateItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermList, "")
	if err != nil {
		return Page[CertificateItem]{}, err
	}
	hidden := func(cs *certState) bool {
		return cs.deleted != nil || (len(cs.versions) == 0 && (!includePending || cs.op == nil))
	}
	page, next, err := pageNames(sortedNames(v.obj.certs, hidden, false), o)
	if err != nil {
		return Page[CertificateItem]{}, err
	}
	p := Page[CertificateItem]{Items: []CertificateItem{}, Next: next}
	for _, n := range page {
		cs := v.obj.certs[n]
		if cs.latest() == nil {
			b, _ := pendingBundle(v, cs.name, "")
			p.Items = append(p.Items, CertificateItem{Name: cs.name, Attributes: b.Attributes, Tags: b.Tags})
			continue
		}
		p.Items = append(p.Items, certItem(v, cs, cs.latest(), false))
	}
	return p, nil
}

// ListCertificateVersions lists the versions of a certificate (permission
// list), ordered by version identifier.
func (s *Service) ListCertificateVersions(_ context.Context, c Caller, vault, name string, o ListOptions) (Page[CertificateItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermList, name)
	if err != nil {
		return Page[CertificateItem]{}, err
	}
	if _, err := pageSize(o); err != nil {
		return Page[CertificateItem]{}, err
	}
	cs, err := activeCert(v, name)
	if err != nil {
		return Page[CertificateItem]{Items: []CertificateItem{}}, nil
	}
	byID := map[string]*certVersion{}
	var ids []string
	for _, cv := range cs.versions {
		byID[cv.version] = cv
		ids = append(ids, cv.version)
	}
	sort.Strings(ids)
	page, next, err := pageNames(ids, o)
	if err != nil {
		return Page[CertificateItem]{}, err
	}
	p := Page[CertificateItem]{Items: []CertificateItem{}, Next: next}
	for _, id := range page {
		p.Items = append(p.Items, certItem(v, cs, byID[id], true))
	}
	return p, nil
}

// UpdateCertificateParams are CertificateUpdateParameters.
type UpdateCertificateParams struct {
	Policy     *CertificatePolicy
	Attributes AttributesUpdate
	Tags       map[string]string
}

// UpdateCertificate changes a version's enabled attribute and tags and,
// optionally, the policy (permission update). The enabled attribute is
// mirrored to the key and secret of the same version, as Key Vault mirrors
// certificate attributes to them; nbf/exp are the certificate's validity
// and cannot change.
func (s *Service) UpdateCertificate(ctx context.Context, c Caller, vault, name, version string, p UpdateCertificateParams) (CertificateBundle, error) {
	if err := validateObjectTags(p.Tags); err != nil {
		return CertificateBundle{}, err
	}
	if err := checkAttrTimes(p.Attributes); err != nil {
		return CertificateBundle{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermUpdate, name)
	if err != nil {
		return CertificateBundle{}, err
	}
	cs, err := activeCert(v, name)
	if err != nil {
		return CertificateBundle{}, err
	}
	cv, err := findCertVersion(cs, name, version)
	if err != nil {
		return CertificateBundle{}, err
	}
	ncs := *cs
	if p.Policy != nil {
		np, err := mergePolicy(cs.policy, *p.Policy)
		if err != nil {
			return CertificateBundle{}, err
		}
		ncs.policy, ncs.policyAt = np, s.clock()
	}
	ncv := *cv
	if p.Attributes.Enabled != nil {
		ncv.enabled = *p.Attributes.Enabled
	}
	if p.Tags != nil {
		ncv.tags = cloneTags(p.Tags)
	}
	ncv.updated = s.clock()
	ncs.versions = replaceVersion(cs.versions, cv, &ncv)
	if err := s.putCert(ctx, v, &ncs); err != nil {
		return CertificateBundle{}, err
	}
	if err := s.mirrorEnabled(ctx, v, cs.name, cv.version, ncv.enabled); err != nil {
		return CertificateBundle{}, err
	}
	return certBundle(v, &ncs, &ncv), nil
}

// mergePolicy applies an update: the given parts replace the current ones.
func mergePolicy(cur, upd CertificatePolicy) (CertificatePolicy, error) {
	n := clonePolicyJSON(cur)
	u := clonePolicyJSON(upd)
	if u.KeyProps != nil {
		n.KeyProps = u.KeyProps
	}
	if u.SecretProps != nil {
		n.SecretProps = u.SecretProps
	}
	if u.X509Props != nil {
		n.X509Props = u.X509Props
	}
	if u.LifetimeActions != nil {
		n.LifetimeActions = u.LifetimeActions
	}
	if u.Issuer != nil {
		n.Issuer = u.Issuer
	}
	if u.Attributes != nil && u.Attributes.Enabled != nil {
		n.Attributes.Enabled = u.Attributes.Enabled
	}
	return completePolicy(n, true)
}

// GetCertificatePolicy returns a certificate's policy (permission get).
func (s *Service) GetCertificatePolicy(_ context.Context, c Caller, vault, name string) (CertificatePolicy, time.Time, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermGet, name)
	if err != nil {
		return CertificatePolicy{}, time.Time{}, err
	}
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil {
		return CertificatePolicy{}, time.Time{}, certificateNotFound(name)
	}
	return clonePolicyJSON(cs.policy), cs.policyAt, nil
}

// UpdateCertificatePolicy changes the policy for the next versions
// (permission update).
func (s *Service) UpdateCertificatePolicy(ctx context.Context, c Caller, vault, name string, p CertificatePolicy) (CertificatePolicy, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermUpdate, name)
	if err != nil {
		return CertificatePolicy{}, time.Time{}, err
	}
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil {
		return CertificatePolicy{}, time.Time{}, certificateNotFound(name)
	}
	np, err := mergePolicy(cs.policy, p)
	if err != nil {
		return CertificatePolicy{}, time.Time{}, err
	}
	ncs := *cs
	ncs.policy, ncs.policyAt = np, s.clock()
	if err := s.putCert(ctx, v, &ncs); err != nil {
		return CertificatePolicy{}, time.Time{}, err
	}
	return clonePolicyJSON(np), ncs.policyAt, nil
}

// DeleteCertificate deletes a certificate with all its versions, its key and
// its secret (permission delete): soft delete, or for good without it.
func (s *Service) DeleteCertificate(ctx context.Context, c Caller, vault, name string) (DeletedCertificateBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermDelete, name)
	if err != nil {
		return DeletedCertificateBundle{}, err
	}
	cs, err := activeCert(v, name)
	if err != nil {
		return DeletedCertificateBundle{}, err
	}
	if !v.v.EnableSoftDelete {
		d := deletedCertBundle(v, cs)
		return d, s.dropCert(ctx, v, cs)
	}
	now, purge := s.softDeleteDates(v)
	ncs := *cs
	ncs.deleted, ncs.purgeAt, ncs.op = &now, &purge, nil
	if err := s.putCert(ctx, v, &ncs); err != nil {
		return DeletedCertificateBundle{}, err
	}
	if err := s.setFacesDeleted(ctx, v, cs.name, &now, &purge); err != nil {
		return DeletedCertificateBundle{}, err
	}
	return deletedCertBundle(v, &ncs), nil
}

func (s *Service) deletedCert(c Caller, vault, name, perm string) (*vaultState, *certState, error) {
	v, err := s.certVault(c, vault, perm, name)
	if err != nil {
		return nil, nil, err
	}
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted == nil {
		return nil, nil, deletedCertificateNotFound(name)
	}
	return v, cs, nil
}

// GetDeletedCertificate returns a soft-deleted certificate (permission get).
func (s *Service) GetDeletedCertificate(_ context.Context, c Caller, vault, name string) (DeletedCertificateBundle, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, cs, err := s.deletedCert(c, vault, name, PermGet)
	if err != nil {
		return DeletedCertificateBundle{}, err
	}
	return deletedCertBundle(v, cs), nil
}

// ListDeletedCertificates lists soft-deleted certificates (permission list).
func (s *Service) ListDeletedCertificates(_ context.Context, c Caller, vault string, o ListOptions) (Page[DeletedCertificateItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermList, "")
	if err != nil {
		return Page[DeletedCertificateItem]{}, err
	}
	names, next, err := pageNames(sortedNames(v.obj.certs, isCertDeleted, true), o)
	if err != nil {
		return Page[DeletedCertificateItem]{}, err
	}
	p := Page[DeletedCertificateItem]{Items: []DeletedCertificateItem{}, Next: next}
	for _, n := range names {
		cs := v.obj.certs[n]
		p.Items = append(p.Items, DeletedCertificateItem{CertificateItem: certItem(v, cs, cs.latest(), false),
			DeletedDate: *cs.deleted, ScheduledPurgeDate: *cs.purgeAt})
	}
	return p, nil
}

// RecoverDeletedCertificate brings a soft-deleted certificate back with its
// key and secret (permission recover).
func (s *Service) RecoverDeletedCertificate(ctx context.Context, c Caller, vault, name string) (CertificateBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, cs, err := s.deletedCert(c, vault, name, PermRecover)
	if err != nil {
		return CertificateBundle{}, err
	}
	ncs := *cs
	ncs.deleted, ncs.purgeAt = nil, nil
	if err := s.putCert(ctx, v, &ncs); err != nil {
		return CertificateBundle{}, err
	}
	if err := s.setFacesDeleted(ctx, v, cs.name, nil, nil); err != nil {
		return CertificateBundle{}, err
	}
	return certBundle(v, &ncs, ncs.latest()), nil
}

// PurgeDeletedCertificate removes a soft-deleted certificate, its key and
// its secret for good (permission purge); refused under purge protection.
func (s *Service) PurgeDeletedCertificate(ctx context.Context, c Caller, vault, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, cs, err := s.deletedCert(c, vault, name, PermPurge)
	if err != nil {
		return err
	}
	if v.v.EnablePurgeProtection {
		return purgeProtected(v)
	}
	return s.dropCert(ctx, v, cs)
}

// GetCertificateOperation returns the certificate's last operation
// (permission get); 404 when there is none.
func (s *Service) GetCertificateOperation(_ context.Context, c Caller, vault, name string) (CertificateOperation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermGet, name)
	if err != nil {
		return CertificateOperation{}, err
	}
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil || cs.op == nil {
		return CertificateOperation{}, ErrCertOpNotFound.withMessage("Pending certificate not found: %s", name)
	}
	return opOf(v, cs), nil
}

// CancelCertificateOperation requests cancellation of a pending operation
// (permission update): the pending version is dropped and the operation
// reports cancelled. A finished operation is returned unchanged.
func (s *Service) CancelCertificateOperation(ctx context.Context, c Caller, vault, name string, cancel bool) (CertificateOperation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermUpdate, name)
	if err != nil {
		return CertificateOperation{}, err
	}
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil || cs.op == nil {
		return CertificateOperation{}, ErrCertOpNotFound.withMessage("Pending certificate not found: %s", name)
	}
	if !cancel || cs.op.Status != OpStatusInProgress {
		return opOf(v, cs), nil
	}
	ncs := *cs
	op := *cs.op
	op.CancellationRequested, op.Status, op.StatusDetails = true, OpStatusCancelled, "Operation cancelled by the client."
	op.kp, op.sealed = nil, nil
	ncs.op = &op
	if err := s.putOrDropCert(ctx, v, &ncs); err != nil {
		return CertificateOperation{}, err
	}
	return opOf(v, &ncs), nil
}

// DeleteCertificateOperation deletes the certificate's operation, stopping a
// pending creation (permission delete), and returns it.
func (s *Service) DeleteCertificateOperation(ctx context.Context, c Caller, vault, name string) (CertificateOperation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermDelete, name)
	if err != nil {
		return CertificateOperation{}, err
	}
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil || cs.op == nil {
		return CertificateOperation{}, ErrCertOpNotFound.withMessage("Pending certificate not found: %s", name)
	}
	out := opOf(v, cs)
	ncs := *cs
	ncs.op = nil
	if err := s.putOrDropCert(ctx, v, &ncs); err != nil {
		return CertificateOperation{}, err
	}
	return out, nil
}

// putOrDropCert persists a certificate, or removes its record when it has
// neither versions nor an operation left (a cancelled first creation).
// Caller holds s.mu.
func (s *Service) putOrDropCert(ctx context.Context, v *vaultState, cs *certState) error {
	if len(cs.versions) == 0 && cs.op == nil {
		return s.dropCertRecord(ctx, v, cs)
	}
	return s.putCert(ctx, v, cs)
}

// keyUsageOf returns the key usage of a certificate.
func keyUsageOf(der []byte) x509.KeyUsage {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return 0
	}
	return c.KeyUsage
}
