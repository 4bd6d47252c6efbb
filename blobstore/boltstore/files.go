package boltstore

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// fileBucket returns an Azure Files bucket, creating it in a read-write
// transaction (ensureFileBuckets); in a read-only transaction a bucket that
// was never written is nil and reads as empty.
func (t *Tx) fileBucket(b FileBucket) (*bolt.Bucket, error) {
	if bk := t.tx.Bucket(b.name()); bk != nil || !t.rw {
		return bk, nil
	}
	return t.tx.CreateBucketIfNotExists(b.name())
}

// FileGet returns a copy of the value at key, nil when absent.
func (t *Tx) FileGet(b FileBucket, key []byte) []byte {
	return t.get(b.name(), key)
}

// FilePut stores a value. The key parts were checked by the caller's key
// builders; a 0x00 inside a name is refused by CheckFileNames.
func (t *Tx) FilePut(b FileBucket, key, value []byte) error {
	bk, err := t.fileBucket(b)
	if err != nil {
		return err
	}
	return bk.Put(key, t.seal(b.name(), key, value))
}

// FileDelete removes a key (absent keys are no error).
func (t *Tx) FileDelete(b FileBucket, key []byte) error {
	bk := t.tx.Bucket(b.name())
	if bk == nil {
		return nil
	}
	return bk.Delete(key)
}

// CheckFileNames refuses names that contain 0x00 (ErrInvalidName).
func CheckFileNames(parts ...string) error { return validName(parts...) }

// FileScan calls fn for every key with prefix, starting at the first key
// greater than or equal to from (nil: the start of the prefix), in key
// order, until fn returns false or an error. Keys and values are valid only
// during fn. fn must not modify the bucket; collect keys and change them
// after the scan.
func (t *Tx) FileScan(b FileBucket, prefix, from []byte, fn func(k, v []byte) (bool, error)) error {
	bk := t.tx.Bucket(b.name())
	if bk == nil {
		return nil
	}
	start := prefix
	if from != nil && bytes.Compare(from, prefix) > 0 {
		start = from
	}
	c := bk.Cursor()
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		v, err := t.open(b.name(), k, v)
		if err != nil {
			return err
		}
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// FileLastBefore returns a copy of the last key/value with prefix that is
// strictly less than key, or nil.
func (t *Tx) FileLastBefore(b FileBucket, prefix, key []byte) (k, v []byte) {
	bk := t.tx.Bucket(b.name())
	if bk == nil {
		return nil, nil
	}
	c := bk.Cursor()
	ck, _ := c.Seek(key)
	if ck == nil {
		ck, v = c.Last()
	} else {
		ck, v = c.Prev()
	}
	if ck == nil || !bytes.HasPrefix(ck, prefix) || bytes.Compare(ck, key) >= 0 {
		return nil, nil
	}
	v, err := t.open(b.name(), ck, v)
	if err != nil {
		return nil, nil // t.err fails the transaction
	}
	return bytes.Clone(ck), bytes.Clone(v)
}

// FileDeletePrefix removes every key with prefix and calls fn (may be nil)
// with each value first.
func (t *Tx) FileDeletePrefix(b FileBucket, prefix []byte, fn func(k, v []byte) error) error {
	bk := t.tx.Bucket(b.name())
	if bk == nil {
		return nil
	}
	var keys [][]byte
	c := bk.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if fn != nil {
			v, err := t.open(b.name(), k, v)
			if err != nil {
				return err
			}
			if err := fn(k, v); err != nil {
				return err
			}
		}
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := bk.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
