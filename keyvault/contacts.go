package keyvault

import (
	"context"
	"encoding/json"
	"net/mail"
	"strings"
)

// Contact is one certificate contact of a vault (Contact): who Key Vault
// emails when an EmailContacts lifetime action fires.
type Contact struct {
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

const settingContacts = "contacts"

// SetCertificateContacts replaces the vault's certificate contacts
// (permission managecontacts).
func (s *Service) SetCertificateContacts(ctx context.Context, c Caller, vault string, contacts []Contact) ([]Contact, error) {
	if len(contacts) == 0 {
		return nil, badParam("Property contacts is required: at least one contact.")
	}
	for _, ct := range contacts {
		if ct.Email == "" {
			return nil, badParam("Property contacts.email is required.")
		}
		if _, err := mail.ParseAddress(ct.Email); err != nil || strings.ContainsAny(ct.Email, "<> ") {
			return nil, badParam("Property contacts.email has an invalid value '%s'.", ct.Email)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermManageContacts, "")
	if err != nil {
		return nil, err
	}
	cs := append([]Contact(nil), contacts...)
	if err := s.putRecord(ctx, v, kindSettings, settingContacts, cs); err != nil {
		return nil, err
	}
	v.obj.contacts = cs
	s.nextGen()
	return append([]Contact(nil), cs...), nil
}

// GetCertificateContacts returns the vault's contacts (permission
// managecontacts); 404 ContactsNotFound when none are set.
func (s *Service) GetCertificateContacts(_ context.Context, c Caller, vault string) ([]Contact, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.certVault(c, vault, PermManageContacts, "")
	if err != nil {
		return nil, err
	}
	if v.obj.contacts == nil {
		return nil, ErrContactsNotFound.withMessage("Contacts not found")
	}
	return append([]Contact(nil), v.obj.contacts...), nil
}

// DeleteCertificateContacts removes the vault's contacts and returns them
// (permission managecontacts).
func (s *Service) DeleteCertificateContacts(ctx context.Context, c Caller, vault string) ([]Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.certVault(c, vault, PermManageContacts, "")
	if err != nil {
		return nil, err
	}
	if v.obj.contacts == nil {
		return nil, ErrContactsNotFound.withMessage("Contacts not found")
	}
	if err := s.store.DeleteObject(ctx, strings.ToLower(v.v.Name), kindSettings, settingContacts); err != nil {
		return nil, err
	}
	out := v.obj.contacts
	v.obj.contacts = nil
	s.nextGen()
	return out, nil
}

// loadSetting restores a contacts or issuer record. Caller holds s.mu.
func (s *Service) loadSetting(v *vaultState, name string, data []byte) error {
	if name == settingContacts {
		var cs []Contact
		if err := json.Unmarshal(data, &cs); err != nil {
			return err
		}
		v.obj.contacts = cs
		return nil
	}
	return s.loadIssuer(v, name, data)
}
