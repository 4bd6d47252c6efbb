package file

import (
	"context"
	"io"
	"math"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

var fileLeaseErrs = blobstore.LeaseErrs{Mismatch: storageerr.ErrLeaseIDMismatchWithFileOperation, NotPresent: storageerr.ErrLeaseNotPresentWithFileOperation}

// defaultFileContentType is the content type Create File stores when the
// request gives none.
const defaultFileContentType = "application/octet-stream"

// hasAttr reports whether a "|"-separated attribute list holds name.
func hasAttr(list, name string) bool {
	for _, a := range strings.Split(list, "|") {
		if strings.EqualFold(strings.TrimSpace(a), name) {
			return true
		}
	}
	return false
}

// checkFileLease is checkLease for a file, with the file wording of
// LeaseIdMissing ("There is currently a lease on the file ...").
func checkFileLease(l blobstore.Lease, now time.Time, id string, required bool) error {
	err := blobstore.CheckLease(l, now, id, required, fileLeaseErrs)
	if err == storageerr.ErrLeaseIDMissing {
		return storageerr.ErrFileLeaseIDMissing
	}
	return err
}

// CreateFile creates (or replaces) a file of opts.Size zero bytes. It MUST
// return storageerr.ErrShareNotFound, storageerr.ErrParentNotFound, storageerr.ErrResourceTypeMismatch when a
// directory has the name, storageerr.ErrOutOfRangeInput for a size outside 0..4 TiB,
// the lease errors of a leased file it replaces, and the header/metadata
// validation errors.
func (s *Service) CreateFile(ctx context.Context, ref blobstore.FileRef, opts blobstore.CreateFileOptions) (blobstore.FileProperties, error) {
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	if loc.root() {
		return blobstore.FileProperties{}, storageerr.ErrResourceTypeMismatch
	}
	if opts.Size < 0 || opts.Size > maxFileSize {
		return blobstore.FileProperties{}, storageerr.ErrOutOfRangeInput.WithDetail("HeaderName", "x-ms-content-length").WithDetail("HeaderValue", formatInt(opts.Size))
	}
	d, err := s.draftNode(ctx, ref, opts.Metadata, opts.SMB, false, fopCreateFile)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	now := s.core.Now()
	var out blobstore.FileProperties
	var dead []crypto.FileID
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, cur, parent, err := loadCreate(tx, ref, loc)
		if err != nil {
			return err
		}
		if err := sh.fits(opts.Size); err != nil {
			return err
		}
		n := s.newNodeRec(loc, parent, d.id, d.msealed, now)
		n.Size, n.Headers = opts.Size, opts.HTTPHeaders
		if n.Headers.ContentType == "" {
			// Azure stores this default at create; Set File Properties
			// without a content type clears it again.
			n.Headers.ContentType = defaultFileContentType
		}
		if cur != nil {
			if cur.Dir {
				return storageerr.ErrResourceTypeMismatch
			}
			if opts.CreateOnly {
				return storageerr.ErrAuthorizationPermissionMismatch
			}
			if err := checkFileLease(cur.Lease, now, opts.LeaseID, true); err != nil {
				return err
			}
			if err := dropFileData(tx, ref.ShareRef(), sh, loc.scope, cur.ID, &dead); err != nil {
				return err
			}
			n.Lease = cur.Lease
		}
		if err := d.smb.apply(tx, d.k, ref.ShareRef(), n, true, now); err != nil {
			return err
		}
		out = n.props(ref.Path, now, nil)
		return putNode(tx, ref, loc, sh, n)
	})
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	s.data.Remove(dead)
	return out, nil
}

