package emulator

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/blob"
	"github.com/azemu/azemu/blobstore/blobapi"
	"github.com/azemu/azemu/blobstore/file"
	"github.com/azemu/azemu/blobstore/fileapi"
	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/queueapi"
	"github.com/azemu/azemu/crypto"
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
	cfg     Config
	log     *slog.Logger
	clock   *Clock
	dir     *dataDir
	rootKey crypto.Key
	bundle  *pki.Bundle
	// instance tells this run apart from any other azemu (health, status).
	instance string

	storage *blobstore.Service
	// blobHandler and fileHandler are the Blob and File REST handlers, built
	// once in startServing and served on their own ports and, for host-style
	// names, on the HTTPS port.
	blobHandler, fileHandler http.Handler
	vault                    *keyvault.Service
	identity                 *identity.Service
	mgmt                     *management.Service
	queue                    *queue.Service
	queueKeys                *queueKeys

	partsOnce sync.Once
	blobs     *blob.Service
	files     *file.Service
	// resetMu makes resets one at a time.
	resetMu sync.Mutex

	blobLn, fileLn, vaultLn, queueLn net.Listener
	consoleLn                        net.Listener
	// consoleHandler is the web console, built before serving starts.
	consoleHandler             http.Handler
	blobURL, fileURL, vaultURL string
	queueURL                   string
	consoleURL                 string
	reqlog                     *console.RequestLog
	servers                    []*http.Server
	// admins are the lower-case object ids allowed to use the admin API.
	admins []string

	stop    context.CancelFunc
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
}

