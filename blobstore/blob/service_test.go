package blob

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/crypto"
	"github.com/stretchr/testify/require"
)

// clock is an injectable emulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const acct = "devstoreaccount1"

type env struct {
	t     *testing.T
	core  *blobstore.Service
	s     *Service
	cfg   blobstore.Config
	clock *clock
	ctx   context.Context
	// inline keeps small Put Blob bodies in their records (the default
	// outside tests).
	inline bool
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	c := newClock()
	e := &env{t: t, clock: c, ctx: context.Background(),
		cfg: blobstore.Config{DataDir: t.TempDir(), RootKey: root, Now: c.Now}}
	e.open()
	require.NoError(t, e.core.CreateAccount(e.ctx, blobstore.AccountSpec{Name: acct, Keys: [][]byte{[]byte("k1")}}))
	t.Cleanup(func() {
		if e.s != nil {
			_ = e.core.Close()
		}
	})
	return e
}

func (e *env) open() {
	cfg := e.cfg
	// Most tests look at data files; inline_test.go covers small bodies
	// kept in their records.
	cfg.NoInline = !e.inline
	core, err := blobstore.Open(cfg)
	require.NoError(e.t, err)
	e.core, e.s = core, New(core)
}

func (e *env) reopen() {
	require.NoError(e.t, e.core.Close())
	e.s, e.core = nil, nil
	e.open()
}

func cref(name string) blobstore.ContainerRef {
	return blobstore.ContainerRef{Account: acct, Container: name}
}

func bref(c, b string) blobstore.BlobRef {
	return blobstore.BlobRef{Account: acct, Container: c, Blob: b}
}

func (e *env) mkContainer(name string) {
	e.t.Helper()
	_, err := e.s.CreateContainer(e.ctx, cref(name), blobstore.CreateContainerOptions{})
	require.NoError(e.t, err)
}
