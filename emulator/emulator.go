package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/blobapi"
	"github.com/azemu/azemu/blobstore/fileapi"
	"github.com/azemu/azemu/emulator/console"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/emulator/management"
	"github.com/azemu/azemu/emulator/pki"
	"github.com/azemu/azemu/keyvault"
	"github.com/azemu/azemu/keyvault/kvapi"
)

// tickInterval is how often time-based work runs when the clock is not moved
// by hand: scheduled purges, rotation policies, collection of stale blocks.
const tickInterval = 10 * time.Second

// Emulator is a running azemu instance.
type Emulator struct {
	cfg    Config
	log    *slog.Logger
	clock  *Clock
	bundle *pki.Bundle

	storage  *blobstore.Service
	vault    *keyvault.Service
	identity *identity.Service
	mgmt     *management.Service

	blobURL, fileURL, vaultURL string
	consoleURL                 string
	reqlog                     *console.RequestLog
	servers                    []*http.Server

	stop    context.CancelFunc
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
}

// Start opens the services and starts the listeners. The returned Emulator
// serves until Close.
func Start(ctx context.Context, cfg Config) (_ *Emulator, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	e := &Emulator{cfg: cfg, log: cfg.Logger, clock: NewClock(cfg.Now), reqlog: newRequestLog()}
	defer func() {
		if err != nil {
			_ = e.Close()
		}
	}()

	sub := func(name string) string {
		if cfg.InMemory {
			return ""
		}
		return filepath.Join(cfg.DataDir, name)
	}
	if !cfg.InMemory {
		for _, d := range []string{cfg.DataDir, sub("blob"), sub("keyvault"), sub("identity"), sub("tls")} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, fmt.Errorf("create data folder: %w", err)
			}
		}
	}
	rootKey, err := loadRootKey(&cfg)
	if err != nil {
		return nil, err
	}
	if cfg.CertFile != "" {
		e.bundle, err = pki.LoadPair(cfg.CertFile, cfg.KeyFile)
	} else {
		e.bundle, err = pki.LoadWith(sub("tls"), pki.Options{RootKey: &rootKey, Logger: cfg.Logger})
	}
	if err != nil {
		return nil, fmt.Errorf("TLS certificates: %w", err)
	}

	// Bind every listener first, so the URLs (and the token issuer, which
	// names the HTTPS port) are known before the services start.
	blobLn, err := e.listen(cfg.BlobPort)
	if err != nil {
		return nil, fmt.Errorf("blob listener: %w", err)
	}
	fileLn, err := e.listen(cfg.FilePort)
	if err != nil {
		closeListener(blobLn)
		return nil, fmt.Errorf("file listener: %w", err)
	}
	vaultLn, err := e.listen(cfg.VaultPort)
	if err != nil {
		closeListener(blobLn)
		closeListener(fileLn)
		return nil, fmt.Errorf("vault listener: %w", err)
	}
	consoleLn, err := e.listenConsole()
	if err != nil {
		closeListener(blobLn)
		closeListener(fileLn)
		closeListener(vaultLn)
		return nil, fmt.Errorf("console listener: %w", err)
	}
	// Until the servers own them, a failure below must free the ports.
	served := false
	defer func() {
		if !served {
			closeListener(blobLn)
			closeListener(fileLn)
			closeListener(vaultLn)
			closeListener(consoleLn)
		}
	}()
	storageScheme := "http"
	if cfg.CertFile != "" {
		storageScheme = "https"
	}
	e.blobURL = listenerURL(storageScheme, "127.0.0.1", blobLn)
	e.fileURL = listenerURL(storageScheme, "127.0.0.1", fileLn)
	e.vaultURL = listenerURL("https", "localhost", vaultLn)

	e.identity, err = identity.New(identity.Config{
		DataDir: sub("identity"),
		RootKey: rootKey,
		Issuer:  e.vaultURL,
		Now:     cfg.Now,
		Logger:  cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	for _, p := range cfg.Principals {
		oid := p.ObjectID
		if oid == "" {
			oid = derivedObjectID(p.ClientID)
		}
		if _, err := e.identity.RegisterPrincipal(ctx, identity.ServicePrincipalSpec{
			TenantID: DevTenantID, ClientID: p.ClientID, ObjectID: oid, Secret: p.Secret, DisplayName: p.ClientID,
		}); err != nil {
			return nil, fmt.Errorf("principal %s: %w", p.ClientID, err)
		}
	}
	e.storage, err = blobstore.Open(blobstore.Config{
		DataDir:     sub("blob"),
		RootKey:     rootKey,
		Now:         e.clock.Now,
		Fsync:       cfg.Fsync,
		Logger:      cfg.Logger,
		KeyProvider: &cmk{e: e},
		KeyCacheTTL: cfg.CMKCacheTTL,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	devKey, err := decodeB64(DevAccountKey)
	if err != nil {
		return nil, fmt.Errorf("development account key: %w", err)
	}
	accounts := append([]Account{{Name: DevAccountName, Keys: [][]byte{devKey}}}, cfg.Accounts...)
	for _, a := range accounts {
		if err := e.storage.CreateAccount(ctx, blobstore.AccountSpec{Name: a.Name, Keys: a.Keys}); err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
	}
	e.vault, err = keyvault.Open(keyvault.Config{
		DataDir: sub("keyvault"),
		RootKey: rootKey,
		Now:     e.clock.Now,
		Logger:  cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("key vault: %w", err)
	}
	if err := e.ensureDevVault(ctx); err != nil {
		return nil, fmt.Errorf("default vault: %w", err)
	}
	if err := e.openManagement(ctx); err != nil {
		return nil, fmt.Errorf("management plane: %w", err)
	}

	blobHandler := blobapi.New(blobapi.Config{Service: e.storage, Logger: cfg.Logger, Now: cfg.Now})
	fileHandler := fileapi.New(fileapi.Config{Service: e.storage, Logger: cfg.Logger, Now: cfg.Now})
	vaultHandler := kvapi.New(kvapi.Config{Service: e.vault, Verifier: e.identity, Authority: e.vaultURL, Logger: cfg.Logger})

	var tlsConf *tls.Config
	if cfg.CertFile != "" {
		tlsConf = e.serverTLS()
	}
	e.serve(blobLn, "blob", e.storageMux("blob", blobHandler), tlsConf)
	e.serve(fileLn, "file", e.storageMux("file", fileHandler), tlsConf)
	e.serve(vaultLn, "vault", e.httpsMux(vaultHandler), e.serverTLS())
	if err := e.serveConsole(consoleLn); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	served = true

	tickCtx, stop := context.WithCancel(context.Background())
	e.stop = stop
	e.wg.Add(1)
	go e.tickLoop(tickCtx)
	return e, nil
}

func (e *Emulator) listen(port int) (net.Listener, error) {
	if port < 0 {
		return nil, nil
	}
	return net.Listen("tcp", net.JoinHostPort(e.cfg.Host, strconv.Itoa(port)))
}

func closeListener(ln net.Listener) {
	if ln != nil {
		_ = ln.Close()
	}
}

// listenerURL names a listener the way clients should address it: a wildcard
// bind address is reached through the loopback name.
func listenerURL(scheme, host string, ln net.Listener) string {
	if ln == nil {
		return ""
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port))
}

func (e *Emulator) serverTLS() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{e.bundle.Server},
		MinVersion:   tls.VersionTLS12,
	}
}

func (e *Emulator) serve(ln net.Listener, service string, h http.Handler, tlsConf *tls.Config) {
	if ln == nil {
		return
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
		// Each server gets its own copy: ServeTLS adds its protocols to it.
		TLSConfig: tlsConf.Clone(),
	}
	e.servers = append(e.servers, srv)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		var err error
		if tlsConf != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("listener stopped", "service", service, "err", err)
		}
	}()
}

