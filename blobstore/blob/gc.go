package blob

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/crypto"
)

// Garbage collection of staged blocks: each staged block record holds a
// reference on its data file (blobstore's refs.go); Sweep drops the blocks
// no commit used within uncommittedTTL, and the sealed store removes the
// files whose count dropped to zero. Files a crash left without any record
// are the sealed store's orphan sweep's.

// uncommittedTTL is how long staged blocks live without a commit.
const uncommittedTTL = 7 * 24 * time.Hour

// Sweep runs what is due on the emulator clock: it collects uncommitted blocks
// older than 7 days and data files nothing references. The emulator calls it
// periodically and after each clock advance.
func (s *Service) Sweep(ctx context.Context) error {
	cutoff := s.core.Now().Add(-uncommittedTTL)
	// A read-only pass first: most ticks find nothing to collect and then
	// take no write lock.
	due := false
	err := s.st.View(func(tx *boltstore.Tx) error {
		return tx.ForEachBlock(func(_, _, _ string, _, v []byte) error {
			rec, err := blobstore.DecodeRecord[blockRec](v)
			if err != nil {
				return err
			}
			if rec.Created.Before(cutoff) {
				due = true
				return errStop
			}
			return nil
		})
	})
	if err != nil && err != errStop {
		return err
	}
	if !due {
		return nil
	}
	var dead []crypto.FileID
	type blk struct {
		a, c, b string
		id      []byte
	}
	err = s.st.Update(func(tx *boltstore.Tx) error {
		var old []blk
		var exts []sealed.Extent
		err := tx.ForEachBlock(func(a, c, b string, id, v []byte) error {
			rec, err := blobstore.DecodeRecord[blockRec](v)
			if err != nil {
				return err
			}
			if rec.Created.Before(cutoff) {
				old = append(old, blk{a, c, b, append([]byte(nil), id...)})
				exts = append(exts, rec.extents()...)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, o := range old {
			if err := tx.DeleteBlock(o.a, o.c, o.b, o.id); err != nil {
				return err
			}
		}
		// Each block record holds its own reference.
		for _, e := range exts {
			if err := blobstore.AddRefs(tx, []sealed.Extent{e}, -1, &dead); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.data.Remove(dead)
	return nil
}

func (r *blockRec) extents() []sealed.Extent {
	if r.F == nil {
		return nil
	}
	return []sealed.Extent{{F: *r.F, Len: r.Size}}
}

func (r *blockRec) rawID() []byte {
	b, _ := base64.StdEncoding.DecodeString(r.ID)
	return b
}
