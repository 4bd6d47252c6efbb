package conformance

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// chromium finds a Chromium to drive: AZEMU_CHROMIUM, else the usual names
// on PATH.
func chromium() string {
	if p := os.Getenv("AZEMU_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium with its own profile and returns a
// context driving one tab of it.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := chromium()
	if bin == "" {
		if os.Getenv("AZEMU_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("AZEMU_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install chromium)")
		}
		t.Skip("chromium is not installed (apt-get install chromium); the console browser test is skipped")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// On a closed network Chromium's own background connections make it
		// refuse connections; these flags keep it to the page under test.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	// The first action starts the browser, which lives as long as ctx.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
	return ctx
}

// page is one console tab with the helpers a person's actions map to.
type page struct {
	t      *testing.T
	ctx    context.Context
	base   string
	loaded bool
}

// do runs actions, each wait bounded, and on failure shows what the page
// showed.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		shown, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector('#view').innerText`))
		p.t.Fatalf("%v; the page showed:\n%s", err, shown)
	}
}

// eval runs a script in the page and returns its value.
func eval[T any](p *page, script string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](script, opts...))
	require.NoError(p.t, err, script)
	return v
}

// open goes to a view by its address (#/storage, #/chain, ...), as a
// person following a link does, and waits until the page has drawn it.
func (p *page) open(hash string) {
	p.t.Helper()
	if !p.loaded {
		p.do(chromedp.Navigate(p.base + "/" + hash))
		p.loaded = true
	} else {
		eval[chromedp.Void](p, `document.body.dataset.ready = ''; location.hash === `+jsString(hash)+` ? render() : (location.hash = `+jsString(hash)+`)`)
	}
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`!!document.body.dataset.ready`, chromedp.WithPollingTimeout(45*time.Second)))
	require.NoError(p.t, err)
}

