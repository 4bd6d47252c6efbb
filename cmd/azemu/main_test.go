package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90d":   90 * 24 * time.Hour,
		"1d12h": 36 * time.Hour,
		"30m":   30 * time.Minute,
		"0.5d":  12 * time.Hour,
	} {
		got, err := parseDuration(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "-1d", "xd", "5x"} {
		_, err := parseDuration(bad)
		assert.Error(t, err, bad)
	}
}

func TestServeFlagsAcceptAzuriteAliases(t *testing.T) {
	var o options
	f := newServeFlags(&o)
	require.NoError(t, f.parse([]string{"--blobHost", "0.0.0.0", "--blobPort", "0", "-l", "/tmp/x", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose"}, io.Discard))
	assert.Equal(t, "0.0.0.0", o.host)
	assert.Equal(t, 0, o.blobPort)
	assert.Equal(t, "/tmp/x", o.data)
	assert.True(t, o.inMemory)
}

func TestServeFlagsEnvironmentDefaults(t *testing.T) {
	t.Setenv("AZEMU_BLOB_PORT", "12345")
	t.Setenv("AZEMU_DATA", "/tmp/envdata")
	var o options
	require.NoError(t, newServeFlags(&o).parse(nil, io.Discard))
	assert.Equal(t, 12345, o.blobPort)
	assert.Equal(t, "/tmp/envdata", o.data)
	// Flags override the environment.
	o = options{}
	require.NoError(t, newServeFlags(&o).parse([]string{"--blob-port", "1"}, io.Discard))
	assert.Equal(t, 1, o.blobPort)
}

// A malformed variable is an error naming it, parsed as its flag is; it is
// never silently replaced by the default.
func TestServeVariablesAreParsedStrictly(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"AZEMU_IN_MEMORY", "yes"},
		{"AZEMU_BLOB_PORT", "2351x"},
		{"AZEMU_CMK_CACHE_TTL", "1x"},
		{"AZEMU_FSYNC", "on"},
		{"AZEMU_VAULT_PORT", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			var o options
			err := newServeFlags(&o).parse(nil, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.name)
		})
	}
	// One duration syntax for flags, variables and azemu clock.
	t.Setenv("AZEMU_CMK_CACHE_TTL", "1d")
	var o options
	require.NoError(t, newServeFlags(&o).parse(nil, io.Discard))
	assert.Equal(t, 24*time.Hour, o.cmkCacheTTL)
	require.NoError(t, newServeFlags(&o).parse([]string{"--cmk-cache-ttl", "1h30m"}, io.Discard))
	assert.Equal(t, 90*time.Minute, o.cmkCacheTTL)
	// And through run, a bad variable stops azemu with exit code 1.
	t.Setenv("AZEMU_IN_MEMORY", "yes")
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, run([]string{"serve"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `AZEMU_IN_MEMORY="yes"`)
}

func TestMistypedFlagGetsASuggestion(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"--blob-prot", "0"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "did you mean --blob-port?")
	errOut.Reset()
	assert.Equal(t, 2, run([]string{"clock", "--stauts-file", "x"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "did you mean --status-file?")
	errOut.Reset()
	assert.Equal(t, 2, run([]string{"helth"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `did you mean "health"?`)
}

func TestHelpListsSubcommandsAndGroupsAliases(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"help"}, &out, &errOut))
	for _, c := range subcommands {
		assert.Contains(t, out.String(), "  "+c.name+" ")
	}
	out.Reset()
	require.Equal(t, 0, run([]string{"--help"}, &out, &errOut))
	assert.Contains(t, out.String(), "--blob-port, --blobPort PORT")
	assert.Contains(t, out.String(), "--data, -l, --location DIR")
	assert.Contains(t, out.String(), "AZEMU_BLOB_PORT, default 10000")
	assert.Less(t, strings.Count(out.String(), "\n"), 80)
}

func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"--version"}, &out, &errOut))
	assert.True(t, strings.HasPrefix(out.String(), "azemu "), out.String())
	assert.Contains(t, out.String(), "go1.")
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"bogus"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "unknown command")
}

