// Package storageauth authenticates and authorises requests to the Blob and
// File services: Shared Key, Shared Key Lite, account SAS and service SAS.
//
// It is shared by blobapi and fileapi. Authenticate takes the HTTP request, a
// description of the operation (Request: which service, account, container,
// path, resource type and SAS permission letter it needs), the account keys
// and a lookup for stored access policies, and returns how the request was
// authenticated or a *blobstore.Error carrying Azure's status and code.
//
// Authentication always uses the real clock (Request.Now), never the emulator
// clock, because clients sign with their wall clock.
package storageauth
