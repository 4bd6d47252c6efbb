package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/azemu/azemu/emulator"
)

// options are the serve flags. Each flag has azemu's name and, where Azurite
// has one, Azurite's name as an alias so existing scripts keep working.
type options struct {
	data, host, cert, key, rootKey, logLevel string
	rootKeyFile                              string
	inMemory, fsync                          bool
	blobPort, filePort, vaultPort            int
	queuePort                                int
	consolePort                              int
	consoleHost                              string
	cmkCacheTTL                              time.Duration
	principals, certSANs, admins             listValue
	statusFile, seed                         string
}

// Flag groups of azemu serve, in the order the help shows them.
const (
	groupWhere    = "Where it listens"
	groupData     = "Data and keys"
	groupIdentity = "Identity and TLS"
	groupBehave   = "Behaviour and logging"
	groupAzurite  = "Accepted for Azurite compatibility (no effect)"
)

func newServeFlags(o *options) *flags {
	f := newFlags("azemu serve")
	f.str(groupWhere, &o.host, "127.0.0.1", "HOST", "address to listen on; 0.0.0.0 in containers", "host", "blobHost", "fileHost", "queueHost").arg = "ADDR"
	f.port(groupWhere, &o.blobPort, 10000, "BLOB_PORT", "Blob port; 0 picks a free port, -1 disables", "blob-port", "blobPort")
	f.port(groupWhere, &o.filePort, 10003, "FILE_PORT", "Files port; 0 picks a free port, -1 disables", "file-port", "filePort")
	f.port(groupWhere, &o.queuePort, 10001, "QUEUE_PORT", "Queue port; 0 picks a free port, -1 disables", "queue-port", "queuePort")
	f.port(groupWhere, &o.vaultPort, 8443, "VAULT_PORT", "HTTPS port of Key Vault, tokens, management and the admin API; 0 picks a free port", "vault-port")
	f.port(groupWhere, &o.consolePort, 10010, "CONSOLE_PORT", "web console port (plain HTTP); 0 picks a free port, -1 disables", "console-port")
	f.str(groupWhere, &o.consoleHost, "127.0.0.1", "CONSOLE_HOST", "address the web console listens on", "console-host").arg = "ADDR"
	f.path(groupWhere, &o.statusFile, "", "STATUS_FILE", "once ready, write endpoints, connection string and CA as JSON here (also written to DATA/status.json)", "status-file").arg = "FILE"
	f.path(groupData, &o.data, "./azemu-data", "DATA", "data folder", "data", "l", "location")
	f.boolean(groupData, &o.inMemory, "IN_MEMORY", "keep everything in memory (storage in a RAM-backed temp folder, removed at exit)", "in-memory", "inMemoryPersistence")
	f.path(groupData, &o.rootKeyFile, "", "ROOT_KEY_FILE", "file holding the root key, 32 bytes base64 (a mounted secret); keeps it out of the process list; default: generated into the data folder", "root-key-file").arg = "FILE"
	f.str(groupData, &o.rootKey, "", "ROOT_KEY", "root key itself, 32 bytes base64; visible in the process list, prefer --root-key-file", "root-key").arg = "KEY"
	f.path(groupData, &o.seed, "", "SEED", "JSON or YAML document of accounts, containers, blobs, shares, vaults, keys and principals to start with; 'azemu reset' returns to it", "seed").arg = "FILE"
	f.boolean(groupData, &o.fsync, "FSYNC", "fsync every commit so it survives power loss (slower writes)", "fsync")
	f.add(groupIdentity, &o.principals, "PRINCIPALS", "ID:SECRET[:OID]", "register a service principal; repeatable (variable: ';'-separated)", "principal")
	f.add(groupIdentity, &o.admins, "ADMINS", "OBJECT_ID", "object id of a principal allowed to use the admin API (the clock); repeatable (variable: ','-separated); default: the development principal", "admin")
	f.add(groupIdentity, &o.certSANs, "CERT_SAN", "NAME", "extra DNS name or IP of the server certificate, e.g. a compose service name; repeatable (variable: ','-separated)", "cert-san")
	f.path(groupIdentity, &o.cert, "", "CERT", "server certificate PEM; serves Blob and Files over HTTPS too", "cert").arg = "FILE"
	f.path(groupIdentity, &o.key, "", "KEY", "server key PEM, with --cert", "key").arg = "FILE"
	f.duration(groupBehave, &o.cmkCacheTTL, "CMK_CACHE_TTL", "how long an unwrapped customer-managed key is trusted without asking the vault, emulating Azure's delay (e.g. 1h, 1d)", "cmk-cache-ttl")
	f.str(groupBehave, &o.logLevel, "info", "LOG_LEVEL", "debug, info, warn or error", "log-level").arg = "LEVEL"
	// Azurite flags that need no behaviour here, accepted so scripts keep working.
	var ignored bool
	var ignoredStr string
	f.boolean(groupAzurite, &ignored, "", "accepted and ignored", "skipApiVersionCheck", "loose", "silent", "disableProductStyleUrl", "disableTelemetry")
	f.str(groupAzurite, &ignoredStr, "", "", "accepted and ignored; use --log-level debug", "d", "debug")
	return f
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(strings.ToUpper(s)))
	if err != nil {
		return 0, fmt.Errorf("--log-level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	f := newServeFlags(&o)
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "azemu serve: unexpected argument %q\n", f.fs.Arg(0))
		return errUsage
	}
	level, err := parseLevel(o.logLevel)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	accounts, err := emulator.ParseAccounts(os.Getenv("AZURITE_ACCOUNTS"))
	if err != nil {
		return fmt.Errorf("AZURITE_ACCOUNTS: %w", err)
	}
	principals, err := emulator.ParsePrincipals(strings.Join(o.principals, ";"))
	if err != nil {
		return fmt.Errorf("--principal: %w", err)
	}
	rootKey, err := resolveRootKey(o.rootKey, o.rootKeyFile)
	if err != nil {
		return err
	}
	sans, admins := splitList(o.certSANs), splitList(o.admins)
	var seed *emulator.Seed
	if o.seed != "" {
		if seed, err = emulator.LoadSeed(o.seed); err != nil {
			return err
		}
	}
	cfg := emulator.Config{
		DataDir:     o.data,
		InMemory:    o.inMemory,
		Host:        o.host,
		BlobPort:    o.blobPort,
		FilePort:    o.filePort,
		VaultPort:   o.vaultPort,
		QueuePort:   o.queuePort,
		ConsolePort: o.consolePort,
		ConsoleHost: o.consoleHost,
		CertFile:    o.cert,
		KeyFile:     o.key,
		CertHosts:   sans,
		Admins:      admins,
		RootKey:     rootKey,
		Accounts:    accounts,
		Principals:  principals,
		Seed:        seed,
		SeedFile:    o.seed,
		Fsync:       o.fsync,
		CMKCacheTTL: o.cmkCacheTTL,
		Logger:      logger,
	}
	start := time.Now()
	emu, err := emulator.Start(ctx, cfg)
	if errors.Is(err, fs.ErrPermission) && !cfg.InMemory {
		return fmt.Errorf("%w\nThe data folder %s must be writable by this user (uid %d); in Docker, run with --user \"$(id -u):$(id -g)\" for a bind mount you own", err, cfg.DataDir, os.Getuid())
	}
	if err != nil {
		return err
	}
	if o.statusFile != "" {
		if err := emu.WriteStatus(o.statusFile); err != nil {
			_ = emu.Close()
			return fmt.Errorf("--status-file: %w", err)
		}
		defer os.Remove(o.statusFile)
	}
	printBanner(stdout, emu, &cfg, o.statusFile, time.Since(start))
	<-ctx.Done()
	fmt.Fprintln(stdout, "azemu: shutting down")
	return emu.Close()
}

