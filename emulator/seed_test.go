package emulator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/keyvault"
)

const testSeedYAML = `accounts:
  - name: seeded1
    containers:
      - name: data
        metadata: {env: test}
        blobs:
          - name: hello.txt
            text: hello seeded world
            contentType: text/plain
          - name: raw.bin
            base64: AAECAw==
    shares:
      - name: files
        directories:
          - path: a/b
        files:
          - name: a/b/readme.md
            text: "# readme"
vaults:
  - name: seedvault
    purgeProtection: true
    keys:
      - name: cmk
        type: RSA
        size: 2048
        ops: [wrapKey, unwrapKey]
principals:
  - clientId: 11111111-2222-4333-8444-555555555555
    secret: s3cret
`

func TestParseSeedYAMLAndJSON(t *testing.T) {
	s, err := ParseSeed([]byte(testSeedYAML))
	require.NoError(t, err)
	require.Len(t, s.Accounts, 1)
	assert.Equal(t, Pos{2, 5}, s.Accounts[0].Pos)
	assert.Equal(t, []byte("hello seeded world"), s.Accounts[0].Containers[0].Blobs[0].data)
	assert.Equal(t, []byte{0, 1, 2, 3}, s.Accounts[0].Containers[0].Blobs[1].data)
	assert.Equal(t, 2048, s.Vaults[0].Keys[0].Size)

	j, err := ParseSeed([]byte(`{"vaults": [{"name": "v01", "keys": [{"name": "k", "type": "EC", "curve": "P-256"}]}]}`))
	require.NoError(t, err)
	assert.Equal(t, "P-256", j.Vaults[0].Keys[0].Curve)

	empty, err := ParseSeed(nil)
	require.NoError(t, err)
	assert.Empty(t, empty.Accounts)
}

func TestParseSeedErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, doc string
		line, col int
		msg       string
	}{
		{"unknown field", "accounts:\n  - name: abc\n    contaners: []\n", 3, 5, `unknown field "contaners"`},
		{"bad account", "accounts:\n  - name: abc\n  - name: Bad_Name\n", 3, 5, "account name"},
		{"text and base64", "accounts:\n  - name: abc\n    containers:\n      - name: c\n        blobs:\n          - name: b\n            text: x\n            base64: eA==\n", 6, 13, "not both"},
		{"bad base64", "accounts:\n  - name: abc\n    containers:\n      - name: c\n        blobs:\n          - {name: b, base64: '!!'}\n", 6, 13, "base64"},
		{"syntax", "accounts: []\nvaults: []\nprincipals: x: y\n", 3, 1, "mapping values are not allowed"},
		{"wrong type", "vaults:\n  - name: vvv\n    keys:\n      - {name: k, type: RSA, size: big}\n", 4, 36, "big"},
		{"json unknown", "{\n  \"vaults\": [\n    {\"nom\": \"x\"}\n  ]\n}", 3, 6, `unknown field "nom"`},
		{"duplicate vault", "vaults:\n  - name: vvv\n  - name: VVV\n", 3, 5, "twice"},
		{"key without type", "vaults:\n  - name: vvv\n    keys:\n      - name: k\n", 4, 9, "needs a type"},
		{"two documents", "accounts: []\n---\nvaults: []\n", 2, 1, "one document"},
		{"not a list", "accounts: abc\n", 1, 11, "list of account"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSeed([]byte(c.doc))
			var se *SeedError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, c.line, se.Pos.Line, se.Error())
			if c.col > 0 && c.name != "syntax" {
				assert.Equal(t, c.col, se.Pos.Column, se.Error())
			}
			assert.Contains(t, se.Error(), c.msg)
		})
	}
}

func FuzzParseSeed(f *testing.F) {
	f.Add([]byte(testSeedYAML))
	f.Add([]byte(`{"accounts":[{"name":"abc","keys":["AAAAAAAAAAAAAAAAAAAAAA=="]}]}`))
	f.Add([]byte("vaults:\n  - &a {name: x}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := ParseSeed(doc)
		if err != nil {
			var se *SeedError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a SeedError: %v", err)
			}
			return
		}
		require.NotNil(t, s)
	})
}

