package blobapi

import (
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// XML bodies of the Blob REST API, element names and order as the REST
// reference pages (List Containers, List Blobs, ...) show them; names as in
// the REST specification (blob.json).

// --- Service properties (Get/Set Blob Service Properties) ---

type xmlServiceProperties struct {
	XMLName               xml.Name          `xml:"StorageServiceProperties"`
	Logging               *xmlLogging       `xml:"Logging,omitempty"`
	HourMetrics           *xmlMetrics       `xml:"HourMetrics,omitempty"`
	MinuteMetrics         *xmlMetrics       `xml:"MinuteMetrics,omitempty"`
	Cors                  *xmlCors          `xml:"Cors,omitempty"`
	DefaultServiceVersion *string           `xml:"DefaultServiceVersion,omitempty"`
	DeleteRetentionPolicy *xmlRetention     `xml:"DeleteRetentionPolicy,omitempty"`
	StaticWebsite         *xmlStaticWebsite `xml:"StaticWebsite,omitempty"`
}

type xmlLogging struct {
	Version         string       `xml:"Version"`
	Delete          bool         `xml:"Delete"`
	Read            bool         `xml:"Read"`
	Write           bool         `xml:"Write"`
	RetentionPolicy xmlRetention `xml:"RetentionPolicy"`
}

type (
	xmlMetrics   = storagehttp.XMLMetrics
	xmlRetention = storagehttp.XMLRetention
)

type xmlCors struct {
	Rules []xmlCorsRule `xml:"CorsRule"`
}

type xmlCorsRule struct {
	AllowedOrigins  string `xml:"AllowedOrigins"`
	AllowedMethods  string `xml:"AllowedMethods"`
	MaxAgeInSeconds int    `xml:"MaxAgeInSeconds"`
	ExposedHeaders  string `xml:"ExposedHeaders"`
	AllowedHeaders  string `xml:"AllowedHeaders"`
}

type xmlStaticWebsite struct {
	Enabled                  bool   `xml:"Enabled"`
	IndexDocument            string `xml:"IndexDocument,omitempty"`
	ErrorDocument404Path     string `xml:"ErrorDocument404Path,omitempty"`
	DefaultIndexDocumentPath string `xml:"DefaultIndexDocumentPath,omitempty"`
}

// parseServiceProperties decodes a Set Blob Service Properties body. Absent
// elements stay nil ("unchanged"); an empty <Cors/> clears the rules.
func parseServiceProperties(b []byte) (blobstore.ServiceProperties, error) {
	var x xmlServiceProperties
	empty, err := storagehttp.UnmarshalXML(b, &x)
	if err != nil {
		return blobstore.ServiceProperties{}, err
	}
	if empty {
		return blobstore.ServiceProperties{}, storageerr.ErrInvalidXMLDocument
	}
	var p blobstore.ServiceProperties
	if x.Logging != nil {
		p.Logging = &blobstore.LoggingProperties{Version: x.Logging.Version, Delete: x.Logging.Delete, Read: x.Logging.Read,
			Write: x.Logging.Write, RetentionPolicy: x.Logging.RetentionPolicy.ToStore()}
	}
	p.HourMetrics = x.HourMetrics.ToStore()
	p.MinuteMetrics = x.MinuteMetrics.ToStore()
	if x.Cors != nil {
		if len(x.Cors.Rules) > 5 {
			return blobstore.ServiceProperties{}, storageerr.ErrInvalidXMLDocument
		}
		p.Cors = make([]blobstore.CorsRule, 0, len(x.Cors.Rules))
		for _, r := range x.Cors.Rules {
			if r.AllowedOrigins == "" || r.AllowedMethods == "" || r.MaxAgeInSeconds < 0 {
				return blobstore.ServiceProperties{}, storageerr.ErrInvalidXMLNodeValue
			}
			for _, m := range strings.Split(r.AllowedMethods, ",") {
				if !corsMethod(strings.TrimSpace(m)) {
					return blobstore.ServiceProperties{}, storageerr.ErrInvalidXMLNodeValue.WithDetail("XmlNodeName", "AllowedMethods").WithDetail("XmlNodeValue", r.AllowedMethods)
				}
			}
			p.Cors = append(p.Cors, blobstore.CorsRule{AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods,
				AllowedHeaders: r.AllowedHeaders, ExposedHeaders: r.ExposedHeaders, MaxAgeInSeconds: r.MaxAgeInSeconds})
		}
	}
	if x.DefaultServiceVersion != nil {
		p.DefaultServiceVersion = *x.DefaultServiceVersion
	}
	if x.DeleteRetentionPolicy != nil {
		rp := x.DeleteRetentionPolicy.ToStore()
		p.DeleteRetentionPolicy = &rp
	}
	if x.StaticWebsite != nil {
		p.StaticWebsite = &blobstore.StaticWebsite{Enabled: x.StaticWebsite.Enabled, IndexDocument: x.StaticWebsite.IndexDocument,
			ErrorDocument404Path: x.StaticWebsite.ErrorDocument404Path, DefaultIndexDocumentPath: x.StaticWebsite.DefaultIndexDocumentPath}
	}
	return p, nil
}

// corsMethod reports whether m is a method a CORS rule may allow: the
// methods Azure Storage supports (CORS overview, "limitations").
func corsMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "DELETE", "GET", "HEAD", "MERGE", "POST", "OPTIONS", "PUT", "PATCH":
		return true
	}
	return false
}

