package blob

import (
	"context"
	"encoding/base64"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// Size limits of request bodies (current service versions).
const (
	maxPutBlobSize     = 5000 << 20
	maxPutBlockSize    = 4000 << 20
	maxAppendBlockSize = 100 << 20
	maxBlocks          = 50000
	maxBlockIDSize     = 64
	maxBlobNameRunes   = 1024
)

func validBlobName(n string) bool {
	if n == "" || utf8.RuneCountInString(n) > maxBlobNameRunes || !utf8.ValidString(n) {
		return false
	}
	return !strings.ContainsRune(n, 0)
}

// checkRef validates a blob reference's names and snapshot id.
func checkRef(ref blobstore.BlobRef) error {
	if !blobstore.ValidContainerName(ref.Container) {
		return badContainerName(ref.Container)
	}
	if !validBlobName(ref.Blob) {
		return storageerr.ErrInvalidResourceName.WithMessage("The specifed resource name contains invalid characters.")
	}
	if ref.Snapshot != "" {
		if _, err := time.Parse(blobstore.SnapshotLayout, ref.Snapshot); err != nil {
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "snapshot").WithDetail("QueryParameterValue", ref.Snapshot)
		}
	}
	return nil
}

// BaseOnly refuses an operation addressed to a snapshot (the writes, and
// leases): Azure answers InvalidQueryParameterValue naming the snapshot
// parameter, with the reason below. The protocol layer calls it before it
// parses the rest of the request, as Azure checks it first; the service
// checks it again on its own.
func BaseOnly(ref blobstore.BlobRef) error {
	if ref.Snapshot != "" {
		return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "snapshot").WithDetail("QueryParameterValue", ref.Snapshot).
			WithDetail("Reason", "This operation is only supported on the base blob.")
	}
	return nil
}

// checkWritableRef is checkRef for a write: it also refuses a snapshot.
func checkWritableRef(ref blobstore.BlobRef) error {
	if err := checkRef(ref); err != nil {
		return err
	}
	return BaseOnly(ref)
}

// loadBlob reads the container and blob (or snapshot) records; blob is nil
// when absent. A missing container gives storageerr.ErrContainerNotFound.
func loadBlob(tx *boltstore.Tx, ref blobstore.BlobRef) (*containerRec, *blobRec, error) {
	c, err := loadContainer(tx, ref.ContainerRef())
	if err != nil {
		return nil, nil, err
	}
	b := tx.Blob(ref.Account, ref.Container, ref.Blob, ref.Snapshot)
	if b == nil {
		return c, nil, nil
	}
	r, err := decodeBlobRec(b)
	return c, r, err
}

// mustBlob is loadBlob with storageerr.ErrBlobNotFound for an absent blob.
func mustBlob(tx *boltstore.Tx, ref blobstore.BlobRef) (*blobRec, error) {
	_, b, err := loadBlob(tx, ref)
	if err == nil && b == nil {
		err = storageerr.ErrBlobNotFound
	}
	return b, err
}

func putBlobRec(tx *boltstore.Tx, ref blobstore.BlobRef, rec *blobRec) error {
	return tx.PutBlob(ref.Account, ref.Container, ref.Blob, ref.Snapshot, encodeBlobRec(rec))
}

// props renders a record; meta is nil when not wanted.
func (r *blobRec) props(ref blobstore.BlobRef, now time.Time, meta map[string]string) blobstore.BlobProperties {
	p := blobstore.BlobProperties{
		Container: ref.Container, Name: ref.Blob, Snapshot: ref.Snapshot,
		BlobType: r.Type, ContentLength: r.Size, HTTPHeaders: r.Headers, Metadata: meta,
		ETag: r.ETag, LastModified: r.LastModified, CreationTime: r.Created,
		ServerEncrypted: true, CommittedBlockCount: r.BlockCount, IsCommitted: true,
	}
	p.HTTPHeaders.ContentMD5 = append([]byte(nil), r.Headers.ContentMD5...)
	if len(p.HTTPHeaders.ContentMD5) == 0 {
		p.HTTPHeaders.ContentMD5 = nil
	}
	if ref.Snapshot == "" {
		p.Lease = r.Lease.Info(now)
	} else {
		p.Lease = blobstore.LeaseInfo{State: blobstore.LeaseStateAvailable, Status: blobstore.LeaseStatusUnlocked}
	}
	if r.Copy != nil {
		c := *r.Copy
		p.Copy = &c
	}
	if r.Type == blobstore.BlockBlob {
		p.AccessTier, p.AccessTierInferred, p.AccessTierChangeTime = r.Tier, false, r.TierChanged
		if p.AccessTier == "" {
			p.AccessTier, p.AccessTierInferred = "Hot", true
		}
	}
	return p
}

func (s *Service) blobMeta(k *blobstore.AccountKey, ref blobstore.BlobRef, r *blobRec) (map[string]string, error) {
	return blobstore.OpenMetadata(k, r.MetaSealed, blobAAD(ref.Account, ref.Container, ref.Blob))
}

// canonTier returns the tier as Azure spells it ("" stays ""). Archive is
// storageerr.ErrFeatureNotSupported: azemu keeps every blob online, and storing a blob
// as Archive that stays readable would hide the difference. Anything else
// is storageerr.ErrInvalidHeaderValue.
func canonTier(t string) (string, error) {
	switch strings.ToLower(t) {
	case "":
		return "", nil
	case "hot":
		return "Hot", nil
	case "cool":
		return "Cool", nil
	case "cold":
		return "Cold", nil
	case "archive":
		return "", storageerr.ErrFeatureNotSupported.WithMessage("azemu does not support the Archive access tier yet.")
	}
	return "", storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-access-tier").WithDetail("HeaderValue", t)
}

// applyTier sets an explicitly given tier on a blob written now; without
// one the blob keeps the tier of the blob it replaces (newBlobRec copied
// it), as Azure does when a Hot/Cool blob is overwritten.
func applyTier(rec *blobRec, tier string, now time.Time) {
	if tier != "" {
		rec.Tier, rec.TierChanged = tier, now
	}
}

