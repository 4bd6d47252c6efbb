package conformance

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/msi/armmsi"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	fileservice "github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/storageauth"
	"github.com/azemu/azemu/emulator"
)

// Role GUIDs of the Key Vault built-in roles used here.
const (
	roleCryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
)

// cmkFixture is one storage account protected by a customer-managed key, set
// up the way the Azure documentation says: a user-assigned identity, a vault
// with soft delete and purge protection, an RSA key, get/wrapKey/unwrapKey
// for the identity, and the account created with the key.
type cmkFixture struct {
	env       *armEnv
	group     string
	account   string
	vault     armkeyvault.Vault
	keys      *azkeys.Client
	keyName   string
	first     *azkeys.ID // the key version the account was created with
	ident     armmsi.Identity
	roleName  string // the identity's role assignment on an RBAC vault
	blob      *azblob.Client
	plaintext []byte
}

type cmkOptions struct {
	rbac   bool
	pinned bool
}

// setupCMK builds a fixture; prefix keeps names unique per test.
func setupCMK(t *testing.T, env *armEnv, prefix string, o cmkOptions) *cmkFixture {
	t.Helper()
	ctx := ctxT(t)
	f := &cmkFixture{env: env, group: prefix + "-rg", account: prefix + "acct", keyName: "cmk"}
	env.createGroup(t, f.group)
	// 1. A user-assigned identity for the account.
	f.ident = env.createIdentity(t, f.group, prefix+"-id")
	principal := *f.ident.Properties.PrincipalID
	// 2. A vault with soft delete and purge protection.
	f.vault = env.createVault(t, f.group, prefix+"-kv", vaultOptions{softDelete: true, purgeProtection: true, rbac: o.rbac})
	// 3. An RSA key.
	f.keys = env.keysClient(t, *f.vault.Properties.VaultURI)
	k, err := f.keys.CreateKey(ctx, f.keyName, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr(int32(2048))}, nil)
	require.NoError(t, err)
	f.first = k.Key.KID
	// 4. get, wrapKey, unwrapKey for the identity (or the RBAC role).
	if o.rbac {
		f.roleName = env.assignRole(t, *f.vault.ID, roleCryptoServiceEncryptionUser, principal)
	} else {
		f.grant(t)
	}
	// 5. The account, created with the key.
	version := ""
	if o.pinned {
		version = f.first.Version()
	}
	acct, err := env.createAccount(t, f.group, f.account, armstorage.AccountCreateParameters{
		Identity: &armstorage.Identity{
			Type:                   to.Ptr(armstorage.IdentityTypeUserAssigned),
			UserAssignedIdentities: map[string]*armstorage.UserAssignedIdentity{*f.ident.ID: {}},
		},
		Properties: &armstorage.AccountPropertiesCreateParameters{Encryption: &armstorage.Encryption{
			KeySource: to.Ptr(armstorage.KeySourceMicrosoftKeyvault),
			KeyVaultProperties: &armstorage.KeyVaultProperties{
				KeyName: to.Ptr(f.keyName), KeyVersion: to.Ptr(version), KeyVaultURI: f.vault.Properties.VaultURI},
			EncryptionIdentity: &armstorage.EncryptionIdentity{EncryptionUserAssignedIdentity: f.ident.ID},
			Services: &armstorage.EncryptionServices{
				Blob: &armstorage.EncryptionService{Enabled: to.Ptr(true), KeyType: to.Ptr(armstorage.KeyTypeAccount)},
				File: &armstorage.EncryptionService{Enabled: to.Ptr(true), KeyType: to.Ptr(armstorage.KeyTypeAccount)},
			},
		}},
	})
	require.NoError(t, err)
	// 6. Check the account's encryption through GET.
	require.Equal(t, armstorage.KeySourceMicrosoftKeyvault, *acct.Properties.Encryption.KeySource)
	got, err := env.accounts.GetProperties(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	kvp := got.Properties.Encryption.KeyVaultProperties
	require.NotNil(t, kvp)
	require.Equal(t, string(*f.first), *kvp.CurrentVersionedKeyIdentifier)
	require.Equal(t, f.keyName, *kvp.KeyName)
	require.NotNil(t, kvp.LastKeyRotationTimestamp)
	require.Equal(t, *f.ident.ID, *got.Properties.Encryption.EncryptionIdentity.EncryptionUserAssignedIdentity)
	require.Equal(t, *f.ident.Properties.PrincipalID, *got.Identity.UserAssignedIdentities[*f.ident.ID].PrincipalID)
	// 7. Data: a blob with metadata, a staged block, an append blob, victims.
	f.blob = env.blobClient(t, f.group, f.account)
	f.plaintext = bytes.Repeat([]byte("customer-managed secret "), 5000)
	_, err = f.blob.CreateContainer(ctx, "data", nil)
	require.NoError(t, err)
	_, err = f.blob.UploadBuffer(ctx, "data", "secret.txt", f.plaintext, &azblob.UploadBufferOptions{Metadata: map[string]*string{"owner": to.Ptr("alice")}})
	require.NoError(t, err)
	cc := f.blob.ServiceClient().NewContainerClient("data")
	_, err = cc.NewBlockBlobClient("staged").StageBlock(ctx, cmkBlockID(1), streaming.NopCloser(bytes.NewReader([]byte("block one"))), nil)
	require.NoError(t, err)
	_, err = cc.NewAppendBlobClient("log").Create(ctx, nil)
	require.NoError(t, err)
	for i := range 3 {
		_, err = f.blob.UploadBuffer(ctx, "data", fmt.Sprintf("victim-%d", i), []byte("bye"), nil)
		require.NoError(t, err)
	}
	return f
}