// poll waits until script (an expression) is truthy in the page and returns
// its value; on timeout it fails with what the page showed. Each check is
// one evaluation in the page, so a view redrawn between finding an element
// and using it cannot make a step act on a stale element.
func poll[T any](p *page, script string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 45*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](script))
	if err != nil {
		shown, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector('#view').innerText`))
		p.t.Fatalf("%v waiting for %s; the page showed:\n%s", err, script, shown)
	}
	return v
}

// onVisible evaluates body (with n bound to the element) once the element
// sel is shown.
func (p *page) onVisible(sel, body string) string {
	p.t.Helper()
	return poll[string](p, `(() => { const n = document.querySelector(`+jsString(sel)+`); if (!n || !n.getClientRects().length) return ''; `+body+` })()`)
}

// click clicks the element as the page's own handlers see a click.
func (p *page) click(sel string) {
	p.t.Helper()
	p.onVisible(sel, `n.click(); return 'ok'`)
}

func (p *page) typeInto(sel, text string) {
	p.t.Helper()
	p.onVisible(sel, `n.value = `+jsString(text)+`; n.dispatchEvent(new Event('input')); return 'ok'`)
}

func (p *page) waitFor(sel string) {
	p.t.Helper()
	p.onVisible(sel, `return 'ok'`)
}

// choose picks an option of a select the way a person does, so the page's
// change handler runs.
func (p *page) choose(sel, value string) {
	p.t.Helper()
	poll[bool](p, `(() => { const s = document.querySelector(`+jsString(sel)+`);
		if (!s || !s.querySelector('option[value="`+value+`"]')) return false;
		s.value = `+jsString(value)+`; s.dispatchEvent(new Event('change')); return true })()`)
}

// text is the element's text as shown.
func (p *page) text(sel string) string {
	p.t.Helper()
	return p.onVisible(sel, `return n.innerText || ' '`)
}

// screenshot saves the viewport to docs/console/<name>.png when
// AZEMU_UPDATE_SCREENSHOTS=1.
func (p *page) screenshot(name string) {
	p.t.Helper()
	if os.Getenv("AZEMU_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	eval[chromedp.Void](p, `window.scrollTo(0, 0); document.querySelectorAll('.toast').forEach(t => t.remove())`)
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	require.NoError(p.t, err)
	dir := filepath.Join("..", "docs", "console")
	require.NoError(p.t, os.MkdirAll(dir, 0o755))
	require.NoError(p.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// jsString is s as a JavaScript string literal (JSON's string syntax is
// JavaScript's).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestConsoleRevocationDemo is the revocation demo as a person gives it in
// the web console: create an account and a key, switch the account to the
// customer-managed key in the Encryption view, upload a blob, disable the key
// from the chain view, see the download fail and the 403 in the request
// log, enable the key, and read the same bytes.
func TestConsoleRevocationDemo(t *testing.T) {
	ctx := browser(t)
	emu := startAzemu(t)
	require.NotEmpty(t, emu.ConsoleURL())
	p := &page{t: t, ctx: ctx, base: emu.ConsoleURL()}
	const account, key, container, blobName = "consoledemo", "demo-key", "docs", "hello.txt"
	content := "Bytes sealed under an account key that only the vault key can unwrap.\n"

	// A storage account, created in the Storage view.
	p.open("#/storage")
	p.typeInto("#new-account-name", account)
	p.click("#create-account")
	p.waitFor(`tr[data-account="` + account + `"]`)

	// An RSA key in the development vault.
	p.open("#/vaults/devvault")
	p.typeInto("#new-key-name", key)
	p.click("#create-key")
	p.waitFor(`tr[data-key="` + key + `"]`)
	p.screenshot("vault")

	// The Encryption view, as the portal's blade: customer-managed key,
	// picked from the vault, system-assigned identity, access granted.
	p.open("#/encryption/" + account)
	p.click("#src-cmk")
	p.choose("#enc-vault", "devvault")
	p.choose("#enc-key", key)
	p.click("#enc-save")
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`document.querySelector('#enc-result.ok, #enc-result.bad') !== null`, chromedp.WithPollingTimeout(time.Minute)))
	require.NoError(t, err)
	result := p.text("#enc-result")
	require.NotContains(t, p.text("#enc-result"), "✗", result)
	p.waitFor("#enc-result.ok")
	assert.Contains(t, result, "/keys/"+key+"/", "the account key is wrapped by a version of the key")
	p.waitFor(`#enc-current[data-source="Microsoft.Keyvault"]`)
	p.screenshot("encryption")

	// A container and a blob, through Blob REST signed with the account key.
	p.open("#/storage/" + account)
	p.typeInto("#new-container-name", container)
	p.click("#create-container")
	p.waitFor(`tr[data-container="` + container + `"]`)
	p.screenshot("account")
	p.open("#/blob/" + account + "/" + container)
	p.typeInto("#new-blob-name", blobName)
	p.typeInto("#new-blob-text", content)
	p.click("#create-blob")
	p.waitFor(`tr[data-blob="` + blobName + `"]`)

	// The chain is whole; disable the key from it.
	p.open("#/chain")
	chain := `[data-chain="` + account + `"]`
	p.waitFor(chain + ` .link.key.ok`)
	p.click(chain + ` [data-act="disable-key"]`)
	p.waitFor(chain + ` .link.key.bad`)
	p.waitFor(chain + ` .link.account.bad`)

	// The download now fails as Azure fails it (listing too: List Blobs
	// needs the key, so the blob is opened by name).
	p.open("#/blob/" + account + "/" + container)
	p.typeInto("#open-blob-name", blobName)
	p.click("#open-blob")
	p.waitFor(`#blob-preview .error-box[data-code="KeyVaultEncryptionKeyNotFound"]`)
	assert.Contains(t, p.text("#blob-preview .error-box"), "403")
	p.screenshot("blob-revoked")

	// ... and the request log shows it.
	p.open("#/log")
	row := `#log-table tr[data-op="GetBlob"][data-code="KeyVaultEncryptionKeyNotFound"]`
	p.waitFor(row)
	logged := p.text(row)
	assert.Contains(t, logged, "403")
	assert.Contains(t, logged, "GetBlob")
	p.screenshot("log")
	p.open("#/chain")
	p.waitFor(chain + ` .link.key.bad`)
	p.screenshot("chain-revoked")

	// Enable the key again: the same bytes come back.
	p.click(chain + ` [data-act="enable-key"]`)
	p.waitFor(chain + ` .link.key.ok`)
	p.waitFor(chain + ` .link.account.ok`)
	p.open("#/blob/" + account + "/" + container)
	p.click(`tr[data-blob="` + blobName + `"] button.open`)
	p.waitFor("#content-preview")
	shown := eval[string](p, `document.querySelector('#content-preview').textContent`)
	assert.Equal(t, content, shown, "the page shows the bytes uploaded")
	downloaded := eval[string](p, `fetch(document.querySelector('#blob-download').href).then(r => r.text())`, chromedp.EvalAwaitPromise)
	assert.Equal(t, content, downloaded, "the Download link returns the bytes uploaded")
}