// writeCheck applies lease and conditions of a write to an existing (or
// absent: cur nil) blob.
func writeCheck(cur *blobRec, c blobstore.Conditions, now time.Time, kind blobstore.CondKind) error {
	if cur == nil {
		if c.LeaseID != "" {
			// Azure: a lease id on a blob that does not exist is 412.
			return storageerr.ErrLeaseNotPresentWithBlobOperation
		}
		return blobstore.CheckConditions(c, false, "", time.Time{}, kind)
	}
	if err := blobstore.CheckLease(cur.Lease, now, c.LeaseID, true, blobLeaseErrs); err != nil {
		return err
	}
	return blobstore.CheckConditions(c, true, cur.ETag, cur.LastModified, kind)
}

// dropStaged deletes every staged block of a blob, releasing its files.
func dropStaged(tx *boltstore.Tx, ref blobstore.BlobRef, dead *[]crypto.FileID) error {
	var ids [][]byte
	var exts []sealed.Extent
	err := tx.Blocks(ref.Account, ref.Container, ref.Blob, func(raw, v []byte) error {
		r, err := blobstore.DecodeRecord[blockRec](v)
		if err != nil {
			return err
		}
		ids = append(ids, append([]byte(nil), raw...))
		exts = append(exts, r.extents()...)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.DeleteBlock(ref.Account, ref.Container, ref.Blob, id); err != nil {
			return err
		}
	}
	for _, e := range exts {
		if err := blobstore.AddRefs(tx, []sealed.Extent{e}, -1, dead); err != nil {
			return err
		}
	}
	return nil
}

// loadWritable loads the blob at ref for a create-or-replace write (nil
// when absent) after checking cond against it.
func loadWritable(tx *boltstore.Tx, ref blobstore.BlobRef, cond blobstore.Conditions, now time.Time) (*blobRec, error) {
	_, cur, err := loadBlob(tx, ref)
	if err != nil {
		return nil, err
	}
	if err := writeCheck(cur, cond, now, blobstore.CondCreate); err != nil {
		return nil, err
	}
	return cur, nil
}

// replaceBlob stores rec as the new base blob, moving file references from
// old (may be nil) to rec.
func replaceBlob(tx *boltstore.Tx, ref blobstore.BlobRef, old, rec *blobRec, dead *[]crypto.FileID) error {
	if err := blobstore.AddRefs(tx, rec.Extents, +1, dead); err != nil {
		return err
	}
	if old != nil {
		if err := blobstore.AddRefs(tx, old.Extents, -1, dead); err != nil {
			return err
		}
	}
	return putBlobRec(tx, ref, rec)
}

// newBlobRec starts the record of a blob written now, keeping the creation
// time and lease of the blob it replaces.
func (s *Service) newBlobRec(old *blobRec, t blobstore.BlobType, now time.Time) *blobRec {
	r := &blobRec{V: blobstore.RecordVersion, Type: t, Created: now, ETag: s.core.NewETag(now), LastModified: now}
	if old != nil {
		r.Created, r.Lease = old.Created, old.Lease
		if old.Type == t {
			r.Tier, r.TierChanged = old.Tier, old.TierChanged
		}
	}
	return r
}

func (s *Service) sealBlobMeta(ctx context.Context, ref blobstore.BlobRef, m map[string]string, o op) ([]byte, error) {
	if len(m) == 0 {
		return nil, nil
	}
	k, err := s.keyFor(ctx, ref.Account, o)
	if err != nil {
		return nil, err
	}
	return blobstore.SealMetadata(k, m, blobAAD(ref.Account, ref.Container, ref.Blob))
}

// writeBlob replaces the blob at ref, in one transaction, with the record
// build starts from the current blob (nil when absent) after checking cond
// for a create-or-replace write, and discards the blob's staged blocks. It
// returns the new record and the data files no longer referenced, for the
// caller to remove once the write has settled.
func (s *Service) writeBlob(ref blobstore.BlobRef, cond blobstore.Conditions, now time.Time, build func(cur *blobRec) *blobRec) (*blobRec, []crypto.FileID, error) {
	var (
		rec  *blobRec
		dead []crypto.FileID
	)
	err := s.st.Update(func(tx *boltstore.Tx) error {
		cur, err := loadWritable(tx, ref, cond, now)
		if err != nil {
			return err
		}
		rec = build(cur)
		if err := dropStaged(tx, ref, &dead); err != nil {
			return err
		}
		return replaceBlob(tx, ref, cur, rec, &dead)
	})
	if err != nil {
		return nil, nil, err
	}
	return rec, dead, nil
}

func writeResult(r *blobRec, md5 []byte) blobstore.WriteResult {
	return blobstore.WriteResult{ETag: r.ETag, LastModified: r.LastModified, ContentMD5: md5, RequestServerEncrypted: true}
}

// PutBlob creates or replaces a block blob from opts.Body, streamed into
// encrypted data files. It MUST return storageerr.ErrContainerNotFound,
// storageerr.ErrInvalidResourceName for a bad blob name (1-1024 characters),
// storageerr.ErrMD5Mismatch when TransactionalMD5 does not match the body (nothing is
// committed), storageerr.ErrConditionNotMet / storageerr.ErrBlobAlreadyExists per Conditions, the
// lease errors of a leased blob, and storageerr.ErrRequestBodyTooLarge above 5000 MiB.
// Uncommitted blocks of the blob are discarded.
func (s *Service) PutBlob(ctx context.Context, ref blobstore.BlobRef, opts blobstore.PutBlobOptions) (blobstore.WriteResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.WriteResult{}, err
	}
	if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
		return blobstore.WriteResult{}, err
	}
	tier, err := canonTier(opts.Tier)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	// Fail early, before streaming the body, when the write cannot succeed.
	err = s.st.View(func(tx *boltstore.Tx) error {
		_, err := loadWritable(tx, ref, opts.Conditions, s.core.Now())
		return err
	})
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	k, err := s.keyFor(ctx, ref.Account, opPutBlob)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	msealed, err := blobstore.SealMetadata(k, opts.Metadata, blobAAD(ref.Account, ref.Container, ref.Blob))
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	w, err := s.data.Write(ctx, k.Sealing(), opts.Body, sealed.WriteOptions{Size: opts.Size, Limit: maxPutBlobSize, MD5: opts.TransactionalMD5, Digest: true, Inline: true})
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	now := s.core.Now()
	rec, dead, err := s.writeBlob(ref, opts.Conditions, now, func(cur *blobRec) *blobRec {
		rec := s.newBlobRec(cur, blobstore.BlockBlob, now)
		rec.Headers = opts.HTTPHeaders
		if rec.Headers.ContentMD5 == nil {
			rec.Headers.ContentMD5 = w.MD5
		}
		rec.MetaSealed, rec.Size, rec.Extents = msealed, w.Size, w.Extents()
		applyTier(rec, tier, now)
		return rec
	})
	s.data.Settle(w, err == nil)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	s.data.Remove(dead)
	return writeResult(rec, w.MD5), nil
}

