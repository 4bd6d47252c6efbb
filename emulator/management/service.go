package management

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

// Defaults of the management plane.
const (
	DefaultSubscription = "00000000-0000-0000-0000-000000000000"
	DefaultGroup        = "azemu"
	DefaultLocation     = "local"
	DefaultTenant       = identity.DevTenantID
	// KeyCheckInterval is how often an account with a versionless key looks
	// for a newer key version (Azure: once a day).
	KeyCheckInterval = 24 * time.Hour
)

// Principals is the principal registry the plane registers managed
// identities in (emulator/identity implements it). Lookups and removals
// MUST return an error wrapping identity.ErrPrincipalNotFound for an
// unknown principal.
type Principals interface {
	RegisterManagedIdentity(ctx context.Context, spec identity.ManagedIdentitySpec) (identity.Principal, error)
	RemoveManagedIdentity(ctx context.Context, objectID string) error
	LookupManagedIdentity(ctx context.Context, resourceID string) (identity.Principal, error)
	LookupPrincipal(ctx context.Context, objectID string) (identity.Principal, error)
}

// Config configures the management plane.
type Config struct {
	// DataDir holds state.json; "" keeps the state in memory.
	DataDir string
	// Storage, Vault and Identity are the services managed.
	Storage  *blobstore.Service
	Vault    *keyvault.Service
	Identity Principals
	// Now is the emulator clock (the daily key check, timestamps).
	Now func() time.Time
	// BlobURL and FileURL are the storage endpoints without an account
	// (http://127.0.0.1:10000); VaultURL is the HTTPS endpoint
	// (https://localhost:8443) that names vaults <name>.vault.localhost:<port>.
	BlobURL, FileURL, VaultURL string
	// QueueURL is the Queue endpoint without an account ("" when disabled).
	QueueURL string
	Logger   *slog.Logger
}

// Service is the management plane's rules and state: every ARM operation is
// one method, which validates, changes the services and the state under one
// mutex and writes the state file. It is safe for concurrent use: the mutex
// orders every change, so the ARM view and the services stay consistent.
// The HTTP layer is armapi.
type Service struct {
	cfg  Config
	log  *slog.Logger
	path string // state file, "" in memory

	mu sync.Mutex
	st *state
}

// state is everything the management plane owns, persisted as JSON.
type state struct {
	V          int                      `json:"v"`
	Groups     map[string]*Group        `json:"groups"`     // by lower-case name
	Accounts   map[string]*Account      `json:"accounts"`   // by name (lower case)
	Identities map[string]*UserIdentity `json:"identities"` // by lower-case resource id
	Vaults     map[string]string        `json:"vaults"`     // lower-case vault name → group name
	Roles      map[string]*roleMeta     `json:"roles"`      // lower-case assignment name → extra ARM fields
	// Policies are the secret, certificate and storage permissions of the
	// vaults' access policies, by lower-case vault name (since version 2).
	Policies map[string][]policyExtra `json:"policies,omitempty"`
}

// stateVersion is the version of state.json. Version 1 had no Policies;
// it reads as version 2 with none.
const stateVersion = 2

// Group is a resource group.
type Group struct {
	Name     string            `json:"name"`
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags,omitempty"`
}

