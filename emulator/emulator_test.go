package emulator

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azemu/azemu/emulator/pki"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func startTest(t *testing.T, cfg Config) *Emulator {
	t.Helper()
	e, err := Start(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, e.Close()) })
	return e
}

func TestStartZeroConfigServesHealthOnEveryListener(t *testing.T) {
	e := startTest(t, Config{InMemory: true})
	client := e.HTTPClient()
	for _, base := range []string{e.BlobURL(), e.FileURL(), e.VaultURL(), e.DevVaultURL()} {
		require.NotEmpty(t, base)
		resp, err := client.Get(base + "/_azemu/health")
		require.NoError(t, err, base)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, base)
		assert.Contains(t, string(body), `"status":"ok"`)
	}
	assert.Contains(t, e.ConnectionString(), "BlobEndpoint="+e.BlobURL()+"/devstoreaccount1")
}

func TestDisabledListener(t *testing.T) {
	e := startTest(t, Config{InMemory: true, FilePort: -1})
	assert.Empty(t, e.FileURL())
	assert.NotContains(t, e.ConnectionString(), "FileEndpoint")
}

func TestClockAdminAPI(t *testing.T) {
	e := startTest(t, Config{InMemory: true})
	client := e.HTTPClient()
	get := func() time.Time {
		resp, err := client.Get(e.VaultURL() + "/_azemu/clock")
		require.NoError(t, err)
		defer resp.Body.Close()
		var out struct{ Now time.Time }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out.Now
	}
	before := get()
	resp, err := client.Post(e.VaultURL()+"/_azemu/clock/advance", "application/json", strings.NewReader(`{"seconds": 864000}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	after := get()
	assert.GreaterOrEqual(t, after.Sub(before), 240*time.Hour)

	for _, body := range []string{`{}`, `{"seconds": -5}`, `not json`} {
		resp, err := client.Post(e.VaultURL()+"/_azemu/clock/advance", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	}
}

func TestRootKeyPersistsAndIsPrivate(t *testing.T) {
	dir := t.TempDir()
	e, err := Start(context.Background(), Config{DataDir: dir})
	require.NoError(t, err)
	require.NoError(t, e.Close())
	info, err := os.Stat(filepath.Join(dir, rootKeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	first, err := os.ReadFile(filepath.Join(dir, rootKeyFile))
	require.NoError(t, err)

	e, err = Start(context.Background(), Config{DataDir: dir})
	require.NoError(t, err)
	require.NoError(t, e.Close())
	second, err := os.ReadFile(filepath.Join(dir, rootKeyFile))
	require.NoError(t, err)
	assert.Equal(t, first, second, "the root key must survive a restart")
}

func TestStartFailsClearlyOnBusyPort(t *testing.T) {
	e := startTest(t, Config{InMemory: true})
	port := e.blobPort()
	_, err := Start(context.Background(), Config{InMemory: true, BlobPort: port})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "blob listener")
}

func TestUserCertificateServesStorageOverHTTPS(t *testing.T) {
	dir := t.TempDir()
	b, err := pki.Load(dir)
	require.NoError(t, err)
	e := startTest(t, Config{InMemory: true, CertFile: filepath.Join(dir, "server.pem"), KeyFile: filepath.Join(dir, "server-key.pem")})
	require.True(t, strings.HasPrefix(e.BlobURL(), "https://"), e.BlobURL())
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: b.CertPool()}}}
	for _, u := range []string{e.BlobURL(), e.FileURL(), e.VaultURL()} {
		resp, err := client.Get(u + "/_azemu/health")
		require.NoError(t, err, u)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, u)
	}
	assert.Contains(t, e.ConnectionString(), "DefaultEndpointsProtocol=https")
}

// A start that fails after binding its ports frees them again.
func TestFailedStartFreesItsPorts(t *testing.T) {
	dir := t.TempDir()
	// A damaged token signing key makes the identity service, which opens
	// after the listeners are bound, refuse to start.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "identity"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "identity", "signing-key.sealed"), []byte("damaged"), 0o600))
	probe := startTest(t, Config{InMemory: true, FilePort: -1, VaultPort: -1})
	port := probe.blobPort()
	require.NoError(t, probe.Close())
	_, err := Start(context.Background(), Config{DataDir: dir, BlobPort: port, FilePort: -1, VaultPort: -1})
	require.Error(t, err)
	e := startTest(t, Config{InMemory: true, BlobPort: port, FilePort: -1, VaultPort: -1})
	assert.Equal(t, port, e.blobPort())
}