// TestConsoleEncryptionRefusals: the Encryption view shows the management
// plane's refusals in words, as the portal does: a vault without purge
// protection (KeyVaultPolicyError), and an identity the vault does not
// grant (KeyVaultAuthenticationFailure). Turning purge protection on in the
// vault view then lets the same setting through.
func TestConsoleEncryptionRefusals(t *testing.T) {
	ctx := browser(t)
	emu := startAzemu(t)
	p := &page{t: t, ctx: ctx, base: emu.ConsoleURL()}

	p.open("#/storage")
	p.typeInto("#new-account-name", "refusals")
	p.click("#create-account")
	p.waitFor(`tr[data-account="refusals"]`)

	// A vault with soft delete but no purge protection, and a key in it.
	p.open("#/vaults")
	p.typeInto("#new-vault-name", "lax-vault")
	p.click("#new-vault-purge") // uncheck
	p.click("#create-vault")
	p.waitFor(`tr[data-vault="lax-vault"]`)
	p.open("#/vaults/lax-vault")
	p.typeInto("#new-key-name", "k1")
	p.click("#create-key")
	p.waitFor(`tr[data-key="k1"]`)

	pickKey := func() {
		p.open("#/encryption/refusals")
		p.click("#src-cmk")
		p.choose("#enc-vault", "lax-vault")
		p.choose("#enc-key", "k1")
	}
	pickKey()
	p.click("#enc-grant") // uncheck: grant nothing yet
	p.click("#enc-save")
	p.waitFor(`#enc-result .error-box[data-code="KeyVaultPolicyError"]`)
	assert.Contains(t, p.text("#enc-result"), "purge protection")

	// Purge protection on; now without granting access the identity cannot
	// use the key.
	p.open("#/vaults/lax-vault")
	p.click("#enable-purge-protection")
	p.waitFor(`#view:not(:has(#enable-purge-protection)) h1`)
	pickKey()
	p.click("#enc-grant") // uncheck: no access policy for the account's identity
	p.click("#enc-save")
	p.waitFor(`#enc-result .error-box[data-code="KeyVaultAuthenticationFailure"]`)
	assert.Contains(t, p.text("#enc-result"), "wrapKey")

	// With the grant, the same key is accepted, given by its URI this time.
	p.open("#/encryption/refusals")
	p.click("#src-cmk")
	p.click("#mode-uri")
	p.typeInto("#enc-uri", strings.Replace(emu.VaultURL(), "://localhost", "://lax-vault.vault.localhost", 1)+"/keys/k1")
	p.click("#enc-save")
	p.waitFor("#enc-result.ok")
	assert.Contains(t, p.text("#view"), "Customer-managed key")
}

