package queue

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// maxSignedIdentifiers is how many stored access policies a queue may have.
const maxSignedIdentifiers = 5

// DefaultMaxResults and MaxMaxResults bound one List Queues page.
const MaxListResults = 5000

// queueRec is a queue's record. Metadata is sealed; the rest is readable.
type queueRec struct {
	V       int       `json:"v"`
	Created time.Time `json:"created"`
	// SealedMeta is the JSON metadata map sealed under the account's queue
	// key (metaAAD); nil when the queue has no metadata.
	SealedMeta []byte                       `json:"sealedMeta,omitempty"`
	ACL        []blobstore.SignedIdentifier `json:"acl,omitempty"`
}

const recordVersion = 1

func metaAAD(account, queue string) []byte {
	return []byte("azemu queue metadata v1\x00" + account + "\x00" + queue)
}

// ValidQueueName checks a queue name as Azure does: 3 to 63 characters
// (else OutOfRangeInput), lowercase letters, digits and hyphens, starting
// with a letter or digit, each hyphen between two letters or digits (else
// InvalidResourceName).
// https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata
func ValidQueueName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return storageerr.ErrOutOfRangeInput.WithMessage("The specified resource name length is not within the permissible limits.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(name)-1 && name[i-1] != '-':
		default:
			return storageerr.ErrInvalidResourceName
		}
	}
	return nil
}

func (s *Service) sealMeta(key crypto.Key, account, queue string, md map[string]string) ([]byte, error) {
	if len(md) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	return crypto.Seal(key, b, metaAAD(account, queue))
}

func (s *Service) openMeta(key crypto.Key, account, queue string, sealed []byte) (map[string]string, error) {
	if sealed == nil {
		return map[string]string{}, nil
	}
	b, err := crypto.Open(key, sealed, metaAAD(account, queue))
	if err != nil {
		return nil, fmt.Errorf("queue: open metadata of %s/%s: %w", account, queue, err)
	}
	md := map[string]string{}
	if err := json.Unmarshal(b, &md); err != nil {
		return nil, fmt.Errorf("queue: decode metadata of %s/%s: %w", account, queue, err)
	}
	return md, nil
}

func loadQueue(tx *bolt.Tx, qk []byte) (*queueRec, error) {
	v := tx.Bucket(bucketQueues).Get(qk)
	if v == nil {
		return nil, storageerr.ErrQueueNotFound
	}
	var rec queueRec
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("queue: decode queue record: %w", err)
	}
	return &rec, nil
}

func putQueue(tx *bolt.Tx, qk []byte, rec *queueRec) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketQueues).Put(qk, b)
}

// CreateQueue creates a queue with metadata md. It returns created=false
// (Azure's 204) when the queue exists with the same metadata, and MUST
// return storageerr.ErrQueueAlreadyExists when it exists with other metadata. Metadata
// needs the account's key (Keys.SealKey and its errors).
// https://learn.microsoft.com/rest/api/storageservices/create-queue4
func (s *Service) CreateQueue(ctx context.Context, account, queue string, md map[string]string) (created bool, err error) {
	if err := ValidQueueName(queue); err != nil {
		return false, err
	}
	key, keyErr := s.sealKey(ctx, account)
	if keyErr != nil && len(md) > 0 {
		return false, keyErr
	}
	var sealed []byte
	if len(md) > 0 {
		if sealed, err = s.sealMeta(key, account, queue, md); err != nil {
			return false, err
		}
	}
	qk := queueKey(account, queue)
	err = s.db.Update(func(tx *bolt.Tx) error {
		old, err := loadQueue(tx, qk)
		switch {
		case err == storageerr.ErrQueueNotFound:
			created = true
			return putQueue(tx, qk, &queueRec{V: recordVersion, Created: s.now(), SealedMeta: sealed})
		case err != nil:
			return err
		}
		if old.SealedMeta == nil && len(md) == 0 {
			return nil
		}
		if old.SealedMeta == nil || len(md) == 0 {
			return storageerr.ErrQueueAlreadyExists
		}
		if keyErr != nil {
			return keyErr
		}
		cur, err := s.openMeta(key, account, queue, old.SealedMeta)
		if err != nil {
			return err
		}
		if !maps.Equal(cur, md) {
			return storageerr.ErrQueueAlreadyExists
		}
		return nil
	})
	return created, err
}

