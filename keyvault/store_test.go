package keyvault

import (
	"context"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/keyvault/boltstore"
)

// TestStoreContract runs the Store contract against every implementation.
func TestStoreContract(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) Store{
		"memory": func(*testing.T) Store { return newMemStore() },
		"bolt": func(t *testing.T) Store {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "kv.db"))
			require.NoError(t, err)
			return st
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			defer func() { require.NoError(t, st.Close()) }()
			require.NoError(t, st.PutVault(ctx, "b", []byte("vb")))
			require.NoError(t, st.PutVault(ctx, "a", []byte("va")))
			require.NoError(t, st.PutVault(ctx, "ab", []byte("vab")))
			require.NoError(t, st.PutKey(ctx, "a", "k2", []byte("a/k2")))
			require.NoError(t, st.PutKey(ctx, "a", "k1", []byte("a/k1")))
			require.NoError(t, st.PutKey(ctx, "ab", "k1", []byte("ab/k1")))
			require.NoError(t, st.PutKey(ctx, "b", "k1", []byte("b/k1")))
			require.NoError(t, st.PutKey(ctx, "b", "k1", []byte("b/k1'")), "replace")
			require.NoError(t, st.DeleteKey(ctx, "b", "missing"), "missing key is not an error")
			load := func() []string {
				var got []string
				seen := map[string]bool{}
				require.NoError(t, st.Load(ctx, func(v, k string, data []byte) error {
					if k == "" {
						seen[v] = true
					} else {
						assert.True(t, seen[v], "vault %s loaded before its key %s", v, k)
					}
					got = append(got, v+"|"+k+"="+string(data))
					return nil
				}))
				sort.Strings(got)
				return got
			}
			assert.ElementsMatch(t, []string{"a|=va", "a|k1=a/k1", "a|k2=a/k2", "ab|=vab", "ab|k1=ab/k1", "b|=vb", "b|k1=b/k1'"}, load())
			require.NoError(t, st.DeleteVault(ctx, "a"))
			require.NoError(t, st.DeleteKey(ctx, "b", "k1"))
			assert.ElementsMatch(t, []string{"ab|=vab", "ab|k1=ab/k1", "b|=vb"}, load(), "deleting a vault removes only its keys")

			require.NoError(t, st.PutObject(ctx, "b", kindSecret, "s1", []byte("b/s1")))
			require.NoError(t, st.PutObject(ctx, "b", kindCertificate, "s1", []byte("b/c1")))
			require.NoError(t, st.PutObject(ctx, "ab", kindSecret, "s1", []byte("ab/s1")))
			require.NoError(t, st.PutObject(ctx, "ab", kindSecret, "s1", []byte("ab/s1'")), "replace")
			require.NoError(t, st.DeleteObject(ctx, "ab", kindSecret, "missing"), "missing object is not an error")
			objects := func() []string {
				var got []string
				require.NoError(t, st.LoadObjects(ctx, func(v, kind, name string, data []byte) error {
					got = append(got, v+"|"+kind+"|"+name+"="+string(data))
					return nil
				}))
				return got
			}
			assert.ElementsMatch(t, []string{"b|secret|s1=b/s1", "b|certificate|s1=b/c1", "ab|secret|s1=ab/s1'"}, objects())
			require.NoError(t, st.DeleteObject(ctx, "b", kindCertificate, "s1"))
			require.NoError(t, st.DeleteVault(ctx, "ab"))
			assert.ElementsMatch(t, []string{"b|secret|s1=b/s1"}, objects(), "deleting a vault removes its objects")
		})
	}
}

// TestConcurrentOperations runs creates, crypto, updates, deletes and Tick
// in parallel under -race.
func TestConcurrentOperations(t *testing.T) {
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	_, err := f.s.CreateKey(ctx, dev, DevVaultName, "shared", CreateKeyParams{Kty: KtyEC})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('a' + i))
			for range 5 {
				_, err := f.s.CreateKey(ctx, dev, DevVaultName, name, CreateKeyParams{Kty: KtyEC})
				assert.NoError(t, err)
				_, err = f.s.Sign(ctx, dev, KeyRef{DevVaultName, "shared", ""}, "ES256", make([]byte, 32))
				assert.NoError(t, err)
				_, err = f.s.UpdateKey(ctx, dev, KeyRef{DevVaultName, "shared", ""}, UpdateKeyParams{Tags: map[string]string{"i": name}})
				assert.NoError(t, err)
				_, err = f.s.KeyState(ctx, dev, KeyRef{DevVaultName, name, ""})
				assert.ErrorIs(t, err, ErrKeyOperationForbidden, "EC keys cannot unwrap")
				_, _ = f.s.ListKeys(ctx, dev, DevVaultName, ListOptions{})
				assert.NoError(t, f.s.Tick(ctx))
			}
			_, err := f.s.DeleteKey(ctx, dev, DevVaultName, name)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	p, err := f.s.ListDeletedKeys(ctx, dev, DevVaultName, ListOptions{})
	require.NoError(t, err)
	assert.Len(t, p.Items, 8)
}
