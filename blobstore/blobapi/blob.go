package blobapi

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/blob"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// PutBlob creates or replaces a block blob from the request body, streamed.
// https://learn.microsoft.com/rest/api/storageservices/put-blob
func (a *api) PutBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	switch bt := r.Header.Get("x-ms-blob-type"); {
	case bt == "":
		return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-blob-type")
	case !strings.EqualFold(bt, string(blobstore.BlockBlob)):
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-blob-type").WithDetail("HeaderValue", bt)
	}
	var hh blobstore.HTTPHeaders
	// Azure returns x-ms-content-crc64 on every Put Blob (2019-02-02 and
	// later); azemu computes it only when the client sends one to check (see
	// crcBody), since CRC64 of every byte costs a third of upload throughput.
	size, tmd5, crc, err := a.streamedBody(w, r, maxPutBlobBody, func() (err error) {
		hh, err = createHeaders(r, true)
		return err
	})
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	cond := conditions(r)
	fix := createOnly(c, &cond)
	res, err := a.svc.PutBlob(r.Context(), c.blobRef(), blobstore.PutBlobOptions{
		Body: r.Body, Size: size, HTTPHeaders: hh, Metadata: md, TransactionalMD5: tmd5,
		Conditions: cond, Tier: r.Header.Get("x-ms-access-tier"),
	})
	if err != nil {
		return fix(err)
	}
	return writeResult(w, res, crc(), http.StatusCreated)
}

// streamedBody checks a streamed request body before the service reads it:
// the declared size (contentLength), the limit, the transactional
// Content-MD5 and the x-ms-content-crc64 check (crcBody), in that order.
// between runs after the limit and before the checksums (Put Blob reads its
// content headers there).
func (a *api) streamedBody(w http.ResponseWriter, r *http.Request, limit int64, between func() error) (size int64, tmd5 []byte, crc func() string, err error) {
	if size, err = contentLength(r); err != nil {
		return 0, nil, nil, err
	}
	if err = limitBody(w, r, limit); err != nil {
		return 0, nil, nil, err
	}
	if between != nil {
		if err = between(); err != nil {
			return 0, nil, nil, err
		}
	}
	if tmd5, err = storagehttp.MD5Header(r, "Content-MD5"); err != nil {
		return 0, nil, nil, err
	}
	if crc, err = crcBody(r, a.crc); err != nil {
		return 0, nil, nil, err
	}
	return size, tmd5, crc, nil
}

// writeResult answers a write: the setWrite headers, x-ms-content-crc64
// when the body's CRC64 was checked, and status.
func writeResult(w http.ResponseWriter, res blobstore.WriteResult, crc string, status int) error {
	setWrite(w.Header(), res)
	setCRC(w.Header(), crc)
	w.WriteHeader(status)
	return nil
}