// decodeBlockID decodes a base64 block id and checks its size.
func decodeBlockID(id string) ([]byte, bool) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || len(raw) == 0 || len(raw) > maxBlockIDSize {
		return nil, false
	}
	return raw, true
}

// PutBlock stages a block for a block blob (creating an uncommitted blob
// when none exists). It MUST return storageerr.ErrContainerNotFound,
// storageerr.ErrInvalidQueryParameterValue for a block id that is not base64 or decodes
// to more than 64 bytes, storageerr.ErrInvalidBlobOrBlock when its decoded length
// differs from the blob's other block ids, storageerr.ErrMD5Mismatch, storageerr.ErrInvalidBlobType
// for an existing append blob, storageerr.ErrRequestBodyTooLarge above 4000 MiB, and the
// lease errors.
func (s *Service) PutBlock(ctx context.Context, ref blobstore.BlobRef, opts blobstore.PutBlockOptions) (blobstore.WriteResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.WriteResult{}, err
	}
	raw, ok := decodeBlockID(opts.BlockID)
	if !ok {
		return blobstore.WriteResult{}, storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "blockid").WithDetail("QueryParameterValue", opts.BlockID)
	}
	now := s.core.Now()
	check := func(tx *boltstore.Tx) error {
		_, cur, err := loadBlob(tx, ref)
		if err != nil {
			return err
		}
		if cur != nil {
			if cur.Type != blobstore.BlockBlob {
				return storageerr.ErrInvalidBlobType
			}
			if err := blobstore.CheckLease(cur.Lease, now, opts.LeaseID, true, blobLeaseErrs); err != nil {
				return err
			}
			for _, id := range cur.Blocks {
				if b, ok := decodeBlockID(id); ok && len(b) != len(raw) {
					return storageerr.ErrInvalidBlobOrBlock
				}
				break
			}
		}
		bad := false
		err = tx.Blocks(ref.Account, ref.Container, ref.Blob, func(id, _ []byte) error {
			bad = len(id) != len(raw)
			return errStop
		})
		if err != nil && err != errStop {
			return err
		}
		if bad {
			return storageerr.ErrInvalidBlobOrBlock
		}
		return nil
	}
	if err := s.st.View(check); err != nil {
		return blobstore.WriteResult{}, err
	}
	k, err := s.keyFor(ctx, ref.Account, opPutBlock)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	w, err := s.data.Write(ctx, k.Sealing(), opts.Body, sealed.WriteOptions{Size: opts.Size, Limit: maxPutBlockSize, MD5: opts.TransactionalMD5})
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	var dead []crypto.FileID
	err = s.st.Update(func(tx *boltstore.Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		if old := tx.Block(ref.Account, ref.Container, ref.Blob, raw); old != nil {
			or, err := blobstore.DecodeRecord[blockRec](old)
			if err != nil {
				return err
			}
			if err := blobstore.AddRefs(tx, or.extents(), -1, &dead); err != nil {
				return err
			}
		}
		rec := &blockRec{V: blobstore.RecordVersion, ID: base64.StdEncoding.EncodeToString(raw), Size: w.Size, Created: now}
		if !w.None {
			f := sealed.FileRef(w.ID)
			rec.F = &f
		}
		if err := blobstore.AddRefs(tx, rec.extents(), +1, &dead); err != nil {
			return err
		}
		b, err := blobstore.EncodeRecord(rec)
		if err != nil {
			return err
		}
		return tx.PutBlock(ref.Account, ref.Container, ref.Blob, raw, b)
	})
	s.data.Settle(w, err == nil)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	s.data.Remove(dead)
	return blobstore.WriteResult{ContentMD5: w.MD5, RequestServerEncrypted: true}, nil
}

// errStop ends a scan early.
var errStop = errors.New("stop")

