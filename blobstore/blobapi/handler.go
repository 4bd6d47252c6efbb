package blobapi

import (
	"context"
	"errors"
	"hash/crc64"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// Config configures the Blob REST handler.
type Config struct {
	Service *blobstore.Service
	Logger  *slog.Logger
	// Now is the real clock used for authentication and the Date header
	// (never the emulator clock). nil means time.Now.
	Now func() time.Time
}

// Request body limits (Azure's documented maximums).
const (
	maxPutBlobBody  = 5000 << 20
	maxPutBlockBody = 4000 << 20
	maxAppendBlock  = 100 << 20
)

type api struct {
	svc  *blobstore.Service
	log  *slog.Logger
	now  func() time.Time
	resp storagehttp.Responder
	pool storagehttp.BufferPool
	crc  *crc64.Table
}

// New returns the Blob REST handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &api{
		svc:  cfg.Service,
		log:  cfg.Logger,
		now:  cfg.Now,
		resp: storagehttp.Responder{Server: storagehttp.ServerBlob, Logger: cfg.Logger, Now: cfg.Now},
		crc:  crc64.MakeTable(crc64Poly),
	}
	router := a.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.ServeHTTP(w, rewrite(r))
	})
}

// rewrite brings a request into the one shape the router knows,
// /<account>/<container>/<blob>, on a shallow copy (RequestURI, which clients
// sign, is kept):
//   - host style <account>.blob.localhost[:port]/<container>/<blob> moves the
//     account into the path;
//   - /<account>/<name> without restype addresses blob <name> of the root
//     container $root, as Azure does.
func rewrite(r *http.Request) *http.Request {
	path := r.URL.EscapedPath()
	ctx := r.Context()
	if acct, ok := hostAccount(r.Host); ok {
		path = "/" + acct + path
		ctx = context.WithValue(ctx, hostStyleKey{}, true)
	}
	if segs := strings.Split(strings.TrimPrefix(path, "/"), "/"); len(segs) == 2 && segs[0] != "" && segs[1] != "" &&
		r.Method != http.MethodOptions && r.URL.Query().Get("restype") == "" {
		path = "/" + segs[0] + "/$root/" + segs[1]
	}
	if path == r.URL.EscapedPath() && ctx == r.Context() {
		return r
	}
	r2 := r.Clone(ctx)
	u := *r.URL
	if p, err := url.PathUnescape(path); err == nil {
		u.Path = p
		u.RawPath = path
	}
	r2.URL = &u
	return r2
}

type hostStyleKey struct{}

// hostAccount returns the account of a host-style Host header.
func hostAccount(host string) (string, bool) {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.ToLower(h)
	const suffix = ".blob.localhost"
	if !strings.HasSuffix(h, suffix) {
		return "", false
	}
	acct := strings.TrimSuffix(h, suffix)
	if acct == "" || strings.Contains(acct, ".") {
		return "", false
	}
	return acct, true
}

// anonymous says which public access level lets an operation through
// without credentials.
type anonymous int

const (
	anonNever     anonymous = iota
	anonBlob                // container public access "blob" or "container"
	anonContainer           // container public access "container" only
)

// op describes one REST operation for the adapter.
type op struct {
	// name is the operation's name in the REST reference without spaces.
	name string
	anon anonymous
	fn   func(w http.ResponseWriter, r *http.Request) error
}

// call is what the adapter learned about a request, passed to handlers in
// the request context.
type call struct {
	op        *op
	account   *blobstore.Account
	container string
	blob      string
	snapshot  string
	auth      storageauth.Result
	requestID string
}

type callKey struct{}

func callOf(r *http.Request) *call {
	c, _ := r.Context().Value(callKey{}).(*call)
	if c == nil {
		return &call{}
	}
	return c
}

func (c *call) containerRef() blobstore.ContainerRef {
	return blobstore.ContainerRef{Account: c.account.Name, Container: c.container}
}

