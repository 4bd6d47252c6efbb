package queueapi

import (
	"net/http"
	"strconv"

	"github.com/azemu/azemu/blobstore/storagehttp"
)

// CreateQueue creates a queue: 201, or 204 when it exists with the same
// metadata (409 QueueAlreadyExists with other metadata).
// https://learn.microsoft.com/rest/api/storageservices/create-queue4
func (a *api) CreateQueue(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	created, err := a.svc.CreateQueue(r.Context(), c.account, c.queue, md)
	if err != nil {
		return err
	}
	if created {
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// DeleteQueue deletes a queue and its messages.
// https://learn.microsoft.com/rest/api/storageservices/delete-queue3
func (a *api) DeleteQueue(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := a.svc.DeleteQueue(r.Context(), c.account, c.queue); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GetQueueMetadata returns the metadata and the approximate message count.
// https://learn.microsoft.com/rest/api/storageservices/get-queue-metadata
func (a *api) GetQueueMetadata(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	p, err := a.svc.GetQueueProperties(r.Context(), c.account, c.queue)
	if err != nil {
		return err
	}
	h := w.Header()
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	h.Set("x-ms-approximate-messages-count", strconv.FormatUint(p.ApproximateMessageCount, 10))
	w.WriteHeader(http.StatusOK)
	return nil
}

// SetQueueMetadata replaces the metadata of a queue.
// https://learn.microsoft.com/rest/api/storageservices/set-queue-metadata
func (a *api) SetQueueMetadata(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	if err := a.svc.SetQueueMetadata(r.Context(), c.account, c.queue, md); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GetQueueACL returns the stored access policies of a queue.
// https://learn.microsoft.com/rest/api/storageservices/get-queue-acl
func (a *api) GetQueueACL(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	ids, err := a.svc.GetQueueACL(r.Context(), c.account, c.queue)
	if err != nil {
		return err
	}
	return storagehttp.WriteSignedIdentifiers(w, r, ids)
}

// SetQueueACL replaces the stored access policies of a queue.
// https://learn.microsoft.com/rest/api/storageservices/set-queue-acl
func (a *api) SetQueueACL(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	ids, err := storagehttp.ParseXMLBody(r, parseACL)
	if err != nil {
		return err
	}
	if err := a.svc.SetQueueACL(r.Context(), c.account, c.queue, ids); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
