package fileapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
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

// setSMBHeaders sets the headers every directory and file response carries.
func setSMBHeaders(h http.Header, p *blobstore.FileProperties) {
	storagehttp.SetETagHeaders(h, p.ETag, p.LastModified)
	h.Set("x-ms-file-attributes", p.Attributes)
	h.Set("x-ms-file-creation-time", fileTime(p.CreationTime))
	h.Set("x-ms-file-last-write-time", fileTime(p.LastWriteTime))
	h.Set("x-ms-file-change-time", fileTime(p.ChangeTime))
	h.Set("x-ms-file-permission-key", p.PermissionKey)
	h.Set("x-ms-file-id", p.FileID)
	h.Set("x-ms-file-parent-id", p.ParentID)
}

// writeSMB answers a write that returns the SMB properties (Create and Set
// Directory/File Properties, Rename): those headers and status.
func writeSMB(w http.ResponseWriter, p *blobstore.FileProperties, status int) error {
	setSMBHeaders(w.Header(), p)
	w.Header().Set("x-ms-request-server-encrypted", "true")
	w.WriteHeader(status)
	return nil
}

// writeMetadataSet answers Set Directory/File Metadata.
func writeMetadataSet(w http.ResponseWriter, etag string, lastModified time.Time) error {
	storagehttp.SetETagHeaders(w.Header(), etag, lastModified)
	w.Header().Set("x-ms-request-server-encrypted", "true")
	w.WriteHeader(http.StatusOK)
	return nil
}

// writeMetadata answers Get Directory/File Metadata.
func writeMetadata(w http.ResponseWriter, etag string, lastModified time.Time, md map[string]string) error {
	h := w.Header()
	storagehttp.SetETagHeaders(h, etag, lastModified)
	storagehttp.SetMetadataHeaders(h, md)
	h.Set("x-ms-server-encrypted", "true")
	w.WriteHeader(http.StatusOK)
	return nil
}

// setFileHeaders sets the headers Get File and Get File Properties share;
// the content headers honour a service SAS's rsc* overrides. Content-Type
// is the stored one (Create File stores application/octet-stream when none
// is given; Set File Properties without one clears it, and then Azure sends
// none).
func setFileHeaders(h http.Header, p *blobstore.FileProperties, c *call) {
	setSMBHeaders(h, p)
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	storagehttp.SetContentHeaders(h, p.HTTPHeaders.ContentType, p.HTTPHeaders, c.auth)
	if h.Get("Content-Type") == "" {
		// No type stored: send none (a nil value also stops net/http
		// from sniffing one from the body).
		h["Content-Type"] = nil
	}
	h.Set("x-ms-type", "File")
	storagehttp.SetLeaseHeaders(h, p.Lease)
	storagehttp.SetCopyHeaders(h, p.Copy, storagehttp.CopyHeaderOptions{RedactSource: true})
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
			return nil, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", name)
		}
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return nil, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", name).WithDetail("HeaderValue", v)
	}
	// A negative size is the service's OutOfRangeInput, as Azure answers.
	return &n, nil
}

func leaseID(r *http.Request) string { return r.Header.Get("x-ms-lease-id") }

// fileLeaseRules: the File service leaves the action to the service,
// acquires for ever without x-ms-lease-duration and checks a break period
// whenever sent.
var fileLeaseRules = storagehttp.LeaseRules{DefaultDuration: "-1"}

// leaseOptions reads the lease headers of Lease Share / Lease File.
func leaseOptions(r *http.Request) (blobstore.LeaseOptions, error) {
	return storagehttp.ParseLeaseOptions(r.Header, fileLeaseRules)
}
