package keyvault

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	azcrypto "github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/keyvault/boltstore"
)

// Config configures the vault service.
type Config struct {
	// DataDir holds keyvault.db; "" keeps everything in memory.
	DataDir string
	// RootKey seals key material at rest and backups.
	RootKey azcrypto.Key
	// Now is the emulator clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Rand is the randomness for key generation and padding; nil = crypto/rand.
	Rand io.Reader
	// Store overrides the store picked from DataDir (tests).
	Store Store
}

// Service is the vault service. It is safe for concurrent use.
type Service struct {
	cfg   Config
	now   func() time.Time
	rand  io.Reader
	log   *slog.Logger
	store Store

	mu     sync.RWMutex
	gen    uint64
	vaults map[string]*vaultState // by lower-case name
}

type vaultState struct {
	v    Vault
	gen  uint64
	keys map[string]*keyState // by lower-case name
	obj  *vaultObjects        // secrets, certificates, issuers, contacts
}

type keyState struct {
	name     string
	versions []*keyVersion // creation order: latest last
	deleted  *time.Time
	purgeAt  *time.Time
	policy   *RotationPolicy
	gen      uint64
}

// keyVersion is immutable once published; updates replace it.
type keyVersion struct {
	version       string
	kty           string // as created: RSA, RSA-HSM, EC, EC-HSM
	keyOps        []string
	enabled       bool
	nbf, exp      *time.Time
	created       time.Time
	updated       time.Time
	exportable    bool
	tags          map[string]string
	releasePolicy json.RawMessage
	kp            keyPair
	pub           JSONWebKey
	sealed        []byte // private JWK sealed with the root key
}

func (k *keyState) latest() *keyVersion {
	if len(k.versions) == 0 {
		return nil
	}
	return k.versions[len(k.versions)-1]
}

// Open starts the service and loads persisted vaults and keys.
func Open(cfg Config) (*Service, error) {
	s := &Service{cfg: cfg, now: cfg.Now, rand: cfg.Rand, log: cfg.Logger, vaults: map[string]*vaultState{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case cfg.Store != nil:
		s.store = cfg.Store
	case cfg.DataDir == "":
		s.store = newMemStore()
	default:
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("keyvault: %w", err)
		}
		st, err := boltstore.Open(filepath.Join(cfg.DataDir, "keyvault.db"))
		if err != nil {
			return nil, fmt.Errorf("keyvault: open store: %w", err)
		}
		s.store = st
	}
	if err := s.load(context.Background()); err != nil {
		_ = s.store.Close()
		return nil, err
	}
	if err := s.loadObjects(context.Background()); err != nil {
		_ = s.store.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Service) Close() error { return s.store.Close() }

// nextGen returns a new generation value. Caller holds s.mu for writing.
func (s *Service) nextGen() uint64 {
	s.gen++
	return s.gen
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

// vault returns an active vault. Caller holds s.mu.
func (s *Service) vault(name string) (*vaultState, error) {
	v, ok := s.vaults[strings.ToLower(name)]
	if !ok || v.v.Deleted != nil {
		return nil, vaultNotFound(name)
	}
	return v, nil
}

// Tick runs what is due on the emulator clock: purges of soft-deleted keys
// and vaults whose scheduledPurgeDate has passed, and Rotate lifetime actions.
func (s *Service) Tick(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	var errs []error
	for vn, v := range s.vaults {
		if v.v.ScheduledPurge != nil && !now.Before(*v.v.ScheduledPurge) {
			if err := s.store.DeleteVault(ctx, vn); err != nil {
				errs = append(errs, err)
				continue
			}
			delete(s.vaults, vn)
			s.nextGen()
			s.log.Info("vault purged", "vault", v.v.Name)
			continue
		}
		if v.v.Deleted != nil {
			continue
		}
		errs = append(errs, s.tickObjects(ctx, v, now))
		for kn, k := range v.keys {
			if k.purgeAt != nil && !now.Before(*k.purgeAt) {
				if err := s.store.DeleteKey(ctx, vn, kn); err != nil {
					errs = append(errs, err)
					continue
				}
				delete(v.keys, kn)
				s.nextGen()
				s.log.Info("key purged", "vault", v.v.Name, "key", k.name)
				continue
			}
			if k.deleted == nil && rotationDue(k, now) {
				if _, err := s.rotateLocked(ctx, v, k); err != nil {
					errs = append(errs, err)
				} else {
					s.log.Info("key rotated by policy", "vault", v.v.Name, "key", k.name)
				}
			}
		}
	}
	return errors.Join(errs...)
}
