package blobstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// TestCanaryNoPlaintextOnDisk writes random plaintext and metadata values
// through every write path and checks no file under DataDir contains them.
func TestCanaryNoPlaintextOnDisk(t *testing.T) {
	e := newEnv(t)
	canary := func() string {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		return "canary" + hex.EncodeToString(b)
	}
	var secrets []string
	data := canary()
	body := bytes.Repeat([]byte(data), 5000) // several chunks
	meta := canary()
	cmeta := canary()
	block := canary()
	appended := canary()
	snapMeta := canary()
	secrets = append(secrets, data, meta, cmeta, block, appended, snapMeta)

	_, err := e.s.CreateContainer(e.ctx, cref("box"), CreateContainerOptions{Metadata: map[string]string{"c": cmeta}})
	require.NoError(t, err)
	_, err = e.s.PutBlob(e.ctx, bref("box", "b"), PutBlobOptions{Body: bytes.NewReader(body), Size: -1, Metadata: map[string]string{"m": meta}})
	require.NoError(t, err)
	_, err = e.s.PutBlock(e.ctx, bref("box", "bl"), PutBlockOptions{BlockID: bid(1), Body: strings.NewReader(block), Size: int64(len(block))})
	require.NoError(t, err)
	_, err = e.s.PutBlockList(e.ctx, bref("box", "bl"), PutBlockListOptions{Blocks: []BlockListItem{{ID: bid(1)}}, Metadata: map[string]string{"m": meta}})
	require.NoError(t, err)
	_, err = e.s.CreateAppendBlob(e.ctx, bref("box", "ap"), CreateAppendBlobOptions{Metadata: map[string]string{"m": meta}})
	require.NoError(t, err)
	_, err = e.s.AppendBlock(e.ctx, bref("box", "ap"), AppendBlockOptions{Body: strings.NewReader(appended), Size: -1})
	require.NoError(t, err)
	_, err = e.s.SnapshotBlob(e.ctx, bref("box", "b"), SnapshotOptions{Metadata: map[string]string{"s": snapMeta}})
	require.NoError(t, err)
	_, err = e.s.CopyBlob(e.ctx, bref("box", "cp"), CopyBlobOptions{Source: bref("box", "b")})
	require.NoError(t, err)
	// A staged block that is never committed, and an upload that fails.
	_, err = e.s.PutBlock(e.ctx, bref("box", "staged"), PutBlockOptions{BlockID: bid(2), Body: strings.NewReader(block), Size: -1})
	require.NoError(t, err)
	_, err = e.s.PutBlob(e.ctx, bref("box", "fail"), PutBlobOptions{Body: strings.NewReader(data), Size: -1, TransactionalMD5: make([]byte, 16)})
	require.Error(t, err)

	check := func() {
		files := walkFiles(t, e.cfg.DataDir)
		require.NotEmpty(t, files)
		for p, b := range files {
			for _, sec := range secrets {
				assert.False(t, bytes.Contains(b, []byte(sec)), "%s contains plaintext", p)
			}
		}
	}
	check()
	// Root key bytes and the AEK never appear either.
	files := walkFiles(t, e.cfg.DataDir)
	for p, b := range files {
		assert.False(t, bytes.Contains(b, e.cfg.RootKey[:]), "%s contains the root key", p)
	}
	k, err := e.s.accountKey(e.ctx, acct)
	require.NoError(t, err)
	for p, b := range files {
		assert.False(t, bytes.Contains(b, k.aek[:]), "%s contains the account key", p)
	}
	e.reopen()
	check()
	assert.Equal(t, body, e.read(bref("box", "cp")))
}

