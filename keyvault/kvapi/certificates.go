package kvapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/azemu/azemu/keyvault"
)

// Wire shapes of certificates.json (CertificateBundle, CertificateOperation,
// CertificateItem, IssuerBundle, Contacts).

type certBundleJSON struct {
	ID          string               `json:"id"`
	KID         string               `json:"kid"`
	SID         string               `json:"sid"`
	X5T         string               `json:"x5t,omitempty"`
	Policy      *policyJSON          `json:"policy,omitempty"`
	Cer         []byte               `json:"cer,omitempty"`
	ContentType string               `json:"contentType,omitempty"`
	Attributes  secretAttributesJSON `json:"attributes"`
	Tags        map[string]string    `json:"tags,omitempty"`
}

type deletedCertBundleJSON struct {
	certBundleJSON
	RecoveryID         string `json:"recoveryId,omitempty"`
	DeletedDate        *int64 `json:"deletedDate,omitempty"`
	ScheduledPurgeDate *int64 `json:"scheduledPurgeDate,omitempty"`
}

type certItemJSON struct {
	ID         string               `json:"id"`
	Attributes secretAttributesJSON `json:"attributes"`
	Tags       map[string]string    `json:"tags,omitempty"`
	X5T        string               `json:"x5t,omitempty"`
}

type deletedCertItemJSON struct {
	certItemJSON
	RecoveryID         string `json:"recoveryId"`
	DeletedDate        int64  `json:"deletedDate"`
	ScheduledPurgeDate int64  `json:"scheduledPurgeDate"`
}

type policyJSON struct {
	ID string `json:"id"`
	keyvault.CertificatePolicy
}

type certOpJSON struct {
	ID                    string                 `json:"id"`
	Issuer                *keyvault.IssuerParams `json:"issuer,omitempty"`
	CSR                   []byte                 `json:"csr,omitempty"`
	CancellationRequested bool                   `json:"cancellation_requested"`
	Status                string                 `json:"status"`
	StatusDetails         string                 `json:"status_details,omitempty"`
	Error                 *errorBody             `json:"error,omitempty"`
	Target                string                 `json:"target,omitempty"`
	RequestID             string                 `json:"request_id,omitempty"`
}

type certCreateJSON struct {
	Policy     json.RawMessage   `json:"policy"`
	Attributes *attributesJSON   `json:"attributes"`
	Tags       map[string]string `json:"tags"`
}

type certImportJSON struct {
	Value      *string           `json:"value"`
	Password   string            `json:"pwd"`
	Policy     json.RawMessage   `json:"policy"`
	Attributes *attributesJSON   `json:"attributes"`
	Tags       map[string]string `json:"tags"`
}

type certUpdateJSON struct {
	Policy     json.RawMessage   `json:"policy"`
	Attributes *attributesJSON   `json:"attributes"`
	Tags       map[string]string `json:"tags"`
}

type certMergeJSON struct {
	X5C        [][]byte          `json:"x5c"`
	Attributes *attributesJSON   `json:"attributes"`
	Tags       map[string]string `json:"tags"`
}

type certOpUpdateJSON struct {
	CancellationRequested *bool `json:"cancellation_requested"`
}

func certURL(base, name, version string) string {
	u := base + "/certificates/" + url.PathEscape(name)
	if version != "" {
		u += "/" + version
	}
	return u
}

func certAttrsOut(a keyvault.CertificateAttributes) secretAttributesJSON {
	in := keyvault.SecretAttributes{Enabled: a.Enabled, Created: a.Created, Updated: a.Updated,
		RecoveryLevel: a.RecoveryLevel, RecoverableDays: a.RecoverableDays}
	if !a.NotBefore.IsZero() {
		in.NotBefore, in.Expires = &a.NotBefore, &a.Expires
	}
	return secretAttrsOut(in)
}