// Account is the ARM record of a storage account: what ARM knows beside
// the storage service's own account (keys, wrapped account key).
type Account struct {
	Name            string            `json:"name"`
	Group           string            `json:"group"`
	Location        string            `json:"location"`
	Kind            string            `json:"kind"`
	SKU             string            `json:"sku"`
	AccessTier      string            `json:"accessTier,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	Created         time.Time         `json:"created"`
	KeyCreated      [2]time.Time      `json:"keyCreated"`
	Identity        AccountIdentity   `json:"identity"`
	Encryption      Encryption        `json:"encryption"`
	InfraEncryption bool              `json:"requireInfrastructureEncryption,omitempty"`
}

// AccountIdentity is the managed identity of a storage account.
type AccountIdentity struct {
	// System is the principal id of the system-assigned identity, "" without.
	System       string   `json:"system,omitempty"`
	SystemClient string   `json:"systemClient,omitempty"`
	UserAssigned []string `json:"userAssigned,omitempty"` // resource ids as given
	// ExplicitNone records an identity of type None asked for; an account
	// never given an identity shows none at all.
	ExplicitNone bool `json:"explicitNone,omitempty"`
}

// Encryption is the encryption setting of a storage account.
type Encryption struct {
	KeySource   string `json:"keySource"` // blobstore.KeySourceStorage or KeySourceKeyvault
	KeyName     string `json:"keyName,omitempty"`
	KeyVersion  string `json:"keyVersion,omitempty"`
	KeyVaultURI string `json:"keyVaultUri,omitempty"`
	// UserAssigned is encryption.identity.userAssignedIdentity; "" = system-assigned.
	UserAssigned  string     `json:"userAssigned,omitempty"`
	FederatedID   string     `json:"federatedIdentityClientId,omitempty"`
	LastRotation  *time.Time `json:"lastRotation,omitempty"`
	KeyExpiry     *time.Time `json:"keyExpiry,omitempty"`
	LastKeyCheck  time.Time  `json:"lastKeyCheck"`
	ServicesSince time.Time  `json:"servicesSince"`
	// QueueKeyType is encryption.services.queue.keyType, set at creation
	// only: QueueKeyTypeAccount, or "" for Service (Azure's default).
	QueueKeyType string `json:"queueKeyType,omitempty"`
}

// UserIdentity is a user-assigned managed identity.
type UserIdentity struct {
	Name        string            `json:"name"`
	Group       string            `json:"group"`
	Location    string            `json:"location"`
	Tags        map[string]string `json:"tags,omitempty"`
	PrincipalID string            `json:"principalId"`
	ClientID    string            `json:"clientId"`
	TenantID    string            `json:"tenantId"`
	// IsolationScope is "Regional" when set so; "" reads as None.
	IsolationScope string `json:"isolationScope,omitempty"`
}

type roleMeta struct {
	PrincipalType string    `json:"principalType,omitempty"`
	Created       time.Time `json:"created"`
}

// Open loads the state (or starts a new one with the default group) and
// adopts the storage accounts and vaults that exist without an ARM record
// (devstoreaccount1, AZURITE_ACCOUNTS, devvault) into the default group.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Storage == nil || cfg.Vault == nil || cfg.Identity == nil {
		return nil, errors.New("management: Storage, Vault and Identity are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.st = &state{V: stateVersion, Groups: map[string]*Group{}, Accounts: map[string]*Account{},
		Identities: map[string]*UserIdentity{}, Vaults: map[string]string{}, Roles: map[string]*roleMeta{},
		Policies: map[string][]policyExtra{}}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("management: %w", err)
		}
		s.path = filepath.Join(cfg.DataDir, "state.json")
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Groups[DefaultGroup]; !ok {
		s.st.Groups[DefaultGroup] = &Group{Name: DefaultGroup, Location: DefaultLocation}
	}
	if err := s.adoptLocked(ctx); err != nil {
		return nil, err
	}
	return s, s.saveLocked()
}

func (s *Service) load() error {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("management: read state: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("management: state file %s is corrupt: %w", s.path, err)
	}
	if st.V != stateVersion && st.V != 1 {
		return fmt.Errorf("management: state file version %d is not supported (want %d)", st.V, stateVersion)
	}
	if st.Groups == nil {
		st.Groups = map[string]*Group{}
	}
	if st.Accounts == nil {
		st.Accounts = map[string]*Account{}
	}
	if st.Identities == nil {
		st.Identities = map[string]*UserIdentity{}
	}
	if st.Vaults == nil {
		st.Vaults = map[string]string{}
	}
	if st.Roles == nil {
		st.Roles = map[string]*roleMeta{}
	}
	if st.Policies == nil {
		st.Policies = map[string][]policyExtra{}
	}
	st.V = stateVersion
	s.st = &st
	return nil
}

// saveLocked writes the state atomically (temp file, fsync, rename). The
// caller holds s.mu.
func (s *Service) saveLocked() error {
	if s.path == "" {
		return nil
	}
	b, err := json.MarshalIndent(s.st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".state-*.tmp")
	if err != nil {
		return fmt.Errorf("management: save state: %w", err)
	}
	name := tmp.Name()
	_, werr := tmp.Write(b)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, 0o600)
	}
	if werr == nil {
		werr = os.Rename(name, s.path)
	}
	if werr != nil {
		_ = os.Remove(name)
		return fmt.Errorf("management: save state: %w", werr)
	}
	return nil
}

// adoptLocked gives every storage account and vault without an ARM record
// one in the default group.
func (s *Service) adoptLocked(ctx context.Context) error {
	accts, err := s.cfg.Storage.ListAccounts(ctx)
	if err != nil {
		return fmt.Errorf("management: list storage accounts: %w", err)
	}
	now := s.cfg.Now().UTC()
	for _, a := range accts {
		if _, ok := s.st.Accounts[a.Name]; ok {
			continue
		}
		created := a.Created
		if created.IsZero() {
			created = now
		}
		s.st.Accounts[a.Name] = &Account{Name: a.Name, Group: DefaultGroup, Location: DefaultLocation,
			Kind: "StorageV2", SKU: "Standard_LRS", AccessTier: "Hot", Created: created,
			KeyCreated: [2]time.Time{created, created},
			Encryption: Encryption{KeySource: blobstore.KeySourceStorage, ServicesSince: created}}
	}
	for _, list := range [][]keyvault.Vault{s.cfg.Vault.ListVaults(ctx), s.cfg.Vault.ListDeletedVaults(ctx)} {
		for _, v := range list {
			if _, ok := s.st.Vaults[strings.ToLower(v.Name)]; !ok {
				s.st.Vaults[strings.ToLower(v.Name)] = DefaultGroup
			}
		}
	}
	return nil
}

// Close releases nothing today (the state is written on every change); it
// exists so callers can treat the plane like the other services.
func (s *Service) Close() error { return nil }
