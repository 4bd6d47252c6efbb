package emulator

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A second azemu on the same data folder fails at once, naming the first.
func TestSecondInstanceOnDataFolderIsRefused(t *testing.T) {
	dir := t.TempDir()
	startTest(t, Config{DataDir: dir})
	_, err := Start(context.Background(), Config{DataDir: dir})
	require.ErrorIs(t, err, ErrDataDirInUse)
	assert.Contains(t, err.Error(), "process "+strconv.Itoa(os.Getpid()))
}

// A start that fails leaves no data folder (and so no root key) behind.
func TestFailedStartLeavesNoDataFolder(t *testing.T) {
	busy := startTest(t, Config{FilePort: -1, VaultPort: -1})
	dir := filepath.Join(t.TempDir(), "new", "azemu-data")
	_, err := Start(context.Background(), Config{DataDir: dir, BlobPort: busy.blobPort()})
	require.Error(t, err)
	_, statErr := os.Stat(filepath.Join(filepath.Dir(dir)))
	assert.True(t, os.IsNotExist(statErr), "the parent this start created is gone too")

	// An existing, empty folder (a mounted volume) is emptied again.
	vol := t.TempDir()
	_, err = Start(context.Background(), Config{DataDir: vol, BlobPort: busy.blobPort()})
	require.Error(t, err)
	left, err := os.ReadDir(vol)
	require.NoError(t, err)
	assert.Empty(t, left)
}

// The temporary folder of an in-memory instance goes on Close, and one left
// by a killed instance (its lock released) goes at the next start.
func TestInMemoryFoldersAreSwept(t *testing.T) {
	base := memBase()
	e := startTest(t, Config{})
	own := e.dir.path
	require.DirExists(t, own)
	assert.Equal(t, base, filepath.Dir(own))

	// A leftover: a folder like ours whose lock nobody holds.
	dead, err := os.MkdirTemp(base, memDirPrefix+"*")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dead, lockFile), []byte("999999\n"), 0o600))
	t.Cleanup(func() { _ = os.RemoveAll(dead) })

	e2 := startTest(t, Config{})
	assert.NoDirExists(t, dead, "a dead instance's folder is swept")
	assert.DirExists(t, own, "a live instance's folder stays")
	require.NoError(t, e2.Close())
	require.NoError(t, e.Close())
	assert.NoDirExists(t, own)
}

// Docker gives a container a 64 MB /dev/shm: an in-memory instance then
// keeps its storage in the temp folder instead of failing on large blobs.
func TestMemBaseFallsBackWhenShmIsSmall(t *testing.T) {
	shm, tmp := t.TempDir(), t.TempDir()
	size := func(n uint64) func(string) (uint64, bool) {
		return func(string) (uint64, bool) { return n, true }
	}
	assert.Equal(t, shm, pickMemBase(shm, size(8<<30), tmp))
	assert.Equal(t, tmp, pickMemBase(shm, size(64<<20), tmp), "Docker's default /dev/shm")
	assert.Equal(t, tmp, pickMemBase(shm, func(string) (uint64, bool) { return 0, false }, tmp))
	assert.Equal(t, tmp, pickMemBase(filepath.Join(shm, "missing"), size(8<<30), tmp))
}
