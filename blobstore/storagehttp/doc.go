// Package storagehttp holds what the Azure Storage REST protocol packages
// (blobapi for Blob, fileapi for Files) share, so each of them keeps only
// what its service does differently:
//
//   - the request pipeline: Responder.Handle (common headers, prepare,
//     operation, error rendering), the router (NewRouter, Route, Query
//     matchers of restype/comp/headers, Responder.NoRoute), host-style
//     rewriting (HostStyle, HostAccount) and ServiceEndpoint;
//   - the wire format of every response: the XML error body and its
//     headers, x-ms-request-id/x-ms-version/Date/Server, ETag and lease
//     headers, content headers with SAS overrides, x-ms-copy-* headers;
//   - request parsing: Range/x-ms-range and the range checksums
//     (ParseContentRequest), conditional headers, x-ms-meta-*, lease
//     headers (ParseLeaseOptions), copy source URLs (ParseCopySource),
//     maxresults, MD5 headers, RFC 1123 and ISO 8601 dates;
//   - CORS: rule matching, the preflight answer and actual-request headers;
//   - XML shared by both services: signed identifiers (stored access
//     policies) and the metrics/retention parts of service properties;
//   - streaming: a pooled copy buffer and WriteContent for Get Blob / Get
//     File.
//
// Where the two services answer differently (Server header, host suffix,
// which checks a header gets, which headers are sent), the difference is a
// parameter or an options struct (ACLRules, LeaseRules, CopyHeaderOptions,
// CORSPlan.ExposeVerbatim, PreflightOptions), never a second copy.
//
// Nothing here knows a storage operation's rules: it turns headers into
// typed values, and typed errors (*storageerr.Error) and results into
// Azure's wire format. Every parser of untrusted input has a fuzz target.
package storagehttp
