package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/emulator"
)

const demoUsage = `usage: azemu demo revocation [--status-file FILE | --data DIR | --vault-port N --blob-port N] [--console [--console-port N] [--open] [--pause D]]

Runs the customer-managed-key revocation demo against a running azemu:
creates a key in devvault, grants a user-assigned identity access, creates a
storage account encrypted with the key (through the management plane),
uploads a blob, disables the key (reads fail with 403), enables it again
(reads work), printing every step with its HTTP status. With --console it
names the web console's key chain view (--open opens it in the browser) and
pauses between steps (--pause, 4s by default) so the page can be followed.
`

// demo runs a narrated scenario against a running azemu.
func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "revocation" {
		fmt.Fprint(stderr, demoUsage)
		return errUsage
	}
	f := newFlags("azemu demo revocation")
	t := addTarget(f)
	var withConsole, open bool
	var consolePort int
	pause := time.Duration(-1)
	f.boolean(groupTarget, &withConsole, "", "narrate for the web console's key chain view and pause between steps", "console")
	consolePortSpec := f.port(groupTarget, &consolePort, 10010, "CONSOLE_PORT", "web console port, when the status file does not name the console", "console-port")
	f.boolean(groupTarget, &open, "", "with --console, open the key chain view in the browser", "open")
	f.duration(groupTarget, &pause, "", "wait this long after each step (default 4s with --console, else 0)", "pause")
	if err := f.parse(args[1:], stderr); err != nil {
		return err
	}
	if pause < 0 {
		pause = 0
		if withConsole {
			pause = 4 * time.Second
		}
	}
	inst, err := t.find()
	if err != nil {
		return err
	}
	inst.say(stderr, "running the demo against")
	client, err := inst.client(30 * time.Second)
	if err != nil {
		return err
	}
	if _, err := inst.health(ctx); err != nil {
		return err
	}
	vu, err := url.Parse(inst.vault)
	if err != nil || inst.blob == "" {
		return fmt.Errorf("the demo needs the Blob and HTTPS listeners of the azemu (%s)", inst.from)
	}
	d := &demoRun{
		out:    stdout,
		https:  inst.vault,
		vault:  "https://" + emulator.DevVaultName + ".vault.localhost:" + vu.Port(),
		blob:   inst.blob,
		client: client,
		pause:  pause,
	}
	if withConsole {
		base := inst.console
		if base == "" || f.isSet(consolePortSpec) {
			base = "http://127.0.0.1:" + strconv.Itoa(consolePort)
		}
		d.console = base + "/#/chain"
		fmt.Fprintf(stdout, "Watch each step in the web console's key chain view: %s\n", d.console)
		if resp, err := client.Get(base + "/api/info"); err != nil {
			fmt.Fprintf(stdout, "   (no console answers at %s: is azemu running with its console on?)\n", base)
		} else {
			resp.Body.Close()
		}
		if open {
			openBrowser(d.console)
		}
	}
	vaultPort, _ := strconv.Atoi(vu.Port())
	return d.revocation(ctx, vaultPort)
}

type demoRun struct {
	out                io.Writer
	client             *http.Client
	https, vault, blob string
	armToken, kvToken  string
	step               int
	console            string        // the console's chain view, with --console
	pause              time.Duration // between steps, so a viewer can follow
}

func (d *demoRun) say(format string, args ...any) {
	if d.step > 0 && d.pause > 0 {
		time.Sleep(d.pause) // a human watches the page; nothing waits on state here
	}
	d.step++
	fmt.Fprintf(d.out, "\n%d. %s\n", d.step, fmt.Sprintf(format, args...))
}

func (d *demoRun) note(format string, args ...any) {
	fmt.Fprintf(d.out, "   %s\n", fmt.Sprintf(format, args...))
}

// call sends a request and returns status, headers and body; it prints the
// request line and the status.
func (d *demoRun) call(ctx context.Context, method, u, token string, body any, hdr http.Header) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		switch v := body.(type) {
		case []byte:
			rd = bytes.NewReader(v)
		default:
			j, err := json.Marshal(v)
			if err != nil {
				return 0, nil, nil, err
			}
			rd = bytes.NewReader(j)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if _, isJSON := body.([]byte); body != nil && !isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w (is azemu running on these ports?)", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	shown := u
	if i := strings.IndexByte(shown, '?'); i >= 0 {
		shown = shown[:i]
	}
	fmt.Fprintf(d.out, "   %s %s -> HTTP %d %s\n", method, shown, resp.StatusCode, http.StatusText(resp.StatusCode))
	return resp.StatusCode, resp.Header, b, nil
}