// writeBlockStaged answers Put Block and Put Block From URL: the block's
// Content-MD5, x-ms-content-crc64 when checked, 201.
func writeBlockStaged(w http.ResponseWriter, res blobstore.WriteResult, crc string) error {
	h := w.Header()
	if len(res.ContentMD5) > 0 {
		h.Set("Content-MD5", storagehttp.Base64(res.ContentMD5))
	}
	h.Set("x-ms-request-server-encrypted", "true")
	setCRC(h, crc)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// appendConditions reads x-ms-blob-condition-appendpos and -maxsize of
// Append Block and Append Block From URL.
func appendConditions(r *http.Request) (pos, maxSize *int64, err error) {
	if pos, err = optionalInt64Header(r, "x-ms-blob-condition-appendpos"); err != nil {
		return nil, nil, err
	}
	if maxSize, err = optionalInt64Header(r, "x-ms-blob-condition-maxsize"); err != nil {
		return nil, nil, err
	}
	return pos, maxSize, nil
}

// writeAppended answers Append Block and Append Block From URL.
func writeAppended(w http.ResponseWriter, res blobstore.AppendResult, crc string) error {
	h := w.Header()
	h.Set("x-ms-blob-append-offset", strconv.FormatInt(res.AppendOffset, 10))
	h.Set("x-ms-blob-committed-block-count", strconv.Itoa(res.CommittedBlockCount))
	return writeResult(w, res.WriteResult, crc, http.StatusCreated)
}

func setCRC(h http.Header, crc string) {
	if crc != "" {
		h.Set("x-ms-content-crc64", crc)
	}
}

// noSnapshot applies the service's rule (blob.BaseOnly) before the rest of
// the request is parsed.
func noSnapshot(c *call) error { return blob.BaseOnly(c.blobRef()) }

// GetBlob streams a blob or a range of it.
// https://learn.microsoft.com/rest/api/storageservices/get-blob
func (a *api) GetBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	req, err := storagehttp.ParseContentRequest(r.Header, true)
	if err != nil {
		return err
	}
	rd, err := a.svc.GetBlob(r.Context(), c.blobRef(), conditions(r))
	if err != nil {
		return err
	}
	defer rd.Close()
	off, n, err := req.Resolve(rd.Size())
	if err != nil {
		return err
	}
	setBlobHeaders(w.Header(), &rd.Properties, c)
	return a.pool.WriteContent(w, r, req, storagehttp.Content{
		Data: rd, Size: rd.Size(), Off: off, N: n,
		StoredMD5: rd.Properties.HTTPHeaders.ContentMD5, StoredMD5Header: "x-ms-blob-content-md5", CRC64: a.crc,
		OnStreamError: func(err error) {
			a.log.Error("get blob: streaming failed", "request_id", c.requestID, "account", c.account.Name, "error", err)
		},
	})
}

// GetBlobProperties returns a blob's properties and metadata (HEAD).
// https://learn.microsoft.com/rest/api/storageservices/get-blob-properties
func (a *api) GetBlobProperties(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	p, err := a.svc.GetBlobProperties(r.Context(), c.blobRef(), conditions(r))
	if err != nil {
		return err
	}
	setBlobHeaders(w.Header(), &p, c)
	return storagehttp.WriteProperties(w, p.ContentLength, p.HTTPHeaders.ContentMD5)
}

// GetBlobMetadata returns a blob's metadata.
// https://learn.microsoft.com/rest/api/storageservices/get-blob-metadata
func (a *api) GetBlobMetadata(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	p, err := a.svc.GetBlobProperties(r.Context(), c.blobRef(), conditions(r))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", storagehttp.QuoteETag(p.ETag))
	h.Set("Last-Modified", storagehttp.FormatHTTPDate(p.LastModified))
	storagehttp.SetMetadataHeaders(h, p.Metadata)
	w.WriteHeader(http.StatusOK)
	return nil
}

// SetBlobMetadata replaces a blob's metadata.
// https://learn.microsoft.com/rest/api/storageservices/set-blob-metadata
func (a *api) SetBlobMetadata(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	res, err := a.svc.SetBlobMetadata(r.Context(), c.blobRef(), md, conditions(r))
	if err != nil {
		return err
	}
	return writeResult(w, res, "", http.StatusOK)
}

// SetBlobProperties replaces a blob's HTTP headers.
// https://learn.microsoft.com/rest/api/storageservices/set-blob-properties
func (a *api) SetBlobProperties(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	opts := blobstore.SetBlobPropertiesOptions{Conditions: conditions(r)}
	// The six content properties are set together when any of them is
	// given; a request with none of them leaves them as they are.
	for _, name := range []string{"x-ms-blob-cache-control", "x-ms-blob-content-type", "x-ms-blob-content-md5",
		"x-ms-blob-content-encoding", "x-ms-blob-content-language", "x-ms-blob-content-disposition"} {
		if _, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
			hh, err := blobHTTPHeaders(r, false)
			if err != nil {
				return err
			}
			opts.HTTPHeaders = &hh
			break
		}
	}
	res, err := a.svc.SetBlobProperties(r.Context(), c.blobRef(), opts)
	if err != nil {
		return err
	}
	res.ContentMD5 = nil
	setWrite(w.Header(), res)
	w.Header().Del("x-ms-request-server-encrypted")
	w.WriteHeader(http.StatusOK)
	return nil
}

