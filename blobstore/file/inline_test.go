package file

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Small Azure Files ranges are kept inline in their extent rows, sealed
// like a data file: no file on disk, no plaintext in the database, and a
// flipped byte fails the read.
func TestFileInlineRangesAreSealed(t *testing.T) {
	e := newFSEnv(t, nil)
	e.inline = true
	e.reopen()
	e.mkShare("inl")
	ref := fref("inl", "f")
	e.mkFile(ref, 4096)
	secret := bytes.Repeat([]byte("file-inline-canary "), 50)
	e.write(ref, 100, secret)
	assert.Equal(t, 0, e.dataFiles(), "a small range writes no data file")
	assert.Equal(t, secret, e.readAll(ref)[100:100+len(secret)])

	require.NoError(t, e.core.Close())
	db := ""
	for p, b := range walkFiles(t, e.cfg.DataDir) {
		assert.False(t, bytes.Contains(b, secret[:19]), "%s holds plaintext", p)
		if bytes.Contains(b, []byte("AZEF")) {
			db = p
		}
	}
	require.NotEmpty(t, db, "the sealed range lives in the metadata database")
	raw, err := os.ReadFile(db)
	require.NoError(t, err)
	// bbolt may keep stale copies of the row in free pages: flip a byte in
	// every copy, inside the sealed chunk past the 64-byte header.
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte("AZEF"))
		if j < 0 || i+j+100 >= len(raw) {
			break
		}
		raw[i+j+100] ^= 1
		i += j + 4
	}
	require.NoError(t, os.WriteFile(db, raw, 0o600))
	e.open()
	r, err := e.s.GetFile(e.ctx, ref, "")
	if err == nil {
		buf := make([]byte, 4096)
		_, err = r.ReadAt(buf, 0)
		_ = r.Close()
	}
	assert.Error(t, err, "a tampered inline range must not read")
}

// walkFiles returns the contents of every file under dir.
func walkFiles(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = b
		return nil
	}))
	return out
}
