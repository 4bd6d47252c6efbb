package queueapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// HostSuffix is the host-style suffix: <account>.queue.localhost[:port].
const HostSuffix = ".queue.localhost"

// ServerHeader is the Server header the Queue service sends.
const ServerHeader = "Windows-Azure-Queue/1.0 Microsoft-HTTPAPI/2.0"

// Accounts tells which storage accounts exist and their Shared Keys.
type Accounts interface {
	// AccountKeys returns the Shared Key keys (raw bytes) of account. It
	// MUST return storageerr.ErrAccountNotFound when the account does not
	// exist.
	AccountKeys(ctx context.Context, account string) ([][]byte, error)
}

// Config configures the Queue REST handler.
type Config struct {
	Service  *queue.Service
	Accounts Accounts
	Logger   *slog.Logger
	// Now is the real clock for authentication and the Date header (never
	// the emulator clock: clients sign with their wall clock). nil means
	// time.Now.
	Now func() time.Time
}

type api struct {
	svc      *queue.Service
	accounts Accounts
	now      func() time.Time
	resp     storagehttp.Responder
}

// New returns the Queue REST handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &api{
		svc:      cfg.Service,
		accounts: cfg.Accounts,
		now:      cfg.Now,
		resp:     storagehttp.Responder{Server: ServerHeader, Logger: cfg.Logger, Now: cfg.Now},
	}
	router := a.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.ServeHTTP(w, storagehttp.HostStyle(r, HostSuffix))
	})
}

// op describes one REST operation for the adapter.
type op struct {
	// name is the operation's name in the REST reference without spaces;
	// storageauth.OperationAccess knows what a SAS needs for it.
	name string
	fn   func(w http.ResponseWriter, r *http.Request) error
}

// call is what the adapter learned about a request.
type call struct {
	op      *op
	account string
	queue   string
	message string
	auth    storageauth.Result
}

func callOf(r *http.Request) *call { return storagehttp.CallOf[call](r) }

// handle is the adapter: it resolves the account, authenticates, applies
// CORS response headers, runs the handler and renders its error.
func (a *api) handle(o op) http.Handler {
	return a.resp.Handle("queue", o.name, func(w http.ResponseWriter, r *http.Request, id string) (http.ResponseWriter, *http.Request, error) {
		c := &call{op: &o}
		vars := mux.Vars(r)
		var err error
		if c.account, err = storagehttp.Unescape(vars["account"]); err != nil {
			return w, r, err
		}
		if c.queue, err = storagehttp.Unescape(vars["queue"]); err != nil {
			return w, r, err
		}
		if c.message, err = storagehttp.Unescape(vars["message"]); err != nil {
			return w, r, err
		}
		keys, err := a.accounts.AccountKeys(r.Context(), c.account)
		if err != nil {
			return w, r, err
		}
		if r.Header.Get("Origin") != "" {
			w = a.corsHeaders(w, r, c.account)
		}
		if err := a.authenticate(r, c, keys); err != nil {
			return w, r, err
		}
		return w, storagehttp.WithCall(r, c), nil
	}, o.fn)
}

// authenticate runs storageauth for the operation. Queues have no public
// access: a request without credentials is refused.
func (a *api) authenticate(r *http.Request, c *call, keys [][]byte) error {
	req := storagehttp.AuthRequest(r, storageauth.ServiceQueue, c.account, c.queue, "", a.now())
	access, ok := storageauth.OperationAccess(storageauth.ServiceQueue, c.op.name)
	if !ok {
		access = storageauth.Access{ResourceType: storageauth.ResourceService}
	}
	access.Apply(&req)
	var lookup storageauth.PolicyLookup
	if c.queue != "" {
		account, q := c.account, c.queue
		lookup = storagehttp.PolicyLookup(func(ctx context.Context, id string) (blobstore.AccessPolicy, bool, error) {
			return a.svc.QueuePolicy(ctx, account, q, id)
		})
	}
	res, err := storageauth.Authenticate(r.Context(), r, req, keys, lookup)
	if err != nil {
		return err
	}
	if res.Method == storageauth.MethodAnonymous {
		return storageerr.ErrNoAuthenticationInformation
	}
	c.auth = res
	return nil
}

// corsHeaders wraps w so an actual request gets the CORS response headers
// of the account's Queue service rules, on success and on error alike.
func (a *api) corsHeaders(w http.ResponseWriter, r *http.Request, account string) http.ResponseWriter {
	props, err := a.svc.GetServiceProperties(r.Context(), account)
	if err != nil {
		return w
	}
	plan, ok := storagehttp.PlanCORS(props.Cors, r.Header.Get("Origin"), r.Method)
	if !ok {
		return w
	}
	return plan.Wrap(w)
}

// Preflight answers a CORS preflight (OPTIONS) request from the account's
// Queue service CORS rules; it needs no authentication.
// https://learn.microsoft.com/rest/api/storageservices/preflight-queue-request
func (a *api) Preflight(w http.ResponseWriter, r *http.Request) {
	a.resp.Preflight(w, r, storagehttp.PreflightOptions{
		Rules: func(ctx context.Context, account string) ([]blobstore.CorsRule, error) {
			if _, err := a.accounts.AccountKeys(ctx, account); err != nil {
				return nil, err
			}
			props, err := a.svc.GetServiceProperties(ctx, account)
			return props.Cors, err
		},
		// Preflight Queue Request: "This header is always set to true."
		AlwaysCredentials: true,
	})
}
