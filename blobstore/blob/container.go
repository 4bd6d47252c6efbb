package blob

import (
	"context"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

func badContainerName(n string) error {
	return storageerr.ErrInvalidResourceName.WithMessage("The specifed resource name contains invalid characters.")
}

func checkPublicAccess(p blobstore.PublicAccess) error {
	switch p {
	case blobstore.PublicAccessNone, blobstore.PublicAccessBlob, blobstore.PublicAccessContainer:
		return nil
	}
	return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-blob-public-access").WithDetail("HeaderValue", string(p))
}

// CreateContainer creates a container. It MUST return storageerr.ErrInvalidResourceName
// for a name that is not 3-63 characters of lowercase letters, digits and
// single hyphens (not first or last), storageerr.ErrContainerAlreadyExists when it
// exists, storageerr.ErrAccountNotFound for an unknown account, and metadata errors
// (storageerr.ErrInvalidMetadata, storageerr.ErrEmptyMetadataKey, storageerr.ErrMetadataTooLarge) for bad
// metadata. The result carries ETag and LastModified.
func (s *Service) CreateContainer(ctx context.Context, ref blobstore.ContainerRef, opts blobstore.CreateContainerOptions) (blobstore.ContainerProperties, error) {
	if !blobstore.ValidContainerName(ref.Container) {
		return blobstore.ContainerProperties{}, badContainerName(ref.Container)
	}
	if err := blobstore.ValidateMetadata(opts.Metadata); err != nil {
		return blobstore.ContainerProperties{}, err
	}
	if err := checkPublicAccess(opts.PublicAccess); err != nil {
		return blobstore.ContainerProperties{}, err
	}
	msealed, err := s.sealContainerMeta(ctx, ref, opts.Metadata)
	if err != nil {
		return blobstore.ContainerProperties{}, err
	}
	now := s.core.Now()
	rec := &containerRec{
		V: blobstore.RecordVersion, Created: now, ETag: s.core.NewETag(now), LastModified: now,
		MetaSealed: msealed, PublicAccess: opts.PublicAccess,
		DefaultEncryptionScope: opts.DefaultEncryptionScope, DenyEncryptionScopeOverride: opts.DenyEncryptionScopeOverride,
	}
	err = s.st.Update(func(tx *boltstore.Tx) error {
		if tx.Account(ref.Account) == nil {
			return storageerr.ErrAccountNotFound
		}
		if tx.Container(ref.Account, ref.Container) != nil {
			return storageerr.ErrContainerAlreadyExists
		}
		return tx.PutContainer(ref.Account, ref.Container, encodeContainerRec(rec))
	})
	if err != nil {
		return blobstore.ContainerProperties{}, err
	}
	return rec.props(ref.Container, now, nil), nil
}

func (r *containerRec) props(name string, now time.Time, meta map[string]string) blobstore.ContainerProperties {
	return blobstore.ContainerProperties{
		Name: name, ETag: r.ETag, LastModified: r.LastModified, Metadata: meta,
		PublicAccess: r.PublicAccess, Lease: r.Lease.Info(now),
		DefaultEncryptionScope: r.DefaultEncryptionScope, DenyEncryptionScopeOverride: r.DenyEncryptionScopeOverride,
	}
}

// loadContainer reads a container record; a missing account or container
// gives storageerr.ErrContainerNotFound (storageerr.ErrAccountNotFound for the account).
func loadContainer(tx *boltstore.Tx, ref blobstore.ContainerRef) (*containerRec, error) {
	b := tx.Container(ref.Account, ref.Container)
	if b == nil {
		if tx.Account(ref.Account) == nil {
			return nil, storageerr.ErrAccountNotFound
		}
		return nil, storageerr.ErrContainerNotFound
	}
	return decodeContainerRec(b)
}

func (s *Service) viewContainer(ref blobstore.ContainerRef) (*containerRec, error) {
	var rec *containerRec
	err := s.st.View(func(tx *boltstore.Tx) error {
		var err error
		rec, err = loadContainer(tx, ref)
		return err
	})
	return rec, err
}

func (s *Service) containerMeta(ctx context.Context, ref blobstore.ContainerRef, rec *containerRec) (map[string]string, error) {
	if len(rec.MetaSealed) == 0 {
		return map[string]string{}, nil
	}
	k, err := s.keyFor(ctx, ref.Account, opContainer)
	if err != nil {
		return nil, err
	}
	return blobstore.OpenMetadata(k, rec.MetaSealed, containerAAD(ref.Account, ref.Container))
}

// sealContainerMeta seals a container's metadata; empty metadata needs no
// key and seals to nil.
func (s *Service) sealContainerMeta(ctx context.Context, ref blobstore.ContainerRef, m map[string]string) ([]byte, error) {
	if len(m) == 0 {
		return nil, nil
	}
	k, err := s.keyFor(ctx, ref.Account, opContainer)
	if err != nil {
		return nil, err
	}
	return blobstore.SealMetadata(k, m, containerAAD(ref.Account, ref.Container))
}

// GetContainerProperties returns a container's properties including metadata.
// It MUST return storageerr.ErrContainerNotFound when the container does not exist and
// apply cond.LeaseID (LeaseIdMismatchWithContainerOperation,
// LeaseNotPresentWithContainerOperation).
func (s *Service) GetContainerProperties(ctx context.Context, ref blobstore.ContainerRef, cond blobstore.Conditions) (blobstore.ContainerProperties, error) {
	rec, err := s.viewContainer(ref)
	if err != nil {
		return blobstore.ContainerProperties{}, err
	}
	now := s.core.Now()
	if err := blobstore.CheckLease(rec.Lease, now, cond.LeaseID, false, containerLeaseErrs); err != nil {
		return blobstore.ContainerProperties{}, err
	}
	meta, err := s.containerMeta(ctx, ref, rec)
	if err != nil {
		return blobstore.ContainerProperties{}, err
	}
	return rec.props(ref.Container, now, meta), nil
}

// GetContainerMetadata is GetContainerProperties (Azure returns the same
// headers minus the public access and lease ones, which the protocol layer drops).
func (s *Service) GetContainerMetadata(ctx context.Context, ref blobstore.ContainerRef, cond blobstore.Conditions) (blobstore.ContainerProperties, error) {
	return s.GetContainerProperties(ctx, ref, cond)
}

// updateContainer runs fn on a container record inside a write transaction
// after the lease check, then stores it with a new ETag and Last-Modified.
func (s *Service) updateContainer(ref blobstore.ContainerRef, cond blobstore.Conditions, fn func(rec *containerRec) error) (blobstore.ContainerProperties, error) {
	now := s.core.Now()
	var out blobstore.ContainerProperties
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := loadContainer(tx, ref)
		if err != nil {
			return err
		}
		if err := blobstore.CheckLease(rec.Lease, now, cond.LeaseID, false, containerLeaseErrs); err != nil {
			return err
		}
		if err := blobstore.CheckConditions(blobstore.Conditions{IfModifiedSince: cond.IfModifiedSince, IfUnmodifiedSince: cond.IfUnmodifiedSince}, true, rec.ETag, rec.LastModified, blobstore.CondWrite); err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		rec.ETag, rec.LastModified = s.core.NewETag(now), now
		out = rec.props(ref.Container, now, nil)
		return tx.PutContainer(ref.Account, ref.Container, encodeContainerRec(rec))
	})
	return out, err
}

