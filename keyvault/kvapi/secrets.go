package kvapi

import (
	"net/http"
	"net/url"

	"github.com/azemu/azemu/keyvault"
)

// Wire shapes of secrets.json (SecretBundle, SecretItem, ...).

type secretAttributesJSON struct {
	Enabled         *bool  `json:"enabled,omitempty"`
	NotBefore       *int64 `json:"nbf,omitempty"`
	Expires         *int64 `json:"exp,omitempty"`
	Created         *int64 `json:"created,omitempty"`
	Updated         *int64 `json:"updated,omitempty"`
	RecoveryLevel   string `json:"recoveryLevel,omitempty"`
	RecoverableDays *int   `json:"recoverableDays,omitempty"`
}

type secretBundleJSON struct {
	Value       *string              `json:"value,omitempty"`
	ID          string               `json:"id"`
	ContentType string               `json:"contentType,omitempty"`
	Attributes  secretAttributesJSON `json:"attributes"`
	Tags        map[string]string    `json:"tags,omitempty"`
	KID         string               `json:"kid,omitempty"`
	Managed     *bool                `json:"managed,omitempty"`
}

type deletedSecretBundleJSON struct {
	secretBundleJSON
	RecoveryID         string `json:"recoveryId,omitempty"`
	DeletedDate        *int64 `json:"deletedDate,omitempty"`
	ScheduledPurgeDate *int64 `json:"scheduledPurgeDate,omitempty"`
}

type secretItemJSON struct {
	ID          string               `json:"id"`
	Attributes  secretAttributesJSON `json:"attributes"`
	Tags        map[string]string    `json:"tags,omitempty"`
	ContentType string               `json:"contentType,omitempty"`
	Managed     *bool                `json:"managed,omitempty"`
}

type deletedSecretItemJSON struct {
	secretItemJSON
	RecoveryID         string `json:"recoveryId"`
	DeletedDate        int64  `json:"deletedDate"`
	ScheduledPurgeDate int64  `json:"scheduledPurgeDate"`
}

type secretSetJSON struct {
	Value       *string           `json:"value"`
	Tags        map[string]string `json:"tags"`
	ContentType string            `json:"contentType"`
	Attributes  *attributesJSON   `json:"attributes"`
}

type secretUpdateJSON struct {
	ContentType *string           `json:"contentType"`
	Attributes  *attributesJSON   `json:"attributes"`
	Tags        map[string]string `json:"tags"`
}

func secretURL(base, name, version string) string {
	u := base + "/secrets/" + url.PathEscape(name)
	if version != "" {
		u += "/" + version
	}
	return u
}

func secretAttrsOut(a keyvault.SecretAttributes) secretAttributesJSON {
	en := a.Enabled
	out := secretAttributesJSON{Enabled: &en, NotBefore: unixp(a.NotBefore), Expires: unixp(a.Expires),
		Created: unix(a.Created), Updated: unix(a.Updated), RecoveryLevel: a.RecoveryLevel}
	if a.RecoverableDays > 0 {
		d := a.RecoverableDays
		out.RecoverableDays = &d
	}
	return out
}

func managedOut(m bool) *bool {
	if !m {
		return nil
	}
	return &m
}

func secretOut(base string, b keyvault.SecretBundle, withValue bool) secretBundleJSON {
	out := secretBundleJSON{ID: secretURL(base, b.Name, b.Version), ContentType: b.ContentType,
		Attributes: secretAttrsOut(b.Attributes), Tags: b.Tags, Managed: managedOut(b.Managed)}
	if withValue {
		v := b.Value
		out.Value = &v
	}
	if b.Managed {
		out.KID = keyURL(base, b.Name, b.KeyVersion)
	}
	return out
}

func deletedSecretOut(base string, d keyvault.DeletedSecretBundle) deletedSecretBundleJSON {
	out := deletedSecretBundleJSON{secretBundleJSON: secretOut(base, d.SecretBundle, false)}
	if d.Recoverable {
		out.RecoveryID = base + "/deletedsecrets/" + url.PathEscape(d.Name)
		out.DeletedDate, out.ScheduledPurgeDate = unix(d.DeletedDate), unix(d.ScheduledPurgeDate)
	}
	return out
}

func secretItemOut(base string, it keyvault.SecretItem) secretItemJSON {
	return secretItemJSON{ID: secretURL(base, it.Name, it.Version), Attributes: secretAttrsOut(it.Attributes),
		Tags: it.Tags, ContentType: it.ContentType, Managed: managedOut(it.Managed)}
}

// SetSecret: PUT /secrets/{name} (https://learn.microsoft.com/rest/api/keyvault/secrets/set-secret)
func (s *server) SetSecret(w http.ResponseWriter, r *http.Request, req request) error {
	var in secretSetJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Value == nil {
		return badRequest("The secret value (value) is required.")
	}
	b, err := s.svc.SetSecret(r.Context(), req.caller, req.vault, req.name, keyvault.SetSecretParams{
		Value: *in.Value, ContentType: in.ContentType, Attributes: attrsIn(in.Attributes), Tags: in.Tags})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, secretOut(req.base, b, true))
	return nil
}

