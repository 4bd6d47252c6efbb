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

	"github.com/azemu/azemu/emulator/identity"
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
	tok := adminToken(t, e, DevObjectID)
	get := func() time.Time {
		resp, err := adminDo(client, http.MethodGet, e.VaultURL()+"/_azemu/clock", tok, "", nil)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var out struct{ Now time.Time }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out.Now
	}
	before := get()
	resp, err := adminDo(client, http.MethodPost, e.VaultURL()+"/_azemu/clock/advance", tok, `{"seconds": 864000}`, nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	after := get()
	assert.GreaterOrEqual(t, after.Sub(before), 240*time.Hour)

	for _, body := range []string{`{}`, `{"seconds": -5}`, `not json`} {
		resp, err := adminDo(client, http.MethodPost, e.VaultURL()+"/_azemu/clock/advance", tok, body, nil)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	}
}

// adminToken issues a token for the admin API from the emulator's authority.
func adminToken(t *testing.T, e *Emulator, objectID string) string {
	t.Helper()
	tok, err := e.Identity().IssueToken(context.Background(), identity.TokenRequest{
		ObjectID: objectID, Audience: "https://management.azure.com/",
	})
	require.NoError(t, err)
	return tok.AccessToken
}

func adminDo(client *http.Client, method, url, token, body string, hdr http.Header) (*http.Response, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return client.Do(req)
}

// The admin API moves the clock that runs scheduled purges: anyone who can
// reach the port must not be able to use it (issue 11).
func TestAdminAPIRequiresAnAdminToken(t *testing.T) {
	const otherClient = "11111111-1111-4111-8111-111111111111"
	e := startTest(t, Config{Principals: []Principal{{ClientID: otherClient, Secret: "s3cret"}}})
	client := e.HTTPClient()
	devTok := adminToken(t, e, DevObjectID)
	otherTok := adminToken(t, e, derivedObjectID(otherClient))
	vaultTok, err := e.Identity().IssueToken(context.Background(), identity.TokenRequest{ObjectID: DevObjectID, Audience: "https://vault.azure.net"})
	require.NoError(t, err)
	before := e.Clock().Now()

	for _, tc := range []struct {
		name   string
		token  string
		hdr    http.Header
		status int
		code   string
	}{
		{"no token", "", nil, http.StatusUnauthorized, "AuthenticationFailed"},
		{"garbage token", "not-a-jwt", nil, http.StatusUnauthorized, "InvalidAuthenticationToken"},
		{"vault audience", vaultTok.AccessToken, nil, http.StatusUnauthorized, "InvalidAuthenticationToken"},
		{"not an admin", otherTok, nil, http.StatusForbidden, "AuthorizationFailed"},
		{"cross-origin page", devTok, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden, "CrossOriginRequestRefused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range []struct{ method, path, body string }{
				{http.MethodPost, "/_azemu/clock/advance", `{"seconds": 3153600000}`},
				{http.MethodGet, "/_azemu/clock", ""},
				{http.MethodPost, "/_azemu/reset", ""},
			} {
				resp, err := adminDo(client, m.method, e.VaultURL()+m.path, tc.token, m.body, tc.hdr)
				require.NoError(t, err)
				var out struct {
					Error struct{ Code, Message string }
				}
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
				resp.Body.Close()
				assert.Equal(t, tc.status, resp.StatusCode, m.path)
				assert.Equal(t, tc.code, out.Error.Code, m.path)
			}
		})
	}
	assert.WithinDuration(t, before, e.Clock().Now(), time.Minute, "no refused request moved the clock")

	// The same origin (a page served by azemu itself) is fine.
	resp, err := adminDo(client, http.MethodGet, e.VaultURL()+"/_azemu/clock", devTok, "", http.Header{"Origin": {e.VaultURL()}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// A principal named in Config.Admins may administer.
	e2 := startTest(t, Config{Principals: []Principal{{ClientID: otherClient, Secret: "s3cret"}}, Admins: []string{derivedObjectID(otherClient)}})
	resp, err = adminDo(e2.HTTPClient(), http.MethodGet, e2.VaultURL()+"/_azemu/clock", adminToken(t, e2, derivedObjectID(otherClient)), "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// Health and the CA are public on every listener.
func TestPublicEndpointsNeedNoToken(t *testing.T) {
	e := startTest(t, Config{})
	client := e.HTTPClient()
	for _, base := range []string{e.BlobURL(), e.FileURL(), e.VaultURL()} {
		resp, err := client.Get(base + "/_azemu/ca.pem")
		require.NoError(t, err, base)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, base)
		assert.Equal(t, string(e.CACertPEM()), string(body), base)
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

// --cert-san names reach the server certificate, and a changed list
// re-issues the stored certificate under the same CA.
func TestCertHostsReachTheServerCertificate(t *testing.T) {
	dir := t.TempDir()
	e, err := Start(context.Background(), Config{DataDir: dir, CertHosts: []string{"azemu", "10.1.2.3"}})
	require.NoError(t, err)
	leaf := e.bundle.Server.Leaf
	ca := string(e.CACertPEM())
	require.NoError(t, e.Close())
	assert.Contains(t, leaf.DNSNames, "azemu")
	assert.Equal(t, "10.1.2.3", leaf.IPAddresses[len(leaf.IPAddresses)-1].String())
	assert.NoError(t, leaf.VerifyHostname("azemu"))

	e, err = Start(context.Background(), Config{DataDir: dir, CertHosts: []string{"azemu-2"}})
	require.NoError(t, err)
	defer e.Close()
	assert.NoError(t, e.bundle.Server.Leaf.VerifyHostname("azemu-2"))
	assert.Error(t, e.bundle.Server.Leaf.VerifyHostname("azemu"))
	assert.Equal(t, ca, string(e.CACertPEM()), "same CA: clients keep trusting it")
}