// DeleteBlob deletes a blob, one snapshot, or its snapshots.
// https://learn.microsoft.com/rest/api/storageservices/delete-blob
func (a *api) DeleteBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	ds := blobstore.DeleteSnapshots(strings.ToLower(r.Header.Get("x-ms-delete-snapshots")))
	switch ds {
	case blobstore.DeleteSnapshotsNone, blobstore.DeleteSnapshotsInclude, blobstore.DeleteSnapshotsOnly:
	default:
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-delete-snapshots").WithDetail("HeaderValue", r.Header.Get("x-ms-delete-snapshots"))
	}
	if err := a.svc.DeleteBlob(r.Context(), c.blobRef(), blobstore.DeleteBlobOptions{DeleteSnapshots: ds, Conditions: conditions(r)}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// LeaseBlob acquires, renews, changes, releases or breaks a blob lease.
// https://learn.microsoft.com/rest/api/storageservices/lease-blob
func (a *api) LeaseBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	opts, err := leaseOptions(r)
	if err != nil {
		return err
	}
	res, err := a.svc.LeaseBlob(r.Context(), c.blobRef(), opts)
	if err != nil {
		return err
	}
	return storagehttp.WriteLeaseResult(w, opts.Action, res)
}

// SnapshotBlob creates a read-only snapshot.
// https://learn.microsoft.com/rest/api/storageservices/snapshot-blob
func (a *api) SnapshotBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	res, err := a.svc.SnapshotBlob(r.Context(), c.blobRef(), blobstore.SnapshotOptions{Metadata: md, Conditions: conditions(r)})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("x-ms-snapshot", res.Snapshot)
	setWrite(h, blobstore.WriteResult{ETag: res.ETag, LastModified: res.LastModified})
	w.WriteHeader(http.StatusCreated)
	return nil
}

// PutBlock stages a block, streamed.
// https://learn.microsoft.com/rest/api/storageservices/put-block
func (a *api) PutBlock(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	id := r.URL.Query().Get("blockid")
	if id == "" {
		return storageerr.ErrMissingRequiredQueryParameter.WithDetail("QueryParameterName", "blockid")
	}
	// Content-MD5 is echoed when the request sends one; x-ms-content-crc64
	// when the request sends one (see crcBody).
	size, tmd5, crc, err := a.streamedBody(w, r, maxPutBlockBody, nil)
	if err != nil {
		return err
	}
	res, err := a.svc.PutBlock(r.Context(), c.blobRef(), blobstore.PutBlockOptions{
		BlockID: id, Body: r.Body, Size: size, TransactionalMD5: tmd5, LeaseID: storagehttp.LeaseID(r.Header),
	})
	if err != nil {
		return err
	}
	return writeBlockStaged(w, res, crc())
}

// PutBlockList commits a block list.
// https://learn.microsoft.com/rest/api/storageservices/put-block-list
func (a *api) PutBlockList(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	b, err := storagehttp.ReadBody(r, storagehttp.MaxXMLBody)
	if err != nil {
		return err
	}
	// Content-MD5 / x-ms-content-crc64 protect the block list body itself.
	if err := oneDigest(r); err != nil {
		return err
	}
	tmd5, err := storagehttp.MD5Header(r, "Content-MD5")
	if err != nil {
		return err
	}
	sum := md5.Sum(b)
	if tmd5 != nil && !bytes.Equal(tmd5, sum[:]) {
		return storageerr.ErrMD5Mismatch
	}
	crc := ""
	if tmd5 == nil {
		crc = crc64Of(a.crc, b)
		if v := r.Header.Get("x-ms-content-crc64"); v != "" && v != crc {
			if d, err := base64.StdEncoding.DecodeString(v); err != nil || len(d) != 8 {
				return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-content-crc64").WithDetail("HeaderValue", v)
			}
			return errCRC64Mismatch
		}
	}
	blocks, err := parseBlockList(b)
	if err != nil {
		return err
	}
	hh, err := createHeaders(r, false)
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	res, err := a.svc.PutBlockList(r.Context(), c.blobRef(), blobstore.PutBlockListOptions{
		Blocks: blocks, HTTPHeaders: hh, Metadata: md, Conditions: conditions(r), Tier: r.Header.Get("x-ms-access-tier"),
	})
	if err != nil {
		return err
	}
	if tmd5 != nil {
		res.ContentMD5 = tmd5
	}
	return writeResult(w, res, crc, http.StatusCreated)
}

