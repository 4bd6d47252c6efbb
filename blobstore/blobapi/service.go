package blobapi

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// GetBlobServiceProperties returns the account's Blob service properties.
// https://learn.microsoft.com/rest/api/storageservices/get-blob-service-properties
func (a *api) GetBlobServiceProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetServiceProperties(r.Context(), callOf(r).account.Name)
	if err != nil {
		return err
	}
	return storagehttp.WriteXML(w, http.StatusOK, servicePropertiesXML(p))
}

// SetBlobServiceProperties stores the Blob service properties (CORS rules
// among them).
// https://learn.microsoft.com/rest/api/storageservices/set-blob-service-properties
func (a *api) SetBlobServiceProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := storagehttp.ParseXMLBody(r, parseServiceProperties)
	if err != nil {
		return err
	}
	if err := a.svc.SetServiceProperties(r.Context(), callOf(r).account.Name, p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

type xmlServiceStats struct {
	XMLName      xml.Name `xml:"StorageServiceStats"`
	Status       string   `xml:"GeoReplication>Status"`
	LastSyncTime string   `xml:"GeoReplication>LastSyncTime"`
}

// GetBlobServiceStats reports geo-replication as live and in sync: azemu has
// one copy of everything.
// https://learn.microsoft.com/rest/api/storageservices/get-blob-service-stats
func (a *api) GetBlobServiceStats(w http.ResponseWriter, r *http.Request) error {
	return storagehttp.WriteXML(w, http.StatusOK, xmlServiceStats{Status: "live", LastSyncTime: storagehttp.FormatHTTPDate(a.now())})
}

// GetAccountInformation returns the SKU and account kind.
// https://learn.microsoft.com/rest/api/storageservices/get-account-information
func (a *api) GetAccountInformation(w http.ResponseWriter, r *http.Request) error {
	info, err := a.svc.GetAccountInfo(r.Context(), callOf(r).account.Name)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("x-ms-sku-name", info.SkuName)
	h.Set("x-ms-account-kind", info.AccountKind)
	h.Set("x-ms-is-hns-enabled", strconv.FormatBool(info.IsHierarchicalNamespaceEnabled))
	w.WriteHeader(http.StatusOK)
	return nil
}

// ListContainers lists the account's containers.
// https://learn.microsoft.com/rest/api/storageservices/list-containers2
func (a *api) ListContainers(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	opts := blobstore.ListContainersOptions{Prefix: qv.Get("prefix"), Marker: qv.Get("marker")}
	maxResults, err := storagehttp.ParseMaxResults(qv.Get("maxresults"))
	if err != nil {
		return err
	}
	opts.MaxResults = maxResults
	for _, inc := range storagehttp.SplitList(qv.Get("include")) {
		switch strings.ToLower(inc) {
		case "metadata":
			opts.IncludeMetadata = true
		case "deleted", "system":
		default:
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "include").WithDetail("QueryParameterValue", qv.Get("include"))
		}
	}
	list, err := a.svc.ListContainers(r.Context(), c.account.Name, opts)
	if err != nil {
		return err
	}
	x := xmlContainerList{ServiceEndpoint: serviceEndpoint(r, c.account.Name), NextMarker: list.NextMarker, Containers: []xmlContainer{}}
	x.Prefix, x.Marker, x.MaxResults = storagehttp.EchoList(qv, maxResults)
	for _, ct := range list.Containers {
		lease := storagehttp.LeaseOrDefault(ct.Lease)
		xc := xmlContainer{Name: ct.Name, Properties: xmlContainerProperties{
			LastModified:                httpDate(ct.LastModified),
			ETag:                        xmlQuotedETag{Inner: storagehttp.QuoteETag(ct.ETag)},
			LeaseStatus:                 string(lease.Status),
			LeaseState:                  string(lease.State),
			LeaseDuration:               string(lease.Duration),
			PublicAccess:                string(ct.PublicAccess),
			DefaultEncryptionScope:      defaultScope(ct.DefaultEncryptionScope),
			DenyEncryptionScopeOverride: ct.DenyEncryptionScopeOverride,
			HasImmutabilityPolicy:       ct.HasImmutabilityPolicy,
			HasLegalHold:                ct.HasLegalHold,
		}}
		if opts.IncludeMetadata {
			md := xmlMetadata(ct.Metadata)
			xc.Metadata = &md
		}
		x.Containers = append(x.Containers, xc)
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}

func defaultScope(s string) string {
	if s == "" {
		return "$account-encryption-key"
	}
	return s
}
