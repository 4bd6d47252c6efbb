package sealed

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// refs is a Refs whose referenced set the test controls.
type refs struct {
	mu  sync.Mutex
	ref map[crypto.FileID]bool
}

func (r *refs) Unreferenced(_ context.Context, ids []crypto.FileID) ([]crypto.FileID, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []crypto.FileID
	for _, id := range ids {
		if !r.ref[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

func (r *refs) set(id crypto.FileID, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ref[id] = on
}

func newStore(t *testing.T, inline int64) (*Store, *refs, Key) {
	t.Helper()
	r := &refs{ref: map[crypto.FileID]bool{}}
	s, err := Open(Config{Dir: filepath.Join(t.TempDir(), "data"), Refs: r, InlineMax: inline})
	require.NoError(t, err)
	aek, err := crypto.NewKey()
	require.NoError(t, err)
	return s, r, Key{AEK: aek, ID: crypto.KeyID{1}}
}

func randBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func readAll(t *testing.T, s *Store, key Key, exts []Extent) []byte {
	t.Helper()
	pin, err := s.Pin(func() ([]Extent, error) { return exts, nil })
	require.NoError(t, err)
	defer pin.Release()
	r := pin.Reader(key, exts)
	out, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	require.NoError(t, err)
	return out
}

func TestWriteReadFileAndInline(t *testing.T) {
	s, _, key := newStore(t, DefaultInlineMax)
	ctx := context.Background()
	for _, n := range []int{1, DefaultInlineMax, DefaultInlineMax + 1, 3*64<<10 + 7} {
		body := randBytes(t, n)
		sum := md5.Sum(body)
		w, err := s.Write(ctx, key, bytes.NewReader(body), WriteOptions{Size: int64(n), Limit: 1 << 20, MD5: sum[:], Inline: true})
		require.NoError(t, err)
		s.Settle(w, true)
		assert.Equal(t, n <= DefaultInlineMax, w.Inline != nil, "size %d", n)
		assert.Equal(t, sum[:], w.MD5)
		if w.Inline == nil {
			onDisk, err := os.ReadFile(s.Path(w.ID))
			require.NoError(t, err)
			assert.NotContains(t, string(onDisk), string(body[:min(n, 64)]), "no plaintext on disk")
		}
		assert.Equal(t, body, readAll(t, s, key, w.Extents()))
	}
}

func TestWriteErrors(t *testing.T) {
	s, _, key := newStore(t, 0)
	ctx := context.Background()
	_, err := s.Write(ctx, key, bytes.NewReader(make([]byte, 10)), WriteOptions{Size: 10, Limit: 5})
	assert.ErrorIs(t, err, storageerr.ErrRequestBodyTooLarge)
	_, err = s.Write(ctx, key, bytes.NewReader(make([]byte, 10)), WriteOptions{Size: -1, Limit: 5})
	assert.ErrorIs(t, err, storageerr.ErrRequestBodyTooLarge)
	_, err = s.Write(ctx, key, bytes.NewReader(make([]byte, 10)), WriteOptions{Size: 10, Limit: 10, MD5: make([]byte, 16)})
	assert.ErrorIs(t, err, storageerr.ErrMD5Mismatch)
	_, err = s.Write(ctx, key, bytes.NewReader(make([]byte, 10)), WriteOptions{Size: 10, Limit: 10, MD5: []byte{1}})
	assert.ErrorIs(t, err, storageerr.ErrInvalidMD5)
	_, err = s.Write(ctx, key, bytes.NewReader(make([]byte, 9)), WriteOptions{Size: 10, Limit: 10})
	assert.ErrorIs(t, err, storageerr.ErrInvalidInput)
	w, err := s.Write(ctx, key, nil, WriteOptions{Size: 0, Limit: 10})
	require.NoError(t, err)
	assert.True(t, w.None)
	assert.Empty(t, w.Extents())
	assert.Equal(t, 0, countFiles(t, s), "failed and empty writes leave no file")
}

func countFiles(t *testing.T, s *Store) int {
	n := 0
	_ = filepath.WalkDir(s.cfg.Dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestSettleUncommittedRemoves(t *testing.T) {
	s, _, key := newStore(t, 0)
	w, err := s.Write(context.Background(), key, bytes.NewReader([]byte("abc")), WriteOptions{Size: 3, Limit: 3})
	require.NoError(t, err)
	assert.FileExists(t, s.Path(w.ID))
	s.Settle(w, false)
	assert.NoFileExists(t, s.Path(w.ID))
}

func TestPinKeepsFileUntilRelease(t *testing.T) {
	s, r, key := newStore(t, 0)
	body := []byte("pinned body")
	w, err := s.Write(context.Background(), key, bytes.NewReader(body), WriteOptions{Size: int64(len(body)), Limit: 100})
	require.NoError(t, err)
	r.set(w.ID, true)
	s.Settle(w, true)
	pin, err := s.Pin(func() ([]Extent, error) { return w.Extents(), nil })
	require.NoError(t, err)
	rd := pin.Reader(key, w.Extents())
	r.set(w.ID, false) // the record is gone
	s.Remove([]crypto.FileID{w.ID})
	assert.FileExists(t, s.Path(w.ID), "a pinned file outlives its record")
	got := make([]byte, len(body))
	_, err = rd.ReadAt(got, 0)
	require.NoError(t, err)
	assert.Equal(t, body, got)
	pin.Release()
	pin.Release()
	assert.NoFileExists(t, s.Path(w.ID))
}

func TestRemoveKeepsReferenced(t *testing.T) {
	s, r, key := newStore(t, 0)
	w, err := s.Write(context.Background(), key, bytes.NewReader([]byte("x")), WriteOptions{Size: 1, Limit: 1})
	require.NoError(t, err)
	s.Settle(w, true)
	r.set(w.ID, true)
	s.Remove([]crypto.FileID{w.ID})
	assert.FileExists(t, s.Path(w.ID))
}

func TestTamperedFileFailsRead(t *testing.T) {
	s, _, key := newStore(t, 0)
	body := randBytes(t, 1000)
	w, err := s.Write(context.Background(), key, bytes.NewReader(body), WriteOptions{Size: 1000, Limit: 1000})
	require.NoError(t, err)
	s.Settle(w, true)
	b, err := os.ReadFile(s.Path(w.ID))
	require.NoError(t, err)
	b[len(b)-20] ^= 1
	require.NoError(t, os.WriteFile(s.Path(w.ID), b, 0o600))
	pin, err := s.Pin(func() ([]Extent, error) { return w.Extents(), nil })
	require.NoError(t, err)
	defer pin.Release()
	_, err = pin.Reader(key, w.Extents()).ReadAt(make([]byte, 10), 0)
	assert.Error(t, err)
	other := key
	other.AEK[0] ^= 1
	_, err = pin.Reader(other, w.Extents()).ReadAt(make([]byte, 10), 0)
	assert.Error(t, err, "the wrong key fails")
}

func TestSweepOrphansSkipsNewAndReferenced(t *testing.T) {
	s, r, key := newStore(t, 0)
	ctx := context.Background()
	write := func() crypto.FileID {
		w, err := s.Write(ctx, key, bytes.NewReader([]byte("data")), WriteOptions{Size: 4, Limit: 4})
		require.NoError(t, err)
		s.Settle(w, true)
		return w.ID
	}
	orphan, kept, fresh := write(), write(), write()
	r.set(kept, true)
	old := time.Now().Add(-time.Hour)
	for _, id := range []crypto.FileID{orphan, kept} {
		require.NoError(t, os.Chtimes(s.Path(id), old, old))
	}
	n, err := s.SweepOrphans(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.NoFileExists(t, s.Path(orphan))
	assert.FileExists(t, s.Path(kept))
	assert.FileExists(t, s.Path(fresh), "a file written since Open may await its commit")
}