// metricsXML renders metrics with the Blob service's default for metrics
// never set: version 1.0, disabled.
func metricsXML(m *blobstore.MetricsProperties) *xmlMetrics {
	if m == nil {
		return &xmlMetrics{Version: "1.0"}
	}
	return storagehttp.MetricsXML(m)
}

// servicePropertiesXML renders what Get Blob Service Properties returns:
// every element, with Azure's defaults for those never set.
func servicePropertiesXML(p blobstore.ServiceProperties) xmlServiceProperties {
	x := xmlServiceProperties{Cors: &xmlCors{}}
	if p.Logging != nil {
		x.Logging = &xmlLogging{Version: p.Logging.Version, Delete: p.Logging.Delete, Read: p.Logging.Read, Write: p.Logging.Write,
			RetentionPolicy: storagehttp.RetentionXML(p.Logging.RetentionPolicy)}
	} else {
		x.Logging = &xmlLogging{Version: "1.0"}
	}
	x.HourMetrics = metricsXML(p.HourMetrics)
	x.MinuteMetrics = metricsXML(p.MinuteMetrics)
	for _, r := range p.Cors {
		x.Cors.Rules = append(x.Cors.Rules, xmlCorsRule{AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods,
			MaxAgeInSeconds: r.MaxAgeInSeconds, ExposedHeaders: r.ExposedHeaders, AllowedHeaders: r.AllowedHeaders})
	}
	if p.DefaultServiceVersion != "" {
		v := p.DefaultServiceVersion
		x.DefaultServiceVersion = &v
	}
	if p.DeleteRetentionPolicy != nil {
		rp := storagehttp.RetentionXML(*p.DeleteRetentionPolicy)
		x.DeleteRetentionPolicy = &rp
	} else {
		x.DeleteRetentionPolicy = &xmlRetention{}
	}
	if p.StaticWebsite != nil {
		x.StaticWebsite = &xmlStaticWebsite{Enabled: p.StaticWebsite.Enabled, IndexDocument: p.StaticWebsite.IndexDocument,
			ErrorDocument404Path: p.StaticWebsite.ErrorDocument404Path, DefaultIndexDocumentPath: p.StaticWebsite.DefaultIndexDocumentPath}
	} else {
		x.StaticWebsite = &xmlStaticWebsite{}
	}
	return x
}

// --- Signed identifiers (Get/Set Container ACL) ---

