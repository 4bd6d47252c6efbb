package queue

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// Limits of the Queue REST API
// (https://learn.microsoft.com/rest/api/storageservices/put-message).
const (
	// MaxMessageSize is the largest message text, in bytes as sent.
	MaxMessageSize = 64 << 10
	// MaxVisibilityTimeout bounds visibility timeouts.
	MaxVisibilityTimeout = 7 * 24 * time.Hour
	// DefaultTTL is the time-to-live of a message put without one.
	DefaultTTL = 7 * 24 * time.Hour
	// MaxMessagesPerGet bounds numofmessages of Get and Peek Messages.
	MaxMessagesPerGet = 32
	// maxExpiredPerCall bounds how many expired messages one Get Messages
	// collects on its way; Sweep collects the rest.
	maxExpiredPerCall = 256
)

// Never is the expiry of a message put with messagettl=-1, shown as
// "Fri, 31 Dec 9999 23:59:59 GMT" as Azure shows it.
var Never = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

const neverNS = math.MaxInt64

// msgID is a message id: a random UUID, shown in its text form.
type msgID [16]byte

func newMsgID() msgID {
	var id msgID
	copy(id[:], randomBytes(16))
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

func (id msgID) String() string {
	h := hex.EncodeToString(id[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// parseMsgID parses the text form of a message id.
func parseMsgID(s string) (msgID, bool) {
	var id msgID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, false
	}
	raw := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(id[:], []byte(raw)); err != nil {
		return id, false
	}
	return id, true
}

// Pop receipts are 16 random bytes, shown base64: opaque to clients, new on
// every Get Messages and Update Message.
const receiptSize = 16

func formatReceipt(r []byte) string { return base64.StdEncoding.EncodeToString(r) }

func parseReceipt(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != receiptSize {
		return nil, false
	}
	return b, true
}

// msgRec is a message record. Layout (msgRecVersion 1), big-endian:
//
//	[0]      version (1)
//	[1:9]    insertion time, Unix ns
//	[9:17]   expiry time, Unix ns (MaxInt64: never)
//	[17:25]  time next visible, Unix ns
//	[25:33]  dequeue count
//	[33:41]  sequence number (the visible and expiry index keys)
//	[41:57]  pop receipt
//	[57:]    message text sealed with crypto.Seal (bodyAAD)
type msgRec struct {
	inserted, expires, visible int64
	dequeues, seq              uint64
	receipt                    [receiptSize]byte
	sealed                     []byte
}

const (
	msgRecVersion = 1
	msgHeaderSize = 57
)

var errBadRecord = errors.New("queue: malformed message record")

func (m *msgRec) marshal() []byte {
	b := make([]byte, msgHeaderSize, msgHeaderSize+len(m.sealed))
	b[0] = msgRecVersion
	binary.BigEndian.PutUint64(b[1:], uint64(m.inserted))
	binary.BigEndian.PutUint64(b[9:], uint64(m.expires))
	binary.BigEndian.PutUint64(b[17:], uint64(m.visible))
	binary.BigEndian.PutUint64(b[25:], m.dequeues)
	binary.BigEndian.PutUint64(b[33:], m.seq)
	copy(b[41:57], m.receipt[:])
	return append(b, m.sealed...)
}

// unmarshalMsg decodes a record, copying what it keeps (v may be bbolt
// memory).
func unmarshalMsg(v []byte) (*msgRec, error) {
	if len(v) < msgHeaderSize || v[0] != msgRecVersion {
		return nil, errBadRecord
	}
	m := &msgRec{
		inserted: int64(binary.BigEndian.Uint64(v[1:])),
		expires:  int64(binary.BigEndian.Uint64(v[9:])),
		visible:  int64(binary.BigEndian.Uint64(v[17:])),
		dequeues: binary.BigEndian.Uint64(v[25:]),
		seq:      binary.BigEndian.Uint64(v[33:]),
		sealed:   bytes.Clone(v[msgHeaderSize:]),
	}
	copy(m.receipt[:], v[41:57])
	return m, nil
}

func bodyAAD(account, queue string, id msgID) []byte {
	return append([]byte("azemu queue message v1\x00"+account+"\x00"+queue+"\x00"), id[:]...)
}

// Message is a message as the REST API shows it. Fields a response does not
// carry are zero: Peek has no pop receipt, Put has no text.
type Message struct {
	ID              string
	InsertionTime   time.Time
	ExpirationTime  time.Time
	TimeNextVisible time.Time
	PopReceipt      string
	DequeueCount    int64
	Text            string
}

func (m *msgRec) public(id msgID) Message {
	exp := Never
	if m.expires != neverNS {
		exp = time.Unix(0, m.expires).UTC()
	}
	return Message{
		ID:              id.String(),
		InsertionTime:   time.Unix(0, m.inserted).UTC(),
		ExpirationTime:  exp,
		TimeNextVisible: time.Unix(0, m.visible).UTC(),
		PopReceipt:      formatReceipt(m.receipt[:]),
		DequeueCount:    int64(m.dequeues),
	}
}

// PutOptions are the parameters of Put Message.
type PutOptions struct {
	// VisibilityTimeout hides the message this long (0..7 days, and less
	// than TTL).
	VisibilityTimeout time.Duration
	// TTL is the time-to-live: 0 means DefaultTTL, negative means never
	// (messagettl=-1).
	TTL time.Duration
}

// PutMessage adds a message to a queue and returns it without its text. It
// MUST return storageerr.ErrQueueNotFound when the queue does not exist and
// storageerr.ErrRequestBodyTooLarge for text over MaxMessageSize; it needs
// the account's key.
// https://learn.microsoft.com/rest/api/storageservices/put-message
func (s *Service) PutMessage(ctx context.Context, account, queue, text string, opts PutOptions) (Message, error) {
	if len(text) > MaxMessageSize {
		return Message{}, storageerr.ErrRequestBodyTooLarge.WithDetail("MaxLimit", "65536")
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.VisibilityTimeout < 0 || opts.VisibilityTimeout > MaxVisibilityTimeout {
		return Message{}, outOfRange("visibilitytimeout", opts.VisibilityTimeout, 0, MaxVisibilityTimeout)
	}
	if opts.TTL > 0 && opts.VisibilityTimeout >= opts.TTL {
		return Message{}, storageerr.ErrInvalidQueryParameterValue.
			WithMessage("The visibility timeout must be smaller than the time-to-live of the message.").
			WithDetail("QueryParameterName", "visibilitytimeout").
			WithDetail("QueryParameterValue", fmt.Sprint(int64(opts.VisibilityTimeout/time.Second)))
	}
	key, err := s.sealKey(ctx, account)
	if err != nil {
		return Message{}, err
	}
	id := newMsgID()
	sealed, err := crypto.Seal(key, []byte(text), bodyAAD(account, queue, id))
	if err != nil {
		return Message{}, err
	}
	now := s.now()
	m := &msgRec{inserted: now.UnixNano(), visible: now.Add(opts.VisibilityTimeout).UnixNano(), sealed: sealed}
	m.expires = neverNS
	if opts.TTL > 0 {
		m.expires = addNS(now, opts.TTL)
	}
	copy(m.receipt[:], randomBytes(receiptSize))
	qk := queueKey(account, queue)
	err = s.db.Update(func(tx *bolt.Tx) error {
		if _, err := loadQueue(tx, qk); err != nil {
			return err
		}
		seq, err := tx.Bucket(bucketMessages).NextSequence()
		if err != nil {
			return err
		}
		m.seq = seq
		return putMessage(tx, qk, id, m, true)
	})
	if err != nil {
		return Message{}, err
	}
	return m.public(id), nil
}

// addNS is now+d in Unix ns, saturating at neverNS.
func addNS(now time.Time, d time.Duration) int64 {
	ns := now.UnixNano()
	if d > 0 && ns > neverNS-int64(d) {
		return neverNS - 1
	}
	return ns + int64(d)
}

// putMessage writes a message and its index entries; fresh counts it.
func putMessage(tx *bolt.Tx, qk []byte, id msgID, m *msgRec, fresh bool) error {
	if err := tx.Bucket(bucketMessages).Put(messageKey(qk, id), m.marshal()); err != nil {
		return err
	}
	if err := tx.Bucket(bucketVisible).Put(visibleKey(qk, m.visible, m.seq), bytes.Clone(id[:])); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	if err := tx.Bucket(bucketExpiry).Put(expiryKey(m.expires, m.seq), messageKey(qk, id)); err != nil {
		return err
	}
	return addCount(tx, qk, 1)
}

// removeMessage deletes a message and its index entries.
func removeMessage(tx *bolt.Tx, qk []byte, id msgID, m *msgRec) error {
	if err := tx.Bucket(bucketMessages).Delete(messageKey(qk, id)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketVisible).Delete(visibleKey(qk, m.visible, m.seq)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketExpiry).Delete(expiryKey(m.expires, m.seq)); err != nil {
		return err
	}
	return addCount(tx, qk, -1)
}

func outOfRange(param string, got, lo, hi time.Duration) error {
	return storageerr.ErrOutOfRangeQueryParameterValue.
		WithDetail("QueryParameterName", param).
		WithDetail("QueryParameterValue", fmt.Sprint(int64(got/time.Second))).
		WithDetail("MinimumAllowed", fmt.Sprint(int64(lo/time.Second))).
		WithDetail("MaximumAllowed", fmt.Sprint(int64(hi/time.Second)))
}

// candidate is a message found by a scan of the visible index.
type candidate struct {
	id msgID
	m  *msgRec
}

// scanVisible returns up to n messages visible at now in index order, and
// (up to maxExpiredPerCall) the expired ones it met on the way.
func scanVisible(tx *bolt.Tx, qk []byte, now int64, n int) (live, expired []candidate, err error) {
	prefix := messagePrefix(qk)
	msgs := tx.Bucket(bucketMessages)
	c := tx.Bucket(bucketVisible).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(live) < n; k, v = c.Next() {
		if len(k) != len(prefix)+16 || len(v) != 16 {
			return nil, nil, errBadRecord
		}
		if int64(binary.BigEndian.Uint64(k[len(prefix):])) > now {
			break
		}
		var id msgID
		copy(id[:], v)
		raw := msgs.Get(messageKey(qk, id))
		if raw == nil {
			return nil, nil, fmt.Errorf("queue: visible index names a missing message %s", id)
		}
		m, err := unmarshalMsg(raw)
		if err != nil {
			return nil, nil, err
		}
		if m.expires <= now {
			if len(expired) < maxExpiredPerCall {
				expired = append(expired, candidate{id, m})
			}
			continue
		}
		live = append(live, candidate{id, m})
	}
	return live, expired, nil
}

// GetMessages dequeues up to n visible messages (1..32): each gets a new pop
// receipt, becomes invisible for visibility (1 s..7 days) and counts one
// more dequeue, all committed before the messages are returned. It MUST
// return storageerr.ErrQueueNotFound when the queue does not exist; it needs the
// account's key.
// https://learn.microsoft.com/rest/api/storageservices/get-messages
func (s *Service) GetMessages(ctx context.Context, account, queue string, n int, visibility time.Duration) ([]Message, error) {
	if n < 1 || n > MaxMessagesPerGet {
		return nil, countOutOfRange(n)
	}
	if visibility < time.Second || visibility > MaxVisibilityTimeout {
		return nil, outOfRange("visibilitytimeout", visibility, time.Second, MaxVisibilityTimeout)
	}
	key, err := s.sealKey(ctx, account)
	if err != nil {
		return nil, err
	}
	qk := queueKey(account, queue)
	var got []candidate
	err = s.db.Update(func(tx *bolt.Tx) error {
		got = nil
		if _, err := loadQueue(tx, qk); err != nil {
			return err
		}
		now := s.now()
		live, expired, err := scanVisible(tx, qk, now.UnixNano(), n)
		if err != nil {
			return err
		}
		for _, e := range expired {
			if err := removeMessage(tx, qk, e.id, e.m); err != nil {
				return err
			}
		}
		next := addNS(now, visibility)
		for _, c := range live {
			if err := tx.Bucket(bucketVisible).Delete(visibleKey(qk, c.m.visible, c.m.seq)); err != nil {
				return err
			}
			if next > c.m.expires {
				next = c.m.expires
			}
			c.m.visible = next
			c.m.dequeues++
			copy(c.m.receipt[:], randomBytes(receiptSize))
			if err := putMessage(tx, qk, c.id, c.m, false); err != nil {
				return err
			}
		}
		got = live
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.openAll(key, account, queue, got, true)
}

// PeekMessages returns up to n visible messages (1..32) without changing
// them. It MUST return storageerr.ErrQueueNotFound when the queue does not exist; it
// needs the account's key.
// https://learn.microsoft.com/rest/api/storageservices/peek-messages
func (s *Service) PeekMessages(ctx context.Context, account, queue string, n int) ([]Message, error) {
	if n < 1 || n > MaxMessagesPerGet {
		return nil, countOutOfRange(n)
	}
	key, err := s.sealKey(ctx, account)
	if err != nil {
		return nil, err
	}
	qk := queueKey(account, queue)
	var got []candidate
	err = s.db.View(func(tx *bolt.Tx) error {
		if _, err := loadQueue(tx, qk); err != nil {
			return err
		}
		got, _, err = scanVisible(tx, qk, s.now().UnixNano(), n)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.openAll(key, account, queue, got, false)
}

func countOutOfRange(n int) error {
	return storageerr.ErrOutOfRangeQueryParameterValue.
		WithDetail("QueryParameterName", "numofmessages").
		WithDetail("QueryParameterValue", fmt.Sprint(n)).
		WithDetail("MinimumAllowed", "1").
		WithDetail("MaximumAllowed", fmt.Sprint(MaxMessagesPerGet))
}

// openAll opens the bodies of messages read in a transaction that has
// ended (no decryption under the database lock).
func (s *Service) openAll(key crypto.Key, account, queue string, cs []candidate, withReceipt bool) ([]Message, error) {
	out := make([]Message, 0, len(cs))
	for _, c := range cs {
		text, err := crypto.Open(key, c.m.sealed, bodyAAD(account, queue, c.id))
		if err != nil {
			return nil, fmt.Errorf("queue: open message %s of %s/%s: %w", c.id, account, queue, err)
		}
		pm := c.m.public(c.id)
		pm.Text = string(text)
		if !withReceipt {
			pm.PopReceipt, pm.TimeNextVisible = "", time.Time{}
		}
		out = append(out, pm)
	}
	return out, nil
}

// loadForReceipt finds a live message and checks its pop receipt: an
// unknown or expired message is storageerr.ErrMessageNotFound, a receipt that does not
// parse is InvalidQueryParameterValue, another receipt storageerr.ErrPopReceiptMismatch.
func loadForReceipt(tx *bolt.Tx, qk []byte, id, receipt string, now int64) (msgID, *msgRec, error) {
	if _, err := loadQueue(tx, qk); err != nil {
		return msgID{}, nil, err
	}
	mid, ok := parseMsgID(id)
	if !ok {
		return mid, nil, storageerr.ErrMessageNotFound
	}
	raw := tx.Bucket(bucketMessages).Get(messageKey(qk, mid))
	if raw == nil {
		return mid, nil, storageerr.ErrMessageNotFound
	}
	m, err := unmarshalMsg(raw)
	if err != nil {
		return mid, nil, err
	}
	if m.expires <= now {
		return mid, m, storageerr.ErrMessageNotFound
	}
	r, ok := parseReceipt(receipt)
	if !ok {
		return mid, nil, storageerr.ErrInvalidQueryParameterValue.
			WithDetail("QueryParameterName", "popreceipt").WithDetail("QueryParameterValue", receipt).
			WithDetail("Reason", "Invalid pop receipt format")
	}
	if subtle.ConstantTimeCompare(r, m.receipt[:]) != 1 {
		return mid, nil, storageerr.ErrPopReceiptMismatch
	}
	return mid, m, nil
}

// DeleteMessage deletes a message whose current pop receipt is receipt. It
// MUST return storageerr.ErrQueueNotFound, storageerr.ErrMessageNotFound (unknown or expired id)
// or storageerr.ErrPopReceiptMismatch (the message was dequeued or updated since).
// https://learn.microsoft.com/rest/api/storageservices/delete-message2
func (s *Service) DeleteMessage(ctx context.Context, account, queue, id, receipt string) error {
	qk := queueKey(account, queue)
	var answer error
	err := s.db.Update(func(tx *bolt.Tx) error {
		answer = nil
		mid, m, err := loadForReceipt(tx, qk, id, receipt, s.now().UnixNano())
		if errors.Is(err, storageerr.ErrMessageNotFound) && m != nil {
			// Expired: collect it (the transaction commits), and answer
			// MessageNotFound as Azure does.
			answer = err
			return removeMessage(tx, qk, mid, m)
		}
		if err != nil {
			return err
		}
		return removeMessage(tx, qk, mid, m)
	})
	if err != nil {
		return err
	}
	return answer
}

// UpdateOptions are the parameters of Update Message.
type UpdateOptions struct {
	// Visibility is the new visibility timeout (0..7 days).
	Visibility time.Duration
	// Text replaces the message text when non-nil.
	Text *string
}

// UpdateMessage makes a message invisible for opts.Visibility from now
// (never past its expiry) and optionally replaces its text, returning its
// new pop receipt and time next visible. It MUST return storageerr.ErrQueueNotFound,
// storageerr.ErrMessageNotFound or storageerr.ErrPopReceiptMismatch as DeleteMessage does; with
// a new text it needs the account's key.
// https://learn.microsoft.com/rest/api/storageservices/update-message
func (s *Service) UpdateMessage(ctx context.Context, account, queue, id, receipt string, opts UpdateOptions) (Message, error) {
	if opts.Visibility < 0 || opts.Visibility > MaxVisibilityTimeout {
		return Message{}, outOfRange("visibilitytimeout", opts.Visibility, 0, MaxVisibilityTimeout)
	}
	if opts.Text != nil && len(*opts.Text) > MaxMessageSize {
		return Message{}, storageerr.ErrRequestBodyTooLarge.WithDetail("MaxLimit", "65536")
	}
	var key crypto.Key
	if opts.Text != nil {
		var err error
		if key, err = s.sealKey(ctx, account); err != nil {
			return Message{}, err
		}
	}
	qk := queueKey(account, queue)
	var out Message
	err := s.db.Update(func(tx *bolt.Tx) error {
		now := s.now()
		mid, m, err := loadForReceipt(tx, qk, id, receipt, now.UnixNano())
		if err != nil {
			return err // an expired message is left for Sweep
		}
		next := addNS(now, opts.Visibility)
		if next > m.expires {
			return storageerr.ErrInvalidQueryParameterValue.
				WithMessage("The visibility timeout would make the message visible after it expires.").
				WithDetail("QueryParameterName", "visibilitytimeout").
				WithDetail("QueryParameterValue", fmt.Sprint(int64(opts.Visibility/time.Second)))
		}
		if err := tx.Bucket(bucketVisible).Delete(visibleKey(qk, m.visible, m.seq)); err != nil {
			return err
		}
		if opts.Text != nil {
			if m.sealed, err = crypto.Seal(key, []byte(*opts.Text), bodyAAD(account, queue, mid)); err != nil {
				return err
			}
		}
		m.visible = next
		copy(m.receipt[:], randomBytes(receiptSize))
		out = m.public(mid)
		return putMessage(tx, qk, mid, m, false)
	})
	return out, err
}

// ClearMessages deletes every message of a queue. It MUST return
// storageerr.ErrQueueNotFound when the queue does not exist.
// https://learn.microsoft.com/rest/api/storageservices/clear-messages
func (s *Service) ClearMessages(ctx context.Context, account, queue string) error {
	qk := queueKey(account, queue)
	return s.db.Update(func(tx *bolt.Tx) error {
		if _, err := loadQueue(tx, qk); err != nil {
			return err
		}
		if err := clearMessages(tx, qk); err != nil {
			return err
		}
		return tx.Bucket(bucketCounts).Delete(qk)
	})
}

// clearMessages removes every message of the queue qk and its index
// entries.
func clearMessages(tx *bolt.Tx, qk []byte) error {
	prefix := messagePrefix(qk)
	type victim struct {
		key []byte
		m   *msgRec
	}
	var vs []victim
	c := tx.Bucket(bucketMessages).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		m, err := unmarshalMsg(v)
		if err != nil {
			return err
		}
		m.sealed = nil
		vs = append(vs, victim{bytes.Clone(k), m})
	}
	for _, v := range vs {
		if err := tx.Bucket(bucketMessages).Delete(v.key); err != nil {
			return err
		}
		if err := tx.Bucket(bucketVisible).Delete(visibleKey(qk, v.m.visible, v.m.seq)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketExpiry).Delete(expiryKey(v.m.expires, v.m.seq)); err != nil {
			return err
		}
	}
	return nil
}

// Sweep deletes messages whose time-to-live has passed, oldest expiry
// first; its work is proportional to the messages it deletes.
func (s *Service) Sweep(ctx context.Context) error {
	for {
		done, err := s.sweepBatch(1024)
		if err != nil || done {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func (s *Service) sweepBatch(limit int) (done bool, err error) {
	now := s.now().UnixNano()
	err = s.db.Update(func(tx *bolt.Tx) error {
		var vs []sweepVictim
		c := tx.Bucket(bucketExpiry).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(vs) == limit {
				return s.sweepVictims(tx, vs)
			}
			if len(k) != 16 || int64(binary.BigEndian.Uint64(k)) > now {
				break
			}
			vs = append(vs, sweepVictim{bytes.Clone(k), bytes.Clone(v)})
		}
		done = true
		return s.sweepVictims(tx, vs)
	})
	return done, err
}

// sweepVictim is an expired message found by Sweep: its expiry index key
// and its message key.
type sweepVictim struct{ ek, mk []byte }

func (s *Service) sweepVictims(tx *bolt.Tx, vs []sweepVictim) error {
	for _, v := range vs {
		if len(v.mk) < 17 {
			return errBadRecord
		}
		qk := v.mk[:len(v.mk)-17]
		var id msgID
		copy(id[:], v.mk[len(v.mk)-16:])
		raw := tx.Bucket(bucketMessages).Get(v.mk)
		if raw == nil {
			if err := tx.Bucket(bucketExpiry).Delete(v.ek); err != nil {
				return err
			}
			continue
		}
		m, err := unmarshalMsg(raw)
		if err != nil {
			return err
		}
		if err := removeMessage(tx, qk, id, m); err != nil {
			return err
		}
	}
	return nil
}
