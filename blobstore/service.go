package blobstore

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
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
	// that references them is committed, and the metadata database fsync
	// each commit. Without it, committed data survives a killed process but
	// not a power loss.
	Fsync bool
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// KeyProvider wraps and unwraps account keys of accounts whose key source
	// is Microsoft.Keyvault. It may be nil while no account uses a vault key.
	KeyProvider KeyProvider
	// KeyCacheTTL is how long (on the emulator clock) a vault-wrapped account
	// key is used without asking KeyProvider.KeyState again. 0, the default,
	// checks on every gated operation so revocation takes effect on the next
	// request; a positive value emulates Azure's caching delay
	// (--cmk-cache-ttl).
	KeyCacheTTL time.Duration
	// NoInline keeps every body in a data file, even the small ones the
	// service would keep inline in their records (for tests that look at
	// data files).
	NoInline bool
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
	cfg     Config
	log     *slog.Logger
	dir     string // root of the data directory
	tempDir bool   // dir is a temporary directory removed by Close
	st      *boltstore.Store
	data    *sealed.Store

	etagMu   sync.Mutex
	lastTick int64

	keyMu sync.Mutex
	keys  map[string]*AccountKey

	// acctCache holds decoded accounts for Account, which every request's
	// authentication calls; acctGen changes after every account write.
	acctMu    sync.Mutex
	acctGen   uint64
	acctCache map[string]*Account

	partMu sync.Mutex
	parts  []Part

	bgCancel context.CancelFunc
	bg       sync.WaitGroup
}

// AccountKey is an unwrapped account encryption key and what it was
// unwrapped from.
type AccountKey struct {
	aek     crypto.Key
	kid     crypto.KeyID
	metaKey crypto.Key
	// source, wrapped and identity are the account's key source at unwrap time.
	source   string
	wrapped  *WrappedKey
	identity Identity
	gen      uint64
	// checked is when (emulator clock, Unix ns) the key state was last confirmed.
	checked atomic.Int64
}

const dbFile = "blobstore.db"

