package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // subject key id per RFC 5280 4.2.1.2 method 1, not a security use
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/azemu/azemu/crypto"
)

// File names inside the directory given to Load.
const (
	CACertFile     = "ca.pem"
	CAKeyFile      = "ca-key.pem"
	ServerCertFile = "server.pem"
	ServerKeyFile  = "server-key.pem"
)

// CAName is the CA certificate's common name.
const CAName = "azemu Development CA"

const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 2 * 365 * 24 * time.Hour
	renewBefore    = 30 * 24 * time.Hour
	backdate       = time.Hour // tolerate small clock skew between processes
)

// DefaultHosts are the SANs of every server certificate Load makes.
// <account>.blob.core.localhost and <account>.file.core.localhost are the
// storage names of a cloud whose storage suffix is core.localhost: the
// Python storage SDK reads the account name from a host only when it has
// ".blob.core." or ".file.core." in it.
var DefaultHosts = []string{
	"localhost", "127.0.0.1", "::1", "host.docker.internal",
	"vault.localhost", "*.vault.localhost", "*.blob.localhost", "*.file.localhost",
	"*.blob.core.localhost", "*.file.core.localhost",
}

// Bundle is the TLS material the emulator serves and the CA clients trust.
type Bundle struct {
	// CACertPEM is the PEM of the certificate clients should trust (`azemu cert`).
	CACertPEM []byte
	// Server is the serving certificate with its chain (leaf first).
	Server tls.Certificate
}

// Options tune LoadWith.
type Options struct {
	// RootKey, when set, seals the private keys at rest (crypto.Seal):
	// ca-key.sealed and server-key.sealed replace the PEM key files, and
	// PEM key files left by an older azemu are sealed and removed on load.
	RootKey *crypto.Key
	// Hosts are extra SANs (DNS names or IP addresses) for the server certificate.
	Hosts []string
	// Now is the real clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Load is LoadWith(dir, Options{}).
func Load(dir string) (*Bundle, error) { return LoadWith(dir, Options{}) }

// LoadWith loads or creates the CA and server certificate in dir ("" = in memory).
func LoadWith(dir string, opts Options) (*Bundle, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	hosts := wantedHosts(opts.Hosts)
	now := opts.Now()
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("pki: create %s: %w", dir, err)
		}
	}

	ks := keyStore{root: opts.RootKey}
	ca, caKey, fresh, err := loadOrCreateCA(dir, now, opts.Logger, ks)
	if err != nil {
		return nil, err
	}
	var leaf *x509.Certificate
	var leafKey *ecdsa.PrivateKey
	if !fresh && dir != "" {
		leaf, leafKey, err = ks.readPair(filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile))
		if err == nil {
			if why := serverStale(leaf, leafKey, ca, hosts, now); why != "" {
				opts.Logger.Info("regenerating server certificate", "reason", why)
				leaf, leafKey = nil, nil
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			opts.Logger.Warn("regenerating unreadable server certificate", "error", err)
			leaf, leafKey = nil, nil
		}
	}
	if leaf == nil {
		leaf, leafKey, err = newServer(ca, caKey, hosts, now)
		if err != nil {
			return nil, err
		}
		if dir != "" {
			if err := ks.writePair(filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile), leaf, leafKey); err != nil {
				return nil, err
			}
		}
	}
	return &Bundle{
		CACertPEM: pemCert(ca),
		Server: tls.Certificate{
			Certificate: [][]byte{leaf.Raw, ca.Raw},
			PrivateKey:  leafKey,
			Leaf:        leaf,
		},
	}, nil
}

// LoadPair loads a user-supplied certificate chain and key (PEM files). The
// Bundle's CACertPEM is the last certificate of the chain file.
func LoadPair(certFile, keyFile string) (*Bundle, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("pki: load %s: %w", certFile, err)
	}
	if len(cert.Certificate) == 0 {
		return nil, fmt.Errorf("pki: %s holds no certificate", certFile)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("pki: parse %s: %w", certFile, err)
		}
	}
	last := cert.Certificate[len(cert.Certificate)-1]
	return &Bundle{
		CACertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: last}),
		Server:    cert,
	}, nil
}

// CertPool returns a pool holding the CA certificate.
func (b *Bundle) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(b.CACertPEM)
	return p
}

// TLSConfig returns a server configuration serving b.Server (TLS 1.2+).
func (b *Bundle) TLSConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{b.Server},
		MinVersion:   tls.VersionTLS12,
	}
}

// ClientTLSConfig returns a client configuration trusting only the CA.
func (b *Bundle) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: b.CertPool(), MinVersion: tls.VersionTLS12}
}

func wantedHosts(extra []string) []string {
	hosts := slices.Clone(DefaultHosts)
	for _, h := range extra {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

func loadOrCreateCA(dir string, now time.Time, log *slog.Logger, ks keyStore) (*x509.Certificate, *ecdsa.PrivateKey, bool, error) {
	if dir != "" {
		ca, key, err := ks.readPair(filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile))
		switch {
		case err == nil && !ca.IsCA:
			log.Warn("regenerating CA: certificate in ca.pem is not a CA")
		case err == nil && now.Add(renewBefore).After(ca.NotAfter):
			log.Warn("regenerating CA: expired or expiring; clients must trust the new ca.pem", "not_after", ca.NotAfter)
		case err == nil:
			return ca, key, false, nil
		case !errors.Is(err, os.ErrNotExist):
			log.Warn("regenerating unreadable CA; clients must trust the new ca.pem", "error", err)
		}
	}
	ca, key, err := newCA(now)
	if err != nil {
		return nil, nil, false, err
	}
	if dir != "" {
		if err := ks.writePair(filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile), ca, key); err != nil {
			return nil, nil, false, err
		}
	}
	return ca, key, true, nil
}

