package blobapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

func publicAccess(r *http.Request) (blobstore.PublicAccess, error) {
	v := r.Header.Get("x-ms-blob-public-access")
	switch strings.ToLower(v) {
	case "":
		return blobstore.PublicAccessNone, nil
	case "blob":
		return blobstore.PublicAccessBlob, nil
	case "container":
		return blobstore.PublicAccessContainer, nil
	}
	return "", storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-blob-public-access").WithDetail("HeaderValue", v)
}

// CreateContainer creates a container.
// https://learn.microsoft.com/rest/api/storageservices/create-container
func (a *api) CreateContainer(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	pa, err := publicAccess(r)
	if err != nil {
		return err
	}
	opts := blobstore.CreateContainerOptions{
		Metadata:                    md,
		PublicAccess:                pa,
		DefaultEncryptionScope:      r.Header.Get("x-ms-default-encryption-scope"),
		DenyEncryptionScopeOverride: strings.EqualFold(r.Header.Get("x-ms-deny-encryption-scope-override"), "true"),
	}
	p, err := a.svc.CreateContainer(r.Context(), c.containerRef(), opts)
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), p.ETag, p.LastModified)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// GetContainerProperties returns a container's properties and metadata.
// https://learn.microsoft.com/rest/api/storageservices/get-container-properties
func (a *api) GetContainerProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetContainerProperties(r.Context(), callOf(r).containerRef(), conditions(r))
	if err != nil {
		return err
	}
	h := w.Header()
	storagehttp.SetETagHeaders(h, p.ETag, p.LastModified)
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	storagehttp.SetLeaseHeaders(h, p.Lease)
	if p.PublicAccess != blobstore.PublicAccessNone {
		h.Set("x-ms-blob-public-access", string(p.PublicAccess))
	}
	h.Set("x-ms-has-immutability-policy", strconv.FormatBool(p.HasImmutabilityPolicy))
	h.Set("x-ms-has-legal-hold", strconv.FormatBool(p.HasLegalHold))
	h.Set("x-ms-default-encryption-scope", defaultScope(p.DefaultEncryptionScope))
	h.Set("x-ms-deny-encryption-scope-override", strconv.FormatBool(p.DenyEncryptionScopeOverride))
	h.Set("x-ms-immutable-storage-with-versioning-enabled", "false")
	w.WriteHeader(http.StatusOK)
	return nil
}

// GetContainerMetadata returns a container's metadata.
// https://learn.microsoft.com/rest/api/storageservices/get-container-metadata
func (a *api) GetContainerMetadata(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetContainerMetadata(r.Context(), callOf(r).containerRef(), conditions(r))
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), p.ETag, p.LastModified)
	storagehttp.SetMetadataHeaders(w.Header(), p.Metadata)
	w.WriteHeader(http.StatusOK)
	return nil
}

// SetContainerMetadata replaces a container's metadata.
// https://learn.microsoft.com/rest/api/storageservices/set-container-metadata
func (a *api) SetContainerMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	p, err := a.svc.SetContainerMetadata(r.Context(), callOf(r).containerRef(), md, conditions(r))
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), p.ETag, p.LastModified)
	w.WriteHeader(http.StatusOK)
	return nil
}

// GetContainerACL returns the public access level and stored access policies.
// https://learn.microsoft.com/rest/api/storageservices/get-container-acl
func (a *api) GetContainerACL(w http.ResponseWriter, r *http.Request) error {
	acl, err := a.svc.GetContainerACL(r.Context(), callOf(r).containerRef(), conditions(r))
	if err != nil {
		return err
	}
	h := w.Header()
	storagehttp.SetETagHeaders(h, acl.ETag, acl.LastModified)
	if acl.PublicAccess != blobstore.PublicAccessNone {
		h.Set("x-ms-blob-public-access", string(acl.PublicAccess))
	}
	return storagehttp.WriteSignedIdentifiers(w, r, acl.Identifiers)
}

// SetContainerACL replaces the public access level and stored access policies.
// https://learn.microsoft.com/rest/api/storageservices/set-container-acl
func (a *api) SetContainerACL(w http.ResponseWriter, r *http.Request) error {
	pa, err := publicAccess(r)
	if err != nil {
		return err
	}
	ids, err := storagehttp.ParseXMLBody(r, parseSignedIdentifiers)
	if err != nil {
		return err
	}
	p, err := a.svc.SetContainerACL(r.Context(), callOf(r).containerRef(), blobstore.SetContainerACLOptions{
		PublicAccess: pa, Identifiers: ids, Conditions: conditions(r),
	})
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), p.ETag, p.LastModified)
	w.WriteHeader(http.StatusOK)
	return nil
}

