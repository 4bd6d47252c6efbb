package queue

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/crypto"
)

// fakeKeys is a Keys whose key can be revoked, as a CMK account's can.
type fakeKeys struct {
	mu      sync.Mutex
	key     crypto.Key
	revoked bool
}

func (k *fakeKeys) SealKey(ctx context.Context, account string) (crypto.Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if account == "missing" {
		return crypto.Key{}, storageerr.ErrAccountNotFound
	}
	if k.revoked {
		return crypto.Key{}, storageerr.ErrKeyVaultEncryptionKeyNotFound
	}
	return k.key, nil
}

func (k *fakeKeys) revoke(v bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.revoked = v
}

// clock is a settable emulator clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	svc   *Service
	keys  *fakeKeys
	clock *clock
	dir   string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	key, err := crypto.NewKey()
	require.NoError(t, err)
	e := &env{keys: &fakeKeys{key: key}, clock: &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, dir: t.TempDir()}
	e.open(t)
	return e
}

func (e *env) open(t testing.TB) {
	t.Helper()
	svc, err := Open(Config{DataDir: e.dir, Keys: e.keys, Now: e.clock.Now})
	require.NoError(t, err)
	e.svc = svc
	t.Cleanup(func() { _ = svc.Close() })
}

const acct = "devstoreaccount1"

func TestValidQueueName(t *testing.T) {
	for _, tc := range []struct {
		name string
		code string
	}{
		{"abc", ""}, {"a-b-c", ""}, {"0queue", ""}, {strings.Repeat("a", 63), ""},
		{"ab", "OutOfRangeInput"}, {strings.Repeat("a", 64), "OutOfRangeInput"},
		{"-abc", "InvalidResourceName"}, {"abc-", "InvalidResourceName"}, {"a--b", "InvalidResourceName"},
		{"ABC", "InvalidResourceName"}, {"a_b", "InvalidResourceName"}, {"a\x00b", "InvalidResourceName"},
	} {
		err := ValidQueueName(tc.name)
		if tc.code == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.Equal(t, tc.code, storageerr.CodeOf(err), tc.name)
		}
	}
}

func TestCreateQueueIdempotentAndConflicting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.svc.CreateQueue(ctx, acct, "qq1", map[string]string{"a": "1"})
	require.NoError(t, err)
	assert.True(t, created)
	created, err = e.svc.CreateQueue(ctx, acct, "qq1", map[string]string{"a": "1"})
	require.NoError(t, err)
	assert.False(t, created)
	_, err = e.svc.CreateQueue(ctx, acct, "qq1", map[string]string{"a": "2"})
	assert.ErrorIs(t, err, storageerr.ErrQueueAlreadyExists)
	_, err = e.svc.CreateQueue(ctx, acct, "qq1", nil)
	assert.ErrorIs(t, err, storageerr.ErrQueueAlreadyExists)
	created, err = e.svc.CreateQueue(ctx, acct, "qq2", nil)
	require.NoError(t, err)
	assert.True(t, created)
	created, err = e.svc.CreateQueue(ctx, acct, "qq2", nil)
	require.NoError(t, err)
	assert.False(t, created)

	p, err := e.svc.GetQueueProperties(ctx, acct, "qq1")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1"}, p.Metadata)
	require.NoError(t, e.svc.SetQueueMetadata(ctx, acct, "qq1", nil))
	p, err = e.svc.GetQueueProperties(ctx, acct, "qq1")
	require.NoError(t, err)
	assert.Empty(t, p.Metadata)
	require.NoError(t, e.svc.DeleteQueue(ctx, acct, "qq1"))
	assert.ErrorIs(t, e.svc.DeleteQueue(ctx, acct, "qq1"), storageerr.ErrQueueNotFound)
	_, err = e.svc.GetQueueProperties(ctx, acct, "qq1")
	assert.ErrorIs(t, err, storageerr.ErrQueueNotFound)
}

func TestListQueuesPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, n := range []string{"b-1", "a-1", "a-2", "a-3", "ccc"} {
		_, err := e.svc.CreateQueue(ctx, acct, n, map[string]string{"n": n})
		require.NoError(t, err)
	}
	_, err := e.svc.CreateQueue(ctx, "otheraccount", "a-0", nil)
	require.NoError(t, err)
	page, err := e.svc.ListQueues(ctx, acct, ListOptions{Prefix: "a-", MaxResults: 2, IncludeMetadata: true})
	require.NoError(t, err)
	require.Len(t, page.Queues, 2)
	assert.Equal(t, "a-1", page.Queues[0].Name)
	assert.Equal(t, "a-1", page.Queues[0].Metadata["n"])
	assert.Equal(t, "a-3", page.NextMarker)
	page, err = e.svc.ListQueues(ctx, acct, ListOptions{Prefix: "a-", Marker: page.NextMarker, MaxResults: 2})
	require.NoError(t, err)
	require.Len(t, page.Queues, 1)
	assert.Equal(t, "a-3", page.Queues[0].Name)
	assert.Nil(t, page.Queues[0].Metadata)
	assert.Empty(t, page.NextMarker)
	all, err := e.svc.ListQueues(ctx, acct, ListOptions{})
	require.NoError(t, err)
	assert.Len(t, all.Queues, 5)
}

func TestMessagesVisibilityReceiptsAndCounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CreateQueue(ctx, acct, "qqq", nil)
	require.NoError(t, err)
	m1, err := e.svc.PutMessage(ctx, acct, "qqq", "one", PutOptions{})
	require.NoError(t, err)
	_, err = e.svc.PutMessage(ctx, acct, "qqq", "two", PutOptions{VisibilityTimeout: time.Minute})
	require.NoError(t, err)
	assert.Equal(t, e.clock.Now().Add(DefaultTTL), m1.ExpirationTime)

	peek, err := e.svc.PeekMessages(ctx, acct, "qqq", 32)
	require.NoError(t, err)
	require.Len(t, peek, 1)
	assert.Equal(t, "one", peek[0].Text)
	assert.Empty(t, peek[0].PopReceipt)

	got, err := e.svc.GetMessages(ctx, acct, "qqq", 32, 30*time.Second)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, int64(1), got[0].DequeueCount)
	assert.NotEqual(t, m1.PopReceipt, got[0].PopReceipt)
	assert.Equal(t, e.clock.Now().Add(30*time.Second), got[0].TimeNextVisible)

	e.clock.advance(time.Minute)
	got2, err := e.svc.GetMessages(ctx, acct, "qqq", 32, 30*time.Second)
	require.NoError(t, err)
	require.Len(t, got2, 2)
	assert.Equal(t, "one", got2[0].Text, "visible-time order")
	assert.Equal(t, int64(2), got2[0].DequeueCount)
	assert.ErrorIs(t, e.svc.DeleteMessage(ctx, acct, "qqq", got[0].ID, got[0].PopReceipt), storageerr.ErrPopReceiptMismatch)
	assert.Equal(t, "InvalidQueryParameterValue", storageerr.CodeOf(e.svc.DeleteMessage(ctx, acct, "qqq", got[0].ID, "not-a-receipt")))

	text := "uno"
	upd, err := e.svc.UpdateMessage(ctx, acct, "qqq", got2[0].ID, got2[0].PopReceipt, UpdateOptions{Text: &text})
	require.NoError(t, err)
	_, err = e.svc.UpdateMessage(ctx, acct, "qqq", got2[0].ID, got2[0].PopReceipt, UpdateOptions{})
	assert.ErrorIs(t, err, storageerr.ErrPopReceiptMismatch)
	peek, err = e.svc.PeekMessages(ctx, acct, "qqq", 1)
	require.NoError(t, err)
	require.Len(t, peek, 1)
	assert.Equal(t, "uno", peek[0].Text)
	assert.Equal(t, int64(2), peek[0].DequeueCount, "update does not count as a dequeue")

	p, err := e.svc.GetQueueProperties(ctx, acct, "qqq")
	require.NoError(t, err)
	assert.Equal(t, uint64(2), p.ApproximateMessageCount)
	require.NoError(t, e.svc.DeleteMessage(ctx, acct, "qqq", upd.ID, upd.PopReceipt))
	assert.ErrorIs(t, e.svc.DeleteMessage(ctx, acct, "qqq", upd.ID, upd.PopReceipt), storageerr.ErrMessageNotFound)
	assert.ErrorIs(t, e.svc.DeleteMessage(ctx, acct, "qqq", "garbage", upd.PopReceipt), storageerr.ErrMessageNotFound)
	require.NoError(t, e.svc.ClearMessages(ctx, acct, "qqq"))
	p, err = e.svc.GetQueueProperties(ctx, acct, "qqq")
	require.NoError(t, err)
	assert.Equal(t, uint64(0), p.ApproximateMessageCount)
	empty, err := e.svc.GetMessages(ctx, acct, "qqq", 1, time.Second)
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func TestMessageTTLAndSweep(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CreateQueue(ctx, acct, "qqq", nil)
	require.NoError(t, err)
	short, err := e.svc.PutMessage(ctx, acct, "qqq", "short", PutOptions{TTL: 10 * time.Second})
	require.NoError(t, err)
	forever, err := e.svc.PutMessage(ctx, acct, "qqq", "forever", PutOptions{TTL: -1})
	require.NoError(t, err)
	assert.Equal(t, Never, forever.ExpirationTime)
	_, err = e.svc.PutMessage(ctx, acct, "qqq", "x", PutOptions{TTL: 10 * time.Second, VisibilityTimeout: 10 * time.Second})
	assert.Equal(t, "InvalidQueryParameterValue", storageerr.CodeOf(err))
	_, err = e.svc.PutMessage(ctx, acct, "qqq", strings.Repeat("x", MaxMessageSize+1), PutOptions{})
	assert.ErrorIs(t, err, storageerr.ErrRequestBodyTooLarge)

	e.clock.advance(11 * time.Second)
	peek, err := e.svc.PeekMessages(ctx, acct, "qqq", 32)
	require.NoError(t, err)
	require.Len(t, peek, 1)
	assert.Equal(t, "forever", peek[0].Text)
	_, err = e.svc.UpdateMessage(ctx, acct, "qqq", short.ID, short.PopReceipt, UpdateOptions{})
	assert.ErrorIs(t, err, storageerr.ErrMessageNotFound)
	require.NoError(t, e.svc.Sweep(ctx))
	p, err := e.svc.GetQueueProperties(ctx, acct, "qqq")
	require.NoError(t, err)
	assert.Equal(t, uint64(1), p.ApproximateMessageCount)

	// A dequeued message never stays invisible past its expiry.
	m, err := e.svc.PutMessage(ctx, acct, "qqq", "brief", PutOptions{TTL: 5 * time.Second})
	require.NoError(t, err)
	_, err = e.svc.UpdateMessage(ctx, acct, "qqq", m.ID, m.PopReceipt, UpdateOptions{Visibility: time.Minute})
	assert.Equal(t, "InvalidQueryParameterValue", storageerr.CodeOf(err))
}

// Messages and metadata survive a reopen, and the database holds neither
// in the clear.
func TestPersistenceAndSealing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const secret = "the plaintext canary 8d5f"
	_, err := e.svc.CreateQueue(ctx, acct, "qqq", map[string]string{"m": secret + " meta"})
	require.NoError(t, err)
	m, err := e.svc.PutMessage(ctx, acct, "qqq", secret, PutOptions{})
	require.NoError(t, err)
	require.NoError(t, e.svc.Close())

	raw, err := os.ReadFile(filepath.Join(e.dir, DBFile))
	require.NoError(t, err)
	assert.False(t, bytes.Contains(raw, []byte(secret)), "queue.db holds a message or metadata in the clear")
	assert.True(t, bytes.Contains(raw, []byte(acct+"\x00qqq")), "queue names stay readable")

	e.open(t)
	got, err := e.svc.GetMessages(ctx, acct, "qqq", 1, time.Second)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, m.ID, got[0].ID)
	assert.Equal(t, secret, got[0].Text)

	// Another key cannot open the data: no wrong bytes, an error.
	other, err := crypto.NewKey()
	require.NoError(t, err)
	e.keys.key = other
	e.clock.advance(time.Minute)
	_, err = e.svc.PeekMessages(ctx, acct, "qqq", 1)
	assert.Error(t, err)
}