// Start opens the services and starts the listeners. The returned Emulator
// serves until Close. A Start that fails leaves nothing behind: no listener,
// no lock, and no file or folder that it created.
func Start(ctx context.Context, cfg Config) (_ *Emulator, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := newEmulator(cfg)
	defer func() {
		if err != nil {
			e.abort()
		}
	}()
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"data folder", e.openDataDir},
		{"TLS certificates", e.loadTLS},
		// Bind every listener before the services start, so the URLs (and
		// the token issuer, which names the HTTPS port) are known.
		{"listeners", e.bindListeners},
		{"identity", e.openIdentity},
		// The vault opens before storage: storage's customer-managed keys
		// are unwrapped by it.
		{"key vault", e.openVault},
		{"storage", e.openStorage},
		// The seed goes in before the management plane opens, which adopts
		// the seeded accounts and vaults.
		{"seed", e.applySeed},
		{"management plane", e.openManagement},
		// Queue asks the management plane for each account's queue key
		// type; it attaches to the storage core, whose DeleteAccount (and
		// so Reset) drops an account's queues.
		{"queue", e.openQueue},
		{"console", e.buildConsole},
	}
	for _, s := range steps {
		if err := s.run(ctx); err != nil {
			if errors.Is(err, ErrDataDirInUse) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	e.startServing()
	if !e.cfg.InMemory {
		// Tools pointed at the data folder (azemu cert, clock, health) find
		// the running instance here; it goes on Close.
		if err := e.WriteStatus(e.dir.sub(StatusFile)); err != nil {
			_ = e.Close()
			return nil, err
		}
	}
	return e, nil
}

// newEmulator fills in the defaults of cfg.
func newEmulator(cfg Config) *Emulator {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.DataDir == "" {
		cfg.InMemory = true
	}
	e := &Emulator{cfg: cfg, log: cfg.Logger, clock: NewClock(cfg.Now), admins: []string{DevObjectID}, instance: newInstanceID(), reqlog: newRequestLog()}
	if len(cfg.Admins) > 0 {
		e.admins = e.admins[:0]
		for _, a := range cfg.Admins {
			e.admins = append(e.admins, strings.ToLower(a))
		}
	}
	return e
}

// newInstanceID is a random id naming one run of azemu.
func newInstanceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Instance is a random id of this run, answered by /_azemu/health and
// written to the status file, so a tool can tell whether the azemu on a port
// is the one it was pointed at.
func (e *Emulator) Instance() string { return e.instance }

// abort undoes a failed Start.
func (e *Emulator) abort() {
	for _, ln := range []net.Listener{e.blobLn, e.fileLn, e.vaultLn, e.queueLn, e.consoleLn} {
		closeListener(ln)
	}
	_ = e.closeServices()
	if e.dir != nil {
		e.dir.discard()
	}
}

// sub is the folder of one service inside the data folder, "" in memory
// (the service then keeps its state in the process).
func (e *Emulator) sub(name string) string {
	if e.cfg.InMemory {
		return ""
	}
	return e.dir.sub(name)
}

func (e *Emulator) openDataDir(context.Context) error {
	d, err := openDataDir(&e.cfg)
	if err != nil {
		return err
	}
	e.dir = d
	if e.cfg.InMemory {
		return nil
	}
	d.markNew(rootKeyFile, "blob", "queue", "keyvault", "identity", "tls", "management")
	for _, name := range []string{"blob", "queue", "keyvault", "identity", "tls"} {
		if err := os.MkdirAll(d.sub(name), 0o700); err != nil {
			return fmt.Errorf("create data folder: %w", err)
		}
	}
	return nil
}

func (e *Emulator) loadTLS(context.Context) error {
	rootKey, err := loadRootKey(&e.cfg)
	if err != nil {
		return err
	}
	e.rootKey = rootKey
	if e.cfg.CertFile != "" {
		e.bundle, err = pki.LoadPair(e.cfg.CertFile, e.cfg.KeyFile)
	} else {
		e.bundle, err = pki.LoadWith(e.sub("tls"), pki.Options{RootKey: &rootKey, Hosts: e.cfg.CertHosts, Logger: e.log})
	}
	return err
}

func (e *Emulator) bindListeners(context.Context) error {
	var err error
	if e.blobLn, err = e.listen(e.cfg.BlobPort); err != nil {
		return fmt.Errorf("blob listener: %w", err)
	}
	if e.fileLn, err = e.listen(e.cfg.FilePort); err != nil {
		return fmt.Errorf("file listener: %w", err)
	}
	if e.vaultLn, err = e.listen(e.cfg.VaultPort); err != nil {
		return fmt.Errorf("vault listener: %w", err)
	}
	if e.queueLn, err = e.listen(e.cfg.QueuePort); err != nil {
		return fmt.Errorf("queue listener: %w", err)
	}
	if e.consoleLn, err = e.listenConsole(); err != nil {
		return fmt.Errorf("console listener: %w", err)
	}
	storageScheme := "http"
	if e.cfg.CertFile != "" {
		storageScheme = "https"
	}
	e.blobURL = listenerURL(storageScheme, "127.0.0.1", e.blobLn)
	e.fileURL = listenerURL(storageScheme, "127.0.0.1", e.fileLn)
	e.queueURL = listenerURL(storageScheme, "127.0.0.1", e.queueLn)
	e.vaultURL = listenerURL("https", "localhost", e.vaultLn)
	return nil
}

func (e *Emulator) openIdentity(ctx context.Context) error {
	var err error
	e.identity, err = identity.New(identity.Config{
		DataDir: e.sub("identity"),
		RootKey: e.rootKey,
		Issuer:  e.vaultURL,
		Aliases: e.cfg.CertHosts,
		Now:     e.cfg.Now,
		Logger:  e.log,
	})
	if err != nil {
		return err
	}
	return e.registerPrincipals(ctx)
}

// registerPrincipals registers Config.Principals (at start and on reset).
func (e *Emulator) registerPrincipals(ctx context.Context) error {
	for _, p := range e.cfg.Principals {
		oid := p.ObjectID
		if oid == "" {
			oid = derivedObjectID(p.ClientID)
		}
		if _, err := e.identity.RegisterPrincipal(ctx, identity.ServicePrincipalSpec{
			TenantID: DevTenantID, ClientID: p.ClientID, ObjectID: oid, Secret: p.Secret, DisplayName: p.ClientID,
		}); err != nil {
			return fmt.Errorf("principal %s: %w", p.ClientID, err)
		}
	}
	return nil
}

func (e *Emulator) openVault(ctx context.Context) error {
	var err error
	e.vault, err = keyvault.Open(keyvault.Config{
		DataDir: e.sub("keyvault"),
		RootKey: e.rootKey,
		Now:     e.clock.Now,
		Logger:  e.log,
	})
	if err != nil {
		return err
	}
	if err := e.ensureDevVault(ctx); err != nil {
		return fmt.Errorf("default vault: %w", err)
	}
	return nil
}

func (e *Emulator) openStorage(ctx context.Context) error {
	// In memory, storage keeps its bbolt file and sealed data in the
	// instance's temporary folder (RAM-backed where there is room).
	dir := e.dir.sub("blob")
	var err error
	e.storage, err = blobstore.Open(blobstore.Config{
		DataDir:     dir,
		RootKey:     e.rootKey,
		Now:         e.clock.Now,
		Fsync:       e.cfg.Fsync,
		Logger:      e.log,
		KeyProvider: &cmk{vault: e.vault, ids: e.identity},
		KeyCacheTTL: e.cfg.CMKCacheTTL,
	})
	if err != nil {
		return err
	}
	return e.createAccounts(ctx)
}

// createAccounts creates the development account and Config.Accounts (at
// start and on reset).
func (e *Emulator) createAccounts(ctx context.Context) error {
	devKey, err := decodeB64(DevAccountKey)
	if err != nil {
		return fmt.Errorf("development account key: %w", err)
	}
	accounts := append([]Account{{Name: DevAccountName, Keys: [][]byte{devKey}}}, e.cfg.Accounts...)
	for _, a := range accounts {
		if err := e.storage.CreateAccount(ctx, blobstore.AccountSpec{Name: a.Name, Keys: a.Keys}); err != nil {
			return fmt.Errorf("account %s: %w", a.Name, err)
		}
	}
	return nil
}

// startServing hands the listeners to their servers and starts the timer of
// time-based work. Nothing in it can fail.
func (e *Emulator) startServing() {
	blobs, files := e.storageParts()
	e.blobHandler = blobapi.New(blobapi.Config{Service: blobs, Logger: e.log, Now: e.cfg.Now})
	e.fileHandler = fileapi.New(fileapi.Config{Service: files, Logger: e.log, Now: e.cfg.Now})
	vaultHandler := kvapi.New(kvapi.Config{Service: e.vault, Verifier: e.identity, Authority: e.vaultURL, Logger: e.log})

	var tlsConf *tls.Config
	if e.cfg.CertFile != "" {
		tlsConf = e.serverTLS()
	}
	e.serve(e.blobLn, "blob", e.storageMux("blob", e.blobHandler), tlsConf)
	e.serve(e.fileLn, "file", e.storageMux("file", e.fileHandler), tlsConf)
	queueHandler := queueapi.New(queueapi.Config{Service: e.queue, Accounts: queueAccounts{e.storage}, Logger: e.log, Now: e.cfg.Now})
	e.serve(e.queueLn, "queue", e.storageMux("queue", queueHandler), tlsConf)
	e.serve(e.vaultLn, "vault", e.httpsMux(vaultHandler), e.serverTLS())
	e.serve(e.consoleLn, "console", e.consoleHandler, nil)
	e.blobLn, e.fileLn, e.vaultLn, e.queueLn, e.consoleLn = nil, nil, nil, nil, nil // owned by the servers now

	tickCtx, stop := context.WithCancel(context.Background())
	e.stop = stop
	e.wg.Add(1)
	go e.tickLoop(tickCtx)
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
		ErrorLog:          log.New(serverLog{e: e, service: service}, "", 0),
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
		"DefaultEndpointsProtocol=" + strings.SplitN(e.blobURL+e.fileURL+e.queueURL, ":", 2)[0],
		"AccountName=" + DevAccountName,
		"AccountKey=" + DevAccountKey,
	}
	if e.blobURL != "" {
		parts = append(parts, "BlobEndpoint="+e.blobURL+"/"+DevAccountName)
	}
	if e.fileURL != "" {
		parts = append(parts, "FileEndpoint="+e.fileURL+"/"+DevAccountName)
	}
	if e.queueURL != "" {
		parts = append(parts, "QueueEndpoint="+e.queueURL+"/"+DevAccountName)
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

// IdentityEndpoint is the managed identity endpoint, the value of
// IDENTITY_ENDPOINT for azidentity's ManagedIdentityCredential (App Service
// style); "" when the HTTPS listener is disabled.
func (e *Emulator) IdentityEndpoint() string {
	if e.vaultURL == "" {
		return ""
	}
	return e.vaultURL + "/msi/token"
}

// IdentityHeader is the secret the managed identity endpoint expects, the
// value of IDENTITY_HEADER.
func (e *Emulator) IdentityHeader() string { return identity.DefaultIdentityHeader }

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
	errs = append(errs, e.closeServices())
	if e.dir != nil {
		if !e.cfg.InMemory {
			_ = os.Remove(e.dir.sub(StatusFile))
		}
		e.dir.close()
	}
	return errors.Join(errs...)
}

// closeServices closes the services that are open, in reverse order of
// opening.
func (e *Emulator) closeServices() error {
	var errs []error
	for _, c := range []io.Closer{closerOf(e.queue), closerOf(e.mgmt), closerOf(e.storage), closerOf(e.vault), closerOf(e.identity)} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	e.mgmt, e.storage, e.vault, e.identity = nil, nil, nil, nil
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
