package kvapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"

	"github.com/azemu/azemu/internal/authn"
	"github.com/azemu/azemu/keyvault"
)

// TokenVerifier checks a bearer token (without "Bearer ") for one of the
// audiences and returns its caller. It MUST return an error wrapping one of
// the authn sentinels (ErrInvalidAudience, ErrTokenExpired,
// ErrInvalidSignature, ErrMalformedToken, ...) for a token it refuses, so the
// handler can answer with Key Vault's AKV100xx message. The emulator wiring
// plugs the token authority (emulator/identity) in.
type TokenVerifier interface {
	VerifyToken(ctx context.Context, raw string, audiences ...string) (authn.Caller, error)
}

// Config configures the handler.
type Config struct {
	Service  *keyvault.Service
	Verifier TokenVerifier
	// Authority is the token authority put into the challenge
	// ("https://localhost:8443"); the vault's tenant is appended.
	Authority string
	Logger    *slog.Logger
}

// maxBody bounds every request body (a JWK of RSA-4096 with all parameters is
// about 4 KiB; a backup blob of many versions can be larger).
const maxBody = 4 << 20

type server struct {
	svc       *keyvault.Service
	verifier  TokenVerifier
	authority string
	log       *slog.Logger
}

// New returns the Key Vault REST handler.
func New(cfg Config) http.Handler {
	s := &server{svc: cfg.Service, verifier: cfg.Verifier, authority: strings.TrimRight(cfg.Authority, "/"), log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// request is what every handler gets.
type request struct {
	vault   string
	caller  keyvault.Caller
	base    string // "https://host[:port]" as the client addressed the vault
	name    string
	version string
	op      string
	apiVer  string
}

// key is the key the request addresses.
func (q request) key() keyvault.KeyRef {
	return keyvault.KeyRef{Vault: q.vault, Name: q.name, Version: q.version}
}

var apiVersionRE = regexp.MustCompile(`^(7\.\d+(\.\d+)?|\d{4}-\d{2}-\d{2})(-preview(\.\d+)?)?$`)

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := w.Header().Get("x-ms-request-id")
	if reqID == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		reqID = hex.EncodeToString(b[:])
		w.Header().Set("x-ms-request-id", reqID)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "-1")
	h.Set("x-ms-keyvault-region", "local")
	h.Set("x-ms-keyvault-service-version", "1.9.0.0")
	h.Set("x-ms-keyvault-network-info", networkInfo(r.RemoteAddr))
	h.Set("X-Content-Type-Options", "nosniff")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000;includeSubDomains")
	}
	if id := r.Header.Get("x-ms-client-request-id"); id != "" && len(id) <= 1024 {
		h.Set("x-ms-client-request-id", id)
	}
	op, err := s.serve(w, r)
	if err != nil {
		s.writeError(w, r, op, reqID, err)
	}
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) (string, error) {
	vaultName := keyvault.VaultFromHost(r.Host)
	if vaultName == "" {
		return "", &keyvault.Error{Status: http.StatusNotFound, Code: keyvault.CodeVaultNotFound,
			Message: fmt.Sprintf("No vault is addressed by host '%s'; use https://<vault>.vault.localhost:<port>.", r.Host)}
	}
	vault, err := s.svc.GetVault(r.Context(), vaultName)
	if err != nil {
		return "", err
	}
	// The challenge comes first: azkeys sends its first request without a
	// token and without its body, and expects 401 whatever the request is.
	auth := r.Header.Get("Authorization")
	if len(auth) < 7 || !strings.EqualFold(auth[:7], "bearer ") {
		s.challenge(w, r, vault.TenantID)
		return "", keyvault.ErrUnauthorized
	}
	apiVer := r.URL.Query().Get("api-version")
	if apiVer == "" {
		return "", &keyvault.Error{Status: http.StatusBadRequest, Code: keyvault.CodeBadParameter,
			Message: "The 'api-version' query parameter is missing. Please specify a supported api-version such as 2025-07-01 or 7.5."}
	}
	if !apiVersionRE.MatchString(apiVer) {
		return "", &keyvault.Error{Status: http.StatusBadRequest, Code: keyvault.CodeBadParameter,
			Message: fmt.Sprintf("The specified version (%s) is not recognized. Consider using the latest supported version (2025-07-01).", apiVer)}
	}
	caller, err := s.verifier.VerifyToken(r.Context(), strings.TrimSpace(auth[7:]), s.audiences(r)...)
	if err != nil {
		s.challenge(w, r, vault.TenantID)
		msg := "AKV10032: Invalid issuer or token."
		switch {
		case errors.Is(err, authn.ErrInvalidAudience):
			msg = "AKV10022: Invalid audience. Expected https://vault.azure.net or " + resource(r.Host) + "."
		case errors.Is(err, authn.ErrTokenExpired):
			msg = "AKV10010: Token is expired."
		case errors.Is(err, authn.ErrInvalidSignature), errors.Is(err, authn.ErrMalformedToken):
			msg = "AKV10000: Request is missing a valid Bearer token: the token could not be validated."
		}
		return "", &keyvault.Error{Status: http.StatusUnauthorized, Code: keyvault.CodeUnauthorized, Message: msg}
	}
	rt, req, err := match(r.Method, r.URL.EscapedPath())
	if err != nil {
		return "", err
	}
	req.vault = vault.Name
	req.caller = caller
	req.base = baseURL(r)
	req.apiVer = apiVer
	return rt.name, rt.handle(s, w, r, req)
}

