package boltstore

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// SchemaVersion is the on-disk schema version this build writes. Version 2
// stores records in authenticated envelopes (auth.go), which builds that
// know only version 1 must not read; version 1 databases still open and
// are migrated. Open fails with ErrSchemaVersion for any other version.
const SchemaVersion uint32 = 2

// schemaVersion1 is the schema before record authentication.
const schemaVersion1 uint32 = 1

// Bucket names. Every bucket is a flat top-level bucket; keys are built so
// that a cursor scan yields objects in the order Azure lists them.
var (
	// bucketMeta holds "schema" → uint32 big-endian SchemaVersion.
	bucketMeta = []byte("meta")
	// bucketAccounts: account name → account record.
	bucketAccounts = []byte("accounts")
	// bucketContainers: account 0x00 container → container record.
	bucketContainers = []byte("containers")
	// bucketBlobs: account 0x00 container 0x00 blob 0x00 kind [snapshot] →
	// blob record, where kind is kindSnapshot followed by the snapshot id
	// (fixed-width RFC 3339 with 7 fractional digits, so byte order is time
	// order) or kindBase for the base blob. Names never contain 0x00, so
	// "a" sorts before "a/b" and a blob's snapshots (oldest first) come right
	// before the base blob, exactly as List Blobs orders them.
	bucketBlobs = []byte("blobs")
	// bucketBlocks: account 0x00 container 0x00 blob 0x00 raw block id →
	// staged (uncommitted) block record.
	bucketBlocks = []byte("blocks")
	// bucketFiles: 16-byte data file id → uint32 big-endian reference count
	// (the number of records that reference the file). A file with no entry
	// here is garbage.
	bucketFiles = []byte("files")
)

var keySchema = []byte("schema")

const (
	sep          = 0x00
	kindSnapshot = 0x01
	kindBase     = 0x02
)

// ErrSchemaVersion means the database was written by an incompatible build.
var ErrSchemaVersion = errors.New("boltstore: unsupported schema version")

// ErrInvalidName means a name contains a 0x00 byte, which the key layout
// cannot represent.
var ErrInvalidName = errors.New("boltstore: name contains NUL")

func validName(parts ...string) error {
	for _, p := range parts {
		if bytes.IndexByte([]byte(p), sep) >= 0 {
			return ErrInvalidName
		}
	}
	return nil
}

func join(parts ...string) []byte {
	n := len(parts)
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, sep)
		}
		b = append(b, p...)
	}
	return b
}

// containerKey is account 0x00 container.
func containerKey(account, container string) []byte { return join(account, container) }

// containerPrefix is account 0x00.
func containerPrefix(account string) []byte { return append([]byte(account), sep) }

// blobPrefix is account 0x00 container 0x00.
func blobPrefix(account, container string) []byte {
	return append(join(account, container), sep)
}

// blobKey is the key of a blob (snapshot "" = base blob).
func blobKey(account, container, blob, snapshot string) []byte {
	k := append(join(account, container, blob), sep)
	if snapshot == "" {
		return append(k, kindBase)
	}
	k = append(k, kindSnapshot)
	return append(k, snapshot...)
}

// blobNamePrefix is account 0x00 container 0x00 blob 0x00: every version of one blob.
func blobNamePrefix(account, container, blob string) []byte {
	return append(join(account, container, blob), sep)
}

// splitBlobSuffix splits the part of a blob key after the container prefix
// into blob name and snapshot id.
func splitBlobSuffix(s []byte) (name, snapshot string, ok bool) {
	i := bytes.IndexByte(s, sep)
	if i < 0 || i+1 >= len(s) {
		return "", "", false
	}
	name = string(s[:i])
	switch s[i+1] {
	case kindBase:
		return name, "", i+2 == len(s)
	case kindSnapshot:
		return name, string(s[i+2:]), i+2 < len(s)
	}
	return "", "", false
}

// blockKey is account 0x00 container 0x00 blob 0x00 rawID.
func blockKey(account, container, blob string, rawID []byte) []byte {
	return append(blobNamePrefix(account, container, blob), rawID...)
}

func u32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}