func TestTamperedDataFileFailsRead(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	data := randBytes(t, 200_000)
	e.put("box", "b", data)
	var path string
	for p := range walkFiles(t, filepath.Join(e.cfg.DataDir, "data")) {
		path = p
	}
	orig, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, off := range []int{0, 10, 40, 100, 70_000, len(orig) - 1} {
		t.Run("", func(t *testing.T) {
			b := bytes.Clone(orig)
			b[off] ^= 0x01
			require.NoError(t, os.WriteFile(path, b, 0o600))
			r, err := e.s.GetBlob(e.ctx, bref("box", "b"), Conditions{})
			if err != nil {
				return // failing to open is fine
			}
			defer r.Close()
			buf := make([]byte, len(data))
			n, err := r.ReadAt(buf, 0)
			assert.Error(t, err, "flipped byte at %d", off)
			assert.Equal(t, data[:n], buf[:n], "bytes returned before the error are correct")
		})
	}
	require.NoError(t, os.WriteFile(path, orig[:len(orig)-100], 0o600))
	r, err := e.s.GetBlob(e.ctx, bref("box", "b"), Conditions{})
	require.NoError(t, err)
	_, err = r.ReadAt(make([]byte, 10), 0)
	assert.Error(t, err, "truncation")
	r.Close()
}

func TestRestartPersistence(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	data := randBytes(t, 100_000)
	w, err := e.s.PutBlob(e.ctx, bref("box", "b"), PutBlobOptions{Body: bytes.NewReader(data), Size: -1, Metadata: map[string]string{"k": "v"}, HTTPHeaders: HTTPHeaders{ContentType: "a/b"}})
	require.NoError(t, err)
	_, err = e.s.PutBlock(e.ctx, bref("box", "s"), PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("x"), Size: 1})
	require.NoError(t, err)
	require.NoError(t, e.s.SetServiceProperties(e.ctx, acct, ServiceProperties{DefaultServiceVersion: "2021-08-06"}))
	e.reopen()
	p, err := e.s.GetBlobProperties(e.ctx, bref("box", "b"), Conditions{})
	require.NoError(t, err)
	assert.Equal(t, w.ETag, p.ETag)
	assert.Equal(t, map[string]string{"k": "v"}, p.Metadata)
	assert.Equal(t, "a/b", p.HTTPHeaders.ContentType)
	assert.Equal(t, data, e.read(bref("box", "b")))
	bl, err := e.s.GetBlockList(e.ctx, bref("box", "s"), GetBlockListOptions{Type: BlockListAll})
	require.NoError(t, err)
	assert.Len(t, bl.Uncommitted, 1)
	sp, err := e.s.GetServiceProperties(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, "2021-08-06", sp.DefaultServiceVersion)
	// New writes after a restart get newer ETags.
	w2 := e.put("box", "b", []byte("y"))
	assert.NotEqual(t, w.ETag, w2.ETag)
	// A wrong root key cannot read the account key.
	require.NoError(t, e.s.Close())
	e.s = nil
	e.cfg.RootKey[0] ^= 1
	e.open()
	_, err = e.s.GetBlob(e.ctx, bref("box", "b"), Conditions{})
	assert.Error(t, err)
}

func TestOrphanSweepAtStartup(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	e.put("box", "keep", []byte("keep"))
	// Simulate a crash between writing a data file and committing the
	// record that would reference it.
	id, err := crypto.NewFileID()
	require.NoError(t, err)
	orphan := e.s.data.Path(id)
	require.NoError(t, os.MkdirAll(filepath.Dir(orphan), 0o700))
	require.NoError(t, os.WriteFile(orphan, []byte("junk"), 0o600))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(orphan, old, old))
	require.Equal(t, 2, e.dataFiles())
	require.NoError(t, e.s.Close())
	e.s = nil
	e.open()
	e.s.bg.Wait() // the sweep runs in the background
	assert.NoFileExists(t, orphan)
	assert.Equal(t, 1, e.dataFiles())
	assert.Equal(t, []byte("keep"), e.read(bref("box", "keep")))
}