// PutBlockList commits a block list: Committed ids are looked up in the
// committed list, Uncommitted ones among the staged blocks, Latest in the
// staged blocks then the committed list. Commit writes only metadata (no
// data copy); staged blocks not in the list are discarded. It MUST return
// storageerr.ErrInvalidBlockList when an id is not found, storageerr.ErrBlockListTooLong above
// 50,000 blocks, storageerr.ErrContainerNotFound, condition and lease errors.
func (s *Service) PutBlockList(ctx context.Context, ref blobstore.BlobRef, opts blobstore.PutBlockListOptions) (blobstore.WriteResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.WriteResult{}, err
	}
	if len(opts.Blocks) > maxBlocks {
		return blobstore.WriteResult{}, storageerr.ErrBlockListTooLong
	}
	if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
		return blobstore.WriteResult{}, err
	}
	tier, err := canonTier(opts.Tier)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	msealed, err := s.sealBlobMeta(ctx, ref, opts.Metadata, opPutBlockList)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	now := s.core.Now()
	var (
		rec  *blobRec
		dead []crypto.FileID
	)
	err = s.st.Update(func(tx *boltstore.Tx) error {
		cur, err := loadWritable(tx, ref, opts.Conditions, now)
		if err != nil {
			return err
		}
		if cur != nil && cur.Type != blobstore.BlockBlob {
			return storageerr.ErrInvalidBlobType
		}
		staged := map[string]*blockRec{}
		err = tx.Blocks(ref.Account, ref.Container, ref.Blob, func(raw, v []byte) error {
			r, err := blobstore.DecodeRecord[blockRec](v)
			if err != nil {
				return err
			}
			staged[string(raw)] = r
			return nil
		})
		if err != nil {
			return err
		}
		committed := map[string]int{}
		if cur != nil {
			for i, id := range cur.Blocks {
				if raw, ok := decodeBlockID(id); ok {
					committed[string(raw)] = i
				}
			}
		}
		rec = s.newBlobRec(cur, blobstore.BlockBlob, now)
		rec.Headers, rec.MetaSealed = opts.HTTPHeaders, msealed
		applyTier(rec, tier, now)
		rec.Blocks = make([]string, 0, len(opts.Blocks))
		rec.Extents = make([]sealed.Extent, 0, len(opts.Blocks))
		for _, b := range opts.Blocks {
			raw, ok := decodeBlockID(b.ID)
			if !ok {
				return storageerr.ErrInvalidBlockList
			}
			var (
				exts  []sealed.Extent
				found bool
			)
			fromCommitted := func() {
				if i, ok := committed[string(raw)]; ok {
					exts, found = []sealed.Extent{cur.Extents[i]}, true
					if cur.Extents[i].Len == 0 {
						exts = nil
					}
				}
			}
			fromStaged := func() {
				if r, ok := staged[string(raw)]; ok {
					exts, found = r.extents(), true
				}
			}
			switch b.Lookup {
			case blobstore.LookupCommitted:
				fromCommitted()
			case blobstore.LookupUncommitted:
				fromStaged()
			case blobstore.LookupLatest, "":
				if fromStaged(); !found {
					fromCommitted()
				}
			default:
				return storageerr.ErrInvalidBlockList
			}
			if !found {
				return storageerr.ErrInvalidBlockList
			}
			if len(exts) == 0 {
				// An empty block keeps its place in the list with a
				// zero-length extent of no file.
				exts = []sealed.Extent{{}}
			}
			rec.Blocks = append(rec.Blocks, base64.StdEncoding.EncodeToString(raw))
			rec.Extents = append(rec.Extents, exts[0])
			rec.Size += exts[0].Len
		}
		// Move references from the staged blocks and the old blob to the
		// new blob; most cancel out, so each count is written at most once.
		refs := blobstore.RefDeltas{}
		refs.Add(rec.Extents, +1)
		if cur != nil {
			refs.Add(cur.Extents, -1)
		}
		for raw, b := range staged {
			refs.Add(b.extents(), -1)
			if err := tx.DeleteBlock(ref.Account, ref.Container, ref.Blob, []byte(raw)); err != nil {
				return err
			}
		}
		if err := refs.Apply(tx, &dead); err != nil {
			return err
		}
		return putBlobRec(tx, ref, rec)
	})
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	s.data.Remove(dead)
	return writeResult(rec, nil), nil
}

// GetBlockList returns the committed and/or uncommitted block lists. It MUST
// return storageerr.ErrBlobNotFound when the blob has neither committed data nor staged
// blocks, storageerr.ErrContainerNotFound, and apply the lease id of opts.Conditions.
func (s *Service) GetBlockList(ctx context.Context, ref blobstore.BlobRef, opts blobstore.GetBlockListOptions) (blobstore.BlockList, error) {
	if err := checkRef(ref); err != nil {
		return blobstore.BlockList{}, err
	}
	var out blobstore.BlockList
	typ := opts.Type
	if typ == "" {
		typ = blobstore.BlockListCommitted
	}
	switch typ {
	case blobstore.BlockListCommitted, blobstore.BlockListUncommitted, blobstore.BlockListAll:
	default:
		return blobstore.BlockList{}, storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "blocklisttype").WithDetail("QueryParameterValue", string(typ))
	}
	now := s.core.Now()
	err := s.st.View(func(tx *boltstore.Tx) error {
		_, cur, err := loadBlob(tx, ref)
		if err != nil {
			return err
		}
		type staged struct {
			b blobstore.Block
			t time.Time
		}
		var st []staged
		if ref.Snapshot == "" {
			err = tx.Blocks(ref.Account, ref.Container, ref.Blob, func(_, v []byte) error {
				r, err := blobstore.DecodeRecord[blockRec](v)
				if err != nil {
					return err
				}
				st = append(st, staged{blobstore.Block{Name: r.ID, Size: r.Size}, r.Created})
				return nil
			})
			if err != nil {
				return err
			}
		}
		if cur == nil && len(st) == 0 {
			return storageerr.ErrBlobNotFound
		}
		if cur != nil {
			if cur.Type != blobstore.BlockBlob {
				return storageerr.ErrInvalidBlobType
			}
			if ref.Snapshot == "" {
				if err := blobstore.CheckLease(cur.Lease, now, opts.Conditions.LeaseID, false, blobLeaseErrs); err != nil {
					return err
				}
			}
			out.ETag, out.LastModified, out.ContentLength = cur.ETag, cur.LastModified, cur.Size
			if typ != blobstore.BlockListUncommitted {
				out.Committed = make([]blobstore.Block, 0, len(cur.Blocks))
				for i, id := range cur.Blocks {
					out.Committed = append(out.Committed, blobstore.Block{Name: id, Size: cur.Extents[i].Len})
				}
			}
		}
		if typ != blobstore.BlockListCommitted {
			sort.SliceStable(st, func(i, j int) bool { return st[i].t.Before(st[j].t) })
			out.Uncommitted = make([]blobstore.Block, 0, len(st))
			for _, b := range st {
				out.Uncommitted = append(out.Uncommitted, b.b)
			}
		}
		return nil
	})
	return out, err
}

