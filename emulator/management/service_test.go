package management

import (
	"context"
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

type services struct {
	storage *blobstore.Service
	vault   *keyvault.Service
	ident   *identity.Service
}

func newServices(t testing.TB) services {
	t.Helper()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	st, err := blobstore.Open(blobstore.Config{RootKey: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	kv, err := keyvault.Open(keyvault.Config{RootKey: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = kv.Close() })
	id, err := identity.New(identity.Config{Issuer: "https://localhost:8443", RootKey: root})
	require.NoError(t, err)
	require.NoError(t, st.CreateAccount(context.Background(), blobstore.AccountSpec{Name: "devstoreaccount1", Keys: [][]byte{[]byte("k")}}))
	return services{st, kv, id}
}

func open(t testing.TB, s services, dir string) *Service {
	t.Helper()
	m, err := Open(context.Background(), Config{DataDir: dir, Storage: s.storage, Vault: s.vault, Identity: s.ident,
		Now: time.Now, BlobURL: "http://127.0.0.1:10000", VaultURL: "https://localhost:8443"})
	require.NoError(t, err)
	return m
}

// requireCode checks that err is the management plane's *Error with status
// and code.
func requireCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "%v is not an *Error", err)
	assert.Equal(t, status, e.Status)
	assert.Equal(t, code, e.Code)
}

func TestStatePersistsAcrossOpen(t *testing.T) {
	ctx := context.Background()
	s := newServices(t)
	dir := t.TempDir()
	m := open(t, s, dir)
	_, created, err := m.PutGroup(ctx, "rg1", GroupSpec{Location: "West US", Tags: map[string]string{"a": "b"}}, false)
	require.NoError(t, err)
	assert.True(t, created)
	u, created, err := m.PutUserIdentity(ctx, "rg1", "id1", UserIdentitySpec{Location: "local"}, false)
	require.NoError(t, err)
	assert.True(t, created)
	sku := &struct {
		Name string `json:"name"`
	}{Name: "Standard_LRS"}
	a, err := m.PutAccount(ctx, "rg1", "acct1", AccountSpec{Location: "local", Kind: "StorageV2", SKU: sku, Tags: map[string]string{"x": "y"}})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:10000/acct1/", a.BlobEndpoint)

	m2 := open(t, s, dir)
	g, err := m2.Group(ctx, "RG1")
	require.NoError(t, err)
	assert.Equal(t, "westus", g.Location, "locations are stored canonical")
	assert.Equal(t, map[string]string{"a": "b"}, g.Tags)
	u2, err := m2.UserIdentity(ctx, "rg1", "id1")
	require.NoError(t, err)
	assert.Equal(t, u, u2)
	a2, err := m2.Account(ctx, "rg1", "acct1")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"x": "y"}, a2.Tags)
	// devstoreaccount1 is adopted into the default group.
	_, err = m2.Account(ctx, DefaultGroup, "devstoreaccount1")
	require.NoError(t, err)
}

func TestGroupRules(t *testing.T) {
	ctx := context.Background()
	m := open(t, newServices(t), "")
	_, _, err := m.PutGroup(ctx, "nope", GroupSpec{Location: "local"}, true)
	requireCode(t, err, 404, CodeResourceGroupNotFound)
	_, _, err = m.PutGroup(ctx, "rg", GroupSpec{}, false)
	requireCode(t, err, 400, CodeLocationRequired)
	_, _, err = m.PutGroup(ctx, "bad/name", GroupSpec{Location: "local"}, false)
	requireCode(t, err, 400, CodeInvalidResourceGroup)
	_, created, err := m.PutGroup(ctx, "rg", GroupSpec{Location: "local", Tags: map[string]string{"k": "v"}}, false)
	require.NoError(t, err)
	assert.True(t, created)
	_, _, err = m.PutGroup(ctx, "rg", GroupSpec{Location: "eastus"}, false)
	requireCode(t, err, 409, "InvalidResourceGroupLocation")
	g, created, err := m.PutGroup(ctx, "rg", GroupSpec{}, true)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, map[string]string{"k": "v"}, g.Tags, "a PATCH without tags keeps them")
	requireCode(t, m.DeleteGroup(ctx, DefaultGroup), 409, "ResourceGroupDeletionBlocked")
	require.NoError(t, m.DeleteGroup(ctx, "rg"))
	_, err = m.Group(ctx, "rg")
	requireCode(t, err, 404, CodeResourceGroupNotFound)
}

func TestTickWithoutCMKAccountsIsQuiet(t *testing.T) {
	s := newServices(t)
	now := time.Now()
	clock := func() time.Time { return now }
	m, err := Open(context.Background(), Config{Storage: s.storage, Vault: s.vault, Identity: s.ident, Now: clock})
	require.NoError(t, err)
	// No CMK account: the tick is a no-op (the daily move to the latest
	// version is covered end to end by conformance TestRevocationRotation*).
	require.NoError(t, m.Tick(context.Background()))
	now = now.Add(KeyCheckInterval)
	require.NoError(t, m.Tick(context.Background()))
}

// TestServiceHasNoHTTP: the rules and state of the management plane do not
// speak HTTP; the ARM protocol lives in armapi. Keeping them apart keeps
// the handlers thin and the rules testable without requests.
func TestServiceHasNoHTTP(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.False(t, strings.HasPrefix(path, "net/http"), "%s imports %s", f, path)
		}
	}
}
