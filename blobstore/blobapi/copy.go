package blobapi

import (
	"net/http"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
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
	src, err := a.resolveCopySource(r, c, async)
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	opts := blobstore.CopyBlobOptions{
		// The source's SAS signature is a credential: it is verified
		// above and never stored or echoed.
		Source: src, SourceURL: storagehttp.RedactSAS(srcURL), Metadata: md, SourceConditions: sourceConditions(r),
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
func (a *api) resolveCopySource(r *http.Request, c *call, sharedKeyReads bool) (blobstore.BlobRef, error) {
	src, err := storagehttp.ParseCopySource(r, storagehttp.CopySourceOptions{
		Header: "x-ms-copy-source", HostSuffixes: []string{storagehttp.HostSuffixBlob}, Account: c.account.Name,
		NotLocal: "azemu can only copy blobs stored in this emulator.",
	})
	if err != nil {
		return blobstore.BlobRef{}, err
	}
	ref := blobstore.BlobRef{Account: src.Account, Container: src.Container, Blob: src.Path, Snapshot: src.URL.Query().Get("snapshot")}
	if r.Header.Get("x-ms-copy-source-authorization") != "" {
		// A bearer token for the source: azemu cannot verify it yet.
		return ref, storageerr.ErrFeatureNotSupported.WithMessage("azemu does not support x-ms-copy-source-authorization yet.").
			WithDetail("HeaderName", "x-ms-copy-source-authorization")
	}
	if sharedKeyReads && (c.auth.Method == storageauth.MethodSharedKey || c.auth.Method == storageauth.MethodSharedKeyLite) {
		return ref, nil
	}
	cref := blobstore.ContainerRef{Account: ref.Account, Container: ref.Container}
	if src.URL.Query().Get("sig") != "" {
		if err := src.Authenticate(r, storageauth.ServiceBlob, ref.Blob, c.account.Keys, a.containerPolicies(cref), a.now()); err != nil {
			return ref, storageerr.ErrCannotVerifyCopySource.WithMessage("%s", "The source SAS does not authorize reading the source blob.")
		}
		return ref, nil
	}
	level, err := a.svc.ContainerPublicAccess(r.Context(), cref)
	if err != nil || level == blobstore.PublicAccessNone {
		return ref, &storageerr.Error{Status: http.StatusNotFound, Code: storageerr.ErrCannotVerifyCopySource.Code, Message: "The specified resource does not exist."}
	}
	return ref, nil
}

// AbortCopyBlob aborts a pending copy; azemu's copies complete at once, so
// this reports NoPendingCopyOperation for a known copy id.
// https://learn.microsoft.com/rest/api/storageservices/abort-copy-blob
func (a *api) AbortCopyBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if !strings.EqualFold(r.Header.Get("x-ms-copy-action"), "abort") {
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-copy-action").WithDetail("HeaderValue", r.Header.Get("x-ms-copy-action"))
	}
	id := r.URL.Query().Get("copyid")
	if id == "" {
		return storageerr.ErrMissingRequiredQueryParameter.WithDetail("QueryParameterName", "copyid")
	}
	if err := a.svc.AbortCopy(r.Context(), c.blobRef(), blobstore.AbortCopyOptions{CopyID: id, LeaseID: r.Header.Get("x-ms-lease-id")}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
