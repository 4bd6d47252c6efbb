package fileapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// GetFileServiceProperties returns the File service properties.
// https://learn.microsoft.com/rest/api/storageservices/get-file-service-properties
func (a *api) GetFileServiceProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetFileServiceProperties(r.Context(), callOf(r).account.Name)
	if err != nil {
		return err
	}
	return storagehttp.WriteXML(w, http.StatusOK, servicePropertiesXML(p))
}

// SetFileServiceProperties stores metrics, CORS and SMB protocol settings.
// https://learn.microsoft.com/rest/api/storageservices/set-file-service-properties
func (a *api) SetFileServiceProperties(w http.ResponseWriter, r *http.Request) error {
	p, err := storagehttp.ParseXMLBody(r, parseServiceProperties)
	if err != nil {
		return err
	}
	if err := a.svc.SetFileServiceProperties(r.Context(), callOf(r).account.Name, p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ListShares lists the account's shares.
// https://learn.microsoft.com/rest/api/storageservices/list-shares
func (a *api) ListShares(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	opts := blobstore.ListSharesOptions{Prefix: qv.Get("prefix"), Marker: qv.Get("marker")}
	n, err := storagehttp.ParseMaxResults(qv.Get("maxresults"))
	if err != nil {
		return err
	}
	opts.MaxResults = n
	for _, inc := range storagehttp.SplitList(qv.Get("include")) {
		switch strings.ToLower(inc) {
		case "metadata":
			opts.IncludeMetadata = true
		case "snapshots":
			opts.IncludeSnapshots = true
		case "deleted":
			opts.IncludeDeleted = true
		default:
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "include").WithDetail("QueryParameterValue", qv.Get("include"))
		}
	}
	list, err := a.svc.ListShares(r.Context(), c.account.Name, opts)
	if err != nil {
		return err
	}
	x := xmlShareList{ServiceEndpoint: serviceEndpoint(r, c.account.Name), NextMarker: list.NextMarker, Shares: []xmlShare{}}
	x.Prefix, x.Marker, x.MaxResults = storagehttp.EchoList(qv, n)
	for _, s := range list.Shares {
		xs := xmlShare{Name: s.Name, Snapshot: s.Snapshot, Properties: xmlShareProperties{
			LastModified: httpDate(s.LastModified), ETag: storagehttp.QuoteETag(s.ETag), Quota: s.Quota,
			AccessTier: s.AccessTier, AccessTierChangeTime: httpDate(s.AccessTierChangeTime), EnabledProtocols: s.EnabledProtocols,
		}}
		xs.Properties.LeaseStatus, xs.Properties.LeaseState = string(s.Lease.Status), string(s.Lease.State)
		xs.Properties.LeaseDuration = string(s.Lease.Duration)
		if opts.IncludeMetadata {
			xs.Metadata = metadataXML(s.Metadata)
		}
		x.Shares = append(x.Shares, xs)
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}

func quotaHeader(r *http.Request) (*int, error) {
	v := r.Header.Get("x-ms-share-quota")
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return nil, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-share-quota").WithDetail("HeaderValue", v)
	}
	return &n, nil
}

func setShareHeaders(h http.Header, p blobstore.ShareProperties) {
	storagehttp.SetETagHeaders(h, p.ETag, p.LastModified)
	h.Set("x-ms-share-quota", strconv.Itoa(p.Quota))
}

// CreateShare creates a share.
// https://learn.microsoft.com/rest/api/storageservices/create-share
func (a *api) CreateShare(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	q, err := quotaHeader(r)
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	opts := blobstore.CreateShareOptions{AccessTier: r.Header.Get("x-ms-access-tier"), EnabledProtocols: r.Header.Get("x-ms-enabled-protocols"), Metadata: md}
	if q != nil {
		opts.Quota = *q
	}
	p, err := a.svc.CreateShare(r.Context(), c.shareRef(), opts)
	if err != nil {
		return err
	}
	setShareHeaders(w.Header(), p)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// GetShareProperties returns a share's properties and metadata (also Get
// Share Metadata).
// https://learn.microsoft.com/rest/api/storageservices/get-share-properties
func (a *api) GetShareProperties(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	p, err := a.svc.GetShareProperties(r.Context(), c.shareRef(), leaseID(r))
	if err != nil {
		return err
	}
	h := w.Header()
	setShareHeaders(h, p)
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	if c.op.name == "GetShareProperties" {
		h.Set("x-ms-access-tier", p.AccessTier)
		if !p.AccessTierChangeTime.IsZero() {
			h.Set("x-ms-access-tier-change-time", httpDate(p.AccessTierChangeTime))
		}
		h.Set("x-ms-enabled-protocols", p.EnabledProtocols)
		storagehttp.SetLeaseHeaders(h, p.Lease)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// SetShareProperties changes quota and access tier.
// https://learn.microsoft.com/rest/api/storageservices/set-share-properties
func (a *api) SetShareProperties(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	q, err := quotaHeader(r)
	if err != nil {
		return err
	}
	p, err := a.svc.SetShareProperties(r.Context(), c.shareRef(), blobstore.SetSharePropertiesOptions{
		Quota: q, AccessTier: r.Header.Get("x-ms-access-tier"), LeaseID: leaseID(r)})
	if err != nil {
		return err
	}
	setShareHeaders(w.Header(), p)
	w.WriteHeader(http.StatusOK)
	return nil
}

// SetShareMetadata replaces a share's metadata.
// https://learn.microsoft.com/rest/api/storageservices/set-share-metadata
func (a *api) SetShareMetadata(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	p, err := a.svc.SetShareMetadata(r.Context(), c.shareRef(), md, leaseID(r))
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), p.ETag, p.LastModified)
	w.WriteHeader(http.StatusOK)
	return nil
}

// DeleteShare deletes a share (with x-ms-delete-snapshots: include, its
// snapshots too) or one share snapshot.
// https://learn.microsoft.com/rest/api/storageservices/delete-share
func (a *api) DeleteShare(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	err := a.svc.DeleteShare(r.Context(), c.shareRef(), blobstore.DeleteShareOptions{
		DeleteSnapshots: r.Header.Get("x-ms-delete-snapshots"), LeaseID: leaseID(r)})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// GetShareACL returns the share's stored access policies.
// https://learn.microsoft.com/rest/api/storageservices/get-share-acl
func (a *api) GetShareACL(w http.ResponseWriter, r *http.Request) error {
	acl, err := a.svc.GetShareACL(r.Context(), callOf(r).shareRef(), leaseID(r))
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), acl.ETag, acl.LastModified)
	return storagehttp.WriteSignedIdentifiers(w, r, acl.Identifiers)
}

// SetShareACL replaces the share's stored access policies.
// https://learn.microsoft.com/rest/api/storageservices/set-share-acl
func (a *api) SetShareACL(w http.ResponseWriter, r *http.Request) error {
	ids, err := storagehttp.ParseXMLBody(r, parseSignedIdentifiers)
	if err != nil {
		return err
	}
	p, err := a.svc.SetShareACL(r.Context(), callOf(r).shareRef(), ids, leaseID(r))
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), p.ETag, p.LastModified)
	w.WriteHeader(http.StatusOK)
	return nil
}

