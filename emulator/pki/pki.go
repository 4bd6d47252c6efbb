package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"time"
)

// Bundle is the TLS material the emulator serves and the CA clients trust.
type Bundle struct {
	// CACertPEM is the PEM of the certificate clients should trust (`azemu cert`).
	CACertPEM []byte
	// Server is the serving certificate with its chain (leaf first).
	Server tls.Certificate
}

// Options tune LoadWith.
type Options struct {
	// Hosts are extra SANs (DNS names or IP addresses) for the server certificate.
	Hosts []string
	// Now is the real clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

var errNotImplemented = errors.New("pki: not implemented yet")

// Load is LoadWith(dir, Options{}).
func Load(dir string) (*Bundle, error) { return LoadWith(dir, Options{}) }

// LoadWith loads or creates the CA and server certificate in dir ("" = in memory).
func LoadWith(dir string, opts Options) (*Bundle, error) { return nil, errNotImplemented }

// LoadPair loads a user-supplied certificate chain and key (PEM files). The
// Bundle's CACertPEM is the last certificate of the chain file.
func LoadPair(certFile, keyFile string) (*Bundle, error) { return nil, errNotImplemented }

// CertPool returns a pool holding the CA certificate.
func (b *Bundle) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(b.CACertPEM)
	return p
}
