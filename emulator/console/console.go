package console

import (
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed assets
var assets embed.FS

// Config is what the console needs from the wiring: where the emulator's
// endpoints are, how to reach them, a token source and the request log.
type Config struct {
	// Hosts are the host:port names the console answers to, such as
	// "127.0.0.1:10010" and "localhost:10010". Requests with any other Host
	// header are refused.
	Hosts []string
	// BlobURL and FileURL are the storage endpoints without an account
	// (http://127.0.0.1:10000); "" when the listener is off.
	BlobURL, FileURL string
	// HTTPSURL is the endpoint of Key Vault, the token authority, the
	// management plane and the admin API (https://localhost:8443). Vaults
	// are reached as https://<vault>.vault.localhost:<its port>.
	HTTPSURL string
	// Client reaches the endpoints: it trusts azemu's CA and dials
	// *.localhost names on the loopback address.
	Client *http.Client
	// Tokens gives the bearer tokens of the principal the console acts as
	// (the development principal).
	Tokens TokenSource
	// Log is the request log the emulator's middleware feeds; nil shows an
	// empty log.
	Log *RequestLog
	// Subscription and ResourceGroup are where the console creates
	// resources.
	Subscription, ResourceGroup string
	// Logger receives the console's own failures; nil discards them.
	Logger *slog.Logger
	// Now is the real clock, for request signatures; nil means time.Now.
	Now func() time.Time
}

// Validate reports what the wiring forgot.
func (c *Config) Validate() error {
	switch {
	case len(c.Hosts) == 0:
		return errors.New("console: no host names to answer to")
	case c.HTTPSURL == "":
		return errors.New("console: the HTTPS endpoint is required")
	case c.Client == nil || c.Tokens == nil:
		return errors.New("console: an HTTP client and a token source are required")
	case c.Subscription == "" || c.ResourceGroup == "":
		return errors.New("console: a subscription and a resource group are required")
	}
	return nil
}

// Console is the web console's HTTP handler.
type Console struct {
	cfg       Config
	log       *slog.Logger
	hosts     map[string]bool
	origins   map[string]bool
	static    http.Handler
	index     []byte
	vaultPort string

	keysMu sync.Mutex
	keys   map[string][]byte // account name -> key1, from listKeys
}

// New returns the console for cfg.
func New(cfg Config) (*Console, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	u, err := url.Parse(cfg.HTTPSURL)
	if err != nil || u.Port() == "" {
		return nil, errors.New("console: the HTTPS endpoint must be a URL with a port")
	}
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	index, err := fs.ReadFile(sub, "index.html")
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, log: cfg.Logger, hosts: map[string]bool{}, origins: map[string]bool{},
		static: http.StripPrefix("/assets/", http.FileServerFS(sub)), index: index, vaultPort: u.Port(),
		keys: map[string][]byte{}}
	for _, h := range cfg.Hosts {
		h = strings.ToLower(h)
		c.hosts[h] = true
		c.origins["http://"+h] = true
	}
	return c, nil
}

// Handler serves the page, its assets and its API.
func (c *Console) Handler() http.Handler {
	return c.guard(http.HandlerFunc(c.route))
}

func (c *Console) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	switch {
	case p == "/" || p == "/index.html":
		c.page(w, r)
	case strings.HasPrefix(p, "/assets/"):
		w.Header().Set("Cache-Control", "no-cache")
		c.static.ServeHTTP(w, r)
	case p == "/api/info":
		c.info(w, r)
	case p == "/api/log":
		c.requestLog(w, r)
	case strings.HasPrefix(p, "/api/"):
		c.api(w, r, strings.TrimPrefix(p, "/api"))
	default:
		refuse(w, http.StatusNotFound, "NotFound", "The console has no page at this path.")
	}
}

// csp allows the page only its own scripts, styles and API.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func (c *Console) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		refuse(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Use GET.")
		return
	}
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(c.index)
}

// info tells the page where things are.
func (c *Console) info(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"blob": c.cfg.BlobURL, "file": c.cfg.FileURL, "https": c.cfg.HTTPSURL,
		"vaultSuffix":  ".vault.localhost:" + c.vaultPort,
		"subscription": c.cfg.Subscription, "resourceGroup": c.cfg.ResourceGroup,
	})
}

// requestLog answers the entries after ?after=N, newest first.
func (c *Console) requestLog(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
	entries := []Entry{}
	if c.cfg.Log != nil {
		entries = c.cfg.Log.After(after, 500)
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
