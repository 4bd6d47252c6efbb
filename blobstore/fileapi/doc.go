// Package fileapi serves the Azure Files REST protocol (File service
// version 2026-06-06 and older) over blobstore: shares, directories, files,
// ranges, leases, permissions and copies, with Shared Key and SAS
// authentication (never anonymous). Handlers parse a request, call one
// blobstore method and render the result; every rule lives in blobstore.
//
// Path style: /<account>/<share>/<dir>/.../<file>; host style:
// <account>.file.localhost[:port]/<share>/...
//
// The request pipeline, routing helpers, CORS, ACL XML, range serving and
// lease and copy-source parsing are shared with blobapi in storagehttp;
// this package passes the File service's differences as parameters.
package fileapi