func cmkBlockID(n int) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("block-%06d", n)))
}

// grant gives the identity get, wrapKey and unwrapKey on the key vault.
func (f *cmkFixture) grant(t *testing.T) {
	t.Helper()
	_, err := f.env.vaults.UpdateAccessPolicy(ctxT(t), f.group, *f.vault.Name, armkeyvault.AccessPolicyUpdateKindAdd,
		armkeyvault.VaultAccessPolicyParameters{Properties: &armkeyvault.VaultAccessPolicyProperties{
			AccessPolicies: []*armkeyvault.AccessPolicyEntry{accessPolicy(*f.ident.Properties.PrincipalID,
				armkeyvault.KeyPermissionsGet, armkeyvault.KeyPermissionsWrapKey, armkeyvault.KeyPermissionsUnwrapKey)}}}, nil)
	require.NoError(t, err)
}

func (f *cmkFixture) setEnabled(t *testing.T, version string, enabled bool) {
	t.Helper()
	_, err := f.keys.UpdateKey(ctxT(t), f.keyName, version, azkeys.UpdateKeyParameters{
		KeyAttributes: &azkeys.KeyAttributes{Enabled: to.Ptr(enabled)}}, nil)
	require.NoError(t, err)
}

func (f *cmkFixture) download(ctx context.Context, name string) ([]byte, error) {
	resp, err := f.blob.DownloadStream(ctx, "data", name, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// requireReadable asserts the data reads back byte for byte.
func (f *cmkFixture) requireReadable(t *testing.T) {
	t.Helper()
	got, err := f.download(ctxT(t), "secret.txt")
	require.NoError(t, err)
	require.True(t, bytes.Equal(f.plaintext, got), "the bytes read back differ")
}

// requireCode asserts a 403 with the given x-ms-error-code.
func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "not a ResponseError: %v", err)
	assert.Equal(t, 403, re.StatusCode)
	assert.Equal(t, code, re.ErrorCode)
	assert.True(t, bloberror.HasCode(err, bloberror.Code(code)))
}

type blobOp struct {
	name string
	run  func(ctx context.Context, f *cmkFixture, n int) error
}

// gatedOps are Blob operations that fail while the key is unavailable: the
// Blob list of "Revoke access to a storage account that uses
// customer-managed keys" in
// https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview
// (docs/cmk-revocation.md).
func gatedOps() []blobOp {
	cc := func(f *cmkFixture) *container.Client { return f.blob.ServiceClient().NewContainerClient("data") }
	return []blobOp{
		{"Get Blob", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := f.download(ctx, "secret.txt")
			return err
		}},
		{"Get Blob Properties", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := cc(f).NewBlobClient("secret.txt").GetProperties(ctx, nil)
			return err
		}},
		{"Set Blob Metadata", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := cc(f).NewBlobClient("secret.txt").SetMetadata(ctx, map[string]*string{"x": to.Ptr("y")}, nil)
			return err
		}},
		{"Put Blob", func(ctx context.Context, f *cmkFixture, n int) error {
			_, err := f.blob.UploadBuffer(ctx, "data", fmt.Sprintf("new-%d", n), []byte("new data"), nil)
			return err
		}},
		{"Put Block", func(ctx context.Context, f *cmkFixture, n int) error {
			_, err := cc(f).NewBlockBlobClient("staged").StageBlock(ctx, cmkBlockID(100+n), streaming.NopCloser(bytes.NewReader([]byte("x"))), nil)
			return err
		}},
		{"Append Block", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := cc(f).NewAppendBlobClient("log").AppendBlock(ctx, streaming.NopCloser(bytes.NewReader([]byte("line\n"))), nil)
			return err
		}},
		{"List Blobs include=metadata", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := f.blob.NewListBlobsFlatPager("data", &azblob.ListBlobsFlatOptions{Include: container.ListBlobsInclude{Metadata: true}}).NextPage(ctx)
			return err
		}},
		{"Snapshot Blob with metadata", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := cc(f).NewBlobClient("secret.txt").CreateSnapshot(ctx, &blob.CreateSnapshotOptions{Metadata: map[string]*string{"s": to.Ptr("1")}})
			return err
		}},
	}
}

// ungatedOps keep working while the key is unavailable.
func ungatedOps() []blobOp {
	cc := func(f *cmkFixture) *container.Client { return f.blob.ServiceClient().NewContainerClient("data") }
	return []blobOp{
		{"List Containers", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := f.blob.NewListContainersPager(nil).NextPage(ctx)
			return err
		}},
		{"List Blobs", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := f.blob.NewListBlobsFlatPager("data", nil).NextPage(ctx)
			return err
		}},
		{"Get Container Properties", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := cc(f).GetProperties(ctx, nil)
			return err
		}},
		{"Delete Blob", func(ctx context.Context, f *cmkFixture, n int) error {
			_, err := f.blob.DeleteBlob(ctx, "data", "victim-0", nil)
			return err
		}},
		{"Put Block List", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := cc(f).NewBlockBlobClient("staged").CommitBlockList(ctx, []string{cmkBlockID(1)}, nil)
			return err
		}},
		{"Set Blob Properties", func(ctx context.Context, f *cmkFixture, _ int) error {
			_, err := cc(f).NewBlobClient("secret.txt").SetHTTPHeaders(ctx, blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain")}, nil)
			return err
		}},
	}
}

