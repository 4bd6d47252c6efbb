package blobstore

import (
	"context"
	"log/slog"
	"time"

	"github.com/azemu/azemu/crypto"
)

// Config configures a Service.
type Config struct {
	// DataDir holds the metadata database and the encrypted data files.
	// "" keeps everything in a temporary directory removed by Close.
	DataDir string
	// RootKey wraps the account encryption keys of Microsoft-managed accounts.
	RootKey crypto.Key
	// Now is the emulator clock (leases, snapshots, Last-Modified, expiry of
	// uncommitted blocks). nil means time.Now.
	Now func() time.Time
	// Fsync makes data files and their directory fsync'd before the metadata
	// that references them is committed.
	Fsync bool
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// KeyProvider wraps and unwraps account keys of accounts whose key source
	// is Microsoft.Keyvault. It may be nil while no account uses a vault key.
	KeyProvider KeyProvider
}

// KeyProvider is the seam to a key vault (implemented by the emulator over
// the in-process keyvault service). Errors are passed through unchanged to
// the caller of the storage operation that needed the key.
type KeyProvider interface {
	// WrapKey wraps aek with the vault key `keyID` (a versioned or versionless Key Vault key URL), acting as `identity`.
	WrapKey(ctx context.Context, identity Identity, keyID string, aek []byte) (WrappedKey, error)
	UnwrapKey(ctx context.Context, identity Identity, w WrappedKey) ([]byte, error)
	// KeyState is cheap (no RSA): it returns a generation that changes whenever anything that could change
	// the outcome of UnwrapKey changes, or the error UnwrapKey would give now.
	KeyState(ctx context.Context, identity Identity, w WrappedKey) (generation uint64, err error)
}

// Identity is the managed identity a storage account uses to reach its vault.
type Identity struct{ PrincipalID, TenantID, ClientID string }

// WrappedKey is an account key wrapped by a vault key.
type WrappedKey struct {
	KeyID     string // versioned kid
	Algorithm string
	Bytes     []byte
}

// Key sources of an account (the ARM keySource values).
const (
	KeySourceStorage  = "Microsoft.Storage"
	KeySourceKeyvault = "Microsoft.Keyvault"
)

// AccountSpec is the input of CreateAccount.
type AccountSpec struct {
	Name string
	// Keys are the shared keys (key1, key2) as raw bytes.
	Keys [][]byte
}

// Account is a storage account as the service knows it.
type Account struct {
	Name string
	Keys [][]byte
	// Encryption is the current key source; KeySource is Microsoft.Storage
	// unless SetEncryption switched it.
	Encryption EncryptionSpec
	// WrappedKeyID is the versioned vault key id that currently wraps the
	// account key (Microsoft.Keyvault only).
	WrappedKeyID string
	Created      time.Time
}

// EncryptionSpec is the encryption setting of an account.
type EncryptionSpec struct {
	// KeySource is KeySourceStorage or KeySourceKeyvault (case-insensitive).
	KeySource string
	// KeyID is the vault key URL (versioned or versionless) for Microsoft.Keyvault.
	KeyID string
	// Identity is the managed identity used to reach the vault.
	Identity Identity
}

// Service is the storage service. It is safe for concurrent use.
type Service struct {
	cfg Config
}

// Open opens (or creates) the service's data in cfg.DataDir. Startup does no
// full scan: orphaned data files left by a crash are collected in the
// background.
func Open(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}, nil
}

// Close waits for background work, closes the database and, in memory mode,
// removes the temporary directory.
func (s *Service) Close() error { return nil }

// Sweep runs what is due on the emulator clock: it collects uncommitted blocks
// older than 7 days and data files nothing references. The emulator calls it
// periodically and after each clock advance.
func (s *Service) Sweep(ctx context.Context) error { return errNotImplemented }

// CreateAccount creates an account with a fresh account encryption key
// wrapped by the root key. It is idempotent: for an existing name it replaces
// the shared keys with spec.Keys and keeps everything else. It MUST return
// ErrInvalidResourceName for a name that is not 3-24 lowercase letters and
// digits (devstoreaccount1 is allowed).
func (s *Service) CreateAccount(ctx context.Context, spec AccountSpec) error {
	return errNotImplemented
}

// Account returns the account `name`. It MUST return ErrAccountNotFound (a
// ResourceNotFound, 404) when it does not exist.
func (s *Service) Account(ctx context.Context, name string) (*Account, error) {
	return nil, errNotImplemented
}

// ListAccounts returns every account, sorted by name.
func (s *Service) ListAccounts(ctx context.Context) ([]Account, error) {
	return nil, errNotImplemented
}

// DeleteAccount removes an account and all its containers and blobs. It MUST
// return ErrAccountNotFound when it does not exist.
func (s *Service) DeleteAccount(ctx context.Context, name string) error {
	return errNotImplemented
}

// SetEncryption switches the key source of an account: it re-wraps the
// account encryption key (with the root key for Microsoft.Storage, through
// Config.KeyProvider for Microsoft.Keyvault) and never re-encrypts data.
// Errors from the key provider are returned unchanged. It MUST return
// ErrAccountNotFound for an unknown account and ErrInvalidInput for an
// unknown key source or a missing KeyID with Microsoft.Keyvault.
func (s *Service) SetEncryption(ctx context.Context, account string, spec EncryptionSpec) error {
	return errNotImplemented
}

// GetServiceProperties returns the stored Blob service properties (defaults
// when never set). It MUST return ErrAccountNotFound for an unknown account.
func (s *Service) GetServiceProperties(ctx context.Context, account string) (ServiceProperties, error) {
	return ServiceProperties{}, errNotImplemented
}

// SetServiceProperties stores the Blob service properties. Elements absent
// from the request keep their stored value, as Azure does: nil pointer
// fields and a nil Cors slice mean "unchanged" (an empty non-nil Cors slice
// clears the rules). At most 5 CORS rules (else ErrInvalidXMLDocument).
func (s *Service) SetServiceProperties(ctx context.Context, account string, p ServiceProperties) error {
	return errNotImplemented
}

// GetAccountInfo returns the account's SKU and kind (Standard_RAGRS, StorageV2).
func (s *Service) GetAccountInfo(ctx context.Context, account string) (AccountInfo, error) {
	return AccountInfo{}, errNotImplemented
}
