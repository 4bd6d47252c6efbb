package console

import (
	"encoding/json"
	"net/http"
	"strings"
)

// PageHeader is the header the console's page sends with every request
// that changes state. A cross-site page cannot send it without a CORS
// preflight, which the console never grants, so it cannot make the
// console revoke a key or delete a blob.
const PageHeader = "X-Azemu-Console"

// guard refuses what another site could make the user's browser send:
//
//   - any request whose Host is not one of the console's own names. A
//     DNS-rebinding page (evil.example resolving to 127.0.0.1) reaches the
//     port, but with Host evil.example;
//   - any request carrying an Origin that is not the console's own;
//   - a request that changes state (any method but GET and HEAD) without
//     PageHeader, or marked cross-site by the browser (Sec-Fetch-Site);
//   - CORS preflights (OPTIONS), which are never granted.
//
// It also sets the headers that keep the page from being framed and that
// forbid scripts from elsewhere.
func (c *Console) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if reason := c.refuse(r); reason != "" {
			refuse(w, http.StatusForbidden, "RequestRefused", reason)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuse returns why r is refused, or "".
func (c *Console) refuse(r *http.Request) string {
	if !c.hosts[strings.ToLower(r.Host)] {
		return "The console answers only to its own address (Host " + clip(r.Host, 100) + " is not one of its names)."
	}
	if o := r.Header.Get("Origin"); o != "" && !c.origins[strings.ToLower(o)] {
		return "Requests from other sites are refused (Origin " + clip(o, 100) + ")."
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return ""
	}
	if r.Method == http.MethodOptions {
		return "Cross-origin requests are not allowed."
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return "Requests from other sites are refused (Sec-Fetch-Site " + clip(site, 40) + ")."
	}
	if r.Header.Get(PageHeader) == "" {
		return "A request that changes state must come from the console's page (header " + PageHeader + " missing)."
	}
	return ""
}

// refuse writes the console's own JSON error, shaped like ARM's.
func refuse(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