func TestUncommittedBlocksExpire(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	_, err := e.s.PutBlock(e.ctx, bref("box", "b"), PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("old"), Size: 3})
	require.NoError(t, err)
	e.clock.Advance(6 * 24 * time.Hour)
	_, err = e.s.PutBlock(e.ctx, bref("box", "b"), PutBlockOptions{BlockID: bid(2), Body: strings.NewReader("new"), Size: 3})
	require.NoError(t, err)
	require.NoError(t, e.s.Sweep(e.ctx))
	assert.Equal(t, 2, e.dataFiles())
	e.clock.Advance(24*time.Hour + time.Second)
	require.NoError(t, e.s.Sweep(e.ctx))
	assert.Equal(t, 1, e.dataFiles())
	bl, err := e.s.GetBlockList(e.ctx, bref("box", "b"), GetBlockListOptions{Type: BlockListUncommitted})
	require.NoError(t, err)
	assert.Equal(t, []Block{{bid(2), 3}}, bl.Uncommitted)
}

func TestInMemoryModeRemovesTempDir(t *testing.T) {
	root, _ := crypto.NewKey()
	s, err := Open(Config{RootKey: root})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.CreateAccount(ctx, AccountSpec{Name: acct}))
	_, err = s.CreateContainer(ctx, cref("box"), CreateContainerOptions{})
	require.NoError(t, err)
	_, err = s.PutBlob(ctx, bref("box", "b"), PutBlobOptions{Body: strings.NewReader("x"), Size: 1})
	require.NoError(t, err)
	dir := s.dir
	assert.DirExists(t, dir)
	require.NoError(t, s.Close())
	assert.NoDirExists(t, dir)
}

func TestSecondOpenFailsFast(t *testing.T) {
	e := newEnv(t)
	start := time.Now()
	_, err := Open(e.cfg)
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// fakeProvider is a KeyProvider over an in-memory "vault".
type fakeProvider struct {
	mu      sync.Mutex
	keys    map[string]crypto.Key // key id → wrapping key
	revoked bool
	gen     uint64
	unwraps int
}

var errRevoked = storageerr.ErrKeyVaultEncryptionKeyNotFound.WithMessage("revoked")

func (f *fakeProvider) WrapKey(_ context.Context, _ Identity, keyID string, aek []byte) (WrappedKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked {
		return WrappedKey{}, errRevoked
	}
	k, ok := f.keys[keyID]
	if !ok {
		k, _ = crypto.NewKey()
		f.keys[keyID] = k
	}
	b, err := crypto.Seal(k, aek, []byte(keyID))
	return WrappedKey{KeyID: keyID + "/v1", Algorithm: "RSA-OAEP-256", Bytes: b}, err
}

func (f *fakeProvider) UnwrapKey(_ context.Context, _ Identity, w WrappedKey) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unwraps++
	if f.revoked {
		return nil, errRevoked
	}
	id := strings.TrimSuffix(w.KeyID, "/v1")
	return crypto.Open(f.keys[id], w.Bytes, []byte(id))
}

func (f *fakeProvider) KeyState(context.Context, Identity, WrappedKey) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked {
		return 0, errRevoked
	}
	return f.gen, nil
}

func (f *fakeProvider) set(revoked bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = revoked
	f.gen++
}