// aclRules: the Blob service refuses a signed identifier without an Id, and
// a permission letter no SAS over the container or its blobs can carry
// (400 InvalidXmlNodeValue naming Permission): a stored access policy backs
// container and blob service SASes, whose letters are r a c w d x y l t f m
// e o p i (https://learn.microsoft.com/rest/api/storageservices/create-service-sas#permissions-for-a-directory-container-or-blob).
// Storing an unknown letter would hand SASes that cite the policy a
// permission no operation defines.
var aclRules = storagehttp.ACLRules{RequireID: true, Permissions: "racwdxyltfmeopi"}

// parseSignedIdentifiers decodes a Set Container ACL body; an empty body
// clears the policies.
func parseSignedIdentifiers(b []byte) ([]blobstore.SignedIdentifier, error) {
	return storagehttp.ParseSignedIdentifiers(b, aclRules)
}

// --- Block lists (Put/Get Block List) ---

// parseBlockList decodes a Put Block List body, keeping the order of the
// Committed / Uncommitted / Latest elements as sent.
func parseBlockList(b []byte) ([]blobstore.BlockListItem, error) {
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	var items []blobstore.BlockListItem
	depth := 0
	sawRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) && sawRoot && depth == 0 {
			return items, nil
		}
		if err != nil {
			return nil, storageerr.ErrInvalidXMLDocument
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch depth {
			case 1:
				if t.Name.Local != "BlockList" || sawRoot {
					return nil, storageerr.ErrInvalidXMLDocument
				}
				sawRoot = true
			case 2:
				var lookup blobstore.BlockLookup
				switch t.Name.Local {
				case "Committed":
					lookup = blobstore.LookupCommitted
				case "Uncommitted":
					lookup = blobstore.LookupUncommitted
				case "Latest":
					lookup = blobstore.LookupLatest
				default:
					return nil, storageerr.ErrInvalidXMLDocument
				}
				id, err := elementText(dec)
				if err != nil {
					return nil, err
				}
				depth--
				if len(items) >= 50000 {
					return nil, storageerr.ErrBlockListTooLong
				}
				items = append(items, blobstore.BlockListItem{ID: strings.TrimSpace(id), Lookup: lookup})
			default:
				return nil, storageerr.ErrInvalidXMLDocument
			}
		case xml.EndElement:
			depth--
		}
	}
}

