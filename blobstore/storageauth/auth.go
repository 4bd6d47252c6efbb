package storageauth

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// Service names the storage service a request is addressed to.
type Service byte

// The services storageauth authenticates; the values are the letters of an
// account SAS "ss" field.
const (
	ServiceBlob Service = 'b'
	ServiceFile Service = 'f'
)

// Request describes the operation being authorised.
type Request struct {
	Service      Service
	Account      string
	Container    string // container or share; "" for service-level requests
	Path         string // blob name or file/dir path; "" for container/share-level
	ResourceType byte   // 's' service, 'c' container/share, 'o' object (account SAS srt)
	Permission   byte   // the SAS permission letter this operation needs
	// AltPermissions lists further letters any one of which also satisfies
	// the SAS permission check (Put Blob: 'w', or 'c' for a new blob). See
	// OperationAccess, which fills Permission, AltPermissions and
	// ResourceType for a REST operation.
	AltPermissions string
	// AnyResourceType lets an account SAS of any resource type (srt) through;
	// only Get Account Information needs it.
	AnyResourceType bool
	// HostStyle is true when the request named its account in the host
	// (<account>.blob.localhost) rather than as the first path segment: the
	// two sign different paths for the same resource (canonicalResource).
	HostStyle bool
	ClientIP  net.IP
	HTTPS     bool
	Now       time.Time // the REAL clock: auth never uses the emulator clock (zero: time.Now())
}

// Policy is a stored access policy (a signed identifier on a container or share).
type Policy struct {
	Start, Expiry time.Time
	Permission    string
}

// PolicyLookup returns the stored access policy named id of the container or
// share the request addresses; ok is false when there is none.
type PolicyLookup func(ctx context.Context, id string) (Policy, bool, error)

// Method says how a request was authenticated.
type Method int

// The authentication methods.
const (
	MethodAnonymous Method = iota
	MethodSharedKey
	MethodSharedKeyLite
	MethodAccountSAS
	MethodServiceSAS
)

// Result is the outcome of a successful Authenticate.
type Result struct {
	Method Method
	// Permissions are the SAS permission letters granted (after merging a
	// stored access policy); "" for Shared Key and anonymous requests.
	Permissions string
	// Response header overrides from a service SAS (rscc, rscd, rsce, rscl,
	// rsct); empty when not given.
	CacheControl, ContentDisposition, ContentEncoding, ContentLanguage, ContentType string
}

// Allows reports whether the request may do what letter stands for: always
// for Shared Key, and for a SAS when it grants the letter. Handlers use it for
// the second half of a two-letter rule (Put Blob with only 'c' may not
// overwrite an existing blob).
func (r Result) Allows(letter byte) bool {
	switch r.Method {
	case MethodSharedKey, MethodSharedKeyLite:
		return true
	case MethodAccountSAS, MethodServiceSAS:
		return strings.IndexByte(r.Permissions, letter) >= 0
	}
	return false
}

// Authenticate checks Shared Key / Shared Key Lite / account SAS / service
// SAS. A request with no credential at all returns
// Result{Method: MethodAnonymous} and nil error: the caller decides
// (container public access).
//
// Failures return *storageerr.Error with Azure's code: AuthenticationFailed
// (with the AuthenticationErrorDetail element Azure sends) for a bad
// signature, a stale or missing date, a SAS outside its time window or with
// malformed fields, a bearer token or a user delegation SAS (not supported
// yet); InvalidAuthenticationInfo (400) for a malformed Authorization header;
// AuthorizationProtocolMismatch, AuthorizationSourceIPMismatch,
// AuthorizationServiceMismatch, AuthorizationResourceTypeMismatch and
// AuthorizationPermissionMismatch when a valid SAS does not cover req. An
// error from policies is returned wrapped, not as a *storageerr.Error.
//
// An Authorization header takes precedence over SAS query parameters.
// keys are the account's keys (raw bytes, not base64); either may sign.
func Authenticate(ctx context.Context, r *http.Request, req Request, keys [][]byte, policies PolicyLookup) (Result, error) {
	if req.Now.IsZero() {
		// A caller that forgot the clock must not disable the time checks.
		req.Now = time.Now()
	}
	if vals := r.Header.Values("Authorization"); len(vals) > 0 {
		ah, err := parseAuthorization(vals[0])
		if err != nil {
			return Result{}, err
		}
		return authenticateSharedKey(r, req, keys, ah)
	}
	params := parseQuery(rawQuery(r))
	if isSAS(params) {
		return authenticateSAS(ctx, req, keys, policies, params)
	}
	return Result{Method: MethodAnonymous}, nil
}
