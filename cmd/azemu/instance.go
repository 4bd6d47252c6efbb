package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/emulator"
)

// target holds the flags by which a client subcommand (cert, clock, health,
// demo) finds the running azemu it talks to.
type target struct {
	statusFile, data           string
	blobPort, vaultPort        int
	statusSpec, dataSpec       *flagSpec
	blobPortSpec, vaultPortSpe *flagSpec
	f                          *flags
}

const groupTarget = "Which azemu (first match: --status-file, DATA/status.json, the ports)"

func addTarget(f *flags) *target {
	t := &target{f: f}
	t.statusSpec = f.path(groupTarget, &t.statusFile, "", "STATUS_FILE", "status file the azemu was started with (--status-file)", "status-file")
	t.statusSpec.arg = "FILE"
	t.dataSpec = f.path(groupTarget, &t.data, "./azemu-data", "DATA", "data folder of the azemu (it keeps status.json there while it runs)", "data", "l", "location")
	t.blobPortSpec = f.port(groupTarget, &t.blobPort, 10000, "BLOB_PORT", "Blob port, when there is no status file", "blob-port")
	t.vaultPortSpe = f.port(groupTarget, &t.vaultPort, 8443, "VAULT_PORT", "HTTPS port, when there is no status file", "vault-port")
	return t
}

// instance is a running azemu as a client subcommand sees it.
type instance struct {
	blob, vault string // base URLs ("" if unknown or disabled)
	console     string // the web console's URL ("" if unknown or off)
	ca          []byte // PEM; nil if unknown
	id          string // the instance id the status names; "" if unknown
	from        string // how it was found, for messages
}

// find locates the instance: the status file if given, else the data
// folder's status.json, else the ports (given or default). It never guesses
// silently: the caller prints inst.from.
func (t *target) find() (*instance, error) {
	if t.statusFile != "" {
		st, err := emulator.ReadStatus(t.statusFile)
		if err != nil {
			return nil, fmt.Errorf("no running azemu wrote %s (%w); start it with --status-file %s", t.statusFile, err, t.statusFile)
		}
		return t.fromStatus(st, "status file "+t.statusFile), nil
	}
	statusPath := filepath.Join(t.data, emulator.StatusFile)
	st, err := emulator.ReadStatus(statusPath)
	switch {
	case err == nil:
		return t.fromStatus(st, statusPath), nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	portsGiven := t.f.isSet(t.blobPortSpec) || t.f.isSet(t.vaultPortSpe)
	if t.f.isSet(t.dataSpec) && !portsGiven {
		return nil, fmt.Errorf("no azemu is running with data folder %s (no %s); for an --in-memory azemu pass --status-file or the ports", t.data, statusPath)
	}
	inst := &instance{
		blob:  "http://127.0.0.1:" + strconv.Itoa(t.blobPort),
		vault: "https://localhost:" + strconv.Itoa(t.vaultPort),
		from:  fmt.Sprintf("ports %d and %d", t.blobPort, t.vaultPort),
	}
	if !portsGiven {
		inst.from += " (the defaults: no --status-file and no " + statusPath + ")"
	}
	if pem, err := emulator.ReadCACert(t.data); err == nil {
		inst.ca = pem
	}
	return inst, nil
}

func (t *target) fromStatus(st emulator.Status, from string) *instance {
	inst := &instance{
		blob:    strings.TrimSuffix(st.Blob, "/"+emulator.DevAccountName),
		vault:   st.Vault,
		console: st.Console,
		ca:      []byte(st.CACert),
		id:      st.Instance,
		from:    from,
	}
	if st.PID > 0 {
		inst.from += ", pid " + strconv.Itoa(st.PID)
	}
	// Ports given explicitly override the status file's.
	if t.f.isSet(t.blobPortSpec) {
		inst.blob = "http://127.0.0.1:" + strconv.Itoa(t.blobPort)
	}
	if t.f.isSet(t.vaultPortSpe) {
		inst.vault = "https://localhost:" + strconv.Itoa(t.vaultPort)
	}
	return inst
}

// client returns an HTTP client that trusts the instance's CA.
func (inst *instance) client(timeout time.Duration) (*http.Client, error) {
	if len(inst.ca) == 0 {
		return nil, fmt.Errorf("the CA of the azemu at %s is unknown (%s): pass --status-file or --data of that azemu", inst.vault, inst.from)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(inst.ca) {
		return nil, fmt.Errorf("the CA of the azemu at %s (%s) is not a PEM certificate", inst.vault, inst.from)
	}
	c := emulator.NewHTTPClient(pool)
	c.Timeout = timeout
	return c, nil
}

// health asks the instance whether it is ready, over the Blob port when it
// has one (plain HTTP), else the HTTPS port, and checks that the answer
// comes from the instance the status file names: a stale status file whose
// ports another azemu now holds is an error, not an "ok".
func (inst *instance) health(ctx context.Context) (string, error) {
	base, client := inst.blob, &http.Client{Timeout: 3 * time.Second}
	if base == "" {
		c, err := inst.client(3 * time.Second)
		if err != nil {
			return "", err
		}
		base, client = inst.vault, c
	}
	u := base + "/_azemu/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("azemu is not answering at %s (%s): %w", u, inst.from, err)
	}
	defer resp.Body.Close()
	var h struct {
		Status, Instance string
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&h) != nil || h.Status != "ok" {
		return "", fmt.Errorf("%s answered %s: not a ready azemu", u, resp.Status)
	}
	if inst.id != "" && h.Instance != inst.id {
		return "", fmt.Errorf("the azemu answering at %s is not the one %s describes (instance %s, expected %s): the status file is stale", base, inst.from, h.Instance, inst.id)
	}
	return base, nil
}

// fetchCA downloads /_azemu/ca.pem from a running instance at rawURL. Over
// HTTPS the server cannot be verified yet (that is what the CA is for), so
// the caller says so.
func fetchCA(ctx context.Context, rawURL string) ([]byte, bool, error) {
	u, err := url.Parse(strings.TrimRight(rawURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false, fmt.Errorf("--url %q: give the base URL of a listener, e.g. http://127.0.0.1:10000", rawURL)
	}
	u.Path = "/_azemu/ca.pem"
	client := emulator.NewHTTPClient(nil)
	client.Timeout = 5 * time.Second
	tr := client.Transport.(*http.Transport)
	tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // fetching the CA itself; the caller warns
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("fetch the CA: %w", err)
	}
	defer resp.Body.Close()
	pem, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, false, fmt.Errorf("fetch the CA: %w", err)
	}
	if resp.StatusCode != http.StatusOK || !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, false, fmt.Errorf("%s answered %s without a PEM certificate: is it an azemu?", u, resp.Status)
	}
	return pem, u.Scheme == "https", nil
}

// say prints which instance a subcommand talks to.
func (inst *instance) say(w io.Writer, what string) {
	fmt.Fprintf(w, "azemu: %s the azemu at %s (%s)\n", what, firstNonEmpty(inst.vault, inst.blob), inst.from)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
