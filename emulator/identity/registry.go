package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/azemu/azemu/crypto"
)

// Files in Config.DataDir; each is crypto.Seal'ed with the root key and the
// matching associated data, so a file swapped for another fails to open.
const (
	principalsFile = "principals.sealed"
	signingKeyFile = "signing-key.sealed"

	principalsAAD = "azemu/identity/principals/v1"
	signingKeyAAD = "azemu/identity/signing-key/v1"

	registryVersion = 1
)

// record is a principal as stored: the public fields plus the secret digest.
type record struct {
	Principal
	SecretSHA256 string `json:"SecretSHA256,omitempty"` // hex SHA-256 of the client secret
}

type registryFile struct {
	Version    int      `json:"version"`
	Principals []record `json:"principals"`
}

func devPrincipal() record {
	return record{
		Principal: Principal{
			Kind:        KindServicePrincipal,
			TenantID:    DevTenantID,
			ClientID:    DevClientID,
			ObjectID:    DevObjectID,
			DisplayName: "azemu development principal",
			// Created stays zero: tokens issued before a restart keep verifying.
		},
		SecretSHA256: secretDigest(DevClientSecret),
	}
}

func secretDigest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func secretMatches(r *record, secret string) bool {
	if r.SecretSHA256 == "" {
		return false
	}
	want, err := hex.DecodeString(r.SecretSHA256)
	if err != nil {
		return false
	}
	got := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(want, got[:]) == 1
}

// loadRegistry reads the sealed registry, or seeds it with the development
// principal when there is none yet. Caller holds no lock (called from New).
func (s *Service) loadRegistry() error {
	s.principals = map[string]*record{}
	if s.cfg.DataDir == "" {
		dev := devPrincipal()
		s.principals[dev.ObjectID] = &dev
		return nil
	}
	sealed, err := os.ReadFile(filepath.Join(s.cfg.DataDir, principalsFile))
	if errors.Is(err, os.ErrNotExist) {
		dev := devPrincipal()
		s.principals[dev.ObjectID] = &dev
		return s.saveRegistryLocked()
	}
	if err != nil {
		return fmt.Errorf("identity: read principals: %w", err)
	}
	plain, err := crypto.Open(s.cfg.RootKey, sealed, []byte(principalsAAD))
	if err != nil {
		return fmt.Errorf("identity: open principals (wrong root key?): %w", err)
	}
	var f registryFile
	if err := json.Unmarshal(plain, &f); err != nil {
		return fmt.Errorf("identity: decode principals: %w", err)
	}
	if f.Version != registryVersion {
		return fmt.Errorf("identity: principals file version %d is not supported", f.Version)
	}
	for i := range f.Principals {
		r := f.Principals[i]
		s.principals[r.ObjectID] = &r
	}
	return nil
}

// saveRegistryLocked persists the registry; the caller holds s.mu for writing.
func (s *Service) saveRegistryLocked() error {
	if s.cfg.DataDir == "" {
		return nil
	}
	f := registryFile{Version: registryVersion}
	for _, r := range s.principals {
		f.Principals = append(f.Principals, *r)
	}
	sort.Slice(f.Principals, func(i, j int) bool { return f.Principals[i].ObjectID < f.Principals[j].ObjectID })
	plain, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("identity: encode principals: %w", err)
	}
	sealed, err := crypto.Seal(s.cfg.RootKey, plain, []byte(principalsAAD))
	if err != nil {
		return fmt.Errorf("identity: seal principals: %w", err)
	}
	return writeFileAtomic(filepath.Join(s.cfg.DataDir, principalsFile), sealed)
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("identity: write %s: %w", filepath.Base(path), err)
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after a successful rename
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		return fmt.Errorf("identity: write %s: %w", filepath.Base(path), werr)
	}
	return nil
}

// newGUID returns a random (version 4) GUID in lower case.
func newGUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("identity: generate id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// isGUID reports whether s has the 8-4-4-4-12 hex form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// canonicalID validates an optional GUID field, generating one when empty.
func canonicalID(field, v string) (string, error) {
	if v == "" {
		return newGUID()
	}
	if !isGUID(v) {
		return "", fmt.Errorf("%w: %s %q is not a GUID", ErrInvalidPrincipal, field, v)
	}
	return strings.ToLower(v), nil
}

func canonicalTenant(v string) (string, error) {
	if v == "" {
		return DevTenantID, nil
	}
	if !isGUID(v) {
		return "", fmt.Errorf("%w: tenant %q is not a GUID", ErrInvalidPrincipal, v)
	}
	return strings.ToLower(v), nil
}

// putLocked inserts or replaces r, enforcing unique object ids across kinds and
// unique client ids per tenant. The caller holds s.mu for writing.
func (s *Service) putLocked(r record, now time.Time) (Principal, error) {
	for _, o := range s.principals {
		if o.ObjectID == r.ObjectID {
			continue
		}
		if strings.EqualFold(o.ClientID, r.ClientID) && strings.EqualFold(o.TenantID, r.TenantID) {
			return Principal{}, fmt.Errorf("%w: client id %s is used by object %s", ErrPrincipalExists, r.ClientID, o.ObjectID)
		}
	}
	if old, ok := s.principals[r.ObjectID]; ok {
		if old.Kind != r.Kind {
			return Principal{}, fmt.Errorf("%w: object id %s is a %s", ErrPrincipalExists, r.ObjectID, old.Kind)
		}
		r.Created = old.Created
	} else {
		// Tokens minted before this registration (for a removed principal that
		// had the same object id) must not come back to life.
		r.Created = now.UTC().Truncate(time.Second)
	}
	prev, had := s.principals[r.ObjectID]
	s.principals[r.ObjectID] = &r
	if err := s.saveRegistryLocked(); err != nil {
		if had {
			s.principals[r.ObjectID] = prev
		} else {
			delete(s.principals, r.ObjectID)
		}
		return Principal{}, err
	}
	return r.Principal, nil
}