// Open opens (or creates) the service's data in cfg.DataDir. Startup does no
// full scan: orphaned data files left by a crash are collected in the
// background.
func Open(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{
		cfg:  cfg,
		log:  cfg.Logger,
		keys: map[string]*AccountKey{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.dir = cfg.DataDir
	if s.dir == "" {
		d, err := memoryDir()
		if err != nil {
			return nil, fmt.Errorf("blobstore: temp dir: %w", err)
		}
		s.dir, s.tempDir = d, true
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		s.cleanupTemp()
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	// Without Fsync nothing is fsync'd: committed data survives a killed
	// process (the page cache has it) but not a power loss.
	// Every metadata record is bound to its key path under a key derived
	// from the root key (boltstore's record authentication).
	auth, err := crypto.NewRecordAuth(cfg.RootKey)
	if err != nil {
		s.cleanupTemp()
		return nil, err
	}
	st, err := boltstore.Open(filepath.Join(s.dir, dbFile), boltstore.Options{NoSync: !cfg.Fsync, Auth: auth})
	if err != nil {
		s.cleanupTemp()
		return nil, err
	}
	s.st = st
	if n, err := s.migrateAccountKeys(); err != nil {
		_ = st.Close()
		s.cleanupTemp()
		return nil, fmt.Errorf("blobstore: seal account keys: %w", err)
	} else if n > 0 {
		// The keys in clear are still in bbolt's free pages: rewrite the
		// file with its live data only.
		path := filepath.Join(s.dir, dbFile)
		if err := st.Close(); err != nil {
			s.cleanupTemp()
			return nil, err
		}
		if err := boltstore.Compact(path); err != nil {
			s.cleanupTemp()
			return nil, err
		}
		if s.st, err = boltstore.Open(path, boltstore.Options{NoSync: !cfg.Fsync, Auth: auth}); err != nil {
			s.cleanupTemp()
			return nil, err
		}
		st = s.st
		s.log.Info("blobstore: sealed the shared keys of accounts written by an older version", "count", n)
	}
	inline := int64(sealed.DefaultInlineMax)
	if cfg.NoInline {
		inline = 0
	}
	s.data, err = sealed.Open(sealed.Config{Dir: filepath.Join(s.dir, "data"), Refs: st,
		Fsync: cfg.Fsync, InlineMax: inline, Logger: s.log})
	if err != nil {
		_ = st.Close()
		s.cleanupTemp()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.bgCancel = cancel
	if !s.tempDir {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			if n, err := s.data.SweepOrphans(ctx); err != nil {
				s.log.Warn("blobstore: orphan sweep", "err", err)
			} else if n > 0 {
				s.log.Info("blobstore: removed orphaned data files", "count", n)
			}
		}()
	}
	return s, nil
}

// memoryDir makes the folder of an in-memory service. bbolt and the data
// files need a file system, so "in memory" means a RAM-backed one where the
// system has it (/dev/shm on Linux), else the system temp folder; the folder
// is removed on Close. What lands there is sealed like any data folder.
func memoryDir() (string, error) {
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "azemu-blobstore-*"); err == nil {
			return d, nil
		}
	}
	return os.MkdirTemp("", "azemu-blobstore-*")
}

func (s *Service) cleanupTemp() {
	if s.tempDir {
		_ = os.RemoveAll(s.dir)
	}
}

// Close waits for background work, closes the database and, in memory mode,
// removes the temporary directory.
func (s *Service) Close() error {
	s.bgCancel()
	s.bg.Wait()
	err := s.st.Close()
	s.cleanupTemp()
	return err
}

// Part is a storage service built on the account core (Blob, Files; Queue
// and Table next). The core reaches it for what spans services.
type Part interface {
	// DropAccount MUST remove everything the service stores for account
	// (records, and the references they hold on data files); the core then
	// removes the account itself.
	DropAccount(ctx context.Context, account string) error
	// Sweep MUST run what is due on the emulator clock for the service
	// (expiry of uncommitted blocks, ...).
	Sweep(ctx context.Context) error
}

// Attach adds a service built on the core: DeleteAccount and Sweep reach
// it. The service constructors (blob.New, file.New) call it.
func (s *Service) Attach(p Part) {
	s.partMu.Lock()
	defer s.partMu.Unlock()
	s.parts = append(s.parts, p)
}

func (s *Service) attached() []Part {
	s.partMu.Lock()
	defer s.partMu.Unlock()
	return append([]Part(nil), s.parts...)
}

// Sweep runs what is due on the emulator clock in every attached service.
// The emulator calls it periodically and after each clock advance.
func (s *Service) Sweep(ctx context.Context) error {
	var errs []error
	for _, p := range s.attached() {
		if err := p.Sweep(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Store is the metadata store the services keep their records in.
func (s *Service) Store() *boltstore.Store { return s.st }

// Data is the sealed-extent store the services keep their bytes in.
func (s *Service) Data() *sealed.Store { return s.data }

// Logger is the service's logger.
func (s *Service) Logger() *slog.Logger { return s.log }

// Now is the emulator clock in UTC.
func (s *Service) Now() time.Time { return s.cfg.Now().UTC() }

// newETag returns a fresh ETag in Azure's style (0x8D... the clock in 100 ns
// ticks since year 1), strictly increasing so every change gets a new one.
func (s *Service) NewETag(t time.Time) string {
	tick := t.UnixNano()/100 + 621355968000000000
	s.etagMu.Lock()
	defer s.etagMu.Unlock()
	if tick <= s.lastTick {
		tick = s.lastTick + 1
	}
	s.lastTick = tick
	return fmt.Sprintf("0x%X", tick)
}

// CreateAccount creates an account with a fresh account encryption key
// wrapped by the root key. It is idempotent: for an existing name it replaces
// the shared keys with spec.Keys and keeps everything else. It MUST return
// storageerr.ErrInvalidResourceName for a name that is not 3-24 lowercase letters and
// digits (devstoreaccount1 is allowed).
func (s *Service) CreateAccount(ctx context.Context, spec AccountSpec) error {
	defer s.accountChanged()
	if !ValidAccountName(spec.Name) {
		return storageerr.ErrInvalidResourceName.WithMessage("The specified account name %q is invalid.", spec.Name)
	}
	aek, err := crypto.NewKey()
	if err != nil {
		return err
	}
	var kid crypto.KeyID
	if id, err := crypto.NewFileID(); err != nil {
		return err
	} else {
		kid = crypto.KeyID(id)
	}
	msealed, err := crypto.Seal(s.cfg.RootKey, aek[:], aekAAD(spec.Name))
	if err != nil {
		return err
	}
	return s.st.Update(func(tx *boltstore.Tx) error {
		if b := tx.Account(spec.Name); b != nil {
			rec, err := s.decodeAccount(b)
			if err != nil {
				return err
			}
			rec.Keys = cloneKeys(spec.Keys)
			return s.putAccount(tx, rec)
		}
		rec := &accountRec{
			V: accountRecVersion, Name: spec.Name, Keys: cloneKeys(spec.Keys), Created: s.Now(),
			AEKID: kid.String(), KeySource: KeySourceStorage, RootSealedAEK: msealed,
		}
		return s.putAccount(tx, rec)
	})
}

func putRec(put func(string, []byte) error, key string, rec any) error {
	b, err := EncodeRecord(rec)
	if err != nil {
		return err
	}
	return put(key, b)
}

func cloneKeys(keys [][]byte) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = append([]byte(nil), k...)
	}
	return out
}

func aekAAD(account string) []byte { return []byte("azemu aek\x00" + account) }

// ValidAccountName reports whether n is a valid storage account name: 3 to
// 24 lowercase letters and digits.
func ValidAccountName(n string) bool {
	if len(n) < 3 || len(n) > 24 {
		return false
	}
	for _, c := range n {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Account returns the account `name`. It MUST return storageerr.ErrAccountNotFound (a
// ResourceNotFound, 404) when it does not exist.
func (s *Service) Account(ctx context.Context, name string) (*Account, error) {
	s.acctMu.Lock()
	a, gen := s.acctCache[name], s.acctGen
	s.acctMu.Unlock()
	if a == nil {
		var rec *accountRec
		err := s.st.View(func(tx *boltstore.Tx) error {
			var err error
			rec, err = s.loadAccount(tx, name)
			return err
		})
		if err != nil {
			return nil, err
		}
		a = rec.public()
		s.acctMu.Lock()
		if s.acctGen == gen {
			if s.acctCache == nil {
				s.acctCache = map[string]*Account{}
			}
			s.acctCache[name] = a
		}
		s.acctMu.Unlock()
	}
	c := *a
	c.Keys = cloneKeys(a.Keys)
	return &c, nil
}

// accountChanged drops the cached accounts. Writers of account records
// call it after their transaction (defer), so a reader that loaded the old
// record cannot cache it afterwards.
func (s *Service) accountChanged() {
	s.acctMu.Lock()
	defer s.acctMu.Unlock()
	s.acctGen++
	clear(s.acctCache)
}

func (r *accountRec) public() *Account {
	a := &Account{Name: r.Name, Keys: cloneKeys(r.Keys), Created: r.Created,
		Encryption: EncryptionSpec{KeySource: r.KeySource, KeyID: r.KeyID}}
	if r.Identity != nil {
		a.Encryption.Identity = *r.Identity
	}
	if r.VaultWrappedAEK != nil {
		a.WrappedKeyID = r.VaultWrappedAEK.KeyID
	}
	return a
}

func (s *Service) loadAccount(tx *boltstore.Tx, name string) (*accountRec, error) {
	b := tx.Account(name)
	if b == nil {
		return nil, storageerr.ErrAccountNotFound
	}
	return s.decodeAccount(b)
}

// ListAccounts returns every account, sorted by name.
func (s *Service) ListAccounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := s.st.View(func(tx *boltstore.Tx) error {
		return tx.ForEachAccount(func(_ string, b []byte) error {
			rec, err := s.decodeAccount(b)
			if err != nil {
				return err
			}
			out = append(out, *rec.public())
			return nil
		})
	})
	return out, err
}

// DeleteAccount removes an account and everything the attached services
// hold for it. It MUST return ErrAccountNotFound when it does not exist.
func (s *Service) DeleteAccount(ctx context.Context, name string) error {
	defer s.accountChanged()
	err := s.st.View(func(tx *boltstore.Tx) error {
		if tx.Account(name) == nil {
			return ErrAccountNotFound
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range s.attached() {
		if err := p.DropAccount(ctx, name); err != nil {
			return err
		}
	}
	err = s.st.Update(func(tx *boltstore.Tx) error { return tx.DeleteAccount(name) })
	s.forgetKey(name)
	return err
}

// SetEncryption switches the key source of an account: it re-wraps the
// account encryption key (with the root key for Microsoft.Storage, through
// Config.KeyProvider for Microsoft.Keyvault) and never re-encrypts data.
// Errors from the key provider are returned unchanged. It MUST return
// storageerr.ErrAccountNotFound for an unknown account and storageerr.ErrInvalidInput for an
// unknown key source or a missing KeyID with Microsoft.Keyvault.
func (s *Service) SetEncryption(ctx context.Context, account string, spec EncryptionSpec) error {
	defer s.accountChanged()
	var source string
	switch {
	case strings.EqualFold(spec.KeySource, KeySourceStorage):
		source = KeySourceStorage
	case strings.EqualFold(spec.KeySource, KeySourceKeyvault):
		source = KeySourceKeyvault
		if spec.KeyID == "" {
			return storageerr.ErrInvalidInput.WithMessage("A key vault key identifier is required for key source Microsoft.Keyvault.")
		}
		if s.cfg.KeyProvider == nil {
			return storageerr.ErrFeatureNotSupported.WithMessage("No key provider is configured for customer-managed keys.")
		}
	default:
		return storageerr.ErrInvalidInput.WithMessage("Unknown key source %q.", spec.KeySource)
	}
	// The current key, unwrapped under the current source (a revoked vault
	// key cannot be switched away from: the AEK is unreachable). When the
	// account's identity is what fails (deleted, or lost its access), the
	// identity the new setting names may unwrap it instead, as Azure lets a
	// user recover by assigning a new identity that has access to the key.
	k, err := s.unwrapCurrent(ctx, account)
	if err != nil && source == KeySourceKeyvault {
		k, err = s.unwrapAs(ctx, account, spec.Identity, err)
	}
	if err != nil {
		return err
	}
	var (
		msealed []byte
		wrapped *WrappedKey
		gen     uint64
	)
	if source == KeySourceStorage {
		if msealed, err = crypto.Seal(s.cfg.RootKey, k.aek[:], aekAAD(account)); err != nil {
			return err
		}
	} else {
		w, err := s.cfg.KeyProvider.WrapKey(ctx, spec.Identity, spec.KeyID, k.aek[:])
		if err != nil {
			return err
		}
		wrapped = &w
		if gen, err = s.cfg.KeyProvider.KeyState(ctx, spec.Identity, w); err != nil {
			return err
		}
	}
	err = s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := s.loadAccount(tx, account)
		if err != nil {
			return err
		}
		if rec.AEKID != k.kid.String() {
			return fmt.Errorf("blobstore: account %s key changed during SetEncryption", account)
		}
		rec.KeySource, rec.RootSealedAEK, rec.VaultWrappedAEK = source, msealed, wrapped
		rec.KeyID, rec.Identity = "", nil
		if source == KeySourceKeyvault {
			id := spec.Identity
			rec.KeyID, rec.Identity = spec.KeyID, &id
		}
		return s.putAccount(tx, rec)
	})
	if err != nil {
		return err
	}
	nk := &AccountKey{aek: k.aek, kid: k.kid, metaKey: k.metaKey,
		source: source, wrapped: wrapped, identity: spec.Identity, gen: gen}
	nk.markChecked(s.Now())
	s.setKey(account, nk)
	return nil
}

func (s *Service) setKey(account string, k *AccountKey) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	s.keys[account] = k
}

func (s *Service) forgetKey(account string) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	delete(s.keys, account)
}

// cachedKey returns the cached account key, or nil.
func (s *Service) cachedKey(account string) *AccountKey {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	return s.keys[account]
}

// unwrapAs unwraps the account's vault-wrapped key as id; when that fails
// too, it returns orig, the error of the account's own identity.
func (s *Service) unwrapAs(ctx context.Context, account string, id Identity, orig error) (*AccountKey, error) {
	var rec *accountRec
	if err := s.st.View(func(tx *boltstore.Tx) error {
		var err error
		rec, err = s.loadAccount(tx, account)
		return err
	}); err != nil {
		return nil, err
	}
	if rec.KeySource != KeySourceKeyvault || rec.VaultWrappedAEK == nil {
		return nil, orig
	}
	kid, err := crypto.ParseKeyID(rec.AEKID)
	if err != nil {
		return nil, orig
	}
	k, err := s.unwrapVault(ctx, id, *rec.VaultWrappedAEK, kid, 0)
	if err != nil {
		return nil, orig
	}
	return k, nil
}

// unwrapCurrent returns the account key, checked against the key provider
// (the same as accountKey).
func (s *Service) unwrapCurrent(ctx context.Context, account string) (*AccountKey, error) {
	return s.accountKey(ctx, account)
}

// accountKey is the single place where every data access checks the
// account's key: for Microsoft.Storage it returns the cached AEK (unsealing
// it with the root key once); for Microsoft.Keyvault it asks the key provider
// for the key state on every call (cheap) and unwraps again only when the
// generation changed. Errors from the provider are returned unchanged.
func (s *Service) accountKey(ctx context.Context, account string) (*AccountKey, error) {
	cached := s.cachedKey(account)
	if cached != nil && cached.source == KeySourceStorage {
		return cached, nil
	}
	var rec *accountRec
	if cached == nil {
		err := s.st.View(func(tx *boltstore.Tx) error {
			var err error
			rec, err = s.loadAccount(tx, account)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if cached != nil {
		// Keyvault: check the state of the wrapping key.
		now := s.Now()
		if ttl := s.cfg.KeyCacheTTL; ttl > 0 && now.Sub(cached.checkedAt()) < ttl {
			return cached, nil
		}
		gen, err := s.keyProvider().KeyState(ctx, cached.identity, *cached.wrapped)
		if err != nil {
			return nil, err
		}
		if gen == cached.gen {
			cached.markChecked(now)
			return cached, nil
		}
		k, err := s.unwrapVault(ctx, cached.identity, *cached.wrapped, cached.kid, gen)
		if err != nil {
			return nil, err
		}
		return s.storeKey(account, cached, k), nil
	}
	kid, err := parseKeyID(rec.AEKID)
	if err != nil {
		return nil, err
	}
	var k *AccountKey
	switch rec.KeySource {
	case KeySourceKeyvault:
		if rec.VaultWrappedAEK == nil || rec.Identity == nil {
			return nil, fmt.Errorf("blobstore: account %s has no wrapped key", account)
		}
		if s.cfg.KeyProvider == nil {
			return nil, storageerr.ErrFeatureNotSupported.WithMessage("No key provider is configured for customer-managed keys.")
		}
		gen, err := s.cfg.KeyProvider.KeyState(ctx, *rec.Identity, *rec.VaultWrappedAEK)
		if err != nil {
			return nil, err
		}
		if k, err = s.unwrapVault(ctx, *rec.Identity, *rec.VaultWrappedAEK, kid, gen); err != nil {
			return nil, err
		}
	default:
		raw, err := crypto.Open(s.cfg.RootKey, rec.RootSealedAEK, aekAAD(account))
		if err != nil {
			return nil, fmt.Errorf("blobstore: unseal account key of %s: %w", account, err)
		}
		if k, err = newAccountKey(raw, kid); err != nil {
			return nil, err
		}
		k.source = KeySourceStorage
	}
	return s.storeKey(account, nil, k), nil
}

// sealing is the key the sealed store seals data under.
func (k *AccountKey) Sealing() sealed.Key { return sealed.Key{AEK: k.aek, ID: k.kid} }

var _ sealed.Refs = (*boltstore.Store)(nil)

func (k *AccountKey) checkedAt() time.Time { return time.Unix(0, k.checked.Load()) }

func (k *AccountKey) markChecked(t time.Time) { k.checked.Store(t.UnixNano()) }

// storeKey caches k unless another goroutine replaced old meanwhile.
func (s *Service) storeKey(account string, old, k *AccountKey) *AccountKey {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if cur := s.keys[account]; cur != old && cur != nil {
		return cur
	}
	s.keys[account] = k
	return k
}

func (s *Service) keyProvider() KeyProvider { return s.cfg.KeyProvider }

func (s *Service) unwrapVault(ctx context.Context, id Identity, w WrappedKey, kid crypto.KeyID, gen uint64) (*AccountKey, error) {
	raw, err := s.cfg.KeyProvider.UnwrapKey(ctx, id, w)
	if err != nil {
		return nil, err
	}
	k, err := newAccountKey(raw, kid)
	if err != nil {
		return nil, err
	}
	wc := w
	k.source, k.wrapped, k.identity, k.gen = KeySourceKeyvault, &wc, id, gen
	k.markChecked(s.Now())
	return k, nil
}

func newAccountKey(raw []byte, kid crypto.KeyID) (*AccountKey, error) {
	aek, err := crypto.KeyFromBytes(raw)
	clear(raw)
	if err != nil {
		return nil, fmt.Errorf("blobstore: account key: %w", err)
	}
	mk, err := hkdf.Key(sha256.New, aek[:], nil, "azemu blobstore metadata v1", crypto.KeySize)
	if err != nil {
		return nil, err
	}
	k := &AccountKey{aek: aek, kid: kid}
	copy(k.metaKey[:], mk)
	clear(mk)
	return k, nil
}

func parseKeyID(s string) (crypto.KeyID, error) {
	id, err := crypto.ParseFileID(s)
	if err != nil {
		return crypto.KeyID{}, fmt.Errorf("blobstore: account key id: %w", err)
	}
	return crypto.KeyID(id), nil
}

// Key returns the account key for an operation of a service built on this
// core. A gated operation (one that fails while the account's
// customer-managed key is unavailable; each service keeps its own list)
// checks the key state on every call; the others use the cached key when
// there is one, so they keep working after revocation as Azure's do.
// Errors from the key provider are returned unchanged.
func (s *Service) Key(ctx context.Context, account string, gated bool) (*AccountKey, error) {
	if !gated {
		if k := s.cachedKey(account); k != nil {
			return k, nil
		}
	}
	return s.accountKey(ctx, account)
}
