package file

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

const fsAcct = "fsaccount"

// fsEnv is a Service on disk for the Azure Files tests.
type fsEnv struct {
	t    testing.TB
	core *blobstore.Service
	s    *Service
	cfg  blobstore.Config
	ctx  context.Context
	now  time.Time
	mu   sync.Mutex
	// inline keeps small ranges in their extent rows (the default outside
	// tests).
	inline bool
}

func newFSEnv(t testing.TB, kp blobstore.KeyProvider) *fsEnv {
	t.Helper()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	e := &fsEnv{t: t, ctx: context.Background(), now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	e.cfg = blobstore.Config{DataDir: t.TempDir(), RootKey: root, Now: e.clock, KeyProvider: kp}
	e.open()
	require.NoError(t, e.core.CreateAccount(e.ctx, blobstore.AccountSpec{Name: fsAcct, Keys: [][]byte{[]byte("k1")}}))
	t.Cleanup(func() {
		if e.s != nil {
			_ = e.core.Close()
		}
	})
	return e
}

func (e *fsEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(time.Millisecond)
	return e.now
}

func (e *fsEnv) open() {
	cfg := e.cfg
	// Most tests look at data files; inline_test.go covers small bodies
	// kept in their records.
	cfg.NoInline = !e.inline
	core, err := blobstore.Open(cfg)
	require.NoError(e.t, err)
	e.core, e.s = core, New(core, nil)
}

func (e *fsEnv) reopen() {
	require.NoError(e.t, e.core.Close())
	e.open()
}

func sref(share string) blobstore.ShareRef { return blobstore.ShareRef{Account: fsAcct, Share: share} }

func fref(share, path string) blobstore.FileRef {
	return blobstore.FileRef{Account: fsAcct, Share: share, Path: path}
}

func (e *fsEnv) mkShare(name string) {
	e.t.Helper()
	_, err := e.s.CreateShare(e.ctx, sref(name), blobstore.CreateShareOptions{})
	require.NoError(e.t, err)
}

func (e *fsEnv) mkFile(ref blobstore.FileRef, size int64) {
	e.t.Helper()
	_, err := e.s.CreateFile(e.ctx, ref, blobstore.CreateFileOptions{Size: size})
	require.NoError(e.t, err)
}

func (e *fsEnv) write(ref blobstore.FileRef, off int64, data []byte) {
	e.t.Helper()
	_, err := e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: off, Length: int64(len(data)), Body: bytes.NewReader(data)})
	require.NoError(e.t, err)
}

func (e *fsEnv) readAll(ref blobstore.FileRef) []byte {
	e.t.Helper()
	r, err := e.s.GetFile(e.ctx, ref, "")
	require.NoError(e.t, err)
	defer r.Close()
	b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	require.NoError(e.t, err)
	return b
}

// dataFiles counts the encrypted data files on disk.
func (e *fsEnv) dataFiles() int {
	n := 0
	_ = filepath.WalkDir(filepath.Join(e.cfg.DataDir, "data"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// Small ranges are kept inline in their extent rows, larger ones in data
// files; both must read back exactly, split, list and clear alike.
func TestFileRandomWritesMatchModel(t *testing.T) {
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) { testFileRandomWrites(t, inline) })
	}
}

