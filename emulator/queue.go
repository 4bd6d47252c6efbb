package emulator

import (
	"context"
	"fmt"
	"sync"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/queueapi"
	"github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/emulator/management"
)

// queueKeys gives the queue service the key of each account's queue data:
// with queue keyType Account, a key derived from the account encryption key
// (gated by the account's customer-managed key like Blob data); with
// Service, Azure's default, a random per-account key sealed by the root key
// and kept in queue.db beside the account's queues, which no vault state
// touches. Unsealed service keys are cached in memory, as account keys are.
type queueKeys struct {
	e *Emulator

	mu     sync.Mutex
	cached map[string]crypto.Key
	gen    uint64 // changes on every forget, so a key loaded before it is not cached after
}

var _ queue.Keys = (*queueKeys)(nil)

// forget drops the cached key of a deleted account.
func (k *queueKeys) forget(account string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.cached, account)
	k.gen++
}

func (k *queueKeys) SealKey(ctx context.Context, account string) (crypto.Key, error) {
	if _, err := k.e.storage.Account(ctx, account); err != nil {
		return crypto.Key{}, err
	}
	if k.e.mgmt != nil && k.e.mgmt.QueueKeyType(account) == management.QueueKeyTypeAccount {
		return k.e.storage.DerivedKey(ctx, account, "queue")
	}
	k.mu.Lock()
	key, ok := k.cached[account]
	gen := k.gen
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	key, err := k.serviceKey(ctx, account)
	if err != nil {
		return crypto.Key{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen == gen {
		if k.cached == nil {
			k.cached = map[string]crypto.Key{}
		}
		k.cached[account] = key
	}
	return key, nil
}

// serviceKey loads (or makes and stores) the account's sealed service key
// and unseals it.
func (k *queueKeys) serviceKey(ctx context.Context, account string) (crypto.Key, error) {
	aad := []byte("azemu queue service key v1\x00" + account)
	sealed, err := k.e.queue.SealedServiceKey(ctx, account)
	if err != nil {
		return crypto.Key{}, err
	}
	if sealed == nil {
		fresh, err := crypto.NewKey()
		if err != nil {
			return crypto.Key{}, err
		}
		s, err := crypto.Seal(k.e.rootKey, fresh[:], aad)
		if err != nil {
			return crypto.Key{}, err
		}
		if sealed, err = k.e.queue.StoreSealedServiceKey(ctx, account, s); err != nil {
			return crypto.Key{}, err
		}
	}
	raw, err := crypto.Open(k.e.rootKey, sealed, aad)
	if err != nil {
		return crypto.Key{}, fmt.Errorf("queue service key of %s: %w", account, err)
	}
	defer clear(raw)
	return crypto.KeyFromBytes(raw)
}

// queueAccounts gives the Queue REST handler the accounts' Shared Keys.
type queueAccounts struct{ storage *blobstore.Service }

var _ queueapi.Accounts = queueAccounts{}

func (a queueAccounts) AccountKeys(ctx context.Context, account string) ([][]byte, error) {
	acct, err := a.storage.Account(ctx, account)
	if err != nil {
		return nil, err
	}
	return acct.Keys, nil
}

// openQueue opens the Queue service over DataDir/queue (in memory, the
// instance's temporary folder, as storage does).
func (e *Emulator) openQueue(context.Context) error {
	e.queueKeys = &queueKeys{e: e}
	q, err := queue.Open(queue.Config{
		DataDir: e.dir.sub("queue"),
		Keys:    e.queueKeys,
		Now:     e.clock.Now,
		Fsync:   e.cfg.Fsync,
		Logger:  e.log,
	})
	if err != nil {
		return err
	}
	e.queue = q
	e.storage.Attach(queuePart{q: q, keys: e.queueKeys})
	return nil
}

// queuePart attaches the Queue service to the storage account core, so
// deleting an account drops its queues (and its cached queue key) and the
// core's clock-driven Sweep expires messages.
type queuePart struct {
	q    *queue.Service
	keys *queueKeys
}

var _ blobstore.Part = queuePart{}

func (p queuePart) DropAccount(ctx context.Context, account string) error {
	defer p.keys.forget(account)
	return p.q.DropAccount(ctx, account)
}

func (p queuePart) Sweep(ctx context.Context) error { return p.q.Sweep(ctx) }

// QueueURL is the Queue endpoint without an account, e.g.
// http://127.0.0.1:10001 ("" when disabled).
func (e *Emulator) QueueURL() string { return e.queueURL }

// Queue returns the Queue service (for in-process wiring and tests).
func (e *Emulator) Queue() *queue.Service { return e.queue }
