package keyvault

import (
	"context"
	"sort"
)

// Object kinds: the records of a vault besides its keys. Each kind has its
// own name space, as Key Vault's collections do (a secret and a certificate
// may share a name; a certificate's secret is the secret of that name).
const (
	kindSecret      = "secret"
	kindCertificate = "certificate"
	// kindSettings holds one record per vault ("contacts", "issuer-<name>").
	kindSettings = "settings"
)

// ObjectStore persists secret, certificate and settings records. Records are
// opaque: every secret value and private key inside is sealed with the root
// key by the service before it reaches the store.
//
// Every Store also implements ObjectStore; Open refuses one that does not.
type ObjectStore interface {
	// LoadObjects calls fn for every object record of every vault. The
	// service calls it after Load, so vaults are known.
	LoadObjects(ctx context.Context, fn func(vault, kind, name string, data []byte) error) error
	// PutObject MUST replace the record atomically.
	PutObject(ctx context.Context, vault, kind, name string, data []byte) error
	// DeleteObject removes a record; a missing record is not an error.
	DeleteObject(ctx context.Context, vault, kind, name string) error
}

var _ ObjectStore = (*memStore)(nil)

type objectKey struct{ vault, kind, name string }

func (m *memStore) LoadObjects(_ context.Context, fn func(vault, kind, name string, data []byte) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]objectKey, 0, len(m.objects))
	for k := range m.objects {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.vault != b.vault {
			return a.vault < b.vault
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.name < b.name
	})
	for _, k := range keys {
		if err := fn(k.vault, k.kind, k.name, m.objects[k]); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) PutObject(_ context.Context, vault, kind, name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[objectKey][]byte{}
	}
	m.objects[objectKey{vault, kind, name}] = append([]byte(nil), data...)
	return nil
}

func (m *memStore) DeleteObject(_ context.Context, vault, kind, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, objectKey{vault, kind, name})
	return nil
}

// deleteVaultObjects drops the objects of a vault (DeleteVault). Caller holds m.mu.
func (m *memStore) deleteVaultObjects(vault string) {
	for k := range m.objects {
		if k.vault == vault {
			delete(m.objects, k)
		}
	}
}