// readBlob loads a blob for a read: it applies conditions and the optional
// lease id.
func (s *Service) readBlob(ref blobstore.BlobRef, cond blobstore.Conditions) (*blobRec, error) {
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	now := s.core.Now()
	var rec *blobRec
	err := s.st.View(func(tx *boltstore.Tx) error {
		var err error
		if rec, err = mustBlob(tx, ref); err != nil {
			return err
		}
		if ref.Snapshot == "" {
			if err := blobstore.CheckLease(rec.Lease, now, cond.LeaseID, false, blobLeaseErrs); err != nil {
				return err
			}
		}
		return blobstore.CheckConditions(cond, true, rec.ETag, rec.LastModified, blobstore.CondRead)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// GetBlob opens a blob (or snapshot) for reading. It MUST return
// storageerr.ErrContainerNotFound, storageerr.ErrBlobNotFound (also for an
// uncommitted blob or unknown snapshot), storageerr.ErrNotModified (304) /
// storageerr.ErrConditionNotMet (412) per cond, and the lease errors for a
// mismatching cond.LeaseID. The caller MUST Close the reader. Errors from
// the key provider are returned unchanged.
func (s *Service) GetBlob(ctx context.Context, ref blobstore.BlobRef, cond blobstore.Conditions) (*blobstore.BlobReader, error) {
	k, err := s.keyFor(ctx, ref.Account, opGetBlob)
	if err != nil {
		return nil, err
	}
	var rec *blobRec
	pin, err := s.data.Pin(func() ([]sealed.Extent, error) {
		var err error
		rec, err = s.readBlob(ref, cond)
		if err != nil {
			return nil, err
		}
		return rec.Extents, nil
	})
	if err != nil {
		return nil, err
	}
	meta, err := s.blobMeta(k, ref, rec)
	if err != nil {
		pin.Release()
		return nil, err
	}
	return blobstore.NewBlobReader(rec.props(ref, s.core.Now(), meta), pin.Reader(k.Sealing(), rec.Extents), rec.Size,
		func() error {
			pin.Release()
			return nil
		}), nil
}

// GetBlobProperties returns a blob's (or snapshot's) properties with
// metadata. Errors as GetBlob.
func (s *Service) GetBlobProperties(ctx context.Context, ref blobstore.BlobRef, cond blobstore.Conditions) (blobstore.BlobProperties, error) {
	k, err := s.keyFor(ctx, ref.Account, opGetBlobProperties)
	if err != nil {
		return blobstore.BlobProperties{}, err
	}
	rec, err := s.readBlob(ref, cond)
	if err != nil {
		return blobstore.BlobProperties{}, err
	}
	meta, err := s.blobMeta(k, ref, rec)
	if err != nil {
		return blobstore.BlobProperties{}, err
	}
	return rec.props(ref, s.core.Now(), meta), nil
}

// updateBlob applies fn to the base blob in a write transaction after the
// lease and condition checks, then gives it a new ETag and Last-Modified.
func (s *Service) updateBlob(ref blobstore.BlobRef, cond blobstore.Conditions, fn func(rec *blobRec) error) (blobstore.WriteResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.WriteResult{}, err
	}
	now := s.core.Now()
	var rec *blobRec
	err := s.st.Update(func(tx *boltstore.Tx) error {
		var err error
		if rec, err = mustBlob(tx, ref); err != nil {
			return err
		}
		if err := writeCheck(rec, cond, now, blobstore.CondWrite); err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		rec.ETag, rec.LastModified = s.core.NewETag(now), now
		return putBlobRec(tx, ref, rec)
	})
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	return writeResult(rec, nil), nil
}

// SetBlobHTTPHeaders replaces a blob's HTTP headers (Set Blob Properties;
// absent headers are cleared as Azure does) and changes ETag and
// Last-Modified. It MUST return storageerr.ErrBlobNotFound, storageerr.ErrInvalidQueryParameterValue
// for a snapshot (snapshots are read-only), condition and lease errors.
func (s *Service) SetBlobHTTPHeaders(ctx context.Context, ref blobstore.BlobRef, h blobstore.HTTPHeaders, cond blobstore.Conditions) (blobstore.WriteResult, error) {
	return s.SetBlobProperties(ctx, ref, blobstore.SetBlobPropertiesOptions{HTTPHeaders: &h, Conditions: cond})
}

// SetBlobProperties is Set Blob Properties: it applies opts and changes
// ETag and Last-Modified. Errors as SetBlobHTTPHeaders.
func (s *Service) SetBlobProperties(ctx context.Context, ref blobstore.BlobRef, opts blobstore.SetBlobPropertiesOptions) (blobstore.WriteResult, error) {
	return s.updateBlob(ref, opts.Conditions, func(rec *blobRec) error {
		if opts.HTTPHeaders != nil {
			rec.Headers = *opts.HTTPHeaders
		}
		// Azure stops reporting x-ms-copy-* once Set Blob Properties
		// modifies a copy destination.
		rec.Copy = nil
		return nil
	})
}

// SetBlobMetadata replaces a blob's metadata and changes ETag and
// Last-Modified. Errors as SetBlobHTTPHeaders plus the metadata errors.
func (s *Service) SetBlobMetadata(ctx context.Context, ref blobstore.BlobRef, metadata map[string]string, cond blobstore.Conditions) (blobstore.WriteResult, error) {
	if err := blobstore.ValidateMetadata(metadata); err != nil {
		return blobstore.WriteResult{}, err
	}
	k, err := s.keyFor(ctx, ref.Account, opSetBlobMetadata)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	msealed, err := blobstore.SealMetadata(k, metadata, blobAAD(ref.Account, ref.Container, ref.Blob))
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	return s.updateBlob(ref, cond, func(rec *blobRec) error {
		rec.MetaSealed = msealed
		return nil
	})
}

// DeleteBlob deletes a blob, a snapshot (ref.Snapshot set), or only the
// snapshots (DeleteSnapshotsOnly). It MUST return storageerr.ErrBlobNotFound,
// storageerr.ErrSnapshotsPresent when the blob has snapshots and DeleteSnapshots is
// empty, storageerr.ErrInvalidQueryParameterValue when DeleteSnapshots is given for a
// snapshot, condition and lease errors (a snapshot has no lease).
func (s *Service) DeleteBlob(ctx context.Context, ref blobstore.BlobRef, opts blobstore.DeleteBlobOptions) error {
	if err := checkRef(ref); err != nil {
		return err
	}
	switch opts.DeleteSnapshots {
	case blobstore.DeleteSnapshotsNone, blobstore.DeleteSnapshotsInclude, blobstore.DeleteSnapshotsOnly:
	default:
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-delete-snapshots").WithDetail("HeaderValue", string(opts.DeleteSnapshots))
	}
	if ref.Snapshot != "" && opts.DeleteSnapshots != "" {
		return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "snapshot").WithDetail("QueryParameterValue", ref.Snapshot)
	}
	now := s.core.Now()
	var dead []crypto.FileID
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := mustBlob(tx, ref)
		if err != nil {
			return err
		}
		if ref.Snapshot != "" {
			if err := blobstore.CheckConditions(opts.Conditions, true, rec.ETag, rec.LastModified, blobstore.CondWrite); err != nil {
				return err
			}
			if err := blobstore.AddRefs(tx, rec.Extents, -1, &dead); err != nil {
				return err
			}
			return tx.DeleteBlob(ref.Account, ref.Container, ref.Blob, ref.Snapshot)
		}
		if err := writeCheck(rec, opts.Conditions, now, blobstore.CondWrite); err != nil {
			return err
		}
		var snaps []string
		var snapExts [][]sealed.Extent
		err = tx.BlobVersions(ref.Account, ref.Container, ref.Blob, func(snap string, v []byte) error {
			if snap == "" {
				return nil
			}
			r, err := decodeBlobRec(v)
			if err != nil {
				return err
			}
			snaps = append(snaps, snap)
			snapExts = append(snapExts, r.Extents)
			return nil
		})
		if err != nil {
			return err
		}
		if len(snaps) > 0 && opts.DeleteSnapshots == blobstore.DeleteSnapshotsNone {
			return storageerr.ErrSnapshotsPresent
		}
		for i, snap := range snaps {
			if err := blobstore.AddRefs(tx, snapExts[i], -1, &dead); err != nil {
				return err
			}
			if err := tx.DeleteBlob(ref.Account, ref.Container, ref.Blob, snap); err != nil {
				return err
			}
		}
		if opts.DeleteSnapshots == blobstore.DeleteSnapshotsOnly {
			return nil
		}
		if err := dropStaged(tx, ref, &dead); err != nil {
			return err
		}
		if err := blobstore.AddRefs(tx, rec.Extents, -1, &dead); err != nil {
			return err
		}
		return tx.DeleteBlob(ref.Account, ref.Container, ref.Blob, "")
	})
	if err != nil {
		return err
	}
	s.data.Remove(dead)
	return nil
}

