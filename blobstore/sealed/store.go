package sealed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/azemu/azemu/crypto"
)

// DefaultInlineMax is the largest body a Write with Inline set keeps in its
// record instead of a data file. Creating a file costs far more than
// sealing 16 KiB (hundreds of microseconds on some virtual disks), and
// small blobs are where per-request cost dominates.
const DefaultInlineMax = 16 << 10

// Refs is what the store asks of the metadata before it removes a file.
type Refs interface {
	// Unreferenced MUST return those of ids that no committed record
	// references (whose reference count is zero), as of now.
	Unreferenced(ctx context.Context, ids []crypto.FileID) ([]crypto.FileID, error)
}

// Key is the key data is sealed under: an account's encryption key and its
// id, recorded in each data file's header.
type Key struct {
	AEK crypto.Key
	ID  crypto.KeyID
}

// Config configures a Store.
type Config struct {
	// Dir holds the data files; it is created if missing.
	Dir string
	// Refs answers whether a file is still referenced.
	Refs Refs
	// Fsync makes Write fsync each file and its folder.
	Fsync bool
	// InlineMax is the largest body kept inline by a Write with Inline set;
	// 0 keeps every body in a file.
	InlineMax int64
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
}

// Store is the sealed-extent store. It is safe for concurrent use.
type Store struct {
	cfg     Config
	log     *slog.Logger
	started time.Time // real time of Open: older files may be orphans

	// gcMu orders readers against file removal: a reader holds it shared
	// from reading a record until it has pinned the record's files; removal
	// takes it exclusively, so a file is never removed under a reader that
	// saw a record referencing it.
	gcMu     sync.RWMutex
	fileMu   sync.Mutex
	pins     map[crypto.FileID]int
	doomed   map[crypto.FileID]bool
	inflight map[crypto.FileID]bool
}

// Open opens the store in cfg.Dir.
func Open(cfg Config) (*Store, error) {
	if cfg.Refs == nil {
		return nil, errors.New("sealed: Config.Refs is required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	s := &Store{
		cfg:      cfg,
		log:      cfg.Logger,
		started:  time.Now(),
		pins:     map[crypto.FileID]int{},
		doomed:   map[crypto.FileID]bool{},
		inflight: map[crypto.FileID]bool{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Path is where the data file id lives (for tests that tamper with files).
func (s *Store) Path(id crypto.FileID) string {
	h := id.String()
	return filepath.Join(s.cfg.Dir, h[:2], h)
}

// Remove deletes data files whose reference count dropped to zero, or
// defers that until the readers that pinned them are done. Call it after
// the transaction that dropped the counts committed. It runs to the end
// even when the request that dropped them is gone.
func (s *Store) Remove(ids []crypto.FileID) {
	if len(ids) == 0 {
		return
	}
	// A transaction may drop a file's count to zero and raise it again
	// (a commit that reuses a staged block): keep files still referenced.
	// A file at zero can never be referenced again, so this is race free.
	gone, err := s.cfg.Refs.Unreferenced(context.Background(), ids)
	if err != nil {
		s.log.Warn("sealed: check data files", "err", err)
		return
	}
	for _, id := range s.doom(gone) {
		if err := os.Remove(s.Path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("sealed: remove data file", "file", id.String(), "err", err)
		}
	}
}

// doom returns the files that can be removed now and marks the pinned ones
// for removal at unpin. Holding gcMu exclusively waits out every reader
// that may have seen a record referencing them but not pinned yet; readers
// that start later cannot see those records any more (the commit that
// dropped them is done), so the removal itself needs no lock.
func (s *Store) doom(ids []crypto.FileID) []crypto.FileID {
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	var now []crypto.FileID
	for _, id := range ids {
		if s.pins[id] > 0 {
			s.doomed[id] = true
		} else {
			now = append(now, id)
		}
	}
	return now
}
