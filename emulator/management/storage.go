package management

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/emulator/identity"
)

const (
	accountType  = "Microsoft.Storage/storageAccounts"
	identityType = "Microsoft.ManagedIdentity/userAssignedIdentities"
	vaultType    = "Microsoft.KeyVault/vaults"
)

func accountID(a *account) string {
	return groupID(a.Group) + "/providers/" + accountType + "/" + a.Name
}

// accountIn is the body of PUT (StorageAccountCreateParameters) and PATCH
// (StorageAccountUpdateParameters).
type accountIn struct {
	SKU *struct {
		Name string `json:"name"`
	} `json:"sku"`
	Kind       string            `json:"kind"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Identity   *identityIn       `json:"identity"`
	Properties *struct {
		Encryption *encryptionIn `json:"encryption"`
		AccessTier string        `json:"accessTier"`
	} `json:"properties"`
}

type identityIn struct {
	Type                   string                     `json:"type"`
	UserAssignedIdentities map[string]json.RawMessage `json:"userAssignedIdentities"`
}

type encryptionIn struct {
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
}

func (s *Service) accountOp(w http.ResponseWriter, r *http.Request, group, name string) error {
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		a, err := s.accountLocked(group, name)
		if err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, s.accountJSON(r.Context(), a))
		return nil
	case http.MethodPut:
		return s.createAccount(w, r, group, name)
	case http.MethodPatch:
		return s.updateAccount(w, r, group, name)
	case http.MethodDelete:
		s.mu.Lock()
		defer s.mu.Unlock()
		a, err := s.accountLocked(group, name)
		if errors.Is(err, &Error{Code: CodeResourceNotFound}) {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.deleteAccountLocked(r.Context(), a); err != nil {
			return err
		}
		if err := s.saveLocked(); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return errMethod(r)
}

// accountLocked finds an account in a group. Caller holds s.mu.
func (s *Service) accountLocked(group, name string) (*account, error) {
	if _, err := s.groupLocked(group); err != nil {
		return nil, err
	}
	a, ok := s.st.Accounts[strings.ToLower(name)]
	if !ok || !eq(a.Group, group) {
		return nil, errResourceNotFound(accountType, name, group)
	}
	return a, nil
}

func errAccountName(name string) *Error {
	return newError(http.StatusBadRequest, CodeAccountNameInvalid,
		"%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", name)
}

func newAccountKey() ([]byte, error) {
	k := make([]byte, 64)
	_, err := rand.Read(k)
	return k, err
}

func (s *Service) createAccount(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	var in accountIn
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// ARM answers for a missing group before the storage provider looks
	// at the name.
	if _, err := s.groupLocked(group); err != nil {
		return err
	}
	if !blobstore.ValidAccountName(name) {
		return errAccountName(name)
	}
	if old, ok := s.st.Accounts[name]; ok {
		if !eq(old.Group, group) {
			// azemu has one subscription, so a name held by another
			// group is held in this subscription: ARM's answer for that
			// (error-storage-account-name.md) is not AlreadyTaken.
			return newError(http.StatusConflict, CodeStorageAccountInAnotherGroup,
				"The account %s is already in another resource group in this subscription.", name)
		}
		if err := checkLocation(old.Name, old.Group, old.Location, in.Location); err != nil {
			return err
		}
		// PUT on an existing account updates it, as Azure does.
		na, err := s.applyUpdate(ctx, old, &in, false)
		if err != nil {
			return err
		}
		s.st.Accounts[name] = na
		if err := s.saveLocked(); err != nil {
			return err
		}
		writeJSON(w, r, http.StatusOK, s.accountJSON(ctx, na))
		return nil
	}
	if in.Location == "" {
		return newError(http.StatusBadRequest, CodeLocationRequired, "The location property is required for this definition.")
	}
	if in.SKU == nil || in.SKU.Name == "" {
		return newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue, "The sku property is required for this definition.")
	}
	if in.Kind == "" {
		return newError(http.StatusBadRequest, CodeInvalidRequestPropertyValue, "The kind property is required for this definition.")
	}
	now := s.cfg.Now().UTC()
	a := &account{Name: name, Group: s.st.Groups[strings.ToLower(group)].Name, Location: normLocation(in.Location), Kind: in.Kind,
		SKU: in.SKU.Name, AccessTier: "Hot", Tags: in.Tags, Created: now, KeyCreated: [2]time.Time{now, now},
		Encryption: encryption{KeySource: blobstore.KeySourceStorage, ServicesSince: now}}
	if in.Properties != nil && in.Properties.AccessTier != "" {
		a.AccessTier = in.Properties.AccessTier
	}
	k1, err := newAccountKey()
	if err != nil {
		return err
	}
	k2, err := newAccountKey()
	if err != nil {
		return err
	}
	if _, err := s.cfg.Storage.Account(ctx, name); err == nil {
		return newError(http.StatusConflict, CodeStorageAccountAlreadyTaken, "The storage account named %s is already taken.", name)
	}
	if err := s.cfg.Storage.CreateAccount(ctx, blobstore.AccountSpec{Name: name, Keys: [][]byte{k1, k2}}); err != nil {
		return fromStorage(err)
	}
	na, err := s.applyUpdate(ctx, a, &in, true)
	if err != nil {
		// Undo: the account never existed.
		if derr := s.cfg.Storage.DeleteAccount(ctx, name); derr != nil {
			s.log.Error("management: undo account creation", "account", name, "err", derr)
		}
		return err
	}
	s.st.Accounts[name] = na
	if err := s.saveLocked(); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, s.accountJSON(ctx, na))
	return nil
}

func (s *Service) updateAccount(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	var in accountIn
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if err != nil {
		return err
	}
	na, err := s.applyUpdate(ctx, a, &in, false)
	if err != nil {
		return err
	}
	s.st.Accounts[a.Name] = na
	if err := s.saveLocked(); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, s.accountJSON(ctx, na))
	return nil
}

// applyUpdate applies identity, encryption, tags, SKU and access tier to a
// copy of a and returns it; on error nothing changed (a system-assigned
// identity registered on the way is removed again). Caller holds s.mu.
func (s *Service) applyUpdate(ctx context.Context, a *account, in *accountIn, creating bool) (*account, error) {
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
	var enc *encryptionIn
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
func (a *account) detach() {
	a.Identity.UserAssigned = append([]string(nil), a.Identity.UserAssigned...)
}

// deleteAccountLocked removes the account from storage, its system-assigned
// identity and its record. Caller holds s.mu and saves.
func (s *Service) deleteAccountLocked(ctx context.Context, a *account) error {
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

func (s *Service) accountsInLocked(group string) []*account {
	var out []*account
	for _, a := range s.st.Accounts {
		if eq(a.Group, group) {
			out = append(out, a)
		}
	}
	return out
}

func (s *Service) sortedAccountsLocked(group string) []*account {
	var out []*account
	for _, a := range s.st.Accounts {
		if group == "" || eq(a.Group, group) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Service) listAccounts(w http.ResponseWriter, r *http.Request, group string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, a := range s.sortedAccountsLocked(group) {
		out = append(out, s.accountJSON(r.Context(), a))
	}
	return writeList(w, r, out)
}

func (s *Service) checkAccountName(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	res := map[string]any{"nameAvailable": true}
	s.mu.Lock()
	_, taken := s.st.Accounts[in.Name]
	s.mu.Unlock()
	switch {
	case !blobstore.ValidAccountName(in.Name):
		res = map[string]any{"nameAvailable": false, "reason": "AccountNameInvalid", "message": errAccountName(in.Name).Message}
	case taken:
		res = map[string]any{"nameAvailable": false, "reason": "AlreadyExists", "message": "The storage account named " + in.Name + " is already taken."}
	}
	writeJSON(w, r, http.StatusOK, res)
	return nil
}

func (s *Service) keysJSON(ctx context.Context, a *account) (map[string]any, error) {
	acct, err := s.cfg.Storage.Account(ctx, a.Name)
	if err != nil {
		return nil, fromStorage(err)
	}
	keys := []any{}
	for i, k := range acct.Keys {
		if i > 1 {
			break
		}
		keys = append(keys, map[string]any{
			"keyName": []string{"key1", "key2"}[i], "value": base64.StdEncoding.EncodeToString(k),
			"permissions": "FULL", "creationTime": a.KeyCreated[i].Format(time.RFC3339Nano),
		})
	}
	return map[string]any{"keys": keys}, nil
}

func (s *Service) listKeys(w http.ResponseWriter, r *http.Request, group, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if err != nil {
		return err
	}
	body, err := s.keysJSON(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, body)
	return nil
}

// regenerateKey replaces key1 or key2 with 64 new random bytes; the storage
// service accepts the new key at once and refuses the old one.
func (s *Service) regenerateKey(w http.ResponseWriter, r *http.Request, group, name string) error {
	ctx := r.Context()
	var in struct {
		KeyName string `json:"keyName"`
	}
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	idx := -1
	switch strings.ToLower(in.KeyName) {
	case "key1":
		idx = 0
	case "key2":
		idx = 1
	default:
		return newError(http.StatusBadRequest, CodeInvalidValues, "The keyName must be key1 or key2 (kerb keys are not supported by azemu).")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(group, name)
	if err != nil {
		return err
	}
	acct, err := s.cfg.Storage.Account(ctx, a.Name)
	if err != nil {
		return fromStorage(err)
	}
	keys := acct.Keys
	for len(keys) < 2 {
		k, err := newAccountKey()
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	k, err := newAccountKey()
	if err != nil {
		return err
	}
	keys[idx] = k
	if err := s.cfg.Storage.CreateAccount(ctx, blobstore.AccountSpec{Name: a.Name, Keys: keys}); err != nil {
		return fromStorage(err)
	}
	a.KeyCreated[idx] = s.cfg.Now().UTC()
	if err := s.saveLocked(); err != nil {
		return err
	}
	body, err := s.keysJSON(ctx, a)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, body)
	return nil
}

// fromStorage maps a storage service error to ARM's shape.
func fromStorage(err error) error {
	var se *storageerr.Error
	if errors.As(err, &se) {
		status := se.Status
		if status == http.StatusForbidden {
			status = http.StatusBadRequest
		}
		return &Error{Status: status, Code: se.Code, Message: se.Message}
	}
	return err
}

func endpoint(base, name string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/" + name + "/"
}

// endpointsJSON is primaryEndpoints: the blob and file endpoints azemu
// serves the account on (path style, http://127.0.0.1:PORT/<account>/).
// Queue, table, dfs and web are not served, so they are not listed.
func (s *Service) endpointsJSON(name string) map[string]any {
	m := map[string]any{}
	if u := endpoint(s.cfg.BlobURL, name); u != "" {
		m["blob"] = u
	}
	if u := endpoint(s.cfg.FileURL, name); u != "" {
		m["file"] = u
	}
	return m
}

// skuTier is the tier of a storage SKU name (Premium_LRS → Premium).
func skuTier(sku string) string {
	if strings.HasPrefix(strings.ToLower(sku), "premium") {
		return "Premium"
	}
	return "Standard"
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// accountJSON renders an account as ARM's StorageAccount. Caller holds s.mu.
func (s *Service) accountJSON(ctx context.Context, a *account) map[string]any {
	props := map[string]any{
		"provisioningState":            "Succeeded",
		"creationTime":                 rfc3339(a.Created),
		"primaryLocation":              a.Location,
		"statusOfPrimary":              "available",
		"supportsHttpsTrafficOnly":     false,
		"minimumTlsVersion":            "TLS1_2",
		"allowBlobPublicAccess":        true,
		"allowSharedKeyAccess":         true,
		"keyCreationTime":              map[string]any{"key1": rfc3339(a.KeyCreated[0]), "key2": rfc3339(a.KeyCreated[1])},
		"primaryEndpoints":             s.endpointsJSON(a.Name),
		"encryption":                   s.encryptionJSON(ctx, a),
		"networkAcls":                  map[string]any{"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": []any{}, "resourceAccessRules": []any{}, "virtualNetworkRules": []any{}},
		"publicNetworkAccess":          "Enabled",
		"largeFileSharesState":         "Disabled",
		"dnsEndpointType":              "Standard",
		"isHnsEnabled":                 false,
		"defaultToOAuthAuthentication": false,
	}
	// Only general-purpose v2 and blob storage accounts have an access tier.
	if eq(a.Kind, "StorageV2") || eq(a.Kind, "BlobStorage") {
		props["accessTier"] = a.AccessTier
	}
	tier := skuTier(a.SKU)
	m := map[string]any{
		"id": accountID(a), "name": a.Name, "type": accountType, "location": a.Location,
		"kind": a.Kind, "sku": map[string]any{"name": a.SKU, "tier": tier},
		"tags": map[string]string{}, "properties": props,
	}
	if a.Tags != nil {
		m["tags"] = a.Tags
	}
	if id := s.identityJSON(ctx, a); id != nil {
		m["identity"] = id
	}
	return m
}

func (s *Service) identityJSON(ctx context.Context, a *account) map[string]any {
	types := []string{}
	if a.Identity.System != "" {
		types = append(types, "SystemAssigned")
	}
	if len(a.Identity.UserAssigned) > 0 {
		types = append(types, "UserAssigned")
	}
	if len(types) == 0 {
		// An account never given an identity has no identity block
		// (StorageAccountCreate.json); one set to None shows it.
		if a.Identity.ExplicitNone {
			return map[string]any{"type": "None"}
		}
		return nil
	}
	m := map[string]any{"type": strings.Join(types, ",")}
	if a.Identity.System != "" {
		m["principalId"] = a.Identity.System
		m["tenantId"] = DefaultTenant
	}
	if len(a.Identity.UserAssigned) > 0 {
		ua := map[string]any{}
		for _, id := range a.Identity.UserAssigned {
			entry := map[string]any{}
			if u, ok := s.st.Identities[strings.ToLower(id)]; ok {
				entry["principalId"] = u.PrincipalID
				entry["clientId"] = u.ClientID
			}
			ua[id] = entry
		}
		m["userAssignedIdentities"] = ua
	}
	return m
}

func (s *Service) encryptionJSON(ctx context.Context, a *account) map[string]any {
	since := rfc3339(a.Encryption.ServicesSince)
	svc := func() map[string]any {
		return map[string]any{"enabled": true, "keyType": "Account", "lastEnabledTime": since}
	}
	m := map[string]any{
		"keySource": a.Encryption.KeySource,
		"services":  map[string]any{"blob": svc(), "file": svc()},
	}
	if a.InfraEncryption {
		m["requireInfrastructureEncryption"] = true
	}
	if a.Encryption.KeySource != blobstore.KeySourceKeyvault {
		return m
	}
	kvp := map[string]any{
		"keyname":     a.Encryption.KeyName,
		"keyversion":  a.Encryption.KeyVersion,
		"keyvaulturi": a.Encryption.KeyVaultURI,
	}
	if acct, err := s.cfg.Storage.Account(ctx, a.Name); err == nil && acct.WrappedKeyID != "" {
		kvp["currentVersionedKeyIdentifier"] = acct.WrappedKeyID
	}
	if a.Encryption.LastRotation != nil {
		kvp["lastKeyRotationTimestamp"] = rfc3339(*a.Encryption.LastRotation)
	}
	// A key version without an expiry shows as the Unix epoch, as Azure
	// shows it.
	expiry := time.Unix(0, 0)
	if a.Encryption.KeyExpiry != nil {
		expiry = *a.Encryption.KeyExpiry
	}
	kvp["currentVersionedKeyExpirationTimestamp"] = rfc3339(expiry)
	m["keyvaultproperties"] = kvp
	ident := map[string]any{}
	if a.Encryption.UserAssigned != "" {
		ident["userAssignedIdentity"] = a.Encryption.UserAssigned
	}
	if a.Encryption.FederatedID != "" {
		ident["federatedIdentityClientId"] = a.Encryption.FederatedID
	}
	if len(ident) > 0 {
		m["identity"] = ident
	}
	return m
}
