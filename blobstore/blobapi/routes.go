package blobapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore"
)

// Path templates. Names are matched still percent-encoded (UseEncodedPath)
// so "/", "%2F" and "//" inside blob names survive; the adapter decodes.
const (
	pathService   = "/{account:[^/]+}{slash:/?}"
	pathContainer = "/{account:[^/]+}/{container:[^/]+}"
	pathBlob      = "/{account:[^/]+}/{container:[^/]+}/{blob:.+}"
)

// q matches the restype and comp query parameters exactly ("" = absent) and
// optionally a request header value ("" value = header present).
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

// routes lists every Blob REST operation azemu serves, one per line:
// method, path, query/header matcher, then op{REST operation name,
// anonymous access, handler}. What a SAS must grant for the operation comes
// from storageauth.OperationAccess by the same name.
func (a *api) routes() *mux.Router {
	m := mux.NewRouter().SkipClean(true).UseEncodedPath()
	add := func(methods, path string, match q, o op) {
		m.Methods(strings.Split(methods, ",")...).Path(path).MatcherFunc(match.match).Handler(a.handle(o))
	}
	m.Methods(http.MethodOptions).PathPrefix("/").Handler(http.HandlerFunc(a.Preflight))

	// Service.
	add("GET", pathService, q{restype: "service", comp: "properties"}, op{"GetBlobServiceProperties", anonNever, a.GetBlobServiceProperties})
	add("PUT", pathService, q{restype: "service", comp: "properties"}, op{"SetBlobServiceProperties", anonNever, a.SetBlobServiceProperties})
	add("GET", pathService, q{restype: "service", comp: "stats"}, op{"GetBlobServiceStats", anonNever, a.GetBlobServiceStats})
	add("GET", pathService, q{comp: "list"}, op{"ListContainers", anonNever, a.ListContainers})
	add("GET,HEAD", pathService, q{restype: "account", comp: "properties"}, op{"GetAccountInformation", anonNever, a.GetAccountInformation})
	add("GET,HEAD", pathContainer, q{restype: "account", comp: "properties"}, op{"GetAccountInformation", anonNever, a.GetAccountInformation})
	add("GET,HEAD", pathBlob, q{restype: "account", comp: "properties"}, op{"GetAccountInformation", anonNever, a.GetAccountInformation})

	// Container.
	add("PUT", pathContainer, q{restype: "container"}, op{"CreateContainer", anonNever, a.CreateContainer})
	add("GET,HEAD", pathContainer, q{restype: "container"}, op{"GetContainerProperties", anonContainer, a.GetContainerProperties})
	add("DELETE", pathContainer, q{restype: "container"}, op{"DeleteContainer", anonNever, a.DeleteContainer})
	add("GET,HEAD", pathContainer, q{restype: "container", comp: "metadata"}, op{"GetContainerMetadata", anonContainer, a.GetContainerMetadata})
	add("PUT", pathContainer, q{restype: "container", comp: "metadata"}, op{"SetContainerMetadata", anonNever, a.SetContainerMetadata})
	add("GET,HEAD", pathContainer, q{restype: "container", comp: "acl"}, op{"GetContainerACL", anonNever, a.GetContainerACL})
	add("PUT", pathContainer, q{restype: "container", comp: "acl"}, op{"SetContainerACL", anonNever, a.SetContainerACL})
	add("PUT", pathContainer, q{restype: "container", comp: "lease"}, op{"LeaseContainer", anonNever, a.LeaseContainer})
	add("GET", pathContainer, q{restype: "container", comp: "list"}, op{"ListBlobs", anonContainer, a.ListBlobs})

	// Blob.
	add("PUT", pathBlob, q{header: "x-ms-copy-source", noHeader: "x-ms-blob-type"}, op{"CopyBlob", anonNever, a.CopyBlob})
	add("PUT", pathBlob, q{header: "x-ms-blob-type", value: "BlockBlob", noHeader: "x-ms-copy-source"}, op{"PutBlob", anonNever, a.PutBlob})
	add("PUT", pathBlob, q{header: "x-ms-blob-type", value: "BlockBlob"}, op{"PutBlobFromURL", anonNever, a.CopyBlob})
	add("PUT", pathBlob, q{header: "x-ms-blob-type", value: "AppendBlob"}, op{"CreateAppendBlob", anonNever, a.CreateAppendBlob})
	add("PUT", pathBlob, q{header: "x-ms-blob-type", value: "PageBlob"}, op{"PutPageBlob", anonNever, a.Unsupported})
	add("PUT", pathBlob, q{}, op{"PutBlob", anonNever, a.PutBlob})
	add("GET", pathBlob, q{}, op{"GetBlob", anonBlob, a.GetBlob})
	add("HEAD", pathBlob, q{}, op{"GetBlobProperties", anonBlob, a.GetBlobProperties})
	add("DELETE", pathBlob, q{}, op{"DeleteBlob", anonNever, a.DeleteBlob})
	add("PUT", pathBlob, q{comp: "properties"}, op{"SetBlobProperties", anonNever, a.SetBlobProperties})
	add("GET,HEAD", pathBlob, q{comp: "metadata"}, op{"GetBlobMetadata", anonBlob, a.GetBlobMetadata})
	add("PUT", pathBlob, q{comp: "metadata"}, op{"SetBlobMetadata", anonNever, a.SetBlobMetadata})
	add("PUT", pathBlob, q{comp: "lease"}, op{"LeaseBlob", anonNever, a.LeaseBlob})
	add("PUT", pathBlob, q{comp: "snapshot"}, op{"SnapshotBlob", anonNever, a.SnapshotBlob})
	add("PUT", pathBlob, q{comp: "copy"}, op{"AbortCopyBlob", anonNever, a.AbortCopyBlob})
	add("PUT", pathBlob, q{comp: "block", header: "x-ms-copy-source"}, op{"PutBlockFromURL", anonNever, a.PutBlockFromURL})
	add("PUT", pathBlob, q{comp: "block"}, op{"PutBlock", anonNever, a.PutBlock})
	add("PUT", pathBlob, q{comp: "blocklist"}, op{"PutBlockList", anonNever, a.PutBlockList})
	add("GET", pathBlob, q{comp: "blocklist"}, op{"GetBlockList", anonBlob, a.GetBlockList})
	add("PUT", pathBlob, q{comp: "tier"}, op{"SetBlobTier", anonNever, a.SetBlobTier})
	add("PUT", pathBlob, q{comp: "appendblock", header: "x-ms-copy-source"}, op{"AppendBlockFromURL", anonNever, a.AppendBlockFromURL})
	add("PUT", pathBlob, q{comp: "appendblock"}, op{"AppendBlock", anonNever, a.AppendBlock})

	m.NotFoundHandler = http.HandlerFunc(a.noRoute)
	m.MethodNotAllowedHandler = http.HandlerFunc(a.noRoute)
	return m
}

