package blobapi

import (
	"encoding/xml"
	"sort"
	"strconv"
)

// appendBlobList appends the List Blobs body for x to b, byte for byte what
// encoding/xml marshals for the xmlBlobList types (TestAppendBlobListMatches
// Marshal holds it to that), without reflection. Listing is the one
// response that grows with the data (up to 5,000 entries a page), and
// reflection-based marshalling cost about 8 µs an entry, most of a
// listing's server time.
func appendBlobList(b []byte, x *xmlBlobList) []byte {
	b = append(b, `<EnumerationResults ServiceEndpoint="`...)
	b = appendEscaped(b, x.ServiceEndpoint)
	b = append(b, `" ContainerName="`...)
	b = appendEscaped(b, x.ContainerName)
	b = append(b, `">`...)
	b = appendOptString(b, "Prefix", x.Prefix)
	b = appendOptString(b, "Marker", x.Marker)
	if x.MaxResults != nil {
		b = append(b, "<MaxResults>"...)
		b = strconv.AppendInt(b, int64(*x.MaxResults), 10)
		b = append(b, "</MaxResults>"...)
	}
	b = appendOptString(b, "Delimiter", x.Delimiter)
	b = append(b, "<Blobs>"...)
	for _, it := range x.Blobs.Items {
		switch v := it.(type) {
		case xmlBlobPrefix:
			b = append(b, "<BlobPrefix>"...)
			b = appendBlobName(b, v.Name)
			b = append(b, "</BlobPrefix>"...)
		case xmlBlob:
			b = appendBlob(b, &v)
		}
	}
	b = append(b, "</Blobs>"...)
	b = appendElem(b, "NextMarker", x.NextMarker)
	return append(b, "</EnumerationResults>"...)
}

func appendBlob(b []byte, x *xmlBlob) []byte {
	b = append(b, "<Blob>"...)
	b = appendBlobName(b, x.Name)
	if x.Snapshot != "" {
		b = appendElem(b, "Snapshot", x.Snapshot)
	}
	p := &x.Properties
	b = append(b, "<Properties>"...)
	b = appendOptString(b, "Creation-Time", p.CreationTime)
	b = appendOptString(b, "Last-Modified", p.LastModified)
	b = appendOptString(b, "Etag", p.ETag)
	b = append(b, "<Content-Length>"...)
	b = strconv.AppendInt(b, p.ContentLength, 10)
	b = append(b, "</Content-Length>"...)
	b = appendOptString(b, "Content-Type", p.ContentType)
	b = appendOptString(b, "Content-Encoding", p.ContentEncoding)
	b = appendOptString(b, "Content-Language", p.ContentLanguage)
	b = appendOptString(b, "Content-MD5", p.ContentMD5)
	b = appendOptString(b, "Cache-Control", p.CacheControl)
	b = appendOptString(b, "Content-Disposition", p.ContentDisposition)
	b = appendElem(b, "BlobType", p.BlobType)
	for _, f := range [...]struct{ name, v string }{
		{"AccessTier", p.AccessTier},
		{"LeaseStatus", p.LeaseStatus},
		{"LeaseState", p.LeaseState},
		{"LeaseDuration", p.LeaseDuration},
		{"CopyId", p.CopyID},
		{"CopyStatus", p.CopyStatus},
		{"CopySource", p.CopySource},
		{"CopyProgress", p.CopyProgress},
		{"CopyCompletionTime", p.CopyCompletionTime},
		{"CopyStatusDescription", p.CopyStatusDescription},
	} {
		if f.v != "" {
			b = appendElem(b, f.name, f.v)
		}
	}
	b = append(b, "<ServerEncrypted>"...)
	b = strconv.AppendBool(b, p.ServerEncrypted)
	b = append(b, "</ServerEncrypted>"...)
	if p.AccessTierInferred != nil {
		b = append(b, "<AccessTierInferred>"...)
		b = strconv.AppendBool(b, *p.AccessTierInferred)
		b = append(b, "</AccessTierInferred>"...)
	}
	if p.AccessTierChangeTime != "" {
		b = appendElem(b, "AccessTierChangeTime", p.AccessTierChangeTime)
	}
	b = append(b, "</Properties>"...)
	if x.Metadata != nil {
		b = append(b, "<Metadata>"...)
		md := *x.Metadata
		keys := make([]string, 0, len(md))
		for k := range md {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b = appendElem(b, k, md[k])
		}
		b = append(b, "</Metadata>"...)
	}
	return append(b, "</Blob>"...)
}

func appendBlobName(b []byte, n xmlBlobName) []byte {
	if n.Encoded != "" {
		b = append(b, `<Name Encoded="`...)
		b = appendEscaped(b, n.Encoded)
		b = append(b, `">`...)
	} else {
		b = append(b, "<Name>"...)
	}
	b = appendEscaped(b, n.Value)
	return append(b, "</Name>"...)
}

func appendOptString(b []byte, name string, v *string) []byte {
	if v == nil {
		return b
	}
	return appendElem(b, name, *v)
}

func appendElem(b []byte, name, v string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscaped(b, v)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendEscaped escapes s as encoding/xml does for text and attributes.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '&', '<', '>', '\t', '\n', '\r':
			w := sliceWriter{&b}
			_ = xml.EscapeText(w, []byte(s[i:]))
			return b
		default:
			if c >= 0x80 || c < 0x20 {
				w := sliceWriter{&b}
				_ = xml.EscapeText(w, []byte(s[i:]))
				return b
			}
			b = append(b, c)
		}
	}
	return b
}

// sliceWriter appends to a byte slice.
type sliceWriter struct{ b *[]byte }

func (w sliceWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}
