package storagehttp

import (
	"net/http"
	"strconv"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
)

// SetContentHeaders sets the stored content headers of a blob or file
// (Content-Type, -Encoding, -Language, -Disposition, Cache-Control), each
// replaced by a service SAS's rsc* override when given and left out when
// empty. contentType is the stored type with the service's default applied.
func SetContentHeaders(h http.Header, contentType string, hh blobstore.HTTPHeaders, sas storageauth.Result) {
	set := func(name, v, override string) {
		if override != "" {
			v = override
		}
		if v != "" {
			h.Set(name, v)
		}
	}
	set("Content-Type", contentType, sas.ContentType)
	set("Content-Encoding", hh.ContentEncoding, sas.ContentEncoding)
	set("Content-Language", hh.ContentLanguage, sas.ContentLanguage)
	set("Cache-Control", hh.CacheControl, sas.CacheControl)
	set("Content-Disposition", hh.ContentDisposition, sas.ContentDisposition)
}

// CopyHeaderOptions are where the services' x-ms-copy-* headers differ.
type CopyHeaderOptions struct {
	// RedactSource echoes x-ms-copy-source without its SAS signature
	// (Files).
	RedactSource bool
	// StatusDescription sends x-ms-copy-status-description (Blob).
	StatusDescription bool
}

// SetCopyHeaders sets the x-ms-copy-* headers of the last copy into a blob
// or file (none when cp is nil).
func SetCopyHeaders(h http.Header, cp *blobstore.CopyInfo, o CopyHeaderOptions) {
	if cp == nil {
		return
	}
	h.Set("x-ms-copy-id", cp.ID)
	h.Set("x-ms-copy-status", string(cp.Status))
	if cp.Source != "" {
		src := cp.Source
		if o.RedactSource {
			src = RedactSAS(src)
		}
		h.Set("x-ms-copy-source", src)
	}
	if cp.Progress != "" {
		h.Set("x-ms-copy-progress", cp.Progress)
	}
	if !cp.CompletionTime.IsZero() {
		h.Set("x-ms-copy-completion-time", FormatHTTPDate(cp.CompletionTime))
	}
	if o.StatusDescription && cp.StatusDescription != "" {
		h.Set("x-ms-copy-status-description", cp.StatusDescription)
	}
}

// WriteProperties ends a Get Blob Properties / Get File Properties (HEAD)
// once the other headers are set: Content-Length, the stored Content-MD5 and
// 200.
func WriteProperties(w http.ResponseWriter, contentLength int64, storedMD5 []byte) error {
	h := w.Header()
	h.Set("Content-Length", strconv.FormatInt(contentLength, 10))
	if len(storedMD5) > 0 {
		h.Set("Content-MD5", Base64(storedMD5))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
