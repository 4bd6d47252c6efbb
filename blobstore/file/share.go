package file

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

var shareLeaseErrs = blobstore.LeaseErrs{Mismatch: storageerr.ErrLeaseIDMismatchWithShareOperation, NotPresent: storageerr.ErrLeaseNotPresentWithShareOperation}

// checkShareLease is checkLease for a share, with the share wording of
// LeaseIdMissing.
func checkShareLease(l blobstore.Lease, now time.Time, id string, required bool) error {
	err := blobstore.CheckLease(l, now, id, required, shareLeaseErrs)
	if err == storageerr.ErrLeaseIDMissing {
		return storageerr.ErrShareLeaseIDMissing
	}
	return err
}

// GetFileServiceProperties returns the File service properties (defaults
// when never set). It MUST return storageerr.ErrAccountNotFound for an unknown account.
func (s *Service) GetFileServiceProperties(ctx context.Context, account string) (blobstore.FileServiceProperties, error) {
	var p blobstore.FileServiceProperties
	err := s.st.View(func(tx *boltstore.Tx) error {
		if tx.Account(account) == nil {
			return storageerr.ErrAccountNotFound
		}
		p = defaultFileServiceProperties()
		if b := tx.FileGet(boltstore.FileServices, []byte(account)); b != nil {
			rec, err := blobstore.DecodeRecord[fileSvcRec](b)
			if err != nil {
				return err
			}
			p = rec.Props
		}
		return nil
	})
	return p, err
}

func defaultFileServiceProperties() blobstore.FileServiceProperties {
	return blobstore.FileServiceProperties{
		HourMetrics:   &blobstore.MetricsProperties{Version: "1.0"},
		MinuteMetrics: &blobstore.MetricsProperties{Version: "1.0"},
		Cors:          []blobstore.CorsRule{},
	}
}

// SetFileServiceProperties stores the File service properties; nil fields
// keep their stored value, an empty non-nil Cors clears the rules. At most
// 5 CORS rules (else storageerr.ErrInvalidXMLDocument).
func (s *Service) SetFileServiceProperties(ctx context.Context, account string, p blobstore.FileServiceProperties) error {
	if len(p.Cors) > 5 {
		return storageerr.ErrInvalidXMLDocument.WithMessage("At most five CORS rules are allowed.")
	}
	return s.st.Update(func(tx *boltstore.Tx) error {
		if tx.Account(account) == nil {
			return storageerr.ErrAccountNotFound
		}
		cur := defaultFileServiceProperties()
		if b := tx.FileGet(boltstore.FileServices, []byte(account)); b != nil {
			rec, err := blobstore.DecodeRecord[fileSvcRec](b)
			if err != nil {
				return err
			}
			cur = rec.Props
		}
		if p.HourMetrics != nil {
			cur.HourMetrics = p.HourMetrics
		}
		if p.MinuteMetrics != nil {
			cur.MinuteMetrics = p.MinuteMetrics
		}
		if p.Cors != nil {
			cur.Cors = append([]blobstore.CorsRule{}, p.Cors...)
		}
		for _, f := range []struct{ in, out **bool }{
			{&p.SMBMultichannel, &cur.SMBMultichannel},
			{&p.SMBEncryptionInTransit, &cur.SMBEncryptionInTransit},
			{&p.NFSEncryptionInTransit, &cur.NFSEncryptionInTransit},
		} {
			if *f.in != nil {
				v := **f.in
				*f.out = &v
			}
		}
		b, err := blobstore.EncodeRecord(&fileSvcRec{V: blobstore.RecordVersion, Props: cur})
		if err != nil {
			return err
		}
		return tx.FilePut(boltstore.FileServices, []byte(account), b)
	})
}

func checkShareRef(ref blobstore.ShareRef) error {
	if !validShareName(ref.Share) {
		return storageerr.ErrInvalidResourceName.WithMessage("The specifed resource name contains invalid characters.")
	}
	if ref.Snapshot != "" {
		if _, err := time.Parse(blobstore.SnapshotLayout, ref.Snapshot); err != nil {
			return storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "sharesnapshot").WithDetail("QueryParameterValue", ref.Snapshot)
		}
	}
	return nil
}