// TestRevocationCauses revokes the key in every way Azure documents and
// checks which Blob operations fail (403 + code) and which keep working,
// then restores access and reads the same bytes.
func TestRevocationCauses(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)

	cases := []struct {
		name    string
		opts    cmkOptions
		revoke  func(t *testing.T, f *cmkFixture)
		restore func(t *testing.T, f *cmkFixture) // nil: no way back
		code    string                            // "" = nothing fails
	}{
		{
			name:    "key disabled",
			revoke:  func(t *testing.T, f *cmkFixture) { f.setEnabled(t, "", false) },
			restore: func(t *testing.T, f *cmkFixture) { f.setEnabled(t, "", true) },
			code:    "KeyVaultEncryptionKeyNotFound",
		},
		{
			name: "key soft-deleted",
			revoke: func(t *testing.T, f *cmkFixture) {
				_, err := f.keys.DeleteKey(ctxT(t), f.keyName, nil)
				require.NoError(t, err)
			},
			restore: func(t *testing.T, f *cmkFixture) {
				_, err := f.keys.RecoverDeletedKey(ctxT(t), f.keyName, nil)
				require.NoError(t, err)
			},
			code: "KeyVaultEncryptionKeyNotFound",
		},
		{
			name: "access policy removed",
			revoke: func(t *testing.T, f *cmkFixture) {
				_, err := f.env.vaults.UpdateAccessPolicy(ctxT(t), f.group, *f.vault.Name, armkeyvault.AccessPolicyUpdateKindRemove,
					armkeyvault.VaultAccessPolicyParameters{Properties: &armkeyvault.VaultAccessPolicyProperties{
						AccessPolicies: []*armkeyvault.AccessPolicyEntry{accessPolicy(*f.ident.Properties.PrincipalID,
							armkeyvault.KeyPermissionsGet, armkeyvault.KeyPermissionsWrapKey, armkeyvault.KeyPermissionsUnwrapKey)}}}, nil)
				require.NoError(t, err)
			},
			restore: func(t *testing.T, f *cmkFixture) { f.grant(t) },
			code:    "KeyVaultEncryptionKeyNotFound",
		},
		{
			name: "RBAC role removed",
			opts: cmkOptions{rbac: true},
			revoke: func(t *testing.T, f *cmkFixture) {
				_, err := f.env.roles.Delete(ctxT(t), *f.vault.ID, f.roleName, nil)
				require.NoError(t, err)
			},
			restore: func(t *testing.T, f *cmkFixture) {
				f.roleName = f.env.assignRole(t, *f.vault.ID, roleCryptoServiceEncryptionUser, *f.ident.Properties.PrincipalID)
			},
			code: "KeyVaultEncryptionKeyNotFound",
		},
		{
			name: "identity deleted",
			revoke: func(t *testing.T, f *cmkFixture) {
				_, err := f.env.msi.Delete(ctxT(t), f.group, *f.ident.Name, nil)
				require.NoError(t, err)
			},
			// Azure's way back: a new identity with access to the key, set
			// as the account's identity and its encryption identity.
			restore: func(t *testing.T, f *cmkFixture) {
				f.ident = f.env.createIdentity(t, f.group, f.account+"-id2")
				f.grant(t)
				_, err := f.env.accounts.Update(ctxT(t), f.group, f.account, armstorage.AccountUpdateParameters{
					Identity: &armstorage.Identity{
						Type:                   to.Ptr(armstorage.IdentityTypeUserAssigned),
						UserAssignedIdentities: map[string]*armstorage.UserAssignedIdentity{*f.ident.ID: {}},
					},
					Properties: &armstorage.AccountPropertiesUpdateParameters{Encryption: &armstorage.Encryption{
						KeySource: to.Ptr(armstorage.KeySourceMicrosoftKeyvault),
						KeyVaultProperties: &armstorage.KeyVaultProperties{
							KeyName: to.Ptr(f.keyName), KeyVersion: to.Ptr(""), KeyVaultURI: f.vault.Properties.VaultURI},
						EncryptionIdentity: &armstorage.EncryptionIdentity{EncryptionUserAssignedIdentity: f.ident.ID},
					}},
				}, nil)
				require.NoError(t, err)
			},
			code: "KeyVaultAccessTokenCannotBeAcquired",
		},
		{
			name: "vault deleted",
			revoke: func(t *testing.T, f *cmkFixture) {
				_, err := f.env.vaults.Delete(ctxT(t), f.group, *f.vault.Name, nil)
				require.NoError(t, err)
			},
			restore: func(t *testing.T, f *cmkFixture) {
				ctx := ctxT(t)
				p, err := f.env.vaults.BeginCreateOrUpdate(ctx, f.group, *f.vault.Name, armkeyvault.VaultCreateOrUpdateParameters{
					Location: to.Ptr("local"), Properties: &armkeyvault.VaultProperties{CreateMode: to.Ptr(armkeyvault.CreateModeRecover),
						TenantID: to.Ptr(emulator.DevTenantID), SKU: &armkeyvault.SKU{Family: to.Ptr(armkeyvault.SKUFamilyA), Name: to.Ptr(armkeyvault.SKUNameStandard)}}}, nil)
				require.NoError(t, err)
				_, err = p.PollUntilDone(ctx, nil)
				require.NoError(t, err)
			},
			code: "KeyVaultVaultNotFound",
		},
		{
			name: "key expired (no failure)",
			revoke: func(t *testing.T, f *cmkFixture) {
				_, err := f.keys.UpdateKey(ctxT(t), f.keyName, "", azkeys.UpdateKeyParameters{
					KeyAttributes: &azkeys.KeyAttributes{Expires: to.Ptr(emu.Clock().Now().Add(-time.Hour))}}, nil)
				require.NoError(t, err)
			},
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setupCMK(t, env, fmt.Sprintf("rev%d", i), tc.opts)
			fs := f.setupFiles(t)
			ctx := ctxT(t)
			f.requireReadable(t)
			fs.requireReadable(t)
			tc.revoke(t, f)
			for n, op := range gatedOps() {
				err := op.run(ctx, f, n)
				if tc.code == "" {
					assert.NoError(t, err, op.name)
					continue
				}
				t.Run(op.name, func(t *testing.T) { requireCode(t, err, tc.code) })
			}
			for n, op := range ungatedOps() {
				assert.NoError(t, op.run(ctx, f, n), "%s must keep working", op.name)
			}
			for n, op := range gatedFileOps() {
				err := op.run(ctx, f, fs, n)
				if tc.code == "" {
					assert.NoError(t, err, "Files: %s", op.name)
					continue
				}
				t.Run("Files "+op.name, func(t *testing.T) { requireFileCode(t, err, tc.code) })
			}
			for n, op := range ungatedFileOps() {
				assert.NoError(t, op.run(ctx, f, fs, n), "Files: %s must keep working", op.name)
			}
			if tc.restore == nil {
				return
			}
			tc.restore(t, f)
			f.requireReadable(t)
			fs.requireReadable(t)
			_, err := fs.dir.NewFileClient("after-restore").Create(ctx, 2, nil)
			require.NoError(t, err)
			_, err = fs.dir.GetProperties(ctx, nil)
			require.NoError(t, err)
			_, err = f.blob.UploadBuffer(ctx, "data", "after-restore", []byte("ok"), nil)
			require.NoError(t, err)
		})
	}
}

