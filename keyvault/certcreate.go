package keyvault

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"io"
	"strings"
	"time"
)

// CreateCertificateParams are CertificateCreateParameters.
type CreateCertificateParams struct {
	Policy     CertificatePolicy
	Attributes AttributesUpdate
	Tags       map[string]string
}

// ImportCertificateParams are CertificateImportParameters: Value is PEM
// text or base64 PKCS#12, Password the PKCS#12 password.
type ImportCertificateParams struct {
	Value      string
	Password   string
	Policy     *CertificatePolicy
	Attributes AttributesUpdate
	Tags       map[string]string
}

// MergeCertificateParams are CertificateMergeParameters: x5c is the chain,
// the certificate issued for the pending key first.
type MergeCertificateParams struct {
	X5C        [][]byte
	Attributes AttributesUpdate
	Tags       map[string]string
}

// checkCertNameFree applies the name rules of a new certificate version:
// a deleted certificate holds its name (409 ObjectIsDeletedButRecoverable);
// a key or secret of that name that does not belong to a certificate makes
// it unavailable (409 Conflict). Caller holds s.mu.
func checkCertNameFree(v *vaultState, name string) error {
	lname := strings.ToLower(name)
	if cs, ok := v.obj.certs[lname]; ok && cs.deleted != nil {
		return deletedButRecoverable("certificate", name)
	}
	if isManagedName(v, name) {
		return nil
	}
	_, keyTaken := v.keys[lname]
	_, secretTaken := v.obj.secrets[lname]
	if keyTaken || secretTaken {
		return ErrConflict.withMessage("Certificate %s cannot be created: a key or secret of that name exists that does not belong to a certificate.", name)
	}
	return nil
}

func (s *Service) requestID() string {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return ""
	}
	return hex.EncodeToString(b[:])
}

// createPlan is what CreateCertificate decided under the read lock.
type createPlan struct {
	reuse keyPair
}

func (s *Service) planCreate(c Caller, vault, name string, p CertificatePolicy) (createPlan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermCreate, name)
	if err != nil {
		return createPlan{}, err
	}
	if err := checkCertNameFree(v, name); err != nil {
		return createPlan{}, err
	}
	var plan createPlan
	cs := v.obj.certs[strings.ToLower(name)]
	if cs != nil && cs.op != nil && cs.op.Status == OpStatusInProgress {
		return createPlan{}, ErrConflict.withMessage("Certificate %s has a pending operation; merge, cancel or delete it first.", name)
	}
	switch p.Issuer.Name {
	case IssuerSelf, IssuerUnknown:
	default:
		if _, ok := v.obj.issuers[strings.ToLower(p.Issuer.Name)]; !ok {
			return createPlan{}, badParam("Issuer %s was not found in this key vault.", p.Issuer.Name)
		}
		return createPlan{}, badParam("azemu does not reach certificate authority providers (issuer %s); use issuer Self, or Unknown and Merge Certificate.", p.Issuer.Name)
	}
	if cs != nil && cs.latest() != nil && p.KeyProps.ReuseKey != nil && *p.KeyProps.ReuseKey {
		plan.reuse = keyPairOf(v, name, cs.latest().version)
	}
	return plan, nil
}

// newCertKey generates the key a policy asks for, or reuses reuse when it
// fits the policy.
func (s *Service) newCertKey(p CertificatePolicy, reuse keyPair) (keyPair, error) {
	if reuse != nil {
		if kty, size, crv, err := certKeyType(reuse); err == nil && strings.HasPrefix(p.KeyProps.Kty, kty) &&
			size == p.KeyProps.KeySize && crv == p.KeyProps.Curve {
			return reuse, nil
		}
	}
	return generateKeyPair(s.rand, p.KeyProps.Kty, p.KeyProps.KeySize, 0, p.KeyProps.Curve)
}