// SnapshotBlob creates a read-only snapshot sharing the blob's data files.
// It MUST return storageerr.ErrBlobNotFound, storageerr.ErrConditionNotMet, and
// LeaseIdMismatchWithBlobOperation for a wrong lease id (a lease id is
// optional on a leased blob).
func (s *Service) SnapshotBlob(ctx context.Context, ref blobstore.BlobRef, opts blobstore.SnapshotOptions) (blobstore.SnapshotResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.SnapshotResult{}, err
	}
	var msealed []byte
	if opts.Metadata != nil {
		if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
			return blobstore.SnapshotResult{}, err
		}
		k, err := s.keyFor(ctx, ref.Account, opSnapshotMetadata)
		if err != nil {
			return blobstore.SnapshotResult{}, err
		}
		if msealed, err = blobstore.SealMetadata(k, opts.Metadata, blobAAD(ref.Account, ref.Container, ref.Blob)); err != nil {
			return blobstore.SnapshotResult{}, err
		}
	}
	now := s.core.Now()
	var res blobstore.SnapshotResult
	var dead []crypto.FileID
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := mustBlob(tx, ref)
		if err != nil {
			return err
		}
		if err := blobstore.CheckLease(rec.Lease, now, opts.Conditions.LeaseID, false, blobLeaseErrs); err != nil {
			return err
		}
		if err := blobstore.CheckConditions(opts.Conditions, true, rec.ETag, rec.LastModified, blobstore.CondWrite); err != nil {
			return err
		}
		snap := *rec
		snap.Lease = blobstore.Lease{}
		if opts.Metadata != nil {
			snap.MetaSealed = msealed
		}
		t := now
		id := t.Format(blobstore.SnapshotLayout)
		for tx.Blob(ref.Account, ref.Container, ref.Blob, id) != nil {
			t = t.Add(100 * time.Nanosecond)
			id = t.Format(blobstore.SnapshotLayout)
		}
		sref := ref
		sref.Snapshot = id
		if err := blobstore.AddRefs(tx, snap.Extents, +1, &dead); err != nil {
			return err
		}
		res = blobstore.SnapshotResult{Snapshot: id, ETag: rec.ETag, LastModified: rec.LastModified}
		return putBlobRec(tx, sref, &snap)
	})
	return res, err
}