// DeleteQueue removes a queue and all its messages. It MUST return
// storageerr.ErrQueueNotFound when the queue does not exist.
// https://learn.microsoft.com/rest/api/storageservices/delete-queue3
func (s *Service) DeleteQueue(ctx context.Context, account, queue string) error {
	qk := queueKey(account, queue)
	return s.db.Update(func(tx *bolt.Tx) error {
		if _, err := loadQueue(tx, qk); err != nil {
			return err
		}
		if err := clearMessages(tx, qk); err != nil {
			return err
		}
		if err := tx.Bucket(bucketCounts).Delete(qk); err != nil {
			return err
		}
		return tx.Bucket(bucketQueues).Delete(qk)
	})
}

// Properties is what Get Queue Metadata returns.
type Properties struct {
	Metadata map[string]string
	// ApproximateMessageCount counts messages not yet deleted, visible or
	// not; expired messages count until they are collected.
	ApproximateMessageCount uint64
}

// GetQueueProperties returns the metadata and message count of a queue. It
// MUST return storageerr.ErrQueueNotFound when the queue does not exist; it needs the
// account's key.
// https://learn.microsoft.com/rest/api/storageservices/get-queue-metadata
func (s *Service) GetQueueProperties(ctx context.Context, account, queue string) (Properties, error) {
	key, err := s.sealKey(ctx, account)
	if err != nil {
		return Properties{}, err
	}
	qk := queueKey(account, queue)
	var (
		sealed []byte
		count  uint64
	)
	err = s.db.View(func(tx *bolt.Tx) error {
		rec, err := loadQueue(tx, qk)
		if err != nil {
			return err
		}
		sealed = bytes.Clone(rec.SealedMeta)
		count = getCount(tx, qk)
		return nil
	})
	if err != nil {
		return Properties{}, err
	}
	md, err := s.openMeta(key, account, queue, sealed)
	return Properties{Metadata: md, ApproximateMessageCount: count}, err
}

// SetQueueMetadata replaces the metadata of a queue (none clears it). It
// MUST return storageerr.ErrQueueNotFound when the queue does not exist; it needs the
// account's key.
// https://learn.microsoft.com/rest/api/storageservices/set-queue-metadata
func (s *Service) SetQueueMetadata(ctx context.Context, account, queue string, md map[string]string) error {
	key, err := s.sealKey(ctx, account)
	if err != nil {
		return err
	}
	sealed, err := s.sealMeta(key, account, queue, md)
	if err != nil {
		return err
	}
	qk := queueKey(account, queue)
	return s.db.Update(func(tx *bolt.Tx) error {
		rec, err := loadQueue(tx, qk)
		if err != nil {
			return err
		}
		rec.SealedMeta = sealed
		return putQueue(tx, qk, rec)
	})
}

// GetQueueACL returns the stored access policies of a queue. It MUST
// return storageerr.ErrQueueNotFound when the queue does not exist.
// https://learn.microsoft.com/rest/api/storageservices/get-queue-acl
func (s *Service) GetQueueACL(ctx context.Context, account, queue string) ([]blobstore.SignedIdentifier, error) {
	var ids []blobstore.SignedIdentifier
	err := s.db.View(func(tx *bolt.Tx) error {
		rec, err := loadQueue(tx, queueKey(account, queue))
		if err != nil {
			return err
		}
		ids = rec.ACL
		return nil
	})
	return ids, err
}