// SetContainerMetadata replaces a container's metadata and changes its ETag
// and Last-Modified. It MUST return storageerr.ErrContainerNotFound, apply the lease
// rules, and evaluate If-Modified-Since (the only condition Azure supports
// here; others are ignored).
func (s *Service) SetContainerMetadata(ctx context.Context, ref blobstore.ContainerRef, metadata map[string]string, cond blobstore.Conditions) (blobstore.ContainerProperties, error) {
	if err := blobstore.ValidateMetadata(metadata); err != nil {
		return blobstore.ContainerProperties{}, err
	}
	msealed, err := s.sealContainerMeta(ctx, ref, metadata)
	if err != nil {
		return blobstore.ContainerProperties{}, err
	}
	return s.updateContainer(ref, blobstore.Conditions{LeaseID: cond.LeaseID, IfModifiedSince: cond.IfModifiedSince}, func(rec *containerRec) error {
		rec.MetaSealed = msealed
		return nil
	})
}

// GetContainerACL returns the public access level and stored access
// policies. It MUST return storageerr.ErrContainerNotFound and apply cond.LeaseID.
func (s *Service) GetContainerACL(ctx context.Context, ref blobstore.ContainerRef, cond blobstore.Conditions) (blobstore.ContainerACL, error) {
	rec, err := s.viewContainer(ref)
	if err != nil {
		return blobstore.ContainerACL{}, err
	}
	if err := blobstore.CheckLease(rec.Lease, s.core.Now(), cond.LeaseID, false, containerLeaseErrs); err != nil {
		return blobstore.ContainerACL{}, err
	}
	return blobstore.ContainerACL{
		PublicAccess: rec.PublicAccess, Identifiers: append([]blobstore.SignedIdentifier(nil), rec.ACL...),
		ETag: rec.ETag, LastModified: rec.LastModified,
	}, nil
}

