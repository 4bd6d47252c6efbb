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
	pg := &blobPage{opts: opts, max: max, from: from}
	err = s.st.View(func(tx *boltstore.Tx) error {
		if _, err := loadContainer(tx, ref); err != nil {
			return err
		}
		if opts.Include.UncommittedBlobs {
			if err := pg.loadStaged(tx, ref); err != nil {
				return err
			}
		}
		return pg.scan(tx, ref)
	})
	if err != nil {
		return blobstore.BlobList{}, err
	}
	if err := s.fillProperties(k, ref, pg); err != nil {
		return blobstore.BlobList{}, err
	}
	return blobstore.BlobList{Items: pg.items, NextMarker: pg.next}, nil
}

// blobPage collects one page of List Blobs: blob prefixes (with a
// delimiter) and entries in Azure's order, committed blobs, snapshots and,
// when asked, names that only have staged blocks.
type blobPage struct {
	opts blobstore.ListBlobsOptions
	max  int
	from boltstore.BlobPos

	entries []listedBlob
	items   []blobstore.BlobListItem // prefixes, and placeholders for entries
	next    string                   // NextMarker when the page is full
	// staged are the names with staged blocks and no committed blob, in
	// order, not yet emitted.
	staged     []string
	lastPrefix string
}

// loadStaged collects the names that have staged blocks but no committed
// blob (include=uncommittedblobs).
func (pg *blobPage) loadStaged(tx *boltstore.Tx, ref blobstore.ContainerRef) error {
	err := tx.ScanStagedBlobs(ref.Account, ref.Container, pg.opts.Prefix, pg.from.Name, func(name string) (bool, error) {
		if tx.Blob(ref.Account, ref.Container, name, "") == nil {
			pg.staged = append(pg.staged, name)
		}
		return true, nil
	})
	sort.Strings(pg.staged)
	return err
}

// scan walks the container's records from the marker and emits them, with
// the staged names merged in, until the page is full.
func (pg *blobPage) scan(tx *boltstore.Tx, ref blobstore.ContainerRef) error {
	done := false
	err := tx.ScanBlobs(ref.Account, ref.Container, pg.opts.Prefix, pg.from, func(name, snap string, v []byte) (bool, *string, error) {
		if !pg.flush(&name) {
			done = true
			return false, nil, nil
		}
		if snap != "" && !pg.opts.Include.Snapshots {
			return true, nil, nil
		}
		if len(pg.staged) > 0 && pg.staged[0] == name {
			pg.staged = pg.staged[1:]
		}
		rec, err := decodeBlobRec(v)
		if err != nil {
			return false, nil, err
		}
		more, skip := pg.emit(listedBlob{name: name, snap: snap, rec: rec})
		if !more {
			done = true
			return false, nil, nil
		}
		if skip != nil {
			for len(pg.staged) > 0 && pg.staged[0] < *skip {
				pg.staged = pg.staged[1:]
			}
		}
		return true, skip, nil
	})
	if err == nil && !done {
		pg.flush(nil)
	}
	return err
}

// emit adds one entry; it returns false when the page is full (the entry
// becomes the next marker) and a skip position after a prefix.
func (pg *blobPage) emit(e listedBlob) (bool, *string) {
	if pg.opts.Delimiter != "" {
		rest := e.name[len(pg.opts.Prefix):]
		if i := strings.Index(rest, pg.opts.Delimiter); i >= 0 {
			p := pg.opts.Prefix + rest[:i+len(pg.opts.Delimiter)]
			if p == pg.lastPrefix {
				return true, nil
			}
			if len(pg.items) == pg.max {
				pg.next = encodeMarker(boltstore.BlobPos{Name: e.name, Snapshot: e.snap})
				return false, nil
			}
			pg.lastPrefix = p
			pg.items = append(pg.items, blobstore.BlobListItem{Prefix: p})
			if end := prefixEnd(p); end != "" {
				return true, &end
			}
			return true, nil
		}
	}
	if len(pg.items) == pg.max {
		pg.next = encodeMarker(boltstore.BlobPos{Name: e.name, Snapshot: e.snap})
		return false, nil
	}
	pg.entries = append(pg.entries, e)
	pg.items = append(pg.items, blobstore.BlobListItem{Blob: &blobstore.BlobProperties{}})
	return true, nil
}

// flush emits the staged names before upto (all of them when upto is nil);
// it returns false when the page filled up.
func (pg *blobPage) flush(upto *string) bool {
	for len(pg.staged) > 0 && (upto == nil || pg.staged[0] < *upto) {
		name := pg.staged[0]
		pg.staged = pg.staged[1:]
		if name < pg.from.Name || (pg.lastPrefix != "" && strings.HasPrefix(name, pg.lastPrefix)) {
			continue
		}
		if more, _ := pg.emit(listedBlob{name: name}); !more {
			return false
		}
	}
	return true
}

// fillProperties renders the page's entries into its placeholders, opening
// metadata with k when include=metadata.
func (s *Service) fillProperties(k *blobstore.AccountKey, ref blobstore.ContainerRef, pg *blobPage) error {
	now := s.core.Now()
	j := 0
	for i := range pg.items {
		if pg.items[i].Blob == nil {
			continue
		}
		e := pg.entries[j]
		j++
		bref := blobstore.BlobRef{Account: ref.Account, Container: ref.Container, Blob: e.name, Snapshot: e.snap}
		if e.rec == nil {
			*pg.items[i].Blob = blobstore.BlobProperties{Container: ref.Container, Name: e.name, BlobType: blobstore.BlockBlob, ServerEncrypted: true,
				Lease: blobstore.LeaseInfo{State: blobstore.LeaseStateAvailable, Status: blobstore.LeaseStatusUnlocked}}
			if pg.opts.Include.Metadata {
				pg.items[i].Blob.Metadata = map[string]string{}
			}
			continue
		}
		var meta map[string]string
		if pg.opts.Include.Metadata {
			var err error
			if meta, err = s.blobMeta(k, bref, e.rec); err != nil {
				return err
			}
		}
		p := e.rec.props(bref, now, meta)
		if !pg.opts.Include.Copy {
			p.Copy = nil
		}
		*pg.items[i].Blob = p
	}
	return nil
}
