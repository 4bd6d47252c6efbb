package blob

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// Markers of List Blobs are opaque to clients: base64url of
// name 0x00 snapshot, naming the first entry of the next page.

func encodeMarker(p boltstore.BlobPos) string {
	return base64.RawURLEncoding.EncodeToString([]byte(p.Name + "\x00" + p.Snapshot))
}

func decodeMarker(m string) (boltstore.BlobPos, error) {
	if m == "" {
		return boltstore.BlobPos{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return boltstore.BlobPos{}, storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", "marker").WithDetail("QueryParameterValue", m)
	}
	name, snap, _ := strings.Cut(string(b), "\x00")
	return boltstore.BlobPos{Name: name, Snapshot: snap}, nil
}

// prefixEnd returns the smallest string greater than every string starting
// with p, or "" when there is none.
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

type listedBlob struct {
	name, snap string
	rec        *blobRec // nil for an uncommitted blob
}

// ListBlobs lists a container's blobs in Azure's order. It MUST return
// storageerr.ErrContainerNotFound. With include=metadata, the metadata of every blob is
// returned (and the account key is needed).
func (s *Service) ListBlobs(ctx context.Context, ref blobstore.ContainerRef, opts blobstore.ListBlobsOptions) (blobstore.BlobList, error) {
	max, err := blobstore.MaxResults(opts.MaxResults)
	if err != nil {
		return blobstore.BlobList{}, err
	}
	from, err := decodeMarker(opts.Marker)
	if err != nil {
		return blobstore.BlobList{}, err
	}
	var k *blobstore.AccountKey
	if opts.Include.Metadata {
		if k, err = s.keyFor(ctx, ref.Account, opListBlobsMetadata); err != nil {
			return blobstore.BlobList{}, err
		}
	}
	var (
		out     blobstore.BlobList
		entries []listedBlob
		items   []blobstore.BlobListItem // prefixes, and placeholders for entries
	)
	err = s.st.View(func(tx *boltstore.Tx) error {
		if _, err := loadContainer(tx, ref); err != nil {
			return err
		}
		var staged []string
		if opts.Include.UncommittedBlobs {
			err := tx.ScanStagedBlobs(ref.Account, ref.Container, opts.Prefix, from.Name, func(name string) (bool, error) {
				if tx.Blob(ref.Account, ref.Container, name, "") == nil {
					staged = append(staged, name)
				}
				return true, nil
			})
			if err != nil {
				return err
			}
			sort.Strings(staged)
		}
		lastPrefix := ""
		done := false
		// emit adds one entry; it returns false when the page is full (the
		// entry becomes the next marker) and a skip position after a prefix.
		emit := func(e listedBlob) (bool, *string) {
			if opts.Delimiter != "" {
				rest := e.name[len(opts.Prefix):]
				if i := strings.Index(rest, opts.Delimiter); i >= 0 {
					p := opts.Prefix + rest[:i+len(opts.Delimiter)]
					if p == lastPrefix {
						return true, nil
					}
					if len(items) == max {
						out.NextMarker = encodeMarker(boltstore.BlobPos{Name: e.name, Snapshot: e.snap})
						return false, nil
					}
					lastPrefix = p
					items = append(items, blobstore.BlobListItem{Prefix: p})
					if end := prefixEnd(p); end != "" {
						return true, &end
					}
					return true, nil
				}
			}
			if len(items) == max {
				out.NextMarker = encodeMarker(boltstore.BlobPos{Name: e.name, Snapshot: e.snap})
				return false, nil
			}
			entries = append(entries, e)
			items = append(items, blobstore.BlobListItem{Blob: &blobstore.BlobProperties{}})
			return true, nil
		}
		// flush emits staged names before `upto` (all of them when upto is nil).
		flush := func(upto *string) bool {
			for len(staged) > 0 && (upto == nil || staged[0] < *upto) {
				name := staged[0]
				staged = staged[1:]
				if name < from.Name || (lastPrefix != "" && strings.HasPrefix(name, lastPrefix)) {
					continue
				}
				more, _ := emit(listedBlob{name: name})
				if !more {
					return false
				}
			}
			return true
		}
		err := tx.ScanBlobs(ref.Account, ref.Container, opts.Prefix, from, func(name, snap string, v []byte) (bool, *string, error) {
			if !flush(&name) {
				done = true
				return false, nil, nil
			}
			if snap != "" && !opts.Include.Snapshots {
				return true, nil, nil
			}
			if len(staged) > 0 && staged[0] == name {
				staged = staged[1:]
			}
			rec, err := decodeBlobRec(v)
			if err != nil {
				return false, nil, err
			}
			more, skip := emit(listedBlob{name: name, snap: snap, rec: rec})
			if !more {
				done = true
				return false, nil, nil
			}
			if skip != nil {
				for len(staged) > 0 && staged[0] < *skip {
					staged = staged[1:]
				}
			}
			return true, skip, nil
		})
		if err != nil {
			return err
		}
		if !done {
			flush(nil)
		}
		return nil
	})
	if err != nil {
		return blobstore.BlobList{}, err
	}
	now := s.core.Now()
	j := 0
	for i := range items {
		if items[i].Blob == nil {
			continue
		}
		e := entries[j]
		j++
		bref := blobstore.BlobRef{Account: ref.Account, Container: ref.Container, Blob: e.name, Snapshot: e.snap}
		if e.rec == nil {
			*items[i].Blob = blobstore.BlobProperties{Container: ref.Container, Name: e.name, BlobType: blobstore.BlockBlob, ServerEncrypted: true,
				Lease: blobstore.LeaseInfo{State: blobstore.LeaseStateAvailable, Status: blobstore.LeaseStatusUnlocked}}
			if opts.Include.Metadata {
				items[i].Blob.Metadata = map[string]string{}
			}
			continue
		}
		var meta map[string]string
		if opts.Include.Metadata {
			if meta, err = s.blobMeta(k, bref, e.rec); err != nil {
				return blobstore.BlobList{}, err
			}
		}
		p := e.rec.props(bref, now, meta)
		if !opts.Include.Copy {
			p.Copy = nil
		}
		*items[i].Blob = p
	}
	out.Items = items
	return out, nil
}
