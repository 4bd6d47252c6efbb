package fileapi

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// maxRange is the largest Put Range body and x-ms-range-get-content-md5 range.
const maxRange = 4 << 20

// CreateFile creates (or replaces) a file of x-ms-content-length zero bytes.
// https://learn.microsoft.com/rest/api/storageservices/create-file
func (a *api) CreateFile(w http.ResponseWriter, r *http.Request) error {
	size, err := int64Header(r, "x-ms-content-length", true)
	if err != nil {
		return err
	}
	if *size < 0 {
		return storageerr.ErrOutOfRangeInput.WithDetail("HeaderName", "x-ms-content-length").WithDetail("HeaderValue", strconv.FormatInt(*size, 10))
	}
	hh, err := fileHTTPHeaders(r)
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	if err := noStructuredBody(r); err != nil {
		return err
	}
	// Since 2025 Create File may carry the file's content (at most 4 MiB).
	body := r.ContentLength
	if body < 0 && len(r.TransferEncoding) > 0 {
		return storageerr.ErrMissingContentLengthHeader
	}
	if body > maxRange {
		return storageerr.ErrRequestBodyTooLarge
	}
	if body > *size {
		return storagehttp.InvalidHeader("Content-Length", strconv.FormatInt(body, 10))
	}
	var bodyMD5 []byte
	if body > 0 {
		if bodyMD5, err = storagehttp.MD5Header(r, "Content-MD5"); err != nil {
			return err
		}
	}
	c := callOf(r)
	p, err := a.svc.CreateFile(r.Context(), c.fileRef(), blobstore.CreateFileOptions{
		Size: *size, HTTPHeaders: hh, SMB: smbHeaders(r), Metadata: md, LeaseID: leaseID(r),
		CreateOnly: !c.auth.Allows(storageauth.PermWrite)})
	if err != nil {
		return err
	}
	if body > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, maxRange)
		res, err := a.svc.PutRange(r.Context(), c.fileRef(), blobstore.PutRangeOptions{Offset: 0, Length: body,
			Body: r.Body, TransactionalMD5: bodyMD5, LeaseID: leaseID(r), PreserveLastWriteTime: true})
		if err != nil {
			return err
		}
		p.ETag, p.LastModified = res.ETag, res.LastModified
		if len(res.ContentMD5) > 0 {
			w.Header().Set("Content-MD5", storagehttp.Base64(res.ContentMD5))
		}
	}
	return writeSMB(w, &p, http.StatusCreated)
}

// GetFile streams a file or a range of it; gaps read as zeros.
// https://learn.microsoft.com/rest/api/storageservices/get-file
func (a *api) GetFile(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	req, err := storagehttp.ParseContentRequest(r.Header, false)
	if err != nil {
		return err
	}
	rd, err := a.svc.GetFile(r.Context(), c.fileRef(), leaseID(r))
	if err != nil {
		return err
	}
	defer rd.Close()
	off, n, err := req.Resolve(rd.Size())
	if err != nil {
		return err
	}
	setFileHeaders(w.Header(), &rd.Properties, c)
	return a.pool.WriteContent(w, r, req, storagehttp.Content{
		Data: rd, Size: rd.Size(), Off: off, N: n,
		StoredMD5: rd.Properties.HTTPHeaders.ContentMD5, StoredMD5Header: "x-ms-content-md5",
		OnStreamError: func(err error) {
			a.log.Error("get file: streaming failed", "request_id", c.requestID, "account", c.account.Name, "error", err)
		},
	})
}

// GetFileProperties returns a file's properties and metadata (HEAD).
// https://learn.microsoft.com/rest/api/storageservices/get-file-properties
func (a *api) GetFileProperties(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	p, err := a.svc.GetFileProperties(r.Context(), c.fileRef(), leaseID(r))
	if err != nil {
		return err
	}
	setFileHeaders(w.Header(), &p, c)
	return storagehttp.WriteProperties(w, p.ContentLength, p.HTTPHeaders.ContentMD5)
}

// GetFileMetadata returns a file's metadata.
// https://learn.microsoft.com/rest/api/storageservices/get-file-metadata
func (a *api) GetFileMetadata(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.GetFileMetadata(r.Context(), callOf(r).fileRef(), leaseID(r))
	if err != nil {
		return err
	}
	return writeMetadata(w, p.ETag, p.LastModified, p.Metadata)
}