// GetBlockList returns the committed and/or uncommitted blocks.
// https://learn.microsoft.com/rest/api/storageservices/get-block-list
func (a *api) GetBlockList(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	typ := blobstore.BlockListType(strings.ToLower(r.URL.Query().Get("blocklisttype")))
	switch typ {
	case "":
		typ = blobstore.BlockListCommitted
	case blobstore.BlockListCommitted, blobstore.BlockListUncommitted, blobstore.BlockListAll:
	default:
		return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "blocklisttype").WithDetail("QueryParameterValue", string(typ))
	}
	bl, err := a.svc.GetBlockList(r.Context(), c.blobRef(), blobstore.GetBlockListOptions{Type: typ, Conditions: conditions(r)})
	if err != nil {
		return err
	}
	h := w.Header()
	if bl.ETag != "" {
		h.Set("ETag", storagehttp.QuoteETag(bl.ETag))
		h.Set("Last-Modified", storagehttp.FormatHTTPDate(bl.LastModified))
	}
	h.Set("x-ms-blob-content-length", strconv.FormatInt(bl.ContentLength, 10))
	x := xmlBlockList{}
	if typ != blobstore.BlockListUncommitted {
		x.Committed = blocksXML(bl.Committed)
	}
	if typ != blobstore.BlockListCommitted {
		x.Uncommitted = blocksXML(bl.Uncommitted)
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}

// CreateAppendBlob creates an empty append blob.
// https://learn.microsoft.com/rest/api/storageservices/put-blob
func (a *api) CreateAppendBlob(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	if r.ContentLength > 0 {
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "Content-Length").WithDetail("HeaderValue", strconv.FormatInt(r.ContentLength, 10))
	}
	hh, err := createHeaders(r, true)
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	res, err := a.svc.CreateAppendBlob(r.Context(), c.blobRef(), blobstore.CreateAppendBlobOptions{HTTPHeaders: hh, Metadata: md, Conditions: conditions(r)})
	if err != nil {
		return err
	}
	res.ContentMD5 = nil
	return writeResult(w, res, "", http.StatusCreated)
}

// AppendBlock appends the request body to an append blob, streamed.
// https://learn.microsoft.com/rest/api/storageservices/append-block
func (a *api) AppendBlock(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	// Content-MD5 is echoed when the request sends one; x-ms-content-crc64
	// when the request sends one (see crcBody).
	size, tmd5, crc, err := a.streamedBody(w, r, maxAppendBlock, nil)
	if err != nil {
		return err
	}
	pos, maxSize, err := appendConditions(r)
	if err != nil {
		return err
	}
	res, err := a.svc.AppendBlock(r.Context(), c.blobRef(), blobstore.AppendBlockOptions{
		Body: r.Body, Size: size, TransactionalMD5: tmd5, Conditions: conditions(r), AppendPosition: pos, MaxSize: maxSize,
	})
	if err != nil {
		return err
	}
	return writeAppended(w, res, crc())
}

// SetBlobTier sets the access tier of a block blob or snapshot (Hot, Cool,
// Cold; Archive is refused: azemu keeps every blob online). Like Azure it
// answers 200 and changes neither ETag nor Last-Modified.
// https://learn.microsoft.com/rest/api/storageservices/set-blob-tier
func (a *api) SetBlobTier(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	tier := r.Header.Get("x-ms-access-tier")
	if tier == "" {
		return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-access-tier")
	}
	if err := a.svc.SetBlobTier(r.Context(), c.blobRef(), tier, blobstore.Conditions{LeaseID: storagehttp.LeaseID(r.Header)}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