func testFileRandomWrites(t *testing.T, inline bool) {
	e := newFSEnv(t, nil)
	if inline {
		e.inline = true
		e.reopen()
	}
	e.mkShare("model")
	ref := fref("model", "f.bin")
	const size = 1 << 20
	e.mkFile(ref, size)
	model := make([]byte, size)
	written := make([]bool, size)
	rng := mrand.New(mrand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		off := rng.Int64N(size - 1)
		n := 1 + rng.Int64N(min(size-off, 70000))
		if rng.IntN(5) == 0 {
			_, err := e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: off, Length: n, Clear: true})
			require.NoError(t, err)
			clear(model[off : off+n])
			// Only whole 512-byte pages are released; written bytes of the
			// unaligned edges read as zeros and stay ranges.
			for j := (off + 511) / 512 * 512; j < (off+n)/512*512; j++ {
				written[j] = false
			}
			continue
		}
		data := make([]byte, n)
		_, _ = rand.Read(data)
		e.write(ref, off, data)
		copy(model[off:], data)
		for j := off; j < off+n; j++ {
			written[j] = true
		}
	}
	require.Equal(t, model, e.readAll(ref))
	// Random reads at odd offsets through the ReaderAt.
	r, err := e.s.GetFile(e.ctx, ref, "")
	require.NoError(t, err)
	for i := 0; i < 100; i++ {
		off := rng.Int64N(size)
		buf := make([]byte, rng.IntN(100000)+1)
		n, err := r.ReadAt(buf, off)
		want := model[off:min(off+int64(len(buf)), size)]
		require.Equal(t, len(want), n)
		if n < len(buf) {
			require.ErrorIs(t, err, io.EOF)
		}
		require.Equal(t, want, buf[:n])
	}
	require.NoError(t, r.Close())
	// List Ranges is exactly the written coverage.
	rl, err := e.s.ListRanges(e.ctx, ref, blobstore.ListRangesOptions{})
	require.NoError(t, err)
	var want []blobstore.ByteRange
	for i := int64(0); i < size; i++ {
		if !written[i] {
			continue
		}
		if n := len(want); n > 0 && want[n-1].End == i-1 {
			want[n-1].End = i
		} else {
			want = append(want, blobstore.ByteRange{Start: i, End: i})
		}
	}
	assert.Equal(t, want, rl.Ranges)
	// Shrink, then delete: every data file is collected.
	sz := int64(1000)
	_, err = e.s.SetFileProperties(e.ctx, ref, blobstore.SetFilePropertiesOptions{Size: &sz})
	require.NoError(t, err)
	assert.Equal(t, model[:1000], e.readAll(ref))
	require.NoError(t, e.s.DeleteFile(e.ctx, ref, ""))
	assert.Equal(t, 0, e.dataFiles())
}

func TestFileSnapshotsAndDiff(t *testing.T) {
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) { testFileSnapshotsAndDiff(t, inline) })
	}
}

func testFileSnapshotsAndDiff(t *testing.T, inline bool) {
	e := newFSEnv(t, nil)
	if inline {
		e.inline = true
		e.reopen()
	}
	e.mkShare("snap")
	ref := fref("snap", "f")
	e.mkFile(ref, 8192)
	v1 := bytes.Repeat([]byte{1}, 8192)
	e.write(ref, 0, v1)
	snap, err := e.s.SnapshotShare(e.ctx, sref("snap"), nil)
	require.NoError(t, err)
	require.NotEmpty(t, snap.Snapshot)
	e.write(ref, 1024, bytes.Repeat([]byte{2}, 512))
	_, err = e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: 4096, Length: 1024, Clear: true})
	require.NoError(t, err)

	old := ref
	old.Snapshot = snap.Snapshot
	assert.Equal(t, v1, e.readAll(old))
	rl, err := e.s.ListRanges(e.ctx, ref, blobstore.ListRangesOptions{PrevSnapshot: snap.Snapshot})
	require.NoError(t, err)
	assert.Equal(t, []blobstore.ByteRange{{Start: 1024, End: 1535}}, rl.Ranges)
	assert.Equal(t, []blobstore.ByteRange{{Start: 4096, End: 5119}}, rl.ClearRanges)

	_, err = e.s.PutRange(e.ctx, old, blobstore.PutRangeOptions{Offset: 0, Length: 1, Body: bytes.NewReader([]byte{9})})
	assert.ErrorIs(t, err, storageerr.ErrShareSnapshotOperationNotSupported)
	err = e.s.DeleteShare(e.ctx, sref("snap"), blobstore.DeleteShareOptions{})
	assert.ErrorIs(t, err, storageerr.ErrShareHasSnapshots)
	list, err := e.s.ListShares(e.ctx, fsAcct, blobstore.ListSharesOptions{IncludeSnapshots: true})
	require.NoError(t, err)
	require.Len(t, list.Shares, 2)
	assert.Equal(t, snap.Snapshot, list.Shares[0].Snapshot)
	require.NoError(t, e.s.DeleteShare(e.ctx, sref("snap"), blobstore.DeleteShareOptions{DeleteSnapshots: "include"}))
	assert.Equal(t, 0, e.dataFiles())
}

