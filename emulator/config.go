package emulator

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
)

// Well-known development identities. They are public on purpose, like
// Azurite's devstoreaccount1: anyone can use them against a local azemu.
const (
	DevAccountName   = "devstoreaccount1"
	DevAccountKey    = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	DevTenantID      = "00000000-0000-4000-8000-000000000000"
	DevClientID      = "00000000-0000-4000-8000-000000000001"
	DevClientSecret  = "azemu-development-secret"
	DevObjectID      = "00000000-0000-4000-8000-000000000002"
	DevVaultName     = "devvault"
	DevSubscription  = "00000000-0000-0000-0000-000000000000"
	DevResourceGroup = "azemu"
)

// Account is a storage account served from the start.
type Account struct {
	Name string
	// Keys are the account's shared keys (one or two), raw bytes.
	Keys [][]byte
}

// Config configures one emulator instance. The zero value is a working
// in-memory instance on 127.0.0.1 with a free port for every listener, the
// development account, the development vault and the development principal.
type Config struct {
	// DataDir holds metadata, sealed data, the root key and the TLS
	// certificates. Ignored when InMemory is set; empty means InMemory.
	DataDir string
	// InMemory keeps everything in memory: vault and identity state in the
	// process, storage in a RAM-backed temporary folder removed on Close.
	InMemory bool

	// Host is the address the listeners bind to (default 127.0.0.1).
	Host string
	// BlobPort, FilePort and VaultPort are the listener ports; 0 picks a free
	// port, -1 disables the listener.
	BlobPort  int
	FilePort  int
	VaultPort int
	// QueuePort is the Queue listener's port (Azurite's 10001); 0 picks a
	// free port, -1 disables it.
	QueuePort int
	// ConsolePort is the web console's plain HTTP port (0 a free port, -1
	// off); ConsoleHost the address it binds to, 127.0.0.1 unless set.
	ConsolePort int
	ConsoleHost string

	// CertFile and KeyFile replace the generated server certificate. When set,
	// Blob and Files are served over HTTPS too.
	CertFile string
	KeyFile  string

	// CertHosts are extra DNS names or IP addresses for the generated server
	// certificate (--cert-san), e.g. the container or compose service name
	// clients use ("azemu" for https://azemu:8443). A stored certificate is
	// re-issued when they change. Token issuers on these hosts are accepted.
	CertHosts []string

	// RootKey is the 256-bit root key, base64. Empty: generated into the data
	// folder (mode 0600) on first start, or random per instance in memory.
	RootKey string

	// Accounts are served besides devstoreaccount1 (AZURITE_ACCOUNTS).
	Accounts []Account
	// Principals are service principals registered besides the development
	// principal (--principal, AZEMU_PRINCIPALS).
	Principals []Principal
	// Admins are the object ids of the principals allowed to use the admin
	// API (/_azemu/clock and the endpoints to come); empty means the
	// development principal alone.
	Admins []string

	// Seed is the declared starting state (--seed, AZEMU_SEED), applied at
	// start and by every Reset; nil declares nothing beyond the defaults.
	// SeedFile names its file in errors.
	Seed     *Seed
	SeedFile string

	// Fsync makes every commit durable against power loss.
	Fsync bool
	// CMKCacheTTL lets an unwrapped customer-managed account key be used this
	// long without asking the vault again; 0 checks on every request.
	CMKCacheTTL time.Duration

	// BodyIdleTimeout drops a storage request whose body sends nothing for
	// this long (0: storagehttp.DefaultBodyIdleTimeout, negative: never).
	BodyIdleTimeout time.Duration
	// MaxUploads caps the storage requests with a body in flight per
	// service; past it they are 503 ServerBusy (0:
	// storagehttp.DefaultMaxUploads, negative: no cap).
	MaxUploads int

	// Logger receives the request log; nil discards it.
	Logger *slog.Logger
	// Now is the real clock (tests may inject one); nil means time.Now.
	Now func() time.Time
}

