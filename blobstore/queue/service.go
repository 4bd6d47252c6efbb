package queue

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/crypto"
)

// Keys gives the key that seals an account's queue data.
type Keys interface {
	// SealKey returns the key that seals the queue data of account. While
	// the account's queue key type is "Account" it MUST be derived from the
	// account encryption key and MUST fail with the account's
	// customer-managed key error (a *storageerr.Error, 403
	// KeyVaultEncryptionKeyNotFound and its siblings) while that key is
	// revoked; while the key type is "Service" it MUST return a
	// Microsoft-managed key that no vault state gates. It MUST return the
	// same key for the same account every time (sealed data must stay
	// readable), and MUST return storageerr.ErrAccountNotFound for an
	// unknown account.
	SealKey(ctx context.Context, account string) (crypto.Key, error)
}

// Config configures a Service.
type Config struct {
	// DataDir holds queue.db. "" keeps it in a temporary folder removed by
	// Close.
	DataDir string
	// Keys seals message bodies and metadata.
	Keys Keys
	// Now is the emulator clock: visibility, expiry and insertion times
	// follow it. nil means time.Now.
	Now func() time.Time
	// Fsync makes every commit durable against power loss; without it a
	// committed message survives a killed process, not a power cut.
	Fsync bool
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
}

// Service is the Queue service. It is safe for concurrent use.
type Service struct {
	cfg     Config
	log     *slog.Logger
	db      *bolt.DB
	dir     string
	tempDir bool
}

// Open opens (or creates) queue.db in cfg.DataDir.
func Open(cfg Config) (*Service, error) {
	if cfg.Keys == nil {
		return nil, fmt.Errorf("queue: Config.Keys is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg, log: cfg.Logger, dir: cfg.DataDir}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.dir == "" {
		d, err := memoryDir()
		if err != nil {
			return nil, fmt.Errorf("queue: temp dir: %w", err)
		}
		s.dir, s.tempDir = d, true
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("queue: %w", err)
	}
	db, err := bolt.Open(filepath.Join(s.dir, DBFile), 0o600, &bolt.Options{
		Timeout: time.Second, NoSync: !cfg.Fsync, FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("queue: open %s: %w", DBFile, err)
	}
	if err := initSchema(db); err != nil {
		_ = db.Close()
		s.cleanup()
		return nil, err
	}
	s.db = db
	return s, nil
}

func initSchema(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := meta.Get(keySchema); v != nil {
			if len(v) != 4 || uint32(v[0])<<24|uint32(v[1])<<16|uint32(v[2])<<8|uint32(v[3]) != SchemaVersion {
				return fmt.Errorf("%w: %x", ErrSchemaVersion, v)
			}
		} else if err := meta.Put(keySchema, []byte{byte(SchemaVersion >> 24), byte(SchemaVersion >> 16), byte(SchemaVersion >> 8), byte(SchemaVersion)}); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketProps, bucketQueues, bucketCounts, bucketMessages, bucketVisible, bucketExpiry, bucketServiceKeys} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// memoryDir is a RAM-backed folder where the system has one (/dev/shm),
// else the temp folder. What lands there is sealed like any data folder.
func memoryDir() (string, error) {
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "azemu-queue-*"); err == nil {
			return d, nil
		}
	}
	return os.MkdirTemp("", "azemu-queue-*")
}

func (s *Service) cleanup() {
	if s.tempDir {
		_ = os.RemoveAll(s.dir)
	}
}

// Close closes the database and, in memory mode, removes its folder.
func (s *Service) Close() error {
	err := s.db.Close()
	s.cleanup()
	return err
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// sealKey asks Keys for the account's key.
func (s *Service) sealKey(ctx context.Context, account string) (crypto.Key, error) {
	return s.cfg.Keys.SealKey(ctx, account)
}