// loadShare reads a share (or snapshot) record.
func loadShare(tx *boltstore.Tx, ref blobstore.ShareRef) (*shareRec, error) {
	b := tx.FileGet(boltstore.FileShares, boltstore.ShareKey(ref.Account, ref.Share, ref.Snapshot))
	if b == nil {
		if tx.Account(ref.Account) == nil {
			return nil, storageerr.ErrAccountNotFound
		}
		if ref.Snapshot != "" && tx.FileGet(boltstore.FileShares, boltstore.ShareKey(ref.Account, ref.Share, "")) != nil {
			return nil, storageerr.ErrShareSnapshotNotFound
		}
		return nil, storageerr.ErrShareNotFound
	}
	return blobstore.DecodeRecord[shareRec](b)
}

func putShare(tx *boltstore.Tx, ref blobstore.ShareRef, rec *shareRec) error {
	b, err := blobstore.EncodeRecord(rec)
	if err != nil {
		return err
	}
	return tx.FilePut(boltstore.FileShares, boltstore.ShareKey(ref.Account, ref.Share, ref.Snapshot), b)
}

func (s *Service) viewShare(ref blobstore.ShareRef) (*shareRec, error) {
	var rec *shareRec
	err := s.st.View(func(tx *boltstore.Tx) error {
		var err error
		rec, err = loadShare(tx, ref)
		return err
	})
	return rec, err
}

func (r *shareRec) props(ref blobstore.ShareRef, now time.Time, meta map[string]string) blobstore.ShareProperties {
	p := blobstore.ShareProperties{
		Name: ref.Share, Snapshot: ref.Snapshot, ETag: r.ETag, LastModified: r.LastModified, Quota: r.Quota,
		AccessTier: r.AccessTier, AccessTierChangeTime: r.TierChanged, EnabledProtocols: r.Protocols,
		Metadata: meta, Lease: r.Lease.Info(now),
	}
	return p
}

func (s *Service) shareMeta(ctx context.Context, ref blobstore.ShareRef, rec *shareRec, o fileOp) (map[string]string, error) {
	if len(rec.MetaSealed) == 0 {
		return map[string]string{}, nil
	}
	k, err := s.fileKey(ctx, ref.Account, o)
	if err != nil {
		return nil, err
	}
	return blobstore.OpenMetadata(k, rec.MetaSealed, shareAAD(ref.Account, ref.Share))
}

