package emulator

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
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

// storageMux serves a storage listener: health, then the protocol handler.
func (e *Emulator) storageMux(service string, h http.Handler) http.Handler {
	return e.middleware(service, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// middleware is the part of the request pipeline every service shares:
// panic recovery (a panic becomes Azure's 500 InternalError, never a dropped
// connection) and the access log.
func (e *Emulator) middleware(service string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				e.log.Error("panic serving request", "service", service, "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				if !rec.wrote {
					rec.Header().Set("x-ms-error-code", "InternalError")
					rec.Header().Set("Content-Type", "application/xml")
					rec.WriteHeader(http.StatusInternalServerError)
					fmt.Fprint(rec, `<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code><Message>The server encountered an internal error. Please retry the request.</Message></Error>`)
				}
			}
			level := slog.LevelDebug
			if rec.status >= 500 {
				level = slog.LevelError
			}
			if e.log.Enabled(r.Context(), level) {
				e.log.Log(r.Context(), level, "request",
					"service", service, "method", r.Method, "path", r.URL.Path,
					"status", rec.status, "bytes", rec.bytes,
					"request_id", rec.Header().Get("x-ms-request-id"),
					"duration", time.Since(start))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status = code
		s.wrote = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush,
// deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