// TestConsoleFiles: a share, a directory and a file uploaded from disk, read
// back, given metadata, and deleted, through File REST.
func TestConsoleFiles(t *testing.T) {
	ctx := browser(t)
	emu := startAzemu(t)
	p := &page{t: t, ctx: ctx, base: emu.ConsoleURL()}
	local := filepath.Join(t.TempDir(), "notes.txt")
	content := strings.Repeat("azemu files\n", 1000)
	require.NoError(t, os.WriteFile(local, []byte(content), 0o600))

	p.open("#/storage/devstoreaccount1/shares")
	p.typeInto("#new-share-name", "team")
	p.click("#create-share")
	p.waitFor(`tr[data-share="team"]`)
	p.open("#/file/devstoreaccount1/team/")
	p.typeInto("#new-dir-name", "docs")
	p.click("#create-dir")
	p.waitFor(`tr[data-dir="docs"]`)
	p.open("#/file/devstoreaccount1/team/docs/")
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{local}))
	p.click("#upload")
	p.waitFor(`tr[data-file="notes.txt"]`)
	p.click(`tr[data-file="notes.txt"] button.open`)
	p.waitFor("#content-preview")
	assert.Equal(t, content, eval[string](p, `document.querySelector('#content-preview').textContent`))

	p.typeInto("#meta-text", "owner=alice")
	p.click("#meta-save")
	// Saving redraws the view (the detail panel closes); open the file anew.
	poll[bool](p, `!document.querySelector('#file-detail .panel') && !!document.querySelector('tr[data-file="notes.txt"]')`)
	p.click(`tr[data-file="notes.txt"] button.open`)
	p.waitFor("#meta-text")
	assert.Equal(t, "owner=alice", eval[string](p, `document.querySelector('#meta-text').value`))

	p.click(`#file-detail button.danger`)
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`!document.querySelector('tr[data-file="notes.txt"]') && !document.querySelector('#file-detail .panel')`,
		chromedp.WithPollingTimeout(45*time.Second)))
	require.NoError(t, err)
	assert.Contains(t, p.text("#view"), "This directory is empty.")
}

// cmkThroughConsole makes account encrypted by key (a new RSA key of
// devvault, system-assigned identity, access granted) and puts one text
// blob in it, all through the console.
func (p *page) cmkThroughConsole(vault, account, key, container, blob, content string) {
	p.t.Helper()
	p.open("#/storage")
	p.typeInto("#new-account-name", account)
	p.click("#create-account")
	p.waitFor(`tr[data-account="` + account + `"]`)
	p.open("#/vaults/" + vault)
	p.typeInto("#new-key-name", key)
	p.click("#create-key")
	p.waitFor(`tr[data-key="` + key + `"]`)
	p.open("#/encryption/" + account)
	p.click("#src-cmk")
	p.choose("#enc-vault", vault)
	p.choose("#enc-key", key)
	p.click("#enc-save")
	p.waitFor("#enc-result.ok")
	p.open("#/storage/" + account)
	p.typeInto("#new-container-name", container)
	p.click("#create-container")
	p.waitFor(`tr[data-container="` + container + `"]`)
	p.open("#/blob/" + account + "/" + container)
	p.typeInto("#new-blob-name", blob)
	p.typeInto("#new-blob-text", content)
	p.click("#create-blob")
	p.waitFor(`tr[data-blob="` + blob + `"]`)
}

// readBlob opens a blob by name in the container view and returns what the
// page shows: its content, or the error code of the refused Get Blob.
func (p *page) readBlob(account, container, blob string) (content, code string) {
	p.t.Helper()
	p.open("#/blob/" + account + "/" + container)
	p.typeInto("#open-blob-name", blob)
	p.click("#open-blob")
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`!!document.querySelector('#content-preview, #blob-preview .error-box')`, chromedp.WithPollingTimeout(45*time.Second)))
	require.NoError(p.t, err)
	return eval[string](p, `(document.querySelector('#content-preview') || {}).textContent || ''`),
		eval[string](p, `(document.querySelector('#blob-preview .error-box') || {dataset: {}}).dataset.code || ''`)
}