// must calls and fails unless the status is one of ok.
func (d *demoRun) must(ctx context.Context, method, u, token string, body any, ok ...int) (map[string]any, error) {
	status, _, b, err := d.call(ctx, method, u, token, body, nil)
	if err != nil {
		return nil, err
	}
	for _, s := range ok {
		if status == s {
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			return m, nil
		}
	}
	return nil, fmt.Errorf("%s %s answered %d: %s", method, u, status, strings.TrimSpace(string(b)))
}

func (d *demoRun) token(ctx context.Context, scope string) (string, error) {
	tok, status, err := devToken(ctx, d.client, d.https, scope)
	if err != nil {
		return "", fmt.Errorf("%w (is azemu running with --vault-port and --data as given?)", err)
	}
	fmt.Fprintf(d.out, "   POST %s/%s/oauth2/v2.0/token (scope %s) -> HTTP %d\n", d.https, emulator.DevTenantID, scope, status)
	return tok, nil
}

// blobCall sends a Shared Key signed Blob request.
func (d *demoRun) blobCall(ctx context.Context, method, account, key, path string, body []byte, hdr http.Header) (int, http.Header, []byte, error) {
	u := d.blob + "/" + account + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("x-ms-version", "2025-01-05")
	if body != nil {
		req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return 0, nil, nil, err
	}
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte(storageauth.StringToSign(req, account)))
	req.Header.Set("Authorization", "SharedKey "+account+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w (is azemu's Blob endpoint on this port?)", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	code := resp.Header.Get("x-ms-error-code")
	if code != "" {
		code = " x-ms-error-code: " + code
	}
	fmt.Fprintf(d.out, "   %s %s -> HTTP %d %s%s\n", method, u, resp.StatusCode, http.StatusText(resp.StatusCode), code)
	return resp.StatusCode, resp.Header, b, nil
}

func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}

