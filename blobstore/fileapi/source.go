package fileapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// copySource is a resolved x-ms-copy-source: a file or a blob of this
// emulator (exactly one is set).
type copySource struct {
	file *blobstore.FileRef
	blob *blobstore.BlobRef
}

var errSourceDenied = &storageerr.Error{Status: http.StatusForbidden, Code: storageerr.ErrCannotVerifyCopySource.Code,
	Message: "The copy source is not authorized: give it a SAS (or use Shared Key on the destination)."}

// resolveSource turns a copy source URL into a file or blob of this
// emulator and checks the caller may read it: a Shared Key request may read
// anything of its account; otherwise the URL needs its own SAS granting
// read. A path-style URL on the request's own host (or port) is a file;
// on another loopback port it is a blob (the Blob listener).
func (a *api) resolveSource(r *http.Request, c *call, header string) (copySource, error) {
	u, err := storagehttp.ParseCopySource(r, storagehttp.CopySourceOptions{
		Header: header, HostSuffixes: []string{storagehttp.HostSuffixFile, storagehttp.HostSuffixBlob}, Account: c.account.Name,
		NotLocal: "azemu can only copy from this emulator.",
	})
	if err != nil {
		return copySource{}, err
	}
	isFile := u.HostSuffix == storagehttp.HostSuffixFile || u.HostSuffix == "" && samePort(u.URL.Host, r.Host)
	var src copySource
	if isFile {
		src.file = &blobstore.FileRef{Account: u.Account, Share: u.Container, Path: normalizePath(u.Path, ""), Snapshot: u.URL.Query().Get("sharesnapshot")}
	} else {
		src.blob = &blobstore.BlobRef{Account: u.Account, Container: u.Container, Blob: u.Path, Snapshot: u.URL.Query().Get("snapshot")}
		if a.svc.Blobs() == nil {
			return src, errSourceDenied // no Blob service to read it from
		}
	}
	if c.auth.Method == storageauth.MethodSharedKey || c.auth.Method == storageauth.MethodSharedKeyLite {
		return src, nil
	}
	if u.URL.Query().Get("sig") == "" {
		return src, errSourceDenied
	}
	if isFile {
		err = u.Authenticate(r, storageauth.ServiceFile, src.file.Path, c.account.Keys, a.policyLookup(u.Account, u.Container), a.now())
	} else {
		cref := blobstore.ContainerRef{Account: u.Account, Container: u.Container}
		err = u.Authenticate(r, storageauth.ServiceBlob, u.Path, c.account.Keys, storagehttp.PolicyLookup(func(ctx context.Context, id string) (blobstore.AccessPolicy, bool, error) {
			return a.svc.Blobs().ContainerPolicy(ctx, cref, id)
		}), a.now())
	}
	if err != nil {
		return src, errSourceDenied
	}
	return src, nil
}

// open opens the source for reading.
func (a *api) open(ctx context.Context, src copySource) (io.ReaderAt, int64, func(), error) {
	if src.file != nil {
		rd, err := a.svc.GetFile(ctx, *src.file, "")
		if err != nil {
			return nil, 0, nil, err
		}
		return rd, rd.Size(), func() { _ = rd.Close() }, nil
	}
	rd, err := a.svc.Blobs().GetBlob(ctx, *src.blob, blobstore.Conditions{})
	if err != nil {
		return nil, 0, nil, err
	}
	return rd, rd.Size(), func() { _ = rd.Close() }, nil
}

func samePort(a, b string) bool {
	_, pa, errA := net.SplitHostPort(a)
	_, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(a, b)
	}
	return pa == pb
}