// A CI script starts azemu on free ports and reads where it listens from
// --status-file, then waits on the health endpoint.
func TestServeWritesStatusFileAndStopsOnSignal(t *testing.T) {
	dir := t.TempDir()
	statusPath := filepath.Join(dir, "status.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--in-memory", "--blob-port", "0", "--file-port", "0", "--vault-port", "0",
			"--queue-port", "0", "--console-port", "0", "--status-file", statusPath}, io.Discard, io.Discard)
	}()
	var st emulator.Status
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(statusPath)
		return err == nil && json.Unmarshal(b, &st) == nil
	}, 10*time.Second, 10*time.Millisecond)
	require.NotEmpty(t, st.Blob)
	resp, err := http.Get(strings.TrimSuffix(st.Blob, "/devstoreaccount1") + "/_azemu/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, st.ConnectionString, st.Blob)
	require.NotEmpty(t, st.Queue)
	resp, err = http.Get(strings.TrimSuffix(st.Queue, "/devstoreaccount1") + "/_azemu/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, st.ConnectionString, "QueueEndpoint="+st.Queue)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, st.Console)

	cancel() // what SIGINT/SIGTERM do
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("azemu did not stop")
	}
	_, err = os.Stat(statusPath)
	assert.ErrorIs(t, err, os.ErrNotExist, "the status file goes with the process")
}

func TestServeQueueFlags(t *testing.T) {
	var o options
	require.NoError(t, newServeFlags(&o).parse(nil, io.Discard))
	assert.Equal(t, 10001, o.queuePort, "Azurite's Queue port by default")
	var a options
	require.NoError(t, newServeFlags(&a).parse([]string{"--queueHost", "0.0.0.0", "--queuePort", "0"}, io.Discard))
	assert.Equal(t, "0.0.0.0", a.host)
	assert.Equal(t, 0, a.queuePort)
	var d options
	require.NoError(t, newServeFlags(&d).parse([]string{"--queue-port", "-1"}, io.Discard))
	assert.Equal(t, -1, d.queuePort)

	t.Setenv("AZEMU_QUEUE_PORT", "23456")
	var e options
	require.NoError(t, newServeFlags(&e).parse(nil, io.Discard))
	assert.Equal(t, 23456, e.queuePort)
}

func TestServeAdminAndCertSANFlags(t *testing.T) {
	t.Setenv("AZEMU_CERT_SAN", "azemu, azemu.local")
	var o options
	require.NoError(t, newServeFlags(&o).parse([]string{"--admin", "11111111-1111-4111-8111-111111111111", "--cert-san", "10.0.0.5"}, io.Discard))
	assert.Equal(t, []string{"azemu", "azemu.local", "10.0.0.5"}, splitList(o.certSANs))
	assert.Equal(t, []string{"11111111-1111-4111-8111-111111111111"}, splitList(o.admins))
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, run([]string{"--in-memory", "--admin", "not-a-guid"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "not-a-guid")
}

func TestRootKeyFile(t *testing.T) {
	dir := t.TempDir()
	const key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="
	file := filepath.Join(dir, "root.key.b64")
	require.NoError(t, os.WriteFile(file, []byte(key+"\n"), 0o600))
	resolve := func(args ...string) (string, error) {
		var o options
		require.NoError(t, newServeFlags(&o).parse(args, io.Discard))
		return resolveRootKey(o.rootKey, o.rootKeyFile)
	}
	got, err := resolve("--root-key-file", file)
	require.NoError(t, err)
	assert.Equal(t, key, got, "read from the file, newline trimmed")
	_, err = resolve("--root-key-file", file, "--root-key", key)
	assert.ErrorContains(t, err, "not both")
	_, err = resolve("--root-key-file", filepath.Join(dir, "missing"))
	assert.Error(t, err)
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	_, err = resolve("--root-key-file", empty)
	assert.ErrorContains(t, err, "empty")
	got, err = resolve("--root-key", key)
	require.NoError(t, err)
	assert.Equal(t, key, got)

	t.Setenv("AZEMU_ROOT_KEY_FILE", file)
	got, err = resolve()
	require.NoError(t, err)
	assert.Equal(t, key, got, "AZEMU_ROOT_KEY_FILE")
}

// TestServeRootKeyFile starts azemu with --root-key-file: the key comes from
// the file, so none is generated into the data folder.
func TestServeRootKeyFile(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(file, []byte("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\n"), 0o600))
	statusPath := filepath.Join(dir, "status.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--data", data, "--root-key-file", file, "--blob-port", "0", "--file-port", "0", "--vault-port", "0", "--console-port", "0",
			"--status-file", statusPath}, io.Discard, io.Discard)
	}()
	require.Eventually(t, func() bool {
		_, err := os.Stat(statusPath)
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("azemu did not stop")
	}
	_, err := os.Stat(filepath.Join(data, "root.key"))
	assert.ErrorIs(t, err, os.ErrNotExist, "the key came from the file, none was generated")
}