// GetFile opens a file (or a file of a share snapshot) for reading. It MUST
// return storageerr.ErrShareNotFound, storageerr.ErrParentNotFound, storageerr.ErrResourceNotFound and the
// lease errors for a mismatching leaseID. The caller MUST Close the reader.
func (s *Service) GetFile(ctx context.Context, ref blobstore.FileRef, leaseID string) (*FileReader, error) {
	loc, err := checkFileRef(ref)
	if err != nil {
		return nil, err
	}
	k, err := s.fileKey(ctx, ref.Account, fopGetFile)
	if err != nil {
		return nil, err
	}
	now := s.core.Now()
	var (
		n    *nodeRec
		exts []boltstore.Extent
	)
	pin, err := s.data.Pin(func() ([]sealed.Extent, error) {
		err := s.st.View(func(tx *boltstore.Tx) error {
			var err error
			if _, n, err = mustNode(tx, ref, loc, false); err != nil {
				return err
			}
			if ref.Snapshot == "" {
				if err := checkFileLease(n.Lease, now, leaseID, false); err != nil {
					return err
				}
			}
			exts, err = extentsIn(tx, loc.scope, n.ID, 0, math.MaxInt64)
			return err
		})
		out := make([]sealed.Extent, len(exts))
		for i, e := range exts {
			out[i] = sealedExtent(e)
		}
		return out, err
	})
	if err != nil {
		return nil, err
	}
	meta, err := s.nodeMeta(k, ref, n)
	if err != nil {
		pin.Release()
		return nil, err
	}
	return &FileReader{
		Properties: snapshotLease(ref, n.props(ref.Path, now, meta)),
		r:          newSparseReader(pin, k.Sealing(), exts, n.Size),
		close:      pin.Release,
	}, nil
}

// GetFileProperties returns a file's properties and metadata.
func (s *Service) GetFileProperties(ctx context.Context, ref blobstore.FileRef, leaseID string) (blobstore.FileProperties, error) {
	return s.getNodeProps(ctx, ref, false, fopGetFileProperties, leaseID)
}

// GetFileMetadata is GetFileProperties (gated as Get File Metadata).
func (s *Service) GetFileMetadata(ctx context.Context, ref blobstore.FileRef, leaseID string) (blobstore.FileProperties, error) {
	return s.getNodeProps(ctx, ref, false, fopGetFileMetadata, leaseID)
}

// SetFileProperties replaces the HTTP headers, changes SMB properties
// (preserved when not given) and resizes the file when opts.Size is set.
func (s *Service) SetFileProperties(ctx context.Context, ref blobstore.FileRef, opts blobstore.SetFilePropertiesOptions) (blobstore.FileProperties, error) {
	if opts.Size != nil && (*opts.Size < 0 || *opts.Size > maxFileSize) {
		return blobstore.FileProperties{}, storageerr.ErrOutOfRangeInput.WithDetail("HeaderName", "x-ms-content-length").WithDetail("HeaderValue", formatInt(*opts.Size))
	}
	smb, err := parseSMB(opts.SMB, false)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, fopSetFileProperties)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	var dead []crypto.FileID
	loc, err := checkFileRef(ref)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	out, err := s.updateNode(ctx, ref, false, k, func(tx *boltstore.Tx, sh *shareRec, n *nodeRec, now time.Time) error {
		if err := checkFileLease(n.Lease, now, opts.LeaseID, true); err != nil {
			return err
		}
		n.Headers = opts.HTTPHeaders
		if opts.Size != nil {
			if err := sh.fits(*opts.Size); err != nil {
				return err
			}
			if *opts.Size < n.Size {
				removed, err := punch(tx, loc.scope, n.ID, *opts.Size, math.MaxInt64, &dead)
				if err != nil {
					return err
				}
				if err := sh.use(-removed); err != nil {
					return err
				}
			}
			n.Size = *opts.Size
		}
		return smb.apply(tx, k, ref.ShareRef(), n, false, now)
	})
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	s.data.Remove(dead)
	return out, nil
}

// SetFileMetadata replaces a file's metadata.
func (s *Service) SetFileMetadata(ctx context.Context, ref blobstore.FileRef, metadata map[string]string, leaseID string) (blobstore.FileProperties, error) {
	if err := blobstore.ValidateMetadata(metadata); err != nil {
		return blobstore.FileProperties{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, fopSetFileMetadata)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	return s.updateNode(ctx, ref, false, k, func(tx *boltstore.Tx, _ *shareRec, n *nodeRec, now time.Time) error {
		if err := checkFileLease(n.Lease, now, leaseID, true); err != nil {
			return err
		}
		msealed, err := sealNodeMeta(k, ref, n.ID, metadata)
		n.MetaSealed = msealed
		return err
	})
}

// DeleteFile removes a file and releases its data. It MUST return
// storageerr.ErrResourceNotFound, storageerr.ErrParentNotFound, storageerr.ErrShareNotFound and the lease
// errors (LeaseIdMissing for a leased file without a lease id).
func (s *Service) DeleteFile(ctx context.Context, ref blobstore.FileRef, leaseID string) error {
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return err
	}
	now := s.core.Now()
	var dead []crypto.FileID
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, n, err := mustNode(tx, ref, loc, false)
		if err != nil {
			return err
		}
		if err := checkFileLease(n.Lease, now, leaseID, true); err != nil {
			return err
		}
		if err := dropFileData(tx, ref.ShareRef(), sh, loc.scope, n.ID, &dead); err != nil {
			return err
		}
		return tx.FileDelete(boltstore.FileNodes, loc.key())
	})
	if err != nil {
		return err
	}
	s.data.Remove(dead)
	return nil
}