// SetContainerACL replaces the public access level and the stored access
// policies and changes ETag and Last-Modified. It MUST return
// storageerr.ErrContainerNotFound, storageerr.ErrInvalidXMLDocument for more than 5 identifiers or
// an id longer than 64 characters, and apply lease and date conditions.
func (s *Service) SetContainerACL(ctx context.Context, ref blobstore.ContainerRef, opts blobstore.SetContainerACLOptions) (blobstore.ContainerProperties, error) {
	if err := checkPublicAccess(opts.PublicAccess); err != nil {
		return blobstore.ContainerProperties{}, err
	}
	if len(opts.Identifiers) > 5 {
		return blobstore.ContainerProperties{}, storageerr.ErrInvalidXMLDocument.WithMessage("At most five signed identifiers are allowed.")
	}
	seen := map[string]bool{}
	for _, id := range opts.Identifiers {
		if id.ID == "" || len(id.ID) > 64 {
			return blobstore.ContainerProperties{}, storageerr.ErrInvalidXMLDocument.WithMessage("A signed identifier must be 1 to 64 characters long.")
		}
		if seen[id.ID] {
			return blobstore.ContainerProperties{}, storageerr.ErrInvalidXMLDocument.WithMessage("Signed identifiers must be unique.")
		}
		seen[id.ID] = true
	}
	acl := append([]blobstore.SignedIdentifier(nil), opts.Identifiers...)
	return s.updateContainer(ref, opts.Conditions, func(rec *containerRec) error {
		rec.PublicAccess, rec.ACL = opts.PublicAccess, acl
		return nil
	})
}

// ContainerPolicy looks up the stored access policy `id` of a container for
// the auth layer (storageauth.PolicyLookup). found is false when the
// container has no such identifier; a missing container gives
// storageerr.ErrContainerNotFound.
func (s *Service) ContainerPolicy(ctx context.Context, ref blobstore.ContainerRef, id string) (p blobstore.AccessPolicy, found bool, err error) {
	rec, err := s.viewContainer(ref)
	if err != nil {
		return blobstore.AccessPolicy{}, false, err
	}
	p, found = blobstore.FindPolicy(rec.ACL, id)
	return p, found, nil
}

// ContainerPublicAccess returns the container's public access level for
// anonymous requests; storageerr.ErrContainerNotFound when it does not exist.
func (s *Service) ContainerPublicAccess(ctx context.Context, ref blobstore.ContainerRef) (blobstore.PublicAccess, error) {
	rec, err := s.viewContainer(ref)
	if err != nil {
		return blobstore.PublicAccessNone, err
	}
	return rec.PublicAccess, nil
}

// DeleteContainer deletes a container and every blob in it (their data files
// are collected). It MUST return storageerr.ErrContainerNotFound, apply the container
// lease rules (LeaseIdMissing when leased and no id is given), and
// If-Modified-Since / If-Unmodified-Since (storageerr.ErrConditionNotMet).
func (s *Service) DeleteContainer(ctx context.Context, ref blobstore.ContainerRef, cond blobstore.Conditions) error {
	return s.deleteContainer(ref, func(rec *containerRec) error {
		if err := blobstore.CheckLease(rec.Lease, s.core.Now(), cond.LeaseID, true, containerLeaseErrs); err != nil {
			return err
		}
		return blobstore.CheckConditions(blobstore.Conditions{IfModifiedSince: cond.IfModifiedSince, IfUnmodifiedSince: cond.IfUnmodifiedSince}, true, rec.ETag, rec.LastModified, blobstore.CondWrite)
	})
}

