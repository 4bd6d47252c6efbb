package pki

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/crypto"
)

// clientFor returns an HTTP client that trusts only b's CA and dials every
// host to addr, as a client with a *.localhost resolver would.
func clientFor(b *Bundle, addr string) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: b.CertPool(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func serve(t *testing.T, b *Bundle) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok "+r.Host)
	}))
	srv.TLS = b.TLSConfig()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func TestLoadServesTrustedTLS(t *testing.T) {
	b, err := Load("")
	require.NoError(t, err)
	addr := serve(t, b)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	c := clientFor(b, addr)
	for _, host := range []string{"localhost", "127.0.0.1", "x.vault.localhost", "vault.localhost", "acct.blob.localhost", "acct.file.localhost", "host.docker.internal"} {
		t.Run(host, func(t *testing.T) {
			resp, err := c.Get("https://" + net.JoinHostPort(host, port) + "/")
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, string(body), host)
		})
	}
	t.Run("untrusted host name", func(t *testing.T) {
		_, err := c.Get("https://example.com:" + port + "/")
		require.Error(t, err)
	})
	t.Run("system roots do not trust it", func(t *testing.T) {
		other, err := Load("")
		require.NoError(t, err)
		_, err = clientFor(other, addr).Get("https://localhost:" + port + "/")
		require.Error(t, err)
	})
}

func TestCertificateProfile(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	b, err := LoadWith("", Options{Now: func() time.Time { return now }, Hosts: []string{"myhost.example", "10.1.2.3"}})
	require.NoError(t, err)
	blk, _ := pem.Decode(b.CACertPEM)
	require.NotNil(t, blk)
	ca, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	assert.Equal(t, CAName, ca.Subject.CommonName)
	assert.True(t, ca.IsCA)
	assert.Equal(t, x509.ECDSA, ca.PublicKeyAlgorithm)
	assert.True(t, ca.NotAfter.After(now.Add(9*365*24*time.Hour)))

	leaf := b.Server.Leaf
	require.NotNil(t, leaf)
	assert.False(t, leaf.IsCA)
	assert.LessOrEqual(t, leaf.NotAfter.Sub(leaf.NotBefore), 825*24*time.Hour, "Apple limit for TLS server certificates")
	assert.Contains(t, leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	for _, h := range []string{"localhost", "host.docker.internal", "vault.localhost", "*.vault.localhost", "*.blob.localhost", "*.file.localhost", "myhost.example"} {
		assert.Contains(t, leaf.DNSNames, h)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	assert.ElementsMatch(t, []string{"127.0.0.1", "::1", "10.1.2.3"}, ips)
	_, err = leaf.Verify(x509.VerifyOptions{Roots: b.CertPool(), DNSName: "k.vault.localhost", CurrentTime: now})
	require.NoError(t, err)
}

func TestReloadKeepsCA(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	first, err := LoadWith(dir, Options{Now: clock})
	require.NoError(t, err)
	for _, f := range []string{CAKeyFile, ServerKeyFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
	}

	second, err := LoadWith(dir, Options{Now: clock})
	require.NoError(t, err)
	assert.Equal(t, first.CACertPEM, second.CACertPEM, "same CA")
	assert.Equal(t, first.Server.Leaf.Raw, second.Server.Leaf.Raw, "same server certificate")

	t.Run("SANs changed regenerates the server certificate only", func(t *testing.T) {
		b, err := LoadWith(dir, Options{Now: clock, Hosts: []string{"extra.example"}})
		require.NoError(t, err)
		assert.Equal(t, first.CACertPEM, b.CACertPEM)
		assert.NotEqual(t, first.Server.Leaf.Raw, b.Server.Leaf.Raw)
		assert.Contains(t, b.Server.Leaf.DNSNames, "extra.example")
	})
	t.Run("expiring server certificate is renewed", func(t *testing.T) {
		later := now.Add(2*365*24*time.Hour - 10*24*time.Hour)
		b, err := LoadWith(dir, Options{Now: func() time.Time { return later }})
		require.NoError(t, err)
		assert.Equal(t, first.CACertPEM, b.CACertPEM)
		assert.True(t, b.Server.Leaf.NotAfter.After(later.Add(365*24*time.Hour)))
	})
	t.Run("corrupt server key is replaced", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, ServerKeyFile), []byte("garbage"), 0o600))
		b, err := LoadWith(dir, Options{Now: clock})
		require.NoError(t, err)
		assert.Equal(t, first.CACertPEM, b.CACertPEM)
	})
	t.Run("corrupt CA is replaced", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, CACertFile), []byte("garbage"), 0o644))
		b, err := LoadWith(dir, Options{Now: clock})
		require.NoError(t, err)
		assert.NotEqual(t, first.CACertPEM, b.CACertPEM)
		require.NoError(t, b.Server.Leaf.CheckSignatureFrom(mustParse(t, b.CACertPEM)))
	})
}

func mustParse(t *testing.T, p []byte) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(p)
	require.NotNil(t, blk)
	c, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	return c
}

func TestLoadPair(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	require.NoError(t, err)
	b, err := LoadPair(filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile))
	require.NoError(t, err)
	require.NotNil(t, b.Server.Leaf)
	assert.Contains(t, b.Server.Leaf.DNSNames, "localhost")

	_, err = LoadPair(filepath.Join(dir, "missing.pem"), filepath.Join(dir, ServerKeyFile))
	require.Error(t, err)
	_, err = LoadPair(filepath.Join(dir, CACertFile), filepath.Join(dir, ServerKeyFile))
	require.Error(t, err, "mismatched key")
}

// With a root key the private keys are sealed at rest: no PEM or DER key
// bytes on disk, the same CA on reload, and PEM keys an older azemu left
// are sealed and removed.
func TestRootKeySealsPrivateKeys(t *testing.T) {
	root, err := crypto.NewKey()
	require.NoError(t, err)

	// An older azemu's folder: PEM keys.
	dir := t.TempDir()
	legacy, err := Load(dir)
	require.NoError(t, err)
	legacyKey := legacy.Server.PrivateKey.(*ecdsa.PrivateKey)
	legacyDER, err := x509.MarshalPKCS8PrivateKey(legacyKey)
	require.NoError(t, err)

	b, err := LoadWith(dir, Options{RootKey: &root})
	require.NoError(t, err)
	assert.Equal(t, legacy.CACertPEM, b.CACertPEM, "the CA users trust survives the move to sealed keys")
	for _, f := range []string{CAKeyFile, ServerKeyFile} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.ErrorIs(t, err, os.ErrNotExist, "%s must be gone", f)
		_, err = os.Stat(filepath.Join(dir, strings.TrimSuffix(f, ".pem")+".sealed"))
		assert.NoError(t, err)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "PRIVATE KEY", e.Name())
		assert.False(t, bytes.Contains(raw, legacyDER), "%s holds the key in plaintext", e.Name())
		assert.False(t, bytes.Contains(raw, legacyKey.D.Bytes()), "%s holds the private scalar", e.Name())
	}

	again, err := LoadWith(dir, Options{RootKey: &root})
	require.NoError(t, err)
	assert.Equal(t, b.CACertPEM, again.CACertPEM)
	got, err := ReadCACert(dir)
	require.NoError(t, err)
	assert.Equal(t, b.CACertPEM, got)

	other, err := crypto.NewKey()
	require.NoError(t, err)
	fresh, err := LoadWith(dir, Options{RootKey: &other})
	require.NoError(t, err)
	assert.NotEqual(t, b.CACertPEM, fresh.CACertPEM, "keys sealed under another root key cannot be used; a new CA is made")
}