// PutRange writes (or with Clear, clears) [Offset, Offset+Length) of a file.
// A write streams the body into one new encrypted data file of at most 4
// MiB and reports the body's MD5, as Azure does. A clear releases only the
// whole 512-byte pages of the range, as Azure does: written bytes in its
// unaligned head and tail are set to zero and stay listed as ranges. It
// MUST return storageerr.ErrInvalidRange when the range ends beyond the file,
// storageerr.ErrRequestBodyTooLarge above 4 MiB, storageerr.ErrMD5Mismatch, storageerr.ErrResourceNotFound
// and the lease errors; nothing is changed on failure.
func (s *Service) PutRange(ctx context.Context, ref blobstore.FileRef, opts blobstore.PutRangeOptions) (blobstore.FileWriteResult, error) {
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return blobstore.FileWriteResult{}, err
	}
	if opts.Offset < 0 || opts.Length <= 0 {
		return blobstore.FileWriteResult{}, storageerr.ErrInvalidRange
	}
	if !opts.Clear && opts.Length > maxRangeSize {
		return blobstore.FileWriteResult{}, storageerr.ErrRequestBodyTooLarge
	}
	now := s.core.Now()
	off, end := opts.Offset, opts.Offset+opts.Length
	check := func(tx *boltstore.Tx) (*shareRec, *nodeRec, error) {
		sh, n, err := mustNode(tx, ref, loc, false)
		if err != nil {
			return nil, nil, err
		}
		if err := checkFileLease(n.Lease, now, opts.LeaseID, true); err != nil {
			return nil, nil, err
		}
		if end > n.Size {
			return nil, nil, storageerr.ErrInvalidRange
		}
		return sh, n, nil
	}
	// The written parts of a clear's unaligned edges, rewritten as zeros.
	var edges []blobstore.ByteRange
	err = s.st.View(func(tx *boltstore.Tx) error {
		_, n, err := check(tx)
		if err != nil || !opts.Clear {
			return err
		}
		for _, e := range unalignedEdges(off, end) {
			exts, err := extentsIn(tx, loc.scope, n.ID, e.Start, e.End+1)
			if err != nil {
				return err
			}
			edges = append(edges, rangesOf(exts, e.Start, e.End)...)
		}
		return nil
	})
	if err != nil {
		return blobstore.FileWriteResult{}, err
	}
	o := fopPutRange
	if opts.FromURL {
		o = fopPutRangeFromURL
	}
	k, err := s.fileKey(ctx, ref.Account, o)
	if err != nil {
		return blobstore.FileWriteResult{}, err
	}
	// The data files this call writes, with the ranges they hold.
	type piece struct {
		at int64
		w  sealed.Written
	}
	var pieces []piece
	settle := func(ok bool) {
		for _, p := range pieces {
			s.data.Settle(p.w, ok)
		}
	}
	var md5 []byte
	if opts.Clear {
		for _, e := range edges {
			n := e.End - e.Start + 1
			w, err := s.data.Write(ctx, k.Sealing(), io.LimitReader(fileZeroReader{}, n), sealed.WriteOptions{Size: n, Limit: maxRangeSize})
			if err != nil {
				settle(false)
				return blobstore.FileWriteResult{}, err
			}
			pieces = append(pieces, piece{e.Start, w})
		}
	} else {
		// A new data file (inline in the extent row up to inlineMax), with
		// the body's MD5 except for Put Range From URL.
		w, err := s.data.Write(ctx, k.Sealing(), opts.Body, sealed.WriteOptions{Size: opts.Length, Limit: maxRangeSize,
			MD5: opts.TransactionalMD5, Digest: !opts.FromURL, Inline: true})
		if err != nil {
			return blobstore.FileWriteResult{}, err
		}
		pieces, md5 = append(pieces, piece{off, w}), w.MD5
	}
	var res blobstore.FileWriteResult
	var dead []crypto.FileID
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, n, err := check(tx)
		if err != nil {
			return err
		}
		removed, err := punch(tx, loc.scope, n.ID, off, end, &dead)
		if err != nil {
			return err
		}
		added := int64(0)
		for _, p := range pieces {
			if p.w.None {
				continue
			}
			e := boltstore.Extent{Off: p.at, Len: p.w.Size, File: [16]byte(p.w.ID), Inline: p.w.Inline}
			if err := putExtent(tx, loc.scope, n.ID, e); err != nil {
				return err
			}
			if err := blobstore.AddRefs(tx, []sealed.Extent{sealedExtent(e)}, +1, &dead); err != nil {
				return err
			}
			added += p.w.Size
		}
		if err := sh.use(added - removed); err != nil {
			return err
		}
		if err := putShare(tx, ref.ShareRef(), sh); err != nil {
			return err
		}
		if !opts.PreserveLastWriteTime {
			n.Written = now
		}
		n.Changed = now
		n.ETag, n.LastModified = s.core.NewETag(now), now
		res = blobstore.FileWriteResult{ETag: n.ETag, LastModified: now, LastWriteTime: n.Written, ContentMD5: md5}
		return putNode(tx, ref, loc, sh, n)
	})
	settle(err == nil)
	if err != nil {
		return blobstore.FileWriteResult{}, err
	}
	s.data.Remove(dead)
	return res, nil
}