// elementText reads the text of an element whose start was just read, up to
// its end; a child element is InvalidXmlDocument.
func elementText(dec *xml.Decoder) (string, error) {
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", storageerr.ErrInvalidXMLDocument
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return "", storageerr.ErrInvalidXMLDocument
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

type xmlBlockList struct {
	XMLName     xml.Name   `xml:"BlockList"`
	Committed   *xmlBlocks `xml:"CommittedBlocks"`
	Uncommitted *xmlBlocks `xml:"UncommittedBlocks"`
}

type xmlBlocks struct {
	Blocks []xmlBlock `xml:"Block"`
}

type xmlBlock struct {
	Name string `xml:"Name"`
	Size int64  `xml:"Size"`
}

func blocksXML(bs []blobstore.Block) *xmlBlocks {
	x := &xmlBlocks{Blocks: make([]xmlBlock, 0, len(bs))}
	for _, b := range bs {
		x.Blocks = append(x.Blocks, xmlBlock{Name: b.Name, Size: b.Size})
	}
	return x
}

// --- Listings ---

// xmlMetadata renders a metadata map (storagehttp.XMLMetadata).
type xmlMetadata = storagehttp.XMLMetadata

type xmlContainerList struct {
	XMLName         xml.Name       `xml:"EnumerationResults"`
	ServiceEndpoint string         `xml:"ServiceEndpoint,attr"`
	Prefix          *string        `xml:"Prefix,omitempty"`
	Marker          *string        `xml:"Marker,omitempty"`
	MaxResults      *int           `xml:"MaxResults,omitempty"`
	Containers      []xmlContainer `xml:"Containers>Container"`
	NextMarker      string         `xml:"NextMarker"`
}

type xmlContainer struct {
	Name       string                 `xml:"Name"`
	Properties xmlContainerProperties `xml:"Properties"`
	Metadata   *xmlMetadata           `xml:"Metadata,omitempty"`
}

// xmlQuotedETag is a quoted ETag written as Azure writes it in List
// Containers, with literal quotes (encoding/xml would write &#34;, which
// parsers read the same but byte-comparing clients do not). ETags are
// 0x-prefixed hex, so nothing in them needs escaping.
type xmlQuotedETag struct {
	Inner string `xml:",innerxml"`
}

type xmlContainerProperties struct {
	LastModified                string        `xml:"Last-Modified"`
	ETag                        xmlQuotedETag `xml:"Etag"`
	LeaseStatus                 string        `xml:"LeaseStatus"`
	LeaseState                  string        `xml:"LeaseState"`
	LeaseDuration               string        `xml:"LeaseDuration,omitempty"`
	PublicAccess                string        `xml:"PublicAccess,omitempty"`
	HasImmutabilityPolicy       bool          `xml:"HasImmutabilityPolicy"`
	HasLegalHold                bool          `xml:"HasLegalHold"`
	DefaultEncryptionScope      string        `xml:"DefaultEncryptionScope"`
	DenyEncryptionScopeOverride bool          `xml:"DenyEncryptionScopeOverride"`
	// ImmutableStorageWithVersioningEnabled is always false: azemu has no
	// version-level immutability.
	ImmutableStorageWithVersioningEnabled bool `xml:"ImmutableStorageWithVersioningEnabled"`
}

type xmlBlobList struct {
	XMLName         xml.Name `xml:"EnumerationResults"`
	ServiceEndpoint string   `xml:"ServiceEndpoint,attr"`
	ContainerName   string   `xml:"ContainerName,attr"`
	Prefix          *string  `xml:"Prefix,omitempty"`
	Marker          *string  `xml:"Marker,omitempty"`
	MaxResults      *int     `xml:"MaxResults,omitempty"`
	Delimiter       *string  `xml:"Delimiter,omitempty"`
	Blobs           xmlBlobs `xml:"Blobs"`
	NextMarker      string   `xml:"NextMarker"`
}

// xmlBlobs keeps Blob and BlobPrefix entries interleaved in name order.
type xmlBlobs struct {
	Items []any
}

func (b xmlBlobs) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, it := range b.Items {
		if err := e.Encode(it); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type xmlBlobPrefix struct {
	XMLName xml.Name    `xml:"BlobPrefix"`
	Name    xmlBlobName `xml:"Name"`
}

// xmlBlobName is a blob name; names with characters XML 1.0 cannot carry
// are sent URL-encoded with Encoded="true", as Azure does.
type xmlBlobName = storagehttp.XMLEncodedName

func blobName(s string) xmlBlobName {
	return storagehttp.EncodeName(s, plainBlobRune, url.QueryEscape)
}

// plainBlobRune reports whether a blob name may carry c as it is.
func plainBlobRune(c rune) bool {
	return !(c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF || c == utf8.RuneError)
}

type xmlBlob struct {
	XMLName    xml.Name          `xml:"Blob"`
	Name       xmlBlobName       `xml:"Name"`
	Snapshot   string            `xml:"Snapshot,omitempty"`
	Properties xmlBlobProperties `xml:"Properties"`
	Metadata   *xmlMetadata      `xml:"Metadata,omitempty"`
}

// xmlBlobProperties is the Properties element of a List Blobs entry, in
// Azure's element order. The pointer fields are omitted for uncommitted
// blobs, which have no such properties yet (List Blobs remarks).
type xmlBlobProperties struct {
	CreationTime          *string `xml:"Creation-Time"`
	LastModified          *string `xml:"Last-Modified"`
	ETag                  *string `xml:"Etag"`
	ContentLength         int64   `xml:"Content-Length"`
	ContentType           *string `xml:"Content-Type"`
	ContentEncoding       *string `xml:"Content-Encoding"`
	ContentLanguage       *string `xml:"Content-Language"`
	ContentMD5            *string `xml:"Content-MD5"`
	CacheControl          *string `xml:"Cache-Control"`
	ContentDisposition    *string `xml:"Content-Disposition"`
	BlobType              string  `xml:"BlobType"`
	AccessTier            string  `xml:"AccessTier,omitempty"`
	LeaseStatus           string  `xml:"LeaseStatus,omitempty"`
	LeaseState            string  `xml:"LeaseState,omitempty"`
	LeaseDuration         string  `xml:"LeaseDuration,omitempty"`
	CopyID                string  `xml:"CopyId,omitempty"`
	CopyStatus            string  `xml:"CopyStatus,omitempty"`
	CopySource            string  `xml:"CopySource,omitempty"`
	CopyProgress          string  `xml:"CopyProgress,omitempty"`
	CopyCompletionTime    string  `xml:"CopyCompletionTime,omitempty"`
	CopyStatusDescription string  `xml:"CopyStatusDescription,omitempty"`
	ServerEncrypted       bool    `xml:"ServerEncrypted"`
	AccessTierInferred    *bool   `xml:"AccessTierInferred,omitempty"`
	AccessTierChangeTime  string  `xml:"AccessTierChangeTime,omitempty"`
}

func strPtr(s string) *string { return &s }

// blobXML renders one List Blobs entry. Unlike the ETag header, the Etag
// element of List Blobs is not quoted (as Azure sends it).
func blobXML(p *blobstore.BlobProperties, includeCopy bool) xmlBlob {
	x := xmlBlob{Name: blobName(p.Name), Snapshot: p.Snapshot}
	x.Properties = xmlBlobProperties{
		ContentLength:   p.ContentLength,
		BlobType:        string(p.BlobType),
		AccessTier:      p.AccessTier,
		ServerEncrypted: true,
	}
	if p.IsCommitted {
		x.Properties.CreationTime = strPtr(httpDate(p.CreationTime))
		x.Properties.LastModified = strPtr(httpDate(p.LastModified))
		x.Properties.ETag = strPtr(p.ETag)
		x.Properties.ContentType = strPtr(p.HTTPHeaders.ContentType)
		x.Properties.ContentEncoding = strPtr(p.HTTPHeaders.ContentEncoding)
		x.Properties.ContentLanguage = strPtr(p.HTTPHeaders.ContentLanguage)
		x.Properties.ContentMD5 = strPtr(storagehttp.Base64(p.HTTPHeaders.ContentMD5))
		x.Properties.CacheControl = strPtr(p.HTTPHeaders.CacheControl)
		x.Properties.ContentDisposition = strPtr(p.HTTPHeaders.ContentDisposition)
	}
	if p.AccessTier != "" {
		inferred := p.AccessTierInferred
		x.Properties.AccessTierInferred = &inferred
		x.Properties.AccessTierChangeTime = httpDate(p.AccessTierChangeTime)
	}
	if p.Snapshot == "" {
		lease := storagehttp.LeaseOrDefault(p.Lease)
		x.Properties.LeaseStatus = string(lease.Status)
		x.Properties.LeaseState = string(lease.State)
		x.Properties.LeaseDuration = string(lease.Duration)
	}
	if includeCopy && p.Copy != nil {
		x.Properties.CopyID = p.Copy.ID
		x.Properties.CopyStatus = string(p.Copy.Status)
		x.Properties.CopySource = p.Copy.Source
		x.Properties.CopyProgress = p.Copy.Progress
		if !p.Copy.CompletionTime.IsZero() {
			x.Properties.CopyCompletionTime = httpDate(p.Copy.CompletionTime)
		}
		x.Properties.CopyStatusDescription = p.Copy.StatusDescription
	}
	if p.Metadata != nil && p.IsCommitted {
		md := xmlMetadata(p.Metadata)
		x.Metadata = &md
	}
	return x
}

func httpDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return storagehttp.FormatHTTPDate(t)
}