// SetFileProperties replaces HTTP headers, changes SMB properties and
// resizes the file (x-ms-content-length).
// https://learn.microsoft.com/rest/api/storageservices/set-file-properties
func (a *api) SetFileProperties(w http.ResponseWriter, r *http.Request) error {
	size, err := int64Header(r, "x-ms-content-length", false)
	if err != nil {
		return err
	}
	hh, err := fileHTTPHeaders(r)
	if err != nil {
		return err
	}
	p, err := a.svc.SetFileProperties(r.Context(), callOf(r).fileRef(), blobstore.SetFilePropertiesOptions{
		HTTPHeaders: hh, Size: size, SMB: smbHeaders(r), LeaseID: leaseID(r)})
	if err != nil {
		return err
	}
	return writeSMB(w, &p, http.StatusOK)
}

// SetFileMetadata replaces a file's metadata.
// https://learn.microsoft.com/rest/api/storageservices/set-file-metadata
func (a *api) SetFileMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	p, err := a.svc.SetFileMetadata(r.Context(), callOf(r).fileRef(), md, leaseID(r))
	if err != nil {
		return err
	}
	return writeMetadataSet(w, p.ETag, p.LastModified)
}

// DeleteFile deletes a file.
// https://learn.microsoft.com/rest/api/storageservices/delete-file2
func (a *api) DeleteFile(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteFile(r.Context(), callOf(r).fileRef(), leaseID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// writeRange parses the required x-ms-range of Put Range (both ends given).
func writeRange(r *http.Request, name string) (off, n int64, err error) {
	v := r.Header.Get(name)
	if v == "" {
		return 0, 0, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", name)
	}
	rng, err := storagehttp.ParseRangeValue(v)
	if err != nil || rng.End < 0 {
		return 0, 0, storagehttp.InvalidHeader(name, v)
	}
	return rng.Start, rng.End - rng.Start + 1, nil
}

func setRangeWrite(w http.ResponseWriter, res blobstore.FileWriteResult) {
	h := w.Header()
	storagehttp.SetETagHeaders(h, res.ETag, res.LastModified)
	if len(res.ContentMD5) > 0 {
		h.Set("Content-MD5", storagehttp.Base64(res.ContentMD5))
	}
	h.Set("x-ms-file-last-write-time", fileTime(res.LastWriteTime))
	h.Set("x-ms-request-server-encrypted", "true")
	w.WriteHeader(http.StatusCreated)
}

// PutRange writes or clears a range of a file.
// https://learn.microsoft.com/rest/api/storageservices/put-range
func (a *api) PutRange(w http.ResponseWriter, r *http.Request) error {
	off, n, err := writeRange(r, "x-ms-range")
	if err != nil {
		if r.Header.Get("x-ms-range") == "" && r.Header.Get("Range") != "" {
			r.Header.Set("x-ms-range", r.Header.Get("Range"))
			off, n, err = writeRange(r, "x-ms-range")
		}
		if err != nil {
			return err
		}
	}
	if err := noStructuredBody(r); err != nil {
		return err
	}
	opts := blobstore.PutRangeOptions{Offset: off, Length: n, LeaseID: leaseID(r),
		PreserveLastWriteTime: strings.EqualFold(r.Header.Get("x-ms-file-last-write-time"), "preserve")}
	switch strings.ToLower(r.Header.Get("x-ms-write")) {
	case "update":
		if r.ContentLength < 0 && len(r.TransferEncoding) == 0 {
			return storageerr.ErrMissingContentLengthHeader
		}
		if r.ContentLength != n {
			return storagehttp.InvalidHeader("Content-Length", strconv.FormatInt(r.ContentLength, 10))
		}
		if n > maxRange {
			return errRangeTooLarge
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxRange)
		if opts.TransactionalMD5, err = storagehttp.MD5Header(r, "Content-MD5"); err != nil {
			return err
		}
		opts.Body = r.Body
	case "clear":
		if r.ContentLength > 0 {
			return storagehttp.InvalidHeader("Content-Length", strconv.FormatInt(r.ContentLength, 10))
		}
		opts.Clear = true
	case "":
		return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-write")
	default:
		return storagehttp.InvalidHeader("x-ms-write", r.Header.Get("x-ms-write"))
	}
	res, err := a.svc.PutRange(r.Context(), callOf(r).fileRef(), opts)
	if err != nil {
		return err
	}
	setRangeWrite(w, res)
	return nil
}

// PutRangeFromURL writes a range of a file from a range of another file or
// a blob of this emulator.
// https://learn.microsoft.com/rest/api/storageservices/put-range-from-url
func (a *api) PutRangeFromURL(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	off, n, err := writeRange(r, "x-ms-range")
	if err != nil {
		return err
	}
	soff, sn, err := writeRange(r, "x-ms-source-range")
	if err != nil {
		return err
	}
	if sn != n {
		return storagehttp.InvalidHeader("x-ms-source-range", r.Header.Get("x-ms-source-range"))
	}
	if n > maxRange {
		return storageerr.ErrRequestBodyTooLarge
	}
	if w := r.Header.Get("x-ms-write"); w != "" && !strings.EqualFold(w, "update") {
		return storagehttp.InvalidHeader("x-ms-write", w)
	}
	src, err := a.resolveSource(r, c, "x-ms-copy-source")
	if err != nil {
		return err
	}
	rd, size, done, err := a.open(r.Context(), src)
	if err != nil {
		if errors.Is(err, storageerr.ErrResourceNotFound) || errors.Is(err, storageerr.ErrBlobNotFound) || errors.Is(err, storageerr.ErrAccountNotFound) {
			return storageerr.ErrCannotVerifyCopySource.WithMessage("The specified copy source does not exist.")
		}
		return err
	}
	defer done()
	if soff+sn > size {
		return storageerr.ErrInvalidRange.WithMessage("The source range is beyond the end of the source.")
	}
	// The source range (at most 4 MiB) is read once: its CRC64 is checked
	// against x-ms-source-content-crc64 and returned as x-ms-content-crc64.
	buf := make([]byte, sn)
	if _, err := io.ReadFull(io.NewSectionReader(rd, soff, sn), buf); err != nil {
		return err
	}
	sum := crc64.Checksum(buf, crcTable)
	if v := r.Header.Get("x-ms-source-content-crc64"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != 8 {
			return storagehttp.InvalidHeader("x-ms-source-content-crc64", v)
		}
		if binary.LittleEndian.Uint64(want) != sum {
			return storageerr.ErrFileCRC64Mismatch
		}
	}
	res, err := a.svc.PutRange(r.Context(), c.fileRef(), blobstore.PutRangeOptions{
		Offset: off, Length: n, Body: bytes.NewReader(buf), LeaseID: leaseID(r), FromURL: true,
		PreserveLastWriteTime: strings.EqualFold(r.Header.Get("x-ms-file-last-write-time"), "preserve")})
	if err != nil {
		return err
	}
	res.ContentMD5 = nil
	var crc [8]byte
	binary.LittleEndian.PutUint64(crc[:], sum)
	w.Header().Set("x-ms-content-crc64", base64.StdEncoding.EncodeToString(crc[:]))
	setRangeWrite(w, res)
	return nil
}

// crcTable is Azure Storage's CRC64 (x-ms-content-crc64), as the SDKs compute it.
var crcTable = crc64.MakeTable(0x9A6C9329AC4BC9B5)

// ListRanges lists the written ranges of a file (or, with
// prevsharesnapshot, what changed since that snapshot).
// https://learn.microsoft.com/rest/api/storageservices/list-ranges
func (a *api) ListRanges(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	rng, hasRange, err := storagehttp.ParseRange(r.Header)
	if err != nil {
		return err
	}
	opts := blobstore.ListRangesOptions{PrevSnapshot: r.URL.Query().Get("prevsharesnapshot"), LeaseID: leaseID(r),
		SupportRename: strings.EqualFold(r.Header.Get("x-ms-file-support-rename"), "true")}
	if hasRange {
		end := rng.End
		if end < 0 {
			end = 1<<63 - 1
		}
		opts.Range = &blobstore.ByteRange{Start: rng.Start, End: end}
	}
	list, err := a.svc.ListRanges(r.Context(), c.fileRef(), opts)
	if err != nil {
		return err
	}
	h := w.Header()
	storagehttp.SetETagHeaders(h, list.ETag, list.LastModified)
	h.Set("x-ms-content-length", strconv.FormatInt(list.ContentLength, 10))
	x := xmlRanges{}
	// Azure orders Range and ClearRange elements by offset.
	i, j := 0, 0
	for i < len(list.Ranges) || j < len(list.ClearRanges) {
		if j >= len(list.ClearRanges) || (i < len(list.Ranges) && list.Ranges[i].Start < list.ClearRanges[j].Start) {
			x.Ranges = append(x.Ranges, xmlRange{XMLName: xmlName("Range"), Start: list.Ranges[i].Start, End: list.Ranges[i].End})
			i++
		} else {
			x.Ranges = append(x.Ranges, xmlRange{XMLName: xmlName("ClearRange"), Start: list.ClearRanges[j].Start, End: list.ClearRanges[j].End})
			j++
		}
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}

// CopyFile copies a file or blob of this emulator; the copy completes
// before the response (x-ms-copy-status: success).
// https://learn.microsoft.com/rest/api/storageservices/copy-file
func (a *api) CopyFile(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	src, err := a.resolveSource(r, c, "x-ms-copy-source")
	if err != nil {
		return err
	}
	md, err := storagehttp.ParseMetadata(r.Header)
	if err != nil {
		return err
	}
	smb := smbHeaders(r)
	switch mode := r.Header.Get("x-ms-file-permission-copy-mode"); {
	case strings.EqualFold(mode, "source"):
		smb.Permission, smb.PermissionKey = "source", ""
	case strings.EqualFold(mode, "override"):
		// Override takes the permission from the request: one is required.
		if smb.Permission == "" && smb.PermissionKey == "" {
			return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-file-permission")
		}
	case mode != "":
		return storagehttp.InvalidHeader("x-ms-file-permission-copy-mode", mode)
	}
	opts := blobstore.CopyFileOptions{SourceURL: storagehttp.RedactSAS(r.Header.Get("x-ms-copy-source")), Metadata: md, SMB: smb,
		LeaseID: leaseID(r), CreateOnly: !c.auth.Allows(storageauth.PermWrite),
		IgnoreReadOnly: strings.EqualFold(r.Header.Get("x-ms-file-copy-ignore-readonly"), "true"),
		SetArchive:     strings.EqualFold(r.Header.Get("x-ms-file-copy-set-archive"), "true")}
	if src.file != nil {
		opts.Source = *src.file
	} else {
		opts.SourceBlob = *src.blob
	}
	res, err := a.svc.CopyFile(r.Context(), c.fileRef(), opts)
	if err != nil {
		return err
	}
	h := w.Header()
	storagehttp.SetETagHeaders(h, res.ETag, res.LastModified)
	h.Set("x-ms-copy-id", res.CopyID)
	h.Set("x-ms-copy-status", string(res.CopyStatus))
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// AbortCopyFile aborts a pending copy (azemu's copies are never pending).
// https://learn.microsoft.com/rest/api/storageservices/abort-copy-file
func (a *api) AbortCopyFile(w http.ResponseWriter, r *http.Request) error {
	if !strings.EqualFold(r.Header.Get("x-ms-copy-action"), "abort") {
		return storagehttp.InvalidHeader("x-ms-copy-action", r.Header.Get("x-ms-copy-action"))
	}
	id := r.URL.Query().Get("copyid")
	if id == "" {
		return storageerr.ErrMissingRequiredQueryParameter.WithDetail("QueryParameterName", "copyid")
	}
	if err := a.svc.AbortCopyFile(r.Context(), callOf(r).fileRef(), id, leaseID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// LeaseFile acquires, changes, releases or breaks a file lease.
// https://learn.microsoft.com/rest/api/storageservices/lease-file
func (a *api) LeaseFile(w http.ResponseWriter, r *http.Request) error {
	o, err := leaseOptions(r)
	if err != nil {
		return err
	}
	res, err := a.svc.LeaseFile(r.Context(), callOf(r).fileRef(), o)
	if err != nil {
		return err
	}
	return storagehttp.WriteLeaseResult(w, o.Action, res)
}

// errRangeTooLarge is Put Range above 4 MiB, with Azure's MaxLimit detail.
var errRangeTooLarge = storageerr.ErrRequestBodyTooLarge.WithDetail("MaxLimit", strconv.Itoa(maxRange))

// noStructuredBody refuses structured message bodies (x-ms-structured-body,
// CRC64-framed uploads): azemu would otherwise store the framing as data.
func noStructuredBody(r *http.Request) error {
	if r.Header.Get("x-ms-structured-body") != "" {
		return storageerr.ErrFeatureNotSupported.WithMessage("azemu does not accept structured message bodies (x-ms-structured-body).")
	}
	return nil
}
