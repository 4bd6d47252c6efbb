package boltstore

import (
	"bytes"
	"encoding/binary"
)

// Azure Files key layout. The Files buckets are created on first write
// (ensureFileBuckets) so databases written before Files existed open
// unchanged; a missing bucket reads as empty. Names never contain 0x00
// (validName), so 0x00 separates variable-length parts and sorts a parent
// before its children.
//
//	fshares:   account 0x00 share 0x00 kind [snapshot] → share record.
//	           kind is kindSnapshot followed by the snapshot id (fixed-width
//	           RFC 3339 with 7 fractional digits, so byte order is time order)
//	           or kindBase for the live share: snapshots (oldest first) come
//	           right before the live share, as List Shares orders them.
//	fnodes:    scope lower(parent path) 0x00 lower(name) → directory or file
//	           record, where scope is account 0x00 share 0x00 snapshot 0x00
//	           (snapshot "" for the live share). Paths are folded to lower
//	           case because Azure Files names are case-insensitive (the
//	           record keeps the name as created). The children of a
//	           directory are one cursor range, in listing order; the
//	           root directory has no row (its properties live in the share
//	           record).
//	fextents:  scope fileID(8, big-endian) offset(8, big-endian) → extent:
//	           data file id (16) | offset in the data file (8) | length (8),
//	           all big-endian. Extents of one file never overlap; bytes no
//	           extent covers read as zeros. Each extent row holds one
//	           reference on its data file (bucket files).
//	fperms:    account 0x00 share 0x00 permission key → sealed SDDL.
//	fservice:  account → File service properties record.
var (
	bucketFileShares   = []byte("fshares")
	bucketFileNodes    = []byte("fnodes")
	bucketFileExtents  = []byte("fextents")
	bucketFilePerms    = []byte("fperms")
	bucketFileServices = []byte("fservice")
)

// FileBucket names one of the Azure Files buckets.
type FileBucket byte

// The Azure Files buckets (see the key layout above).
const (
	FileShares FileBucket = iota
	FileNodes
	FileExtents
	FilePerms
	FileServices
)

func (b FileBucket) name() []byte {
	switch b {
	case FileShares:
		return bucketFileShares
	case FileNodes:
		return bucketFileNodes
	case FileExtents:
		return bucketFileExtents
	case FilePerms:
		return bucketFilePerms
	case FileServices:
		return bucketFileServices
	}
	return nil
}

// ShareKey is the fshares key of a share (snapshot "" = live share).
func ShareKey(account, share, snapshot string) []byte {
	k := append(join(account, share), sep)
	if snapshot == "" {
		return append(k, kindBase)
	}
	return append(append(k, kindSnapshot), snapshot...)
}

// SharePrefix is account 0x00 share 0x00: every snapshot and the live share.
func SharePrefix(account, share string) []byte { return append(join(account, share), sep) }

// SharesPrefix is account 0x00: every share of an account.
func SharesPrefix(account string) []byte { return append([]byte(account), sep) }

// SplitShareKey splits an fshares key after SharesPrefix into share name and
// snapshot id.
func SplitShareKey(rest []byte) (share, snapshot string, ok bool) { return splitBlobSuffix(rest) }

// ShareScope is the fnodes/fextents prefix of a share or share snapshot.
func ShareScope(account, share, snapshot string) []byte {
	return append(join(account, share, snapshot), sep)
}

// NodeKey is the fnodes key of an entry; parent and name are already folded.
func NodeKey(scope []byte, parent, name string) []byte {
	k := make([]byte, 0, len(scope)+len(parent)+1+len(name))
	k = append(append(append(k, scope...), parent...), sep)
	return append(k, name...)
}

// ChildrenPrefix is the fnodes prefix of a directory's children.
func ChildrenPrefix(scope []byte, dir string) []byte {
	return append(append(bytes.Clone(scope), dir...), sep)
}

// ExtentPrefix is the fextents prefix of one file.
func ExtentPrefix(scope []byte, fileID uint64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(scope), fileID)
}

// ExtentKey is the fextents key of the extent of a file starting at off.
func ExtentKey(scope []byte, fileID uint64, off int64) []byte {
	return binary.BigEndian.AppendUint64(ExtentPrefix(scope, fileID), uint64(off))
}

// PermKey is the fperms key of a permission.
func PermKey(account, share, key string) []byte { return join(account, share, key) }

// Extent is one decoded fextents row.
type Extent struct {
	Off     int64    // offset in the Azure file
	Len     int64    // length in bytes
	File    [16]byte // data file id
	FileOff int64    // offset in the data file's plaintext
	// Inline, when set, is the sealed data file itself (a small range kept
	// in the row instead of on disk); File is then its id for decryption.
	Inline []byte
}

const extentValueSize = 16 + 8 + 8

// EncodeExtent encodes the value of an extent row: file id, file offset,
// length, then the inline data file if any (rows written before inline
// ranges existed are exactly extentValueSize bytes and still read).
func EncodeExtent(e Extent) []byte {
	b := make([]byte, 0, extentValueSize+len(e.Inline))
	b = append(b, e.File[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.FileOff))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Len))
	return append(b, e.Inline...)
}

// DecodeExtent decodes an extent row (key suffix after ExtentPrefix, value).
func DecodeExtent(off, v []byte) (Extent, bool) {
	if len(off) != 8 || len(v) < extentValueSize {
		return Extent{}, false
	}
	var e Extent
	e.Off = int64(binary.BigEndian.Uint64(off))
	copy(e.File[:], v[:16])
	e.FileOff = int64(binary.BigEndian.Uint64(v[16:24]))
	e.Len = int64(binary.BigEndian.Uint64(v[24:32]))
	if len(v) > extentValueSize {
		e.Inline = append([]byte(nil), v[extentValueSize:]...)
	}
	if e.Off < 0 || e.Len <= 0 || e.FileOff < 0 {
		return Extent{}, false
	}
	return e, true
}