// A sealed body moved onto another message does not open: the associated
// data binds it to its account, queue and id.
func TestSealedBodyIsBoundToItsMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CreateQueue(ctx, acct, "qqq", nil)
	require.NoError(t, err)
	a, err := e.svc.PutMessage(ctx, acct, "qqq", "alpha", PutOptions{})
	require.NoError(t, err)
	b, err := e.svc.PutMessage(ctx, acct, "qqq", "beta", PutOptions{})
	require.NoError(t, err)
	ida, _ := parseMsgID(a.ID)
	idb, _ := parseMsgID(b.ID)
	qk := queueKey(acct, "qqq")
	require.NoError(t, e.svc.db.Update(func(tx *bolt.Tx) error {
		ma, err := unmarshalMsg(tx.Bucket(bucketMessages).Get(messageKey(qk, ida)))
		require.NoError(t, err)
		mb, err := unmarshalMsg(tx.Bucket(bucketMessages).Get(messageKey(qk, idb)))
		require.NoError(t, err)
		mb.sealed = ma.sealed
		return tx.Bucket(bucketMessages).Put(messageKey(qk, idb), mb.marshal())
	}))
	_, err = e.svc.PeekMessages(ctx, acct, "qqq", 2)
	assert.Error(t, err)
}

func TestRevokedKeyGatesOnlyUserData(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CreateQueue(ctx, acct, "qqq", map[string]string{"a": "b"})
	require.NoError(t, err)
	m, err := e.svc.PutMessage(ctx, acct, "qqq", "x", PutOptions{})
	require.NoError(t, err)
	e.keys.revoke(true)
	_, err = e.svc.PutMessage(ctx, acct, "qqq", "y", PutOptions{})
	assert.ErrorIs(t, err, storageerr.ErrKeyVaultEncryptionKeyNotFound)
	_, err = e.svc.PeekMessages(ctx, acct, "qqq", 1)
	assert.ErrorIs(t, err, storageerr.ErrKeyVaultEncryptionKeyNotFound)
	_, err = e.svc.GetMessages(ctx, acct, "qqq", 1, time.Second)
	assert.ErrorIs(t, err, storageerr.ErrKeyVaultEncryptionKeyNotFound)
	_, err = e.svc.GetQueueProperties(ctx, acct, "qqq")
	assert.ErrorIs(t, err, storageerr.ErrKeyVaultEncryptionKeyNotFound)
	_, err = e.svc.CreateQueue(ctx, acct, "qqq", map[string]string{"a": "b"})
	assert.ErrorIs(t, err, storageerr.ErrKeyVaultEncryptionKeyNotFound)
	_, err = e.svc.ListQueues(ctx, acct, ListOptions{IncludeMetadata: true})
	assert.ErrorIs(t, err, storageerr.ErrKeyVaultEncryptionKeyNotFound)
	// No user data: allowed.
	_, err = e.svc.ListQueues(ctx, acct, ListOptions{})
	assert.NoError(t, err)
	_, err = e.svc.CreateQueue(ctx, acct, "plain", nil)
	assert.NoError(t, err)
	_, err = e.svc.UpdateMessage(ctx, acct, "qqq", m.ID, m.PopReceipt, UpdateOptions{})
	assert.NoError(t, err)
	e.keys.revoke(false)
	peek, err := e.svc.PeekMessages(ctx, acct, "qqq", 1)
	require.NoError(t, err)
	require.Len(t, peek, 1)
	assert.Equal(t, "x", peek[0].Text)
}

