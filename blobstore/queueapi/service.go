package queueapi

import (
	"net/http"
	"strings"

	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// GetQueueServiceProperties returns the account's Queue service properties.
// https://learn.microsoft.com/rest/api/storageservices/get-queue-service-properties
func (a *api) GetQueueServiceProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetServiceProperties(r.Context(), callOf(r).account)
	if err != nil {
		return err
	}
	return storagehttp.WriteXML(w, http.StatusOK, servicePropertiesXML(p))
}

// SetQueueServiceProperties stores the Queue service properties.
// https://learn.microsoft.com/rest/api/storageservices/set-queue-service-properties
func (a *api) SetQueueServiceProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := storagehttp.ParseXMLBody(r, parseServiceProperties)
	if err != nil {
		return err
	}
	if err := a.svc.SetServiceProperties(r.Context(), callOf(r).account, p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// GetQueueServiceStats reports geo-replication as live and in sync, as the
// Blob endpoint of azemu does: there is one copy of everything.
// https://learn.microsoft.com/rest/api/storageservices/get-queue-service-stats
func (a *api) GetQueueServiceStats(w http.ResponseWriter, r *http.Request) error {
	return storagehttp.WriteXML(w, http.StatusOK, xmlServiceStats{Status: "live", LastSyncTime: storagehttp.FormatHTTPDate(a.now())})
}

// ListQueues lists the account's queues.
// https://learn.microsoft.com/rest/api/storageservices/list-queues1
func (a *api) ListQueues(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	opts := queue.ListOptions{Prefix: qv.Get("prefix"), Marker: qv.Get("marker")}
	maxResults, err := storagehttp.ParseMaxResults(qv.Get("maxresults"))
	if err != nil {
		return err
	}
	opts.MaxResults = maxResults
	for _, inc := range storagehttp.SplitList(qv.Get("include")) {
		if !strings.EqualFold(inc, "metadata") {
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "include").WithDetail("QueryParameterValue", qv.Get("include"))
		}
		opts.IncludeMetadata = true
	}
	list, err := a.svc.ListQueues(r.Context(), c.account, opts)
	if err != nil {
		return err
	}
	x := xmlQueueList{ServiceEndpoint: storagehttp.ServiceEndpoint(r, c.account, true), NextMarker: list.NextMarker, Queues: []xmlQueue{}}
	x.Prefix, x.Marker, x.MaxResults = storagehttp.EchoList(qv, maxResults)
	for _, q := range list.Queues {
		xq := xmlQueue{Name: q.Name}
		if opts.IncludeMetadata {
			md := storagehttp.XMLMetadata(q.Metadata)
			xq.Metadata = &md
		}
		x.Queues = append(x.Queues, xq)
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}
