package kvapi

import (
	"net/http"
	"net/url"

	"github.com/azemu/azemu/keyvault"
)

type issuerJSON struct {
	ID          string           `json:"id,omitempty"`
	Provider    *string          `json:"provider,omitempty"`
	Credentials *issuerCredsJSON `json:"credentials,omitempty"`
	OrgDetails  *issuerOrgJSON   `json:"org_details,omitempty"`
	Attributes  *issuerAttrsJSON `json:"attributes,omitempty"`
}

type issuerCredsJSON struct {
	AccountID *string `json:"account_id,omitempty"`
	Password  *string `json:"pwd,omitempty"`
}

type issuerOrgJSON struct {
	ID     *string                `json:"id,omitempty"`
	Admins []keyvault.IssuerAdmin `json:"admin_details,omitempty"`
}

type issuerAttrsJSON struct {
	Enabled *bool  `json:"enabled,omitempty"`
	Created *int64 `json:"created,omitempty"`
	Updated *int64 `json:"updated,omitempty"`
}

type issuerItemJSON struct {
	ID       string `json:"id"`
	Provider string `json:"provider,omitempty"`
}

func issuerURL(base, name string) string {
	return base + "/certificates/issuers/" + url.PathEscape(name)
}

func issuerOut(base string, is keyvault.Issuer) issuerJSON {
	en := is.Enabled
	out := issuerJSON{ID: issuerURL(base, is.Name), Provider: &is.Provider,
		Attributes: &issuerAttrsJSON{Enabled: &en, Created: unix(is.Created), Updated: unix(is.Updated)}}
	if is.AccountID != "" {
		out.Credentials = &issuerCredsJSON{AccountID: &is.AccountID}
	}
	if is.OrgID != "" || len(is.Admins) > 0 {
		out.OrgDetails = &issuerOrgJSON{Admins: is.Admins}
		if is.OrgID != "" {
			out.OrgDetails.ID = &is.OrgID
		}
	}
	return out
}

func issuerIn(in issuerJSON) keyvault.IssuerUpdate {
	u := keyvault.IssuerUpdate{Provider: in.Provider}
	if in.Credentials != nil {
		u.AccountID, u.Password = in.Credentials.AccountID, in.Credentials.Password
	}
	if in.OrgDetails != nil {
		u.OrgID, u.Admins = in.OrgDetails.ID, in.OrgDetails.Admins
	}
	if in.Attributes != nil {
		u.Enabled = in.Attributes.Enabled
	}
	return u
}

// SetCertificateIssuer: PUT /certificates/issuers/{name} (https://learn.microsoft.com/rest/api/keyvault/certificates/set-certificate-issuer)
func (s *server) SetCertificateIssuer(w http.ResponseWriter, r *http.Request, req request) error {
	var in issuerJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	is, err := s.svc.SetCertificateIssuer(r.Context(), req.caller, req.vault, req.name, issuerIn(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, issuerOut(req.base, is))
	return nil
}

// UpdateCertificateIssuer: PATCH /certificates/issuers/{name} (https://learn.microsoft.com/rest/api/keyvault/certificates/update-certificate-issuer)
func (s *server) UpdateCertificateIssuer(w http.ResponseWriter, r *http.Request, req request) error {
	var in issuerJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	is, err := s.svc.UpdateCertificateIssuer(r.Context(), req.caller, req.vault, req.name, issuerIn(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, issuerOut(req.base, is))
	return nil
}

// GetCertificateIssuer: GET /certificates/issuers/{name} (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate-issuer)
func (s *server) GetCertificateIssuer(w http.ResponseWriter, r *http.Request, req request) error {
	is, err := s.svc.GetCertificateIssuer(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, issuerOut(req.base, is))
	return nil
}

// DeleteCertificateIssuer: DELETE /certificates/issuers/{name} (https://learn.microsoft.com/rest/api/keyvault/certificates/delete-certificate-issuer)
func (s *server) DeleteCertificateIssuer(w http.ResponseWriter, r *http.Request, req request) error {
	is, err := s.svc.DeleteCertificateIssuer(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, issuerOut(req.base, is))
	return nil
}

// GetCertificateIssuers: GET /certificates/issuers (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate-issuers)
func (s *server) GetCertificateIssuers(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListCertificateIssuers(r.Context(), req.caller, req.vault, o)
	if err != nil {
		return err
	}
	out := listJSON[issuerItemJSON]{Value: []issuerItemJSON{}, NextLink: nextLink(r, req, "/certificates/issuers", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, issuerItemJSON{ID: issuerURL(req.base, it.Name), Provider: it.Provider})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type contactsJSON struct {
	ID       string             `json:"id,omitempty"`
	Contacts []keyvault.Contact `json:"contacts"`
}

// SetCertificateContacts: PUT /certificates/contacts (https://learn.microsoft.com/rest/api/keyvault/certificates/set-certificate-contacts)
func (s *server) SetCertificateContacts(w http.ResponseWriter, r *http.Request, req request) error {
	var in contactsJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	cs, err := s.svc.SetCertificateContacts(r.Context(), req.caller, req.vault, in.Contacts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contactsJSON{ID: req.base + "/certificates/contacts", Contacts: cs})
	return nil
}

// GetCertificateContacts: GET /certificates/contacts (https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate-contacts)
func (s *server) GetCertificateContacts(w http.ResponseWriter, r *http.Request, req request) error {
	cs, err := s.svc.GetCertificateContacts(r.Context(), req.caller, req.vault)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contactsJSON{ID: req.base + "/certificates/contacts", Contacts: cs})
	return nil
}

// DeleteCertificateContacts: DELETE /certificates/contacts (https://learn.microsoft.com/rest/api/keyvault/certificates/delete-certificate-contacts)
func (s *server) DeleteCertificateContacts(w http.ResponseWriter, r *http.Request, req request) error {
	cs, err := s.svc.DeleteCertificateContacts(r.Context(), req.caller, req.vault)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contactsJSON{ID: req.base + "/certificates/contacts", Contacts: cs})
	return nil
}