// Validate reports the first problem with c in words a user can act on.
func (c *Config) Validate() error {
	if c.Host != "" && net.ParseIP(c.Host) == nil && c.Host != "localhost" {
		if _, err := net.LookupHost(c.Host); err != nil {
			return fmt.Errorf("host %q does not resolve: %w", c.Host, err)
		}
	}
	for _, p := range []struct {
		name string
		port int
	}{{"blob", c.BlobPort}, {"file", c.FilePort}, {"vault", c.VaultPort}, {"queue", c.QueuePort}, {"console", c.ConsolePort}} {
		if p.port < -1 || p.port > 65535 {
			return fmt.Errorf("%s port %d is out of range (0 picks a free port, -1 disables)", p.name, p.port)
		}
	}
	if c.ConsoleHost != "" && net.ParseIP(c.ConsoleHost) == nil && c.ConsoleHost != "localhost" {
		return fmt.Errorf("console host %q must be an IP address or localhost", c.ConsoleHost)
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return errors.New("--cert and --key go together: give both or neither")
	}
	if c.RootKey != "" {
		k, err := base64.StdEncoding.DecodeString(c.RootKey)
		if err != nil || len(k) != 32 {
			return errors.New("the root key must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)")
		}
	}
	seen := map[string]bool{DevAccountName: true}
	for _, a := range c.Accounts {
		if !blobstore.ValidAccountName(a.Name) {
			return fmt.Errorf("account name %q must be 3 to 24 lowercase letters and digits", a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("account %q is given twice", a.Name)
		}
		seen[a.Name] = true
		if len(a.Keys) == 0 {
			return fmt.Errorf("account %q has no key", a.Name)
		}
	}
	for _, a := range c.Admins {
		if !isGUID(a) {
			return fmt.Errorf("admin %q must be a principal's object id (a GUID)", a)
		}
	}
	if c.CMKCacheTTL < 0 {
		return errors.New("the CMK cache TTL cannot be negative")
	}
	return nil
}

// ParseAccounts parses AZURITE_ACCOUNTS: "name:key[:key2];name2:key...".
// Keys are base64 as Azure shows them.
func ParseAccounts(s string) ([]Account, error) {
	var out []Account
	for _, part := range splitNonEmpty(s, ';') {
		fields := splitNonEmpty(part, ':')
		if len(fields) < 2 || len(fields) > 3 {
			return nil, fmt.Errorf("account entry %q must be name:key or name:key1:key2", part)
		}
		a := Account{Name: fields[0]}
		for _, k := range fields[1:] {
			raw, err := base64.StdEncoding.DecodeString(k)
			if err != nil {
				return nil, fmt.Errorf("key of account %q is not base64: %w", a.Name, err)
			}
			a.Keys = append(a.Keys, raw)
		}
		out = append(out, a)
	}
	return out, nil
}

func splitNonEmpty(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == sep {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// Principal is a service principal (an app registration with a client
// secret) of the development tenant, registered at start besides the
// development principal.
type Principal struct {
	ClientID string
	Secret   string
	// ObjectID is the principal's object id, the id access policies name.
	// Empty: derived from the client id, so it is the same on every start.
	ObjectID string
}

// ParsePrincipals parses "clientId:secret[:objectId];..." (--principal and
// AZEMU_PRINCIPALS). Ids are GUIDs.
func ParsePrincipals(s string) ([]Principal, error) {
	var out []Principal
	for _, part := range splitNonEmpty(s, ';') {
		fields := strings.SplitN(part, ":", 3)
		if len(fields) < 2 || fields[0] == "" || fields[1] == "" {
			return nil, fmt.Errorf("principal %q must be clientId:secret or clientId:secret:objectId", part)
		}
		p := Principal{ClientID: fields[0], Secret: fields[1]}
		if len(fields) == 3 {
			p.ObjectID = fields[2]
		}
		out = append(out, p)
	}
	return out, nil
}

// derivedObjectID is a stable object id for a client id: a name-based
// (version 5 style) UUID, so access policies that name it survive restarts.
func derivedObjectID(clientID string) string {
	h := sha1.Sum([]byte("azemu principal " + strings.ToLower(clientID)))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// isGUID reports whether s is a GUID in its 8-4-4-4-12 hexadecimal form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
