package identity

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	root := testRootKey(t)
	ctx := context.Background()
	cfg := Config{DataDir: dir, RootKey: root, Issuer: "https://localhost:8443"}

	s1, err := New(cfg)
	require.NoError(t, err)
	const secret = "canary-secret-5e1f0c9d"
	sp, err := s1.RegisterPrincipal(ctx, ServicePrincipalSpec{Secret: secret, DisplayName: "canary-display-name"})
	require.NoError(t, err)
	mi, err := s1.RegisterManagedIdentity(ctx, ManagedIdentitySpec{ResourceID: "/subscriptions/s/canary-resource"})
	require.NoError(t, err)
	tok, err := s1.IssueToken(ctx, TokenRequest{ObjectID: mi.ObjectID, Audience: testAud})
	require.NoError(t, err)
	kid := s1.KeyID()
	der, err := x509.MarshalPKCS8PrivateKey(s1.key.priv)
	require.NoError(t, err)
	pkcs1 := x509.MarshalPKCS1PrivateKey(s1.key.priv)
	require.NoError(t, s1.Close())

	t.Run("restart keeps key and principals", func(t *testing.T) {
		s2, err := New(cfg)
		require.NoError(t, err)
		assert.Equal(t, kid, s2.KeyID())
		c, err := s2.VerifyToken(ctx, tok.AccessToken, testAud)
		require.NoError(t, err, "a token issued before the restart still verifies")
		assert.Equal(t, mi.ObjectID, c.ObjectID)
		got, err := s2.LookupPrincipal(ctx, sp.ObjectID)
		require.NoError(t, err)
		assert.Equal(t, sp, got)
		_, ok, err := s2.authenticateClient(DevTenantID, tokenForm{ClientID: sp.ClientID, ClientSecret: secret})
		require.NoError(t, err)
		assert.True(t, ok, "secret digest persisted")

		require.NoError(t, s2.RemoveManagedIdentity(ctx, mi.ObjectID))
		s3, err := New(cfg)
		require.NoError(t, err)
		_, err = s3.VerifyToken(ctx, tok.AccessToken, testAud)
		require.ErrorIs(t, err, ErrUnknownPrincipal, "removal persisted")
	})

	t.Run("nothing readable on disk", func(t *testing.T) {
		canaries := map[string][]byte{
			"PKCS#8 key":       der,
			"PKCS#1 key":       pkcs1,
			"PEM key":          pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})[40:80],
			"base64 key":       []byte(base64.StdEncoding.EncodeToString(der)[40:80]),
			"prime":            s1.key.priv.Primes[0].Bytes(),
			"private exponent": s1.key.priv.D.Bytes(),
			"secret":           []byte(secret),
			"secret digest":    []byte(secretDigest(secret)),
			"secret digest raw": func() []byte {
				b, _ := hex.DecodeString(secretDigest(secret))
				return b
			}(),
			"display name": []byte("canary-display-name"),
			"resource id":  []byte("canary-resource"),
		}
		files := 0
		require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			require.NoError(t, err)
			if info.IsDir() {
				return nil
			}
			files++
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), path)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for name, c := range canaries {
				assert.False(t, bytes.Contains(data, c), "%s found in %s", name, path)
			}
			return nil
		}))
		assert.Equal(t, 2, files)
	})

	t.Run("wrong root key fails closed", func(t *testing.T) {
		bad := cfg
		bad.RootKey = testRootKey(t)
		_, err := New(bad)
		require.Error(t, err)
	})
	t.Run("zero root key refused", func(t *testing.T) {
		bad := cfg
		bad.RootKey = [32]byte{}
		_, err := New(bad)
		require.Error(t, err)
	})
	t.Run("tampered registry fails closed", func(t *testing.T) {
		d2 := t.TempDir()
		c2 := cfg
		c2.DataDir = d2
		_, err := New(c2)
		require.NoError(t, err)
		p := filepath.Join(d2, principalsFile)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		data[len(data)-1] ^= 1
		require.NoError(t, os.WriteFile(p, data, 0o600))
		_, err = New(c2)
		require.Error(t, err)
	})
	t.Run("files are not interchangeable", func(t *testing.T) {
		d3 := t.TempDir()
		c3 := cfg
		c3.DataDir = d3
		_, err := New(c3)
		require.NoError(t, err)
		key, err := os.ReadFile(filepath.Join(d3, signingKeyFile))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(d3, principalsFile), key, 0o600))
		_, err = New(c3)
		require.Error(t, err)
	})
}
