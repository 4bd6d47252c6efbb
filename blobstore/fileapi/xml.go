package fileapi

import (
	"encoding/json"
	"encoding/xml"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// Request and response bodies of the File REST API.

type xmlMetrics = storagehttp.XMLMetrics

type xmlCorsRule struct {
	AllowedOrigins  string `xml:"AllowedOrigins"`
	AllowedMethods  string `xml:"AllowedMethods"`
	AllowedHeaders  string `xml:"AllowedHeaders"`
	ExposedHeaders  string `xml:"ExposedHeaders"`
	MaxAgeInSeconds int    `xml:"MaxAgeInSeconds"`
}

type xmlEnabled struct {
	Enabled bool `xml:"Enabled"`
}

type xmlRequired struct {
	Required bool `xml:"Required"`
}

type xmlProtocol struct {
	SMB *struct {
		Multichannel        *xmlEnabled  `xml:"Multichannel,omitempty"`
		EncryptionInTransit *xmlRequired `xml:"EncryptionInTransit,omitempty"`
	} `xml:"SMB,omitempty"`
	NFS *struct {
		EncryptionInTransit *xmlRequired `xml:"EncryptionInTransit,omitempty"`
	} `xml:"NFS,omitempty"`
}

type xmlServiceProperties struct {
	XMLName       xml.Name       `xml:"StorageServiceProperties"`
	HourMetrics   *xmlMetrics    `xml:"HourMetrics,omitempty"`
	MinuteMetrics *xmlMetrics    `xml:"MinuteMetrics,omitempty"`
	Cors          *[]xmlCorsRule `xml:"Cors>CorsRule"`
	Protocol      *xmlProtocol   `xml:"ProtocolSettings,omitempty"`
}

// metricsFrom converts parsed metrics; AllowPermanentDelete belongs to the
// Blob delete retention policy, so Files does not keep it.
func metricsFrom(m *xmlMetrics) *blobstore.MetricsProperties {
	p := m.ToStore()
	if p != nil {
		p.RetentionPolicy.AllowPermanentDelete = nil
	}
	return p
}

// metricsTo renders stored metrics (nil when never set), version 1.0 when
// none was given.
func metricsTo(m *blobstore.MetricsProperties) *xmlMetrics {
	x := storagehttp.MetricsXML(m)
	if x != nil && x.Version == "" {
		x.Version = "1.0"
	}
	return x
}

// parseServiceProperties parses a Set File Service Properties body.
// Elements absent from the body come back nil (unchanged).
func parseServiceProperties(b []byte) (blobstore.FileServiceProperties, error) {
	var x xmlServiceProperties
	empty, err := storagehttp.UnmarshalXML(b, &x)
	if err != nil {
		return blobstore.FileServiceProperties{}, err
	}
	if empty {
		return blobstore.FileServiceProperties{}, storageerr.ErrInvalidXMLDocument
	}
	p := blobstore.FileServiceProperties{HourMetrics: metricsFrom(x.HourMetrics), MinuteMetrics: metricsFrom(x.MinuteMetrics)}
	for _, m := range []*xmlMetrics{x.HourMetrics, x.MinuteMetrics} {
		if m != nil && m.RetentionPolicy.Days != nil && (*m.RetentionPolicy.Days < 1 || *m.RetentionPolicy.Days > 365) {
			return p, storageerr.ErrInvalidXMLNodeValue.WithDetail("XmlNodeName", "Days")
		}
	}
	if x.Cors != nil {
		p.Cors = []blobstore.CorsRule{}
		for _, c := range *x.Cors {
			if c.AllowedOrigins == "" || c.AllowedMethods == "" || c.MaxAgeInSeconds < 0 {
				return p, storageerr.ErrInvalidXMLNodeValue.WithDetail("XmlNodeName", "CorsRule")
			}
			p.Cors = append(p.Cors, blobstore.CorsRule(c))
		}
	}
	if pr := x.Protocol; pr != nil {
		if pr.SMB != nil && pr.SMB.Multichannel != nil {
			v := pr.SMB.Multichannel.Enabled
			p.SMBMultichannel = &v
		}
		if pr.SMB != nil && pr.SMB.EncryptionInTransit != nil {
			v := pr.SMB.EncryptionInTransit.Required
			p.SMBEncryptionInTransit = &v
		}
		if pr.NFS != nil && pr.NFS.EncryptionInTransit != nil {
			v := pr.NFS.EncryptionInTransit.Required
			p.NFSEncryptionInTransit = &v
		}
	}
	return p, nil
}

func servicePropertiesXML(p blobstore.FileServiceProperties) xmlServiceProperties {
	cors := make([]xmlCorsRule, 0, len(p.Cors))
	for _, c := range p.Cors {
		cors = append(cors, xmlCorsRule(c))
	}
	x := xmlServiceProperties{HourMetrics: metricsTo(p.HourMetrics), MinuteMetrics: metricsTo(p.MinuteMetrics), Cors: &cors}
	pr := &xmlProtocol{}
	if p.SMBMultichannel != nil || p.SMBEncryptionInTransit != nil {
		pr.SMB = &struct {
			Multichannel        *xmlEnabled  `xml:"Multichannel,omitempty"`
			EncryptionInTransit *xmlRequired `xml:"EncryptionInTransit,omitempty"`
		}{}
		if p.SMBMultichannel != nil {
			pr.SMB.Multichannel = &xmlEnabled{Enabled: *p.SMBMultichannel}
		}
		if p.SMBEncryptionInTransit != nil {
			pr.SMB.EncryptionInTransit = &xmlRequired{Required: *p.SMBEncryptionInTransit}
		}
	}
	if p.NFSEncryptionInTransit != nil {
		pr.NFS = &struct {
			EncryptionInTransit *xmlRequired `xml:"EncryptionInTransit,omitempty"`
		}{EncryptionInTransit: &xmlRequired{Required: *p.NFSEncryptionInTransit}}
	}
	if pr.SMB != nil || pr.NFS != nil {
		x.Protocol = pr
	}
	return x
}

// aclRules: the File service takes the permission letters r, c, w, d and
// l only, and names the bad value in its errors.
var aclRules = storagehttp.ACLRules{Permissions: "rcwdl", NodeValueDetail: true}

// parseSignedIdentifiers parses a Set Share ACL body (empty = no policies).
func parseSignedIdentifiers(b []byte) ([]blobstore.SignedIdentifier, error) {
	return storagehttp.ParseSignedIdentifiers(b, aclRules)
}

// parsePermission parses a Create Permission JSON body
// {"permission": "...", "format": "sddl|binary"}.
func parsePermission(b []byte) (blobstore.SharePermission, error) {
	var p struct {
		Permission *string `json:"permission"`
		Format     string  `json:"format"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return blobstore.SharePermission{}, storageerr.ErrInvalidInput.WithMessage("The request body is not a valid permission document.")
	}
	if p.Permission == nil || *p.Permission == "" {
		return blobstore.SharePermission{}, storageerr.ErrInvalidInput.WithMessage("The permission is missing.")
	}
	return blobstore.SharePermission{Permission: *p.Permission, Format: p.Format}, nil
}

type xmlMetadata = storagehttp.XMLMetadata

func metadataXML(md map[string]string) *xmlMetadata {
	x := xmlMetadata(md)
	return &x
}

type xmlShareProperties struct {
	LastModified         string `xml:"Last-Modified"`
	ETag                 string `xml:"Etag"`
	Quota                int    `xml:"Quota"`
	AccessTier           string `xml:"AccessTier,omitempty"`
	AccessTierChangeTime string `xml:"AccessTierChangeTime,omitempty"`
	EnabledProtocols     string `xml:"EnabledProtocols,omitempty"`
	LeaseStatus          string `xml:"LeaseStatus,omitempty"`
	LeaseState           string `xml:"LeaseState,omitempty"`
	LeaseDuration        string `xml:"LeaseDuration,omitempty"`
}

type xmlShare struct {
	Name       string             `xml:"Name"`
	Snapshot   string             `xml:"Snapshot,omitempty"`
	Properties xmlShareProperties `xml:"Properties"`
	Metadata   *xmlMetadata       `xml:"Metadata,omitempty"`
}

type xmlShareList struct {
	XMLName         xml.Name   `xml:"EnumerationResults"`
	ServiceEndpoint string     `xml:"ServiceEndpoint,attr"`
	Prefix          *string    `xml:"Prefix,omitempty"`
	Marker          *string    `xml:"Marker,omitempty"`
	MaxResults      *int       `xml:"MaxResults,omitempty"`
	Shares          []xmlShare `xml:"Shares>Share"`
	NextMarker      string     `xml:"NextMarker"`
}

type xmlFileProperties struct {
	ContentLength  *int64 `xml:"Content-Length,omitempty"`
	CreationTime   string `xml:"CreationTime,omitempty"`
	LastAccessTime string `xml:"LastAccessTime,omitempty"`
	LastWriteTime  string `xml:"LastWriteTime,omitempty"`
	ChangeTime     string `xml:"ChangeTime,omitempty"`
	LastModified   string `xml:"Last-Modified,omitempty"`
	ETag           string `xml:"Etag,omitempty"`
}

// xmlEncodedName is a listed name; names XML cannot carry (U+FFFE,
// controls) are percent-encoded with Encoded="true", as Azure does.
type xmlEncodedName = storagehttp.XMLEncodedName

func encodedName(n string) xmlEncodedName {
	return storagehttp.EncodeName(n, xmlChar, percentEncode)
}

// percentEncode escapes every byte but the unreserved characters, so both
// query-style decoders (Go's SDK, where "+" is a space) and
// decodeURIComponent (JavaScript) get the name back.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// xmlChar reports whether r is a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

type xmlEntry struct {
	XMLName       xml.Name
	Name          xmlEncodedName    `xml:"Name"`
	FileID        string            `xml:"FileId,omitempty"`
	Properties    xmlFileProperties `xml:"Properties"`
	Attributes    string            `xml:"Attributes,omitempty"`
	PermissionKey string            `xml:"PermissionKey,omitempty"`
}

type xmlFileList struct {
	XMLName         xml.Name        `xml:"EnumerationResults"`
	ServiceEndpoint string          `xml:"ServiceEndpoint,attr"`
	ShareName       string          `xml:"ShareName,attr"`
	ShareSnapshot   string          `xml:"ShareSnapshot,attr,omitempty"`
	Encoded         string          `xml:"Encoded,attr,omitempty"`
	DirectoryPath   string          `xml:"DirectoryPath,attr"`
	Marker          *string         `xml:"Marker,omitempty"`
	Prefix          *xmlEncodedName `xml:"Prefix,omitempty"`
	MaxResults      *int            `xml:"MaxResults,omitempty"`
	DirectoryID     string          `xml:"DirectoryId,omitempty"`
	Entries         []xmlEntry      `xml:"Entries>Entry"`
	NextMarker      string          `xml:"NextMarker"`
}

type xmlRange struct {
	XMLName xml.Name
	Start   int64 `xml:"Start"`
	End     int64 `xml:"End"`
}

type xmlRanges struct {
	XMLName xml.Name   `xml:"Ranges"`
	Ranges  []xmlRange `xml:",any"`
}

type xmlShareStats struct {
	XMLName         xml.Name `xml:"ShareStats"`
	ShareUsageBytes int64    `xml:"ShareUsageBytes"`
}

type xmlHandles struct {
	XMLName    xml.Name `xml:"EnumerationResults"`
	Entries    struct{} `xml:"Entries"`
	NextMarker string   `xml:"NextMarker"`
}

func xmlName(local string) xml.Name { return xml.Name{Local: local} }