// GetSecret: GET /secrets/{name}/{version?} (https://learn.microsoft.com/rest/api/keyvault/secrets/get-secret)
func (s *server) GetSecret(w http.ResponseWriter, r *http.Request, req request) error {
	out := r.URL.Query().Get("outContentType")
	if out != "" && out != "application/x-pkcs12" && out != "application/x-pem-file" {
		return badRequest("The outContentType '" + out + "' is not supported; use application/x-pkcs12 or application/x-pem-file.")
	}
	b, err := s.svc.GetSecret(r.Context(), req.caller, req.vault, req.name, req.version)
	if err != nil {
		return err
	}
	if out != "" {
		if b, err = keyvault.ConvertCertificateSecret(b, out); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, secretOut(req.base, b, true))
	return nil
}

// UpdateSecret: PATCH /secrets/{name}/{version?} (https://learn.microsoft.com/rest/api/keyvault/secrets/update-secret)
func (s *server) UpdateSecret(w http.ResponseWriter, r *http.Request, req request) error {
	var in secretUpdateJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	b, err := s.svc.UpdateSecret(r.Context(), req.caller, req.vault, req.name, req.version, keyvault.UpdateSecretParams{
		ContentType: in.ContentType, Attributes: attrsIn(in.Attributes), Tags: in.Tags})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, secretOut(req.base, b, false))
	return nil
}

// GetSecrets: GET /secrets (https://learn.microsoft.com/rest/api/keyvault/secrets/get-secrets)
func (s *server) GetSecrets(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListSecrets(r.Context(), req.caller, req.vault, o)
	if err != nil {
		return err
	}
	out := listJSON[secretItemJSON]{Value: []secretItemJSON{}, NextLink: nextLink(r, req, "/secrets", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, secretItemOut(req.base, it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GetSecretVersions: GET /secrets/{name}/versions (https://learn.microsoft.com/rest/api/keyvault/secrets/get-secret-versions)
func (s *server) GetSecretVersions(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListSecretVersions(r.Context(), req.caller, req.vault, req.name, o)
	if err != nil {
		return err
	}
	out := listJSON[secretItemJSON]{Value: []secretItemJSON{}, NextLink: nextLink(r, req, "/secrets/"+url.PathEscape(req.name)+"/versions", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, secretItemOut(req.base, it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// DeleteSecret: DELETE /secrets/{name} (https://learn.microsoft.com/rest/api/keyvault/secrets/delete-secret)
func (s *server) DeleteSecret(w http.ResponseWriter, r *http.Request, req request) error {
	d, err := s.svc.DeleteSecret(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deletedSecretOut(req.base, d))
	return nil
}

// GetDeletedSecret: GET /deletedsecrets/{name} (https://learn.microsoft.com/rest/api/keyvault/secrets/get-deleted-secret)
func (s *server) GetDeletedSecret(w http.ResponseWriter, r *http.Request, req request) error {
	d, err := s.svc.GetDeletedSecret(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deletedSecretOut(req.base, d))
	return nil
}

// GetDeletedSecrets: GET /deletedsecrets (https://learn.microsoft.com/rest/api/keyvault/secrets/get-deleted-secrets)
func (s *server) GetDeletedSecrets(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListDeletedSecrets(r.Context(), req.caller, req.vault, o)
	if err != nil {
		return err
	}
	out := listJSON[deletedSecretItemJSON]{Value: []deletedSecretItemJSON{}, NextLink: nextLink(r, req, "/deletedsecrets", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, deletedSecretItemJSON{secretItemJSON: secretItemOut(req.base, it.SecretItem),
			RecoveryID:  req.base + "/deletedsecrets/" + url.PathEscape(it.Name),
			DeletedDate: it.DeletedDate.Unix(), ScheduledPurgeDate: it.ScheduledPurgeDate.Unix()})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// RecoverDeletedSecret: POST /deletedsecrets/{name}/recover (https://learn.microsoft.com/rest/api/keyvault/secrets/recover-deleted-secret)
func (s *server) RecoverDeletedSecret(w http.ResponseWriter, r *http.Request, req request) error {
	b, err := s.svc.RecoverDeletedSecret(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, secretOut(req.base, b, false))
	return nil
}

// PurgeDeletedSecret: DELETE /deletedsecrets/{name} → 204 (https://learn.microsoft.com/rest/api/keyvault/secrets/purge-deleted-secret)
func (s *server) PurgeDeletedSecret(w http.ResponseWriter, r *http.Request, req request) error {
	if err := s.svc.PurgeDeletedSecret(r.Context(), req.caller, req.vault, req.name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// BackupSecret: POST /secrets/{name}/backup (https://learn.microsoft.com/rest/api/keyvault/secrets/backup-secret)
func (s *server) BackupSecret(w http.ResponseWriter, r *http.Request, req request) error {
	blob, err := s.svc.BackupSecret(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	v := keyvault.Base64URL(blob)
	writeJSON(w, http.StatusOK, valueJSON{Value: &v})
	return nil
}

// RestoreSecret: POST /secrets/restore (https://learn.microsoft.com/rest/api/keyvault/secrets/restore-secret)
func (s *server) RestoreSecret(w http.ResponseWriter, r *http.Request, req request) error {
	var in valueJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Value == nil || len(*in.Value) == 0 {
		return badRequest("The backup blob (value) is required.")
	}
	b, err := s.svc.RestoreSecret(r.Context(), req.caller, req.vault, *in.Value)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, secretOut(req.base, b, false))
	return nil
}
