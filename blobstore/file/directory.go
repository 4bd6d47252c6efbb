package file

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// loadNode returns the share and the node at loc (a copy of the share's
// root for the root path); node is nil when absent.
func loadNode(tx *boltstore.Tx, ref blobstore.FileRef, loc nodeLoc) (*shareRec, *nodeRec, error) {
	sh, err := loadShare(tx, ref.ShareRef())
	if err != nil {
		return nil, nil, err
	}
	if loc.root() {
		root := sh.Root
		return sh, &root, nil
	}
	b := tx.FileGet(boltstore.FileNodes, loc.key())
	if b == nil {
		return sh, nil, nil
	}
	n, err := blobstore.DecodeRecord[nodeRec](b)
	return sh, n, err
}

// mustNode is loadNode with the not-found errors: ParentNotFound when the
// parent directory is missing, else ResourceNotFound; wantDir checks the
// kind (a mismatch is ResourceNotFound too).
func mustNode(tx *boltstore.Tx, ref blobstore.FileRef, loc nodeLoc, wantDir bool) (*shareRec, *nodeRec, error) {
	sh, n, err := loadNode(tx, ref, loc)
	if err != nil {
		return nil, nil, err
	}
	if n == nil {
		if _, err := parentDir(tx, sh, loc); err != nil {
			return nil, nil, err
		}
		return nil, nil, storageerr.ErrResourceNotFound
	}
	if n.Dir != wantDir {
		return nil, nil, storageerr.ErrResourceNotFound
	}
	return sh, n, nil
}

// parentDir returns the parent directory of loc (ParentNotFound when it is
// missing or a file).
func parentDir(tx *boltstore.Tx, sh *shareRec, loc nodeLoc) (*nodeRec, error) {
	p := loc.parentLoc()
	if p.root() {
		root := sh.Root
		return &root, nil
	}
	b := tx.FileGet(boltstore.FileNodes, p.key())
	if b == nil {
		return nil, storageerr.ErrParentNotFound
	}
	n, err := blobstore.DecodeRecord[nodeRec](b)
	if err != nil {
		return nil, err
	}
	if !n.Dir {
		return nil, storageerr.ErrParentNotFound
	}
	return n, nil
}

// loadCreate loads what a create at loc needs: the share, the node that
// has the name now (nil when absent) and the parent directory
// (ParentNotFound when it is missing or a file).
func loadCreate(tx *boltstore.Tx, ref blobstore.FileRef, loc nodeLoc) (sh *shareRec, cur, parent *nodeRec, err error) {
	sh, cur, err = loadNode(tx, ref, loc)
	if err != nil {
		return nil, nil, nil, err
	}
	if parent, err = parentDir(tx, sh, loc); err != nil {
		return nil, nil, nil, err
	}
	return sh, cur, parent, nil
}

// newNodeRec starts the record of a node created now at loc below parent,
// with its id and sealed metadata.
func (s *Service) newNodeRec(loc nodeLoc, parent *nodeRec, id uint64, msealed []byte, now time.Time) *nodeRec {
	return &nodeRec{V: blobstore.RecordVersion, Name: loc.parts[len(loc.parts)-1], ID: id, Parent: parent.ID,
		ETag: s.core.NewETag(now), LastModified: now, MetaSealed: msealed}
}

// putNode stores a node (the root goes into the share record).
func putNode(tx *boltstore.Tx, ref blobstore.FileRef, loc nodeLoc, sh *shareRec, n *nodeRec) error {
	if loc.root() {
		sh.Root = *n
		return putShare(tx, ref.ShareRef(), sh)
	}
	b, err := blobstore.EncodeRecord(n)
	if err != nil {
		return err
	}
	return tx.FilePut(boltstore.FileNodes, loc.key(), b)
}

func (n *nodeRec) props(path string, now time.Time, meta map[string]string) blobstore.FileProperties {
	p := blobstore.FileProperties{
		Name: n.Name, Path: strings.Trim(path, "/"), IsDir: n.Dir, ETag: n.ETag, LastModified: n.LastModified,
		Attributes: n.Attributes, CreationTime: n.Created, LastWriteTime: n.Written, ChangeTime: n.Changed,
		LastAccessTime: n.Written, PermissionKey: n.PermKey, FileID: fileIDString(n.ID), ParentID: fileIDString(n.Parent),
		Metadata: meta, ServerEncrypted: true,
	}
	if !n.Dir {
		p.ContentLength = n.Size
		p.HTTPHeaders = n.Headers
		if len(p.HTTPHeaders.ContentMD5) == 0 {
			p.HTTPHeaders.ContentMD5 = nil
		}
		p.Lease = n.Lease.Info(now)
		if n.Copy != nil {
			c := *n.Copy
			p.Copy = &c
		}
	}
	return p
}

