package fileapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// Path templates. Names are matched still percent-encoded (UseEncodedPath)
// so "/", "%2F" and "//" inside paths survive; the adapter decodes.
const (
	pathService = storagehttp.PathService
	pathShare   = "/{account:[^/]+}/{share:[^/]+}{slash:/?}"
	pathFile    = "/{account:[^/]+}/{share:[^/]+}/{path:.+}"
)

// q is the route matcher of restype, comp and headers.
type q = storagehttp.Query

// routes lists every File REST operation azemu serves, one per line:
// methods, path, query/header matcher, op{name, handler}. The name is the
// REST operation as storageauth.OperationAccess knows it (SAS rules).
func (a *api) routes() *mux.Router {
	m := storagehttp.NewRouter(a.Preflight, a.noRoute)
	add := func(methods, path string, match q, o op) { storagehttp.Route(m, methods, path, match, a.handle(o)) }

	// Service.
	add("GET", pathService, q{Restype: "service", Comp: "properties"}, op{"GetFileServiceProperties", a.GetFileServiceProperties})
	add("PUT", pathService, q{Restype: "service", Comp: "properties"}, op{"SetFileServiceProperties", a.SetFileServiceProperties})
	add("GET", pathService, q{Comp: "list"}, op{"ListShares", a.ListShares})

	// Share.
	add("PUT", pathShare, q{Restype: "share"}, op{"CreateShare", a.CreateShare})
	add("GET,HEAD", pathShare, q{Restype: "share"}, op{"GetShareProperties", a.GetShareProperties})
	add("DELETE", pathShare, q{Restype: "share"}, op{"DeleteShare", a.DeleteShare})
	add("PUT", pathShare, q{Restype: "share", Comp: "properties"}, op{"SetShareProperties", a.SetShareProperties})
	add("GET,HEAD", pathShare, q{Restype: "share", Comp: "metadata"}, op{"GetShareMetadata", a.GetShareProperties})
	add("PUT", pathShare, q{Restype: "share", Comp: "metadata"}, op{"SetShareMetadata", a.SetShareMetadata})
	add("GET,HEAD", pathShare, q{Restype: "share", Comp: "acl"}, op{"GetShareACL", a.GetShareACL})
	add("PUT", pathShare, q{Restype: "share", Comp: "acl"}, op{"SetShareACL", a.SetShareACL})
	add("PUT", pathShare, q{Restype: "share", Comp: "snapshot"}, op{"SnapshotShare", a.SnapshotShare})
	add("PUT", pathShare, q{Restype: "share", Comp: "lease"}, op{"LeaseShare", a.LeaseShare})
	add("GET", pathShare, q{Restype: "share", Comp: "stats"}, op{"GetShareStats", a.GetShareStats})
	add("PUT", pathShare, q{Restype: "share", Comp: "filepermission"}, op{"CreatePermission", a.CreatePermission})
	add("GET", pathShare, q{Restype: "share", Comp: "filepermission"}, op{"GetPermission", a.GetPermission})

	// Directories (the share path is the root directory).
	for _, p := range []string{pathShare, pathFile} {
		add("PUT", p, q{Restype: "directory"}, op{"CreateDirectory", a.CreateDirectory})
		add("GET,HEAD", p, q{Restype: "directory"}, op{"GetDirectoryProperties", a.GetDirectoryProperties})
		add("DELETE", p, q{Restype: "directory"}, op{"DeleteDirectory", a.DeleteDirectory})
		add("PUT", p, q{Restype: "directory", Comp: "properties"}, op{"SetDirectoryProperties", a.SetDirectoryProperties})
		add("GET,HEAD", p, q{Restype: "directory", Comp: "metadata"}, op{"GetDirectoryMetadata", a.GetDirectoryMetadata})
		add("PUT", p, q{Restype: "directory", Comp: "metadata"}, op{"SetDirectoryMetadata", a.SetDirectoryMetadata})
		add("GET", p, q{Restype: "directory", Comp: "list"}, op{"ListDirectoriesAndFiles", a.ListDirectoriesAndFiles})
		add("PUT", p, q{Restype: "directory", Comp: "rename"}, op{"RenameDirectory", a.RenameDirectory})
		add("GET", p, q{Comp: "listhandles"}, op{"ListHandles", a.ListHandles})
		add("PUT", p, q{Comp: "forceclosehandles"}, op{"ForceCloseHandles", a.ForceCloseHandles})
	}

	// Files.
	add("PUT", pathFile, q{Header: "x-ms-copy-source", NoHeader: "x-ms-type"}, op{"CopyFile", a.CopyFile})
	add("PUT", pathFile, q{Header: "x-ms-type", Value: "file"}, op{"CreateFile", a.CreateFile})
	add("GET", pathFile, q{}, op{"GetFile", a.GetFile})
	add("HEAD", pathFile, q{}, op{"GetFileProperties", a.GetFileProperties})
	add("DELETE", pathFile, q{}, op{"DeleteFile", a.DeleteFile})
	add("PUT", pathFile, q{Comp: "properties"}, op{"SetFileProperties", a.SetFileProperties})
	add("GET,HEAD", pathFile, q{Comp: "metadata"}, op{"GetFileMetadata", a.GetFileMetadata})
	add("PUT", pathFile, q{Comp: "metadata"}, op{"SetFileMetadata", a.SetFileMetadata})
	add("PUT", pathFile, q{Comp: "range", Header: "x-ms-copy-source"}, op{"PutRangeFromURL", a.PutRangeFromURL})
	add("PUT", pathFile, q{Comp: "range"}, op{"PutRange", a.PutRange})
	add("GET", pathFile, q{Comp: "rangelist"}, op{"ListRanges", a.ListRanges})
	add("PUT", pathFile, q{Comp: "copy"}, op{"AbortCopyFile", a.AbortCopyFile})
	add("PUT", pathFile, q{Comp: "lease"}, op{"LeaseFile", a.LeaseFile})
	add("PUT", pathFile, q{Comp: "rename"}, op{"RenameFile", a.RenameFile})

	return m
}

// knownComp reports whether comp is a File REST comp value.
func knownComp(comp string) bool {
	switch comp {
	case "properties", "list", "metadata", "acl", "snapshot", "lease", "stats", "filepermission", "range",
		"rangelist", "copy", "rename", "listhandles", "forceclosehandles", "undelete", "userdelegationkey":
		return true
	}
	return false
}

// noRoute answers requests no operation matched, as Azure does; a PUT of a
// file path without x-ms-type is MissingRequiredHeader.
func (a *api) noRoute(w http.ResponseWriter, r *http.Request) {
	a.resp.NoRoute(w, r, knownComp, func(r *http.Request) error {
		comp, restype := r.URL.Query().Get("comp"), r.URL.Query().Get("restype")
		switch {
		case r.Method == http.MethodPut && comp == "" && restype == "" && strings.Count(strings.Trim(r.URL.EscapedPath(), "/"), "/") >= 2:
			return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-type")
		case comp != "" || restype != "":
			return storageerr.ErrFeatureNotSupported.WithMessage("azemu does not implement this File operation (%s %s).", r.Method, comp)
		}
		return nil
	})
}