// SnapshotShare takes a share snapshot.
// https://learn.microsoft.com/rest/api/storageservices/snapshot-share
func (a *api) SnapshotShare(w http.ResponseWriter, r *http.Request) error {
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	p, err := a.svc.SnapshotShare(r.Context(), callOf(r).shareRef(), md)
	if err != nil {
		return err
	}
	h := w.Header()
	storagehttp.SetETagHeaders(h, p.ETag, p.LastModified)
	h.Set("x-ms-snapshot", p.Snapshot)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// LeaseShare acquires, renews, changes, releases or breaks a share lease.
// https://learn.microsoft.com/rest/api/storageservices/lease-share
func (a *api) LeaseShare(w http.ResponseWriter, r *http.Request) error {
	o, err := leaseOptions(r)
	if err != nil {
		return err
	}
	res, err := a.svc.LeaseShare(r.Context(), callOf(r).shareRef(), o)
	if err != nil {
		return err
	}
	return storagehttp.WriteLeaseResult(w, o.Action, res)
}

// GetShareStats returns the bytes stored in a share.
// https://learn.microsoft.com/rest/api/storageservices/get-share-stats
func (a *api) GetShareStats(w http.ResponseWriter, r *http.Request) error {
	st, err := a.svc.GetShareStats(r.Context(), callOf(r).shareRef(), leaseID(r))
	if err != nil {
		return err
	}
	storagehttp.SetETagHeaders(w.Header(), st.ETag, st.LastModified)
	return storagehttp.WriteXML(w, http.StatusOK, xmlShareStats{ShareUsageBytes: st.UsageBytes})
}

// CreatePermission stores a security descriptor and returns its key.
// https://learn.microsoft.com/rest/api/storageservices/create-permission
func (a *api) CreatePermission(w http.ResponseWriter, r *http.Request) error {
	b, err := storagehttp.ReadBody(r, 64<<10)
	if err != nil {
		return err
	}
	p, err := parsePermission(b)
	if err != nil {
		return err
	}
	key, err := a.svc.CreatePermission(r.Context(), callOf(r).shareRef(), p)
	if err != nil {
		return err
	}
	w.Header().Set("x-ms-file-permission-key", key)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// GetPermission returns the descriptor stored under x-ms-file-permission-key.
// https://learn.microsoft.com/rest/api/storageservices/get-permission
func (a *api) GetPermission(w http.ResponseWriter, r *http.Request) error {
	key := r.Header.Get("x-ms-file-permission-key")
	if key == "" {
		return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-file-permission-key")
	}
	p, err := a.svc.GetPermission(r.Context(), callOf(r).shareRef(), key, r.Header.Get("x-ms-file-permission-format"))
	if err != nil {
		return err
	}
	out := struct {
		Permission string `json:"permission"`
		Format     string `json:"format,omitempty"`
	}{p.Permission, p.Format}
	return writeJSON(w, http.StatusOK, out)
}
