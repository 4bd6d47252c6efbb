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

// Issuer is a certificate issuer of a vault (IssuerBundle): a certificate
// authority provider with its account credentials and organisation details.
// The account password is kept sealed with the root key and never returned.
type Issuer struct {
	Vault, Name string
	Provider    string
	AccountID   string
	Password    string // input only; never returned
	OrgID       string
	Admins      []IssuerAdmin
	Enabled     bool
	Created     time.Time
	Updated     time.Time
}

// IssuerAdmin is one administrator of an issuer's organisation.
type IssuerAdmin struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// IssuerUpdate are the fields of Set (all) or Update (nil = unchanged).
type IssuerUpdate struct {
	Provider  *string
	AccountID *string
	Password  *string
	OrgID     *string
	Admins    []IssuerAdmin
	Enabled   *bool
}

// IssuerItem is one entry of the list of issuers.
type IssuerItem struct {
	Name, Provider string
}

type issuerState struct {
	name, provider, accountID, orgID string
	sealedPwd                        []byte
	admins                           []IssuerAdmin
	enabled                          bool
	created, updated                 time.Time
}

type issuerRecord struct {
	Name      string        `json:"name"`
	Provider  string        `json:"provider"`
	AccountID string        `json:"accountId,omitempty"`
	SealedPwd []byte        `json:"sealedPwd,omitempty"`
	OrgID     string        `json:"orgId,omitempty"`
	Admins    []IssuerAdmin `json:"admins,omitempty"`
	Enabled   bool          `json:"enabled"`
	Created   time.Time     `json:"created"`
	Updated   time.Time     `json:"updated"`
}

func issuerSetting(name string) string { return "issuer-" + strings.ToLower(name) }

func issuerAAD(vault, name string) []byte {
	return []byte("azemu/keyvault/v1/issuers/" + strings.ToLower(vault) + "/" + strings.ToLower(name))
}

func issuerOut(v *vaultState, is *issuerState) Issuer {
	return Issuer{Vault: v.v.Name, Name: is.name, Provider: is.provider, AccountID: is.accountID, OrgID: is.orgID,
		Admins: append([]IssuerAdmin(nil), is.admins...), Enabled: is.enabled, Created: is.created, Updated: is.updated}
}

func issuerNotFound(name string) *Error {
	return ErrIssuerNotFound.withMessage("Issuer not found: %s", name)
}

// issuerVault authorises an issuer operation: perm or manageissuers.
func (s *Service) issuerVault(c Caller, vault, perm string) (*vaultState, error) {
	v, err := s.vault(vault)
	if err != nil {
		return nil, err
	}
	if err := s.allow(v, c, check{coll: collCertificates, perm: perm}); err != nil {
		if s.allow(v, c, check{coll: collCertificates, perm: PermManageIssuers, action: certificateActions[perm]}) == nil {
			return v, nil
		}
		return nil, err
	}
	return v, nil
}

// SetCertificateIssuer creates or replaces an issuer (permission
// setissuers). Self and Unknown are reserved names.
func (s *Service) SetCertificateIssuer(ctx context.Context, c Caller, vault, name string, u IssuerUpdate) (Issuer, error) {
	return s.putIssuer(ctx, c, vault, name, u, true)
}

// UpdateCertificateIssuer changes the given fields of an issuer (permission
// setissuers).
func (s *Service) UpdateCertificateIssuer(ctx context.Context, c Caller, vault, name string, u IssuerUpdate) (Issuer, error) {
	return s.putIssuer(ctx, c, vault, name, u, false)
}