// resource is the challenge resource: https://vault.localhost[:port], whose
// host is a dot-suffix of "<vault>.vault.localhost:<port>" so the azkeys
// challenge verification passes.
func resource(host string) string {
	if _, port, err := net.SplitHostPort(host); err == nil && port != "" {
		return "https://vault.localhost:" + port
	}
	return "https://vault.localhost"
}

func (s *server) audiences(r *http.Request) []string {
	return []string{"https://vault.azure.net", resource(r.Host), "https://vault.localhost", baseURL(r)}
}

func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

func (s *server) challenge(w http.ResponseWriter, r *http.Request, tenant string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization="%s/%s", resource="%s"`, s.authority, tenant, resource(r.Host)))
}

type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError *innerJSON `json:"innererror,omitempty"`
}

type innerJSON struct {
	Code string `json:"code"`
}

func (s *server) writeError(w http.ResponseWriter, r *http.Request, op, reqID string, err error) {
	var e *keyvault.Error
	if !errors.As(err, &e) {
		s.log.Error("keyvault request failed", "request_id", reqID, "service", "keyvault", "op", op, "err", err)
		e = keyvault.ErrInternal
	} else if e.Status >= 500 {
		s.log.Error("keyvault request failed", "request_id", reqID, "service", "keyvault", "op", op, "err", err)
	} else {
		s.log.Debug("keyvault request refused", "request_id", reqID, "service", "keyvault", "op", op,
			"status", e.Status, "code", e.Code, "inner", e.Inner)
	}
	body := errorJSON{Error: errorBody{Code: e.Code, Message: e.Message}}
	if e.Inner != "" {
		body.Error.InnerError = &innerJSON{Code: e.Inner}
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"error":{"code":"InternalError","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// decode reads a JSON body of at most maxBody bytes into v.
func decode(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("The request body could not be read.")
	}
	if len(data) > maxBody {
		return &keyvault.Error{Status: http.StatusRequestEntityTooLarge, Code: keyvault.CodeBadParameter, Message: "The request body is too large."}
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return badRequest("The request body is missing.")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return badRequest("The request body is not valid JSON for this operation: " + jsonReason(err))
	}
	return nil
}

func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field '" + te.Field + "' has the wrong type."
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "syntax error."
	}
	return "invalid value."
}

func badRequest(msg string) *keyvault.Error {
	return &keyvault.Error{Status: http.StatusBadRequest, Code: keyvault.CodeBadParameter, Message: msg}
}

// networkInfo is x-ms-keyvault-network-info as Key Vault sends it
// ("conn_type=Ipv4;addr=1.2.3.4;act_addr_fam=InterNetwork;"), for the client
// address the request came from.
func networkInfo(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return "conn_type=Ipv4;addr=" + "127.0.0.1" + ";act_addr_fam=InterNetwork;"
	case ip.To4() != nil:
		return "conn_type=Ipv4;addr=" + ip.String() + ";act_addr_fam=InterNetwork;"
	default:
		return "conn_type=Ipv6;addr=" + ip.String() + ";act_addr_fam=InterNetworkV6;"
	}
}