// DeleteContainer deletes a container and its blobs.
// https://learn.microsoft.com/rest/api/storageservices/delete-container
func (a *api) DeleteContainer(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteContainer(r.Context(), callOf(r).containerRef(), conditions(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// LeaseContainer acquires, renews, changes, releases or breaks a container lease.
// https://learn.microsoft.com/rest/api/storageservices/lease-container
func (a *api) LeaseContainer(w http.ResponseWriter, r *http.Request) error {
	opts, err := leaseOptions(r)
	if err != nil {
		return err
	}
	res, err := a.svc.LeaseContainer(r.Context(), callOf(r).containerRef(), opts)
	if err != nil {
		return err
	}
	return storagehttp.WriteLeaseResult(w, opts.Action, res)
}

// blobLeaseRules: the Blob service checks the action itself, requires
// x-ms-lease-duration to acquire and reads a break period only to break.
var blobLeaseRules = storagehttp.LeaseRules{CheckAction: true, BreakPeriodOnBreak: true}

// leaseOptions parses the Lease Container / Lease Blob headers, with the
// request's conditions.
func leaseOptions(r *http.Request) (blobstore.LeaseOptions, error) {
	opts, err := storagehttp.ParseLeaseOptions(r.Header, blobLeaseRules)
	if err != nil {
		return opts, err
	}
	opts.Conditions = toStoreConditions(storagehttp.ParseConditions(r.Header), "")
	return opts, nil
}

// ListBlobs lists a container's blobs, flat or by delimiter.
// https://learn.microsoft.com/rest/api/storageservices/list-blobs
func (a *api) ListBlobs(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	opts := blobstore.ListBlobsOptions{Prefix: qv.Get("prefix"), Delimiter: qv.Get("delimiter"), Marker: qv.Get("marker")}
	maxResults, err := storagehttp.ParseMaxResults(qv.Get("maxresults"))
	if err != nil {
		return err
	}
	opts.MaxResults = maxResults
	for _, inc := range storagehttp.SplitList(qv.Get("include")) {
		switch strings.ToLower(inc) {
		case "metadata":
			opts.Include.Metadata = true
		case "snapshots":
			opts.Include.Snapshots = true
		case "uncommittedblobs":
			opts.Include.UncommittedBlobs = true
		case "copy":
			opts.Include.Copy = true
		case "deleted":
			opts.Include.Deleted = true
		case "tags":
			opts.Include.Tags = true
		case "versions":
			opts.Include.Versions = true
		case "immutabilitypolicy", "legalhold", "deletedwithversions", "permissions":
		default:
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "include").WithDetail("QueryParameterValue", qv.Get("include"))
		}
	}
	if opts.Delimiter != "" && opts.Include.Snapshots {
		// List Blobs remarks: a delimiter and include=snapshots together
		// are a 400.
		return storageerr.ErrInvalidQueryParameterValue.WithMessage("Snapshots cannot be listed with a delimiter.").
			WithDetail("QueryParameterName", "include").WithDetail("QueryParameterValue", qv.Get("include"))
	}
	list, err := a.svc.ListBlobs(r.Context(), c.containerRef(), opts)
	if err != nil {
		return err
	}
	x := xmlBlobList{ServiceEndpoint: serviceEndpoint(r, c.account.Name), ContainerName: c.container, NextMarker: list.NextMarker}
	x.Prefix, x.Marker, x.MaxResults = storagehttp.EchoList(qv, maxResults)
	if opts.Delimiter != "" {
		d := opts.Delimiter
		x.Delimiter = &d
	}
	x.Blobs.Items = make([]any, 0, len(list.Items))
	for _, it := range list.Items {
		if it.Blob == nil {
			x.Blobs.Items = append(x.Blobs.Items, xmlBlobPrefix{Name: blobName(it.Prefix)})
			continue
		}
		bx := blobXML(it.Blob, opts.Include.Copy)
		if !opts.Include.Metadata {
			bx.Metadata = nil
		} else if bx.Metadata == nil {
			md := xmlMetadata{}
			bx.Metadata = &md
		}
		x.Blobs.Items = append(x.Blobs.Items, bx)
	}
	body := appendBlobList(append(make([]byte, 0, 1024+512*len(list.Items)), storagehttp.XMLDecl...), &x)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}