// CopyBlob copies a blob within the emulator synchronously: the destination
// shares the source's immutable data files (no byte copy) and reports copy
// status success. It MUST return storageerr.ErrCopyAcrossAccountsNotSupported,
// storageerr.ErrContainerNotFound, storageerr.ErrBlobNotFound for a missing source (404
// CannotVerifyCopySource is for URLs outside the emulator, mapped by the
// protocol layer), storageerr.ErrSourceConditionNotMet, storageerr.ErrConditionNotMet and the
// destination lease errors.
func (s *Service) CopyBlob(ctx context.Context, dst blobstore.BlobRef, opts blobstore.CopyBlobOptions) (blobstore.CopyResult, error) {
	if err := checkWritableRef(dst); err != nil {
		return blobstore.CopyResult{}, err
	}
	src := opts.Source
	if src.Account != dst.Account {
		return blobstore.CopyResult{}, storageerr.ErrCopyAcrossAccountsNotSupported
	}
	if err := checkRef(src); err != nil {
		return blobstore.CopyResult{}, err
	}
	if opts.Metadata != nil {
		if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
			return blobstore.CopyResult{}, err
		}
	}
	tier, err := canonTier(opts.Tier)
	if err != nil {
		return blobstore.CopyResult{}, err
	}
	k, err := s.keyFor(ctx, dst.Account, opCopyBlob)
	if err != nil {
		return blobstore.CopyResult{}, err
	}
	now := s.core.Now()
	var (
		rec  *blobRec
		dead []crypto.FileID
	)
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sr, err := mustBlob(tx, src)
		if err != nil {
			return err
		}
		if err := blobstore.CheckConditions(opts.SourceConditions, true, sr.ETag, sr.LastModified, blobstore.CondWrite); err != nil {
			return storageerr.ErrSourceConditionNotMet
		}
		if src.Snapshot == "" && opts.SourceConditions.LeaseID != "" {
			if err := blobstore.CheckLease(sr.Lease, now, opts.SourceConditions.LeaseID, false, blobLeaseErrs); err != nil {
				return err
			}
		}
		cur, err := loadWritable(tx, dst, opts.Conditions, now)
		if err != nil {
			return err
		}
		var meta map[string]string
		if opts.Metadata != nil || opts.AsPutBlob {
			meta = opts.Metadata
		} else if meta, err = s.blobMeta(k, src, sr); err != nil {
			return err
		}
		msealed, err := blobstore.SealMetadata(k, meta, blobAAD(dst.Account, dst.Container, dst.Blob))
		if err != nil {
			return err
		}
		if opts.AsPutBlob {
			rec = s.newBlobRec(cur, blobstore.BlockBlob, now)
			rec.Headers, rec.MetaSealed, rec.Size = sr.Headers, msealed, sr.Size
			if opts.HTTPHeaders != nil {
				rec.Headers = *opts.HTTPHeaders
			}
			rec.Extents = append([]sealed.Extent(nil), sr.Extents...)
			applyTier(rec, tier, now)
			if err := dropStaged(tx, dst, &dead); err != nil {
				return err
			}
			return replaceBlob(tx, dst, cur, rec, &dead)
		}
		rec = s.newBlobRec(cur, sr.Type, now)
		rec.Headers, rec.MetaSealed, rec.Size = sr.Headers, msealed, sr.Size
		rec.Extents = append([]sealed.Extent(nil), sr.Extents...)
		rec.Blocks = append([]string(nil), sr.Blocks...)
		rec.BlockCount = sr.BlockCount
		applyTier(rec, tier, now)
		progress := strconv.FormatInt(sr.Size, 10)
		rec.Copy = &blobstore.CopyInfo{ID: blobstore.NewLeaseID(), Status: blobstore.CopySuccess, Source: opts.SourceURL,
			Progress: progress + "/" + progress, CompletionTime: now}
		return replaceBlob(tx, dst, cur, rec, &dead)
	})
	if err != nil {
		return blobstore.CopyResult{}, err
	}
	s.data.Remove(dead)
	if rec.Copy == nil {
		return blobstore.CopyResult{ETag: rec.ETag, LastModified: rec.LastModified}, nil
	}
	return blobstore.CopyResult{CopyID: rec.Copy.ID, CopyStatus: blobstore.CopySuccess, ETag: rec.ETag, LastModified: rec.LastModified}, nil
}

// AbortCopy aborts a pending copy. Copies in azemu complete synchronously,
// so it MUST return storageerr.ErrBlobNotFound when the blob does not exist,
// storageerr.ErrCopyIDMismatch when CopyID is not the blob's last copy id, and
// storageerr.ErrNoPendingCopyOperation otherwise.
func (s *Service) AbortCopy(ctx context.Context, ref blobstore.BlobRef, opts blobstore.AbortCopyOptions) error {
	if err := checkRef(ref); err != nil {
		return err
	}
	now := s.core.Now()
	return s.st.View(func(tx *boltstore.Tx) error {
		rec, err := mustBlob(tx, ref)
		if err != nil {
			return err
		}
		if err := blobstore.CheckLease(rec.Lease, now, opts.LeaseID, false, blobLeaseErrs); err != nil {
			return err
		}
		if rec.Copy == nil || !strings.EqualFold(rec.Copy.ID, opts.CopyID) {
			if rec.Copy == nil {
				return storageerr.ErrNoPendingCopyOperation
			}
			return storageerr.ErrCopyIDMismatch
		}
		return storageerr.ErrNoPendingCopyOperation
	})
}

// LeaseBlob runs a lease action on a blob (Lease Blob). The outcomes follow
// Azure's lease state table; leases expire on the emulator clock. Lease
// operations do not change ETag or Last-Modified. It MUST return
// storageerr.ErrBlobNotFound, storageerr.ErrInvalidHeaderValue for a bad duration or break period,
// storageerr.ErrConditionNotMet, and the Lease* conflict codes.
func (s *Service) LeaseBlob(ctx context.Context, ref blobstore.BlobRef, opts blobstore.LeaseOptions) (blobstore.LeaseResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.LeaseResult{}, err
	}
	now := s.core.Now()
	var res blobstore.LeaseResult
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := mustBlob(tx, ref)
		if err != nil {
			return err
		}
		c := opts.Conditions
		c.LeaseID = ""
		if err := blobstore.CheckConditions(c, true, rec.ETag, rec.LastModified, blobstore.CondWrite); err != nil {
			return err
		}
		if res, err = blobstore.ApplyLease(&rec.Lease, opts, now); err != nil {
			return err
		}
		res.ETag, res.LastModified = rec.ETag, rec.LastModified
		return putBlobRec(tx, ref, rec)
	})
	return res, err
}

