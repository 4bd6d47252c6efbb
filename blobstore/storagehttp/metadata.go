package storagehttp

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strings"

	"github.com/azemu/azemu/blobstore"
)

// MetaPrefix starts every user metadata header.
const MetaPrefix = "x-ms-meta-"

// ParseMetadata collects the x-ms-meta-* headers and checks them with
// blobstore.ValidateMetadata: names must be C#
// identifiers (InvalidMetadata), must not be empty (EmptyMetadataKey), and the
// names and values together must fit in 8 KiB (MetadataTooLarge).
//
// Go's HTTP server canonicalises header names before azemu sees them, so the
// case the client used is lost; names are stored in lower case, which is what
// Azure returns for the lower-case names nearly every client sends. Several
// headers of one name are joined with "," as HTTP defines.
func ParseMetadata(h http.Header) (map[string]string, error) {
	var md map[string]string
	for k, vs := range h {
		if len(k) < len(MetaPrefix) || !strings.EqualFold(k[:len(MetaPrefix)], MetaPrefix) {
			continue
		}
		if md == nil {
			md = make(map[string]string)
		}
		md[strings.ToLower(k[len(MetaPrefix):])] = strings.Join(vs, ",")
	}
	if err := blobstore.ValidateMetadata(md); err != nil {
		return nil, err
	}
	return md, nil
}

// SetMetadataHeaders writes md as x-ms-meta-* response headers, names as
// stored (Header map set directly so Go does not re-case them).
func SetMetadataHeaders(h http.Header, md map[string]string) {
	for k, v := range md {
		h[MetaPrefix+k] = []string{v}
	}
}

// SortedKeys returns the metadata names in sorted order, for listings.
func SortedKeys(md map[string]string) []string {
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// XMLMetadata renders a metadata map as <Metadata><name>value</name>...</Metadata>,
// names in sorted order, as listings carry it.
type XMLMetadata map[string]string

// MarshalXML implements xml.Marshaler.
func (m XMLMetadata) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range SortedKeys(m) {
		if err := e.EncodeElement(m[k], xml.StartElement{Name: xml.Name{Local: k}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// XMLEncodedName is a name in a listing (blob, blob prefix, file, directory);
// a name XML cannot carry is sent encoded, with Encoded="true", as Azure
// does.
type XMLEncodedName struct {
	Encoded string `xml:"Encoded,attr,omitempty"`
	Value   string `xml:",chardata"`
}

// EncodeName returns n as it is, or encode(n) marked Encoded when one of
// its runes is not plain. The services differ in both: Blob encodes
// controls, U+FFFE/U+FFFF and bad UTF-8 with query escaping; Files encodes
// what XML 1.0 cannot carry with percent-encoding.
func EncodeName(n string, plain func(rune) bool, encode func(string) string) XMLEncodedName {
	for _, r := range n {
		if !plain(r) {
			return XMLEncodedName{Encoded: "true", Value: encode(n)}
		}
	}
	return XMLEncodedName{Value: n}
}