func startSeeded(t testing.TB) *Emulator {
	s, err := ParseSeed([]byte(testSeedYAML))
	require.NoError(t, err)
	e, err := Start(context.Background(), Config{Seed: s})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func readBlob(t *testing.T, e *Emulator, account, container, name string) []byte {
	t.Helper()
	blobs, _ := e.storageParts()
	rd, err := blobs.GetBlob(context.Background(), blobstore.BlobRef{Account: account, Container: container, Blob: name}, blobstore.Conditions{})
	require.NoError(t, err)
	defer rd.Close()
	b, err := io.ReadAll(io.NewSectionReader(rd, 0, rd.Size()))
	require.NoError(t, err)
	return b
}

func TestSeedAppliedIdempotentAndReset(t *testing.T) {
	ctx := context.Background()
	e := startSeeded(t)
	assert.Equal(t, []byte("hello seeded world"), readBlob(t, e, "seeded1", "data", "hello.txt"))
	k1, err := e.vault.GetKey(ctx, seedCaller, keyvault.KeyRef{Vault: "seedvault", Name: "cmk"})
	require.NoError(t, err)

	// Applying again changes nothing and fails nothing.
	require.NoError(t, e.applySeed(ctx))
	k2, err := e.vault.GetKey(ctx, seedCaller, keyvault.KeyRef{Vault: "seedvault", Name: "cmk"})
	require.NoError(t, err)
	assert.Equal(t, k1.Key.KID, k2.Key.KID)

	// Mutate: overwrite a seeded blob, add an account, a vault, a key, move the clock.
	blobs, _ := e.storageParts()
	_, err = blobs.PutBlob(ctx, blobstore.BlobRef{Account: "seeded1", Container: "data", Blob: "hello.txt"},
		blobstore.PutBlobOptions{Body: bytes.NewReader([]byte("changed")), Size: 7})
	require.NoError(t, err)
	require.NoError(t, e.storage.CreateAccount(ctx, blobstore.AccountSpec{Name: "extra1", Keys: [][]byte{make([]byte, 32)}}))
	_, err = e.vault.EnsureVault(ctx, keyvault.VaultSpec{Name: "othervault", TenantID: DevTenantID})
	require.NoError(t, err)
	_, err = e.vault.CreateKey(ctx, seedCaller, "seedvault", "extra", keyvault.CreateKeyParams{Kty: "EC", Curve: "P-256"})
	require.NoError(t, err)
	_, err = e.vault.SetSecret(ctx, seedCaller, "seedvault", "extra-secret", keyvault.SetSecretParams{Value: "x"})
	require.NoError(t, err)
	e.AdvanceClock(ctx, 48*3600e9)

	require.NoError(t, e.Reset(ctx))

	assert.Equal(t, []byte("hello seeded world"), readBlob(t, e, "seeded1", "data", "hello.txt"))
	_, err = e.storage.Account(ctx, "extra1")
	assert.ErrorIs(t, err, blobstore.ErrAccountNotFound)
	_, err = e.storage.Account(ctx, DevAccountName)
	assert.NoError(t, err)
	_, err = e.vault.GetVault(ctx, "othervault")
	assert.Error(t, err)
	_, err = e.vault.GetKey(ctx, seedCaller, keyvault.KeyRef{Vault: "seedvault", Name: "extra"})
	assert.ErrorIs(t, err, keyvault.ErrKeyNotFound)
	_, err = e.vault.GetSecret(ctx, seedCaller, "seedvault", "extra-secret", "")
	assert.ErrorIs(t, err, keyvault.ErrSecretNotFound)
	_, err = e.vault.GetKey(ctx, seedCaller, keyvault.KeyRef{Vault: "seedvault", Name: "cmk"})
	assert.NoError(t, err)
	_, err = e.vault.GetVault(ctx, DevVaultName)
	assert.NoError(t, err)
	assert.WithinDuration(t, e.clock.real(), e.clock.Now(), 5e9)
}

func BenchmarkReset(b *testing.B) {
	e := startSeeded(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if err := e.Reset(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// The example in the README's "Seed and reset" section parses, applies and
// survives a reset.
func TestReadmeSeedExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, sec, ok := strings.Cut(string(readme), "## Seed and reset")
	require.True(t, ok)
	_, doc, ok := strings.Cut(sec, "```yaml\n")
	require.True(t, ok)
	doc, _, _ = strings.Cut(doc, "```")
	s, err := ParseSeed([]byte(doc))
	require.NoError(t, err)
	e, err := Start(context.Background(), Config{Seed: s})
	require.NoError(t, err)
	defer e.Close()
	require.NoError(t, e.Reset(context.Background()))
	_, err = e.vault.GetKey(context.Background(), seedCaller, keyvault.KeyRef{Vault: "appvault", Name: "signing"})
	require.NoError(t, err)
}

// A restart on the same data folder applies the seed again and changes
// nothing: not the seeded blob, not the seeded key, and a key a client
// soft-deleted stays deleted (its name is taken until purged).
func TestSeedIdempotentOnRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := ParseSeed([]byte(testSeedYAML))
	require.NoError(t, err)
	e, err := Start(ctx, Config{DataDir: dir, Seed: s, BlobPort: -1, FilePort: -1})
	require.NoError(t, err)
	blobs, _ := e.storageParts()
	ref := blobstore.BlobRef{Account: "seeded1", Container: "data", Blob: "hello.txt"}
	p1, err := blobs.GetBlobProperties(ctx, ref, blobstore.Conditions{})
	require.NoError(t, err)
	_, err = e.vault.DeleteKey(ctx, seedCaller, "seedvault", "cmk")
	require.NoError(t, err)
	require.NoError(t, e.Close())

	e, err = Start(ctx, Config{DataDir: dir, Seed: s, BlobPort: -1, FilePort: -1})
	require.NoError(t, err)
	defer e.Close()
	blobs, _ = e.storageParts()
	p2, err := blobs.GetBlobProperties(ctx, ref, blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, p1.ETag, p2.ETag)
	_, err = e.vault.GetDeletedKey(ctx, seedCaller, "seedvault", "cmk")
	assert.NoError(t, err)
	// A reset brings the key back.
	require.NoError(t, e.Reset(ctx))
	_, err = e.vault.GetKey(ctx, seedCaller, keyvault.KeyRef{Vault: "seedvault", Name: "cmk"})
	assert.NoError(t, err)
}

// An RBAC vault: the seed's role assignments are what authorise, the seeded
// principal can use the key, and applying again adds no duplicate.
func TestSeedRBACVaultAndPrincipal(t *testing.T) {
	ctx := context.Background()
	const app = "11111111-2222-4333-8444-555555555555"
	s, err := ParseSeed([]byte(`
principals:
  - {clientId: ` + app + `, secret: s3cret}
vaults:
  - name: rbacvault
    rbac: true
    roleAssignments:
      - {principalId: ` + DevObjectID + `, role: Key Vault Crypto Officer}
      - {principalId: ` + derivedObjectID(app) + `, role: Key Vault Crypto User, scope: keys/k1}
    keys:
      - {name: k1, type: EC, curve: P-256}
`))
	require.NoError(t, err)
	e, err := Start(ctx, Config{Seed: s})
	require.NoError(t, err)
	defer e.Close()
	_, err = e.identity.LookupPrincipal(ctx, derivedObjectID(app))
	require.NoError(t, err)
	appCaller := keyvault.Caller{ObjectID: derivedObjectID(app), TenantID: DevTenantID, AppID: app}
	_, err = e.vault.GetKey(ctx, appCaller, keyvault.KeyRef{Vault: "rbacvault", Name: "k1"})
	require.NoError(t, err)
	require.NoError(t, e.applySeed(ctx))
	ras, err := e.vault.ListRoleAssignments(ctx, "rbacvault")
	require.NoError(t, err)
	assert.Len(t, ras, 2)

	require.NoError(t, e.Reset(ctx))
	_, err = e.identity.LookupPrincipal(ctx, derivedObjectID(app))
	require.NoError(t, err, "a seeded principal survives a reset")
	_, err = e.vault.GetKey(ctx, appCaller, keyvault.KeyRef{Vault: "rbacvault", Name: "k1"})
	require.NoError(t, err)
}

// What only a service can refuse (a key type Key Vault does not know) stops
// the start with the entry's line, and leaves nothing behind.
func TestSeedServiceErrorNamesTheLine(t *testing.T) {
	s, err := ParseSeed([]byte("vaults:\n  - name: vvv\n    keys:\n      - {name: k, type: RSA-FOO}\n"))
	require.NoError(t, err)
	_, err = Start(context.Background(), Config{Seed: s, SeedFile: "seed.yaml"})
	var se *SeedError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, Pos{4, 9}, se.Pos)
	assert.Contains(t, err.Error(), "seed.yaml:4:9: vault vvv: key k:")
}