// CreateAppendBlob creates or replaces an empty append blob. Errors as PutBlob.
func (s *Service) CreateAppendBlob(ctx context.Context, ref blobstore.BlobRef, opts blobstore.CreateAppendBlobOptions) (blobstore.WriteResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.WriteResult{}, err
	}
	if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
		return blobstore.WriteResult{}, err
	}
	msealed, err := s.sealBlobMeta(ctx, ref, opts.Metadata, opCreateAppendBlob)
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	now := s.core.Now()
	rec, dead, err := s.writeBlob(ref, opts.Conditions, now, func(cur *blobRec) *blobRec {
		rec := s.newBlobRec(cur, blobstore.AppendBlob, now)
		rec.Headers, rec.MetaSealed = opts.HTTPHeaders, msealed
		return rec
	})
	if err != nil {
		return blobstore.WriteResult{}, err
	}
	s.data.Remove(dead)
	return writeResult(rec, nil), nil
}

// AppendBlock appends opts.Body to an append blob. It MUST return
// storageerr.ErrBlobNotFound, storageerr.ErrInvalidBlobType for a non-append blob,
// storageerr.ErrAppendPositionConditionNotMet / storageerr.ErrMaxBlobSizeConditionNotMet (412),
// storageerr.ErrBlockCountExceedsLimit after 50,000 blocks, storageerr.ErrRequestBodyTooLarge above
// 100 MiB per block, storageerr.ErrMD5Mismatch, condition and lease errors.
func (s *Service) AppendBlock(ctx context.Context, ref blobstore.BlobRef, opts blobstore.AppendBlockOptions) (blobstore.AppendResult, error) {
	if err := checkWritableRef(ref); err != nil {
		return blobstore.AppendResult{}, err
	}
	if opts.Size == 0 {
		return blobstore.AppendResult{}, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "Content-Length").WithDetail("HeaderValue", "0")
	}
	now := s.core.Now()
	check := func(tx *boltstore.Tx, n int64) (*blobRec, error) {
		rec, err := mustBlob(tx, ref)
		if err != nil {
			return nil, err
		}
		if rec.Type != blobstore.AppendBlob {
			return nil, storageerr.ErrInvalidBlobType
		}
		if err := writeCheck(rec, opts.Conditions, now, blobstore.CondWrite); err != nil {
			return nil, err
		}
		if opts.MaxSize != nil && n >= 0 && rec.Size+n > *opts.MaxSize {
			return nil, storageerr.ErrMaxBlobSizeConditionNotMet
		}
		if opts.AppendPosition != nil && *opts.AppendPosition != rec.Size {
			return nil, storageerr.ErrAppendPositionConditionNotMet
		}
		if rec.BlockCount >= maxBlocks {
			return nil, storageerr.ErrBlockCountExceedsLimit
		}
		return rec, nil
	}
	err := s.st.View(func(tx *boltstore.Tx) error {
		_, err := check(tx, opts.Size)
		return err
	})
	if err != nil {
		return blobstore.AppendResult{}, err
	}
	k, err := s.keyFor(ctx, ref.Account, opAppendBlock)
	if err != nil {
		return blobstore.AppendResult{}, err
	}
	w, err := s.data.Write(ctx, k.Sealing(), opts.Body, sealed.WriteOptions{Size: opts.Size, Limit: maxAppendBlockSize, MD5: opts.TransactionalMD5})
	if err != nil {
		return blobstore.AppendResult{}, err
	}
	if w.None {
		s.data.Settle(w, false)
		return blobstore.AppendResult{}, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "Content-Length").WithDetail("HeaderValue", "0")
	}
	var (
		res  blobstore.AppendResult
		dead []crypto.FileID
	)
	err = s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := check(tx, w.Size)
		if err != nil {
			return err
		}
		res.AppendOffset = rec.Size
		rec.Extents = append(rec.Extents, w.Extents()...)
		rec.Size += w.Size
		rec.BlockCount++
		rec.ETag, rec.LastModified = s.core.NewETag(now), now
		res.WriteResult = writeResult(rec, w.MD5)
		res.CommittedBlockCount = rec.BlockCount
		// The new file is referenced once more; the others keep theirs.
		if err := blobstore.AddRefs(tx, w.Extents(), +1, &dead); err != nil {
			return err
		}
		return putBlobRec(tx, ref, rec)
	})
	s.data.Settle(w, err == nil)
	if err != nil {
		return blobstore.AppendResult{}, err
	}
	return res, nil
}

// SetBlobTier sets the access tier of a block blob (or snapshot) to Hot,
// Cool or Cold (Set Blob Tier). Like Azure, it changes neither ETag nor
// Last-Modified. It MUST return storageerr.ErrBlobNotFound, storageerr.ErrInvalidBlobType for a
// blob that is not a block blob, storageerr.ErrInvalidHeaderValue for an unknown tier,
// storageerr.ErrFeatureNotSupported for Archive (azemu keeps every blob online), and the
// lease errors (a lease id is required on a leased blob). It is gated on the
// account key, as Azure lists it among the operations that fail after a
// customer-managed key is revoked (docs/cmk-revocation.md).
func (s *Service) SetBlobTier(ctx context.Context, ref blobstore.BlobRef, tier string, cond blobstore.Conditions) error {
	if err := checkRef(ref); err != nil {
		return err
	}
	canon, err := canonTier(tier)
	if err != nil {
		return err
	}
	if canon == "" {
		return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-access-tier")
	}
	if _, err := s.keyFor(ctx, ref.Account, opSetBlobTier); err != nil {
		return err
	}
	now := s.core.Now()
	return s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := mustBlob(tx, ref)
		if err != nil {
			return err
		}
		if rec.Type != blobstore.BlockBlob {
			return storageerr.ErrInvalidBlobType
		}
		if ref.Snapshot == "" {
			if err := blobstore.CheckLease(rec.Lease, now, cond.LeaseID, true, blobLeaseErrs); err != nil {
				return err
			}
		}
		if rec.Tier != canon {
			rec.Tier, rec.TierChanged = canon, now
		}
		return putBlobRec(tx, ref, rec)
	})
}
