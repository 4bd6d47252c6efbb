package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/azemu/azemu/crypto"
)

const rsaBits = 2048

// signingKey is the authority's RSA key and its JWKS key id.
type signingKey struct {
	priv *rsa.PrivateKey
	kid  string
}

func newSigningKey(priv *rsa.PrivateKey) (*signingKey, error) {
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("identity: marshal public key: %w", err)
	}
	sum := sha256.Sum256(der)
	// 20 bytes, like the x5t thumbprints Entra uses as kid.
	return &signingKey{priv: priv, kid: base64.RawURLEncoding.EncodeToString(sum[:20])}, nil
}

// loadSigningKey opens the sealed key in DataDir or creates (and seals) one.
func loadSigningKey(cfg Config) (*signingKey, error) {
	if cfg.DataDir == "" {
		return generateSigningKey()
	}
	path := filepath.Join(cfg.DataDir, signingKeyFile)
	sealed, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k, err := generateSigningKey()
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			return nil, fmt.Errorf("identity: marshal signing key: %w", err)
		}
		out, err := crypto.Seal(cfg.RootKey, der, []byte(signingKeyAAD))
		clear(der)
		if err != nil {
			return nil, fmt.Errorf("identity: seal signing key: %w", err)
		}
		if err := writeFileAtomic(path, out); err != nil {
			return nil, err
		}
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity: read signing key: %w", err)
	}
	der, err := crypto.Open(cfg.RootKey, sealed, []byte(signingKeyAAD))
	if err != nil {
		return nil, fmt.Errorf("identity: open signing key (wrong root key?): %w", err)
	}
	defer clear(der)
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("identity: parse signing key: %w", err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("identity: signing key is not RSA")
	}
	return newSigningKey(priv)
}

func generateSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return nil, fmt.Errorf("identity: generate signing key: %w", err)
	}
	return newSigningKey(priv)
}

// jwk is one entry of the JWKS document.
type jwk struct {
	Kty    string `json:"kty"`
	Use    string `json:"use"`
	Kid    string `json:"kid"`
	Alg    string `json:"alg"`
	N      string `json:"n"`
	E      string `json:"e"`
	Issuer string `json:"issuer,omitempty"`
}

func (k *signingKey) jwk(issuer string) jwk {
	return jwk{
		Kty:    "RSA",
		Use:    "sig",
		Kid:    k.kid,
		Alg:    "RS256",
		N:      base64.RawURLEncoding.EncodeToString(k.priv.N.Bytes()),
		E:      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
		Issuer: issuer,
	}
}
