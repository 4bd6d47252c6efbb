package fileapi

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// CreateDirectory creates a directory.
// https://learn.microsoft.com/rest/api/storageservices/create-directory
func (a *api) CreateDirectory(w http.ResponseWriter, r *http.Request) error {
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	p, err := a.svc.CreateDirectory(r.Context(), callOf(r).fileRef(), blobstore.CreateDirectoryOptions{SMB: smbHeaders(r), Metadata: md})
	if err != nil {
		return err
	}
	return writeSMB(w, &p, http.StatusCreated)
}

// GetDirectoryProperties returns a directory's properties and metadata.
// https://learn.microsoft.com/rest/api/storageservices/get-directory-properties
func (a *api) GetDirectoryProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetDirectoryProperties(r.Context(), callOf(r).fileRef())
	if err != nil {
		return err
	}
	h := w.Header()
	setSMBHeaders(h, &p)
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	h.Set("x-ms-server-encrypted", "true")
	w.WriteHeader(http.StatusOK)
	return nil
}

// GetDirectoryMetadata returns a directory's metadata.
// https://learn.microsoft.com/rest/api/storageservices/get-directory-metadata
func (a *api) GetDirectoryMetadata(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetDirectoryMetadata(r.Context(), callOf(r).fileRef())
	if err != nil {
		return err
	}
	return writeMetadata(w, p.ETag, p.LastModified, p.Metadata)
}

// SetDirectoryProperties changes a directory's SMB properties.
// https://learn.microsoft.com/rest/api/storageservices/set-directory-properties
func (a *api) SetDirectoryProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.SetDirectoryProperties(r.Context(), callOf(r).fileRef(), smbHeaders(r))
	if err != nil {
		return err
	}
	return writeSMB(w, &p, http.StatusOK)
}

// SetDirectoryMetadata replaces a directory's metadata.
// https://learn.microsoft.com/rest/api/storageservices/set-directory-metadata
func (a *api) SetDirectoryMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	p, err := a.svc.SetDirectoryMetadata(r.Context(), callOf(r).fileRef(), md)
	if err != nil {
		return err
	}
	return writeMetadataSet(w, p.ETag, p.LastModified)
}

