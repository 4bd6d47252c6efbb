package emulator

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore/queueapi"
	"github.com/azemu/azemu/blobstore/storagehttp"
	"github.com/azemu/azemu/emulator/management/armapi"
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
	switch service {
	case "file":
		server = storagehttp.ServerFile
	case "queue":
		server = queueapi.ServerHeader
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
	mgmt := e.managementHandler()
	blob, file := e.storageOverHTTPS()
	https := e.middleware("https", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := hostOnly(r.Host)
		switch {
		case strings.HasSuffix(host, ".blob.localhost"), strings.HasSuffix(host, ".blob.core.localhost"):
			blob.ServeHTTP(w, withoutCore(r))
		case strings.HasSuffix(host, ".file.localhost"), strings.HasSuffix(host, ".file.core.localhost"):
			file.ServeHTTP(w, withoutCore(r))
		default:
			https.ServeHTTP(w, r)
		}
	})
}

// withoutCore addresses <account>.blob.core.localhost (and .file.) as
// <account>.blob.localhost, the host-style name the storage protocols know.
// Shared Key signatures do not cover the host, so they still verify.
func withoutCore(r *http.Request) *http.Request {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, ""
	}
	lower := strings.ToLower(host)
	for _, svc := range []string{".blob", ".file"} {
		if acct, ok := strings.CutSuffix(lower, svc+".core.localhost"); ok {
			r2 := r.Clone(r.Context())
			r2.Host = acct + svc + ".localhost"
			if port != "" {
				r2.Host = net.JoinHostPort(r2.Host, port)
			}
			return r2
		}
	}
	return r
}

// storageOverHTTPS serves Blob and Files on the HTTPS listener for the
// host-style names <account>.blob.localhost and <account>.file.localhost,
// which the server certificate covers. Tools that build storage URLs as
// https://<account>.blob.<suffix> (the Azure CLI with a registered cloud
// whose storage suffix is localhost:<port>) reach an account this way.
func (e *Emulator) storageOverHTTPS() (blob, file http.Handler) {
	return e.storageMux("blob", e.blobHandler), e.storageMux("file", e.fileHandler)
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
	if armapi.IsMetadataPath(path) {
		return true
	}
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