// CreateCertificate creates a certificate, or a new version of one
// (permission create). Issuer Self completes at once with a certificate
// signed by its own new key; issuer Unknown leaves an operation inProgress
// whose CSR a CA signs, completed by MergeCertificate.
func (s *Service) CreateCertificate(ctx context.Context, c Caller, vault, name string, in CreateCertificateParams) (CertificateOperation, error) {
	if err := checkName(name); err != nil {
		return CertificateOperation{}, err
	}
	if err := validateObjectTags(in.Tags); err != nil {
		return CertificateOperation{}, err
	}
	if err := checkAttrTimes(in.Attributes); err != nil {
		return CertificateOperation{}, err
	}
	p, err := completePolicy(in.Policy, true)
	if err != nil {
		return CertificateOperation{}, err
	}
	plan, err := s.planCreate(c, vault, name, p)
	if err != nil {
		return CertificateOperation{}, err
	}
	kp, err := s.newCertKey(p, plan.reuse)
	if err != nil {
		return CertificateOperation{}, err
	}
	version, err := s.newVersionID()
	if err != nil {
		return CertificateOperation{}, err
	}
	now := s.clock()
	var der, csr []byte
	if p.Issuer.Name == IssuerSelf {
		der, err = selfSign(s.rand, p, kp, now)
	} else {
		csr, err = makeCSR(s.rand, p, kp)
	}
	if err != nil {
		return CertificateOperation{}, err
	}
	enabled := in.Attributes.Enabled == nil || *in.Attributes.Enabled

	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermCreate, name)
	if err != nil {
		return CertificateOperation{}, err
	}
	if err := checkCertNameFree(v, name); err != nil {
		return CertificateOperation{}, err
	}
	ncs := &certState{name: name}
	if old := v.obj.certs[strings.ToLower(name)]; old != nil {
		cp := *old
		ncs = &cp
		if ncs.op != nil && ncs.op.Status == OpStatusInProgress {
			return CertificateOperation{}, ErrConflict.withMessage("Certificate %s has a pending operation; merge, cancel or delete it first.", name)
		}
	}
	ncs.policy, ncs.policyAt = p, now
	op := &certOp{CertificateOperation: CertificateOperation{IssuerName: p.Issuer.Name, CertificateType: p.Issuer.CertificateType,
		RequestID: s.requestID()}, version: version, enabled: enabled, tags: cloneTags(in.Tags)}
	if p.Issuer.Name == IssuerSelf {
		cv, err := newCertVersion(version, der, nil, enabled, in.Tags, now)
		if err != nil {
			return CertificateOperation{}, err
		}
		if err := s.publishFaces(ctx, v, name, p, cv, kp); err != nil {
			return CertificateOperation{}, err
		}
		ncs.versions = append(append([]*certVersion(nil), ncs.versions...), cv)
		op.Status, op.TargetVersion = OpStatusCompleted, version
	} else {
		op.CSR, op.Status, op.StatusDetails = csr, OpStatusInProgress, "Pending certificate created. Please Perform Merge to complete the request."
		op.kp = kp
		if op.sealed, err = s.sealKeyPair(v.v.Name, name, version, kp); err != nil {
			return CertificateOperation{}, err
		}
	}
	ncs.op = op
	if err := s.putCert(ctx, v, ncs); err != nil {
		return CertificateOperation{}, err
	}
	return opOf(v, ncs), nil
}

func newCertVersion(version string, der []byte, chain [][]byte, enabled bool, tags map[string]string, now time.Time) (*certVersion, error) {
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, badParam("The certificate cannot be parsed.")
	}
	return &certVersion{version: version, der: der, chain: chain, enabled: enabled,
		nbf: leaf.NotBefore.UTC(), exp: leaf.NotAfter.UTC(), created: now, updated: now, tags: cloneTags(tags)}, nil
}

