package blobstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

func openCore(t *testing.T, cfg Config) *Service {
	t.Helper()
	if cfg.RootKey == (crypto.Key{}) {
		k, err := crypto.NewKey()
		require.NoError(t, err)
		cfg.RootKey = k
	}
	s, err := Open(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestInMemoryModeRemovesTempDir(t *testing.T) {
	root, err := crypto.NewKey()
	require.NoError(t, err)
	s, err := Open(Config{RootKey: root})
	require.NoError(t, err)
	require.NoError(t, s.CreateAccount(context.Background(), AccountSpec{Name: "acct"}))
	dir := s.dir
	assert.DirExists(t, dir)
	require.NoError(t, s.Close())
	assert.NoDirExists(t, dir)
}

func TestSecondOpenFailsFast(t *testing.T) {
	cfg := Config{DataDir: t.TempDir()}
	openCore(t, cfg)
	start := time.Now()
	_, err := Open(cfg)
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// Open sweeps data files a crash left without a record, in the background.
func TestOpenSweepsOrphans(t *testing.T) {
	root, err := crypto.NewKey()
	require.NoError(t, err)
	cfg := Config{DataDir: t.TempDir(), RootKey: root}
	s, err := Open(cfg)
	require.NoError(t, err)
	require.NoError(t, s.CreateAccount(context.Background(), AccountSpec{Name: "acct"}))
	k, err := s.Key(context.Background(), "acct", true)
	require.NoError(t, err)
	w, err := s.Data().Write(context.Background(), k.Sealing(), bytes.NewReader([]byte("orphan")), sealed.WriteOptions{Size: 6, Limit: 6})
	require.NoError(t, err)
	s.Data().Settle(w, true) // "committed", but no record references it
	path := s.Data().Path(w.ID)
	require.NoError(t, s.Close())
	old := time.Now().Add(-time.Hour)
	require.NoError(t, chtimes(path, old))
	s, err = Open(cfg)
	require.NoError(t, err)
	s.bg.Wait()
	require.NoError(t, s.Close())
	assert.NoFileExists(t, path)
}

// part records what the core asks of an attached service.
type part struct {
	dropped []string
	sweeps  int
	err     error
}

func (p *part) DropAccount(_ context.Context, account string) error {
	p.dropped = append(p.dropped, account)
	return p.err
}

func (p *part) Sweep(context.Context) error { p.sweeps++; return p.err }

func TestAttachedParts(t *testing.T) {
	s := openCore(t, Config{DataDir: t.TempDir()})
	ctx := context.Background()
	a, b := &part{}, &part{}
	s.Attach(a)
	s.Attach(b)
	require.NoError(t, s.CreateAccount(ctx, AccountSpec{Name: "one"}))
	require.NoError(t, s.CreateAccount(ctx, AccountSpec{Name: "two"}))
	require.NoError(t, s.DeleteAccount(ctx, "one"))
	assert.Equal(t, []string{"one"}, a.dropped)
	assert.Equal(t, []string{"one"}, b.dropped)
	assert.ErrorIs(t, s.DeleteAccount(ctx, "one"), ErrAccountNotFound)
	assert.Len(t, a.dropped, 1, "an unknown account reaches no service")

	// A service that fails keeps the account.
	boom := errors.New("boom")
	b.err = boom
	assert.ErrorIs(t, s.DeleteAccount(ctx, "two"), boom)
	_, err := s.Account(ctx, "two")
	assert.NoError(t, err)

	assert.ErrorIs(t, s.Sweep(ctx), boom)
	assert.Equal(t, 1, a.sweeps, "every service is swept even when one fails")
	assert.Equal(t, 1, b.sweeps)
}

func TestAccountErrorsAreTheirOwn(t *testing.T) {
	s := openCore(t, Config{DataDir: t.TempDir()})
	_, err := s.Account(context.Background(), "nosuch")
	assert.ErrorIs(t, err, ErrAccountNotFound)
	assert.ErrorIs(t, err, storageerr.ErrAccountNotFound, "the same value")
	assert.NotErrorIs(t, err, storageerr.ErrResourceNotFound)
}

func chtimes(path string, t time.Time) error { return os.Chtimes(path, t, t) }