func TestFileTreeRenameAndErrors(t *testing.T) {
	e := newFSEnv(t, nil)
	e.mkShare("tree")
	_, err := e.s.CreateShare(e.ctx, sref("tree"), blobstore.CreateShareOptions{})
	assert.ErrorIs(t, err, storageerr.ErrShareAlreadyExists)
	for _, d := range []string{"A", "A/B", "A/B/C"} {
		_, err := e.s.CreateDirectory(e.ctx, fref("tree", d), blobstore.CreateDirectoryOptions{})
		require.NoError(t, err)
	}
	e.mkFile(fref("tree", "A/B/C/file.txt"), 3)
	e.write(fref("tree", "a/b/c/FILE.txt"), 0, []byte("abc")) // case-insensitive

	tests := []struct {
		name string
		err  error
		fn   func() error
	}{
		{"parent not found", storageerr.ErrParentNotFound, func() error {
			_, err := e.s.CreateDirectory(e.ctx, fref("tree", "X/Y"), blobstore.CreateDirectoryOptions{})
			return err
		}},
		{"dir exists", storageerr.ErrResourceAlreadyExists, func() error {
			_, err := e.s.CreateDirectory(e.ctx, fref("tree", "a"), blobstore.CreateDirectoryOptions{})
			return err
		}},
		{"not found", storageerr.ErrResourceNotFound, func() error {
			_, err := e.s.GetFileProperties(e.ctx, fref("tree", "A/nope"), "")
			return err
		}},
		{"parent of missing", storageerr.ErrParentNotFound, func() error {
			_, err := e.s.GetFileProperties(e.ctx, fref("tree", "Q/nope"), "")
			return err
		}},
		{"not empty", storageerr.ErrDirectoryNotEmpty, func() error { return e.s.DeleteDirectory(e.ctx, fref("tree", "A")) }},
		{"range past end", storageerr.ErrInvalidRange, func() error {
			_, err := e.s.PutRange(e.ctx, fref("tree", "A/B/C/file.txt"), blobstore.PutRangeOptions{Offset: 2, Length: 2, Body: strings.NewReader("xy")})
			return err
		}},
		{"bad name", storageerr.ErrInvalidResourceName, func() error {
			_, err := e.s.CreateDirectory(e.ctx, fref("tree", "bad|name"), blobstore.CreateDirectoryOptions{})
			return err
		}},
		{"too deep", storageerr.ErrInvalidFileOrDirectoryPathName, func() error {
			_, err := e.s.CreateDirectory(e.ctx, fref("tree", strings.Repeat("d/", 260)+"x"), blobstore.CreateDirectoryOptions{})
			return err
		}},
		{"share missing", storageerr.ErrShareNotFound, func() error {
			_, err := e.s.GetDirectoryProperties(e.ctx, fref("nosuch", ""))
			return err
		}},
		{"None with others", storageerr.ErrInvalidHeaderValue, func() error {
			_, err := e.s.CreateDirectory(e.ctx, fref("tree", "n"), blobstore.CreateDirectoryOptions{SMB: blobstore.SMBProperties{Attributes: "None|ReadOnly"}})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.ErrorIs(t, tc.fn(), tc.err) })
	}

	// Leases: an infinite lease demands its id for writes and deletes.
	lr, err := e.s.LeaseFile(e.ctx, fref("tree", "A/B/C/file.txt"), blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1})
	require.NoError(t, err)
	_, err = e.s.PutRange(e.ctx, fref("tree", "A/B/C/file.txt"), blobstore.PutRangeOptions{Offset: 0, Length: 1, Body: strings.NewReader("z")})
	assert.Equal(t, "LeaseIdMissing", storageerr.CodeOf(err))
	assert.Equal(t, "LeaseIdMissing", storageerr.CodeOf(e.s.DeleteFile(e.ctx, fref("tree", "A/B/C/file.txt"), "")))
	_, err = e.s.LeaseFile(e.ctx, fref("tree", "A/B/C/file.txt"), blobstore.LeaseOptions{Action: blobstore.LeaseRelease, LeaseID: lr.LeaseID})
	require.NoError(t, err)

	// Rename a directory: everything below moves.
	_, err = e.s.RenameDirectory(e.ctx, fref("tree", "Moved"), blobstore.RenameOptions{Source: fref("tree", "A/B")})
	require.NoError(t, err)
	assert.Equal(t, []byte("abc"), e.readAll(fref("tree", "moved/C/file.txt")))
	_, err = e.s.GetDirectoryProperties(e.ctx, fref("tree", "A/B"))
	assert.ErrorIs(t, err, storageerr.ErrResourceNotFound)
	list, err := e.s.ListFilesAndDirectories(e.ctx, fref("tree", ""), blobstore.ListFilesOptions{})
	require.NoError(t, err)
	require.Len(t, list.Items, 2)
	assert.Equal(t, "A", list.Items[0].Name)
	assert.Equal(t, "Moved", list.Items[1].Name)
	assert.True(t, list.Items[1].IsDir)

	// Rename a file over an existing one only with ReplaceIfExists.
	e.mkFile(fref("tree", "other"), 1)
	_, err = e.s.RenameFile(e.ctx, fref("tree", "other"), blobstore.RenameOptions{Source: fref("tree", "Moved/C/file.txt")})
	assert.ErrorIs(t, err, storageerr.ErrResourceAlreadyExists)
	_, err = e.s.RenameFile(e.ctx, fref("tree", "other"), blobstore.RenameOptions{Source: fref("tree", "Moved/C/file.txt"), ReplaceIfExists: true})
	require.NoError(t, err)
	assert.Equal(t, []byte("abc"), e.readAll(fref("tree", "other")))
}

