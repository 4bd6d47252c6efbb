// Package blobapi is the Azure Blob REST protocol over blobstore.Service.
//
// New returns one http.Handler serving path-style URLs
// (http://127.0.0.1:10000/<account>/<container>/<blob>) and host-style URLs
// (http://<account>.blob.localhost:10000/<container>/<blob>). routes.go lists
// every operation on one line; each handler is named after its REST
// operation, has the shape func(w, r) error, and leaves error rendering to a
// single adapter (storagehttp.Responder.Handle). What the Blob and File
// protocols share (pipeline, routing helpers, CORS, ACL XML, range serving,
// lease and copy-source parsing) lives in storagehttp; this package keeps
// what only the Blob service does and the parameters where it differs.
//
// Every request is authenticated by storageauth (Shared Key, Shared Key
// Lite, account SAS, service SAS); a request without credentials is allowed
// only for the reads a container's public access level opens. Bodies are
// streamed to the service and ranges are served from the service's
// decrypting io.ReaderAt: no blob is ever held in memory.
//
// Responses follow Azure's wire details where SDKs or users can see them:
// x-ms-content-crc64 checked and echoed when a client sends one (computed
// unasked by Azure; skipped here for throughput), List Blobs ETags unquoted (List
// Containers and headers quote them), CORS headers expanded from the
// account's rules. A request that uses a feature azemu lacks (customer-
// provided keys, encryption scopes, blob index tags and tag conditions,
// versions, immutability, the Archive tier) is refused with
// FeatureNotSupportedByEmulator rather than silently served without it.
package blobapi