func (s *Service) sealShareMeta(ctx context.Context, ref blobstore.ShareRef, m map[string]string) ([]byte, error) {
	if err := blobstore.ValidateMetadata(m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	k, err := s.fileKey(ctx, ref.Account, fopShare)
	if err != nil {
		return nil, err
	}
	return blobstore.SealMetadata(k, m, shareAAD(ref.Account, ref.Share))
}

func checkAccessTier(t string) error {
	switch t {
	case "", "TransactionOptimized", "Hot", "Cool", "Premium":
		return nil
	}
	return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-access-tier").WithDetail("HeaderValue", t)
}

func checkQuota(q int) error {
	if q < 0 || q > maxShareQuota {
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-share-quota").WithDetail("HeaderValue", itoa(q))
	}
	return nil
}

// CreateShare creates a share with its root directory. It MUST return
// storageerr.ErrInvalidResourceName for a bad name (container rules),
// storageerr.ErrShareAlreadyExists, storageerr.ErrAccountNotFound, storageerr.ErrInvalidHeaderValue for a bad
// quota or access tier, and the metadata errors.
func (s *Service) CreateShare(ctx context.Context, ref blobstore.ShareRef, opts blobstore.CreateShareOptions) (blobstore.ShareProperties, error) {
	ref.Snapshot = ""
	if err := checkShareRef(ref); err != nil {
		return blobstore.ShareProperties{}, err
	}
	if err := checkQuota(opts.Quota); err != nil {
		return blobstore.ShareProperties{}, err
	}
	if err := checkAccessTier(opts.AccessTier); err != nil {
		return blobstore.ShareProperties{}, err
	}
	switch strings.ToUpper(opts.EnabledProtocols) {
	case "", "SMB":
	default:
		return blobstore.ShareProperties{}, storageerr.ErrFeatureNotSupported.WithMessage("azemu serves SMB (REST) shares only.")
	}
	msealed, err := s.sealShareMeta(ctx, ref, opts.Metadata)
	if err != nil {
		return blobstore.ShareProperties{}, err
	}
	now := s.core.Now()
	rec := &shareRec{
		V: blobstore.RecordVersion, Created: now, ETag: s.core.NewETag(now), LastModified: now, Quota: opts.Quota,
		AccessTier: opts.AccessTier, TierChanged: now, Protocols: "SMB", MetaSealed: msealed,
		Root: nodeRec{V: blobstore.RecordVersion, Dir: true, Attributes: "Directory", Created: now, Written: now, Changed: now,
			PermKey: permissionKey("Sddl", defaultSDDL), LastModified: now},
	}
	if rec.Quota == 0 {
		rec.Quota = defaultShareQuota
	}
	if rec.AccessTier == "" {
		rec.AccessTier = "TransactionOptimized"
	}
	rec.Root.ETag = rec.ETag
	err = s.st.Update(func(tx *boltstore.Tx) error {
		if tx.Account(ref.Account) == nil {
			return storageerr.ErrAccountNotFound
		}
		if tx.FileGet(boltstore.FileShares, boltstore.ShareKey(ref.Account, ref.Share, "")) != nil {
			return storageerr.ErrShareAlreadyExists
		}
		return putShare(tx, ref, rec)
	})
	if err != nil {
		return blobstore.ShareProperties{}, err
	}
	return rec.props(ref, now, nil), nil
}

// GetShareProperties returns a share's (or snapshot's) properties with
// metadata. It MUST return storageerr.ErrShareNotFound / storageerr.ErrShareSnapshotNotFound and
// apply leaseID (LeaseIdMismatchWithContainerOperation,
// LeaseNotPresentWithContainerOperation: Azure's codes for shares too).
func (s *Service) GetShareProperties(ctx context.Context, ref blobstore.ShareRef, leaseID string) (blobstore.ShareProperties, error) {
	if err := checkShareRef(ref); err != nil {
		return blobstore.ShareProperties{}, err
	}
	rec, err := s.viewShare(ref)
	if err != nil {
		return blobstore.ShareProperties{}, err
	}
	now := s.core.Now()
	if err := checkShareLease(rec.Lease, now, leaseID, false); err != nil {
		return blobstore.ShareProperties{}, err
	}
	meta, err := s.shareMeta(ctx, ref, rec, fopShare)
	if err != nil {
		return blobstore.ShareProperties{}, err
	}
	return rec.props(ref, now, meta), nil
}

// updateShare runs fn on the live share record after the lease check and
// stores it with a new ETag and Last-Modified.
func (s *Service) updateShare(ref blobstore.ShareRef, leaseID string, fn func(rec *shareRec) error) (blobstore.ShareProperties, error) {
	if err := checkShareRef(ref); err != nil {
		return blobstore.ShareProperties{}, err
	}
	if ref.Snapshot != "" {
		return blobstore.ShareProperties{}, storageerr.ErrShareSnapshotOperationNotSupported
	}
	now := s.core.Now()
	var out blobstore.ShareProperties
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := loadShare(tx, ref)
		if err != nil {
			return err
		}
		if err := checkShareLease(rec.Lease, now, leaseID, false); err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		rec.ETag, rec.LastModified = s.core.NewETag(now), now
		out = rec.props(ref, now, nil)
		return putShare(tx, ref, rec)
	})
	return out, err
}

// SetShareProperties changes quota and access tier.
func (s *Service) SetShareProperties(ctx context.Context, ref blobstore.ShareRef, opts blobstore.SetSharePropertiesOptions) (blobstore.ShareProperties, error) {
	if opts.Quota != nil {
		if err := checkQuota(*opts.Quota); err != nil {
			return blobstore.ShareProperties{}, err
		}
	}
	if err := checkAccessTier(opts.AccessTier); err != nil {
		return blobstore.ShareProperties{}, err
	}
	now := s.core.Now()
	return s.updateShare(ref, opts.LeaseID, func(rec *shareRec) error {
		if opts.Quota != nil && *opts.Quota > 0 {
			rec.Quota = *opts.Quota
		}
		if opts.AccessTier != "" && opts.AccessTier != rec.AccessTier {
			rec.AccessTier, rec.TierChanged = opts.AccessTier, now
		}
		return nil
	})
}