func TestFilePermissionsAndProperties(t *testing.T) {
	e := newFSEnv(t, nil)
	e.mkShare("perm")
	sddl := "O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513D:(A;;FA;;;SY)"
	key, err := e.s.CreatePermission(e.ctx, sref("perm"), blobstore.SharePermission{Permission: sddl})
	require.NoError(t, err)
	assert.Regexp(t, `^\d+\*\d+$`, key)
	key2, err := e.s.CreatePermission(e.ctx, sref("perm"), blobstore.SharePermission{Permission: sddl, Format: "sddl"})
	require.NoError(t, err)
	assert.Equal(t, key, key2)
	p, err := e.s.GetPermission(e.ctx, sref("perm"), key, "")
	require.NoError(t, err)
	assert.Equal(t, sddl+"S:NO_ACCESS_CONTROL", p.Permission, "SDDL comes back as Azure renders it")
	// The other format converts, both ways.
	pb, err := e.s.GetPermission(e.ctx, sref("perm"), key, "binary")
	require.NoError(t, err)
	assert.Equal(t, "Binary", pb.Format)
	kb, err := e.s.CreatePermission(e.ctx, sref("perm"), pb)
	require.NoError(t, err)
	ps, err := e.s.GetPermission(e.ctx, sref("perm"), kb, "sddl")
	require.NoError(t, err)
	assert.Equal(t, p.Permission, ps.Permission)
	_, err = e.s.GetPermission(e.ctx, sref("perm"), "1*2", "")
	assert.ErrorIs(t, err, storageerr.ErrFilePermissionNotFound)
	_, err = e.s.CreatePermission(e.ctx, sref("perm"), blobstore.SharePermission{Permission: "not sddl"})
	assert.ErrorIs(t, err, storageerr.ErrFileInvalidPermission)

	ct := time.Date(2020, 1, 2, 3, 4, 5, 600000000, time.UTC)
	d, err := e.s.CreateDirectory(e.ctx, fref("perm", "d"), blobstore.CreateDirectoryOptions{
		SMB:      blobstore.SMBProperties{Attributes: "Hidden", CreationTime: ct.Format(time.RFC3339Nano), PermissionKey: key},
		Metadata: map[string]string{"a": "1"}})
	require.NoError(t, err)
	assert.Equal(t, "Hidden|Directory", d.Attributes)
	assert.Equal(t, ct, d.CreationTime)
	assert.Equal(t, key, d.PermissionKey)
	got, err := e.s.GetDirectoryProperties(e.ctx, fref("perm", "d"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1"}, got.Metadata)
	f, err := e.s.CreateFile(e.ctx, fref("perm", "d/f"), blobstore.CreateFileOptions{Size: 10, SMB: blobstore.SMBProperties{Permission: sddl}})
	require.NoError(t, err)
	assert.Equal(t, "Archive", f.Attributes)
	assert.Equal(t, key, f.PermissionKey)
	assert.Equal(t, d.FileID, f.ParentID)
}

func TestFileCanaryAndTamper(t *testing.T) {
	e := newFSEnv(t, nil)
	e.mkShare("canary")
	mk := func() string {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		return "canary" + hex.EncodeToString(b)
	}
	data, meta, dmeta, smeta, perm := mk(), mk(), mk(), mk(), "O:SYG:SYD:(A;;FA;;;"+mk()+")"
	_, err := e.s.SetShareMetadata(e.ctx, sref("canary"), map[string]string{"s": smeta}, "")
	require.NoError(t, err)
	_, err = e.s.CreateDirectory(e.ctx, fref("canary", "d"), blobstore.CreateDirectoryOptions{Metadata: map[string]string{"d": dmeta}})
	require.NoError(t, err)
	body := bytes.Repeat([]byte(data), 3000)
	ref := fref("canary", "d/f")
	_, err = e.s.CreateFile(e.ctx, ref, blobstore.CreateFileOptions{Size: int64(len(body)), Metadata: map[string]string{"m": meta}})
	require.NoError(t, err)
	e.write(ref, 0, body)
	_, err = e.s.CreatePermission(e.ctx, sref("canary"), blobstore.SharePermission{Permission: perm})
	require.NoError(t, err)
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	var dataFile string
	require.NoError(t, filepath.WalkDir(e.cfg.DataDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		for _, s := range []string{data, meta, dmeta, smeta, perm[len(perm)-40:]} {
			assert.False(t, bytes.Contains(b, []byte(s)), "plaintext %q found in %s", s[:12], p)
		}
		if strings.Contains(p, string(filepath.Separator)+"data"+string(filepath.Separator)) {
			dataFile = p
		}
		return nil
	}))
	require.NotEmpty(t, dataFile)
	e.open()
	assert.Equal(t, body, e.readAll(ref), "survives a restart")

	// Flip one byte in the middle of the data file: the read fails, never
	// returning wrong bytes.
	b, err := os.ReadFile(dataFile)
	require.NoError(t, err)
	b[len(b)/2] ^= 0x40
	require.NoError(t, os.WriteFile(dataFile, b, 0o600))
	r, err := e.s.GetFile(e.ctx, ref, "")
	if err == nil {
		defer r.Close()
		_, err = io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	}
	require.Error(t, err)
}

// fsFakeProvider is a KeyProvider that can be revoked.
type fsFakeProvider struct {
	mu      sync.Mutex
	key     crypto.Key
	revoked bool
	gen     uint64
}

var errFSRevoked = storageerr.ErrKeyVaultEncryptionKeyNotFound.WithMessage("revoked")

func (f *fsFakeProvider) WrapKey(_ context.Context, _ blobstore.Identity, keyID string, aek []byte) (blobstore.WrappedKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := crypto.Seal(f.key, aek, nil)
	return blobstore.WrappedKey{KeyID: keyID + "/v1", Algorithm: "RSA-OAEP-256", Bytes: b}, err
}

func (f *fsFakeProvider) UnwrapKey(_ context.Context, _ blobstore.Identity, w blobstore.WrappedKey) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked {
		return nil, errFSRevoked
	}
	return crypto.Open(f.key, w.Bytes, nil)
}