func (c *call) blobRef() blobstore.BlobRef {
	return blobstore.BlobRef{Account: c.account.Name, Container: c.container, Blob: c.blob, Snapshot: c.snapshot}
}

// handle is the one adapter: it resolves the account, authenticates,
// applies CORS response headers, runs the handler and renders its error.
func (a *api) handle(o op) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{op: &o}
		c.requestID = a.resp.SetCommonHeaders(w, r)
		// Azure also answers requests without Origin from its CORS rules
		// (Vary: Origin, or Access-Control-Allow-Origin: * for an allow-all
		// rule); only browsers act on CORS headers and they always send
		// Origin cross-origin, so azemu skips the rule lookup then.
		if acct, err := unescape(mux.Vars(r)["account"]); err == nil && acct != "" && r.Header.Get("Origin") != "" {
			w = a.corsHeaders(w, r, acct)
		}
		if err := a.prepare(r, c); err != nil {
			a.resp.WriteError(w, r, err, "service", "blob", "op", o.name, "account", mux.Vars(r)["account"])
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
		if err := o.fn(w, r); err != nil {
			if storagehttp.IsClientGone(err) || r.Context().Err() != nil {
				a.log.Debug("client went away", "request_id", c.requestID, "service", "blob", "op", o.name, "error", err)
			}
			a.resp.WriteError(w, r, err, "service", "blob", "op", o.name, "account", c.account.Name)
		}
	})
}

func (a *api) prepare(r *http.Request, c *call) error {
	vars := mux.Vars(r)
	var err error
	acct, err := unescape(vars["account"])
	if err != nil {
		return err
	}
	if c.container, err = unescape(vars["container"]); err != nil {
		return err
	}
	if c.blob, err = unescape(vars["blob"]); err != nil {
		return err
	}
	if c.snapshot = r.URL.Query().Get("snapshot"); c.snapshot != "" {
		if _, ok := storagehttp.ParseISO(c.snapshot); !ok {
			return blobstore.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "snapshot").WithDetail("QueryParameterValue", c.snapshot)
		}
	}
	c.account, err = a.svc.Account(r.Context(), acct)
	if err != nil {
		return err
	}
	if err := a.authenticate(r, c); err != nil {
		return err
	}
	if v := r.URL.Query().Get("versionid"); v != "" {
		// azemu keeps no blob versions: answering with the current blob
		// would pass it off as the version asked for.
		return blobstore.ErrFeatureNotSupported.WithMessage("azemu does not support blob versions yet.").
			WithDetail("QueryParameterName", "versionid").WithDetail("QueryParameterValue", v)
	}
	return unsupportedFeatures(r)
}

// unsupportedFeatures refuses request headers of features azemu does not
// implement yet: customer-provided keys, encryption scopes and structured
// (CRC64-framed) bodies (silently storing such a blob under the account key,
// or storing the framed bytes as content, would hide the difference from
// the caller), blob index tags and tag conditions (a tag condition that is
// ignored lets a write through that Azure would refuse), and immutability
// policies and legal holds.
func unsupportedFeatures(r *http.Request) error {
	for _, h := range []string{"x-ms-encryption-key", "x-ms-encryption-scope", "x-ms-source-encryption-key", "x-ms-default-encryption-scope", "x-ms-structured-body",
		"x-ms-tags", "x-ms-if-tags", "x-ms-source-if-tags", "x-ms-immutability-policy-until-date", "x-ms-immutability-policy-mode"} {
		if r.Header.Get(h) != "" {
			return blobstore.ErrFeatureNotSupported.WithMessage("azemu does not support %s yet.", h).WithDetail("HeaderName", h)
		}
	}
	if strings.EqualFold(r.Header.Get("x-ms-legal-hold"), "true") {
		return blobstore.ErrFeatureNotSupported.WithMessage("azemu does not support x-ms-legal-hold yet.").WithDetail("HeaderName", "x-ms-legal-hold")
	}
	return nil
}

func unescape(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	v, err := url.PathUnescape(s)
	if err != nil {
		return "", blobstore.ErrInvalidURI
	}
	return v, nil
}

