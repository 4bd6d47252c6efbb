package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// azemu cert never makes a CA: on a folder no azemu used it says so and
// leaves the folder as it was.
func TestCertNeverCreatesACA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "azemu-data")
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, run([]string{"cert", "--data", dir}, &out, &errOut))
	assert.Contains(t, errOut.String(), "no azemu CA")
	assert.Contains(t, errOut.String(), "--status-file")
	assert.NoDirExists(t, dir)
	assert.Empty(t, out.String())
}

// An in-memory azemu has no data folder: its CA comes from the status file,
// from the instance itself, and the clock is reached through the status file.
func TestInMemoryInstanceIsFoundThroughItsStatusFile(t *testing.T) {
	statusPath := filepath.Join(t.TempDir(), "status.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--in-memory", "--blob-port", "0", "--file-port", "0", "--vault-port", "0", "--console-port", "0",
			"--status-file", statusPath}, io.Discard, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	var st emulator.Status
	require.Eventually(t, func() bool {
		var err error
		st, err = emulator.ReadStatus(statusPath)
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	require.NotEmpty(t, st.CACert)

	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"cert", "--status-file", statusPath}, &out, &errOut), errOut.String())
	assert.Equal(t, st.CACert, out.String())
	assert.Contains(t, errOut.String(), "the CA of the azemu in "+statusPath)
	out.Reset()
	require.Equal(t, 0, run([]string{"cert", "--url", strings.TrimSuffix(st.Blob, "/devstoreaccount1")}, &out, &errOut), errOut.String())
	assert.Equal(t, st.CACert, out.String())

	out.Reset()
	errOut.Reset()
	require.Equal(t, 0, run([]string{"clock", "advance", "90d", "--status-file", statusPath}, &out, &errOut), errOut.String())
	assert.Contains(t, errOut.String(), "status file "+statusPath)
	now, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(out.String()))
	require.NoError(t, err)
	assert.Greater(t, time.Until(now), 89*24*time.Hour)

	out.Reset()
	require.Equal(t, 0, run([]string{"health", "--status-file", statusPath}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "ok")
}

// health refuses a stale status file whose ports another azemu now holds,
// and a missing one, instead of answering ok for whatever listens.
func TestHealthChecksItTalksToTheRightInstance(t *testing.T) {
	emu, err := emulator.Start(context.Background(), emulator.Config{})
	require.NoError(t, err)
	defer emu.Close()
	st := emu.Status()
	st.Instance = "0123456789abcdef" // another run's id
	stale := filepath.Join(t.TempDir(), "stale.json")
	b, err := json.Marshal(st)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(stale, b, 0o600))

	var out, errOut bytes.Buffer
	assert.Equal(t, 1, run([]string{"health", "--status-file", stale}, &out, &errOut))
	assert.Contains(t, errOut.String(), "stale")
	assert.NotContains(t, out.String(), "ok")

	errOut.Reset()
	assert.Equal(t, 1, run([]string{"health", "--data", t.TempDir()}, &out, &errOut))
	assert.Contains(t, errOut.String(), "no azemu is running with data folder")

	// A data-folder instance is found through DATA/status.json.
	dir := t.TempDir()
	emu2, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir})
	require.NoError(t, err)
	defer emu2.Close()
	out.Reset()
	require.Equal(t, 0, run([]string{"health", "--data", dir}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), emu2.BlobURL())
}