// tickLoop runs time-based work on a timer; AdvanceClock also runs it.
func (e *Emulator) tickLoop(ctx context.Context) {
	defer e.wg.Done()
	t := time.NewTicker(tickInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.tick(ctx)
		}
	}
}

func (e *Emulator) tick(ctx context.Context) {
	if err := e.vault.Tick(ctx); err != nil {
		e.log.Error("key vault timed work", "err", err)
	}
	if err := e.storage.Sweep(ctx); err != nil {
		e.log.Error("storage timed work", "err", err)
	}
	if err := e.mgmt.Tick(ctx); err != nil {
		e.log.Error("management timed work", "err", err)
	}
}

// BlobURL is the Blob endpoint without an account, e.g. http://127.0.0.1:10000.
func (e *Emulator) BlobURL() string { return e.blobURL }

// FileURL is the Files endpoint without an account.
func (e *Emulator) FileURL() string { return e.fileURL }

// VaultURL is the HTTPS endpoint of Key Vault, the token authority and the
// management plane, e.g. https://localhost:8443.
func (e *Emulator) VaultURL() string { return e.vaultURL }

// DevVaultURL is the URL of the default vault in the host style that the
// Key Vault SDKs verify without extra options.
func (e *Emulator) DevVaultURL() string {
	return strings.Replace(e.vaultURL, "://localhost", "://"+DevVaultName+".vault.localhost", 1)
}

