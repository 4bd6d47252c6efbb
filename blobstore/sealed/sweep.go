package sealed

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/azemu/azemu/crypto"
)

// SweepOrphans removes data files that no reference count covers and that
// were written before this Store opened (files written since may belong to
// an upload whose commit is still running). It returns how many it
// removed; a cancelled ctx stops it early without error.
func (s *Store) SweepOrphans(ctx context.Context) (int, error) {
	removed := 0
	dirs, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return removed, err
	}
	for _, d := range dirs {
		if ctx.Err() != nil {
			return removed, nil
		}
		if !d.IsDir() {
			continue
		}
		cands := s.oldFiles(filepath.Join(s.cfg.Dir, d.Name()))
		if len(cands) == 0 {
			continue
		}
		orphans, err := s.cfg.Refs.Unreferenced(ctx, cands)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return removed, nil
			}
			return removed, err
		}
		for _, id := range s.idle(orphans) {
			if os.Remove(s.Path(id)) == nil {
				removed++
			}
		}
	}
	return removed, nil
}

// oldFiles lists the data files of one fan-out folder written before Open.
func (s *Store) oldFiles(dir string) []crypto.FileID {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []crypto.FileID
	for _, e := range entries {
		id, err := crypto.ParseFileID(e.Name())
		if err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(s.started) {
			continue
		}
		out = append(out, id)
	}
	return out
}