// authenticate runs storageauth for the operation and applies the anonymous
// access rules of the container.
func (a *api) authenticate(r *http.Request, c *call) error {
	req := storageauth.Request{
		Service:   storageauth.ServiceBlob,
		Account:   c.account.Name,
		Container: c.container,
		Path:      c.blob,
		ClientIP:  clientIP(r),
		HTTPS:     r.TLS != nil,
		Now:       a.now(),
	}
	access, ok := storageauth.OperationAccess(storageauth.ServiceBlob, authName(r, c.op.name))
	if !ok {
		// Unknown to the SAS tables: no SAS may do it (fail closed).
		access = storageauth.Access{ResourceType: resourceLevel(c)}
	}
	access.Apply(&req)
	var lookup storageauth.PolicyLookup
	if c.container != "" {
		ref := c.containerRef()
		lookup = func(ctx context.Context, id string) (storageauth.Policy, bool, error) {
			p, found, err := a.svc.ContainerPolicy(ctx, ref, id)
			if err != nil || !found {
				return storageauth.Policy{}, found, err
			}
			return storageauth.Policy{Start: p.Start, Expiry: p.Expiry, Permission: p.Permission}, true, nil
		}
	}
	res, err := storageauth.Authenticate(r.Context(), r, req, c.account.Keys, lookup)
	if err != nil {
		return err
	}
	c.auth = res
	if res.Method != storageauth.MethodAnonymous {
		return nil
	}
	if c.op.anon == anonNever || c.container == "" {
		return blobstore.ErrNoAuthenticationInformation
	}
	level, err := a.svc.ContainerPublicAccess(r.Context(), c.containerRef())
	if err != nil {
		if blobstore.CodeOf(err) == blobstore.ErrContainerNotFound.Code {
			return blobstore.ErrResourceNotFound
		}
		return err
	}
	switch {
	case level == blobstore.PublicAccessContainer:
		return nil
	case level == blobstore.PublicAccessBlob && c.op.anon == anonBlob:
		return nil
	}
	// Azure hides private resources from anonymous callers.
	return blobstore.ErrResourceNotFound
}

// authName is the operation name storageauth knows: lease breaks and
// synchronous copies have their own SAS rules.
func authName(r *http.Request, name string) string {
	switch {
	case name == "LeaseBlob" && strings.EqualFold(r.Header.Get("x-ms-lease-action"), "break"):
		return "BreakBlobLease"
	case name == "LeaseContainer" && strings.EqualFold(r.Header.Get("x-ms-lease-action"), "break"):
		return "BreakContainerLease"
	case name == "CopyBlob" && strings.EqualFold(r.Header.Get("x-ms-requires-sync"), "true"):
		return "CopyBlobFromURL"
	}
	return name
}

func resourceLevel(c *call) byte {
	switch {
	case c.blob != "":
		return storageauth.ResourceObject
	case c.container != "":
		return storageauth.ResourceContainer
	}
	return storageauth.ResourceService
}

// createOnly applies a SAS that may create but not overwrite ('c' without
// 'w'): the write becomes conditional on the blob not existing, and finding
// it is a permission error, not a conflict.
func createOnly(c *call, cond *blobstore.Conditions) (restore func(error) error) {
	if c.auth.Allows(storageauth.PermWrite) || cond.IfNoneMatch == "*" {
		return func(err error) error { return err }
	}
	cond.IfNoneMatch = "*"
	return func(err error) error {
		if errors.Is(err, blobstore.ErrBlobAlreadyExists) {
			return blobstore.ErrAuthorizationPermissionMismatch
		}
		return err
	}
}

func clientIP(r *http.Request) net.IP {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return net.ParseIP(host)
}

// serviceEndpoint is the ServiceEndpoint attribute of listings.
func serviceEndpoint(r *http.Request, account string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if hs, _ := r.Context().Value(hostStyleKey{}).(bool); hs {
		return scheme + "://" + r.Host + "/"
	}
	return scheme + "://" + r.Host + "/" + account
}
