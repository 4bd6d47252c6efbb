package storagehttp

import "github.com/azemu/azemu/blobstore"

// Parts of <StorageServiceProperties> both services share (Get/Set Blob
// Service Properties, Get/Set File Service Properties).

// XMLRetention is a <RetentionPolicy> (AllowPermanentDelete is the Blob
// delete retention policy's only).
type XMLRetention struct {
	Enabled              bool  `xml:"Enabled"`
	Days                 *int  `xml:"Days,omitempty"`
	AllowPermanentDelete *bool `xml:"AllowPermanentDelete,omitempty"`
}

// ToStore converts r for the service.
func (r XMLRetention) ToStore() blobstore.RetentionPolicy {
	return blobstore.RetentionPolicy{Enabled: r.Enabled, Days: r.Days, AllowPermanentDelete: r.AllowPermanentDelete}
}

// RetentionXML renders a retention policy.
func RetentionXML(r blobstore.RetentionPolicy) XMLRetention {
	return XMLRetention{Enabled: r.Enabled, Days: r.Days, AllowPermanentDelete: r.AllowPermanentDelete}
}

// XMLMetrics is <HourMetrics> or <MinuteMetrics>.
type XMLMetrics struct {
	Version         string       `xml:"Version"`
	Enabled         bool         `xml:"Enabled"`
	IncludeAPIs     *bool        `xml:"IncludeAPIs,omitempty"`
	RetentionPolicy XMLRetention `xml:"RetentionPolicy"`
}

// ToStore converts m for the service; nil (element absent) stays nil.
func (m *XMLMetrics) ToStore() *blobstore.MetricsProperties {
	if m == nil {
		return nil
	}
	return &blobstore.MetricsProperties{Version: m.Version, Enabled: m.Enabled, IncludeAPIs: m.IncludeAPIs, RetentionPolicy: m.RetentionPolicy.ToStore()}
}

// MetricsXML renders metrics properties; nil (never set) stays nil, for
// the caller to apply its service's default.
func MetricsXML(m *blobstore.MetricsProperties) *XMLMetrics {
	if m == nil {
		return nil
	}
	return &XMLMetrics{Version: m.Version, Enabled: m.Enabled, IncludeAPIs: m.IncludeAPIs, RetentionPolicy: RetentionXML(m.RetentionPolicy)}
}