// SetShareMetadata replaces a share's metadata.
func (s *Service) SetShareMetadata(ctx context.Context, ref blobstore.ShareRef, metadata map[string]string, leaseID string) (blobstore.ShareProperties, error) {
	if ref.Snapshot != "" {
		return blobstore.ShareProperties{}, storageerr.ErrShareSnapshotOperationNotSupported
	}
	msealed, err := s.sealShareMeta(ctx, ref, metadata)
	if err != nil {
		return blobstore.ShareProperties{}, err
	}
	return s.updateShare(ref, leaseID, func(rec *shareRec) error {
		rec.MetaSealed = msealed
		return nil
	})
}

// GetShareACL returns the share's stored access policies.
func (s *Service) GetShareACL(ctx context.Context, ref blobstore.ShareRef, leaseID string) (blobstore.ShareACL, error) {
	ref.Snapshot = ""
	if err := checkShareRef(ref); err != nil {
		return blobstore.ShareACL{}, err
	}
	rec, err := s.viewShare(ref)
	if err != nil {
		return blobstore.ShareACL{}, err
	}
	if err := checkShareLease(rec.Lease, s.core.Now(), leaseID, false); err != nil {
		return blobstore.ShareACL{}, err
	}
	return blobstore.ShareACL{Identifiers: append([]blobstore.SignedIdentifier(nil), rec.ACL...), ETag: rec.ETag, LastModified: rec.LastModified}, nil
}

// SetShareACL replaces the share's stored access policies: at most 5, ids
// 1-64 characters and unique (else storageerr.ErrInvalidXMLDocument).
func (s *Service) SetShareACL(ctx context.Context, ref blobstore.ShareRef, ids []blobstore.SignedIdentifier, leaseID string) (blobstore.ShareProperties, error) {
	if len(ids) > 5 {
		return blobstore.ShareProperties{}, storageerr.ErrInvalidXMLDocument.WithMessage("At most five signed identifiers are allowed.")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id.ID == "" || len(id.ID) > 64 || seen[id.ID] {
			return blobstore.ShareProperties{}, storageerr.ErrInvalidXMLDocument.WithMessage("Signed identifiers must be unique and 1 to 64 characters long.")
		}
		seen[id.ID] = true
	}
	acl := append([]blobstore.SignedIdentifier(nil), ids...)
	return s.updateShare(ref, leaseID, func(rec *shareRec) error {
		rec.ACL = acl
		return nil
	})
}

// SharePolicy looks up the stored access policy `id` of a share for the
// auth layer (storageauth.PolicyLookup); found is false when the share has
// no such identifier. A missing share gives storageerr.ErrShareNotFound.
func (s *Service) SharePolicy(ctx context.Context, ref blobstore.ShareRef, id string) (blobstore.AccessPolicy, bool, error) {
	ref.Snapshot = ""
	rec, err := s.viewShare(ref)
	if err != nil {
		return blobstore.AccessPolicy{}, false, err
	}
	p, found := blobstore.FindPolicy(rec.ACL, id)
	return p, found, nil
}