func newCA(now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: generate CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: CAName, Organization: []string{"azemu"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: parse CA certificate: %w", err)
	}
	return cert, key, nil
}

func newServer(ca *x509.Certificate, caKey *ecdsa.PrivateKey, hosts []string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: generate server key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	notAfter := now.Add(serverLifetime)
	if notAfter.After(ca.NotAfter) {
		notAfter = ca.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"azemu"}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SubjectKeyId: keyID(&key.PublicKey),
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: create server certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: parse server certificate: %w", err)
	}
	return cert, key, nil
}

// serverStale says why leaf must be regenerated, or "" if it can stay.
func serverStale(leaf *x509.Certificate, key *ecdsa.PrivateKey, ca *x509.Certificate, hosts []string, now time.Time) string {
	if now.Add(renewBefore).After(leaf.NotAfter) {
		return "expired or expiring"
	}
	if now.Before(leaf.NotBefore) {
		return "not yet valid"
	}
	if err := leaf.CheckSignatureFrom(ca); err != nil {
		return "not signed by the current CA"
	}
	if !key.PublicKey.Equal(leaf.PublicKey) {
		return "key does not match certificate"
	}
	var have []string
	have = append(have, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		have = append(have, ip.String())
	}
	want := slices.Clone(hosts)
	for i, h := range want {
		if ip := net.ParseIP(h); ip != nil {
			want[i] = ip.String()
		}
	}
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, slices.Compact(want)) {
		return "SANs changed"
	}
	return ""
}

// keyStore reads and writes private key files: PEM, or sealed with the
// root key when one is given.
type keyStore struct{ root *crypto.Key }

// sealedPath names the sealed form of a PEM key file.
func sealedPath(keyPath string) string { return strings.TrimSuffix(keyPath, ".pem") + ".sealed" }

func keyAAD(keyPath string) []byte { return []byte("azemu pki " + filepath.Base(keyPath)) }

// readKeyDER returns the PKCS#8 DER of a key file. With a root key it reads
// the sealed file, sealing a PEM file an older azemu left (then removing it).
func (ks keyStore) readKeyDER(keyPath string) ([]byte, error) {
	if ks.root != nil {
		sealed, err := os.ReadFile(sealedPath(keyPath))
		if err == nil {
			der, err := crypto.Open(*ks.root, sealed, keyAAD(keyPath))
			if err != nil {
				return nil, fmt.Errorf("pki: %s: %w (was the data folder started with another root key?)", sealedPath(keyPath), err)
			}
			return der, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, fmt.Errorf("pki: %s: no PEM block", keyPath)
	}
	if ks.root != nil {
		if err := ks.writeKeyDER(keyPath, kb.Bytes); err != nil {
			return nil, err
		}
	}
	return kb.Bytes, nil
}

// writeKeyDER writes a key file: sealed with the root key (removing any
// PEM form), or as PEM without one.
func (ks keyStore) writeKeyDER(keyPath string, der []byte) error {
	if ks.root == nil {
		return writeFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	}
	sealed, err := crypto.Seal(*ks.root, der, keyAAD(keyPath))
	if err != nil {
		return err
	}
	if err := writeFileAtomic(sealedPath(keyPath), sealed, 0o600); err != nil {
		return err
	}
	if err := os.Remove(keyPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pki: remove plaintext key %s: %w", keyPath, err)
	}
	return nil
}

func (ks keyStore) readPair(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	der, err := ks.readKeyDER(keyPath)
	if err != nil {
		return nil, nil, err
	}
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, nil, fmt.Errorf("pki: %s: no CERTIFICATE block", certPath)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: %s: %w", certPath, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: %s: %w", keyPath, err)
	}
	key, ok := parsed.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("pki: %s: not an ECDSA key", keyPath)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("pki: %s does not match %s", keyPath, certPath)
	}
	return cert, key, nil
}

func (ks keyStore) writePair(certPath, keyPath string, cert *x509.Certificate, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("pki: marshal key: %w", err)
	}
	defer clear(der)
	// Key first: a certificate without its key on disk is useless.
	if err := ks.writeKeyDER(keyPath, der); err != nil {
		return err
	}
	return writeFileAtomic(certPath, pemCert(cert), 0o644)
}

// ReadCACert returns the PEM of the CA certificate in dir, without its key
// (os.ErrNotExist when the folder has none yet).
func ReadCACert(dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, err
	}
	if blk, _ := pem.Decode(b); blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("pki: %s holds no certificate", filepath.Join(dir, CACertFile))
	}
	return b, nil
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after a successful rename
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	return nil
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("pki: serial: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

func keyID(pub *ecdsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	sum := sha1.Sum(der) //nolint:gosec // identifier, not security
	return sum[:]
}
