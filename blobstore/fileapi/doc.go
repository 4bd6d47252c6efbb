// Package fileapi serves the Azure Files REST protocol (File service
// version 2026-06-06 and older) over blobstore: shares, directories, files,
// ranges, leases, permissions and copies, with Shared Key and SAS
// authentication (never anonymous). Handlers parse a request, call one
// blobstore method and render the result; every rule lives in blobstore.
//
// Path style: /<account>/<share>/<dir>/.../<file>; host style:
// <account>.file.localhost[:port]/<share>/...
package fileapi