// dropContainer deletes a container without checks.
func (s *Service) dropContainer(_ context.Context, ref blobstore.ContainerRef) error {
	return s.deleteContainer(ref, func(*containerRec) error { return nil })
}

func (s *Service) deleteContainer(ref blobstore.ContainerRef, check func(*containerRec) error) error {
	var dead []crypto.FileID
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := loadContainer(tx, ref)
		if err != nil {
			return err
		}
		if err := check(rec); err != nil {
			return err
		}
		blobs, blocks, err := tx.ContainerKeys(ref.Account, ref.Container)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			br, err := decodeBlobRec(tx.Blob(ref.Account, ref.Container, b.Name, b.Snapshot))
			if err != nil {
				return err
			}
			if err := blobstore.AddRefs(tx, br.Extents, -1, &dead); err != nil {
				return err
			}
			if err := tx.DeleteBlob(ref.Account, ref.Container, b.Name, b.Snapshot); err != nil {
				return err
			}
		}
		for _, b := range blocks {
			raw := []byte(b[1])
			br, err := blobstore.DecodeRecord[blockRec](tx.Block(ref.Account, ref.Container, b[0], raw))
			if err != nil {
				return err
			}
			if err := blobstore.AddRefs(tx, br.extents(), -1, &dead); err != nil {
				return err
			}
			if err := tx.DeleteBlock(ref.Account, ref.Container, b[0], raw); err != nil {
				return err
			}
		}
		return tx.DeleteContainer(ref.Account, ref.Container)
	})
	if err != nil {
		return err
	}
	s.data.Remove(dead)
	return nil
}

// ListContainers lists an account's containers by name. The marker is the
// opaque NextMarker of the previous page.
func (s *Service) ListContainers(ctx context.Context, account string, opts blobstore.ListContainersOptions) (blobstore.ContainerList, error) {
	max, err := blobstore.MaxResults(opts.MaxResults)
	if err != nil {
		return blobstore.ContainerList{}, err
	}
	var (
		out   blobstore.ContainerList
		recs  []*containerRec
		names []string
	)
	err = s.st.View(func(tx *boltstore.Tx) error {
		if tx.Account(account) == nil {
			return storageerr.ErrAccountNotFound
		}
		return tx.ScanContainers(account, opts.Prefix, opts.Marker, func(name string, b []byte) (bool, error) {
			if len(recs) == max {
				out.NextMarker = name
				return false, nil
			}
			rec, err := decodeContainerRec(b)
			if err != nil {
				return false, err
			}
			recs = append(recs, rec)
			names = append(names, name)
			return true, nil
		})
	})
	if err != nil {
		return blobstore.ContainerList{}, err
	}
	now := s.core.Now()
	for i, rec := range recs {
		var meta map[string]string
		if opts.IncludeMetadata {
			if meta, err = s.containerMeta(ctx, blobstore.ContainerRef{Account: account, Container: names[i]}, rec); err != nil {
				return blobstore.ContainerList{}, err
			}
		}
		out.Containers = append(out.Containers, rec.props(names[i], now, meta))
	}
	return out, nil
}

// LeaseContainer runs a lease action on a container (Lease Container). The
// outcomes follow Azure's lease state table; leases expire on the emulator
// clock. It MUST return storageerr.ErrContainerNotFound, storageerr.ErrInvalidHeaderValue for a
// bad duration or break period, storageerr.ErrMissingRequiredHeader for a missing lease
// id or proposed id, and the Lease* conflict codes.
func (s *Service) LeaseContainer(ctx context.Context, ref blobstore.ContainerRef, opts blobstore.LeaseOptions) (blobstore.LeaseResult, error) {
	now := s.core.Now()
	var res blobstore.LeaseResult
	err := s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := loadContainer(tx, ref)
		if err != nil {
			return err
		}
		c := opts.Conditions
		if err := blobstore.CheckConditions(blobstore.Conditions{IfModifiedSince: c.IfModifiedSince, IfUnmodifiedSince: c.IfUnmodifiedSince}, true, rec.ETag, rec.LastModified, blobstore.CondWrite); err != nil {
			return err
		}
		if res, err = blobstore.ApplyLease(&rec.Lease, opts, now); err != nil {
			return err
		}
		res.ETag, res.LastModified = rec.ETag, rec.LastModified
		return tx.PutContainer(ref.Account, ref.Container, encodeContainerRec(rec))
	})
	return res, err
}