func (s *Service) nodeMeta(k *blobstore.AccountKey, ref blobstore.FileRef, n *nodeRec) (map[string]string, error) {
	return blobstore.OpenMetadata(k, n.MetaSealed, nodeAAD(ref.Account, ref.Share, n.ID))
}

func sealNodeMeta(k *blobstore.AccountKey, ref blobstore.FileRef, id uint64, m map[string]string) ([]byte, error) {
	return blobstore.SealMetadata(k, m, nodeAAD(ref.Account, ref.Share, id))
}

// writable refuses writes addressed to a share snapshot.
func writable(ref blobstore.FileRef) error {
	if ref.Snapshot != "" {
		return storageerr.ErrShareSnapshotOperationNotSupported
	}
	return nil
}

func checkFileRef(ref blobstore.FileRef) (nodeLoc, error) {
	if err := checkShareRef(ref.ShareRef()); err != nil {
		return nodeLoc{}, err
	}
	return locate(ref)
}

// checkWritableFileRef is checkFileRef for a write: it also refuses a share
// snapshot.
func checkWritableFileRef(ref blobstore.FileRef) (nodeLoc, error) {
	loc, err := checkFileRef(ref)
	if err != nil {
		return nodeLoc{}, err
	}
	if err := writable(ref); err != nil {
		return nodeLoc{}, err
	}
	return loc, nil
}

// CreateDirectory creates a directory. It MUST return storageerr.ErrShareNotFound,
// storageerr.ErrParentNotFound, storageerr.ErrResourceAlreadyExists, storageerr.ErrResourceTypeMismatch when
// a file has the name, storageerr.ErrInvalidResourceName /
// storageerr.ErrInvalidFileOrDirectoryPathName for bad names, storageerr.ErrInvalidHeaderValue
// for bad SMB headers, and the metadata errors.
func (s *Service) CreateDirectory(ctx context.Context, ref blobstore.FileRef, opts blobstore.CreateDirectoryOptions) (blobstore.FileProperties, error) {
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	if loc.root() {
		return blobstore.FileProperties{}, storageerr.ErrResourceAlreadyExists
	}
	d, err := s.draftNode(ctx, ref, opts.Metadata, opts.SMB, true, fopCreateDirectory)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	now := s.core.Now()
	var out blobstore.FileProperties
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, cur, parent, err := loadCreate(tx, ref, loc)
		if err != nil {
			return err
		}
		if cur != nil {
			if !cur.Dir {
				// A file has the name: Azure's "type does not match".
				return storageerr.ErrResourceTypeMismatch
			}
			return storageerr.ErrResourceAlreadyExists
		}
		n := s.newNodeRec(loc, parent, d.id, d.msealed, now)
		n.Dir = true
		if err := d.smb.apply(tx, d.k, ref.ShareRef(), n, true, now); err != nil {
			return err
		}
		out = n.props(ref.Path, now, nil)
		return putNode(tx, ref, loc, sh, n)
	})
	return out, err
}

// nodeDraft is what a create prepares before its transaction: the parsed
// SMB properties, the account key, and the new node's id with its metadata
// sealed to it.
type nodeDraft struct {
	smb     smbSpec
	k       *blobstore.AccountKey
	id      uint64
	msealed []byte
}

