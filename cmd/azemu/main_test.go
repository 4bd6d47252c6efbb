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
	fs := newServeFlags(&o, &bytes.Buffer{})
	require.NoError(t, fs.Parse([]string{"--blobHost", "0.0.0.0", "--blobPort", "0", "-l", "/tmp/x", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose"}))
	assert.Equal(t, "0.0.0.0", o.host)
	assert.Equal(t, 0, o.blobPort)
	assert.Equal(t, "/tmp/x", o.data)
	assert.True(t, o.inMemory)
}

func TestServeFlagsEnvironmentDefaults(t *testing.T) {
	t.Setenv("AZEMU_BLOB_PORT", "12345")
	t.Setenv("AZEMU_DATA", "/tmp/envdata")
	var o options
	fs := newServeFlags(&o, &bytes.Buffer{})
	require.NoError(t, fs.Parse(nil))
	assert.Equal(t, 12345, o.blobPort)
	assert.Equal(t, "/tmp/envdata", o.data)
	// Flags override the environment.
	require.NoError(t, fs.Parse([]string{"--blob-port", "1"}))
	assert.Equal(t, 1, o.blobPort)
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
			"--console-port", "0", "--status-file", statusPath}, io.Discard, io.Discard)
	}()
	var st status
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
