package fileapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// fileTime formats an SMB time as Azure does (ISO 8601, 7 fractional digits).
func fileTime(t time.Time) string { return storagehttp.FormatISO(t) }

func httpDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return storagehttp.FormatHTTPDate(t)
}

func setETag(h http.Header, etag string, lm time.Time) {
	if etag != "" {
		h.Set("ETag", storagehttp.QuoteETag(etag))
	}
	if !lm.IsZero() {
		h.Set("Last-Modified", storagehttp.FormatHTTPDate(lm))
	}
}

// setSMBHeaders sets the headers every directory and file response carries.
func setSMBHeaders(h http.Header, p *blobstore.FileProperties) {
	setETag(h, p.ETag, p.LastModified)
	h.Set("x-ms-file-attributes", p.Attributes)
	h.Set("x-ms-file-creation-time", fileTime(p.CreationTime))
	h.Set("x-ms-file-last-write-time", fileTime(p.LastWriteTime))
	h.Set("x-ms-file-change-time", fileTime(p.ChangeTime))
	h.Set("x-ms-file-permission-key", p.PermissionKey)
	h.Set("x-ms-file-id", p.FileID)
	h.Set("x-ms-file-parent-id", p.ParentID)
}

// setFileHeaders sets the headers Get File and Get File Properties share;
// the content headers honour a service SAS's rsc* overrides. Content-Type
// is the stored one (Create File stores application/octet-stream when none
// is given; Set File Properties without one clears it, and then Azure sends
// none).
func setFileHeaders(h http.Header, p *blobstore.FileProperties, c *call) {
	setSMBHeaders(h, p)
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	hh := p.HTTPHeaders
	set := func(name, v, override string) {
		if override != "" {
			v = override
		}
		if v != "" {
			h.Set(name, v)
		}
	}
	set("Content-Type", hh.ContentType, c.auth.ContentType)
	if h.Get("Content-Type") == "" {
		// No type stored: send none (a nil value also stops net/http
		// from sniffing one from the body).
		h["Content-Type"] = nil
	}
	set("Content-Encoding", hh.ContentEncoding, c.auth.ContentEncoding)
	set("Content-Language", hh.ContentLanguage, c.auth.ContentLanguage)
	set("Cache-Control", hh.CacheControl, c.auth.CacheControl)
	set("Content-Disposition", hh.ContentDisposition, c.auth.ContentDisposition)
	h.Set("x-ms-type", "File")
	storagehttp.SetLeaseHeaders(h, p.Lease)
	if p.Copy != nil {
		h.Set("x-ms-copy-id", p.Copy.ID)
		h.Set("x-ms-copy-status", string(p.Copy.Status))
		if p.Copy.Source != "" {
			h.Set("x-ms-copy-source", storagehttp.RedactSAS(p.Copy.Source))
		}
		if p.Copy.Progress != "" {
			h.Set("x-ms-copy-progress", p.Copy.Progress)
		}
		if !p.Copy.CompletionTime.IsZero() {
			h.Set("x-ms-copy-completion-time", storagehttp.FormatHTTPDate(p.Copy.CompletionTime))
		}
	}
	h.Set("x-ms-server-encrypted", "true")
	h.Set("Accept-Ranges", "bytes")
}

// fileHTTPHeaders reads the x-ms-content-* and x-ms-cache-control headers.
func fileHTTPHeaders(r *http.Request) (blobstore.HTTPHeaders, error) {
	h := blobstore.HTTPHeaders{
		ContentType:        r.Header.Get("x-ms-content-type"),
		ContentEncoding:    r.Header.Get("x-ms-content-encoding"),
		ContentLanguage:    r.Header.Get("x-ms-content-language"),
		ContentDisposition: r.Header.Get("x-ms-content-disposition"),
		CacheControl:       r.Header.Get("x-ms-cache-control"),
	}
	md5, err := storagehttp.MD5Header(r, "x-ms-content-md5")
	h.ContentMD5 = md5
	return h, err
}

// smbHeaders reads the SMB request headers.
func smbHeaders(r *http.Request) blobstore.SMBProperties {
	return blobstore.SMBProperties{
		Attributes:       r.Header.Get("x-ms-file-attributes"),
		CreationTime:     r.Header.Get("x-ms-file-creation-time"),
		LastWriteTime:    r.Header.Get("x-ms-file-last-write-time"),
		ChangeTime:       r.Header.Get("x-ms-file-change-time"),
		Permission:       r.Header.Get("x-ms-file-permission"),
		PermissionFormat: r.Header.Get("x-ms-file-permission-format"),
		PermissionKey:    r.Header.Get("x-ms-file-permission-key"),
	}
}

func int64Header(r *http.Request, name string, required bool) (*int64, error) {
	v := r.Header.Get(name)
	if v == "" {
		if required {
			return nil, blobstore.ErrMissingRequiredHeader.WithDetail("HeaderName", name)
		}
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return nil, blobstore.ErrInvalidHeaderValue.WithDetail("HeaderName", name).WithDetail("HeaderValue", v)
	}
	// A negative size is the service's OutOfRangeInput, as Azure answers.
	return &n, nil
}

func leaseID(r *http.Request) string { return r.Header.Get("x-ms-lease-id") }

// leaseOptions reads the lease headers of Lease Share / Lease File.
func leaseOptions(r *http.Request) (blobstore.LeaseOptions, error) {
	o := blobstore.LeaseOptions{
		Action:          blobstore.LeaseAction(strings.ToLower(r.Header.Get("x-ms-lease-action"))),
		LeaseID:         leaseID(r),
		ProposedLeaseID: r.Header.Get("x-ms-proposed-lease-id"),
	}
	if o.Action == "" {
		return o, blobstore.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-lease-action")
	}
	if o.Action == blobstore.LeaseAcquire {
		v := r.Header.Get("x-ms-lease-duration")
		if v == "" {
			v = "-1"
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, blobstore.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-duration").WithDetail("HeaderValue", v)
		}
		o.Duration = n
	}
	if v := r.Header.Get("x-ms-lease-break-period"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, blobstore.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-break-period").WithDetail("HeaderValue", v)
		}
		o.BreakPeriod = &n
	}
	return o, nil
}

func setLeaseResult(w http.ResponseWriter, res blobstore.LeaseResult, action blobstore.LeaseAction) {
	h := w.Header()
	setETag(h, res.ETag, res.LastModified)
	if res.LeaseID != "" {
		h.Set("x-ms-lease-id", res.LeaseID)
	}
	status := http.StatusOK
	switch action {
	case blobstore.LeaseAcquire:
		status = http.StatusCreated
	case blobstore.LeaseBreak:
		status = http.StatusAccepted
		h.Set("x-ms-lease-time", strconv.Itoa(res.LeaseTime))
	}
	w.WriteHeader(status)
}