func (d *demoRun) revocation(ctx context.Context, vaultPort int) error {
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	suffix := hex.EncodeToString(rnd[:])
	account, keyName, identName := "demo"+suffix, "demo-cmk-"+suffix, "demo-id-"+suffix
	group := "/subscriptions/" + emulator.DevSubscription + "/resourceGroups/" + emulator.DevResourceGroup
	arm := func(p, ver string) string { return d.https + group + p + "?api-version=" + ver }

	fmt.Fprintf(d.out, "azemu customer-managed key revocation demo (account %s, key %s in %s)\n", account, keyName, emulator.DevVaultName)
	d.say("Get tokens for the management plane and for Key Vault as the development principal")
	var err error
	if d.armToken, err = d.token(ctx, "https://management.azure.com/.default"); err != nil {
		return err
	}
	if d.kvToken, err = d.token(ctx, "https://vault.localhost:"+strconv.Itoa(vaultPort)+"/.default"); err != nil {
		return err
	}

	d.say("Create an RSA 2048 key %q in %s", keyName, emulator.DevVaultName)
	key, err := d.must(ctx, http.MethodPost, d.vault+"/keys/"+keyName+"/create?api-version=7.5", d.kvToken,
		map[string]any{"kty": "RSA", "key_size": 2048}, http.StatusOK)
	if err != nil {
		return err
	}
	d.note("kid %s", str(key, "key", "kid"))

	d.say("Create the user-assigned identity %q the account will use to reach the key", identName)
	ident, err := d.must(ctx, http.MethodPut, arm("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"+identName, "2023-01-31"),
		d.armToken, map[string]any{"location": "local"}, http.StatusOK, http.StatusCreated)
	if err != nil {
		return err
	}
	identID, principal := str(ident, "id"), str(ident, "properties", "principalId")
	d.note("principalId %s", principal)

	d.say("Grant the identity get, wrapKey and unwrapKey on %s (access policy)", emulator.DevVaultName)
	if _, err := d.must(ctx, http.MethodPut, arm("/providers/Microsoft.KeyVault/vaults/"+emulator.DevVaultName+"/accessPolicies/add", "2023-07-01"),
		d.armToken, map[string]any{"properties": map[string]any{"accessPolicies": []any{map[string]any{
			"tenantId": emulator.DevTenantID, "objectId": principal,
			"permissions": map[string]any{"keys": []string{"get", "wrapKey", "unwrapKey"}}}}}}, http.StatusOK, http.StatusCreated); err != nil {
		return err
	}

	d.say("Create storage account %q encrypted with the key (keySource Microsoft.Keyvault)", account)
	acct, err := d.must(ctx, http.MethodPut, arm("/providers/Microsoft.Storage/storageAccounts/"+account, "2024-01-01"), d.armToken, map[string]any{
		"location": "local", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"},
		"identity": map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{identID: map[string]any{}}},
		"properties": map[string]any{"encryption": map[string]any{
			"keySource":          "Microsoft.Keyvault",
			"keyvaultproperties": map[string]any{"keyname": keyName, "keyvaulturi": d.vault},
			"identity":           map[string]any{"userAssignedIdentity": identID},
		}},
	}, http.StatusOK)
	if err != nil {
		return err
	}
	d.note("keySource %s, currentVersionedKeyIdentifier %s", str(acct, "properties", "encryption", "keySource"),
		str(acct, "properties", "encryption", "keyvaultproperties", "currentVersionedKeyIdentifier"))
	keys, err := d.must(ctx, http.MethodPost, arm("/providers/Microsoft.Storage/storageAccounts/"+account+"/listKeys", "2024-01-01"), d.armToken, nil, http.StatusOK)
	if err != nil {
		return err
	}
	list, _ := keys["keys"].([]any)
	if len(list) == 0 {
		return fmt.Errorf("listKeys returned no key")
	}
	first, _ := list[0].(map[string]any)
	accountKey := str(first, "value")

	d.say("Upload a blob")
	content := []byte("Hello from azemu: this blob is encrypted under a key that only your vault key can unwrap.\n")
	if s, _, b, err := d.blobCall(ctx, http.MethodPut, account, accountKey, "/demo?restype=container", []byte{}, nil); err != nil || s != http.StatusCreated {
		return demoFail(err, s, b)
	}
	if s, _, b, err := d.blobCall(ctx, http.MethodPut, account, accountKey, "/demo/hello.txt", content,
		http.Header{"X-Ms-Blob-Type": {"BlockBlob"}, "Content-Type": {"text/plain"}}); err != nil || s != http.StatusCreated {
		return demoFail(err, s, b)
	}

	d.say("Disable the key in the vault (the customer revokes access)")
	if _, err := d.must(ctx, http.MethodPatch, d.vault+"/keys/"+keyName+"/?api-version=7.5", d.kvToken,
		map[string]any{"attributes": map[string]any{"enabled": false}}, http.StatusOK); err != nil {
		return err
	}

	if d.console != "" {
		d.note("console: the chain of %s turns red at its Vault key link", account)
	}

	d.say("Read the blob: storage can no longer unwrap the account key")
	s, h, _, err := d.blobCall(ctx, http.MethodGet, account, accountKey, "/demo/hello.txt", nil, nil)
	if err != nil {
		return err
	}
	if s != http.StatusForbidden {
		return fmt.Errorf("expected 403 after disabling the key, got %d", s)
	}
	d.note("refused as Azure refuses: 403 %s", h.Get("x-ms-error-code"))
	if d.console != "" {
		d.note("console: the request log shows GetBlob 403 %s", h.Get("x-ms-error-code"))
	}
	d.note("listing containers still works (not every operation needs the key):")
	if _, _, _, err := d.blobCall(ctx, http.MethodGet, account, accountKey, "/?comp=list", nil, nil); err != nil {
		return err
	}

	d.say("Enable the key again (access restored)")
	if _, err := d.must(ctx, http.MethodPatch, d.vault+"/keys/"+keyName+"/?api-version=7.5", d.kvToken,
		map[string]any{"attributes": map[string]any{"enabled": true}}, http.StatusOK); err != nil {
		return err
	}

	if d.console != "" {
		d.note("console: every link of the chain is green again")
	}

	d.say("Read the blob again")
	s, _, b, err := d.blobCall(ctx, http.MethodGet, account, accountKey, "/demo/hello.txt", nil, nil)
	if err != nil {
		return err
	}
	if s != http.StatusOK || !bytes.Equal(b, content) {
		return fmt.Errorf("expected the original bytes after enabling the key, got %d", s)
	}
	d.note("the same bytes: %q", strings.TrimSpace(string(b)))
	fmt.Fprintf(d.out, "\nDone. Account %s, identity %s and key %s remain for you to explore.\n", account, identName, keyName)
	return nil
}

// openBrowser opens u in the desktop's browser, if there is one; the URL is
// printed either way.
func openBrowser(u string) {
	for _, c := range [][]string{{"xdg-open", u}, {"open", u}, {"rundll32", "url.dll,FileProtocolHandler", u}} {
		if p, err := exec.LookPath(c[0]); err == nil {
			cmd := exec.Command(p, c[1:]...)
			if cmd.Start() == nil {
				go func() { _ = cmd.Wait() }()
				return
			}
		}
	}
}

func demoFail(err error, status int, body []byte) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected HTTP %d: %s", status, strings.TrimSpace(string(body)))
}
