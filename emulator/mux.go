package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

func decodeB64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// healthPath answers 200 on every listener once the emulator is ready.
const healthPath = "/_azemu/health"

// storageMux serves a storage listener: health, then the protocol handler.
func (e *Emulator) storageMux(service string, h http.Handler) http.Handler {
	return e.middleware(service, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == healthPath {
			writeHealth(w, service)
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
			writeHealth(w, "vault")
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

func writeHealth(w http.ResponseWriter, service string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"ok","service":%q}`, service)
}

// admin serves the emulator's own API: the clock.
//
//	GET  /_azemu/clock           → {"now": "<RFC 3339>"}
//	POST /_azemu/clock/advance   {"seconds": N} → {"now": "<RFC 3339>"}
func (e *Emulator) admin(w http.ResponseWriter, r *http.Request) {
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(status int, code, msg string) {
		writeJSON(status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
	}
	switch {
	case r.URL.Path == "/_azemu/clock" && r.Method == http.MethodGet:
		writeJSON(http.StatusOK, map[string]string{"now": e.clock.Now().Format(time.RFC3339Nano)})
	case r.URL.Path == "/_azemu/clock/advance" && r.Method == http.MethodPost:
		var body struct {
			Seconds *float64 `json:"seconds"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		if err := dec.Decode(&body); err != nil || body.Seconds == nil {
			fail(http.StatusBadRequest, "BadParameter", `The body must be JSON like {"seconds": 86400}.`)
			return
		}
		if *body.Seconds < 0 || *body.Seconds > 100*365*86400 {
			fail(http.StatusBadRequest, "BadParameter", "seconds must be between 0 and 100 years: the emulator clock only moves forward.")
			return
		}
		now := e.AdvanceClock(r.Context(), time.Duration(*body.Seconds*float64(time.Second)))
		writeJSON(http.StatusOK, map[string]string{"now": now.Format(time.RFC3339Nano)})
	case r.URL.Path == "/_azemu/clock" || r.URL.Path == "/_azemu/clock/advance":
		w.Header().Set("Allow", "GET, POST")
		fail(http.StatusMethodNotAllowed, "MethodNotAllowed", "Use GET /_azemu/clock or POST /_azemu/clock/advance.")
	default:
		fail(http.StatusNotFound, "NotFound", "Unknown azemu admin path. Known: /_azemu/health, /_azemu/clock, /_azemu/clock/advance.")
	}
}

// middleware is the part of the request pipeline every service shares:
// panic recovery (a panic becomes Azure's 500 InternalError, never a dropped
// connection) and the access log.
func (e *Emulator) middleware(service string, next http.Handler) http.Handler {
	return e.reqlog.Middleware(service, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	}))
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