// unalignedEdges returns the parts of [off, end) outside whole 512-byte
// pages (inclusive ranges): all of it when it covers no whole page.
func unalignedEdges(off, end int64) []blobstore.ByteRange {
	const page = 512
	a, b := (off+page-1)/page*page, end/page*page
	if a >= b {
		return []blobstore.ByteRange{{Start: off, End: end - 1}}
	}
	var out []blobstore.ByteRange
	if off < a {
		out = append(out, blobstore.ByteRange{Start: off, End: a - 1})
	}
	if b < end {
		out = append(out, blobstore.ByteRange{Start: b, End: end - 1})
	}
	return out
}

// fileZeroReader reads zeros.
type fileZeroReader struct{}

func (fileZeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// ListRanges lists the written ranges of a file (of a share snapshot when
// ref.Snapshot is set), or with PrevSnapshot what changed since that
// snapshot (Ranges) and what was cleared (ClearRanges).
func (s *Service) ListRanges(ctx context.Context, ref blobstore.FileRef, opts blobstore.ListRangesOptions) (blobstore.RangeList, error) {
	loc, err := checkFileRef(ref)
	if err != nil {
		return blobstore.RangeList{}, err
	}
	var prevLoc nodeLoc
	if opts.PrevSnapshot != "" {
		pref := ref
		pref.Snapshot = opts.PrevSnapshot
		if prevLoc, err = checkFileRef(pref); err != nil {
			return blobstore.RangeList{}, err
		}
	}
	now := s.core.Now()
	var out blobstore.RangeList
	err = s.st.View(func(tx *boltstore.Tx) error {
		_, n, err := mustNode(tx, ref, loc, false)
		if err != nil {
			return err
		}
		if ref.Snapshot == "" {
			if err := checkFileLease(n.Lease, now, opts.LeaseID, false); err != nil {
				return err
			}
		}
		out.ContentLength, out.ETag, out.LastModified = n.Size, n.ETag, n.LastModified
		lo, hi := int64(0), n.Size-1
		if opts.Range != nil {
			lo, hi = opts.Range.Start, min(hi, opts.Range.End)
		}
		cur, err := extentsIn(tx, loc.scope, n.ID, 0, n.Size)
		if err != nil {
			return err
		}
		if opts.PrevSnapshot == "" {
			out.Ranges = rangesOf(cur, lo, hi)
			return nil
		}
		pref := ref
		pref.Snapshot = opts.PrevSnapshot
		if _, err := loadShare(tx, pref.ShareRef()); err != nil {
			return err
		}
		var prev []boltstore.Extent
		prevID, found := uint64(0), false
		if b := tx.FileGet(boltstore.FileNodes, prevLoc.key()); b != nil {
			pn, err := blobstore.DecodeRecord[nodeRec](b)
			if err != nil {
				return err
			}
			if !pn.Dir {
				prevID, found = pn.ID, true
			}
		} else {
			// Renamed since the snapshot? The file keeps its id.
			err := tx.FileScan(boltstore.FileNodes, prevLoc.scope, nil, func(_, v []byte) (bool, error) {
				pn, err := blobstore.DecodeRecord[nodeRec](v)
				if err != nil {
					return false, err
				}
				if !pn.Dir && pn.ID == n.ID {
					prevID, found = pn.ID, true
					return false, nil
				}
				return true, nil
			})
			if err != nil {
				return err
			}
			if found && !opts.SupportRename {
				return storageerr.ErrPreviousSnapshotNotFound
			}
		}
		if found {
			if prev, err = extentsIn(tx, prevLoc.scope, prevID, 0, math.MaxInt64); err != nil {
				return err
			}
		}
		out.Ranges, out.ClearRanges = diffRanges(cur, prev, lo, hi)
		return nil
	})
	return out, err
}

// LeaseFile runs a lease action on a file. File leases are infinite
// (Duration -1; anything else is storageerr.ErrInvalidHeaderValue) and break at once.
func (s *Service) LeaseFile(ctx context.Context, ref blobstore.FileRef, opts blobstore.LeaseOptions) (blobstore.LeaseResult, error) {
	if opts.Action == blobstore.LeaseAcquire && opts.Duration != -1 {
		return blobstore.LeaseResult{}, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-duration").WithDetail("HeaderValue", itoa(opts.Duration))
	}
	if opts.Action == blobstore.LeaseRenew {
		return blobstore.LeaseResult{}, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-action").WithDetail("HeaderValue", "renew")
	}
	if opts.Action == blobstore.LeaseBreak {
		zero := 0
		opts.BreakPeriod = &zero
	}
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return blobstore.LeaseResult{}, err
	}
	now := s.core.Now()
	var res blobstore.LeaseResult
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, n, err := mustNode(tx, ref, loc, false)
		if err != nil {
			return err
		}
		if res, err = blobstore.ApplyLease(&n.Lease, opts, now); err != nil {
			return err
		}
		res.ETag, res.LastModified = n.ETag, n.LastModified
		return putNode(tx, ref, loc, sh, n)
	})
	return res, err
}