// MergeCertificate completes a pending creation with the certificate a CA
// issued for the pending key (permission create). The first certificate of
// x5c must carry the pending key's public key.
func (s *Service) MergeCertificate(ctx context.Context, c Caller, vault, name string, in MergeCertificateParams) (CertificateBundle, error) {
	if err := validateObjectTags(in.Tags); err != nil {
		return CertificateBundle{}, err
	}
	leaf, chain, err := ParseMergeChain(in.X5C)
	if err != nil {
		return CertificateBundle{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermCreate, name)
	if err != nil {
		return CertificateBundle{}, err
	}
	cs, ok := v.obj.certs[strings.ToLower(name)]
	if !ok || cs.deleted != nil || cs.op == nil || cs.op.Status != OpStatusInProgress || cs.op.kp == nil {
		return CertificateBundle{}, ErrCertOpNotFound.withMessage("Pending certificate not found: %s", name)
	}
	if !sameKey(cs.op.kp, leaf.PublicKey) {
		return CertificateBundle{}, badParam("Public key from x5c parameter does not match the public key of the pending certificate %s.", name)
	}
	var chainDER [][]byte
	for _, ch := range chain {
		chainDER = append(chainDER, ch.Raw)
	}
	enabled := cs.op.enabled
	if in.Attributes.Enabled != nil {
		enabled = *in.Attributes.Enabled
	}
	tags := cs.op.tags
	if in.Tags != nil {
		tags = in.Tags
	}
	now := s.clock()
	cv, err := newCertVersion(cs.op.version, leaf.Raw, chainDER, enabled, tags, now)
	if err != nil {
		return CertificateBundle{}, err
	}
	if err := s.publishFaces(ctx, v, cs.name, cs.policy, cv, cs.op.kp); err != nil {
		return CertificateBundle{}, err
	}
	ncs := *cs
	ncs.versions = append(append([]*certVersion(nil), cs.versions...), cv)
	op := *cs.op
	op.Status, op.StatusDetails, op.TargetVersion, op.kp, op.sealed = OpStatusCompleted, "", cv.version, nil, nil
	ncs.op = &op
	if err := s.putCert(ctx, v, &ncs); err != nil {
		return CertificateBundle{}, err
	}
	return certBundle(v, &ncs, cv), nil
}

// ImportCertificate imports a certificate with its private key, from PEM or
// PKCS#12 (with or without password), as a new certificate or version
// (permission import). The policy is derived from the certificate, with the
// given policy's key and secret properties.
func (s *Service) ImportCertificate(ctx context.Context, c Caller, vault, name string, in ImportCertificateParams) (CertificateBundle, error) {
	if err := checkName(name); err != nil {
		return CertificateBundle{}, err
	}
	if err := validateObjectTags(in.Tags); err != nil {
		return CertificateBundle{}, err
	}
	if err := checkAttrTimes(in.Attributes); err != nil {
		return CertificateBundle{}, err
	}
	kp, leaf, chain, err := ParseCertificateImport(in.Value, in.Password)
	if err != nil {
		return CertificateBundle{}, err
	}
	var given CertificatePolicy
	if in.Policy != nil {
		given = clonePolicyJSON(*in.Policy)
	}
	p, err := policyFromCertificate(given, leaf, kp)
	if err != nil {
		return CertificateBundle{}, err
	}
	if p.Issuer.Name == IssuerSelf {
		p.Issuer.Name = IssuerUnknown
		p, err = completePolicy(p, false)
		if err != nil {
			return CertificateBundle{}, err
		}
	}
	version, err := s.newVersionID()
	if err != nil {
		return CertificateBundle{}, err
	}
	var chainDER [][]byte
	for _, ch := range chain {
		chainDER = append(chainDER, ch.Raw)
	}
	enabled := in.Attributes.Enabled == nil || *in.Attributes.Enabled
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermImport, name)
	if err != nil {
		return CertificateBundle{}, err
	}
	if err := checkCertNameFree(v, name); err != nil {
		return CertificateBundle{}, err
	}
	now := s.clock()
	cv, err := newCertVersion(version, leaf.Raw, chainDER, enabled, in.Tags, now)
	if err != nil {
		return CertificateBundle{}, err
	}
	ncs := &certState{name: name}
	if old := v.obj.certs[strings.ToLower(name)]; old != nil {
		cp := *old
		ncs = &cp
	}
	if err := s.publishFaces(ctx, v, ncs.name, p, cv, kp); err != nil {
		return CertificateBundle{}, err
	}
	ncs.policy, ncs.policyAt = p, now
	ncs.versions = append(append([]*certVersion(nil), ncs.versions...), cv)
	if err := s.putCert(ctx, v, ncs); err != nil {
		return CertificateBundle{}, err
	}
	return certBundle(v, ncs, cv), nil
}