// accountKeyID is the account's currentVersionedKeyIdentifier.
func (f *cmkFixture) accountKeyID(t *testing.T) (string, *time.Time) {
	t.Helper()
	got, err := f.env.accounts.GetProperties(ctxT(t), f.group, f.account, nil)
	require.NoError(t, err)
	kvp := got.Properties.Encryption.KeyVaultProperties
	return *kvp.CurrentVersionedKeyIdentifier, kvp.LastKeyRotationTimestamp
}

func TestRevocationRotationVersionless(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	f := setupCMK(t, env, "rotv", cmkOptions{})
	ctx := ctxT(t)
	exp := emu.Clock().Now().Add(365 * 24 * time.Hour).Truncate(time.Second)
	v2, err := f.keys.CreateKey(ctx, f.keyName, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr(int32(3072)),
		KeyAttributes: &azkeys.KeyAttributes{Expires: to.Ptr(exp)}}, nil)
	require.NoError(t, err)
	kid, rotated := f.accountKeyID(t)
	assert.Equal(t, string(*f.first), kid, "a new version is picked up only by the daily check")

	emu.AdvanceClock(ctx, 24*time.Hour+time.Minute)
	kid, rotated2 := f.accountKeyID(t)
	assert.Equal(t, string(*v2.Key.KID), kid, "after a day the account uses the latest version")
	require.NotNil(t, rotated2)
	assert.True(t, rotated2.After(*rotated))
	got, err := env.accounts.GetProperties(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	require.NotNil(t, got.Properties.Encryption.KeyVaultProperties.CurrentVersionedKeyExpirationTimestamp)
	assert.True(t, exp.Equal(*got.Properties.Encryption.KeyVaultProperties.CurrentVersionedKeyExpirationTimestamp))

	// The old version no longer matters; the new one does.
	f.setEnabled(t, f.first.Version(), false)
	f.requireReadable(t)
	f.setEnabled(t, v2.Key.KID.Version(), false)
	_, err = f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")
	f.setEnabled(t, v2.Key.KID.Version(), true)
	f.requireReadable(t)
}

