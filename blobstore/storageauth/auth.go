package storageauth

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/azemu/azemu/blobstore"
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
	ClientIP     net.IP
	HTTPS        bool
	Now          time.Time // the REAL clock: auth never uses the emulator clock
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
	// Response header overrides from a service SAS (rscc, rscd, rsce, rscl,
	// rsct); empty when not given.
	CacheControl, ContentDisposition, ContentEncoding, ContentLanguage, ContentType string
}

// Authenticate checks Shared Key / Shared Key Lite / account SAS / service
// SAS. A request with no credential at all returns
// Result{Method: MethodAnonymous} and nil error: the caller decides
// (container public access).
func Authenticate(ctx context.Context, r *http.Request, req Request, keys [][]byte, policies PolicyLookup) (Result, error) {
	return Result{}, blobstore.ErrAuthenticationFailed
}
