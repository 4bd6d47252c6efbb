package console

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/azemu/azemu/blobstore/storageauth"
)

// The console's API forwards the page's calls, adding credentials:
//
//	/api/blob/{account}/{path}   -> Blob REST, signed with Shared Key (the key listKeys returns)
//	/api/file/{account}/{path}   -> File REST, likewise
//	/api/kv/{vault}/{path}       -> Key Vault REST at https://{vault}.vault.localhost:<port>, bearer token
//	/api/arm/subscriptions/...   -> the management plane, bearer token
//	/api/clock, /api/clock/advance -> the admin clock API, bearer token
//
// The query is passed as is; only the headers a REST call needs are passed
// on, never the browser's cookies, Origin or Authorization.

// armAPIVersion is the Microsoft.Storage api-version the console's own
// listKeys calls use.
const armAPIVersion = "2024-01-01"

// storageVersion is the x-ms-version of storage calls that name none.
const storageVersion = "2025-01-05"

var (
	accountRE = regexp.MustCompile(`^[a-z0-9]{3,24}$`)
	vaultRE   = regexp.MustCompile(`^[a-zA-Z0-9-]{3,24}$`)
)

func (c *Console) api(w http.ResponseWriter, r *http.Request, p string) {
	service, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	switch service {
	case "blob", "file":
		base := c.cfg.BlobURL
		if service == "file" {
			base = c.cfg.FileURL
		}
		account, path, _ := strings.Cut(rest, "/")
		if base == "" {
			refuse(w, http.StatusNotFound, "ServiceDisabled", "The "+service+" listener is turned off.")
			return
		}
		if !accountRE.MatchString(account) {
			refuse(w, http.StatusBadRequest, "InvalidAccountName", "Storage account names are 3 to 24 lowercase letters and digits.")
			return
		}
		c.forward(w, r, base+"/"+account+"/"+path, func(ctx context.Context, out *http.Request) error {
			key, err := c.accountKey(ctx, account)
			if err != nil {
				return err
			}
			if out.Header.Get("X-Ms-Version") == "" {
				out.Header.Set("X-Ms-Version", storageVersion) // a plain download link sends none
			}
			storageauth.SignSharedKey(out, account, key, c.cfg.Now())
			return nil
		}, func(resp *http.Response) {
			if resp.StatusCode == http.StatusForbidden && resp.Header.Get("x-ms-error-code") == "AuthenticationFailed" {
				c.forgetKey(account) // regenerated since: fetch it again next time
			}
		})
	case "kv":
		vault, path, _ := strings.Cut(rest, "/")
		if !vaultRE.MatchString(vault) {
			refuse(w, http.StatusBadRequest, "VaultNameNotValid", "Vault names are 3 to 24 letters, digits and dashes.")
			return
		}
		c.forward(w, r, "https://"+strings.ToLower(vault)+".vault.localhost:"+c.vaultPort+"/"+path,
			c.bearer("https://vault.localhost:"+c.vaultPort+"/.default"), nil)
	case "arm":
		if !strings.HasPrefix(strings.ToLower(rest), "subscriptions/") {
			refuse(w, http.StatusNotFound, "NotFound", "Management calls go to /api/arm/subscriptions/... .")
			return
		}
		c.forward(w, r, strings.TrimRight(c.cfg.HTTPSURL, "/")+"/"+rest, c.bearer("https://management.azure.com/.default"), nil)
	case "clock":
		if rest != "" && rest != "advance" {
			refuse(w, http.StatusNotFound, "NotFound", "Use /api/clock or /api/clock/advance.")
			return
		}
		target := strings.TrimRight(c.cfg.HTTPSURL, "/") + "/_azemu/clock"
		if rest != "" {
			target += "/advance"
		}
		// The admin API takes the development principal's management token.
		c.forward(w, r, target, c.bearer("https://management.azure.com/.default"), nil)
	default:
		refuse(w, http.StatusNotFound, "NotFound", "Unknown console API.")
	}
}

func (c *Console) bearer(scope string) func(ctx context.Context, out *http.Request) error {
	return func(ctx context.Context, out *http.Request) error {
		tok, err := c.cfg.Tokens.Token(ctx, scope)
		if err != nil {
			return err
		}
		out.Header.Set("Authorization", "Bearer "+tok)
		return nil
	}
}