func (f *fsFakeProvider) KeyState(context.Context, blobstore.Identity, blobstore.WrappedKey) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked {
		return 0, errFSRevoked
	}
	return f.gen, nil
}

func TestFileCMKGating(t *testing.T) {
	k, err := crypto.NewKey()
	require.NoError(t, err)
	fp := &fsFakeProvider{key: k}
	e := newFSEnv(t, fp)
	require.NoError(t, e.core.SetEncryption(e.ctx, fsAcct, blobstore.EncryptionSpec{KeySource: blobstore.KeySourceKeyvault, KeyID: "https://v/keys/k", Identity: blobstore.Identity{PrincipalID: "p"}}))
	e.mkShare("cmk")
	ref := fref("cmk", "f")
	e.mkFile(ref, 10)
	e.write(ref, 0, []byte("0123456789"))
	_, err = e.s.CreateDirectory(e.ctx, fref("cmk", "d"), blobstore.CreateDirectoryOptions{})
	require.NoError(t, err)
	e.mkFile(fref("cmk", "victim"), 1)
	fp.mu.Lock()
	fp.revoked, fp.gen = true, fp.gen+1
	fp.mu.Unlock()

	gated := map[string]func() error{
		"CreatePermission": func() error {
			_, err := e.s.CreatePermission(e.ctx, sref("cmk"), blobstore.SharePermission{Permission: "O:SY"})
			return err
		},
		"GetPermission": func() error { _, err := e.s.GetPermission(e.ctx, sref("cmk"), "1*1", ""); return err },
		"ListDirectoriesAndFiles": func() error {
			_, err := e.s.ListFilesAndDirectories(e.ctx, fref("cmk", ""), blobstore.ListFilesOptions{})
			return err
		},
		"CreateDirectory": func() error {
			_, err := e.s.CreateDirectory(e.ctx, fref("cmk", "d2"), blobstore.CreateDirectoryOptions{})
			return err
		},
		"GetDirectoryProperties": func() error { _, err := e.s.GetDirectoryProperties(e.ctx, fref("cmk", "d")); return err },
		"SetDirectoryProperties": func() error {
			_, err := e.s.SetDirectoryProperties(e.ctx, fref("cmk", "d"), blobstore.SMBProperties{})
			return err
		},
		"GetDirectoryMetadata": func() error { _, err := e.s.GetDirectoryMetadata(e.ctx, fref("cmk", "d")); return err },
		"SetDirectoryMetadata": func() error { _, err := e.s.SetDirectoryMetadata(e.ctx, fref("cmk", "d"), nil); return err },
		"CreateFile": func() error {
			_, err := e.s.CreateFile(e.ctx, fref("cmk", "g"), blobstore.CreateFileOptions{})
			return err
		},
		"GetFile":           func() error { _, err := e.s.GetFile(e.ctx, ref, ""); return err },
		"GetFileProperties": func() error { _, err := e.s.GetFileProperties(e.ctx, ref, ""); return err },
		"SetFileProperties": func() error {
			_, err := e.s.SetFileProperties(e.ctx, ref, blobstore.SetFilePropertiesOptions{})
			return err
		},
		"PutRange": func() error {
			_, err := e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: 0, Length: 1, Body: strings.NewReader("x")})
			return err
		},
		"GetFileMetadata": func() error { _, err := e.s.GetFileMetadata(e.ctx, ref, ""); return err },
		"SetFileMetadata": func() error { _, err := e.s.SetFileMetadata(e.ctx, ref, nil, ""); return err },
		"CopyFile": func() error {
			_, err := e.s.CopyFile(e.ctx, fref("cmk", "copy"), blobstore.CopyFileOptions{Source: ref})
			return err
		},
		"RenameFile": func() error {
			_, err := e.s.RenameFile(e.ctx, fref("cmk", "r"), blobstore.RenameOptions{Source: ref})
			return err
		},
	}
	for name, fn := range gated {
		t.Run("gated/"+name, func(t *testing.T) {
			assert.Equal(t, "KeyVaultEncryptionKeyNotFound", storageerr.CodeOf(fn()))
		})
	}
	open := map[string]func() error{
		"ListShares": func() error { _, err := e.s.ListShares(e.ctx, fsAcct, blobstore.ListSharesOptions{}); return err },
		"CreateShare": func() error {
			_, err := e.s.CreateShare(e.ctx, sref("other"), blobstore.CreateShareOptions{})
			return err
		},
		"GetShareProperties": func() error { _, err := e.s.GetShareProperties(e.ctx, sref("cmk"), ""); return err },
		"ListRanges":         func() error { _, err := e.s.ListRanges(e.ctx, ref, blobstore.ListRangesOptions{}); return err },
		"DeleteFile":         func() error { return e.s.DeleteFile(e.ctx, fref("cmk", "victim"), "") },
		"DeleteDirectory":    func() error { return e.s.DeleteDirectory(e.ctx, fref("cmk", "d")) },
	}
	for name, fn := range open {
		t.Run("open/"+name, func(t *testing.T) { assert.NoError(t, fn()) })
	}
	fp.mu.Lock()
	fp.revoked, fp.gen = false, fp.gen+1
	fp.mu.Unlock()
	assert.Equal(t, []byte("0123456789"), e.readAll(ref))
}