// lifetimeTrigger is when a policy's lifetime action fires for cv.
func lifetimeTrigger(a CertLifetimeAction, cv *certVersion) time.Time {
	if a.Trigger.DaysBeforeExpiry > 0 {
		return cv.exp.Add(-time.Duration(a.Trigger.DaysBeforeExpiry) * 24 * time.Hour)
	}
	life := cv.exp.Sub(cv.nbf)
	return cv.nbf.Add(life / 100 * time.Duration(a.Trigger.LifetimePercentage))
}

// tickCertificates runs due lifetime actions: AutoRenew makes a new
// self-signed version (reusing the key when the policy says so);
// EmailContacts notifies the vault's contacts once per version (logged).
// Caller holds s.mu.
func (s *Service) tickCertificates(ctx context.Context, v *vaultState, now time.Time) error {
	for _, cs := range v.obj.certs {
		cv := cs.latest()
		if cs.deleted != nil || cv == nil || len(cs.policy.LifetimeActions) == 0 ||
			(cs.op != nil && cs.op.Status == OpStatusInProgress) {
			continue
		}
		a := cs.policy.LifetimeActions[0]
		if now.Before(lifetimeTrigger(a, cv)) {
			continue
		}
		switch a.Action.ActionType {
		case ActionAutoRenew:
			if cs.policy.Issuer.Name != IssuerSelf {
				continue
			}
			if err := s.renewLocked(ctx, v, cs, now); err != nil {
				return err
			}
			s.log.Info("certificate renewed by policy", "vault", v.v.Name, "certificate", cs.name)
		case ActionEmailContacts:
			if cs.notified == cv.version {
				continue
			}
			var emails []string
			for _, ct := range v.obj.contacts {
				emails = append(emails, ct.Email)
			}
			s.log.Info("certificate lifetime action: emailing contacts", "vault", v.v.Name, "certificate", cs.name,
				"version", cv.version, "expires", cv.exp, "contacts", strings.Join(emails, ","))
			ncs := *cs
			ncs.notified = cv.version
			if err := s.putCert(ctx, v, &ncs); err != nil {
				return err
			}
		}
	}
	return nil
}

// renewLocked makes a new self-signed version by the certificate's policy.
// Caller holds s.mu.
func (s *Service) renewLocked(ctx context.Context, v *vaultState, cs *certState, now time.Time) error {
	p := cs.policy
	var reuse keyPair
	if p.KeyProps.ReuseKey != nil && *p.KeyProps.ReuseKey {
		reuse = keyPairOf(v, cs.name, cs.latest().version)
	}
	kp, err := s.newCertKey(p, reuse)
	if err != nil {
		return err
	}
	version, err := s.newVersionID()
	if err != nil {
		return err
	}
	der, err := selfSign(s.rand, p, kp, now)
	if err != nil {
		return err
	}
	enabled := p.Attributes == nil || p.Attributes.Enabled == nil || *p.Attributes.Enabled
	cv, err := newCertVersion(version, der, nil, enabled, cs.latest().tags, now)
	if err != nil {
		return err
	}
	if err := s.publishFaces(ctx, v, cs.name, p, cv, kp); err != nil {
		return err
	}
	ncs := *cs
	ncs.versions = append(append([]*certVersion(nil), cs.versions...), cv)
	ncs.op = &certOp{CertificateOperation: CertificateOperation{IssuerName: IssuerSelf, Status: OpStatusCompleted,
		TargetVersion: version, RequestID: s.requestID()}, version: version}
	return s.putCert(ctx, v, &ncs)
}
