package emulator

import (
	"context"
	"fmt"

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
// touches.
type queueKeys struct{ e *Emulator }

var _ queue.Keys = queueKeys{}

func (k queueKeys) SealKey(ctx context.Context, account string) (crypto.Key, error) {
	if _, err := k.e.storage.Account(ctx, account); err != nil {
		return crypto.Key{}, err
	}
	if k.e.mgmt != nil && k.e.mgmt.QueueKeyType(account) == management.QueueKeyTypeAccount {
		return k.e.storage.DerivedKey(ctx, account, "queue")
	}
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

// openQueue opens the Queue service over DataDir/queue (in memory with
// InMemory).
func (e *Emulator) openQueue(dir string) error {
	q, err := queue.Open(queue.Config{
		DataDir: dir,
		Keys:    queueKeys{e: e},
		Now:     e.clock.Now,
		Fsync:   e.cfg.Fsync,
		Logger:  e.log,
	})
	if err != nil {
		return err
	}
	e.queue = q
	return nil
}

// QueueURL is the Queue endpoint without an account, e.g.
// http://127.0.0.1:10001 ("" when disabled).
func (e *Emulator) QueueURL() string { return e.queueURL }

// Queue returns the Queue service (for in-process wiring and tests).
func (e *Emulator) Queue() *queue.Service { return e.queue }