func TestFileCopyOntoItselfKeepsData(t *testing.T) {
	e := newFSEnv(t, nil)
	e.mkShare("self")
	ref := fref("self", "f")
	e.mkFile(ref, 4)
	e.write(ref, 0, []byte("data"))
	_, err := e.s.CopyFile(e.ctx, ref, blobstore.CopyFileOptions{Source: ref})
	require.NoError(t, err)
	assert.Equal(t, []byte("data"), e.readAll(ref))
	assert.Equal(t, 1, e.dataFiles())
}

func TestFileListSharesPagingAndDropAccount(t *testing.T) {
	e := newFSEnv(t, nil)
	e.mkShare("aaa")
	e.mkShare("bbb")
	for i := 0; i < 3; i++ {
		_, err := e.s.SnapshotShare(e.ctx, sref("aaa"), nil)
		require.NoError(t, err)
	}
	ref := fref("bbb", "f")
	e.mkFile(ref, 3)
	e.write(ref, 0, []byte("xyz"))
	var seen []string
	marker := ""
	for {
		page, err := e.s.ListShares(e.ctx, fsAcct, blobstore.ListSharesOptions{IncludeSnapshots: true, MaxResults: 2, Marker: marker})
		require.NoError(t, err)
		for _, s := range page.Shares {
			seen = append(seen, s.Name+"@"+s.Snapshot)
		}
		if marker = page.NextMarker; marker == "" {
			break
		}
	}
	require.Len(t, seen, 5, "%v", seen)
	assert.Equal(t, "aaa@", seen[3])
	assert.Equal(t, "bbb@", seen[4])
	require.NoError(t, e.s.dropAccountFiles(e.ctx, fsAcct))
	page, err := e.s.ListShares(e.ctx, fsAcct, blobstore.ListSharesOptions{IncludeSnapshots: true})
	require.NoError(t, err)
	assert.Empty(t, page.Shares)
	assert.Equal(t, 0, e.dataFiles())
}