func policyOutJSON(base, name string, p keyvault.CertificatePolicy, updated time.Time) *policyJSON {
	out := &policyJSON{ID: certURL(base, name, "") + "/policy", CertificatePolicy: p}
	attrs := keyvault.PolicyAttributes{Enabled: ptr(true), Created: unix(updated), Updated: unix(updated)}
	if p.Attributes != nil && p.Attributes.Enabled != nil {
		attrs.Enabled = p.Attributes.Enabled
	}
	out.Attributes = &attrs
	return out
}

func ptr[T any](v T) *T { return &v }

func certOut(base string, b keyvault.CertificateBundle) certBundleJSON {
	out := certBundleJSON{ID: certURL(base, b.Name, b.Version), KID: keyURL(base, b.Name, b.Version),
		SID: secretURL(base, b.Name, b.Version), X5T: base64.RawURLEncoding.EncodeToString(b.Thumbprint),
		Cer: b.DER, ContentType: b.ContentType, Attributes: certAttrsOut(b.Attributes), Tags: b.Tags}
	if b.Policy != nil {
		out.Policy = policyOutJSON(base, b.Name, *b.Policy, b.PolicyUpdated)
	}
	return out
}

func deletedCertOut(base string, d keyvault.DeletedCertificateBundle) deletedCertBundleJSON {
	out := deletedCertBundleJSON{certBundleJSON: certOut(base, d.CertificateBundle)}
	if d.Recoverable {
		out.RecoveryID = base + "/deletedcertificates/" + url.PathEscape(d.Name)
		out.DeletedDate, out.ScheduledPurgeDate = unix(d.DeletedDate), unix(d.ScheduledPurgeDate)
	}
	return out
}

func certItemOut(base string, it keyvault.CertificateItem) certItemJSON {
	return certItemJSON{ID: certURL(base, it.Name, it.Version), Attributes: certAttrsOut(it.Attributes), Tags: it.Tags,
		X5T: base64.RawURLEncoding.EncodeToString(it.Thumbprint)}
}

func certOpOut(base string, o keyvault.CertificateOperation) certOpJSON {
	out := certOpJSON{ID: certURL(base, o.Name, "") + "/pending", CSR: o.CSR, CancellationRequested: o.CancellationRequested,
		Status: o.Status, StatusDetails: o.StatusDetails, RequestID: o.RequestID,
		Issuer: &keyvault.IssuerParams{Name: o.IssuerName, CertificateType: o.CertificateType}}
	if o.ErrorCode != "" {
		out.Error = &errorBody{Code: o.ErrorCode, Message: o.ErrorMsg}
	}
	if o.TargetVersion != "" {
		out.Target = certURL(base, o.Name, "")
	}
	return out
}

// policyIn decodes and validates an optional policy; nil when absent.
func policyIn(raw json.RawMessage) (*keyvault.CertificatePolicy, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var p keyvault.CertificatePolicy
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, badRequest("The certificate policy is invalid: " + jsonReason(err))
	}
	return &p, nil
}

// CreateCertificate: POST /certificates/{name}/create → 202 (https://learn.microsoft.com/rest/api/keyvault/certificates/create-certificate)
func (s *server) CreateCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	var in certCreateJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := policyIn(in.Policy)
	if err != nil {
		return err
	}
	if p == nil {
		return badRequest("Property policy is required.")
	}
	op, err := s.svc.CreateCertificate(r.Context(), req.caller, req.vault, req.name, keyvault.CreateCertificateParams{
		Policy: *p, Attributes: attrsIn(in.Attributes), Tags: in.Tags})
	if err != nil {
		return err
	}
	w.Header().Set("Location", certURL(req.base, req.name, "")+"/pending?api-version="+url.QueryEscape(req.apiVer))
	w.Header().Set("Retry-After", "10")
	writeJSON(w, http.StatusAccepted, certOpOut(req.base, op))
	return nil
}

// ImportCertificate: POST /certificates/{name}/import (https://learn.microsoft.com/rest/api/keyvault/certificates/import-certificate)
func (s *server) ImportCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	var in certImportJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Value == nil || *in.Value == "" {
		return badRequest("Property value is required: the certificate to import (base64 PKCS#12 or PEM).")
	}
	p, err := policyIn(in.Policy)
	if err != nil {
		return err
	}
	b, err := s.svc.ImportCertificate(r.Context(), req.caller, req.vault, req.name, keyvault.ImportCertificateParams{
		Value: *in.Value, Password: in.Password, Policy: p, Attributes: attrsIn(in.Attributes), Tags: in.Tags})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOut(req.base, b))
	return nil
}

