package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/emulator"
)

var errUsage = errors.New("usage")

// options are the serve flags. Each flag has azemu's name and, where Azurite
// has one, Azurite's name as an alias so existing scripts keep working.
type options struct {
	data, host, cert, key, rootKey, logLevel string
	inMemory, fsync                          bool
	blobPort, filePort, vaultPort            int
	consolePort                              int
	consoleHost                              string
	cmkCacheTTL                              time.Duration
	principals                               listFlag
	statusFile                               string
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ";") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// env returns the AZEMU_ environment variable or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("AZEMU_" + name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv("AZEMU_" + name); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv("AZEMU_" + name))
	return v
}

func newServeFlags(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("azemu serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(p *string, def string, usage string, names ...string) {
		for _, n := range names {
			fs.StringVar(p, n, def, usage)
		}
	}
	integer := func(p *int, def int, usage string, names ...string) {
		for _, n := range names {
			fs.IntVar(p, n, def, usage)
		}
	}
	boolean := func(p *bool, def bool, usage string, names ...string) {
		for _, n := range names {
			fs.BoolVar(p, n, def, usage)
		}
	}
	str(&o.data, env("DATA", "./azemu-data"), "data folder (AZEMU_DATA)", "data", "l", "location")
	boolean(&o.inMemory, envBool("IN_MEMORY"), "keep everything in memory (storage in a RAM-backed temp folder, removed at exit) (AZEMU_IN_MEMORY)", "in-memory", "inMemoryPersistence")
	str(&o.host, env("HOST", "127.0.0.1"), "address to listen on; 0.0.0.0 in containers (AZEMU_HOST)", "host", "blobHost", "fileHost")
	integer(&o.blobPort, envInt("BLOB_PORT", 10000), "Blob port; 0 picks a free port, -1 disables (AZEMU_BLOB_PORT)", "blob-port", "blobPort")
	integer(&o.filePort, envInt("FILE_PORT", 10003), "Files port; 0 picks a free port, -1 disables (AZEMU_FILE_PORT)", "file-port", "filePort")
	integer(&o.vaultPort, envInt("VAULT_PORT", 8443), "HTTPS port of Key Vault, tokens and management; 0 picks a free port (AZEMU_VAULT_PORT)", "vault-port")
	integer(&o.consolePort, envInt("CONSOLE_PORT", 10010), "web console port (plain HTTP); 0 picks a free port, -1 disables (AZEMU_CONSOLE_PORT)", "console-port")
	str(&o.consoleHost, env("CONSOLE_HOST", "127.0.0.1"), "address the web console listens on (AZEMU_CONSOLE_HOST)", "console-host")
	str(&o.cert, env("CERT", ""), "server certificate PEM; serves Blob and Files over HTTPS too (AZEMU_CERT)", "cert")
	str(&o.key, env("KEY", ""), "server key PEM, with --cert (AZEMU_KEY)", "key")
	str(&o.rootKey, env("ROOT_KEY", ""), "root key, 32 bytes base64, from your secret store (AZEMU_ROOT_KEY); default: generated into the data folder", "root-key")
	str(&o.logLevel, env("LOG_LEVEL", "info"), "debug, info, warn or error (AZEMU_LOG_LEVEL)", "log-level")
	boolean(&o.fsync, envBool("FSYNC"), "fsync every commit so it survives power loss (slower writes) (AZEMU_FSYNC)", "fsync")
	if v := env("PRINCIPALS", ""); v != "" {
		o.principals = listFlag{v}
	}
	fs.Var(&o.principals, "principal", "register a service principal clientId:secret[:objectId]; repeatable (AZEMU_PRINCIPALS, ';'-separated)")
	str(&o.statusFile, env("STATUS_FILE", ""), "once ready, write the endpoints and connection string as JSON to this file (for scripts using port 0) (AZEMU_STATUS_FILE)", "status-file")
	ttl, err := time.ParseDuration(env("CMK_CACHE_TTL", "0s"))
	if err != nil {
		ttl = 0
	}
	fs.DurationVar(&o.cmkCacheTTL, "cmk-cache-ttl", ttl, "how long an unwrapped customer-managed key is trusted without asking the vault, emulating Azure's delay (AZEMU_CMK_CACHE_TTL)")
	// Azurite flags that need no behaviour here, accepted so scripts keep working.
	var ignored bool
	var ignoredStr string
	for _, n := range []string{"skipApiVersionCheck", "loose", "silent", "disableProductStyleUrl", "disableTelemetry", "d", "debug"} {
		if n == "d" || n == "debug" {
			fs.StringVar(&ignoredStr, n, "", "accepted for Azurite compatibility; use --log-level debug")
			continue
		}
		fs.BoolVar(&ignored, n, false, "accepted for Azurite compatibility; no effect")
	}
	return fs
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
	fs := newServeFlags(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "azemu serve: unexpected argument %q\n", fs.Arg(0))
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
	cfg := emulator.Config{
		DataDir:     o.data,
		InMemory:    o.inMemory,
		Host:        o.host,
		BlobPort:    o.blobPort,
		FilePort:    o.filePort,
		VaultPort:   o.vaultPort,
		ConsolePort: o.consolePort,
		ConsoleHost: o.consoleHost,
		CertFile:    o.cert,
		KeyFile:     o.key,
		RootKey:     o.rootKey,
		Accounts:    accounts,
		Principals:  principals,
		Fsync:       o.fsync,
		CMKCacheTTL: o.cmkCacheTTL,
		Logger:      logger,
	}
	start := time.Now()
	emu, err := emulator.Start(ctx, cfg)
	if err != nil {
		return err
	}
	printBanner(stdout, emu, &cfg, time.Since(start))
	if o.statusFile != "" {
		if err := writeStatus(o.statusFile, emu); err != nil {
			_ = emu.Close()
			return err
		}
		defer os.Remove(o.statusFile)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "azemu: shutting down")
	return emu.Close()
}