// DeleteShare deletes a share snapshot (ref.Snapshot set) or a share with
// everything in it. It MUST return storageerr.ErrShareNotFound, storageerr.ErrShareHasSnapshots
// when the share has snapshots and DeleteSnapshots is empty, and the share
// lease errors (LeaseIdMissing when leased and no id is given).
func (s *Service) DeleteShare(ctx context.Context, ref blobstore.ShareRef, opts blobstore.DeleteShareOptions) error {
	if err := checkShareRef(ref); err != nil {
		return err
	}
	switch opts.DeleteSnapshots {
	case "", "include", "include-leased":
	default:
		return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-delete-snapshots").WithDetail("HeaderValue", opts.DeleteSnapshots)
	}
	now := s.core.Now()
	var dead []crypto.FileID
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := loadShare(tx, ref)
		if err != nil {
			return err
		}
		if ref.Snapshot != "" {
			// Share snapshots can be leased (2020-02-10 and later).
			if err := checkShareLease(rec.Lease, now, opts.LeaseID, true); err != nil {
				return err
			}
			if err := tx.FileDelete(boltstore.FileShares, boltstore.ShareKey(ref.Account, ref.Share, ref.Snapshot)); err != nil {
				return err
			}
			return dropScope(tx, boltstore.ShareScope(ref.Account, ref.Share, ref.Snapshot), &dead)
		}
		if err := checkShareLease(rec.Lease, now, opts.LeaseID, true); err != nil {
			return err
		}
		snaps, leased := 0, false
		err = tx.FileScan(boltstore.FileShares, boltstore.SharePrefix(ref.Account, ref.Share), nil, func(k, v []byte) (bool, error) {
			if _, snap, ok := boltstore.SplitShareKey(k[len(boltstore.SharesPrefix(ref.Account)):]); ok && snap != "" {
				snaps++
				sr, err := blobstore.DecodeRecord[shareRec](v)
				if err != nil {
					return false, err
				}
				leased = leased || sr.Lease.Effective(now).Active()
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		switch {
		case snaps > 0 && opts.DeleteSnapshots == "":
			return storageerr.ErrShareHasSnapshots
		case leased && opts.DeleteSnapshots != "include-leased":
			// Only include-leased takes leased snapshots along.
			return storageerr.ErrShareLeaseIDMissing
		}
		return dropShare(tx, ref.Account, ref.Share, &dead)
	})
	if err != nil {
		return err
	}
	s.data.Remove(dead)
	return nil
}

// dropShare deletes every record of a share and its snapshots.
func dropShare(tx *boltstore.Tx, account, share string, dead *[]crypto.FileID) error {
	prefix := boltstore.SharePrefix(account, share)
	if err := tx.FileDeletePrefix(boltstore.FileShares, prefix, nil); err != nil {
		return err
	}
	if err := tx.FileDeletePrefix(boltstore.FilePerms, prefix, nil); err != nil {
		return err
	}
	return dropScope(tx, prefix, dead)
}

// dropScope deletes the nodes and extents under prefix, releasing the data
// file references of the extents.
func dropScope(tx *boltstore.Tx, prefix []byte, dead *[]crypto.FileID) error {
	if err := tx.FileDeletePrefix(boltstore.FileNodes, prefix, nil); err != nil {
		return err
	}
	var exts []boltstore.Extent
	err := tx.FileDeletePrefix(boltstore.FileExtents, prefix, func(k, v []byte) error {
		if e, ok := boltstore.DecodeExtent(k[len(k)-8:], v); ok {
			exts = append(exts, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range exts {
		if err := blobstore.AddRefs(tx, []sealed.Extent{sealedExtent(e)}, -1, dead); err != nil {
			return err
		}
	}
	return nil
}

// SnapshotShare takes a read-only, point-in-time copy of a share: its
// directory tree and extent maps are copied (the data files gain a
// reference each; no data is copied). metadata, when not nil, replaces the
// share's metadata on the snapshot.
func (s *Service) SnapshotShare(ctx context.Context, ref blobstore.ShareRef, metadata map[string]string) (blobstore.ShareProperties, error) {
	// Azure ignores a sharesnapshot on Snapshot Share (even a malformed
	// one): the snapshot is always of the live share.
	ref.Snapshot = ""
	if err := checkShareRef(ref); err != nil {
		return blobstore.ShareProperties{}, err
	}
	var msealed []byte
	if metadata != nil {
		var err error
		if msealed, err = s.sealShareMeta(ctx, ref, metadata); err != nil {
			return blobstore.ShareProperties{}, err
		}
	}
	now := s.core.Now()
	var out blobstore.ShareProperties
	var dead []crypto.FileID
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := loadShare(tx, ref)
		if err != nil {
			return err
		}
		t := now.Truncate(100 * time.Nanosecond)
		snap := blobstore.ShareRef{Account: ref.Account, Share: ref.Share, Snapshot: t.Format(blobstore.SnapshotLayout)}
		for tx.FileGet(boltstore.FileShares, boltstore.ShareKey(snap.Account, snap.Share, snap.Snapshot)) != nil {
			t = t.Add(100 * time.Nanosecond)
			snap.Snapshot = t.Format(blobstore.SnapshotLayout)
		}
		sr := *rec
		sr.Lease, sr.ACL = blobstore.Lease{}, nil
		if metadata != nil {
			sr.MetaSealed = msealed
		}
		if err := putShare(tx, snap, &sr); err != nil {
			return err
		}
		from := boltstore.ShareScope(ref.Account, ref.Share, "")
		to := boltstore.ShareScope(snap.Account, snap.Share, snap.Snapshot)
		if err := copyScope(tx, boltstore.FileNodes, from, to, nil); err != nil {
			return err
		}
		err = copyScope(tx, boltstore.FileExtents, from, to, func(k, v []byte) error {
			e, ok := boltstore.DecodeExtent(k[len(k)-8:], v)
			if !ok {
				return nil
			}
			return blobstore.AddRefs(tx, []sealed.Extent{sealedExtent(e)}, +1, &dead)
		})
		if err != nil {
			return err
		}
		out = sr.props(snap, now, nil)
		return nil
	})
	if err != nil {
		return blobstore.ShareProperties{}, err
	}
	return out, nil
}

// copyScope copies every row of bucket under from to the same suffix under to.
func copyScope(tx *boltstore.Tx, b boltstore.FileBucket, from, to []byte, each func(k, v []byte) error) error {
	type kv struct{ k, v []byte }
	var rows []kv
	err := tx.FileScan(b, from, nil, func(k, v []byte) (bool, error) {
		nk := append(append([]byte(nil), to...), k[len(from):]...)
		rows = append(rows, kv{nk, append([]byte(nil), v...)})
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if each != nil {
			if err := each(r.k, r.v); err != nil {
				return err
			}
		}
		if err := tx.FilePut(b, r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}

// LeaseShare runs a lease action on a share or share snapshot (fixed 15-60
// s or infinite leases, as Lease Container).
func (s *Service) LeaseShare(ctx context.Context, ref blobstore.ShareRef, opts blobstore.LeaseOptions) (blobstore.LeaseResult, error) {
	if err := checkShareRef(ref); err != nil {
		return blobstore.LeaseResult{}, err
	}
	now := s.core.Now()
	var res blobstore.LeaseResult
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := loadShare(tx, ref)
		if err != nil {
			return err
		}
		if res, err = blobstore.ApplyLease(&rec.Lease, opts, now); err != nil {
			return err
		}
		res.ETag, res.LastModified = rec.ETag, rec.LastModified
		return putShare(tx, ref, rec)
	})
	return res, err
}

// GetShareStats returns the bytes stored for a share.
func (s *Service) GetShareStats(ctx context.Context, ref blobstore.ShareRef, leaseID string) (blobstore.ShareStats, error) {
	ref.Snapshot = ""
	if err := checkShareRef(ref); err != nil {
		return blobstore.ShareStats{}, err
	}
	var st blobstore.ShareStats
	err := s.st.View(func(tx *boltstore.Tx) error {
		rec, err := loadShare(tx, ref)
		if err != nil {
			return err
		}
		if err := checkShareLease(rec.Lease, s.core.Now(), leaseID, false); err != nil {
			return err
		}
		st.ETag, st.LastModified = rec.ETag, rec.LastModified
		return tx.FileScan(boltstore.FileExtents, boltstore.ShareScope(ref.Account, ref.Share, ""), nil, func(k, v []byte) (bool, error) {
			if e, ok := boltstore.DecodeExtent(k[len(k)-8:], v); ok {
				st.UsageBytes += e.Len
			}
			return true, nil
		})
	})
	return st, err
}

// ListShares lists an account's shares by name (with their snapshots when
// asked). The marker is the opaque NextMarker of the previous page.
func (s *Service) ListShares(ctx context.Context, account string, opts blobstore.ListSharesOptions) (blobstore.ShareList, error) {
	max, err := blobstore.MaxResults(opts.MaxResults)
	if err != nil {
		return blobstore.ShareList{}, err
	}
	type item struct {
		ref blobstore.ShareRef
		rec *shareRec
	}
	var (
		out   blobstore.ShareList
		items []item
	)
	base := boltstore.SharesPrefix(account)
	// The marker is "name" or "name/snapshot" (names never contain "/").
	var from []byte
	if opts.Marker != "" {
		name, snap, _ := strings.Cut(opts.Marker, "/")
		from = boltstore.ShareKey(account, name, snap)
	}
	err = s.st.View(func(tx *boltstore.Tx) error {
		if tx.Account(account) == nil {
			return storageerr.ErrAccountNotFound
		}
		return tx.FileScan(boltstore.FileShares, append(append([]byte(nil), base...), opts.Prefix...), from, func(k, v []byte) (bool, error) {
			name, snap, ok := boltstore.SplitShareKey(k[len(base):])
			if !ok || (snap != "" && !opts.IncludeSnapshots) {
				return true, nil
			}
			if len(items) == max {
				out.NextMarker = name
				if snap != "" {
					out.NextMarker += "/" + snap
				}
				return false, nil
			}
			rec, err := blobstore.DecodeRecord[shareRec](v)
			if err != nil {
				return false, err
			}
			items = append(items, item{blobstore.ShareRef{Account: account, Share: name, Snapshot: snap}, rec})
			return true, nil
		})
	})
	if err != nil {
		return blobstore.ShareList{}, err
	}
	now := s.core.Now()
	for _, it := range items {
		var meta map[string]string
		if opts.IncludeMetadata {
			if meta, err = s.shareMeta(ctx, it.ref, it.rec, fopShare); err != nil {
				return blobstore.ShareList{}, err
			}
		}
		out.Shares = append(out.Shares, it.rec.props(it.ref, now, meta))
	}
	return out, nil
}

func normFormat(f string) (string, error) {
	switch strings.ToLower(f) {
	case "", "sddl":
		return "Sddl", nil
	case "binary":
		return "Binary", nil
	}
	return "", storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-file-permission-format").WithDetail("HeaderValue", f)
}

// checkPermission validates a descriptor: SDDL must start with an owner,
// group, DACL or SACL part; binary must be base64; at most 8 KiB.
func checkPermission(p blobstore.SharePermission) (blobstore.SharePermission, error) {
	f, err := normFormat(p.Format)
	if err != nil {
		return p, err
	}
	p.Format = f
	if p.Permission == "" || len(p.Permission) > maxPermissionSize {
		return p, storageerr.ErrFileInvalidPermission
	}
	if f == "Binary" {
		if _, err := base64.StdEncoding.DecodeString(p.Permission); err != nil {
			return p, storageerr.ErrFileInvalidPermission
		}
		return p, nil
	}
	switch {
	case strings.HasPrefix(p.Permission, "O:"), strings.HasPrefix(p.Permission, "G:"),
		strings.HasPrefix(p.Permission, "D:"), strings.HasPrefix(p.Permission, "S:"):
		return p, nil
	}
	return p, storageerr.ErrFileInvalidPermission
}

// storePermission seals and stores a descriptor and returns its key. Call
// inside an update transaction.
func storePermission(tx *boltstore.Tx, k *blobstore.AccountKey, ref blobstore.ShareRef, p blobstore.SharePermission) (string, error) {
	key := permissionKey(p.Format, p.Permission)
	if p.Format == "Sddl" && p.Permission == defaultSDDL {
		return key, nil
	}
	pk := boltstore.PermKey(ref.Account, ref.Share, key)
	if tx.FileGet(boltstore.FilePerms, pk) != nil {
		return key, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	msealed, err := k.Seal(b, permAAD(ref.Account, ref.Share, key))
	clear(b)
	if err != nil {
		return "", err
	}
	return key, tx.FilePut(boltstore.FilePerms, pk, msealed)
}

// CreatePermission stores a security descriptor at the share level and
// returns its key (equal descriptors get the same key). It MUST return
// storageerr.ErrShareNotFound and storageerr.ErrFileInvalidPermission.
func (s *Service) CreatePermission(ctx context.Context, ref blobstore.ShareRef, p blobstore.SharePermission) (string, error) {
	ref.Snapshot = ""
	if err := checkShareRef(ref); err != nil {
		return "", err
	}
	p, err := checkPermission(p)
	if err != nil {
		return "", err
	}
	k, err := s.fileKey(ctx, ref.Account, fopCreatePermission)
	if err != nil {
		return "", err
	}
	var key string
	err = s.st.Update(func(tx *boltstore.Tx) error {
		if _, err := loadShare(tx, ref); err != nil {
			return err
		}
		key, err = storePermission(tx, k, ref, p)
		return err
	})
	return key, err
}

// GetPermission returns the descriptor stored under key in the format asked
// ("" = Sddl). It MUST return storageerr.ErrShareNotFound and storageerr.ErrFilePermissionNotFound.
func (s *Service) GetPermission(ctx context.Context, ref blobstore.ShareRef, key, format string) (blobstore.SharePermission, error) {
	ref.Snapshot = ""
	if err := checkShareRef(ref); err != nil {
		return blobstore.SharePermission{}, err
	}
	f, err := normFormat(format)
	if err != nil {
		return blobstore.SharePermission{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, fopGetPermission)
	if err != nil {
		return blobstore.SharePermission{}, err
	}
	var msealed []byte
	err = s.st.View(func(tx *boltstore.Tx) error {
		if _, err := loadShare(tx, ref); err != nil {
			return err
		}
		msealed = tx.FileGet(boltstore.FilePerms, boltstore.PermKey(ref.Account, ref.Share, key))
		return nil
	})
	if err != nil {
		return blobstore.SharePermission{}, err
	}
	var p blobstore.SharePermission
	switch {
	case msealed != nil:
		b, err := k.Open(msealed, permAAD(ref.Account, ref.Share, key))
		if err != nil {
			return blobstore.SharePermission{}, err
		}
		err = json.Unmarshal(b, &p)
		clear(b)
		if err != nil {
			return blobstore.SharePermission{}, err
		}
	case key == permissionKey("Sddl", defaultSDDL):
		p = blobstore.SharePermission{Format: "Sddl", Permission: defaultSDDL}
	default:
		return blobstore.SharePermission{}, storageerr.ErrFilePermissionNotFound
	}
	return convertPermission(p, f)
}

// convertPermission renders a stored descriptor in the format asked, SDDL
// canonically as Azure prints it. A descriptor the converter does not
// handle is returned as stored when the format matches.
func convertPermission(p blobstore.SharePermission, format string) (blobstore.SharePermission, error) {
	var bin []byte
	var err error
	if p.Format == "Binary" {
		bin, err = base64.StdEncoding.DecodeString(p.Permission)
	} else {
		bin, err = sddlToBinary(p.Permission)
	}
	if err != nil {
		if p.Format == format {
			return p, nil
		}
		return blobstore.SharePermission{}, storageerr.ErrFeatureNotSupported.WithMessage("azemu cannot convert this permission to %s.", format)
	}
	if format == "Binary" {
		return blobstore.SharePermission{Format: "Binary", Permission: base64.StdEncoding.EncodeToString(bin)}, nil
	}
	sddl, err := binaryToSDDL(bin)
	if err != nil {
		if p.Format == format {
			return p, nil
		}
		return blobstore.SharePermission{}, storageerr.ErrFeatureNotSupported.WithMessage("azemu cannot convert this permission to %s.", format)
	}
	return blobstore.SharePermission{Format: "Sddl", Permission: sddl}, nil
}

func itoa(n int) string { return formatInt(int64(n)) }

// dropAccountFiles deletes every share (with snapshots, files and
// permissions) and the File service properties of an account, releasing
// their data files, for DeleteAccount. It is idempotent.
func (s *Service) dropAccountFiles(ctx context.Context, account string) error {
	if err := boltstore.CheckFileNames(account); err != nil {
		return storageerr.ErrInvalidResourceName
	}
	var dead []crypto.FileID
	err := s.st.Update(func(tx *boltstore.Tx) error {
		base := boltstore.SharesPrefix(account)
		names := map[string]bool{}
		err := tx.FileScan(boltstore.FileShares, base, nil, func(k, _ []byte) (bool, error) {
			if name, _, ok := boltstore.SplitShareKey(k[len(base):]); ok {
				names[name] = true
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		for name := range names {
			if err := dropShare(tx, account, name, &dead); err != nil {
				return err
			}
		}
		return tx.FileDelete(boltstore.FileServices, []byte(account))
	})
	if err != nil {
		return err
	}
	s.data.Remove(dead)
	return nil
}