// draftNode validates the metadata and SMB properties of a node to create
// at ref (a directory when dir), gets the account key for o and seals the
// metadata to a new node id.
func (s *Service) draftNode(ctx context.Context, ref blobstore.FileRef, metadata map[string]string, p blobstore.SMBProperties, dir bool, o fileOp) (nodeDraft, error) {
	if err := blobstore.ValidateMetadata(metadata); err != nil {
		return nodeDraft{}, err
	}
	smb, err := parseSMB(p, dir)
	if err != nil {
		return nodeDraft{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, o)
	if err != nil {
		return nodeDraft{}, err
	}
	id := newNodeID()
	msealed, err := sealNodeMeta(k, ref, id, metadata)
	if err != nil {
		return nodeDraft{}, err
	}
	return nodeDraft{smb: smb, k: k, id: id, msealed: msealed}, nil
}

// getNodeProps reads a directory or file with metadata for a gated read.
func (s *Service) getNodeProps(ctx context.Context, ref blobstore.FileRef, dir bool, o fileOp, leaseID string) (blobstore.FileProperties, error) {
	loc, err := checkFileRef(ref)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, o)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	now := s.core.Now()
	var n *nodeRec
	err = s.st.View(func(tx *boltstore.Tx) error {
		var err error
		if _, n, err = mustNode(tx, ref, loc, dir); err != nil {
			return err
		}
		if !dir && ref.Snapshot == "" {
			return checkFileLease(n.Lease, now, leaseID, false)
		}
		return nil
	})
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	meta, err := s.nodeMeta(k, ref, n)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	return snapshotLease(ref, n.props(ref.Path, now, meta)), nil
}

// snapshotLease reports files of share snapshots as unleased.
func snapshotLease(ref blobstore.FileRef, p blobstore.FileProperties) blobstore.FileProperties {
	if ref.Snapshot != "" && !p.IsDir {
		p.Lease = blobstore.LeaseInfo{State: blobstore.LeaseStateAvailable, Status: blobstore.LeaseStatusUnlocked}
	}
	return p
}

// GetDirectoryProperties returns a directory's properties and metadata. It
// MUST return storageerr.ErrShareNotFound, storageerr.ErrParentNotFound and storageerr.ErrResourceNotFound.
func (s *Service) GetDirectoryProperties(ctx context.Context, ref blobstore.FileRef) (blobstore.FileProperties, error) {
	return s.getNodeProps(ctx, ref, true, fopGetDirectoryProperties, "")
}

// GetDirectoryMetadata is GetDirectoryProperties (gated as Get Directory Metadata).
func (s *Service) GetDirectoryMetadata(ctx context.Context, ref blobstore.FileRef) (blobstore.FileProperties, error) {
	return s.getNodeProps(ctx, ref, true, fopGetDirectoryMetadata, "")
}

// updateNode runs fn on an existing node inside a write transaction, then
// stores it with a new ETag, Last-Modified and change time.
func (s *Service) updateNode(ctx context.Context, ref blobstore.FileRef, dir bool, k *blobstore.AccountKey, fn func(tx *boltstore.Tx, sh *shareRec, n *nodeRec, now time.Time) error) (blobstore.FileProperties, error) {
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	now := s.core.Now()
	var out blobstore.FileProperties
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, n, err := mustNode(tx, ref, loc, dir)
		if err != nil {
			return err
		}
		n.Changed = now
		used := sh.Used
		if err := fn(tx, sh, n, now); err != nil {
			return err
		}
		n.ETag, n.LastModified = s.core.NewETag(now), now
		out = n.props(ref.Path, now, nil)
		if sh.Used != used && !loc.root() {
			if err := putShare(tx, ref.ShareRef(), sh); err != nil {
				return err
			}
		}
		return putNode(tx, ref, loc, sh, n)
	})
	return out, err
}

// SetDirectoryProperties changes a directory's SMB properties; headers not
// given are preserved.
func (s *Service) SetDirectoryProperties(ctx context.Context, ref blobstore.FileRef, p blobstore.SMBProperties) (blobstore.FileProperties, error) {
	smb, err := parseSMB(p, true)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, fopSetDirectoryProperties)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	return s.updateNode(ctx, ref, true, k, func(tx *boltstore.Tx, _ *shareRec, n *nodeRec, now time.Time) error {
		return smb.apply(tx, k, ref.ShareRef(), n, false, now)
	})
}

// SetDirectoryMetadata replaces a directory's metadata.
func (s *Service) SetDirectoryMetadata(ctx context.Context, ref blobstore.FileRef, metadata map[string]string) (blobstore.FileProperties, error) {
	if err := blobstore.ValidateMetadata(metadata); err != nil {
		return blobstore.FileProperties{}, err
	}
	k, err := s.fileKey(ctx, ref.Account, fopSetDirectoryMetadata)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	return s.updateNode(ctx, ref, true, k, func(tx *boltstore.Tx, _ *shareRec, n *nodeRec, _ time.Time) error {
		msealed, err := sealNodeMeta(k, ref, n.ID, metadata)
		n.MetaSealed = msealed
		return err
	})
}