func printBanner(w io.Writer, emu *emulator.Emulator, cfg *emulator.Config, took time.Duration) {
	where := "in memory (storage in a RAM-backed temporary folder, removed at exit)"
	if !cfg.InMemory {
		abs, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			abs = cfg.DataDir
		}
		where = abs
	}
	fmt.Fprintf(w, "azemu is ready in %v; data: %s\n", took.Round(time.Millisecond), where)
	if u := emu.BlobURL(); u != "" {
		fmt.Fprintf(w, "  Blob:      %s/%s\n", u, emulator.DevAccountName)
	}
	if u := emu.FileURL(); u != "" {
		fmt.Fprintf(w, "  Files:     %s/%s\n", u, emulator.DevAccountName)
	}
	if u := emu.VaultURL(); u != "" {
		fmt.Fprintf(w, "  Key Vault: %s (default vault %q: %s)\n", u, emulator.DevVaultName, emu.DevVaultURL())
		fmt.Fprintf(w, "  Authority: %s/%s  client id %s  secret %s\n", u, emulator.DevTenantID, emulator.DevClientID, emulator.DevClientSecret)
		fmt.Fprintf(w, "  Trust the CA: azemu cert --data %s > azemu-ca.pem (then SSL_CERT_FILE / NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE)\n", cfg.DataDir)
	}
	if u := emu.ConsoleURL(); u != "" {
		fmt.Fprintf(w, "  Console:   %s\n", u)
	}
	fmt.Fprintf(w, "  Connection string:\n    %s\n", emu.ConnectionString())
}

// status is what --status-file holds: the endpoints of a running azemu.
type status struct {
	Blob             string `json:"blob,omitempty"`
	File             string `json:"file,omitempty"`
	Vault            string `json:"vault,omitempty"`
	DevVault         string `json:"devVault,omitempty"`
	Console          string `json:"console,omitempty"`
	ConnectionString string `json:"connectionString"`
	PID              int    `json:"pid"`
}

// writeStatus writes the status file atomically, so a script polling for it
// never reads half of it.
func writeStatus(path string, emu *emulator.Emulator) error {
	st := status{ConnectionString: emu.ConnectionString(), PID: os.Getpid()}
	if u := emu.BlobURL(); u != "" {
		st.Blob = u + "/" + emulator.DevAccountName
	}
	if u := emu.FileURL(); u != "" {
		st.File = u + "/" + emulator.DevAccountName
	}
	if u := emu.VaultURL(); u != "" {
		st.Vault, st.DevVault = u, emu.DevVaultURL()
	}
	st.Console = emu.ConsoleURL()
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("--status-file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("--status-file: %w", err)
	}
	return nil
}