func TestRevocationRotationPinned(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	f := setupCMK(t, env, "rotp", cmkOptions{pinned: true})
	ctx := ctxT(t)
	v2, err := f.keys.CreateKey(ctx, f.keyName, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	emu.AdvanceClock(ctx, 24*time.Hour+time.Minute)
	kid, _ := f.accountKeyID(t)
	assert.Equal(t, string(*f.first), kid, "a pinned version stays")

	f.setEnabled(t, v2.Key.KID.Version(), false)
	f.requireReadable(t)
	f.setEnabled(t, f.first.Version(), false)
	_, err = f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")

	// Picking another version re-wraps (no data re-encrypted).
	f.setEnabled(t, f.first.Version(), true)
	f.setEnabled(t, v2.Key.KID.Version(), true)
	_, err = env.accounts.Update(ctx, f.group, f.account, armstorage.AccountUpdateParameters{Properties: &armstorage.AccountPropertiesUpdateParameters{
		Encryption: &armstorage.Encryption{KeySource: to.Ptr(armstorage.KeySourceMicrosoftKeyvault), KeyVaultProperties: &armstorage.KeyVaultProperties{
			KeyName: to.Ptr(f.keyName), KeyVersion: to.Ptr(v2.Key.KID.Version()), KeyVaultURI: f.vault.Properties.VaultURI}}}}, nil)
	require.NoError(t, err)
	kid, _ = f.accountKeyID(t)
	assert.Equal(t, string(*v2.Key.KID), kid)
	f.setEnabled(t, f.first.Version(), false)
	f.requireReadable(t)
}

// TestRevocationSwitchKeySource switches the account back to Microsoft-
// managed keys (the vault no longer matters) and to the key again.
func TestRevocationSwitchKeySource(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	f := setupCMK(t, env, "swk", cmkOptions{})
	ctx := ctxT(t)
	upd, err := env.accounts.Update(ctx, f.group, f.account, armstorage.AccountUpdateParameters{Properties: &armstorage.AccountPropertiesUpdateParameters{
		Encryption: &armstorage.Encryption{KeySource: to.Ptr(armstorage.KeySource("microsoft.storage"))}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, armstorage.KeySourceMicrosoftStorage, *upd.Properties.Encryption.KeySource)
	assert.Nil(t, upd.Properties.Encryption.KeyVaultProperties)
	f.setEnabled(t, "", false)
	f.requireReadable(t)

	f.setEnabled(t, "", true)
	_, err = env.accounts.Update(ctx, f.group, f.account, armstorage.AccountUpdateParameters{Properties: &armstorage.AccountPropertiesUpdateParameters{
		Encryption: &armstorage.Encryption{KeySource: to.Ptr(armstorage.KeySourceMicrosoftKeyvault),
			KeyVaultProperties: &armstorage.KeyVaultProperties{KeyName: to.Ptr(f.keyName), KeyVaultURI: f.vault.Properties.VaultURI},
			EncryptionIdentity: &armstorage.EncryptionIdentity{EncryptionUserAssignedIdentity: f.ident.ID}}}}, nil)
	require.NoError(t, err)
	f.setEnabled(t, "", false)
	_, err = f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")
}

// TestRevocationPurge: a purged key makes the data unreadable for good, even
// when a key of the same name is created again.
func TestRevocationPurge(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	f := setupCMK(t, env, "purge", cmkOptions{})
	ctx := ctxT(t)
	_, err := f.keys.DeleteKey(ctx, f.keyName, nil)
	require.NoError(t, err)
	_, err = f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")

	emu.AdvanceClock(ctx, 91*24*time.Hour)
	_, err = f.keys.GetDeletedKey(ctx, f.keyName, nil)
	status, _ := armCode(t, err)
	require.Equal(t, 404, status, "the key is purged after the retention")
	_, err = f.keys.RecoverDeletedKey(ctx, f.keyName, nil)
	require.Error(t, err)

	_, err = f.keys.CreateKey(ctx, f.keyName, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	_, err = f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")
	_, err = env.accounts.Update(ctx, f.group, f.account, armstorage.AccountUpdateParameters{Properties: &armstorage.AccountPropertiesUpdateParameters{
		Encryption: &armstorage.Encryption{KeySource: to.Ptr(armstorage.KeySourceMicrosoftStorage)}}}, nil)
	require.Error(t, err, "the account key cannot be unwrapped to re-wrap it")
	_, err = f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")
}

// TestRevocationCacheTTL: with --cmk-cache-ttl the revocation shows only
// after the TTL on the emulator clock.
func TestRevocationCacheTTL(t *testing.T) {
	emu := startAzemu(t, withConfig(func(c *emulator.Config) { c.CMKCacheTTL = time.Hour }))
	env := newARM(t, emu)
	f := setupCMK(t, env, "ttl", cmkOptions{})
	ctx := ctxT(t)
	f.requireReadable(t)
	f.setEnabled(t, "", false)
	f.requireReadable(t)
	emu.AdvanceClock(ctx, time.Hour+time.Second)
	_, err := f.download(ctx, "secret.txt")
	requireCode(t, err, "KeyVaultEncryptionKeyNotFound")
}

// TestRevocationEnableValidation: what Azure refuses when CMK is enabled.
func TestRevocationEnableValidation(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := ctxT(t)
	env.createGroup(t, "val")
	ident := env.createIdentity(t, "val", "val-id")
	principal := *ident.Properties.PrincipalID
	good := env.createVault(t, "val", "val-good", vaultOptions{softDelete: true, purgeProtection: true})
	weak := env.createVault(t, "val", "val-weak", vaultOptions{softDelete: true})
	goodKeys, weakKeys := env.keysClient(t, *good.Properties.VaultURI), env.keysClient(t, *weak.Properties.VaultURI)
	for _, kc := range []*azkeys.Client{goodKeys, weakKeys} {
		_, err := kc.CreateKey(ctx, "rsa", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
		require.NoError(t, err)
	}
	_, err := goodKeys.CreateKey(ctx, "ec", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	require.NoError(t, err)
	_, err = goodKeys.CreateKey(ctx, "off", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeyAttributes: &azkeys.KeyAttributes{Enabled: to.Ptr(false)}}, nil)
	require.NoError(t, err)
	_, err = goodKeys.CreateKey(ctx, "old", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeyAttributes: &azkeys.KeyAttributes{Expires: to.Ptr(emu.Clock().Now().Add(-time.Minute))}}, nil)
	require.NoError(t, err)

	cmkParams := func(vault armkeyvault.Vault, key string, identityType armstorage.IdentityType, uai bool) armstorage.AccountCreateParameters {
		p := armstorage.AccountCreateParameters{
			Identity: &armstorage.Identity{Type: to.Ptr(identityType)},
			Properties: &armstorage.AccountPropertiesCreateParameters{Encryption: &armstorage.Encryption{
				KeySource:          to.Ptr(armstorage.KeySource("MICROSOFT.KEYVAULT")),
				KeyVaultProperties: &armstorage.KeyVaultProperties{KeyName: to.Ptr(key), KeyVaultURI: vault.Properties.VaultURI},
			}},
		}
		if uai {
			p.Identity.UserAssignedIdentities = map[string]*armstorage.UserAssignedIdentity{*ident.ID: {}}
			p.Properties.Encryption.EncryptionIdentity = &armstorage.EncryptionIdentity{EncryptionUserAssignedIdentity: ident.ID}
		}
		return p
	}
	ua := armstorage.IdentityTypeUserAssigned

	// No access for the identity yet.
	_, err = env.createAccount(t, "val", "valnoaccess", cmkParams(good, "rsa", ua, true))
	status, code := armCode(t, err)
	assert.Equal(t, 400, status)
	assert.Equal(t, "KeyVaultAuthenticationFailure", code)
	assert.Contains(t, err.Error(), "authentication issue on the keyvault")
	_, err = emu.Storage().Account(ctx, "valnoaccess")
	assert.Error(t, err, "a refused create leaves no account behind")

	for _, v := range []armkeyvault.Vault{good, weak} {
		_, err = env.vaults.UpdateAccessPolicy(ctx, "val", *v.Name, armkeyvault.AccessPolicyUpdateKindAdd, armkeyvault.VaultAccessPolicyParameters{
			Properties: &armkeyvault.VaultAccessPolicyProperties{AccessPolicies: []*armkeyvault.AccessPolicyEntry{accessPolicy(principal,
				armkeyvault.KeyPermissionsGet, armkeyvault.KeyPermissionsWrapKey, armkeyvault.KeyPermissionsUnwrapKey)}}}, nil)
		require.NoError(t, err)
	}
	tests := []struct {
		name, account string
		params        armstorage.AccountCreateParameters
		code          string
	}{
		{"vault without purge protection", "valweak", cmkParams(weak, "rsa", ua, true), "KeyVaultPolicyError"},
		{"EC key", "valec", cmkParams(good, "ec", ua, true), "InvalidValuesForRequestParameters"},
		{"disabled key", "valoff", cmkParams(good, "off", ua, true), "KeyVaultAuthenticationFailure"},
		{"expired key", "valold", cmkParams(good, "old", ua, true), "KeyVaultAuthenticationFailure"},
		{"missing key", "valmissing", cmkParams(good, "nokey", ua, true), "KeyVaultAuthenticationFailure"},
		{"system-assigned at create", "valsys", cmkParams(good, "rsa", armstorage.IdentityTypeSystemAssigned, false), "InvalidRequestPropertyValue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.createAccount(t, "val", tc.account, tc.params)
			status, code := armCode(t, err)
			assert.Equal(t, 400, status)
			assert.Equal(t, tc.code, code)
		})
	}
	if t.Failed() {
		return
	}
	// The good one, and CMK with a system-assigned identity on an existing account.
	_, err = env.createAccount(t, "val", "valok", cmkParams(good, "rsa", ua, true))
	require.NoError(t, err)
	_, err = env.createAccount(t, "val", "valsys2", armstorage.AccountCreateParameters{
		Identity: &armstorage.Identity{Type: to.Ptr(armstorage.IdentityTypeSystemAssigned)}})
	require.NoError(t, err)
	sys, err := env.accounts.GetProperties(ctx, "val", "valsys2", nil)
	require.NoError(t, err)
	_, err = env.vaults.UpdateAccessPolicy(ctx, "val", *good.Name, armkeyvault.AccessPolicyUpdateKindAdd, armkeyvault.VaultAccessPolicyParameters{
		Properties: &armkeyvault.VaultAccessPolicyProperties{AccessPolicies: []*armkeyvault.AccessPolicyEntry{accessPolicy(*sys.Identity.PrincipalID,
			armkeyvault.KeyPermissionsGet, armkeyvault.KeyPermissionsWrapKey, armkeyvault.KeyPermissionsUnwrapKey)}}}, nil)
	require.NoError(t, err)
	upd, err := env.accounts.Update(ctx, "val", "valsys2", armstorage.AccountUpdateParameters{Properties: &armstorage.AccountPropertiesUpdateParameters{
		Encryption: &armstorage.Encryption{KeySource: to.Ptr(armstorage.KeySourceMicrosoftKeyvault),
			KeyVaultProperties: &armstorage.KeyVaultProperties{KeyName: to.Ptr("rsa"), KeyVaultURI: good.Properties.VaultURI}}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, armstorage.KeySourceMicrosoftKeyvault, *upd.Properties.Encryption.KeySource)
	assert.NotEmpty(t, *upd.Properties.Encryption.KeyVaultProperties.CurrentVersionedKeyIdentifier)
}

var wrappedAEKRE = regexp.MustCompile(`"VaultWrappedAEK":\{"KeyID":"([^"]+)","Algorithm":"([^"]+)","Bytes":"([^"]+)"`)

// TestRevocationCanary: with CMK on and a data folder, neither the plaintext
// nor the unwrapped account encryption key appears in any file.
func TestRevocationCanary(t *testing.T) {
	dir := t.TempDir()
	emu := startAzemu(t, withDataDir(dir))
	env := newARM(t, emu)
	f := setupCMK(t, env, "canary", cmkOptions{})
	ctx := ctxT(t)
	canary := []byte("AZEMU-CANARY-7f3c2a91-plaintext-must-never-reach-the-disk")
	_, err := f.blob.UploadBuffer(ctx, "data", "canary", bytes.Repeat(canary, 3000), &azblob.UploadBufferOptions{
		Metadata: map[string]*string{"canary": to.Ptr(string(canary))}})
	require.NoError(t, err)
	f.requireReadable(t)

	// Find the wrapped account key in the storage database and unwrap it
	// as the development principal, to know the bytes to look for.
	var aek []byte
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || aek != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range wrappedAEKRE.FindAllSubmatch(b, -1) {
			id := azkeys.ID(m[1])
			wrapped, err := base64.StdEncoding.DecodeString(string(m[3]))
			if err != nil || !strings.Contains(string(id), *f.vault.Name) {
				continue
			}
			res, err := f.keys.UnwrapKey(ctx, id.Name(), id.Version(), azkeys.KeyOperationParameters{
				Algorithm: to.Ptr(azkeys.EncryptionAlgorithm(m[2])), Value: wrapped}, nil)
			require.NoError(t, err)
			aek = res.Result
		}
		return nil
	})
	require.NoError(t, err)
	require.Len(t, aek, 32, "the wrapped account key was found and unwrapped")

	needles := map[string][]byte{
		"plaintext":  canary,
		"blob bytes": f.plaintext[:64],
		"aek":        aek,
		"aek base64": []byte(base64.StdEncoding.EncodeToString(aek)),
		"aek hex":    []byte(fmt.Sprintf("%x", aek)),
	}
	files := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for name, n := range needles {
			assert.False(t, bytes.Contains(b, n), "%s found in %s", name, p)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, files, 3)
	_, err = os.Stat(filepath.Join(dir, "management", "state.json"))
	require.NoError(t, err, "the management state is kept in the data folder")
}

// cmkFiles is the Azure Files side of a CMK fixture: a share with a
// directory, a file with known bytes, and victims for the operations that
// must keep working.
type cmkFiles struct {
	svc       *fileservice.Client
	cred      *fileservice.SharedKeyCredential
	key       string // the account key (base64), for hand-signed requests
	url       string // the account's Files endpoint
	share     *share.Client
	dir       *directory.Client
	file      *file.Client // holds plaintext; never changed by a row
	scratch   *file.Client // the rows that write change this one
	permKey   string
	plaintext []byte
}

const cmkSDDL = "O:S-1-5-21-397955417-626881126-188441444-3053964G:S-1-5-21-397955417-626881126-188441444-513D:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-0-0)"

// setupFiles creates the Files data of a CMK account through azfile, with
// the key listKeys returns, on the account's Files endpoint.
func (f *cmkFixture) setupFiles(t *testing.T) *cmkFiles {
	t.Helper()
	ctx := ctxT(t)
	keys, err := f.env.accounts.ListKeys(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	require.NotEmpty(t, keys.Keys)
	fs := &cmkFiles{url: f.env.emu.FileURL() + "/" + f.account, plaintext: bytes.Repeat([]byte("files under a customer-managed key "), 3000)}
	fs.key = *keys.Keys[0].Value
	fs.cred, err = fileservice.NewSharedKeyCredential(f.account, fs.key)
	require.NoError(t, err)
	fs.svc, err = fileservice.NewClientWithSharedKeyCredential(fs.url, fs.cred, &fileservice.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: f.env.emu.HTTPClient(), Retry: policy.RetryOptions{MaxRetries: -1}}})
	require.NoError(t, err)
	fs.share = fs.svc.NewShareClient("cmkfiles")
	_, err = fs.share.Create(ctx, &share.CreateOptions{Metadata: map[string]*string{"team": to.Ptr("files")}})
	require.NoError(t, err)
	_, err = fs.svc.NewShareClient("victimshare").Create(ctx, nil)
	require.NoError(t, err)
	pr, err := fs.share.CreatePermission(ctx, cmkSDDL, nil)
	require.NoError(t, err)
	fs.permKey = *pr.FilePermissionKey
	fs.dir = fs.share.NewDirectoryClient("docs")
	_, err = fs.dir.Create(ctx, &directory.CreateOptions{Metadata: map[string]*string{"owner": to.Ptr("alice")}})
	require.NoError(t, err)
	for _, name := range []string{"victimdir-0", "victimdir-1"} {
		_, err = fs.share.NewDirectoryClient(name).Create(ctx, nil)
		require.NoError(t, err)
	}
	fs.file = fs.dir.NewFileClient("secret.bin")
	_, err = fs.file.Create(ctx, int64(len(fs.plaintext)), &file.CreateOptions{Metadata: map[string]*string{"owner": to.Ptr("alice")}})
	require.NoError(t, err)
	require.NoError(t, fs.file.UploadBuffer(ctx, fs.plaintext, nil))
	fs.scratch = fs.dir.NewFileClient("scratch.bin")
	_, err = fs.scratch.Create(ctx, 4096, nil)
	require.NoError(t, err)
	for _, name := range []string{"victim-0", "victim-1", "rename-0", "rename-1"} {
		_, err = fs.dir.NewFileClient(name).Create(ctx, 1, nil)
		require.NoError(t, err)
	}
	return fs
}

// requireFilesReadable reads the file back through azfile byte for byte.
func (fs *cmkFiles) requireReadable(t *testing.T) {
	t.Helper()
	resp, err := fs.file.DownloadStream(ctxT(t), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.True(t, bytes.Equal(fs.plaintext, got), "the file bytes read back differ")
}

// metadataRequest sends Get Directory Metadata / Get File Metadata, which
// azfile has no method for, signed with the account's Shared Key.
func (fs *cmkFiles) metadataRequest(ctx context.Context, client *http.Client, path, restype string) error {
	u := fs.url + "/" + path + "?comp=metadata"
	if restype != "" {
		u += "&restype=" + restype
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("x-ms-version", "2026-06-06")
	req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	key, err := base64.StdEncoding.DecodeString(fs.key)
	if err != nil {
		return err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(storageauth.StringToSign(req, fs.cred.AccountName())))
	req.Header.Set("Authorization", "SharedKey "+fs.cred.AccountName()+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d, x-ms-error-code %s", resp.StatusCode, resp.Header.Get("x-ms-error-code"))
	}
	return nil
}

type fileOp struct {
	name string
	run  func(ctx context.Context, f *cmkFixture, fs *cmkFiles, n int) error
}

// gatedFileOps are the Azure Files operations that fail while the key is
// unavailable: the Azure Files list of the same page
// (docs/cmk-revocation.md).
func gatedFileOps() []fileOp {
	return []fileOp{
		{"Create Permission", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.share.CreatePermission(ctx, "O:SYG:SYD:(A;;FA;;;SY)", nil)
			return err
		}},
		{"Get Permission", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.share.GetPermission(ctx, fs.permKey, nil)
			return err
		}},
		{"List Directories and Files", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.dir.NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
			return err
		}},
		{"Create Directory", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, n int) error {
			_, err := fs.share.NewDirectoryClient(fmt.Sprintf("newdir-%d", n)).Create(ctx, nil)
			return err
		}},
		{"Get Directory Properties", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.dir.GetProperties(ctx, nil)
			return err
		}},
		{"Set Directory Properties", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.dir.SetProperties(ctx, &directory.SetPropertiesOptions{FileSMBProperties: &file.SMBProperties{
				Attributes: &file.NTFSFileAttributes{Hidden: true}}})
			return err
		}},
		{"Get Directory Metadata", func(ctx context.Context, f *cmkFixture, fs *cmkFiles, _ int) error {
			return fs.metadataRequest(ctx, f.env.emu.HTTPClient(), "cmkfiles/docs", "directory")
		}},
		{"Set Directory Metadata", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.dir.SetMetadata(ctx, &directory.SetMetadataOptions{Metadata: map[string]*string{"k": to.Ptr("v")}})
			return err
		}},
		{"Create File", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, n int) error {
			_, err := fs.dir.NewFileClient(fmt.Sprintf("new-%d", n)).Create(ctx, 10, nil)
			return err
		}},
		{"Get File", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			resp, err := fs.file.DownloadStream(ctx, nil)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return err
		}},
		{"Get File Properties", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.file.GetProperties(ctx, nil)
			return err
		}},
		{"Set File Properties", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.scratch.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{HTTPHeaders: &file.HTTPHeaders{ContentType: to.Ptr("text/plain")}})
			return err
		}},
		{"Put Range", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.scratch.UploadRange(ctx, 0, streamingBody("changed"), nil)
			return err
		}},
		{"Put Range From URL", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.scratch.UploadRangeFromURL(ctx, fs.file.URL(), 0, 512, 512, nil)
			return err
		}},
		{"Get File Metadata", func(ctx context.Context, f *cmkFixture, fs *cmkFiles, _ int) error {
			return fs.metadataRequest(ctx, f.env.emu.HTTPClient(), "cmkfiles/docs/secret.bin", "")
		}},
		{"Set File Metadata", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.scratch.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"k": to.Ptr("v")}})
			return err
		}},
		{"Copy File", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, n int) error {
			_, err := fs.dir.NewFileClient(fmt.Sprintf("copy-%d", n)).StartCopyFromURL(ctx, fs.file.URL(), nil)
			return err
		}},
		{"Rename File", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, n int) error {
			_, err := fs.dir.NewFileClient(fmt.Sprintf("rename-%d", n%2)).Rename(ctx, fmt.Sprintf("docs/renamed-%d", n), nil)
			return err
		}},
	}
}