func TestFileShareQuota(t *testing.T) {
	e := newFSEnv(t, nil)
	_, err := e.s.CreateShare(e.ctx, sref("quota"), blobstore.CreateShareOptions{Quota: 1})
	require.NoError(t, err)
	ref := fref("quota", "big")
	// A file larger than the quota is refused, created or resized; up to
	// it, only stored bytes count.
	_, err = e.s.CreateFile(e.ctx, ref, blobstore.CreateFileOptions{Size: 2 << 30})
	assert.ErrorIs(t, err, storageerr.ErrShareSizeLimitReached)
	e.mkFile(ref, 1<<30)
	big := int64(1<<30 + 1)
	_, err = e.s.SetFileProperties(e.ctx, ref, blobstore.SetFilePropertiesOptions{Size: &big})
	assert.ErrorIs(t, err, storageerr.ErrShareSizeLimitReached)
	e.write(ref, 0, make([]byte, 4096))
	// Pretend the share already stores nearly 1 GiB (white box: no need to
	// write a gigabyte).
	require.NoError(t, e.s.st.Update(func(tx *boltstore.Tx) error {
		sh, err := loadShare(tx, sref("quota"))
		require.NoError(t, err)
		assert.Equal(t, int64(4096), sh.Used)
		sh.Used = 1<<30 - 10
		return putShare(tx, sref("quota"), sh)
	}))
	_, err = e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: 1 << 20, Length: 11, Body: strings.NewReader("01234567890")})
	assert.ErrorIs(t, err, storageerr.ErrShareSizeLimitReached)
	// Overwriting stored bytes costs nothing; clearing frees space.
	e.write(ref, 0, make([]byte, 4096))
	// (Only whole 512-byte pages are released.)
	_, err = e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: 0, Length: 512, Clear: true})
	require.NoError(t, err)
	e.write(ref, 1<<20, make([]byte, 522))
	_, err = e.s.PutRange(e.ctx, ref, blobstore.PutRangeOptions{Offset: 2 << 20, Length: 1, Body: strings.NewReader("x")})
	assert.ErrorIs(t, err, storageerr.ErrShareSizeLimitReached)
	require.NoError(t, e.s.DeleteFile(e.ctx, ref, ""))
	e.mkFile(ref, 4096)
	e.write(ref, 0, make([]byte, 4096))
}

// TestFileServiceRecordOldFormat: a File service record written before the
// encryption-in-transit fields reads with them unset.
func TestFileServiceRecordOldFormat(t *testing.T) {
	old := []byte(`{"V":1,"Props":{"HourMetrics":{"Version":"1.0","Enabled":false,"RetentionPolicy":{"Enabled":false}},"SMBMultichannel":true}}`)
	rec, err := blobstore.DecodeRecord[fileSvcRec](old)
	require.NoError(t, err)
	require.NotNil(t, rec.Props.SMBMultichannel)
	assert.True(t, *rec.Props.SMBMultichannel)
	assert.Nil(t, rec.Props.SMBEncryptionInTransit)
	assert.Nil(t, rec.Props.NFSEncryptionInTransit)
}