func TestCustomerManagedKey(t *testing.T) {
	e := newEnv(t)
	fp := &fakeProvider{keys: map[string]crypto.Key{}}
	require.NoError(t, e.s.Close())
	e.s = nil
	e.cfg.KeyProvider = fp
	e.open()
	e.mkContainer("box")
	data := randBytes(t, 5000)
	_, err := e.s.PutBlob(e.ctx, bref("box", "b"), PutBlobOptions{Body: bytes.NewReader(data), Size: -1, Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)

	spec := EncryptionSpec{KeySource: "microsoft.keyvault", KeyID: "https://v.vault.localhost/keys/k", Identity: Identity{PrincipalID: "p"}}
	require.NoError(t, e.s.SetEncryption(e.ctx, acct, spec))
	a, err := e.s.Account(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, KeySourceKeyvault, a.Encryption.KeySource)
	assert.Equal(t, "https://v.vault.localhost/keys/k/v1", a.WrappedKeyID)
	// Data written before the switch still reads: the AEK was re-wrapped, not changed.
	assert.Equal(t, data, e.read(bref("box", "b")))

	// Restart: the AEK is reachable only through the provider.
	e.reopen()
	assert.Equal(t, data, e.read(bref("box", "b")))
	unwraps := fp.unwraps
	assert.Equal(t, data, e.read(bref("box", "b")))
	assert.Equal(t, unwraps, fp.unwraps, "no unwrap while the generation is unchanged")

	fp.set(true)
	for _, tt := range []struct {
		name string
		fn   func() error
	}{
		{"GetBlob", func() error { _, err := e.s.GetBlob(e.ctx, bref("box", "b"), Conditions{}); return err }},
		{"GetBlobProperties", func() error { _, err := e.s.GetBlobProperties(e.ctx, bref("box", "b"), Conditions{}); return err }},
		{"PutBlob", func() error {
			_, err := e.s.PutBlob(e.ctx, bref("box", "c"), PutBlobOptions{Body: strings.NewReader("x"), Size: 1})
			return err
		}},
		{"SetBlobMetadata", func() error { _, err := e.s.SetBlobMetadata(e.ctx, bref("box", "b"), nil, Conditions{}); return err }},
		{"ListBlobs metadata", func() error {
			_, err := e.s.ListBlobs(e.ctx, cref("box"), ListBlobsOptions{Include: ListBlobsInclude{Metadata: true}})
			return err
		}},
	} {
		t.Run("revoked "+tt.name, func(t *testing.T) {
			err := tt.fn()
			assert.True(t, errors.Is(err, errRevoked), "%v", err)
		})
	}
	// Not gated: keep working.
	_, err = e.s.ListBlobs(e.ctx, cref("box"), ListBlobsOptions{})
	assert.NoError(t, err)
	_, err = e.s.SetBlobHTTPHeaders(e.ctx, bref("box", "b"), HTTPHeaders{ContentType: "x/y"}, Conditions{})
	assert.NoError(t, err)
	_, err = e.s.LeaseBlob(e.ctx, bref("box", "b"), LeaseOptions{Action: LeaseAcquire, Duration: 15})
	assert.NoError(t, err)
	_, err = e.s.CreateContainer(e.ctx, cref("box2"), CreateContainerOptions{})
	assert.NoError(t, err)

	fp.set(false)
	assert.Equal(t, data, e.read(bref("box", "b")))
	// Back to Microsoft-managed keys; survives restart without the provider.
	require.NoError(t, e.s.SetEncryption(e.ctx, acct, EncryptionSpec{KeySource: KeySourceStorage}))
	require.NoError(t, e.s.Close())
	e.s = nil
	e.cfg.KeyProvider = nil
	e.open()
	assert.Equal(t, data, e.read(bref("box", "b")))
	assert.ErrorIs(t, e.s.SetEncryption(e.ctx, acct, EncryptionSpec{KeySource: "bogus"}), storageerr.ErrInvalidInput)
	assert.ErrorIs(t, e.s.SetEncryption(e.ctx, "nosuch", EncryptionSpec{KeySource: KeySourceStorage}), storageerr.ErrAccountNotFound)
}

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.s.CreateAccount(e.ctx, AccountSpec{Name: acct, Keys: [][]byte{[]byte("new")}}))
	a, err := e.s.Account(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("new")}, a.Keys)
	assert.Equal(t, KeySourceStorage, a.Encryption.KeySource)
	_, err = e.s.Account(e.ctx, "nosuch")
	assert.ErrorIs(t, err, storageerr.ErrAccountNotFound)
	assert.Equal(t, "ResourceNotFound", storageerr.CodeOf(err), "the wire code; the error is its own")
	assert.NotErrorIs(t, err, storageerr.ErrResourceNotFound)
	assert.ErrorIs(t, e.s.CreateAccount(e.ctx, AccountSpec{Name: "Bad_Name"}), storageerr.ErrInvalidResourceName)
	require.NoError(t, e.s.CreateAccount(e.ctx, AccountSpec{Name: "second"}))
	l, err := e.s.ListAccounts(e.ctx)
	require.NoError(t, err)
	require.Len(t, l, 2)
	e.mkContainer("box")
	e.put("box", "b", []byte("x"))
	// Azure Files data of the account goes too.
	_, err = e.s.CreateShare(e.ctx, ShareRef{Account: acct, Share: "share"}, CreateShareOptions{})
	require.NoError(t, err)
	fref := FileRef{Account: acct, Share: "share", Path: "f"}
	_, err = e.s.CreateFile(e.ctx, fref, CreateFileOptions{Size: 3})
	require.NoError(t, err)
	_, err = e.s.PutRange(e.ctx, fref, PutRangeOptions{Offset: 0, Length: 3, Body: strings.NewReader("abc")})
	require.NoError(t, err)
	require.Equal(t, 2, e.dataFiles())
	require.NoError(t, e.s.DeleteAccount(e.ctx, acct))
	assert.Equal(t, 0, e.dataFiles())
	_, err = e.s.Account(e.ctx, acct)
	assert.ErrorIs(t, err, storageerr.ErrAccountNotFound)
	info, err := e.s.GetAccountInfo(e.ctx, "second")
	require.NoError(t, err)
	assert.Equal(t, "StorageV2", info.AccountKind)
}