// ungatedFileOps keep working while the key is unavailable.
func ungatedFileOps() []fileOp {
	return []fileOp{
		{"Create Share", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, n int) error {
			_, err := fs.svc.NewShareClient(fmt.Sprintf("newshare%d", n)).Create(ctx, nil)
			return err
		}},
		{"Delete Share", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.svc.NewShareClient("victimshare").Delete(ctx, nil)
			return err
		}},
		{"List Shares", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.svc.NewListSharesPager(nil).NextPage(ctx)
			return err
		}},
		{"Get Share Properties", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.share.GetProperties(ctx, nil)
			return err
		}},
		{"Set Share Properties", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.share.SetProperties(ctx, &share.SetPropertiesOptions{Quota: to.Ptr[int32](100)})
			return err
		}},
		{"Delete File", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.dir.NewFileClient("victim-0").Delete(ctx, nil)
			return err
		}},
		{"Delete Directory", func(ctx context.Context, _ *cmkFixture, fs *cmkFiles, _ int) error {
			_, err := fs.share.NewDirectoryClient("victimdir-0").Delete(ctx, nil)
			return err
		}},
	}
}

// requireFileCode asserts a 403 with the given code on a Files operation.
func requireFileCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		assert.Equal(t, 403, re.StatusCode)
		assert.Equal(t, code, re.ErrorCode)
		assert.True(t, fileerror.HasCode(err, fileerror.Code(code)))
		return
	}
	assert.Equal(t, fmt.Sprintf("status 403, x-ms-error-code %s", code), err.Error())
}