// knownComp reports whether comp is a Blob REST comp value; the ones azemu
// does not route get FeatureNotSupportedByEmulator rather than
// InvalidQueryParameterValue.
func knownComp(comp string) bool {
	switch comp {
	case "tags", "tier", "page", "pagelist", "incrementalcopy", "seal", "expiry", "immutabilityPolicies",
		"legalhold", "query", "batch", "blobs", "undelete", "rename", "userdelegationkey", "appendblock",
		"block", "blocklist", "copy", "snapshot", "lease", "metadata", "properties", "acl", "list", "stats":
		return true
	}
	return false
}

// noRoute answers requests no operation matched, as Azure does: an unknown
// comp is InvalidQueryParameterValue, a known but unimplemented one is
// FeatureNotSupportedByEmulator, a wrong verb is UnsupportedHttpVerb.
func (a *api) noRoute(w http.ResponseWriter, r *http.Request) {
	a.resp.SetCommonHeaders(w, r)
	comp := r.URL.Query().Get("comp")
	var err error
	switch {
	case comp != "" && !knownComp(comp):
		err = blobstore.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "comp").WithDetail("QueryParameterValue", comp)
	case comp != "" || r.Header.Get("x-ms-blob-type") != "":
		err = blobstore.ErrFeatureNotSupported.WithMessage("azemu does not implement this Blob operation (%s %s).", r.Method, comp)
	case r.Method != http.MethodGet && r.Method != http.MethodPut && r.Method != http.MethodHead && r.Method != http.MethodDelete:
		err = blobstore.ErrUnsupportedHTTPVerb
	default:
		err = blobstore.ErrInvalidURI
	}
	a.resp.WriteError(w, r, err)
}

// Unsupported answers operations azemu routes but does not implement (page
// blobs), so clients see a clear storage error instead of a 404.
func (a *api) Unsupported(w http.ResponseWriter, r *http.Request) error {
	return blobstore.ErrFeatureNotSupported.WithMessage("azemu does not support %s yet.", callOf(r).op.name)
}
