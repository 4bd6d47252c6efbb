package blobstore

import (
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/crypto"
)

// Reference counts of data files. Every record (blob, snapshot, staged
// block, Files extent) holds one reference on each distinct data file it
// uses; boltstore keeps the counts in the metadata transaction that
// changes the records. A file whose count drops to zero is removed by the
// sealed store after the transaction commits (or when the last reader that
// pinned it is done).

// AddRefs adds delta to the reference count of every distinct file of exts
// and appends the files that dropped to zero to dead.
func AddRefs(tx *boltstore.Tx, exts []sealed.Extent, delta int, dead *[]crypto.FileID) error {
	for _, id := range sealed.Files(exts) {
		n, err := tx.AddFileRef(id, delta)
		if err != nil {
			return err
		}
		if n == 0 && delta < 0 {
			*dead = append(*dead, id)
		}
	}
	return nil
}

// RefDeltas accumulates reference count changes of one transaction so each
// file's count is written once (a commit of 50,000 staged blocks would
// otherwise raise and lower 50,000 counts).
type RefDeltas map[crypto.FileID]int

// Add records delta for every distinct file of exts (one record's references).
func (r RefDeltas) Add(exts []sealed.Extent, delta int) {
	for _, id := range sealed.Files(exts) {
		r[id] += delta
	}
}

// Apply writes the non-zero deltas and appends the files that dropped to
// zero to dead.
func (r RefDeltas) Apply(tx *boltstore.Tx, dead *[]crypto.FileID) error {
	for id, d := range r {
		if d == 0 {
			continue
		}
		n, err := tx.AddFileRef(id, d)
		if err != nil {
			return err
		}
		if n == 0 {
			*dead = append(*dead, id)
		}
	}
	return nil
}
