package fileapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/file"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// Config configures the File REST handler: the service, a logger and the
// real clock.
type Config struct {
	Service *file.Service
	Logger  *slog.Logger
	// Now is the real clock used for authentication and the Date header
	// (never the emulator clock). nil means time.Now.
	Now func() time.Time
}

type api struct {
	svc  *file.Service
	log  *slog.Logger
	now  func() time.Time
	resp storagehttp.Responder
	pool storagehttp.BufferPool
}

// New returns the File REST handler.
func New(cfg Config) http.Handler {
	d := storagehttp.Config{Logger: cfg.Logger, Now: cfg.Now}.WithDefaults()
	cfg.Logger, cfg.Now = d.Logger, d.Now
	a := &api{
		svc:  cfg.Service,
		log:  cfg.Logger,
		now:  cfg.Now,
		resp: storagehttp.Responder{Server: storagehttp.ServerFile, Logger: cfg.Logger, Now: cfg.Now},
	}
	router := a.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Host style: <account>.file.localhost[:port]/<share>/<path>.
		router.ServeHTTP(w, storagehttp.HostStyle(r, storagehttp.HostSuffixFile))
	})
}

// op describes one REST operation for the adapter: its name (as
// storageauth.OperationAccess knows it) and handler.
type op struct {
	name string
	fn   func(w http.ResponseWriter, r *http.Request) error
}

// call is what the adapter learned about a request.
type call struct {
	op        *op
	account   *blobstore.Account
	share     string
	path      string
	snapshot  string
	auth      storageauth.Result
	requestID string
}

func callOf(r *http.Request) *call { return storagehttp.CallOf[call](r) }

func (c *call) shareRef() blobstore.ShareRef {
	return blobstore.ShareRef{Account: c.account.Name, Share: c.share, Snapshot: c.snapshot}
}

func (c *call) fileRef() blobstore.FileRef {
	return blobstore.FileRef{Account: c.account.Name, Share: c.share, Snapshot: c.snapshot, Path: c.path}
}

// handle is the one adapter (storagehttp.Responder.Handle): it resolves
// the account, authenticates, applies CORS response headers, runs the
// handler and renders its error.
func (a *api) handle(o op) http.Handler {
	return a.resp.Handle("file", o.name, func(w http.ResponseWriter, r *http.Request, id string) (http.ResponseWriter, *http.Request, error) {
		c := &call{op: &o, requestID: id}
		w, err := a.prepare(w, r, c)
		if err != nil {
			return w, r, err
		}
		return w, storagehttp.WithCall(r, c), nil
	}, o.fn)
}

// prepare resolves the account, authenticates and wraps w with the CORS
// headers of the account's rules (after authentication, so a failed one gets
// none); the writer it returns is used for errors too.
func (a *api) prepare(w http.ResponseWriter, r *http.Request, c *call) (http.ResponseWriter, error) {
	vars := mux.Vars(r)
	acct, err := storagehttp.Unescape(vars["account"])
	if err != nil {
		return w, err
	}
	if c.share, err = storagehttp.Unescape(vars["share"]); err != nil {
		return w, err
	}
	if c.path, err = storagehttp.Unescape(vars["path"]); err != nil {
		return w, err
	}
	c.path = normalizePath(c.path, r.Header.Get("x-ms-allow-trailing-dot"))
	c.snapshot = r.URL.Query().Get("sharesnapshot")
	if c.account, err = a.svc.Account(r.Context(), acct); err != nil {
		return w, err
	}
	if err := a.authenticate(r, c); err != nil {
		return w, err
	}
	if r.Header.Get("Origin") != "" {
		w = a.corsHeaders(w, r, c)
	}
	// The File service takes no HTTP conditions (a browser's cached
	// If-None-Match on Get File included): 400, as Azure answers.
	for _, h := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if r.Header.Get(h) != "" {
			return w, storageerr.ErrConditionHeadersNotSupported
		}
	}
	return w, nil
}

// normalizePath trims slashes and, unless x-ms-allow-trailing-dot is true,
// the trailing dots of every component, as Azure does.
func normalizePath(p, allowTrailingDot string) string {
	p = strings.Trim(p, "/")
	if strings.EqualFold(allowTrailingDot, "true") || p == "" {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if t := strings.TrimRight(s, "."); t != "" {
			parts[i] = t
		}
	}
	return strings.Join(parts, "/")
}

// authenticate runs storageauth for the operation. Files has no anonymous
// access.
func (a *api) authenticate(r *http.Request, c *call) error {
	req := storagehttp.AuthRequest(r, storageauth.ServiceFile, c.account.Name, c.share, c.path, a.now())
	if acc, ok := storageauth.OperationAccess(storageauth.ServiceFile, c.op.name); ok {
		acc.Apply(&req)
	}
	res, err := storageauth.Authenticate(r.Context(), r, req, c.account.Keys, a.policyLookup(c.account.Name, c.share))
	if err != nil {
		return err
	}
	if res.Method == storageauth.MethodAnonymous {
		return storageerr.ErrNoAuthenticationInformation
	}
	c.auth = res
	return nil
}

// policyLookup resolves a stored access policy of a share (nil for
// service-level requests).
func (a *api) policyLookup(account, share string) storageauth.PolicyLookup {
	if share == "" {
		return nil
	}
	ref := blobstore.ShareRef{Account: account, Share: share}
	return storagehttp.PolicyLookup(func(ctx context.Context, id string) (blobstore.AccessPolicy, bool, error) {
		return a.svc.SharePolicy(ctx, ref, id)
	})
}

// serviceEndpoint is the ServiceEndpoint attribute of listings.
func serviceEndpoint(r *http.Request, account string) string {
	return storagehttp.ServiceEndpoint(r, account, true)
}
