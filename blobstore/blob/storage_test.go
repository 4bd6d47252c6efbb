package blob

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

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
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

	_, err := e.s.CreateContainer(e.ctx, cref("box"), blobstore.CreateContainerOptions{Metadata: map[string]string{"c": cmeta}})
	require.NoError(t, err)
	_, err = e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: bytes.NewReader(body), Size: -1, Metadata: map[string]string{"m": meta}})
	require.NoError(t, err)
	_, err = e.s.PutBlock(e.ctx, bref("box", "bl"), blobstore.PutBlockOptions{BlockID: bid(1), Body: strings.NewReader(block), Size: int64(len(block))})
	require.NoError(t, err)
	_, err = e.s.PutBlockList(e.ctx, bref("box", "bl"), blobstore.PutBlockListOptions{Blocks: []blobstore.BlockListItem{{ID: bid(1)}}, Metadata: map[string]string{"m": meta}})
	require.NoError(t, err)
	_, err = e.s.CreateAppendBlob(e.ctx, bref("box", "ap"), blobstore.CreateAppendBlobOptions{Metadata: map[string]string{"m": meta}})
	require.NoError(t, err)
	_, err = e.s.AppendBlock(e.ctx, bref("box", "ap"), blobstore.AppendBlockOptions{Body: strings.NewReader(appended), Size: -1})
	require.NoError(t, err)
	_, err = e.s.SnapshotBlob(e.ctx, bref("box", "b"), blobstore.SnapshotOptions{Metadata: map[string]string{"s": snapMeta}})
	require.NoError(t, err)
	_, err = e.s.CopyBlob(e.ctx, bref("box", "cp"), blobstore.CopyBlobOptions{Source: bref("box", "b")})
	require.NoError(t, err)
	// A staged block that is never committed, and an upload that fails.
	_, err = e.s.PutBlock(e.ctx, bref("box", "staged"), blobstore.PutBlockOptions{BlockID: bid(2), Body: strings.NewReader(block), Size: -1})
	require.NoError(t, err)
	_, err = e.s.PutBlob(e.ctx, bref("box", "fail"), blobstore.PutBlobOptions{Body: strings.NewReader(data), Size: -1, TransactionalMD5: make([]byte, 16)})
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
	k, err := e.core.Key(e.ctx, acct, true)
	require.NoError(t, err)
	aek := k.Sealing().AEK
	for p, b := range files {
		assert.False(t, bytes.Contains(b, aek[:]), "%s contains the account key", p)
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
			r, err := e.s.GetBlob(e.ctx, bref("box", "b"), blobstore.Conditions{})
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
	r, err := e.s.GetBlob(e.ctx, bref("box", "b"), blobstore.Conditions{})
	require.NoError(t, err)
	_, err = r.ReadAt(make([]byte, 10), 0)
	assert.Error(t, err, "truncation")
	r.Close()
}

func TestRestartPersistence(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	data := randBytes(t, 100_000)
	w, err := e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: -1, Metadata: map[string]string{"k": "v"}, HTTPHeaders: blobstore.HTTPHeaders{ContentType: "a/b"}})
	require.NoError(t, err)
	_, err = e.s.PutBlock(e.ctx, bref("box", "s"), blobstore.PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("x"), Size: 1})
	require.NoError(t, err)
	require.NoError(t, e.s.SetServiceProperties(e.ctx, acct, blobstore.ServiceProperties{DefaultServiceVersion: "2021-08-06"}))
	e.reopen()
	p, err := e.s.GetBlobProperties(e.ctx, bref("box", "b"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, w.ETag, p.ETag)
	assert.Equal(t, map[string]string{"k": "v"}, p.Metadata)
	assert.Equal(t, "a/b", p.HTTPHeaders.ContentType)
	assert.Equal(t, data, e.read(bref("box", "b")))
	bl, err := e.s.GetBlockList(e.ctx, bref("box", "s"), blobstore.GetBlockListOptions{Type: blobstore.BlockListAll})
	require.NoError(t, err)
	assert.Len(t, bl.Uncommitted, 1)
	sp, err := e.s.GetServiceProperties(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, "2021-08-06", sp.DefaultServiceVersion)
	// New writes after a restart get newer ETags.
	w2 := e.put("box", "b", []byte("y"))
	assert.NotEqual(t, w.ETag, w2.ETag)
	// A wrong root key cannot read the account key: the records it
	// authenticates no longer verify, so the folder does not even open.
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	e.cfg.RootKey[0] ^= 1
	_, err = blobstore.Open(e.cfg)
	assert.ErrorIs(t, err, boltstore.ErrRecordTampered)
}

