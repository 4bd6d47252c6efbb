// Package blobapi is the Azure Blob REST protocol over blobstore.Service.
//
// New returns one http.Handler serving path-style URLs
// (http://127.0.0.1:10000/<account>/<container>/<blob>) and host-style URLs
// (http://<account>.blob.localhost:10000/<container>/<blob>). routes.go lists
// every operation on one line; each handler is named after its REST
// operation, has the shape func(w, r) error, and leaves error rendering to a
// single adapter (storagehttp.Responder.WriteError).
//
// Every request is authenticated by storageauth (Shared Key, Shared Key
// Lite, account SAS, service SAS); a request without credentials is allowed
// only for the reads a container's public access level opens. Bodies are
// streamed to the service and ranges are served from the service's
// decrypting io.ReaderAt: no blob is ever held in memory.
package blobapi
