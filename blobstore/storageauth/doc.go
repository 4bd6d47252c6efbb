// Package storageauth authenticates and authorises requests to the Blob and
// File services: Shared Key, Shared Key Lite, account SAS and service SAS.
//
// It is shared by blobapi and fileapi. Authenticate takes the HTTP request, a
// description of the operation (Request: which service, account, container
// or share, path, account-SAS resource type and SAS permission letters it
// needs), the account keys and a lookup for stored access policies, and
// returns how the request was authenticated or a *storageerr.Error carrying
// Azure's status and code. OperationAccess gives the resource type and
// permission letters of each REST operation, so handlers fill Request from
// one table.
//
// # Which credential
//
// An Authorization header wins over SAS query parameters. "SharedKey" and
// "SharedKeyLite" are verified; "Bearer" is refused with an explicit message
// (no token support on the storage endpoints yet); any other or malformed
// header is 400 InvalidAuthenticationInfo. Without a header, a query with
// "sig" is a SAS: "sr" makes it a service SAS, "ss"/"srt" an account SAS,
// and the user delegation fields (skoid, ...) are refused (not supported
// yet). Without either, the request is anonymous and the caller decides.
//
// # Shared Key
//
// The string-to-sign is the 2009-09-19+ layout (Content-Length empty when 0,
// Date empty when x-ms-date is present), x-ms-* headers sorted the way the
// service and the official Go SDK sort them (a culture-aware order in which
// '-' is ignored at first and '_' sorts before digits, not byte order), and
// the canonicalized resource "/<account><path as sent>" plus the lowercased,
// sorted query parameters. A path-style URL already starts with
// "/<account>/", so the SDK signs "/devstoreaccount1/devstoreaccount1/c/b";
// host-style (<account>.blob.localhost) signs "/devstoreaccount1/c/b". That
// one resource form is the only one accepted (every official SDK and the
// Azure CLI sign it), so a signature authenticates exactly one resource; the
// only variants tried lay out the same facts differently (x-ms-* headers in
// byte order, the two spellings of a zero Content-Length). Because both URL
// styles share an endpoint, a host-style Shared Key request whose first path
// segment is the account name is refused: it signs what the path-style
// request for another resource signs. Error details always show the primary
// string. Signatures are compared in constant time against every key of the
// account. x-ms-date (or Date) is required and may be at most MaxClockSkew
// from the real clock, in the past or the future.
//
// # SAS
//
// The string-to-sign follows the layout of the token's sv: account SAS with
// the encryption scope line from 2020-12-06; blob service SAS with sr and the
// snapshot/version timestamp from 2018-11-09 and the encryption scope from
// 2020-12-06; file service SAS unchanged since 2015-04-05. For sv older than
// 2020-12-06 the current layout is tried too, because the Go SDK's builders
// always sign that one. After the signature: the time window (real clock),
// protocol (spr), source IP (sip, one address or a range), then for an
// account SAS the service (ss) and resource type (srt), and the permission
// letters. A service SAS may take start, expiry and permissions from a stored
// access policy (si); a field given in both places is 400, as Azure answers.
//
// Authentication always uses the real clock (Request.Now), never the emulator
// clock, because clients sign with their wall clock. Nothing here logs keys,
// signatures or the Authorization header.
package storageauth
