package queueapi

import (
	"encoding/xml"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// XML bodies of the Queue REST API, element names and order as the REST
// reference pages show them.

// --- Service properties (Get/Set Queue Service Properties) ---

type xmlServiceProperties struct {
	XMLName       xml.Name                `xml:"StorageServiceProperties"`
	Logging       *xmlLogging             `xml:"Logging,omitempty"`
	HourMetrics   *storagehttp.XMLMetrics `xml:"HourMetrics,omitempty"`
	MinuteMetrics *storagehttp.XMLMetrics `xml:"MinuteMetrics,omitempty"`
	Cors          *xmlCors                `xml:"Cors,omitempty"`
}

type xmlLogging struct {
	Version         string                   `xml:"Version"`
	Delete          bool                     `xml:"Delete"`
	Read            bool                     `xml:"Read"`
	Write           bool                     `xml:"Write"`
	RetentionPolicy storagehttp.XMLRetention `xml:"RetentionPolicy"`
}

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

// parseServiceProperties decodes a Set Queue Service Properties body.
// Absent elements stay nil (unchanged); an empty <Cors/> clears the rules.
func parseServiceProperties(b []byte) (queue.ServiceProperties, error) {
	var x xmlServiceProperties
	empty, err := storagehttp.UnmarshalXML(b, &x)
	if err != nil {
		return queue.ServiceProperties{}, err
	}
	if empty {
		return queue.ServiceProperties{}, storageerr.ErrInvalidXMLDocument
	}
	var p queue.ServiceProperties
	if x.Logging != nil {
		p.Logging = &blobstore.LoggingProperties{Version: x.Logging.Version, Delete: x.Logging.Delete, Read: x.Logging.Read,
			Write: x.Logging.Write, RetentionPolicy: x.Logging.RetentionPolicy.ToStore()}
	}
	p.HourMetrics = x.HourMetrics.ToStore()
	p.MinuteMetrics = x.MinuteMetrics.ToStore()
	for _, rp := range []*blobstore.RetentionPolicy{logRetention(p.Logging), metricsRetention(p.HourMetrics), metricsRetention(p.MinuteMetrics)} {
		if rp != nil && rp.Days != nil && (*rp.Days < 1 || *rp.Days > 365) {
			return queue.ServiceProperties{}, storageerr.ErrInvalidXMLNodeValue.WithDetail("XmlNodeName", "Days")
		}
	}
	if x.Cors != nil {
		if len(x.Cors.Rules) > 5 {
			return queue.ServiceProperties{}, storageerr.ErrInvalidXMLDocument.WithMessage("At most five CORS rules are allowed.")
		}
		p.Cors = make([]blobstore.CorsRule, 0, len(x.Cors.Rules))
		for _, r := range x.Cors.Rules {
			if r.AllowedOrigins == "" || r.AllowedMethods == "" || r.MaxAgeInSeconds < 0 {
				return queue.ServiceProperties{}, storageerr.ErrInvalidXMLNodeValue.WithDetail("XmlNodeName", "CorsRule")
			}
			for _, m := range strings.Split(r.AllowedMethods, ",") {
				if !corsMethod(strings.TrimSpace(m)) {
					return queue.ServiceProperties{}, storageerr.ErrInvalidXMLNodeValue.WithDetail("XmlNodeName", "AllowedMethods").WithDetail("XmlNodeValue", r.AllowedMethods)
				}
			}
			p.Cors = append(p.Cors, blobstore.CorsRule{AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods,
				AllowedHeaders: r.AllowedHeaders, ExposedHeaders: r.ExposedHeaders, MaxAgeInSeconds: r.MaxAgeInSeconds})
		}
	}
	return p, nil
}

func logRetention(l *blobstore.LoggingProperties) *blobstore.RetentionPolicy {
	if l == nil {
		return nil
	}
	return &l.RetentionPolicy
}

func metricsRetention(m *blobstore.MetricsProperties) *blobstore.RetentionPolicy {
	if m == nil {
		return nil
	}
	return &m.RetentionPolicy
}

// corsMethod reports whether m is a method a CORS rule may allow (the CORS
// support page for Azure Storage lists them).
func corsMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "DELETE", "GET", "HEAD", "MERGE", "POST", "OPTIONS", "PUT", "PATCH":
		return true
	}
	return false
}

