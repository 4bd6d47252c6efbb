package keyvault

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Certificate records: the versions (DER certificate and chain, public),
// the policy, the last operation with its pending key pair sealed like any
// key (sealAAD of the version it is for), deletion and notification state.
// The certificate's key and secret are key and secret records of their own.
type certRecord struct {
	Format   int                 `json:"format"`
	Name     string              `json:"name"`
	Versions []certVersionRecord `json:"versions"`
	Policy   CertificatePolicy   `json:"policy"`
	PolicyAt time.Time           `json:"policyAt"`
	Op       *certOpRecord       `json:"op,omitempty"`
	Deleted  *time.Time          `json:"deleted,omitempty"`
	PurgeAt  *time.Time          `json:"purgeAt,omitempty"`
	Notified string              `json:"notified,omitempty"`
}

type certVersionRecord struct {
	Version string            `json:"version"`
	DER     []byte            `json:"der"`
	Chain   [][]byte          `json:"chain,omitempty"`
	Enabled bool              `json:"enabled"`
	NBF     time.Time         `json:"nbf"`
	Exp     time.Time         `json:"exp"`
	Created time.Time         `json:"created"`
	Updated time.Time         `json:"updated"`
	Tags    map[string]string `json:"tags,omitempty"`
}

type certOpRecord struct {
	Issuer, CertType      string
	CSR                   []byte
	CancellationRequested bool
	Status, StatusDetails string
	ErrorCode, ErrorMsg   string
	TargetVersion         string
	RequestID             string
	Version               string
	Sealed                []byte            `json:",omitempty"`
	Enabled               bool              `json:",omitempty"`
	Tags                  map[string]string `json:",omitempty"`
}

func certVersionRecordOf(cv *certVersion) certVersionRecord {
	return certVersionRecord{Version: cv.version, DER: cv.der, Chain: cv.chain, Enabled: cv.enabled, NBF: cv.nbf,
		Exp: cv.exp, Created: cv.created, Updated: cv.updated, Tags: cv.tags}
}

func certVersionFromRecord(r certVersionRecord) *certVersion {
	return &certVersion{version: r.Version, der: r.DER, chain: r.Chain, enabled: r.Enabled, nbf: r.NBF, exp: r.Exp,
		created: r.Created, updated: r.Updated, tags: r.Tags}
}

func certRecordOf(cs *certState) certRecord {
	rec := certRecord{Format: recordVersion, Name: cs.name, Policy: cs.policy, PolicyAt: cs.policyAt,
		Deleted: cs.deleted, PurgeAt: cs.purgeAt, Notified: cs.notified}
	for _, cv := range cs.versions {
		rec.Versions = append(rec.Versions, certVersionRecordOf(cv))
	}
	if o := cs.op; o != nil {
		rec.Op = &certOpRecord{Issuer: o.IssuerName, CertType: o.CertificateType, CSR: o.CSR,
			CancellationRequested: o.CancellationRequested, Status: o.Status, StatusDetails: o.StatusDetails,
			ErrorCode: o.ErrorCode, ErrorMsg: o.ErrorMsg, TargetVersion: o.TargetVersion, RequestID: o.RequestID,
			Version: o.version, Sealed: o.sealed, Enabled: o.enabled, Tags: o.tags}
	}
	return rec
}

// putCert persists and publishes a certificate state. Caller holds s.mu.
func (s *Service) putCert(ctx context.Context, v *vaultState, cs *certState) error {
	if err := s.putRecord(ctx, v, kindCertificate, cs.name, certRecordOf(cs)); err != nil {
		return err
	}
	cs.gen = s.nextGen()
	v.obj.certs[strings.ToLower(cs.name)] = cs
	return nil
}

// loadCertificate restores a certificate record. Caller holds s.mu.
func (s *Service) loadCertificate(v *vaultState, name string, data []byte) error {
	var rec certRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return err
	}
	if rec.Format != recordVersion {
		return fmt.Errorf("unsupported format %d", rec.Format)
	}
	cs := &certState{name: rec.Name, policy: rec.Policy, policyAt: rec.PolicyAt, deleted: rec.Deleted,
		purgeAt: rec.PurgeAt, notified: rec.Notified}
	for _, r := range rec.Versions {
		cs.versions = append(cs.versions, certVersionFromRecord(r))
	}
	if o := rec.Op; o != nil {
		op := &certOp{CertificateOperation: CertificateOperation{IssuerName: o.Issuer, CertificateType: o.CertType,
			CSR: o.CSR, CancellationRequested: o.CancellationRequested, Status: o.Status, StatusDetails: o.StatusDetails,
			ErrorCode: o.ErrorCode, ErrorMsg: o.ErrorMsg, TargetVersion: o.TargetVersion, RequestID: o.RequestID},
			version: o.Version, sealed: o.Sealed, enabled: o.Enabled, tags: o.Tags}
		if len(o.Sealed) > 0 {
			kp, err := s.openKeyPair(v.v.Name, rec.Name, o.Version, o.Sealed)
			if err != nil {
				return err
			}
			op.kp = kp
		}
		cs.op = op
	}
	cs.gen = s.nextGen()
	v.obj.certs[name] = cs
	return nil
}
