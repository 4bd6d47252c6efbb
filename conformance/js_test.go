package conformance

// The official JavaScript SDKs (@azure/identity, @azure/keyvault-keys,
// @azure/storage-blob, @azure/storage-file-share; versions pinned in
// js/package-lock.json) run unmodified against azemu. The checks themselves
// are node:test scripts in js/; this test starts azemu, hands the endpoints
// over in environment variables and fails when any check fails.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator/identity"
)

const (
	jsDir        = "js"
	jsNpmTimeout = 5 * time.Minute
	jsRunTimeout = 3 * time.Minute
)

func TestJavaScriptSDKs(t *testing.T) {
	node, nodeErr := exec.LookPath("node")
	npm, npmErr := exec.LookPath("npm")
	if nodeErr != nil || npmErr != nil {
		if os.Getenv("AZEMU_REQUIRE_NODE") != "" {
			t.Fatal("AZEMU_REQUIRE_NODE is set but node or npm is not on PATH")
		}
		t.Skip("node and npm must be on PATH to run the JavaScript SDK checks (CI installs them; set AZEMU_REQUIRE_NODE=1 to fail instead of skipping)")
	}
	if v, err := exec.Command(node, "--version").Output(); err == nil {
		t.Logf("node %s", strings.TrimSpace(string(v)))
	}
	ensureNodeModules(t, npm)
	// Stat every script so that go test's result cache (which tracks the files
	// a test opens or stats) reruns this test when a script changes.
	scripts, err := filepath.Glob(filepath.Join(jsDir, "*.mjs"))
	require.NoError(t, err)
	require.NotEmpty(t, scripts)
	for _, s := range append(scripts, filepath.Join(jsDir, "package.json")) {
		_, err := os.Stat(s)
		require.NoError(t, err)
	}

	emu := startAzemu(t)
	ca := filepath.Join(t.TempDir(), "azemu-ca.pem")
	require.NoError(t, os.WriteFile(ca, emu.CACertPEM(), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), jsRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test-reporter=spec", "run.mjs")
	cmd.Dir = jsDir
	cmd.Env = append(jsBaseEnv(),
		"AZEMU_BLOB_URL="+emu.BlobURL(),
		"AZEMU_FILE_URL="+emu.FileURL(),
		"AZEMU_QUEUE_URL="+emu.QueueURL(),
		"AZEMU_VAULT_URL="+emu.VaultURL(),
		"AZEMU_DEV_VAULT_URL="+emu.DevVaultURL(),
		"AZEMU_CONNECTION_STRING="+emu.ConnectionString(),
		"NODE_EXTRA_CA_CERTS="+ca,
		// What a user sets for ManagedIdentityCredential (App Service protocol).
		"IDENTITY_ENDPOINT="+emu.VaultURL()+"/msi/token",
		"IDENTITY_HEADER="+identity.DefaultIdentityHeader,
	)
	runLogged(ctx, t, cmd)
}

// ensureNodeModules installs js/node_modules from the committed lockfile when
// it is missing or older than the lockfile.
func ensureNodeModules(t *testing.T, npm string) {
	t.Helper()
	lock, err := os.Stat(filepath.Join(jsDir, "package-lock.json"))
	require.NoError(t, err)
	if inst, err := os.Stat(filepath.Join(jsDir, "node_modules", ".package-lock.json")); err == nil && !inst.ModTime().Before(lock.ModTime()) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), jsNpmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = jsDir
	cmd.Env = os.Environ()
	t.Logf("installing JavaScript dependencies: (cd conformance/%s && npm ci --no-audit --no-fund)", jsDir)
	runLogged(ctx, t, cmd)
}

// jsBaseEnv is the caller's environment without the variables that would
// change what the SDKs do: Azure credentials, managed identity endpoints,
// proxies (the emulator is local) and Node options (the CA must be trusted
// through NODE_EXTRA_CA_CERTS, never by turning verification off).
func jsBaseEnv() []string {
	drop := []string{"AZURE_", "IDENTITY_", "MSI_", "IMDS_", "AZEMU_", "NODE_OPTIONS=", "NODE_EXTRA_CA_CERTS=", "NODE_TLS_REJECT_UNAUTHORIZED=",
		"HTTP_PROXY=", "HTTPS_PROXY=", "ALL_PROXY=", "NO_PROXY="}
	var env []string
next:
	for _, kv := range os.Environ() {
		up := strings.ToUpper(kv)
		for _, p := range drop {
			if strings.HasPrefix(up, p) {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

// runLogged runs cmd, sending its output line by line to t.Log, and fails
// the test when it exits non-zero.
func runLogged(ctx context.Context, t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	w := &lineLogger{t: t}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	w.flush()
	var exit *exec.ExitError
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish in time (%v) and was killed", strings.Join(cmd.Args, " "), ctx.Err())
	}
	if errors.As(err, &exit) {
		t.Fatalf("%s exited with %d after %s", strings.Join(cmd.Args, " "), exit.ExitCode(), time.Since(start).Round(time.Millisecond))
	}
	require.NoError(t, err, strings.Join(cmd.Args, " "))
	t.Logf("%s passed in %s", filepath.Base(cmd.Args[0]), time.Since(start).Round(time.Millisecond))
}

// lineLogger is an io.Writer that logs complete lines through t.Log.
type lineLogger struct {
	t   *testing.T
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		i := bytes.IndexByte(l.buf.Bytes(), '\n')
		if i < 0 {
			return len(p), nil
		}
		l.t.Log(strings.TrimRight(string(l.buf.Next(i+1)), "\r\n"))
	}
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 0 {
		l.t.Log(l.buf.String())
		l.buf.Reset()
	}
}
