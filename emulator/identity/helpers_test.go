package identity

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/emulator/pki"
)

// clock is a settable real-clock stand-in.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is a Service served over TLS on a free port, and a client that trusts
// the CA and dials every host name to that port.
type env struct {
	svc    *Service
	port   string
	base   string // https://localhost:PORT
	client *http.Client
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	bundle, err := pki.Load("")
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(nil)
	srv.TLS = bundle.TLSConfig()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	cfg.Issuer = "https://localhost:" + port
	svc, err := New(cfg)
	require.NoError(t, err)
	srv.Config.Handler = svc.Handler()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	d := &net.Dialer{Timeout: 5 * time.Second}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: bundle.ClientTLSConfig(),
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
	t.Cleanup(client.CloseIdleConnections)
	return &env{svc: svc, port: port, base: cfg.Issuer, client: client}
}

func testRootKey(t *testing.T) crypto.Key {
	t.Helper()
	k, err := crypto.NewKey()
	require.NoError(t, err)
	return k
}

func tlsState() *tls.ConnectionState { return &tls.ConnectionState{HandshakeComplete: true} }