// DeleteDirectory removes an empty directory. It MUST return
// storageerr.ErrDirectoryNotEmpty when it has children, storageerr.ErrResourceNotFound,
// storageerr.ErrParentNotFound and storageerr.ErrShareNotFound.
func (s *Service) DeleteDirectory(ctx context.Context, ref blobstore.FileRef) error {
	loc, err := checkWritableFileRef(ref)
	if err != nil {
		return err
	}
	if loc.root() {
		return storageerr.ErrInvalidURI.WithMessage("The root directory of a share cannot be deleted.")
	}
	return s.st.Update(func(tx *boltstore.Tx) error {
		if _, _, err := mustNode(tx, ref, loc, true); err != nil {
			return err
		}
		empty := true
		err := tx.FileScan(boltstore.FileNodes, boltstore.ChildrenPrefix(loc.scope, loc.folded()), nil, func(_, _ []byte) (bool, error) {
			empty = false
			return false, nil
		})
		if err != nil {
			return err
		}
		if !empty {
			return storageerr.ErrDirectoryNotEmpty
		}
		return tx.FileDelete(boltstore.FileNodes, loc.key())
	})
}

// ListFilesAndDirectories lists a directory's entries in name order
// (case-insensitive), optionally those starting with Prefix. The marker is
// the opaque NextMarker of the previous page.
func (s *Service) ListFilesAndDirectories(ctx context.Context, ref blobstore.FileRef, opts blobstore.ListFilesOptions) (blobstore.FileList, error) {
	loc, err := checkFileRef(ref)
	if err != nil {
		return blobstore.FileList{}, err
	}
	max, err := blobstore.MaxResults(opts.MaxResults)
	if err != nil {
		return blobstore.FileList{}, err
	}
	if err := s.fileGate(ctx, ref.Account, fopListFiles); err != nil {
		return blobstore.FileList{}, err
	}
	now := s.core.Now()
	var out blobstore.FileList
	err = s.st.View(func(tx *boltstore.Tx) error {
		_, dir, err := mustNode(tx, ref, loc, true)
		if err != nil {
			return err
		}
		out.DirectoryID = fileIDString(dir.ID)
		base := boltstore.ChildrenPrefix(loc.scope, loc.folded())
		prefix := append(bytes.Clone(base), fold(opts.Prefix)...)
		var from []byte
		if opts.Marker != "" {
			from = append(bytes.Clone(base), opts.Marker...)
		}
		return tx.FileScan(boltstore.FileNodes, prefix, from, func(k, v []byte) (bool, error) {
			if len(out.Items) == max {
				out.NextMarker = string(k[len(base):])
				return false, nil
			}
			n, err := blobstore.DecodeRecord[nodeRec](v)
			if err != nil {
				return false, err
			}
			p := n.Name
			if len(loc.parts) > 0 {
				p = strings.Join(loc.parts, "/") + "/" + n.Name
			}
			out.Items = append(out.Items, n.props(p, now, nil))
			return true, nil
		})
	})
	return out, err
}

// RenameDirectory renames (moves) a directory with everything below it
// within its share.
func (s *Service) RenameDirectory(ctx context.Context, dst blobstore.FileRef, opts blobstore.RenameOptions) (blobstore.FileProperties, error) {
	return s.rename(ctx, dst, opts, true)
}

// RenameFile renames (moves) a file within its share. It MUST return
// storageerr.ErrResourceNotFound for a missing source, storageerr.ErrParentNotFound for a missing
// destination directory, storageerr.ErrResourceAlreadyExists when the destination
// exists and ReplaceIfExists is false, storageerr.ErrReadOnlyAttribute for a read-only
// destination without IgnoreReadOnly, and the lease errors.
func (s *Service) RenameFile(ctx context.Context, dst blobstore.FileRef, opts blobstore.RenameOptions) (blobstore.FileProperties, error) {
	return s.rename(ctx, dst, opts, false)
}