// ConnectionString is the connection string of the development account.
func (e *Emulator) ConnectionString() string {
	parts := []string{
		"DefaultEndpointsProtocol=" + strings.SplitN(e.blobURL+e.fileURL, ":", 2)[0],
		"AccountName=" + DevAccountName,
		"AccountKey=" + DevAccountKey,
	}
	if e.blobURL != "" {
		parts = append(parts, "BlobEndpoint="+e.blobURL+"/"+DevAccountName)
	}
	if e.fileURL != "" {
		parts = append(parts, "FileEndpoint="+e.fileURL+"/"+DevAccountName)
	}
	return strings.Join(parts, ";") + ";"
}

// CACertPEM is the certificate of the CA that issued the HTTPS certificate.
func (e *Emulator) CACertPEM() []byte { return e.bundle.CACertPEM }

// CertPool trusts the emulator's CA.
func (e *Emulator) CertPool() *x509.CertPool { return e.bundle.CertPool() }

// HTTPClient returns a client that trusts the emulator's CA and reaches
// *.localhost names (vault.localhost, devvault.vault.localhost, ...) on the
// loopback address, which the system resolver may not do.
func (e *Emulator) HTTPClient() *http.Client { return NewHTTPClient(e.CertPool()) }

// NewHTTPClient returns a client that trusts pool (an azemu CA) and dials
// localhost and *.localhost names on 127.0.0.1.
func NewHTTPClient(pool *x509.CertPool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 64,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{Transport: tr}
}

// Clock returns the emulator clock.
func (e *Emulator) Clock() *Clock { return e.clock }

// AdvanceClock moves the emulator clock forward and runs what became due.
func (e *Emulator) AdvanceClock(ctx context.Context, d time.Duration) time.Time {
	now := e.clock.Advance(d)
	e.tick(ctx)
	return now
}

// Storage returns the storage service (for in-process wiring and tests).
func (e *Emulator) Storage() *blobstore.Service { return e.storage }

// Vault returns the Key Vault service.
func (e *Emulator) Vault() *keyvault.Service { return e.vault }

// Identity returns the token service.
func (e *Emulator) Identity() *identity.Service { return e.identity }

// Close stops the listeners gracefully (in-flight requests get a few
// seconds) and closes the services.
func (e *Emulator) Close() error {
	e.closeMu.Lock()
	defer e.closeMu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, s := range e.servers {
		if err := s.Shutdown(ctx); err != nil {
			_ = s.Close()
		}
	}
	if e.stop != nil {
		e.stop()
	}
	e.wg.Wait()
	for _, c := range []io.Closer{closerOf(e.mgmt), closerOf(e.storage), closerOf(e.vault), closerOf(e.identity)} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// closerOf turns a possibly nil service pointer into a possibly nil Closer
// without the typed-nil trap.
func closerOf[T any, P interface {
	*T
	Close() error
}](p P) io.Closer {
	if p == nil {
		return nil
	}
	return p
}

// blobPort returns the Blob listener's port (0 when disabled).
func (e *Emulator) blobPort() int {
	i := strings.LastIndexByte(e.blobURL, ':')
	if i < 0 {
		return 0
	}
	p, _ := strconv.Atoi(e.blobURL[i+1:])
	return p
}