// AbortCopyFile aborts a pending copy. azemu copies complete at once, so a
// known copy id gives storageerr.ErrNoPendingCopyOperation and another storageerr.ErrCopyIDMismatch.
func (s *Service) AbortCopyFile(ctx context.Context, ref blobstore.FileRef, copyID, leaseID string) error {
	if !blobstore.ValidGUID(copyID) {
		return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "copyid").WithDetail("QueryParameterValue", copyID)
	}
	loc, err := checkFileRef(ref)
	if err != nil {
		return err
	}
	return s.st.View(func(tx *boltstore.Tx) error {
		_, n, err := mustNode(tx, ref, loc, false)
		if err != nil {
			return err
		}
		if err := checkFileLease(n.Lease, s.core.Now(), leaseID, true); err != nil {
			return err
		}
		if n.Copy == nil || !strings.EqualFold(n.Copy.ID, copyID) {
			return storageerr.ErrCopyIDMismatch
		}
		return storageerr.ErrNoPendingCopyOperation
	})
}

// CopyFile copies a file of this account (any share or share snapshot), or
// a blob, to ref. A file copy shares the source's encrypted data files (its
// extents gain a reference); a blob copy streams the blob into a new data
// file. The copy completes before CopyFile returns. SMB values "source"
// copy the source's attributes and times.
func (s *Service) CopyFile(ctx context.Context, ref blobstore.FileRef, opts blobstore.CopyFileOptions) (blobstore.FileCopyResult, error) {
	loc, err := checkCopyFile(ref, opts)
	if err != nil {
		return blobstore.FileCopyResult{}, err
	}
	smb, fromSrc, err := parseCopySMB(opts.SMB)
	if err != nil {
		return blobstore.FileCopyResult{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, fopCopyFile)
	if err != nil {
		return blobstore.FileCopyResult{}, err
	}
	src, err := s.loadCopySource(ctx, k, opts)
	if err != nil {
		return blobstore.FileCopyResult{}, err
	}
	md := src.meta
	if opts.Metadata != nil {
		md = opts.Metadata
	}
	id := newNodeID()
	msealed, err := sealNodeMeta(k, ref, id, md)
	if err != nil {
		src.settle(s, false)
		return blobstore.FileCopyResult{}, err
	}
	now := s.core.Now()
	var res blobstore.FileCopyResult
	var dead []crypto.FileID
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, cur, parent, err := loadCreate(tx, ref, loc)
		if err != nil {
			return err
		}
		if err := checkCopyTarget(cur, opts, now); err != nil {
			return err
		}
		n := s.newNodeRec(loc, parent, id, msealed, now)
		n.Size, n.Headers = src.node.Size, src.node.Headers
		if cur != nil {
			n.Lease = cur.Lease
		}
		if err := smb.apply(tx, k, ref.ShareRef(), n, true, now); err != nil {
			return err
		}
		if err := fromSrc.apply(n, src.node, opts, src.blob == nil && opts.Source.Share == ref.Share); err != nil {
			return err
		}
		if err := copyData(tx, sh, loc.scope, id, src, opts.Source, &dead); err != nil {
			return err
		}
		// The old file's extents go after the copy took its references, so a
		// copy onto itself never sees a count drop to zero.
		if cur != nil {
			removed, err := dropExtents(tx, loc.scope, cur.ID, &dead)
			if err != nil {
				return err
			}
			if err := sh.use(-removed); err != nil {
				return err
			}
		}
		if err := putShare(tx, ref.ShareRef(), sh); err != nil {
			return err
		}
		n.Copy = &blobstore.CopyInfo{ID: blobstore.NewLeaseID(), Status: blobstore.CopySuccess, Source: opts.SourceURL,
			Progress: formatInt(src.node.Size) + "/" + formatInt(src.node.Size), CompletionTime: now}
		res = blobstore.FileCopyResult{CopyID: n.Copy.ID, CopyStatus: blobstore.CopySuccess, ETag: n.ETag, LastModified: now}
		return putNode(tx, ref, loc, sh, n)
	})
	src.settle(s, err == nil)
	if err != nil {
		return blobstore.FileCopyResult{}, err
	}
	s.data.Remove(dead)
	return res, nil
}