// TestConsoleChainRevocations: each revoke action of the key chain view
// breaks its link and makes storage refuse the blob with Azure's code; its
// restore counterpart brings the same bytes back. The clock buttons move
// the emulator clock.
func TestConsoleChainRevocations(t *testing.T) {
	ctx := browser(t)
	emu := startAzemu(t)
	p := &page{t: t, ctx: ctx, base: emu.ConsoleURL()}
	const account, container, blob = "chainacct", "box", "b.txt"
	content := "still here\n"
	p.cmkThroughConsole("devvault", account, "chain-key", container, blob, content)
	chain := `[data-chain="` + account + `"]`

	for _, tc := range []struct {
		revoke, restore, link string
		codes                 []string
	}{
		{"remove-access", "grant-access", "access", []string{"KeyVaultAccessTokenCannotBeAcquired", "KeyVaultEncryptionKeyNotFound"}},
		{"delete-key", "recover-key", "key", []string{"KeyVaultEncryptionKeyNotFound"}},
		{"delete-vault", "recover-vault", "vault", []string{"KeyVaultVaultNotFound"}},
	} {
		p.open("#/chain")
		p.waitFor(chain + ` .link.account.ok`)
		p.click(chain + ` [data-act="` + tc.revoke + `"]`)
		p.waitFor(chain + ` .link.` + tc.link + `.bad`)
		p.waitFor(chain + ` .link.account.bad`)
		got, code := p.readBlob(account, container, blob)
		assert.Empty(t, got, tc.revoke)
		assert.Contains(t, tc.codes, code, tc.revoke)

		p.open("#/chain")
		p.click(chain + ` [data-act="` + tc.restore + `"]`)
		p.waitFor(chain + ` .link.` + tc.link + `.ok`)
		p.waitFor(chain + ` .link.account.ok`)
		got, code = p.readBlob(account, container, blob)
		assert.Empty(t, code, tc.restore)
		assert.Equal(t, content, got, tc.restore)
	}

	before := emu.Clock().Now()
	p.click("#advance-90")
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`document.querySelector('#clock-now').textContent.startsWith(`+
		jsString(before.Add(90*24*time.Hour).UTC().Format("2006-01-02"))+`)`, chromedp.WithPollingTimeout(45*time.Second)))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, emu.Clock().Now().Sub(before), 90*24*time.Hour)
}

// TestConsoleRBACVault: on a vault that uses Azure RBAC the console works
// with role assignments instead of access policies: the development
// principal assigns itself Key Vault Administrator to create a key, the
// Encryption view assigns the account's identity Key Vault Crypto Service
// Encryption User, and the chain revokes and restores that role.
func TestConsoleRBACVault(t *testing.T) {
	ctx := browser(t)
	emu := startAzemu(t)
	p := &page{t: t, ctx: ctx, base: emu.ConsoleURL()}

	p.open("#/vaults")
	p.typeInto("#new-vault-name", "rbac-vault")
	p.click("#new-vault-rbac")
	p.click("#create-vault")
	p.waitFor(`tr[data-vault="rbac-vault"]`)
	p.open("#/vaults/rbac-vault")
	p.choose("#grant-principal", emulator.DevObjectID)
	p.choose("#grant-role", "00482a5a-887f-4fb3-b363-3b7fe8e74483") // Key Vault Administrator
	p.click("#grant-submit")
	p.waitFor(`tr[data-role-principal="` + emulator.DevObjectID + `"]`)

	const account, container, blob = "rbacacct", "box", "b.txt"
	p.cmkThroughConsole("rbac-vault", account, "rbac-key", container, blob, "rbac\n")
	chain := `[data-chain="` + account + `"]`
	p.open("#/chain")
	p.waitFor(chain + ` .link.access.ok`)
	assert.Contains(t, p.text(chain+` .link.access`), "Key Vault Crypto Service Encryption User")
	p.click(chain + ` [data-act="remove-access"]`)
	p.waitFor(chain + ` .link.access.bad`)
	_, code := p.readBlob(account, container, blob)
	assert.True(t, strings.HasPrefix(code, "KeyVault"), code)
	p.open("#/chain")
	p.click(chain + ` [data-act="grant-access"]`)
	p.waitFor(chain + ` .link.account.ok`)
	got, code := p.readBlob(account, container, blob)
	assert.Empty(t, code)
	assert.Equal(t, "rbac\n", got)
}
