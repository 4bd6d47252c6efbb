package blobapi

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// CopyBlob copies a blob of this emulator (Copy Blob, Copy Blob From URL with
// x-ms-requires-sync, and Put Blob From URL share it): the copy completes
// synchronously and shares the source's encrypted data files.
// https://learn.microsoft.com/rest/api/storageservices/copy-blob
// https://learn.microsoft.com/rest/api/storageservices/copy-blob-from-url
func (a *api) CopyBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	srcURL := r.Header.Get("x-ms-copy-source")
	putBlob := c.op.name == "PutBlobFromURL"
	async := !putBlob && !strings.EqualFold(r.Header.Get("x-ms-requires-sync"), "true")
	src, err := a.resolveCopySource(r, c, srcURL, async)
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	opts := blobstore.CopyBlobOptions{
		Source: src, SourceURL: srcURL, Metadata: md, SourceConditions: sourceConditions(r),
		Tier: r.Header.Get("x-ms-access-tier"), AsPutBlob: putBlob,
	}
	if putBlob && strings.EqualFold(r.Header.Get("x-ms-copy-source-blob-properties"), "false") {
		// The destination takes the request's x-ms-blob-content-* headers
		// instead of the source's properties.
		hh, err := createHeaders(r, false)
		if err != nil {
			return err
		}
		opts.HTTPHeaders = &hh
	}
	opts.Conditions = conditions(r)
	fix := createOnly(c, &opts.Conditions)
	res, err := a.svc.CopyBlob(r.Context(), c.blobRef(), opts)
	if err != nil {
		return fix(err)
	}
	h := w.Header()
	setWrite(h, blobstore.WriteResult{ETag: res.ETag, LastModified: res.LastModified})
	if putBlob {
		// Put Blob From URL is a Put Blob: 201, no copy id or status.
		w.WriteHeader(http.StatusCreated)
		return nil
	}
	h.Del("x-ms-request-server-encrypted")
	h.Set("x-ms-copy-id", res.CopyID)
	h.Set("x-ms-copy-status", string(res.CopyStatus))
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// resolveCopySource turns x-ms-copy-source into a blob of this emulator and
// checks the caller may read it. Only an asynchronous Copy Blob authorised
// with Shared Key may read any blob of its account on that key; the
// synchronous operations (Copy Blob From URL, Put Blob From URL, Put Block
// From URL, Append Block From URL) need a source that is public or carries
// its own SAS, as on Azure (404 CannotVerifyCopySource otherwise).
func (a *api) resolveCopySource(r *http.Request, c *call, raw string, sharedKeyReads bool) (blobstore.BlobRef, error) {
	invalid := blobstore.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-copy-source").WithDetail("HeaderValue", storagehttp.RedactSAS(raw))
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return blobstore.BlobRef{}, invalid
	}
	segs := strings.SplitN(strings.TrimPrefix(u.EscapedPath(), "/"), "/", 3)
	if acct, ok := hostAccount(u.Host); ok {
		segs = append([]string{acct}, strings.SplitN(strings.TrimPrefix(u.EscapedPath(), "/"), "/", 2)...)
	} else if !a.isLocalHost(r, u.Host) {
		return blobstore.BlobRef{}, blobstore.ErrCannotVerifyCopySource.WithMessage("azemu can only copy blobs stored in this emulator.")
	}
	if len(segs) != 3 || segs[0] == "" || segs[1] == "" || segs[2] == "" {
		return blobstore.BlobRef{}, invalid
	}
	var ref blobstore.BlobRef
	var uerr error
	if ref.Account, uerr = url.PathUnescape(segs[0]); uerr != nil {
		return ref, invalid
	}
	if ref.Container, uerr = url.PathUnescape(segs[1]); uerr != nil {
		return ref, invalid
	}
	if ref.Blob, uerr = url.PathUnescape(segs[2]); uerr != nil {
		return ref, invalid
	}
	ref.Snapshot = u.Query().Get("snapshot")
	if ref.Account != c.account.Name {
		return ref, blobstore.ErrCopyAcrossAccountsNotSupported
	}
	if r.Header.Get("x-ms-copy-source-authorization") != "" {
		// A bearer token for the source: azemu cannot verify it yet.
		return ref, blobstore.ErrFeatureNotSupported.WithMessage("azemu does not support x-ms-copy-source-authorization yet.").
			WithDetail("HeaderName", "x-ms-copy-source-authorization")
	}
	if sharedKeyReads && (c.auth.Method == storageauth.MethodSharedKey || c.auth.Method == storageauth.MethodSharedKeyLite) {
		return ref, nil
	}
	notFound := &blobstore.Error{Status: http.StatusNotFound, Code: blobstore.ErrCannotVerifyCopySource.Code, Message: "The specified resource does not exist."}
	if u.Query().Get("sig") != "" {
		sr, err := http.NewRequestWithContext(r.Context(), http.MethodGet, raw, nil)
		if err != nil {
			return ref, invalid
		}
		sr.RequestURI = u.RequestURI()
		sr.RemoteAddr = r.RemoteAddr
		ref2 := blobstore.ContainerRef{Account: ref.Account, Container: ref.Container}
		_, err = storageauth.Authenticate(r.Context(), sr, storageauth.Request{
			Service: storageauth.ServiceBlob, Account: ref.Account, Container: ref.Container, Path: ref.Blob,
			ResourceType: 'o', Permission: 'r', ClientIP: storagehttp.ClientIP(r), HTTPS: u.Scheme == "https", Now: a.now(),
		}, c.account.Keys, func(ctx2 context.Context, id string) (storageauth.Policy, bool, error) {
			p, found, err := a.svc.ContainerPolicy(ctx2, ref2, id)
			return storageauth.Policy{Start: p.Start, Expiry: p.Expiry, Permission: p.Permission}, found, err
		})
		if err != nil {
			return ref, blobstore.ErrCannotVerifyCopySource.WithMessage("%s", "The source SAS does not authorize reading the source blob.")
		}
		return ref, nil
	}
	level, err := a.svc.ContainerPublicAccess(r.Context(), blobstore.ContainerRef{Account: ref.Account, Container: ref.Container})
	if err != nil || level == blobstore.PublicAccessNone {
		return ref, notFound
	}
	return ref, nil
}

// isLocalHost reports whether host names this emulator: the request's own
// host, or a loopback name on any port.
func (a *api) isLocalHost(r *http.Request, host string) bool {
	if strings.EqualFold(host, r.Host) {
		return true
	}
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(strings.ToLower(h), "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// AbortCopyBlob aborts a pending copy; azemu's copies complete at once, so
// this reports NoPendingCopyOperation for a known copy id.
// https://learn.microsoft.com/rest/api/storageservices/abort-copy-blob
func (a *api) AbortCopyBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if !strings.EqualFold(r.Header.Get("x-ms-copy-action"), "abort") {
		return blobstore.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-copy-action").WithDetail("HeaderValue", r.Header.Get("x-ms-copy-action"))
	}
	id := r.URL.Query().Get("copyid")
	if id == "" {
		return blobstore.ErrMissingRequiredQueryParameter.WithDetail("QueryParameterName", "copyid")
	}
	if err := a.svc.AbortCopy(r.Context(), c.blobRef(), blobstore.AbortCopyOptions{CopyID: id, LeaseID: r.Header.Get("x-ms-lease-id")}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
