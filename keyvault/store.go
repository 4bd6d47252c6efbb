package keyvault

import (
	"context"
	"sort"
	"sync"
)

// Store persists vault and key records. Records are opaque to the store: the
// service serialises them and seals every private key inside a key record with
// the root key before handing it over, so a store never sees plaintext key
// material.
//
// Implementations: keyvault/boltstore (on disk) and the in-memory store used
// when Config.DataDir is "".
type Store interface {
	// Load calls fn for every stored record: vault records with key == "",
	// then key records. It MUST call fn for a vault before that vault's keys.
	Load(ctx context.Context, fn func(vault, key string, data []byte) error) error
	// PutVault MUST replace the vault record atomically.
	PutVault(ctx context.Context, vault string, data []byte) error
	// DeleteVault MUST remove the vault record and every key record of it,
	// and, for a store that is also an ObjectStore, every object record.
	DeleteVault(ctx context.Context, vault string) error
	// PutKey MUST replace the key record atomically.
	PutKey(ctx context.Context, vault, key string, data []byte) error
	// DeleteKey removes a key record; a missing record is not an error.
	DeleteKey(ctx context.Context, vault, key string) error
	// ObjectStore persists secrets, certificates and vault settings.
	ObjectStore
	Close() error
}

// memStore keeps records in memory (DataDir "").
type memStore struct {
	mu      sync.Mutex
	vaults  map[string][]byte
	keys    map[string]map[string][]byte
	objects map[objectKey][]byte
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{vaults: map[string][]byte{}, keys: map[string]map[string][]byte{}}
}

func (m *memStore) Load(_ context.Context, fn func(vault, key string, data []byte) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.vaults))
	for n := range m.vaults {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := fn(n, "", m.vaults[n]); err != nil {
			return err
		}
		for k, d := range m.keys[n] {
			if err := fn(n, k, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memStore) PutVault(_ context.Context, vault string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vaults[vault] = append([]byte(nil), data...)
	return nil
}

func (m *memStore) DeleteVault(_ context.Context, vault string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vaults, vault)
	delete(m.keys, vault)
	m.deleteVaultObjects(vault)
	return nil
}

func (m *memStore) PutKey(_ context.Context, vault, key string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys[vault] == nil {
		m.keys[vault] = map[string][]byte{}
	}
	m.keys[vault][key] = append([]byte(nil), data...)
	return nil
}

func (m *memStore) DeleteKey(_ context.Context, vault, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys[vault], key)
	return nil
}

func (m *memStore) Close() error { return nil }