// SetQueueACL replaces the stored access policies of a queue: at most five
// (else InvalidXmlDocument), ids unique and at most 64 characters. It MUST
// return storageerr.ErrQueueNotFound when the queue does not exist.
// https://learn.microsoft.com/rest/api/storageservices/set-queue-acl
func (s *Service) SetQueueACL(ctx context.Context, account, queue string, ids []blobstore.SignedIdentifier) error {
	if len(ids) > maxSignedIdentifiers {
		return storageerr.ErrInvalidXMLDocument.WithMessage("At most five stored access policies may be set on a queue.")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id.ID == "" || len(id.ID) > 64 || seen[id.ID] {
			return storageerr.ErrInvalidXMLDocument.WithMessage("Each signed identifier needs a unique Id of at most 64 characters.")
		}
		seen[id.ID] = true
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		qk := queueKey(account, queue)
		rec, err := loadQueue(tx, qk)
		if err != nil {
			return err
		}
		rec.ACL = ids
		return putQueue(tx, qk, rec)
	})
}

// QueuePolicy returns the stored access policy id of a queue, for a
// service SAS that names it (si). found is false when there is none or the
// queue does not exist.
func (s *Service) QueuePolicy(ctx context.Context, account, queue, id string) (p blobstore.AccessPolicy, found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		rec, err := loadQueue(tx, queueKey(account, queue))
		if err == storageerr.ErrQueueNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		for _, si := range rec.ACL {
			if si.ID == id {
				p, found = si.Policy, true
			}
		}
		return nil
	})
	return p, found, err
}

// ListOptions are the parameters of List Queues.
type ListOptions struct {
	Prefix string
	// Marker is the NextMarker of the previous page: the first queue name
	// of this page.
	Marker string
	// MaxResults bounds the page (0 or more than MaxListResults means
	// MaxListResults).
	MaxResults      int
	IncludeMetadata bool
}

// Item is one queue of a listing.
type Item struct {
	Name     string
	Metadata map[string]string // nil unless IncludeMetadata
}

// List is a page of List Queues.
type List struct {
	Queues     []Item
	NextMarker string
}

// ListQueues lists an account's queues in name order. With metadata it
// needs the account's key.
// https://learn.microsoft.com/rest/api/storageservices/list-queues1
func (s *Service) ListQueues(ctx context.Context, account string, opts ListOptions) (List, error) {
	var key crypto.Key
	if opts.IncludeMetadata {
		var err error
		if key, err = s.sealKey(ctx, account); err != nil {
			return List{}, err
		}
	}
	limit := opts.MaxResults
	if limit <= 0 || limit > MaxListResults {
		limit = MaxListResults
	}
	type row struct {
		name   string
		sealed []byte
	}
	var rows []row
	var next string
	prefix := accountPrefix(account)
	start := append(bytes.Clone(prefix), opts.Prefix...)
	if opts.Marker > opts.Prefix {
		start = append(bytes.Clone(prefix), opts.Marker...)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketQueues).Cursor()
		full := append(bytes.Clone(prefix), opts.Prefix...)
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, full); k, v = c.Next() {
			name := string(k[len(prefix):])
			if len(rows) == limit {
				next = name
				return nil
			}
			r := row{name: name}
			if opts.IncludeMetadata {
				var rec queueRec
				if err := json.Unmarshal(v, &rec); err != nil {
					return fmt.Errorf("queue: decode queue record: %w", err)
				}
				r.sealed = rec.SealedMeta
			}
			rows = append(rows, r)
		}
		return nil
	})
	if err != nil {
		return List{}, err
	}
	out := List{Queues: make([]Item, 0, len(rows)), NextMarker: next}
	for _, r := range rows {
		it := Item{Name: r.name}
		if opts.IncludeMetadata {
			if it.Metadata, err = s.openMeta(key, account, r.name, r.sealed); err != nil {
				return List{}, err
			}
		}
		out.Queues = append(out.Queues, it)
	}
	return out, nil
}

func getCount(tx *bolt.Tx, qk []byte) uint64 {
	v := tx.Bucket(bucketCounts).Get(qk)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func addCount(tx *bolt.Tx, qk []byte, delta int64) error {
	n := int64(getCount(tx, qk)) + delta
	if n < 0 {
		n = 0
	}
	return tx.Bucket(bucketCounts).Put(qk, u64(uint64(n)))
}
