package blobapi

import (
	"context"
	"errors"
	"hash/crc64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/blob"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// Config configures the Blob REST handler: the service, a logger and the
// real clock.
type Config struct {
	Service *blob.Service
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
	svc  *blob.Service
	log  *slog.Logger
	now  func() time.Time
	resp storagehttp.Responder
	pool storagehttp.BufferPool
	crc  *crc64.Table
}

// New returns the Blob REST handler.
func New(cfg Config) http.Handler {
	d := storagehttp.Config{Logger: cfg.Logger, Now: cfg.Now}.WithDefaults()
	cfg.Logger, cfg.Now = d.Logger, d.Now
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
//     account into the path (storagehttp.HostStyle);
//   - "." and ".." segments are resolved and trailing dots of segments
//     dropped, as Azure does (dotsegments.go);
//   - /<account>/<name> without restype addresses blob <name> of the root
//     container $root, as Azure does.
func rewrite(r *http.Request) *http.Request {
	r = storagehttp.HostStyle(r, storagehttp.HostSuffixBlob)
	r = withResolvedDots(r)
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if len(segs) != 2 || segs[0] == "" || segs[1] == "" || r.Method == http.MethodOptions || r.URL.Query().Get("restype") != "" {
		return r
	}
	path := "/" + segs[0] + "/$root/" + segs[1]
	r2 := r.Clone(r.Context())
	u := *r.URL
	if p, err := url.PathUnescape(path); err == nil {
		u.Path = p
		u.RawPath = path
	}
	r2.URL = &u
	return r2
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

func callOf(r *http.Request) *call { return storagehttp.CallOf[call](r) }

func (c *call) containerRef() blobstore.ContainerRef {
	return blobstore.ContainerRef{Account: c.account.Name, Container: c.container}
}

func (c *call) blobRef() blobstore.BlobRef {
	return blobstore.BlobRef{Account: c.account.Name, Container: c.container, Blob: c.blob, Snapshot: c.snapshot}
}

// handle is the one adapter (storagehttp.Responder.Handle): it resolves
// the account, authenticates, applies CORS response headers, runs the
// handler and renders its error.
func (a *api) handle(o op) http.Handler {
	return a.resp.Handle("blob", o.name, func(w http.ResponseWriter, r *http.Request, id string) (http.ResponseWriter, *http.Request, error) {
		// Azure also answers requests without Origin from its CORS rules
		// (Vary: Origin, or Access-Control-Allow-Origin: * for an allow-all
		// rule); only browsers act on CORS headers and they always send
		// Origin cross-origin, so azemu skips the rule lookup then.
		if acct, err := storagehttp.Unescape(mux.Vars(r)["account"]); err == nil && acct != "" && r.Header.Get("Origin") != "" {
			w = a.corsHeaders(w, r, acct)
		}
		c := &call{op: &o, requestID: id}
		if err := a.prepare(r, c); err != nil {
			return w, r, err
		}
		return w, storagehttp.WithCall(r, c), nil
	}, o.fn)
}

func (a *api) prepare(r *http.Request, c *call) error {
	vars := mux.Vars(r)
	var err error
	acct, err := storagehttp.Unescape(vars["account"])
	if err != nil {
		return err
	}
	if c.container, err = storagehttp.Unescape(vars["container"]); err != nil {
		return err
	}
	if c.blob, err = storagehttp.Unescape(vars["blob"]); err != nil {
		return err
	}
	if c.snapshot = r.URL.Query().Get("snapshot"); c.snapshot != "" {
		if _, ok := storagehttp.ParseISO(c.snapshot); !ok {
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "snapshot").WithDetail("QueryParameterValue", c.snapshot)
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
		return storageerr.ErrFeatureNotSupported.WithMessage("azemu does not support blob versions yet.").
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
			return storageerr.ErrFeatureNotSupported.WithMessage("azemu does not support %s yet.", h).WithDetail("HeaderName", h)
		}
	}
	if strings.EqualFold(r.Header.Get("x-ms-legal-hold"), "true") {
		return storageerr.ErrFeatureNotSupported.WithMessage("azemu does not support x-ms-legal-hold yet.").WithDetail("HeaderName", "x-ms-legal-hold")
	}
	return nil
}

// authenticate runs storageauth for the operation and applies the anonymous
// access rules of the container.
func (a *api) authenticate(r *http.Request, c *call) error {
	req := storagehttp.AuthRequest(r, storageauth.ServiceBlob, c.account.Name, c.container, c.blob, a.now())
	access, ok := storageauth.OperationAccess(storageauth.ServiceBlob, authName(r, c.op.name))
	if !ok {
		// Unknown to the SAS tables: no SAS may do it (fail closed).
		access = storageauth.Access{ResourceType: resourceLevel(c)}
	}
	access.Apply(&req)
	var lookup storageauth.PolicyLookup
	if c.container != "" {
		lookup = a.containerPolicies(c.containerRef())
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
		return storageerr.ErrNoAuthenticationInformation
	}
	level, err := a.svc.ContainerPublicAccess(r.Context(), c.containerRef())
	if err != nil {
		if errors.Is(err, storageerr.ErrContainerNotFound) {
			return storageerr.ErrResourceNotFound
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
	return storageerr.ErrResourceNotFound
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
		if errors.Is(err, storageerr.ErrBlobAlreadyExists) {
			return storageerr.ErrAuthorizationPermissionMismatch
		}
		return err
	}
}

// containerPolicies looks up the stored access policies of a container.
func (a *api) containerPolicies(ref blobstore.ContainerRef) storageauth.PolicyLookup {
	return storagehttp.PolicyLookup(func(ctx context.Context, id string) (blobstore.AccessPolicy, bool, error) {
		return a.svc.ContainerPolicy(ctx, ref, id)
	})
}

// serviceEndpoint is the ServiceEndpoint attribute of listings.
func serviceEndpoint(r *http.Request, account string) string {
	return storagehttp.ServiceEndpoint(r, account, false)
}
