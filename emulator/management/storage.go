package management

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/emulator/identity"
)

// AccountSpec is the body of a PUT (StorageAccountCreateParameters) or PATCH
// (StorageAccountUpdateParameters) of a storage account, as ARM defines it
// (specification/storage/resource-manager, storage.json).
type AccountSpec struct {
	SKU *struct {
		Name string `json:"name"`
	} `json:"sku"`
	Kind       string            `json:"kind"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Identity   *IdentitySpec     `json:"identity"`
	Properties *struct {
		Encryption *EncryptionSpec `json:"encryption"`
		AccessTier string          `json:"accessTier"`
	} `json:"properties"`
}

// IdentitySpec is the identity block of an account: the type
// ("None", "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned")
// and the user-assigned identities by resource id (a JSON null removes one).
type IdentitySpec struct {
	Type                   string                     `json:"type"`
	UserAssignedIdentities map[string]json.RawMessage `json:"userAssignedIdentities"`
}

// EncryptionSpec is properties.encryption of an account.
type EncryptionSpec struct {
	KeySource          string `json:"keySource"`
	KeyVaultProperties *struct {
		KeyName     *string `json:"keyname"`
		KeyVersion  *string `json:"keyversion"`
		KeyVaultURI *string `json:"keyvaulturi"`
	} `json:"keyvaultproperties"`
	Identity *struct {
		UserAssignedIdentity      *string `json:"userAssignedIdentity"`
		FederatedIdentityClientID *string `json:"federatedIdentityClientId"`
	} `json:"identity"`
	RequireInfrastructureEncryption *bool `json:"requireInfrastructureEncryption"`
	Services                        *struct {
		Queue *struct {
			KeyType string `json:"keyType"`
		} `json:"queue"`
	} `json:"services"`
}

// AccountView is an account as ARM shows it: the record, the endpoints it
// is served on, its user-assigned identities resolved, and the versioned key
// that wraps its account key now.
type AccountView struct {
	Account
	// BlobEndpoint, FileEndpoint and QueueEndpoint are the primary
	// endpoints ("" when the service is not served).
	BlobEndpoint, FileEndpoint, QueueEndpoint string
	// UserAssigned are the user-assigned identities, in the order assigned.
	UserAssigned []AssignedIdentity
	// CurrentKeyID is the versioned key identifier wrapping the account key
	// ("" unless the key source is Microsoft.Keyvault).
	CurrentKeyID string
}

// AssignedIdentity is a user-assigned identity of an account; PrincipalID
// and ClientID are empty when the identity no longer exists.
type AssignedIdentity struct {
	ResourceID, PrincipalID, ClientID string
}

// AccountKey is one access key of an account (key1 or key2).
type AccountKey struct {
	Name    string
	Value   []byte
	Created time.Time
}

// NameAvailability answers checkNameAvailability.
type NameAvailability struct {
	Available bool
	Reason    string // AccountNameInvalid or AlreadyExists
	Message   string
}

func endpoint(base, name string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/" + name + "/"
}

// viewLocked renders a as ARM shows it. Caller holds s.mu.
func (s *Service) viewLocked(ctx context.Context, a *Account) AccountView {
	v := AccountView{Account: *a, BlobEndpoint: endpoint(s.cfg.BlobURL, a.Name), FileEndpoint: endpoint(s.cfg.FileURL, a.Name),
		QueueEndpoint: endpoint(s.cfg.QueueURL, a.Name)}
	v.Tags = maps.Clone(a.Tags)
	v.detach()
	for _, id := range a.Identity.UserAssigned {
		ai := AssignedIdentity{ResourceID: id}
		if u, ok := s.st.Identities[strings.ToLower(id)]; ok {
			ai.PrincipalID, ai.ClientID = u.PrincipalID, u.ClientID
		}
		v.UserAssigned = append(v.UserAssigned, ai)
	}
	if a.Encryption.KeySource == blobstore.KeySourceKeyvault {
		if acct, err := s.cfg.Storage.Account(ctx, a.Name); err == nil {
			v.CurrentKeyID = acct.WrappedKeyID
		}
	}
	return v
}

// Account returns a storage account of a group.
func (s *Service) Account(ctx context.Context, group, name string) (AccountView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if err != nil {
		return AccountView{}, err
	}
	return s.viewLocked(ctx, a), nil
}

// DeleteAccount deletes a storage account with its data and its
// system-assigned identity; existed is false when there was none (ARM
// answers 204 then).
func (s *Service) DeleteAccount(ctx context.Context, group, name string) (existed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if errors.Is(err, &Error{Code: CodeResourceNotFound}) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := s.deleteAccountLocked(ctx, a); err != nil {
		return true, err
	}
	return true, s.saveLocked()
}

// accountLocked finds an account in a group. Caller holds s.mu.
func (s *Service) accountLocked(group, name string) (*Account, error) {
	if _, err := s.groupLocked(group); err != nil {
		return nil, err
	}
	a, ok := s.st.Accounts[strings.ToLower(name)]
	if !ok || !eq(a.Group, group) {
		return nil, errResourceNotFound(AccountType, name, group)
	}
	return a, nil
}

func errAccountName(name string) *Error {
	return newError(statusBadRequest, CodeAccountNameInvalid,
		"%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", name)
}

func newAccountKey() ([]byte, error) {
	k := make([]byte, 64)
	_, err := rand.Read(k)
	return k, err
}

// PutAccount creates a storage account, or updates it when it exists in the
// group (PUT on an existing account updates it, as Azure does).
func (s *Service) PutAccount(ctx context.Context, group, name string, in AccountSpec) (AccountView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// ARM answers for a missing group before the storage provider looks
	// at the name.
	g, err := s.groupLocked(group)
	if err != nil {
		return AccountView{}, err
	}
	if !blobstore.ValidAccountName(name) {
		return AccountView{}, errAccountName(name)
	}
	var na *Account
	if old, ok := s.st.Accounts[name]; ok {
		if !eq(old.Group, group) {
			// azemu has one subscription, so a name held by another
			// group is held in this subscription: ARM's answer for that
			// (error-storage-account-name.md) is not AlreadyTaken.
			return AccountView{}, newError(statusConflict, CodeStorageAccountInAnotherGroup,
				"The account %s is already in another resource group in this subscription.", name)
		}
		if err := checkLocation(old.Name, old.Group, old.Location, in.Location); err != nil {
			return AccountView{}, err
		}
		if na, err = s.applyUpdate(ctx, old, &in, false); err != nil {
			return AccountView{}, err
		}
	} else if na, err = s.createAccountLocked(ctx, g, name, &in); err != nil {
		return AccountView{}, err
	}
	s.st.Accounts[name] = na
	if err := s.saveLocked(); err != nil {
		return AccountView{}, err
	}
	return s.viewLocked(ctx, na), nil
}

// checkCreate checks what a new account's PUT must give.
func checkCreate(in *AccountSpec) error {
	switch {
	case in.Location == "":
		return newError(statusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
	case in.SKU == nil || in.SKU.Name == "":
		return newError(statusBadRequest, CodeInvalidRequestPropertyValue, "The sku property is required for this definition.")
	case in.Kind == "":
		return newError(statusBadRequest, CodeInvalidRequestPropertyValue, "The kind property is required for this definition.")
	}
	return nil
}

// createAccountLocked creates the account in the storage service with two
// new keys and applies the spec; on failure the storage account is removed
// again. It returns the record to store. Caller holds s.mu.
func (s *Service) createAccountLocked(ctx context.Context, g *Group, name string, in *AccountSpec) (*Account, error) {
	if err := checkCreate(in); err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	a := &Account{Name: name, Group: g.Name, Location: NormLocation(in.Location), Kind: in.Kind,
		SKU: in.SKU.Name, AccessTier: "Hot", Tags: in.Tags, Created: now, KeyCreated: [2]time.Time{now, now},
		Encryption: Encryption{KeySource: blobstore.KeySourceStorage, ServicesSince: now}}
	if in.Properties != nil && in.Properties.AccessTier != "" {
		a.AccessTier = in.Properties.AccessTier
	}
	if in.Properties != nil {
		kt, err := queueKeyType(in.Properties.Encryption)
		if err != nil {
			return nil, err
		}
		a.Encryption.QueueKeyType = kt
	}
	k1, err := newAccountKey()
	if err != nil {
		return nil, err
	}
	k2, err := newAccountKey()
	if err != nil {
		return nil, err
	}
	if _, err := s.cfg.Storage.Account(ctx, name); err == nil {
		return nil, newError(statusConflict, CodeStorageAccountAlreadyTaken, "The storage account named %s is already taken.", name)
	}
	if err := s.cfg.Storage.CreateAccount(ctx, blobstore.AccountSpec{Name: name, Keys: [][]byte{k1, k2}}); err != nil {
		return nil, fromStorage(err)
	}
	na, err := s.applyUpdate(ctx, a, in, true)
	if err != nil {
		// Undo: the account never existed.
		if derr := s.cfg.Storage.DeleteAccount(ctx, name); derr != nil {
			s.log.Error("management: undo account creation", "account", name, "err", derr)
		}
		return nil, err
	}
	return na, nil
}

// UpdateAccount applies a PATCH to an existing account.
func (s *Service) UpdateAccount(ctx context.Context, group, name string, in AccountSpec) (AccountView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if err != nil {
		return AccountView{}, err
	}
	na, err := s.applyUpdate(ctx, a, &in, false)
	if err != nil {
		return AccountView{}, err
	}
	s.st.Accounts[a.Name] = na
	if err := s.saveLocked(); err != nil {
		return AccountView{}, err
	}
	return s.viewLocked(ctx, na), nil
}

// applyUpdate applies identity, encryption, tags, SKU and access tier to a
// copy of a and returns it; on error nothing changed (a system-assigned
// identity registered on the way is removed again). Caller holds s.mu.
func (s *Service) applyUpdate(ctx context.Context, a *Account, in *AccountSpec, creating bool) (*Account, error) {
	na := *a
	na.detach()
	if in.Tags != nil {
		na.Tags = in.Tags
	}
	if in.SKU != nil && in.SKU.Name != "" {
		na.SKU = in.SKU.Name
	}
	if in.Properties != nil && in.Properties.AccessTier != "" {
		na.AccessTier = in.Properties.AccessTier
	}
	registered, err := s.applyIdentity(ctx, &na, in.Identity)
	if err != nil {
		return nil, err
	}
	undo := func() {
		if registered != "" {
			_ = s.cfg.Identity.RemoveManagedIdentity(ctx, registered)
		}
	}
	var enc *EncryptionSpec
	if in.Properties != nil {
		enc = in.Properties.Encryption
	}
	if err := s.applyEncryption(ctx, &na, enc, creating); err != nil {
		undo()
		return nil, err
	}
	if a.Identity.System != "" && na.Identity.System == "" {
		if err := s.cfg.Identity.RemoveManagedIdentity(ctx, a.Identity.System); err != nil && !errors.Is(err, identity.ErrPrincipalNotFound) {
			s.log.Warn("management: remove system-assigned identity", "account", a.Name, "err", err)
		}
	}
	return &na, nil
}

// detach copies the slices of a so a copy can change them.
func (a *Account) detach() {
	a.Identity.UserAssigned = append([]string(nil), a.Identity.UserAssigned...)
}

// deleteAccountLocked removes the account from storage, its system-assigned
// identity and its record. Caller holds s.mu and saves.
func (s *Service) deleteAccountLocked(ctx context.Context, a *Account) error {
	if err := s.cfg.Storage.DeleteAccount(ctx, a.Name); err != nil && !errors.Is(err, blobstore.ErrAccountNotFound) {
		return fromStorage(err)
	}
	if a.Identity.System != "" {
		if err := s.cfg.Identity.RemoveManagedIdentity(ctx, a.Identity.System); err != nil && !errors.Is(err, identity.ErrPrincipalNotFound) {
			s.log.Warn("management: remove system-assigned identity", "account", a.Name, "err", err)
		}
	}
	delete(s.st.Accounts, a.Name)
	return nil
}

func (s *Service) accountsInLocked(group string) []*Account {
	var out []*Account
	for _, a := range s.st.Accounts {
		if eq(a.Group, group) {
			out = append(out, a)
		}
	}
	return out
}

func (s *Service) sortedAccountsLocked(group string) []*Account {
	var out []*Account
	for _, a := range s.st.Accounts {
		if group == "" || eq(a.Group, group) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ListAccounts returns the storage accounts of a group ("" = all), ordered
// by name.
func (s *Service) ListAccounts(ctx context.Context, group string) []AccountView {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []AccountView{}
	for _, a := range s.sortedAccountsLocked(group) {
		out = append(out, s.viewLocked(ctx, a))
	}
	return out
}

// CheckAccountName answers Microsoft.Storage checkNameAvailability.
func (s *Service) CheckAccountName(_ context.Context, name string) NameAvailability {
	s.mu.Lock()
	_, taken := s.st.Accounts[name]
	s.mu.Unlock()
	switch {
	case !blobstore.ValidAccountName(name):
		return NameAvailability{Reason: "AccountNameInvalid", Message: errAccountName(name).Message}
	case taken:
		return NameAvailability{Reason: "AlreadyExists", Message: "The storage account named " + name + " is already taken."}
	}
	return NameAvailability{Available: true}
}

func (s *Service) keysLocked(ctx context.Context, a *Account) ([]AccountKey, error) {
	acct, err := s.cfg.Storage.Account(ctx, a.Name)
	if err != nil {
		return nil, fromStorage(err)
	}
	keys := []AccountKey{}
	for i, k := range acct.Keys {
		if i > 1 {
			break
		}
		keys = append(keys, AccountKey{Name: []string{"key1", "key2"}[i], Value: k, Created: a.KeyCreated[i]})
	}
	return keys, nil
}

// AccountKeys returns key1 and key2 of an account.
func (s *Service) AccountKeys(ctx context.Context, group, name string) ([]AccountKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if err != nil {
		return nil, err
	}
	return s.keysLocked(ctx, a)
}

// RegenerateKey replaces key1 or key2 with 64 new random bytes; the storage
// service accepts the new key at once and refuses the old one.
func (s *Service) RegenerateKey(ctx context.Context, group, name, keyName string) ([]AccountKey, error) {
	idx := -1
	switch strings.ToLower(keyName) {
	case "key1":
		idx = 0
	case "key2":
		idx = 1
	default:
		return nil, newError(statusBadRequest, CodeInvalidValues, "The keyName must be key1 or key2 (kerb keys are not supported by azemu).")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if err != nil {
		return nil, err
	}
	acct, err := s.cfg.Storage.Account(ctx, a.Name)
	if err != nil {
		return nil, fromStorage(err)
	}
	keys := acct.Keys
	for len(keys) < 2 {
		k, err := newAccountKey()
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	k, err := newAccountKey()
	if err != nil {
		return nil, err
	}
	keys[idx] = k
	if err := s.cfg.Storage.CreateAccount(ctx, blobstore.AccountSpec{Name: a.Name, Keys: keys}); err != nil {
		return nil, fromStorage(err)
	}
	a.KeyCreated[idx] = s.cfg.Now().UTC()
	if err := s.saveLocked(); err != nil {
		return nil, err
	}
	return s.keysLocked(ctx, a)
}