func TestKeyCacheTTL(t *testing.T) {
	e := newEnv(t)
	fp := &fakeProvider{keys: map[string]crypto.Key{}}
	require.NoError(t, e.s.Close())
	e.s = nil
	e.cfg.KeyProvider = fp
	e.cfg.KeyCacheTTL = time.Minute
	e.open()
	e.mkContainer("box")
	e.put("box", "b", []byte("x"))
	require.NoError(t, e.s.SetEncryption(e.ctx, acct, EncryptionSpec{KeySource: KeySourceKeyvault, KeyID: "https://v/keys/k"}))
	fp.set(true)
	// Within the TTL the cached key keeps working, as Azure's cache does.
	assert.Equal(t, []byte("x"), e.read(bref("box", "b")))
	e.clock.Advance(time.Minute)
	_, err := e.s.GetBlob(e.ctx, bref("box", "b"), Conditions{})
	assert.ErrorIs(t, err, errRevoked)
}

// pausingReader yields first, then signals paused and blocks until resume.
type pausingReader struct {
	first  io.Reader
	paused chan struct{}
	resume chan struct{}
	rest   io.Reader
	state  int
}

func (p *pausingReader) Read(b []byte) (int, error) {
	if p.state == 0 {
		n, err := p.first.Read(b)
		if err == io.EOF {
			p.state = 1
			close(p.paused)
			<-p.resume
			return p.rest.Read(b)
		}
		return n, err
	}
	return p.rest.Read(b)
}

// TestCanaryTempFiles checks the temporary file of an upload in flight.
func TestCanaryTempFiles(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	secret := []byte("canary-in-flight-0123456789abcdef")
	pr := &pausingReader{
		first:  bytes.NewReader(bytes.Repeat(secret, 10000)),
		rest:   bytes.NewReader(bytes.Repeat(secret, 10)),
		paused: make(chan struct{}), resume: make(chan struct{}),
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.s.PutBlob(e.ctx, bref("box", "b"), PutBlobOptions{Body: pr, Size: -1})
		done <- err
	}()
	<-pr.paused
	files := walkFiles(t, e.cfg.DataDir)
	inflight := 0
	for p, b := range files {
		if strings.Contains(filepath.ToSlash(p), "/data/") {
			inflight++
			assert.NotEmpty(t, b, "the data file being written holds sealed chunks already")
		}
		assert.False(t, bytes.Contains(b, secret), "%s contains plaintext", p)
	}
	assert.Equal(t, 1, inflight, "the upload in flight writes one data file")
	close(pr.resume)
	require.NoError(t, <-done)
	assert.Equal(t, bytes.Repeat(secret, 10010), e.read(bref("box", "b")))
}

func TestFsyncMode(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.s.Close())
	e.s = nil
	e.cfg.Fsync = true
	e.open()
	e.mkContainer("box")
	data := randBytes(t, 100_000)
	e.put("box", "b", data)
	e.reopen()
	assert.Equal(t, data, e.read(bref("box", "b")))
}
