package fileapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
)

// Path templates. Names are matched still percent-encoded (UseEncodedPath)
// so "/", "%2F" and "//" inside paths survive; the adapter decodes.
const (
	pathService = "/{account:[^/]+}{slash:/?}"
	pathShare   = "/{account:[^/]+}/{share:[^/]+}{slash:/?}"
	pathFile    = "/{account:[^/]+}/{share:[^/]+}/{path:.+}"
)

// q matches restype and comp exactly ("" = absent) and optionally a request
// header (present, or equal to value) or its absence.
type q struct {
	restype, comp string
	header, value string
	noHeader      string
}

func (m q) match(r *http.Request, _ *mux.RouteMatch) bool {
	v := r.URL.Query()
	if v.Get("restype") != m.restype || v.Get("comp") != m.comp {
		return false
	}
	if m.header != "" {
		got := r.Header.Get(m.header)
		if got == "" || m.value != "" && !strings.EqualFold(got, m.value) {
			return false
		}
	}
	return m.noHeader == "" || r.Header.Get(m.noHeader) == ""
}

// routes lists every File REST operation azemu serves, one per line:
// methods, path, query/header matcher, op{name, handler}. The name is the
// REST operation as storageauth.OperationAccess knows it (SAS rules).
func (a *api) routes() *mux.Router {
	m := mux.NewRouter().SkipClean(true).UseEncodedPath()
	add := func(methods, path string, match q, o op) {
		m.Methods(strings.Split(methods, ",")...).Path(path).MatcherFunc(match.match).Handler(a.handle(o))
	}
	m.Methods(http.MethodOptions).PathPrefix("/").Handler(http.HandlerFunc(a.Preflight))

	// Service.
	add("GET", pathService, q{restype: "service", comp: "properties"}, op{"GetFileServiceProperties", a.GetFileServiceProperties})
	add("PUT", pathService, q{restype: "service", comp: "properties"}, op{"SetFileServiceProperties", a.SetFileServiceProperties})
	add("GET", pathService, q{comp: "list"}, op{"ListShares", a.ListShares})

	// Share.
	add("PUT", pathShare, q{restype: "share"}, op{"CreateShare", a.CreateShare})
	add("GET,HEAD", pathShare, q{restype: "share"}, op{"GetShareProperties", a.GetShareProperties})
	add("DELETE", pathShare, q{restype: "share"}, op{"DeleteShare", a.DeleteShare})
	add("PUT", pathShare, q{restype: "share", comp: "properties"}, op{"SetShareProperties", a.SetShareProperties})
	add("GET,HEAD", pathShare, q{restype: "share", comp: "metadata"}, op{"GetShareMetadata", a.GetShareProperties})
	add("PUT", pathShare, q{restype: "share", comp: "metadata"}, op{"SetShareMetadata", a.SetShareMetadata})
	add("GET,HEAD", pathShare, q{restype: "share", comp: "acl"}, op{"GetShareACL", a.GetShareACL})
	add("PUT", pathShare, q{restype: "share", comp: "acl"}, op{"SetShareACL", a.SetShareACL})
	add("PUT", pathShare, q{restype: "share", comp: "snapshot"}, op{"SnapshotShare", a.SnapshotShare})
	add("PUT", pathShare, q{restype: "share", comp: "lease"}, op{"LeaseShare", a.LeaseShare})
	add("GET", pathShare, q{restype: "share", comp: "stats"}, op{"GetShareStats", a.GetShareStats})
	add("PUT", pathShare, q{restype: "share", comp: "filepermission"}, op{"CreatePermission", a.CreatePermission})
	add("GET", pathShare, q{restype: "share", comp: "filepermission"}, op{"GetPermission", a.GetPermission})

	// Directories (the share path is the root directory).
	for _, p := range []string{pathShare, pathFile} {
		add("PUT", p, q{restype: "directory"}, op{"CreateDirectory", a.CreateDirectory})
		add("GET,HEAD", p, q{restype: "directory"}, op{"GetDirectoryProperties", a.GetDirectoryProperties})
		add("DELETE", p, q{restype: "directory"}, op{"DeleteDirectory", a.DeleteDirectory})
		add("PUT", p, q{restype: "directory", comp: "properties"}, op{"SetDirectoryProperties", a.SetDirectoryProperties})
		add("GET,HEAD", p, q{restype: "directory", comp: "metadata"}, op{"GetDirectoryMetadata", a.GetDirectoryMetadata})
		add("PUT", p, q{restype: "directory", comp: "metadata"}, op{"SetDirectoryMetadata", a.SetDirectoryMetadata})
		add("GET", p, q{restype: "directory", comp: "list"}, op{"ListDirectoriesAndFiles", a.ListDirectoriesAndFiles})
		add("PUT", p, q{restype: "directory", comp: "rename"}, op{"RenameDirectory", a.RenameDirectory})
		add("GET", p, q{comp: "listhandles"}, op{"ListHandles", a.ListHandles})
		add("PUT", p, q{comp: "forceclosehandles"}, op{"ForceCloseHandles", a.ForceCloseHandles})
	}

	// Files.
	add("PUT", pathFile, q{header: "x-ms-copy-source", noHeader: "x-ms-type"}, op{"CopyFile", a.CopyFile})
	add("PUT", pathFile, q{header: "x-ms-type", value: "file"}, op{"CreateFile", a.CreateFile})
	add("GET", pathFile, q{}, op{"GetFile", a.GetFile})
	add("HEAD", pathFile, q{}, op{"GetFileProperties", a.GetFileProperties})
	add("DELETE", pathFile, q{}, op{"DeleteFile", a.DeleteFile})
	add("PUT", pathFile, q{comp: "properties"}, op{"SetFileProperties", a.SetFileProperties})
	add("GET,HEAD", pathFile, q{comp: "metadata"}, op{"GetFileMetadata", a.GetFileMetadata})
	add("PUT", pathFile, q{comp: "metadata"}, op{"SetFileMetadata", a.SetFileMetadata})
	add("PUT", pathFile, q{comp: "range", header: "x-ms-copy-source"}, op{"PutRangeFromURL", a.PutRangeFromURL})
	add("PUT", pathFile, q{comp: "range"}, op{"PutRange", a.PutRange})
	add("GET", pathFile, q{comp: "rangelist"}, op{"ListRanges", a.ListRanges})
	add("PUT", pathFile, q{comp: "copy"}, op{"AbortCopyFile", a.AbortCopyFile})
	add("PUT", pathFile, q{comp: "lease"}, op{"LeaseFile", a.LeaseFile})
	add("PUT", pathFile, q{comp: "rename"}, op{"RenameFile", a.RenameFile})

	m.NotFoundHandler = http.HandlerFunc(a.noRoute)
	m.MethodNotAllowedHandler = http.HandlerFunc(a.noRoute)
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

// noRoute answers requests no operation matched, as Azure does.
func (a *api) noRoute(w http.ResponseWriter, r *http.Request) {
	a.resp.SetCommonHeaders(w, r)
	comp := r.URL.Query().Get("comp")
	var err error
	switch {
	case comp != "" && !knownComp(comp):
		err = blobstore.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "comp").WithDetail("QueryParameterValue", comp)
	case r.Method == http.MethodPut && comp == "" && r.URL.Query().Get("restype") == "" && strings.Count(strings.Trim(r.URL.EscapedPath(), "/"), "/") >= 2:
		err = blobstore.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-type")
	case comp != "" || r.URL.Query().Get("restype") != "":
		err = blobstore.ErrFeatureNotSupported.WithMessage("azemu does not implement this File operation (%s %s).", r.Method, comp)
	case r.Method != http.MethodGet && r.Method != http.MethodPut && r.Method != http.MethodHead && r.Method != http.MethodDelete:
		err = blobstore.ErrUnsupportedHTTPVerb
	default:
		err = blobstore.ErrInvalidURI
	}
	a.resp.WriteError(w, r, err)
}
