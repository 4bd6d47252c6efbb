package emulator

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore/storagehttp"
)

func decodeB64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// Public paths every listener answers without authentication.
const (
	// healthPath answers 200 once the emulator is ready.
	healthPath = "/_azemu/health"
	// caPath serves the PEM of the CA that issued the HTTPS certificate: it
	// is public (it holds no key), and a client that cannot read the data
	// folder (another container, an in-memory instance) fetches it here.
	caPath = "/_azemu/ca.pem"
)

// storageMux serves a storage listener: health, then the protocol handler
// behind the storage guard (body limits and idle timeout, upload cap).
func (e *Emulator) storageMux(service string, h http.Handler) http.Handler {
	server := storagehttp.ServerBlob
	if service == "file" {
		server = storagehttp.ServerFile
	}
	guard := storagehttp.NewGuard(&storagehttp.Responder{Server: server, Logger: e.cfg.Logger, Now: e.cfg.Now},
		e.cfg.BodyIdleTimeout, e.cfg.MaxUploads)
	h = guard.Wrap(h)
	return e.middleware(service, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hint := wrongPortHint(service, r); hint != "" {
			w = &hintWriter{ResponseWriter: w, hint: hint, head: r.Method == http.MethodHead}
			defer w.(*hintWriter).finish()
		}
		switch r.URL.Path {
		case healthPath:
			writeHealth(w, service, e.instance)
			return
		case caPath:
			writeCA(w, e.bundle.CACertPEM)
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// httpsMux serves the HTTPS listener: Key Vault for vault hosts and Key
// Vault paths, the emulator's admin API under /_azemu/, the management plane
// under /subscriptions, /providers and /tenants, and the token authority for
// everything else (/{tenant}/oauth2/..., /msi/token).
func (e *Emulator) httpsMux(vault http.Handler) http.Handler {
	ident := e.identity.Handler()
	mgmt := e.mgmt.Handler()
	return e.middleware("https", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		switch {
		case path == healthPath:
			writeHealth(w, "vault", e.instance)
			return
		case path == caPath:
			writeCA(w, e.bundle.CACertPEM)
			return
		case strings.HasPrefix(path, "/_azemu/"):
			e.admin(w, r)
			return
		}
		host := hostOnly(r.Host)
		if strings.HasSuffix(host, ".vault.localhost") || isVaultPath(path) {
			vault.ServeHTTP(w, r)
			return
		}
		if isManagementPath(path) {
			mgmt.ServeHTTP(w, r)
			return
		}
		ident.ServeHTTP(w, r)
	}))
}

func isVaultPath(path string) bool {
	first := strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	}
	switch strings.ToLower(first) {
	case "keys", "deletedkeys", "rng", "secrets", "deletedsecrets", "certificates", "deletedcertificates":
		return true
	}
	return false
}

func isManagementPath(path string) bool {
	lower := strings.ToLower(path)
	for _, p := range []string{"/subscriptions", "/providers/", "/tenants"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return strings.ToLower(h)
	}
	return strings.ToLower(hostport)
}

func writeCA(w http.ResponseWriter, pem []byte) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Length", strconv.Itoa(len(pem)))
	_, _ = w.Write(pem)
}

func writeHealth(w http.ResponseWriter, service, instance string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"ok","service":%q,"instance":%q}`, service, instance)
}
