package blobapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// openCopySource opens the blob named by x-ms-copy-source for a *FromURL
// operation and resolves x-ms-source-range against it. The caller closes
// the reader.
func (a *api) openCopySource(r *http.Request, c *call) (rd *blobstore.BlobReader, off, n int64, err error) {
	src, err := a.resolveCopySource(r, c, false)
	if err != nil {
		return nil, 0, 0, err
	}
	rd, err = a.svc.GetBlob(r.Context(), src, sourceConditions(r))
	switch {
	case errors.Is(err, storageerr.ErrBlobNotFound), errors.Is(err, storageerr.ErrContainerNotFound):
		return nil, 0, 0, &storageerr.Error{Status: http.StatusNotFound, Code: storageerr.ErrCannotVerifyCopySource.Code, Message: "The specified blob does not exist."}
	case errors.Is(err, storageerr.ErrNotModified), errors.Is(err, storageerr.ErrConditionNotMet):
		return nil, 0, 0, storageerr.ErrSourceConditionNotMet
	case err != nil:
		return nil, 0, 0, err
	}
	size := rd.Size()
	off, n = 0, size
	if v := r.Header.Get("x-ms-source-range"); v != "" {
		rng, perr := storagehttp.ParseRangeValue(v)
		if perr != nil {
			rd.Close()
			return nil, 0, 0, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-source-range").WithDetail("HeaderValue", v)
		}
		if off, n, err = rng.Resolve(size); err != nil {
			rd.Close()
			return nil, 0, 0, err
		}
	}
	return rd, off, n, nil
}

// PutBlockFromURL stages a block read from a blob of this emulator.
// https://learn.microsoft.com/rest/api/storageservices/put-block-from-url
func (a *api) PutBlockFromURL(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	id := r.URL.Query().Get("blockid")
	if id == "" {
		return storageerr.ErrMissingRequiredQueryParameter.WithDetail("QueryParameterName", "blockid")
	}
	rd, off, n, err := a.openCopySource(r, c)
	if err != nil {
		return err
	}
	defer rd.Close()
	res, err := a.svc.PutBlock(r.Context(), c.blobRef(), blobstore.PutBlockOptions{
		BlockID: id, Body: io.NewSectionReader(rd, off, n), Size: n, LeaseID: storagehttp.LeaseID(r.Header),
	})
	if err != nil {
		return err
	}
	return writeBlockStaged(w, res, "")
}

// AppendBlockFromURL appends a range of a blob of this emulator.
// https://learn.microsoft.com/rest/api/storageservices/append-block-from-url
func (a *api) AppendBlockFromURL(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := noSnapshot(c); err != nil {
		return err
	}
	pos, maxSize, err := appendConditions(r)
	if err != nil {
		return err
	}
	rd, off, n, err := a.openCopySource(r, c)
	if err != nil {
		return err
	}
	defer rd.Close()
	if n > maxAppendBlock {
		return storageerr.ErrRequestBodyTooLarge
	}
	res, err := a.svc.AppendBlock(r.Context(), c.blobRef(), blobstore.AppendBlockOptions{
		Body: io.NewSectionReader(rd, off, n), Size: n, Conditions: conditions(r), AppendPosition: pos, MaxSize: maxSize,
	})
	if err != nil {
		return err
	}
	return writeAppended(w, res, "")
}
