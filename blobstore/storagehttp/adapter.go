package storagehttp

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
)

// Prepare readies a request for its operation: it resolves the account,
// authenticates and applies CORS. It may wrap w (CORS headers that must reach
// error responses too) and returns the writer and the request to run the
// operation with (what it learned travels in the request context). The
// writer it returns is used even when err is set.
type Prepare func(w http.ResponseWriter, r *http.Request, requestID string) (http.ResponseWriter, *http.Request, error)

// Handle is the one request pipeline of a storage protocol: it sets the
// common headers, runs prepare, then the operation fn, and renders the error
// of either. service ("blob", "file") and op name the request in the log, with
// the account of the path.
func (p *Responder) Handle(service, op string, prepare Prepare, fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := p.SetCommonHeaders(w, r)
		account := mux.Vars(r)["account"]
		var err error
		if lengthRequired[op] {
			err = RequireContentLength(r)
		}
		if err == nil {
			w, r, err = prepare(w, r, id)
		}
		if err == nil {
			err = fn(w, r)
		}
		if err != nil && clientGone(err) {
			// Nobody is left to answer, or the client stalled mid-body:
			// drop the connection, as Azure's front end does. Not a server
			// error, so one line at Info, no 500.
			p.logger().Info("request body abandoned", "request_id", id, "service", service, "op", op, "account", account, "error", err)
			panic(http.ErrAbortHandler) // net/http's documented way to abort a response
		}
		if err != nil {
			p.WriteError(w, r, err, "service", service, "op", op, "account", account)
		}
	})
}

// clientGone reports whether err means the client went away or stalled
// while sending its body (not a malformed body, which is answered).
func clientGone(err error) bool {
	if be, ok := bodyErrorOf(err); ok {
		return be.Failure != BodyMalformed
	}
	return IsClientGone(err) || errors.Is(err, context.Canceled)
}

// AuthRequest is the storageauth request of r for a resource: the client's
// address, whether it came over TLS and the real clock. The caller applies
// the operation's SAS needs (storageauth.Access.Apply).
func AuthRequest(r *http.Request, service storageauth.Service, account, container, path string, now time.Time) storageauth.Request {
	return storageauth.Request{
		Service:   service,
		Account:   account,
		Container: container,
		Path:      path,
		HostStyle: IsHostStyle(r),
		ClientIP:  ClientIP(r),
		HTTPS:     r.TLS != nil,
		Now:       now,
	}
}

// PolicyLookup adapts a service's stored access policy lookup (Container or
// Share policy) to storageauth.
func PolicyLookup(get func(ctx context.Context, id string) (blobstore.AccessPolicy, bool, error)) storageauth.PolicyLookup {
	return func(ctx context.Context, id string) (storageauth.Policy, bool, error) {
		p, found, err := get(ctx, id)
		if err != nil || !found {
			return storageauth.Policy{}, found, err
		}
		return storageauth.Policy{Start: p.Start, Expiry: p.Expiry, Permission: p.Permission}, true, nil
	}
}

type callKey[T any] struct{}

// WithCall returns r carrying c, what a service's adapter learned about the
// request (account, authentication, names), for its handlers.
func WithCall[T any](r *http.Request, c *T) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callKey[T]{}, c))
}

// CallOf returns what WithCall stored, or a zero value when nothing was
// (handlers called directly in tests).
func CallOf[T any](r *http.Request) *T {
	if c, _ := r.Context().Value(callKey[T]{}).(*T); c != nil {
		return c
	}
	return new(T)
}