// GetCertificate: GET /certificates/{name}/{version?} (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate)
func (s *server) GetCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	b, err := s.svc.GetCertificate(r.Context(), req.caller, req.vault, req.name, req.version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOut(req.base, b))
	return nil
}

// UpdateCertificate: PATCH /certificates/{name}/{version?} (https://learn.microsoft.com/rest/api/keyvault/certificates/update-certificate)
func (s *server) UpdateCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	var in certUpdateJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := policyIn(in.Policy)
	if err != nil {
		return err
	}
	b, err := s.svc.UpdateCertificate(r.Context(), req.caller, req.vault, req.name, req.version, keyvault.UpdateCertificateParams{
		Policy: p, Attributes: attrsIn(in.Attributes), Tags: in.Tags})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOut(req.base, b))
	return nil
}

// GetCertificates: GET /certificates (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificates)
// with includePending: certificates whose first version is still pending are
// left out unless it is true.
func (s *server) GetCertificates(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	pending := false
	if v := r.URL.Query().Get("includePending"); v != "" {
		if pending, err = strconv.ParseBool(v); err != nil {
			return badRequest("Invalid value for includePending: '" + v + "'.")
		}
	}
	p, err := s.svc.ListCertificates(r.Context(), req.caller, req.vault, o, pending)
	if err != nil {
		return err
	}
	out := listJSON[certItemJSON]{Value: []certItemJSON{}, NextLink: nextLink(r, req, "/certificates", p.Next, o)}
	if out.NextLink != nil && pending {
		*out.NextLink += "&includePending=true"
	}
	for _, it := range p.Items {
		out.Value = append(out.Value, certItemOut(req.base, it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GetCertificateVersions: GET /certificates/{name}/versions (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate-versions)
func (s *server) GetCertificateVersions(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListCertificateVersions(r.Context(), req.caller, req.vault, req.name, o)
	if err != nil {
		return err
	}
	out := listJSON[certItemJSON]{Value: []certItemJSON{}, NextLink: nextLink(r, req, "/certificates/"+url.PathEscape(req.name)+"/versions", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, certItemOut(req.base, it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GetCertificatePolicy: GET /certificates/{name}/policy (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate-policy)
func (s *server) GetCertificatePolicy(w http.ResponseWriter, r *http.Request, req request) error {
	p, at, err := s.svc.GetCertificatePolicy(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyOutJSON(req.base, req.name, p, at))
	return nil
}

// UpdateCertificatePolicy: PATCH /certificates/{name}/policy (https://learn.microsoft.com/rest/api/keyvault/certificates/update-certificate-policy)
func (s *server) UpdateCertificatePolicy(w http.ResponseWriter, r *http.Request, req request) error {
	var raw json.RawMessage
	if err := decode(r, &raw); err != nil {
		return err
	}
	p, err := policyIn(raw)
	if err != nil {
		return err
	}
	if p == nil {
		return badRequest("The certificate policy is required.")
	}
	out, at, err := s.svc.UpdateCertificatePolicy(r.Context(), req.caller, req.vault, req.name, *p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyOutJSON(req.base, req.name, out, at))
	return nil
}

// DeleteCertificate: DELETE /certificates/{name} (https://learn.microsoft.com/rest/api/keyvault/certificates/delete-certificate)
func (s *server) DeleteCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	d, err := s.svc.DeleteCertificate(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deletedCertOut(req.base, d))
	return nil
}

// GetDeletedCertificate: GET /deletedcertificates/{name} (https://learn.microsoft.com/rest/api/keyvault/certificates/get-deleted-certificate)
func (s *server) GetDeletedCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	d, err := s.svc.GetDeletedCertificate(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deletedCertOut(req.base, d))
	return nil
}

// GetDeletedCertificates: GET /deletedcertificates (https://learn.microsoft.com/rest/api/keyvault/certificates/get-deleted-certificates)
func (s *server) GetDeletedCertificates(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListDeletedCertificates(r.Context(), req.caller, req.vault, o)
	if err != nil {
		return err
	}
	out := listJSON[deletedCertItemJSON]{Value: []deletedCertItemJSON{}, NextLink: nextLink(r, req, "/deletedcertificates", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, deletedCertItemJSON{certItemJSON: certItemOut(req.base, it.CertificateItem),
			RecoveryID:  req.base + "/deletedcertificates/" + url.PathEscape(it.Name),
			DeletedDate: it.DeletedDate.Unix(), ScheduledPurgeDate: it.ScheduledPurgeDate.Unix()})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// RecoverDeletedCertificate: POST /deletedcertificates/{name}/recover (https://learn.microsoft.com/rest/api/keyvault/certificates/recover-deleted-certificate)
func (s *server) RecoverDeletedCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	b, err := s.svc.RecoverDeletedCertificate(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOut(req.base, b))
	return nil
}

// PurgeDeletedCertificate: DELETE /deletedcertificates/{name} → 204 (https://learn.microsoft.com/rest/api/keyvault/certificates/purge-deleted-certificate)
func (s *server) PurgeDeletedCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	if err := s.svc.PurgeDeletedCertificate(r.Context(), req.caller, req.vault, req.name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GetCertificateOperation: GET /certificates/{name}/pending (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate-operation)
func (s *server) GetCertificateOperation(w http.ResponseWriter, r *http.Request, req request) error {
	op, err := s.svc.GetCertificateOperation(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOpOut(req.base, op))
	return nil
}

// UpdateCertificateOperation: PATCH /certificates/{name}/pending (https://learn.microsoft.com/rest/api/keyvault/certificates/update-certificate-operation)
func (s *server) UpdateCertificateOperation(w http.ResponseWriter, r *http.Request, req request) error {
	var in certOpUpdateJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.CancellationRequested == nil {
		return badRequest("Property cancellation_requested is required.")
	}
	op, err := s.svc.CancelCertificateOperation(r.Context(), req.caller, req.vault, req.name, *in.CancellationRequested)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOpOut(req.base, op))
	return nil
}

// DeleteCertificateOperation: DELETE /certificates/{name}/pending (https://learn.microsoft.com/rest/api/keyvault/certificates/delete-certificate-operation)
func (s *server) DeleteCertificateOperation(w http.ResponseWriter, r *http.Request, req request) error {
	op, err := s.svc.DeleteCertificateOperation(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOpOut(req.base, op))
	return nil
}

// MergeCertificate: POST /certificates/{name}/pending/merge → 201 (https://learn.microsoft.com/rest/api/keyvault/certificates/merge-certificate)
func (s *server) MergeCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	var in certMergeJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	b, err := s.svc.MergeCertificate(r.Context(), req.caller, req.vault, req.name, keyvault.MergeCertificateParams{
		X5C: in.X5C, Attributes: attrsIn(in.Attributes), Tags: in.Tags})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, certOut(req.base, b))
	return nil
}

// BackupCertificate: POST /certificates/{name}/backup (https://learn.microsoft.com/rest/api/keyvault/certificates/backup-certificate)
func (s *server) BackupCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	blob, err := s.svc.BackupCertificate(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	v := keyvault.Base64URL(blob)
	writeJSON(w, http.StatusOK, valueJSON{Value: &v})
	return nil
}

// RestoreCertificate: POST /certificates/restore (https://learn.microsoft.com/rest/api/keyvault/certificates/restore-certificate)
func (s *server) RestoreCertificate(w http.ResponseWriter, r *http.Request, req request) error {
	var in valueJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Value == nil || len(*in.Value) == 0 {
		return badRequest("The backup blob (value) is required.")
	}
	b, err := s.svc.RestoreCertificate(r.Context(), req.caller, req.vault, *in.Value)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, certOut(req.base, b))
	return nil
}