// checkCopyFile checks the target and the source account of a Copy File.
func checkCopyFile(ref blobstore.FileRef, opts blobstore.CopyFileOptions) (nodeLoc, error) {
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return loc, err
	}
	if loc.root() {
		return loc, storageerr.ErrResourceTypeMismatch
	}
	if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
		return loc, err
	}
	srcAcct := opts.Source.Account
	if opts.SourceBlob.Blob != "" {
		srcAcct = opts.SourceBlob.Account
	}
	if srcAcct != ref.Account {
		return loc, storageerr.ErrCopyAcrossAccountsNotSupported
	}
	return loc, nil
}

// smbFromSource marks the SMB properties a Copy File takes from its source
// ("source" instead of a value).
type smbFromSource struct{ attrs, created, written, changed, perm bool }

// parseCopySMB parses the SMB properties of a Copy File; "source" values
// are left out of the spec and marked in the second result.
func parseCopySMB(in blobstore.SMBProperties) (smbSpec, smbFromSource, error) {
	fromSource := func(v *string) bool {
		if strings.EqualFold(*v, "source") {
			*v = ""
			return true
		}
		return false
	}
	f := smbFromSource{attrs: fromSource(&in.Attributes), created: fromSource(&in.CreationTime),
		written: fromSource(&in.LastWriteTime), changed: fromSource(&in.ChangeTime), perm: fromSource(&in.Permission)}
	smb, err := parseSMB(in, false)
	return smb, f, err
}

// apply copies the marked properties from src to n, then sets Archive when
// asked. The permission key is taken only from a file of the same share
// (samePermScope), where the key means the same descriptor.
func (f smbFromSource) apply(n, src *nodeRec, opts blobstore.CopyFileOptions, samePermScope bool) error {
	if f.attrs {
		n.Attributes = src.Attributes
	}
	if f.created {
		n.Created = src.Created
	}
	if f.written {
		n.Written = src.Written
	}
	if f.changed {
		n.Changed = src.Changed
	}
	if opts.SetArchive && !hasAttr(n.Attributes, "Archive") {
		a, err := parseAttributes(n.Attributes+"|Archive", false)
		if err != nil {
			return err
		}
		n.Attributes = a
	}
	if f.perm && src.PermKey != "" && samePermScope {
		n.PermKey = src.PermKey
	}
	return nil
}