// TestOrphanSweep: a data file no record references, left by a crash, is
// removed, and referenced ones stay. (blobstore's TestOpenSweepsOrphans
// checks that Open runs the sweep.)
func TestOrphanSweep(t *testing.T) {
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
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	e.open()
	_, err = e.core.Data().SweepOrphans(e.ctx)
	require.NoError(t, err)
	assert.NoFileExists(t, orphan)
	assert.Equal(t, 1, e.dataFiles())
	assert.Equal(t, []byte("keep"), e.read(bref("box", "keep")))
}

func TestUncommittedBlocksExpire(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	_, err := e.s.PutBlock(e.ctx, bref("box", "b"), blobstore.PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("old"), Size: 3})
	require.NoError(t, err)
	e.clock.Advance(6 * 24 * time.Hour)
	_, err = e.s.PutBlock(e.ctx, bref("box", "b"), blobstore.PutBlockOptions{BlockID: bid(2), Body: strings.NewReader("new"), Size: 3})
	require.NoError(t, err)
	require.NoError(t, e.s.Sweep(e.ctx))
	assert.Equal(t, 2, e.dataFiles())
	e.clock.Advance(24*time.Hour + time.Second)
	require.NoError(t, e.s.Sweep(e.ctx))
	assert.Equal(t, 1, e.dataFiles())
	bl, err := e.s.GetBlockList(e.ctx, bref("box", "b"), blobstore.GetBlockListOptions{Type: blobstore.BlockListUncommitted})
	require.NoError(t, err)
	assert.Equal(t, []blobstore.Block{{Name: bid(2), Size: 3}}, bl.Uncommitted)
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

func (f *fakeProvider) WrapKey(_ context.Context, _ blobstore.Identity, keyID string, aek []byte) (blobstore.WrappedKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked {
		return blobstore.WrappedKey{}, errRevoked
	}
	k, ok := f.keys[keyID]
	if !ok {
		k, _ = crypto.NewKey()
		f.keys[keyID] = k
	}
	b, err := crypto.Seal(k, aek, []byte(keyID))
	return blobstore.WrappedKey{KeyID: keyID + "/v1", Algorithm: "RSA-OAEP-256", Bytes: b}, err
}

func (f *fakeProvider) UnwrapKey(_ context.Context, _ blobstore.Identity, w blobstore.WrappedKey) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unwraps++
	if f.revoked {
		return nil, errRevoked
	}
	id := strings.TrimSuffix(w.KeyID, "/v1")
	return crypto.Open(f.keys[id], w.Bytes, []byte(id))
}

