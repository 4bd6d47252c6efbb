package fileapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// copySource is a resolved x-ms-copy-source: a file or a blob of this
// emulator (exactly one is set).
type copySource struct {
	file *blobstore.FileRef
	blob *blobstore.BlobRef
}

var errSourceDenied = &blobstore.Error{Status: http.StatusForbidden, Code: blobstore.ErrCannotVerifyCopySource.Code,
	Message: "The copy source is not authorized: give it a SAS (or use Shared Key on the destination)."}

// resolveSource turns a copy source URL into a file or blob of this
// emulator and checks the caller may read it: a Shared Key request may read
// anything of its account; otherwise the URL needs its own SAS granting
// read. A path-style URL on the request's own host (or port) is a file;
// on another loopback port it is a blob (the Blob listener).
func (a *api) resolveSource(r *http.Request, c *call, header string) (copySource, error) {
	raw := r.Header.Get(header)
	bad := invalidHeader(header, raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return copySource{}, bad
	}
	path := strings.TrimPrefix(u.EscapedPath(), "/")
	isFile := true
	var segs []string
	switch acct, ok := storagehttp.HostAccount(u.Host, storagehttp.HostSuffixFile); {
	case ok:
		segs = append([]string{acct}, strings.SplitN(path, "/", 2)...)
	default:
		if bacct, ok := storagehttp.HostAccount(u.Host, storagehttp.HostSuffixBlob); ok {
			segs, isFile = append([]string{bacct}, strings.SplitN(path, "/", 2)...), false
			break
		}
		if !storagehttp.IsLoopbackHost(u.Host) && !strings.EqualFold(u.Host, r.Host) {
			return copySource{}, blobstore.ErrCannotVerifyCopySource.WithMessage("azemu can only copy from this emulator.")
		}
		segs = strings.SplitN(path, "/", 3)
		isFile = samePort(u.Host, r.Host)
	}
	if len(segs) != 3 || segs[0] == "" || segs[1] == "" || segs[2] == "" {
		return copySource{}, bad
	}
	var parts [3]string
	for i, s := range segs {
		if parts[i], err = url.PathUnescape(s); err != nil {
			return copySource{}, bad
		}
	}
	if parts[0] != c.account.Name {
		return copySource{}, blobstore.ErrCopyAcrossAccountsNotSupported
	}
	var src copySource
	if isFile {
		src.file = &blobstore.FileRef{Account: parts[0], Share: parts[1], Path: normalizePath(parts[2], ""), Snapshot: u.Query().Get("sharesnapshot")}
	} else {
		src.blob = &blobstore.BlobRef{Account: parts[0], Container: parts[1], Blob: parts[2], Snapshot: u.Query().Get("snapshot")}
	}
	if c.auth.Method == storageauth.MethodSharedKey || c.auth.Method == storageauth.MethodSharedKeyLite {
		return src, nil
	}
	if u.Query().Get("sig") == "" {
		return src, errSourceDenied
	}
	sr, err := http.NewRequestWithContext(r.Context(), http.MethodGet, raw, nil)
	if err != nil {
		return src, bad
	}
	sr.RequestURI = u.RequestURI()
	sr.RemoteAddr = r.RemoteAddr
	req := storageauth.Request{Account: parts[0], Container: parts[1], Path: parts[2], ResourceType: 'o', Permission: 'r',
		ClientIP: storagehttp.ClientIP(r), HTTPS: u.Scheme == "https", Now: a.now()}
	var lookup storageauth.PolicyLookup
	if isFile {
		req.Service, req.Path = storageauth.ServiceFile, src.file.Path
		lookup = a.policyLookup(parts[0], parts[1])
	} else {
		req.Service = storageauth.ServiceBlob
		cref := blobstore.ContainerRef{Account: parts[0], Container: parts[1]}
		lookup = func(ctx context.Context, id string) (storageauth.Policy, bool, error) {
			p, found, err := a.svc.ContainerPolicy(ctx, cref, id)
			return storageauth.Policy{Start: p.Start, Expiry: p.Expiry, Permission: p.Permission}, found, err
		}
	}
	if _, err := storageauth.Authenticate(r.Context(), sr, req, c.account.Keys, lookup); err != nil {
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
	rd, err := a.svc.GetBlob(ctx, *src.blob, blobstore.Conditions{})
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