func TestACLAndPolicies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CreateQueue(ctx, acct, "qqq", nil)
	require.NoError(t, err)
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := []blobstore.SignedIdentifier{{ID: "p1", Policy: blobstore.AccessPolicy{Expiry: exp, Permission: "raup"}}}
	require.NoError(t, e.svc.SetQueueACL(ctx, acct, "qqq", ids))
	got, err := e.svc.GetQueueACL(ctx, acct, "qqq")
	require.NoError(t, err)
	assert.Equal(t, ids, got)
	p, found, err := e.svc.QueuePolicy(ctx, acct, "qqq", "p1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "raup", p.Permission)
	_, found, err = e.svc.QueuePolicy(ctx, acct, "nope", "p1")
	require.NoError(t, err)
	assert.False(t, found)
	six := make([]blobstore.SignedIdentifier, 6)
	for i := range six {
		six[i].ID = string(rune('a' + i))
	}
	assert.Equal(t, "InvalidXmlDocument", storageerr.CodeOf(e.svc.SetQueueACL(ctx, acct, "qqq", six)))
	assert.ErrorIs(t, e.svc.SetQueueACL(ctx, acct, "nope", nil), storageerr.ErrQueueNotFound)
}

func TestServicePropertiesAndDropAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, err := e.svc.GetServiceProperties(ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, "1.0", p.Logging.Version)
	require.NoError(t, e.svc.SetServiceProperties(ctx, acct, ServiceProperties{Cors: []blobstore.CorsRule{{AllowedOrigins: "*", AllowedMethods: "GET"}}}))
	p, err = e.svc.GetServiceProperties(ctx, acct)
	require.NoError(t, err)
	require.Len(t, p.Cors, 1)
	assert.Equal(t, "1.0", p.Logging.Version, "absent elements keep their value")

	_, err = e.svc.CreateQueue(ctx, acct, "qqq", nil)
	require.NoError(t, err)
	_, err = e.svc.PutMessage(ctx, acct, "qqq", "x", PutOptions{TTL: time.Second})
	require.NoError(t, err)
	_, err = e.svc.StoreSealedServiceKey(ctx, acct, []byte("sealed"))
	require.NoError(t, err)
	require.NoError(t, e.svc.DropAccount(ctx, acct))
	list, err := e.svc.ListQueues(ctx, acct, ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, list.Queues)
	// Nothing is left in any index.
	require.NoError(t, e.svc.db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMessages, bucketVisible, bucketExpiry, bucketCounts, bucketProps, bucketServiceKeys} {
			k, _ := tx.Bucket(b).Cursor().First()
			assert.Nil(t, k, string(b))
		}
		return nil
	}))
}

func TestSchemaVersionChecked(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.svc.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte{0, 0, 0, 9})
	}))
	require.NoError(t, e.svc.Close())
	_, err := Open(Config{DataDir: e.dir, Keys: e.keys})
	assert.ErrorIs(t, err, ErrSchemaVersion)
}

// Concurrent consumers never receive the same pop receipt and together see
// every message exactly once within one visibility window.
func TestConcurrentGetDeliversEachMessageOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CreateQueue(ctx, acct, "qqq", nil)
	require.NoError(t, err)
	const n = 200
	for i := range n {
		_, err := e.svc.PutMessage(ctx, acct, "qqq", strings.Repeat("m", i%7+1), PutOptions{})
		require.NoError(t, err)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	receipts := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ms, err := e.svc.GetMessages(ctx, acct, "qqq", 7, time.Hour)
				if !assert.NoError(t, err) || len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					assert.False(t, seen[m.ID], "message %s delivered twice", m.ID)
					assert.False(t, receipts[m.PopReceipt])
					seen[m.ID], receipts[m.PopReceipt] = true, true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, seen, n)
}

// The first stored service key wins, so racing first requests agree on one.
func TestStoreSealedServiceKeyKeepsTheFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	got, err := e.svc.SealedServiceKey(ctx, acct)
	require.NoError(t, err)
	assert.Nil(t, got)
	first, err := e.svc.StoreSealedServiceKey(ctx, acct, []byte("one"))
	require.NoError(t, err)
	assert.Equal(t, []byte("one"), first)
	second, err := e.svc.StoreSealedServiceKey(ctx, acct, []byte("two"))
	require.NoError(t, err)
	assert.Equal(t, []byte("one"), second)
	got, err = e.svc.SealedServiceKey(ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, []byte("one"), got)
}