func (f *fakeProvider) KeyState(context.Context, blobstore.Identity, blobstore.WrappedKey) (uint64, error) {
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
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	e.cfg.KeyProvider = fp
	e.open()
	e.mkContainer("box")
	data := randBytes(t, 5000)
	_, err := e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: -1, Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)

	spec := blobstore.EncryptionSpec{KeySource: "microsoft.keyvault", KeyID: "https://v.vault.localhost/keys/k", Identity: blobstore.Identity{PrincipalID: "p"}}
	require.NoError(t, e.core.SetEncryption(e.ctx, acct, spec))
	a, err := e.core.Account(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, blobstore.KeySourceKeyvault, a.Encryption.KeySource)
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
		{"GetBlob", func() error { _, err := e.s.GetBlob(e.ctx, bref("box", "b"), blobstore.Conditions{}); return err }},
		{"GetBlobProperties", func() error {
			_, err := e.s.GetBlobProperties(e.ctx, bref("box", "b"), blobstore.Conditions{})
			return err
		}},
		{"PutBlob", func() error {
			_, err := e.s.PutBlob(e.ctx, bref("box", "c"), blobstore.PutBlobOptions{Body: strings.NewReader("x"), Size: 1})
			return err
		}},
		{"SetBlobMetadata", func() error {
			_, err := e.s.SetBlobMetadata(e.ctx, bref("box", "b"), nil, blobstore.Conditions{})
			return err
		}},
		{"ListBlobs metadata", func() error {
			_, err := e.s.ListBlobs(e.ctx, cref("box"), blobstore.ListBlobsOptions{Include: blobstore.ListBlobsInclude{Metadata: true}})
			return err
		}},
	} {
		t.Run("revoked "+tt.name, func(t *testing.T) {
			err := tt.fn()
			assert.True(t, errors.Is(err, errRevoked), "%v", err)
		})
	}
	// Not gated: keep working.
	_, err = e.s.ListBlobs(e.ctx, cref("box"), blobstore.ListBlobsOptions{})
	assert.NoError(t, err)
	_, err = e.s.SetBlobHTTPHeaders(e.ctx, bref("box", "b"), blobstore.HTTPHeaders{ContentType: "x/y"}, blobstore.Conditions{})
	assert.NoError(t, err)
	_, err = e.s.LeaseBlob(e.ctx, bref("box", "b"), blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: 15})
	assert.NoError(t, err)
	_, err = e.s.CreateContainer(e.ctx, cref("box2"), blobstore.CreateContainerOptions{})
	assert.NoError(t, err)

	fp.set(false)
	assert.Equal(t, data, e.read(bref("box", "b")))
	// Back to Microsoft-managed keys; survives restart without the provider.
	require.NoError(t, e.core.SetEncryption(e.ctx, acct, blobstore.EncryptionSpec{KeySource: blobstore.KeySourceStorage}))
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	e.cfg.KeyProvider = nil
	e.open()
	assert.Equal(t, data, e.read(bref("box", "b")))
	assert.ErrorIs(t, e.core.SetEncryption(e.ctx, acct, blobstore.EncryptionSpec{KeySource: "bogus"}), storageerr.ErrInvalidInput)
	assert.ErrorIs(t, e.core.SetEncryption(e.ctx, "nosuch", blobstore.EncryptionSpec{KeySource: blobstore.KeySourceStorage}), storageerr.ErrAccountNotFound)
}

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.core.CreateAccount(e.ctx, blobstore.AccountSpec{Name: acct, Keys: [][]byte{[]byte("new")}}))
	a, err := e.core.Account(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("new")}, a.Keys)
	assert.Equal(t, blobstore.KeySourceStorage, a.Encryption.KeySource)
	_, err = e.core.Account(e.ctx, "nosuch")
	assert.ErrorIs(t, err, storageerr.ErrAccountNotFound)
	assert.Equal(t, "ResourceNotFound", storageerr.CodeOf(err), "the wire code; the error is its own")
	assert.NotErrorIs(t, err, storageerr.ErrResourceNotFound)
	assert.ErrorIs(t, e.core.CreateAccount(e.ctx, blobstore.AccountSpec{Name: "Bad_Name"}), storageerr.ErrInvalidResourceName)
	require.NoError(t, e.core.CreateAccount(e.ctx, blobstore.AccountSpec{Name: "second"}))
	l, err := e.core.ListAccounts(e.ctx)
	require.NoError(t, err)
	require.Len(t, l, 2)
	e.mkContainer("box")
	e.put("box", "b", []byte("x"))
	// (Azure Files data of the account goes too: file's
	// TestFileListSharesPagingAndDropAccount.)
	require.Equal(t, 1, e.dataFiles())
	require.NoError(t, e.core.DeleteAccount(e.ctx, acct))
	assert.Equal(t, 0, e.dataFiles())
	_, err = e.core.Account(e.ctx, acct)
	assert.ErrorIs(t, err, storageerr.ErrAccountNotFound)
	info, err := e.s.GetAccountInfo(e.ctx, "second")
	require.NoError(t, err)
	assert.Equal(t, "StorageV2", info.AccountKind)
}

func TestKeyCacheTTL(t *testing.T) {
	e := newEnv(t)
	fp := &fakeProvider{keys: map[string]crypto.Key{}}
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	e.cfg.KeyProvider = fp
	e.cfg.KeyCacheTTL = time.Minute
	e.open()
	e.mkContainer("box")
	e.put("box", "b", []byte("x"))
	require.NoError(t, e.core.SetEncryption(e.ctx, acct, blobstore.EncryptionSpec{KeySource: blobstore.KeySourceKeyvault, KeyID: "https://v/keys/k"}))
	fp.set(true)
	// Within the TTL the cached key keeps working, as Azure's cache does.
	assert.Equal(t, []byte("x"), e.read(bref("box", "b")))
	e.clock.Advance(time.Minute)
	_, err := e.s.GetBlob(e.ctx, bref("box", "b"), blobstore.Conditions{})
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
		_, err := e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: pr, Size: -1})
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
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	e.cfg.Fsync = true
	e.open()
	e.mkContainer("box")
	data := randBytes(t, 100_000)
	e.put("box", "b", data)
	e.reopen()
	assert.Equal(t, data, e.read(bref("box", "b")))
}
