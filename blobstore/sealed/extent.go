package sealed

import (
	"encoding/hex"

	"github.com/azemu/azemu/crypto"
)

// Extent is a range of a data file's plaintext. A small body's data file
// is kept inline, in In, instead of on disk: the same sealed bytes a data
// file would hold (crypto's STREAM format, F as its file id), stored in the
// caller's record, so a small upload costs one metadata commit and no file.
// Its JSON form is part of the blob record formats: do not change it.
type Extent struct {
	F   FileRef
	Off int64
	Len int64
	In  []byte `json:",omitempty"`
}

// FileRef is a data file id, JSON-encoded as hex.
type FileRef crypto.FileID

// MarshalText encodes the id as hex.
func (f FileRef) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(f[:])), nil }

// UnmarshalText decodes a hex id.
func (f *FileRef) UnmarshalText(b []byte) error {
	id, err := crypto.ParseFileID(string(b))
	if err != nil {
		return err
	}
	*f = FileRef(id)
	return nil
}

func (f FileRef) String() string { return crypto.FileID(f).String() }

// Files returns the distinct data files extents keep on disk (not the
// empty ones, not inline ones): what a record holds references on.
func Files(exts []Extent) []crypto.FileID {
	seen := make(map[FileRef]bool, len(exts))
	var out []crypto.FileID
	for _, e := range exts {
		if e.F == (FileRef{}) || e.In != nil {
			continue // an empty block or an inline data file: no file
		}
		if !seen[e.F] {
			seen[e.F] = true
			out = append(out, crypto.FileID(e.F))
		}
	}
	return out
}