// checkCopyTarget applies the rules on an existing target file.
func checkCopyTarget(cur *nodeRec, opts blobstore.CopyFileOptions, now time.Time) error {
	if cur == nil {
		return nil
	}
	if cur.Dir {
		return storageerr.ErrResourceTypeMismatch
	}
	if opts.CreateOnly {
		return storageerr.ErrAuthorizationPermissionMismatch
	}
	if hasAttr(cur.Attributes, "ReadOnly") && !opts.IgnoreReadOnly {
		return storageerr.ErrReadOnlyAttribute
	}
	return checkFileLease(cur.Lease, now, opts.LeaseID, true)
}

// copySourceData is what a Copy File copies: the source's properties and
// metadata, and for a blob source the data file its bytes were sealed into
// (a file source's extents are shared instead).
type copySourceData struct {
	node *nodeRec
	meta map[string]string
	blob *sealed.Written
}

// settle ends the in-flight state of a blob source's data file.
func (c copySourceData) settle(s *Service, committed bool) {
	if c.blob != nil {
		s.data.Settle(*c.blob, committed)
	}
}

// loadCopySource reads the source of a Copy File: a blob of the account
// (its bytes are sealed again under a new data file, since Files extents
// and blob extents are kept apart) or a file (its extents are shared).
func (s *Service) loadCopySource(ctx context.Context, k *blobstore.AccountKey, opts blobstore.CopyFileOptions) (copySourceData, error) {
	if opts.SourceBlob.Blob != "" {
		if s.blobs == nil {
			return copySourceData{}, storageerr.ErrCannotVerifyCopySource.WithMessage("Blob copy sources are not served here.")
		}
		rd, err := s.blobs.GetBlob(ctx, opts.SourceBlob, blobstore.Conditions{})
		if err != nil {
			return copySourceData{}, err
		}
		p := rd.Properties
		bw, err := s.data.Write(ctx, k.Sealing(), io.NewSectionReader(rd, 0, rd.Size()), sealed.WriteOptions{Size: rd.Size(), Limit: maxFileSize})
		_ = rd.Close()
		if err != nil {
			return copySourceData{}, err
		}
		return copySourceData{
			node: &nodeRec{Size: bw.Size, Headers: p.HTTPHeaders, Attributes: "Archive", Created: p.CreationTime, Written: p.LastModified, Changed: p.LastModified},
			meta: p.Metadata,
			blob: &bw,
		}, nil
	}
	sloc, err := checkFileRef(opts.Source)
	if err != nil {
		return copySourceData{}, err
	}
	var src copySourceData
	err = s.st.View(func(tx *boltstore.Tx) error {
		var err error
		_, src.node, err = mustNode(tx, opts.Source, sloc, false)
		return err
	})
	if err != nil {
		// A missing source file of this account is ResourceNotFound (404),
		// as Azure answers.
		return copySourceData{}, err
	}
	if src.meta, err = s.nodeMeta(k, opts.Source, src.node); err != nil {
		return copySourceData{}, err
	}
	return src, nil
}

// copyData gives the new file id (in scope) the source's bytes: the blob
// source's data file as one extent, or references on the source file's
// extents; the bytes are charged to the share's quota.
func copyData(tx *boltstore.Tx, sh *shareRec, scope []byte, id uint64, src copySourceData, from blobstore.FileRef, dead *[]crypto.FileID) error {
	if src.blob != nil {
		if src.blob.None {
			return nil
		}
		e := boltstore.Extent{Off: 0, Len: src.blob.Size, File: [16]byte(src.blob.ID)}
		if err := putExtent(tx, scope, id, e); err != nil {
			return err
		}
		if err := blobstore.AddRefs(tx, []sealed.Extent{sealedExtent(e)}, +1, dead); err != nil {
			return err
		}
		return sh.use(src.blob.Size)
	}
	sscope := boltstore.ShareScope(from.Account, from.Share, from.Snapshot)
	added, err := copyExtents(tx, sscope, src.node.ID, scope, id, dead)
	if err != nil {
		return err
	}
	return sh.use(added)
}
