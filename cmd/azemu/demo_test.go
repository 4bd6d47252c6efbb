package main

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

func portOf(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Port()
}

// The demo runs against a live azemu and narrates the 403 and the restore.
func TestDemoRevocation(t *testing.T) {
	dir := t.TempDir()
	emu, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir, FilePort: -1})
	require.NoError(t, err)
	defer emu.Close()
	var out, errOut bytes.Buffer
	code := run([]string{"demo", "revocation", "--data", dir,
		"--vault-port", portOf(t, emu.VaultURL()), "--blob-port", portOf(t, emu.BlobURL())}, &out, &errOut)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "403")
	assert.Contains(t, out.String(), "KeyVaultEncryptionKeyNotFound")
}

// With --console the demo names the console's chain view and says what
// the page shows at each step.
func TestDemoRevocationWithConsole(t *testing.T) {
	dir := t.TempDir()
	emu, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir, FilePort: -1})
	require.NoError(t, err)
	defer emu.Close()
	var out, errOut bytes.Buffer
	code := run([]string{"demo", "revocation", "--data", dir, "--vault-port", portOf(t, emu.VaultURL()),
		"--blob-port", portOf(t, emu.BlobURL()), "--console", "--console-port", portOf(t, emu.ConsoleURL()), "--pause", "0s"}, &out, &errOut)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), emu.ConsoleURL()+"/#/chain")
	assert.Contains(t, out.String(), "console: the request log shows GetBlob 403 KeyVaultEncryptionKeyNotFound")
}

func TestClockCommand(t *testing.T) {
	dir := t.TempDir()
	emu, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir, BlobPort: -1, FilePort: -1})
	require.NoError(t, err)
	defer emu.Close()
	before := emu.Clock().Now()
	var out, errOut bytes.Buffer
	code := run([]string{"clock", "--data", dir, "--vault-port", portOf(t, emu.VaultURL()), "advance", "2d"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.GreaterOrEqual(t, emu.Clock().Now().Sub(before).Hours(), 48.0)
	assert.NotEmpty(t, out.String())
}

func TestCertCommandPrintsTheInstanceCA(t *testing.T) {
	dir := t.TempDir()
	emu, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir, BlobPort: -1, FilePort: -1})
	require.NoError(t, err)
	defer emu.Close()
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"cert", "--data", dir}, &out, &errOut), errOut.String())
	assert.Equal(t, string(emu.CACertPEM()), out.String())
}
