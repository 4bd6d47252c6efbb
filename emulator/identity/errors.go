package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// aadError is an error of the Entra token and metadata endpoints, rendered as
// {"error","error_description":"AADSTSnnn: ...","error_codes":[nnn],...}.
type aadError struct {
	status  int
	code    string // OAuth error: invalid_request, invalid_client, ...
	aadsts  int
	message string
}

func (e *aadError) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.aadsts, e.message) }

// Named constructors, one per AADSTS code azemu returns.

func errMissingParameter(name string) *aadError {
	return &aadError{http.StatusBadRequest, "invalid_request", 900144,
		fmt.Sprintf("The request body must contain the following parameter: '%s'.", name)}
}

func errPostOnly(method string) *aadError {
	return &aadError{http.StatusBadRequest, "invalid_request", 900561,
		fmt.Sprintf("The endpoint only accepts POST, OPTIONS requests. Received a %s request.", method)}
}

func errUnsupportedGrant(grant string) *aadError {
	return &aadError{http.StatusBadRequest, "unsupported_grant_type", 70003,
		fmt.Sprintf("The app requested an unsupported grant type '%s'. azemu supports client_credentials only.", grant)}
}

func errInvalidScope(scope string) *aadError {
	return &aadError{http.StatusBadRequest, "invalid_scope", 1002012,
		fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)}
}

// errTenantNotFound is the token endpoint's error for an unknown tenant
// (the discovery endpoints, which serve every tenant here, would say invalid_tenant).
func errTenantNotFound(tenant string) *aadError {
	return &aadError{http.StatusBadRequest, "invalid_request", 90002,
		fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant)}
}

func errTenantInvalid(tenant string) *aadError {
	return &aadError{http.StatusBadRequest, "invalid_tenant", 900023,
		fmt.Sprintf("Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", tenant)}
}

func errAppNotFound(clientID, tenant string) *aadError {
	return &aadError{http.StatusBadRequest, "unauthorized_client", 700016,
		fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant)}
}

func errSecretRequired() *aadError {
	return &aadError{http.StatusUnauthorized, "invalid_client", 7000216,
		"'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type."}
}

func errAssertionUnsupported() *aadError {
	return &aadError{http.StatusUnauthorized, "invalid_client", 700027,
		"Client assertion is not supported by azemu; use a client secret."}
}

func errInvalidSecret(clientID string) *aadError {
	return &aadError{http.StatusUnauthorized, "invalid_client", 7000215,
		fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID)}
}

func errBadRequestBody(why string) *aadError {
	return &aadError{http.StatusBadRequest, "invalid_request", 90014, why}
}

// msiError is an App Service managed identity error: {"statusCode","message","correlationId"}.
type msiError struct {
	status  int
	message string
}

func (e *msiError) Error() string { return e.message }

// imdsError is an IMDS managed identity error: {"error","error_description"}.
type imdsError struct {
	status      int
	code        string
	description string
}

func (e *imdsError) Error() string { return e.code + ": " + e.description }

// reqIDs are the trace and correlation ids of one request.
type reqIDs struct{ trace, correlation string }

func (s *Service) ids(r *http.Request) reqIDs {
	ids := reqIDs{}
	ids.trace, _ = newGUID()
	for _, c := range []string{r.Header.Get("client-request-id"), r.Header.Get("x-ms-client-request-id"), r.URL.Query().Get("client-request-id")} {
		if isGUID(c) {
			ids.correlation = c
			break
		}
	}
	if ids.correlation == "" {
		ids.correlation, _ = newGUID()
	}
	return ids
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, ids reqIDs) error

func (s *Service) wrap(op string, h handlerFunc, render func(w http.ResponseWriter, r *http.Request, ids reqIDs, err error) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids := s.ids(r)
		w.Header().Set("x-ms-request-id", ids.trace)
		w.Header().Set("client-request-id", ids.correlation)
		err := h(w, r, ids)
		if err == nil {
			return
		}
		if render(w, r, ids, err) {
			s.log.Debug("identity request refused", "op", op, "request_id", ids.trace, "error", err.Error())
			return
		}
		s.log.Error("identity request failed", "op", op, "request_id", ids.trace, "error", err.Error())
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": "internal error; see the azemu log, request id " + ids.trace})
	})
}

func (s *Service) aad(op string, h handlerFunc) http.Handler {
	return s.wrap(op, h, func(w http.ResponseWriter, r *http.Request, ids reqIDs, err error) bool {
		var e *aadError
		if !errors.As(err, &e) {
			return false
		}
		now := s.cfg.Now().UTC()
		ts := now.Format("2006-01-02 15:04:05Z")
		writeJSON(w, e.status, map[string]any{
			"error":             e.code,
			"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.aadsts, e.message, ids.trace, ids.correlation, ts),
			"error_codes":       []int{e.aadsts},
			"timestamp":         ts,
			"trace_id":          ids.trace,
			"correlation_id":    ids.correlation,
			"error_uri":         s.issuerBase(r) + "/error?code=" + strconv.Itoa(e.aadsts),
		})
		return true
	})
}

func (s *Service) msi(op string, h handlerFunc) http.Handler {
	return s.wrap(op, h, func(w http.ResponseWriter, _ *http.Request, ids reqIDs, err error) bool {
		var e *msiError
		if !errors.As(err, &e) {
			return false
		}
		writeJSON(w, e.status, map[string]any{"statusCode": e.status, "message": e.message, "correlationId": ids.correlation})
		return true
	})
}

func (s *Service) imds(op string, h handlerFunc) http.Handler {
	return s.wrap(op, h, func(w http.ResponseWriter, _ *http.Request, _ reqIDs, err error) bool {
		var e *imdsError
		if !errors.As(err, &e) {
			return false
		}
		writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
		return true
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