// DeleteDirectory removes an empty directory.
// https://learn.microsoft.com/rest/api/storageservices/delete-directory
func (a *api) DeleteDirectory(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteDirectory(r.Context(), callOf(r).fileRef()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ListDirectoriesAndFiles lists a directory.
// https://learn.microsoft.com/rest/api/storageservices/list-directories-and-files
func (a *api) ListDirectoriesAndFiles(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	n, err := storagehttp.ParseMaxResults(qv.Get("maxresults"))
	if err != nil {
		return err
	}
	var ts, etag, attrs, pkey bool
	for _, inc := range storagehttp.SplitList(qv.Get("include")) {
		switch strings.ToLower(inc) {
		case "timestamps":
			ts = true
		case "etag":
			etag = true
		case "attributes":
			attrs = true
		case "permissionkey":
			pkey = true
		default:
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "include").WithDetail("QueryParameterValue", qv.Get("include"))
		}
	}
	extended := strings.EqualFold(r.Header.Get("x-ms-file-extended-info"), "true") || ts || etag || attrs || pkey
	list, err := a.svc.ListFilesAndDirectories(r.Context(), c.fileRef(), blobstore.ListFilesOptions{
		Prefix: qv.Get("prefix"), Marker: qv.Get("marker"), MaxResults: n})
	if err != nil {
		return err
	}
	dp := encodedName(c.path)
	x := xmlFileList{ServiceEndpoint: serviceEndpoint(r, c.account.Name), ShareName: c.share, ShareSnapshot: c.snapshot,
		Encoded: dp.Encoded, DirectoryPath: dp.Value, NextMarker: list.NextMarker, Entries: []xmlEntry{}}
	if qv.Has("prefix") {
		p := encodedName(qv.Get("prefix"))
		x.Prefix = &p
	}
	if qv.Has("marker") {
		m := qv.Get("marker")
		x.Marker = &m
	}
	if n > 0 {
		x.MaxResults = &n
	}
	if extended {
		x.DirectoryID = list.DirectoryID
	}
	for _, it := range list.Items {
		e := xmlEntry{XMLName: xml.Name{Local: "File"}, Name: encodedName(it.Name)}
		if it.IsDir {
			e.XMLName.Local = "Directory"
		} else {
			size := it.ContentLength
			e.Properties.ContentLength = &size
		}
		if extended {
			e.FileID = it.FileID
		}
		if ts {
			e.Properties.CreationTime = fileTime(it.CreationTime)
			e.Properties.LastAccessTime = fileTime(it.LastAccessTime)
			e.Properties.LastWriteTime = fileTime(it.LastWriteTime)
			e.Properties.ChangeTime = fileTime(it.ChangeTime)
			e.Properties.LastModified = httpDate(it.LastModified)
		}
		if etag {
			e.Properties.ETag = storagehttp.QuoteETag(it.ETag)
		}
		if attrs {
			e.Attributes = it.Attributes
		}
		if pkey {
			e.PermissionKey = it.PermissionKey
		}
		x.Entries = append(x.Entries, e)
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}

// renameOptions reads the Rename File / Rename Directory headers. The
// source (x-ms-file-rename-source) is a URL of this share or a path below
// the share root.
func (a *api) renameOptions(r *http.Request, c *call) (blobstore.RenameOptions, error) {
	raw := r.Header.Get("x-ms-file-rename-source")
	if raw == "" {
		return blobstore.RenameOptions{}, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-file-rename-source")
	}
	src := blobstore.FileRef{Account: c.account.Name, Share: c.share}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
		var ok bool
		if src.Account, src.Share, src.Path, _, ok = storagehttp.SplitResourceURL(u, storagehttp.HostSuffixFile); !ok {
			return blobstore.RenameOptions{}, storagehttp.InvalidHeader("x-ms-file-rename-source", raw)
		}
	} else {
		p := raw
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		up, err := url.PathUnescape(p)
		if err != nil {
			return blobstore.RenameOptions{}, storagehttp.InvalidHeader("x-ms-file-rename-source", raw)
		}
		src.Path = up
	}
	src.Path = normalizePath(src.Path, r.Header.Get("x-ms-source-allow-trailing-dot"))
	if err := a.authorizeRenameSource(r, c, raw, src); err != nil {
		return blobstore.RenameOptions{}, err
	}
	opts := blobstore.RenameOptions{
		Source:          src,
		ReplaceIfExists: strings.EqualFold(r.Header.Get("x-ms-file-rename-replace-if-exists"), "true"),
		IgnoreReadOnly:  strings.EqualFold(r.Header.Get("x-ms-file-rename-ignore-readonly"), "true"),
		SMB:             smbHeaders(r),
		SourceLeaseID:   r.Header.Get("x-ms-source-lease-id"),
		DestLeaseID:     r.Header.Get("x-ms-destination-lease-id"),
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return opts, err
	}
	opts.Metadata = md
	if vs, ok := r.Header["X-Ms-Content-Type"]; ok && len(vs) > 0 {
		ct := vs[0]
		opts.ContentType = &ct
	}
	return opts, nil
}

func (a *api) rename(w http.ResponseWriter, r *http.Request, dir bool) error {
	c := callOf(r)
	opts, err := a.renameOptions(r, c)
	if err != nil {
		return err
	}
	var p blobstore.FileProperties
	if dir {
		p, err = a.svc.RenameDirectory(r.Context(), c.fileRef(), opts)
	} else {
		p, err = a.svc.RenameFile(r.Context(), c.fileRef(), opts)
	}
	if err != nil {
		return err
	}
	return writeSMB(w, &p, http.StatusOK)
}

// RenameDirectory moves a directory within its share.
// https://learn.microsoft.com/rest/api/storageservices/rename-directory
func (a *api) RenameDirectory(w http.ResponseWriter, r *http.Request) error {
	return a.rename(w, r, true)
}

// RenameFile moves a file within its share.
// https://learn.microsoft.com/rest/api/storageservices/rename-file
func (a *api) RenameFile(w http.ResponseWriter, r *http.Request) error { return a.rename(w, r, false) }

// ListHandles lists open SMB handles: azemu serves no SMB, so there are none.
// https://learn.microsoft.com/rest/api/storageservices/list-handles
func (a *api) ListHandles(w http.ResponseWriter, r *http.Request) error {
	return storagehttp.WriteXML(w, http.StatusOK, xmlHandles{})
}

// ForceCloseHandles closes SMB handles: there are none to close.
// https://learn.microsoft.com/rest/api/storageservices/force-close-handles
func (a *api) ForceCloseHandles(w http.ResponseWriter, r *http.Request) error {
	if r.Header.Get("x-ms-handle-id") == "" {
		return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-handle-id")
	}
	h := w.Header()
	h.Set("x-ms-number-of-handles-closed", "0")
	h.Set("x-ms-number-of-handles-failed", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// authorizeRenameSource checks that a SAS-authenticated rename may also
// change its source: the source URL's own SAS, or else the request's SAS
// checked against the source path (a share SAS covers it, a SAS for the
// destination file alone does not). Shared Key may rename anything of the
// account.
func (a *api) authorizeRenameSource(r *http.Request, c *call, raw string, src blobstore.FileRef) error {
	if c.auth.Method != storageauth.MethodAccountSAS && c.auth.Method != storageauth.MethodServiceSAS {
		return nil
	}
	sr := r
	if u, err := url.Parse(raw); err == nil && u.Query().Get("sig") != "" {
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPut, raw, nil)
		if err != nil {
			return storagehttp.InvalidHeader("x-ms-file-rename-source", raw)
		}
		req.RequestURI, req.RemoteAddr = u.RequestURI(), r.RemoteAddr
		sr = req
	}
	_, err := storageauth.Authenticate(r.Context(), sr, storageauth.Request{
		Service: storageauth.ServiceFile, Account: src.Account, Container: src.Share, Path: src.Path,
		ResourceType: 'o', Permission: 'w', ClientIP: storagehttp.ClientIP(r), HTTPS: r.TLS != nil, Now: a.now(),
	}, c.account.Keys, a.policyLookup(src.Account, src.Share))
	if err != nil {
		return storageerr.ErrAuthorizationFailure.WithMessage("The SAS does not authorize changing the rename source.")
	}
	return nil
}