func (s *Service) rename(ctx context.Context, dst blobstore.FileRef, opts blobstore.RenameOptions, dir bool) (blobstore.FileProperties, error) {
	src := opts.Source
	dloc, err := checkFileRef(dst)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	sloc, err := checkFileRef(src)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	if err := writable(dst); err != nil {
		return blobstore.FileProperties{}, err
	}
	if src.Snapshot != "" || src.Account != dst.Account || src.Share != dst.Share {
		return blobstore.FileProperties{}, storageerr.ErrInvalidHeaderValue.WithMessage("The rename source must be in the destination's share.").
			WithDetail("HeaderName", "x-ms-file-rename-source").WithDetail("HeaderValue", src.Path)
	}
	if dloc.root() || sloc.root() {
		return blobstore.FileProperties{}, storageerr.ErrInvalidResourceName.WithMessage("The root directory cannot be renamed.")
	}
	if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
		return blobstore.FileProperties{}, err
	}
	smb, err := parseSMB(opts.SMB, dir)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	o := fopRenameFile
	if dir {
		o = fopRenameDirectory
	}
	k, err := s.fileKey(ctx, dst.Account, o)
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	sf, df := sloc.folded(), dloc.folded()
	if dir && strings.HasPrefix(df, sf+"/") {
		return blobstore.FileProperties{}, storageerr.ErrInvalidInput.WithMessage("A directory cannot be moved below itself.")
	}
	now := s.core.Now()
	var out blobstore.FileProperties
	var dead []crypto.FileID
	err = s.st.Update(func(tx *boltstore.Tx) error {
		sh, n, err := mustNode(tx, src, sloc, dir)
		if err != nil {
			return err
		}
		if !dir {
			if err := checkFileLease(n.Lease, now, opts.SourceLeaseID, true); err != nil {
				return err
			}
		}
		parent, err := parentDir(tx, sh, dloc)
		if err != nil {
			return err
		}
		if sf != df {
			_, cur, err := loadNode(tx, dst, dloc)
			if err != nil {
				return err
			}
			if cur != nil {
				// A directory may replace a file (Azure allows it with
				// ReplaceIfExists); nothing replaces a directory.
				switch {
				case !opts.ReplaceIfExists:
					return storageerr.ErrResourceAlreadyExists
				case cur.Dir:
					return storageerr.ErrResourceTypeMismatch
				case hasAttr(cur.Attributes, "ReadOnly") && !opts.IgnoreReadOnly:
					return storageerr.ErrReadOnlyAttribute
				}
				if err := checkFileLease(cur.Lease, now, opts.DestLeaseID, true); err != nil {
					return err
				}
				if err := dropFileData(tx, dst.ShareRef(), sh, dloc.scope, cur.ID, &dead); err != nil {
					return err
				}
			}
		}
		if err := tx.FileDelete(boltstore.FileNodes, sloc.key()); err != nil {
			return err
		}
		n.Name, n.Parent = dloc.parts[len(dloc.parts)-1], parent.ID
		// A rename changes the change time, unless the request sets one.
		n.Changed = now
		if err := smb.apply(tx, k, dst.ShareRef(), n, false, now); err != nil {
			return err
		}
		if opts.Metadata != nil {
			if n.MetaSealed, err = sealNodeMeta(k, dst, n.ID, opts.Metadata); err != nil {
				return err
			}
		}
		if opts.ContentType != nil && !dir {
			n.Headers.ContentType = *opts.ContentType
		}
		n.ETag, n.LastModified = s.core.NewETag(now), now
		if err := putNode(tx, dst, dloc, sh, n); err != nil {
			return err
		}
		out = n.props(dst.Path, now, nil)
		if !dir || sf == df {
			return nil
		}
		return moveDescendants(tx, sloc.scope, sf, df)
	})
	if err != nil {
		return blobstore.FileProperties{}, err
	}
	s.data.Remove(dead)
	return out, nil
}

// moveDescendants re-keys every row below directory from (folded) to to.
func moveDescendants(tx *boltstore.Tx, scope []byte, from, to string) error {
	prefix := append(bytes.Clone(scope), from...)
	type kv struct{ k, v []byte }
	var rows []kv
	err := tx.FileScan(boltstore.FileNodes, prefix, nil, func(k, v []byte) (bool, error) {
		if len(k) > len(prefix) && (k[len(prefix)] == 0 || k[len(prefix)] == '/') {
			rows = append(rows, kv{bytes.Clone(k), bytes.Clone(v)})
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := tx.FileDelete(boltstore.FileNodes, r.k); err != nil {
			return err
		}
		nk := append(append(bytes.Clone(scope), to...), r.k[len(prefix):]...)
		if err := tx.FilePut(boltstore.FileNodes, nk, r.v); err != nil {
			return err
		}
	}
	return nil
}
