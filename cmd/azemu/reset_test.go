package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/emulator"
)

func TestResetCommand(t *testing.T) {
	dir := t.TempDir()
	seedFile := filepath.Join(t.TempDir(), "seed.yaml")
	require.NoError(t, os.WriteFile(seedFile, []byte("accounts:\n  - name: seeded1\n"), 0o600))
	seed, err := emulator.LoadSeed(seedFile)
	require.NoError(t, err)
	emu, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir, BlobPort: -1, FilePort: -1, Seed: seed, SeedFile: seedFile})
	require.NoError(t, err)
	defer emu.Close()
	ctx := context.Background()
	require.NoError(t, emu.Storage().CreateAccount(ctx, blobstore.AccountSpec{Name: "extra1", Keys: [][]byte{make([]byte, 32)}}))

	var out, errOut bytes.Buffer
	code := run([]string{"reset", "--data", dir, "--vault-port", portOf(t, emu.VaultURL())}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "reset in")
	_, err = emu.Storage().Account(ctx, "extra1")
	assert.ErrorIs(t, err, blobstore.ErrAccountNotFound)
	_, err = emu.Storage().Account(ctx, "seeded1")
	assert.NoError(t, err)
}

func TestServeRejectsABadSeed(t *testing.T) {
	seedFile := filepath.Join(t.TempDir(), "seed.yaml")
	require.NoError(t, os.WriteFile(seedFile, []byte("accounts:\n  - name: ok1\n  - nam: typo\n"), 0o600))
	var out, errOut bytes.Buffer
	code := run([]string{"serve", "--in-memory", "--seed", seedFile, "--blob-port", "0", "--file-port", "0", "--vault-port", "0", "--console-port", "0"}, &out, &errOut)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut.String(), seedFile+":3:5")
}