func servicePropertiesXML(p queue.ServiceProperties) xmlServiceProperties {
	x := xmlServiceProperties{
		HourMetrics:   storagehttp.MetricsXML(p.HourMetrics),
		MinuteMetrics: storagehttp.MetricsXML(p.MinuteMetrics),
		Cors:          &xmlCors{Rules: []xmlCorsRule{}},
	}
	if p.Logging != nil {
		x.Logging = &xmlLogging{Version: p.Logging.Version, Delete: p.Logging.Delete, Read: p.Logging.Read, Write: p.Logging.Write,
			RetentionPolicy: storagehttp.RetentionXML(p.Logging.RetentionPolicy)}
	}
	for _, c := range p.Cors {
		x.Cors.Rules = append(x.Cors.Rules, xmlCorsRule{AllowedOrigins: c.AllowedOrigins, AllowedMethods: c.AllowedMethods,
			MaxAgeInSeconds: c.MaxAgeInSeconds, ExposedHeaders: c.ExposedHeaders, AllowedHeaders: c.AllowedHeaders})
	}
	return x
}

type xmlServiceStats struct {
	XMLName      xml.Name `xml:"StorageServiceStats"`
	Status       string   `xml:"GeoReplication>Status"`
	LastSyncTime string   `xml:"GeoReplication>LastSyncTime"`
}

// --- List Queues ---

type xmlQueueList struct {
	XMLName         xml.Name   `xml:"EnumerationResults"`
	ServiceEndpoint string     `xml:"ServiceEndpoint,attr"`
	Prefix          *string    `xml:"Prefix,omitempty"`
	Marker          *string    `xml:"Marker,omitempty"`
	MaxResults      *int       `xml:"MaxResults,omitempty"`
	Queues          []xmlQueue `xml:"Queues>Queue"`
	NextMarker      string     `xml:"NextMarker"`
}

type xmlQueue struct {
	Name     string                   `xml:"Name"`
	Metadata *storagehttp.XMLMetadata `xml:"Metadata,omitempty"`
}

// --- Messages ---

// xmlPutMessage is the body of Put Message and Update Message.
type xmlPutMessage struct {
	XMLName     xml.Name `xml:"QueueMessage"`
	MessageText *string  `xml:"MessageText"`
}

// parseMessageText decodes <QueueMessage><MessageText>…</MessageText></QueueMessage>.
// An empty body or another root is InvalidXmlDocument, a missing
// MessageText MissingRequiredXmlNode.
func parseMessageText(b []byte) (string, error) {
	var x xmlPutMessage
	empty, err := storagehttp.UnmarshalXML(b, &x)
	if err != nil {
		return "", err
	}
	if empty {
		return "", storageerr.ErrInvalidXMLDocument
	}
	if x.MessageText == nil {
		return "", storageerr.ErrMissingRequiredXMLNode.WithDetail("XmlNodeName", "MessageText")
	}
	return *x.MessageText, nil
}

type xmlMessageList struct {
	XMLName  xml.Name     `xml:"QueueMessagesList"`
	Messages []xmlMessage `xml:"QueueMessage"`
}

// xmlMessage is one <QueueMessage> of a response; each operation fills the
// elements its reference page lists.
type xmlMessage struct {
	MessageID       string  `xml:"MessageId"`
	InsertionTime   string  `xml:"InsertionTime"`
	ExpirationTime  string  `xml:"ExpirationTime"`
	PopReceipt      *string `xml:"PopReceipt,omitempty"`
	TimeNextVisible *string `xml:"TimeNextVisible,omitempty"`
	DequeueCount    *int64  `xml:"DequeueCount,omitempty"`
	MessageText     *string `xml:"MessageText,omitempty"`
}

// messageXML renders m: put (receipt and next visible), get (all) or peek
// (dequeue count and text).
func messageXML(m queue.Message, receipt, count, text bool) xmlMessage {
	x := xmlMessage{
		MessageID:      m.ID,
		InsertionTime:  storagehttp.FormatHTTPDate(m.InsertionTime),
		ExpirationTime: storagehttp.FormatHTTPDate(m.ExpirationTime),
	}
	if receipt {
		r, nv := m.PopReceipt, storagehttp.FormatHTTPDate(m.TimeNextVisible)
		x.PopReceipt, x.TimeNextVisible = &r, &nv
	}
	if count {
		n := m.DequeueCount
		x.DequeueCount = &n
	}
	if text {
		t := m.Text
		x.MessageText = &t
	}
	return x
}

// parseACL decodes a Set Queue ACL body (storagehttp's signed identifiers
// with the Queue permission letters).
func parseACL(b []byte) ([]blobstore.SignedIdentifier, error) {
	// A queue policy grants r, a, u and p, and needs an Id.
	return storagehttp.ParseSignedIdentifiers(b, storagehttp.ACLRules{RequireID: true, Permissions: "raup", NodeValueDetail: true})
}