// splitList flattens a repeatable flag whose values may hold several
// comma-separated items.
func splitList(l listValue) []string {
	var out []string
	for _, v := range l {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

func printBanner(w io.Writer, emu *emulator.Emulator, cfg *emulator.Config, statusFile string, took time.Duration) {
	where := "in memory (storage in a temporary folder, RAM-backed where /dev/shm has room, removed at exit)"
	if !cfg.InMemory {
		abs, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			abs = cfg.DataDir
		}
		where = abs
	}
	fmt.Fprintf(w, "azemu %s is ready in %v; data: %s\n", version(), took.Round(time.Millisecond), where)
	if u := emu.BlobURL(); u != "" {
		fmt.Fprintf(w, "  Blob:      %s/%s\n", u, emulator.DevAccountName)
	}
	if u := emu.FileURL(); u != "" {
		fmt.Fprintf(w, "  Files:     %s/%s\n", u, emulator.DevAccountName)
	}
	if u := emu.QueueURL(); u != "" {
		fmt.Fprintf(w, "  Queue:     %s/%s\n", u, emulator.DevAccountName)
	}
	if u := emu.VaultURL(); u != "" {
		fmt.Fprintf(w, "  Key Vault: %s (default vault %q: %s)\n", u, emulator.DevVaultName, emu.DevVaultURL())
		fmt.Fprintf(w, "  Authority: %s/%s  client id %s  secret %s\n", u, emulator.DevTenantID, emulator.DevClientID, emulator.DevClientSecret)
		fmt.Fprintf(w, "  Trust the CA: %s > azemu-ca.pem\n", trustCommand(emu, cfg, statusFile))
		fmt.Fprintf(w, "    then curl --cacert azemu-ca.pem, NODE_EXTRA_CA_CERTS=azemu-ca.pem, REQUESTS_CA_BUNDLE=azemu-ca.pem\n")
		fmt.Fprintf(w, "  Azure CLI (after trusting the CA, REQUESTS_CA_BUNDLE=azemu-ca.pem):\n    %s\n    az cloud set --name azemu\n", emu.AzureCLICloudRegister())
	}
	if u := emu.ConsoleURL(); u != "" {
		fmt.Fprintf(w, "  Console:   %s\n", u)
	}
	fmt.Fprintf(w, "  Connection string:\n    %s\n", emu.ConnectionString())
}

// trustCommand is the command that prints this instance's CA, for the mode
// it runs in: from the data folder, from the status file, or from the
// instance itself (an in-memory instance has neither folder nor file).
func trustCommand(emu *emulator.Emulator, cfg *emulator.Config, statusFile string) string {
	switch {
	case cfg.CertFile != "":
		return "cat " + shellQuote(cfg.CertFile)
	case !cfg.InMemory:
		return "azemu cert --data " + shellQuote(cfg.DataDir)
	case statusFile != "":
		return "azemu cert --status-file " + shellQuote(statusFile)
	case emu.BlobURL() != "":
		return "curl -s " + emu.BlobURL() + "/_azemu/ca.pem"
	case emu.FileURL() != "":
		return "curl -s " + emu.FileURL() + "/_azemu/ca.pem"
	case emu.QueueURL() != "":
		return "curl -s " + emu.QueueURL() + "/_azemu/ca.pem"
	}
	return "azemu cert --url " + emu.VaultURL()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '=' || r == '@' ||
			('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
