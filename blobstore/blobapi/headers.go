package blobapi

import (
	"net/http"
	"strconv"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

func setWrite(h http.Header, res blobstore.WriteResult) {
	storagehttp.SetETagHeaders(h, res.ETag, res.LastModified)
	if len(res.ContentMD5) > 0 {
		h.Set("Content-MD5", storagehttp.Base64(res.ContentMD5))
	}
	h.Set("x-ms-request-server-encrypted", "true")
}

// setBlobHeaders sets the headers Get Blob and Get Blob Properties share.
// The content headers honour a service SAS's rsc* overrides.
func setBlobHeaders(h http.Header, p *blobstore.BlobProperties, c *call) {
	storagehttp.SetETagHeaders(h, p.ETag, p.LastModified)
	if !p.CreationTime.IsZero() {
		h.Set("x-ms-creation-time", storagehttp.FormatHTTPDate(p.CreationTime))
	}
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	ctype := p.HTTPHeaders.ContentType
	if ctype == "" {
		ctype = defaultContentType
	}
	storagehttp.SetContentHeaders(h, ctype, p.HTTPHeaders, c.auth)
	h.Set("x-ms-blob-type", string(p.BlobType))
	if p.BlobType == blobstore.AppendBlob {
		h.Set("x-ms-blob-committed-block-count", strconv.Itoa(p.CommittedBlockCount))
	}
	if p.Snapshot == "" {
		storagehttp.SetLeaseHeaders(h, p.Lease)
	}
	storagehttp.SetCopyHeaders(h, p.Copy, storagehttp.CopyHeaderOptions{StatusDescription: true, RedactSource: true})
	// Get Blob returns the tier headers too in current versions (blob.json
	// lists them for both operations).
	if p.AccessTier != "" {
		h.Set("x-ms-access-tier", p.AccessTier)
		if p.AccessTierInferred {
			h.Set("x-ms-access-tier-inferred", "true")
		}
		if !p.AccessTierChangeTime.IsZero() {
			h.Set("x-ms-access-tier-change-time", storagehttp.FormatHTTPDate(p.AccessTierChangeTime))
		}
	}
	h.Set("x-ms-server-encrypted", "true")
	h.Set("Accept-Ranges", "bytes")
}

// conditions converts the request's conditional headers for the service.
func conditions(r *http.Request) blobstore.Conditions {
	return toStoreConditions(storagehttp.ParseConditions(r.Header), storagehttp.LeaseID(r.Header))
}

func sourceConditions(r *http.Request) blobstore.Conditions {
	return toStoreConditions(storagehttp.ParseSourceConditions(r.Header), storagehttp.SourceLeaseID(r.Header))
}

func toStoreConditions(c storagehttp.Conditions, leaseID string) blobstore.Conditions {
	return blobstore.Conditions{
		IfMatch:           joinETags(c.IfMatch),
		IfNoneMatch:       joinETags(c.IfNoneMatch),
		IfModifiedSince:   c.IfModifiedSince,
		IfUnmodifiedSince: c.IfUnmodifiedSince,
		LeaseID:           leaseID,
	}
}

func joinETags(tags []string) string {
	out := ""
	for i, t := range tags {
		if i > 0 {
			out += ","
		}
		out += t
	}
	return out
}

// blobHTTPHeaders reads the x-ms-blob-content-* headers; with plain true
// (Put Blob) the standard Content-* headers are used where the x-ms ones are
// absent.
func blobHTTPHeaders(r *http.Request, plain bool) (blobstore.HTTPHeaders, error) {
	get := func(xms, std string) string {
		if v := r.Header.Get(xms); v != "" || !plain {
			return v
		}
		return r.Header.Get(std)
	}
	h := blobstore.HTTPHeaders{
		ContentType:        get("x-ms-blob-content-type", "Content-Type"),
		ContentEncoding:    get("x-ms-blob-content-encoding", "Content-Encoding"),
		ContentLanguage:    get("x-ms-blob-content-language", "Content-Language"),
		ContentDisposition: get("x-ms-blob-content-disposition", "Content-Disposition"),
		CacheControl:       get("x-ms-blob-cache-control", "Cache-Control"),
	}
	md5, err := storagehttp.MD5Header(r, "x-ms-blob-content-md5")
	if err != nil {
		return h, err
	}
	h.ContentMD5 = md5
	return h, nil
}

// defaultContentType is the content type Azure stores for a blob created
// without one.
const defaultContentType = "application/octet-stream"

// createHeaders is blobHTTPHeaders for the operations that create a blob
// (Put Blob, Put Block List, Create Append Blob): a blob created without a
// content type gets application/octet-stream stored, so listings show it.
func createHeaders(r *http.Request, plain bool) (blobstore.HTTPHeaders, error) {
	h, err := blobHTTPHeaders(r, plain)
	if h.ContentType == "" {
		h.ContentType = defaultContentType
	}
	return h, err
}

// contentLength returns the declared body size, -1 for chunked bodies, and
// MissingContentLengthHeader when a body-carrying request has neither.
func contentLength(r *http.Request) (int64, error) {
	if r.ContentLength >= 0 {
		return r.ContentLength, nil
	}
	if len(r.TransferEncoding) > 0 {
		return -1, nil
	}
	return 0, storageerr.ErrMissingContentLengthHeader
}

// limitBody enforces a request body limit before and while streaming.
func limitBody(w http.ResponseWriter, r *http.Request, limit int64) error {
	if r.ContentLength > limit {
		return storageerr.ErrRequestBodyTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return nil
}

func optionalInt64Header(r *http.Request, name string) (*int64, error) {
	v := r.Header.Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return nil, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", name).WithDetail("HeaderValue", v)
	}
	return &n, nil
}
