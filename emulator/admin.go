package emulator

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/azemu/azemu/emulator/identity"
)

// adminAudiences are the audiences an admin token may carry: the Azure
// Resource Manager audiences (the admin API administers the whole emulator,
// as ARM administers a subscription), so `az account get-access-token` and
// an azidentity credential with the ARM scope both work.
var adminAudiences = []string{
	"https://management.azure.com/", "https://management.azure.com",
	"https://management.core.windows.net/", "https://management.core.windows.net",
}

// AdminScope is the OAuth scope to request a token for the admin API with.
const AdminScope = "https://management.azure.com/.default"

// adminError is an admin API failure, rendered as {"error":{"code","message"}}
// like the management plane renders its errors.
type adminError struct {
	status        int
	code, message string
}

func (e *adminError) Error() string { return e.code + ": " + e.message }

// adminAuthorize decides whether r may use an admin endpoint (the clock, and
// reset, seed and console actions as they come): it must not come from a
// browser page of another origin, and it must carry a bearer token of
// azemu's own authority, for the management audience, of a principal in
// Config.Admins. Every admin handler calls it first; public endpoints
// (health, ca.pem) do not.
func (e *Emulator) adminAuthorize(r *http.Request) *adminError {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		// A page on another site can make a browser send a simple POST with
		// no preflight; refuse it whatever it carries.
		return &adminError{http.StatusForbidden, "CrossOriginRequestRefused",
			"The azemu admin API does not accept requests from browser pages of another origin (" + o + ")."}
	}
	h := r.Header.Get("Authorization")
	scheme, raw, ok := strings.Cut(h, " ")
	raw = strings.TrimSpace(raw)
	if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return &adminError{http.StatusUnauthorized, "AuthenticationFailed",
			"The azemu admin API requires 'Authorization: Bearer <token>' with a token from this emulator's authority for " + AdminScope + "."}
	}
	claims, err := e.identity.VerifyToken(r.Context(), raw, adminAudiences...)
	if err != nil {
		msg := "The access token is invalid."
		switch {
		case errors.Is(err, identity.ErrTokenExpired):
			msg = "The access token has expired."
		case errors.Is(err, identity.ErrInvalidAudience):
			msg = "The access token has the wrong audience; request it for " + AdminScope + "."
		case errors.Is(err, identity.ErrInvalidSignature), errors.Is(err, identity.ErrInvalidIssuer):
			msg = "The access token is from the wrong issuer or has an invalid signature."
		case errors.Is(err, identity.ErrUnknownPrincipal):
			msg = "The access token's principal does not exist."
		}
		return &adminError{http.StatusUnauthorized, "InvalidAuthenticationToken", msg}
	}
	if !slices.Contains(e.admins, claims.ObjectID) {
		return &adminError{http.StatusForbidden, "AuthorizationFailed",
			"The principal with object id '" + claims.ObjectID + "' may not administer this emulator."}
	}
	return nil
}

// sameOrigin reports whether the Origin header names the listener the
// request arrived on (scheme, host and port).
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(u.Scheme, scheme) && strings.EqualFold(u.Host, r.Host)
}

// admin serves the emulator's own API on the HTTPS listener. Every endpoint
// here is authorised by adminAuthorize.
//
//	GET  /_azemu/clock           → {"now": "<RFC 3339>"}
//	POST /_azemu/clock/advance   {"seconds": N} → {"now": "<RFC 3339>"}
//	POST /_azemu/reset           → {"now": "<RFC 3339>", "tookMs": N} (see Reset)
func (e *Emulator) admin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-ms-request-id", newRequestID())
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(ae *adminError) {
		if ae.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+e.vaultURL+"/"+DevTenantID+`", error="invalid_token", resource_id="https://management.azure.com/"`)
		}
		writeJSON(ae.status, map[string]any{"error": map[string]string{"code": ae.code, "message": ae.message}})
	}
	known := r.URL.Path == "/_azemu/clock" || r.URL.Path == "/_azemu/clock/advance" || r.URL.Path == "/_azemu/reset"
	if !known {
		fail(&adminError{http.StatusNotFound, "NotFound", "Unknown azemu admin path. Known: /_azemu/health, /_azemu/ca.pem, /_azemu/clock, /_azemu/clock/advance, /_azemu/reset."})
		return
	}
	if ae := e.adminAuthorize(r); ae != nil {
		fail(ae) // the request log records it with its code
		return
	}
	switch {
	case r.URL.Path == "/_azemu/reset" && r.Method == http.MethodPost:
		e.serveReset(w, r, writeJSON, fail)
	case r.URL.Path == "/_azemu/clock" && r.Method == http.MethodGet:
		writeJSON(http.StatusOK, map[string]string{"now": e.clock.Now().Format(time.RFC3339Nano)})
	case r.URL.Path == "/_azemu/clock/advance" && r.Method == http.MethodPost:
		var body struct {
			Seconds *float64 `json:"seconds"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		if err := dec.Decode(&body); err != nil || body.Seconds == nil {
			fail(&adminError{http.StatusBadRequest, "BadParameter", `The body must be JSON like {"seconds": 86400}.`})
			return
		}
		if *body.Seconds < 0 || *body.Seconds > 100*365*86400 {
			fail(&adminError{http.StatusBadRequest, "BadParameter", "seconds must be between 0 and 100 years: the emulator clock only moves forward."})
			return
		}
		now := e.AdvanceClock(r.Context(), time.Duration(*body.Seconds*float64(time.Second)))
		e.log.Info("emulator clock advanced", "seconds", *body.Seconds, "now", now.Format(time.RFC3339))
		writeJSON(http.StatusOK, map[string]string{"now": now.Format(time.RFC3339Nano)})
	default:
		w.Header().Set("Allow", "GET, POST")
		fail(&adminError{http.StatusMethodNotAllowed, "MethodNotAllowed", "Use GET /_azemu/clock, POST /_azemu/clock/advance or POST /_azemu/reset."})
	}
}

// newRequestID is a random id in the GUID form Azure's request ids take.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
