package boltstore

import (
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// Compact rewrites the database at path into a fresh file holding only its
// live data, then puts it in place. bbolt leaves the old bytes of a rewritten
// value in free pages; after a migration that replaced secrets held in clear
// (account keys before they were sealed), those pages must not stay in the
// data folder. The database must not be open.
func Compact(path string) error {
	src, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: defaultTimeout})
	if err != nil {
		return fmt.Errorf("boltstore: compact: open %s: %w", path, err)
	}
	tmp := path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: defaultTimeout})
	if err != nil {
		_ = src.Close()
		return fmt.Errorf("boltstore: compact: create %s: %w", tmp, err)
	}
	err = bolt.Compact(dst, src, 0)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("boltstore: compact %s: %w", path, err)
	}
	return nil
}