// passHeader reports whether a request header of the page goes on to the
// service.
func passHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "content-type", "content-md5", "content-encoding", "content-language", "content-disposition",
		"cache-control", "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since":
		return true
	}
	return strings.HasPrefix(n, "x-ms-")
}

// passResponseHeader reports whether a response header goes back to the
// page: not the hop-by-hop ones, cookies or challenges.
func passResponseHeader(name string) bool {
	switch strings.ToLower(name) {
	case "connection", "keep-alive", "transfer-encoding", "set-cookie", "www-authenticate", "strict-transport-security",
		"content-security-policy", "access-control-allow-origin":
		return false
	}
	return true
}

// forward sends the page's request to target with auth applied and streams
// the answer back. after, when set, sees the response first.
func (c *Console) forward(w http.ResponseWriter, r *http.Request, target string,
	auth func(ctx context.Context, out *http.Request) error, after func(*http.Response)) {
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	var body io.Reader = r.Body
	if r.ContentLength == 0 {
		body = http.NoBody
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, target, body)
	if err != nil {
		refuse(w, http.StatusBadRequest, "InvalidUri", "The request URI is invalid.")
		return
	}
	out.ContentLength = r.ContentLength
	for k, v := range r.Header {
		if passHeader(k) {
			out.Header[k] = v
		}
	}
	out.Header.Set("User-Agent", UserAgent)
	if err := auth(r.Context(), out); err != nil {
		c.log.Info("console could not authorise a call", "target", out.URL.Path, "err", err)
		refuse(w, http.StatusBadGateway, "ConsoleCredentialUnavailable", err.Error())
		return
	}
	resp, err := c.cfg.Client.Do(out)
	if err != nil {
		refuse(w, http.StatusBadGateway, "ConsoleUpstreamUnreachable", "The emulator endpoint did not answer: "+err.Error())
		return
	}
	defer resp.Body.Close()
	if after != nil {
		after(resp)
	}
	h := w.Header()
	for k, v := range resp.Header {
		if passResponseHeader(k) {
			h[k] = v
		}
	}
	// Stored content must never run as the console's page: served
	// sandboxed, a blob of type text/html is inert even when opened.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, resp.Body)
	}
}

// accountKey returns key1 of account as listKeys returns it, cached until
// a call fails authentication.
func (c *Console) accountKey(ctx context.Context, account string) ([]byte, error) {
	c.keysMu.Lock()
	k, ok := c.keys[account]
	c.keysMu.Unlock()
	if ok {
		return k, nil
	}
	var list struct {
		Value []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"value"`
	}
	if err := c.armCall(ctx, http.MethodGet, "/subscriptions/"+c.cfg.Subscription+"/providers/Microsoft.Storage/storageAccounts", &list); err != nil {
		return nil, err
	}
	id := ""
	for _, a := range list.Value {
		if a.Name == account {
			id = a.ID
		}
	}
	if id == "" {
		return nil, fmt.Errorf("the management plane has no storage account %q", account)
	}
	var keys struct {
		Keys []struct {
			Value string `json:"value"`
		} `json:"keys"`
	}
	if err := c.armCall(ctx, http.MethodPost, id+"/listKeys", &keys); err != nil {
		return nil, err
	}
	if len(keys.Keys) == 0 {
		return nil, fmt.Errorf("listKeys of %q returned no key", account)
	}
	k, err := base64.StdEncoding.DecodeString(keys.Keys[0].Value)
	if err != nil {
		return nil, fmt.Errorf("listKeys of %q: key is not base64", account)
	}
	c.keysMu.Lock()
	defer c.keysMu.Unlock()
	c.keys[account] = k
	return k, nil
}

func (c *Console) forgetKey(account string) {
	c.keysMu.Lock()
	defer c.keysMu.Unlock()
	delete(c.keys, account)
}

// armCall makes one management call of the console's own and decodes the
// JSON answer into v.
func (c *Console) armCall(ctx context.Context, method, path string, v any) error {
	u := strings.TrimRight(c.cfg.HTTPSURL, "/") + path + "?api-version=" + armAPIVersion
	req, err := http.NewRequestWithContext(ctx, method, u, http.NoBody)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", UserAgent)
	if err := c.bearer("https://management.azure.com/.default")(ctx, req); err != nil {
		return err
	}
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d %s", method, path, resp.StatusCode, jsonErrorCode(bytes.TrimSpace(b)))
	}
	return json.Unmarshal(b, v)
}