func (s *Service) putIssuer(ctx context.Context, c Caller, vault, name string, u IssuerUpdate, replace bool) (Issuer, error) {
	if err := checkName(name); err != nil {
		return Issuer{}, err
	}
	if strings.EqualFold(name, IssuerSelf) || strings.EqualFold(name, IssuerUnknown) {
		return Issuer{}, badParam("The issuer name '%s' is reserved.", name)
	}
	if replace && (u.Provider == nil || *u.Provider == "") {
		return Issuer{}, badParam("Property provider is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.issuerVault(c, vault, PermSetIssuers)
	if err != nil {
		return Issuer{}, err
	}
	now := s.clock()
	old := v.obj.issuers[strings.ToLower(name)]
	var is issuerState
	switch {
	case replace || old == nil:
		if !replace {
			return Issuer{}, issuerNotFound(name)
		}
		is = issuerState{name: name, enabled: true, created: now}
		if old != nil {
			is.created = old.created
		}
	default:
		is = *old
	}
	if u.Provider != nil {
		is.provider = *u.Provider
	}
	if u.AccountID != nil {
		is.accountID = *u.AccountID
	}
	if u.OrgID != nil {
		is.orgID = *u.OrgID
	}
	if u.Admins != nil {
		is.admins = append([]IssuerAdmin(nil), u.Admins...)
	}
	if u.Enabled != nil {
		is.enabled = *u.Enabled
	}
	if u.Password != nil {
		if is.sealedPwd, err = azcrypto.Seal(s.cfg.RootKey, []byte(*u.Password), issuerAAD(v.v.Name, name)); err != nil {
			return Issuer{}, err
		}
	}
	is.updated = now
	rec := issuerRecord{Name: is.name, Provider: is.provider, AccountID: is.accountID, SealedPwd: is.sealedPwd,
		OrgID: is.orgID, Admins: is.admins, Enabled: is.enabled, Created: is.created, Updated: is.updated}
	if err := s.putRecord(ctx, v, kindSettings, issuerSetting(name), rec); err != nil {
		return Issuer{}, err
	}
	v.obj.issuers[strings.ToLower(name)] = &is
	s.nextGen()
	return issuerOut(v, &is), nil
}

// GetCertificateIssuer returns an issuer (permission getissuers).
func (s *Service) GetCertificateIssuer(_ context.Context, c Caller, vault, name string) (Issuer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.issuerVault(c, vault, PermGetIssuers)
	if err != nil {
		return Issuer{}, err
	}
	is, ok := v.obj.issuers[strings.ToLower(name)]
	if !ok {
		return Issuer{}, issuerNotFound(name)
	}
	return issuerOut(v, is), nil
}

// DeleteCertificateIssuer removes an issuer and returns it (permission
// deleteissuers).
func (s *Service) DeleteCertificateIssuer(ctx context.Context, c Caller, vault, name string) (Issuer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.issuerVault(c, vault, PermDeleteIssuers)
	if err != nil {
		return Issuer{}, err
	}
	is, ok := v.obj.issuers[strings.ToLower(name)]
	if !ok {
		return Issuer{}, issuerNotFound(name)
	}
	if err := s.store.DeleteObject(ctx, strings.ToLower(v.v.Name), kindSettings, issuerSetting(name)); err != nil {
		return Issuer{}, err
	}
	delete(v.obj.issuers, strings.ToLower(name))
	s.nextGen()
	return issuerOut(v, is), nil
}

// ListCertificateIssuers lists the issuers (permission listissuers).
func (s *Service) ListCertificateIssuers(_ context.Context, c Caller, vault string, o ListOptions) (Page[IssuerItem], error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.issuerVault(c, vault, PermListIssuers)
	if err != nil {
		return Page[IssuerItem]{}, err
	}
	names := make([]string, 0, len(v.obj.issuers))
	for n := range v.obj.issuers {
		names = append(names, n)
	}
	sort.Strings(names)
	page, next, err := pageNames(names, o)
	if err != nil {
		return Page[IssuerItem]{}, err
	}
	p := Page[IssuerItem]{Items: []IssuerItem{}, Next: next}
	for _, n := range page {
		is := v.obj.issuers[n]
		p.Items = append(p.Items, IssuerItem{Name: is.name, Provider: is.provider})
	}
	return p, nil
}

func (s *Service) loadIssuer(v *vaultState, name string, data []byte) error {
	if !strings.HasPrefix(name, "issuer-") {
		return fmt.Errorf("unknown setting %q", name)
	}
	var rec issuerRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return err
	}
	v.obj.issuers[strings.ToLower(rec.Name)] = &issuerState{name: rec.Name, provider: rec.Provider, accountID: rec.AccountID,
		sealedPwd: rec.SealedPwd, orgID: rec.OrgID, admins: rec.Admins, enabled: rec.Enabled, created: rec.Created, updated: rec.Updated}
	return nil
}
