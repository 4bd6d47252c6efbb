package blobapi

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// Path templates. Names are matched still percent-encoded (UseEncodedPath)
// so "/", "%2F" and "//" inside blob names survive; the adapter decodes.
const (
	pathService   = storagehttp.PathService
	pathContainer = "/{account:[^/]+}/{container:[^/]+}"
	pathBlob      = "/{account:[^/]+}/{container:[^/]+}/{blob:.+}"
)

// q is the route matcher of restype, comp and headers.
type q = storagehttp.Query

// routes lists every Blob REST operation azemu serves, one per line:
// method, path, query/header matcher, then op{REST operation name,
// anonymous access, handler}. What a SAS must grant for the operation comes
// from storageauth.OperationAccess by the same name.
func (a *api) routes() *mux.Router {
	m := storagehttp.NewRouter(a.Preflight, a.noRoute)
	add := func(methods, path string, match q, o op) { storagehttp.Route(m, methods, path, match, a.handle(o)) }

	// Service.
	add("GET", pathService, q{Restype: "service", Comp: "properties"}, op{"GetBlobServiceProperties", anonNever, a.GetBlobServiceProperties})
	add("PUT", pathService, q{Restype: "service", Comp: "properties"}, op{"SetBlobServiceProperties", anonNever, a.SetBlobServiceProperties})
	add("GET", pathService, q{Restype: "service", Comp: "stats"}, op{"GetBlobServiceStats", anonNever, a.GetBlobServiceStats})
	add("GET", pathService, q{Comp: "list"}, op{"ListContainers", anonNever, a.ListContainers})
	add("GET,HEAD", pathService, q{Restype: "account", Comp: "properties"}, op{"GetAccountInformation", anonNever, a.GetAccountInformation})
	add("GET,HEAD", pathContainer, q{Restype: "account", Comp: "properties"}, op{"GetAccountInformation", anonNever, a.GetAccountInformation})
	add("GET,HEAD", pathBlob, q{Restype: "account", Comp: "properties"}, op{"GetAccountInformation", anonNever, a.GetAccountInformation})

	// Container.
	add("PUT", pathContainer, q{Restype: "container"}, op{"CreateContainer", anonNever, a.CreateContainer})
	add("GET,HEAD", pathContainer, q{Restype: "container"}, op{"GetContainerProperties", anonContainer, a.GetContainerProperties})
	add("DELETE", pathContainer, q{Restype: "container"}, op{"DeleteContainer", anonNever, a.DeleteContainer})
	add("GET,HEAD", pathContainer, q{Restype: "container", Comp: "metadata"}, op{"GetContainerMetadata", anonContainer, a.GetContainerMetadata})
	add("PUT", pathContainer, q{Restype: "container", Comp: "metadata"}, op{"SetContainerMetadata", anonNever, a.SetContainerMetadata})
	add("GET,HEAD", pathContainer, q{Restype: "container", Comp: "acl"}, op{"GetContainerACL", anonNever, a.GetContainerACL})
	add("PUT", pathContainer, q{Restype: "container", Comp: "acl"}, op{"SetContainerACL", anonNever, a.SetContainerACL})
	add("PUT", pathContainer, q{Restype: "container", Comp: "lease"}, op{"LeaseContainer", anonNever, a.LeaseContainer})
	add("GET", pathContainer, q{Restype: "container", Comp: "list"}, op{"ListBlobs", anonContainer, a.ListBlobs})

	// Blob.
	add("PUT", pathBlob, q{Header: "x-ms-copy-source", NoHeader: "x-ms-blob-type"}, op{"CopyBlob", anonNever, a.CopyBlob})
	add("PUT", pathBlob, q{Header: "x-ms-blob-type", Value: "BlockBlob", NoHeader: "x-ms-copy-source"}, op{"PutBlob", anonNever, a.PutBlob})
	add("PUT", pathBlob, q{Header: "x-ms-blob-type", Value: "BlockBlob"}, op{"PutBlobFromURL", anonNever, a.CopyBlob})
	add("PUT", pathBlob, q{Header: "x-ms-blob-type", Value: "AppendBlob"}, op{"CreateAppendBlob", anonNever, a.CreateAppendBlob})
	add("PUT", pathBlob, q{Header: "x-ms-blob-type", Value: "PageBlob"}, op{"PutPageBlob", anonNever, a.Unsupported})
	add("PUT", pathBlob, q{}, op{"PutBlob", anonNever, a.PutBlob})
	add("GET", pathBlob, q{}, op{"GetBlob", anonBlob, a.GetBlob})
	add("HEAD", pathBlob, q{}, op{"GetBlobProperties", anonBlob, a.GetBlobProperties})
	add("DELETE", pathBlob, q{}, op{"DeleteBlob", anonNever, a.DeleteBlob})
	add("PUT", pathBlob, q{Comp: "properties"}, op{"SetBlobProperties", anonNever, a.SetBlobProperties})
	add("GET,HEAD", pathBlob, q{Comp: "metadata"}, op{"GetBlobMetadata", anonBlob, a.GetBlobMetadata})
	add("PUT", pathBlob, q{Comp: "metadata"}, op{"SetBlobMetadata", anonNever, a.SetBlobMetadata})
	add("PUT", pathBlob, q{Comp: "lease"}, op{"LeaseBlob", anonNever, a.LeaseBlob})
	add("PUT", pathBlob, q{Comp: "snapshot"}, op{"SnapshotBlob", anonNever, a.SnapshotBlob})
	add("PUT", pathBlob, q{Comp: "copy"}, op{"AbortCopyBlob", anonNever, a.AbortCopyBlob})
	add("PUT", pathBlob, q{Comp: "block", Header: "x-ms-copy-source"}, op{"PutBlockFromURL", anonNever, a.PutBlockFromURL})
	add("PUT", pathBlob, q{Comp: "block"}, op{"PutBlock", anonNever, a.PutBlock})
	add("PUT", pathBlob, q{Comp: "blocklist"}, op{"PutBlockList", anonNever, a.PutBlockList})
	add("GET", pathBlob, q{Comp: "blocklist"}, op{"GetBlockList", anonBlob, a.GetBlockList})
	add("PUT", pathBlob, q{Comp: "tier"}, op{"SetBlobTier", anonNever, a.SetBlobTier})
	add("PUT", pathBlob, q{Comp: "appendblock", Header: "x-ms-copy-source"}, op{"AppendBlockFromURL", anonNever, a.AppendBlockFromURL})
	add("PUT", pathBlob, q{Comp: "appendblock"}, op{"AppendBlock", anonNever, a.AppendBlock})

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
// comp is InvalidQueryParameterValue, a known but unimplemented one (or a
// blob type no route took) is FeatureNotSupportedByEmulator, a wrong verb is
// UnsupportedHttpVerb.
func (a *api) noRoute(w http.ResponseWriter, r *http.Request) {
	a.resp.NoRoute(w, r, knownComp, func(r *http.Request) error {
		if comp := r.URL.Query().Get("comp"); comp != "" || r.Header.Get("x-ms-blob-type") != "" {
			return storageerr.ErrFeatureNotSupported.WithMessage("azemu does not implement this Blob operation (%s %s).", r.Method, comp)
		}
		return nil
	})
}

// Unsupported answers operations azemu routes but does not implement (page
// blobs), so clients see a clear storage error instead of a 404.
func (a *api) Unsupported(w http.ResponseWriter, r *http.Request) error {
	return storageerr.ErrFeatureNotSupported.WithMessage("azemu does not support %s yet.", callOf(r).op.name)
}
