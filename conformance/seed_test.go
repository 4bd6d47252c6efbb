package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

const seedMarker = "azemu-seeded-canary-51c9"

// seedAccountKey is the seeded account's shared key (32 bytes of 0x01).
const seedAccountKey = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="

var seedDoc = `
accounts:
  - name: seedacct
    keys: [` + seedAccountKey + `]
    containers:
      - name: fixtures
        metadata: {owner: seed}
        blobs:
          - name: greeting.txt
            text: "` + seedMarker + ` hello"
            contentType: text/plain
            metadata: {kind: greeting}
vaults:
  - name: seedvault
    softDelete: true
    purgeProtection: true
    keys:
      - {name: cmk, type: RSA, size: 2048, ops: [wrapKey, unwrapKey]}
`

// TestSeedMutateResetThroughSDKs seeds azemu, changes it through azblob and
// azkeys, resets it through the admin API, and checks that the seeded state
// is back, the rest is gone, and the seeded blob was never written in
// plaintext.
func TestSeedMutateResetThroughSDKs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seed, err := emulator.ParseSeed([]byte(seedDoc))
	require.NoError(t, err)
	emu := startAzemu(t, withDataDir(dir), withConfig(func(c *emulator.Config) { c.Seed = seed }))

	cred, err := azblob.NewSharedKeyCredential("seedacct", seedAccountKey)
	require.NoError(t, err)
	svc, err := service.NewClientWithSharedKeyCredential(emu.BlobURL()+"/seedacct", cred, blobClientOptions(emu))
	require.NoError(t, err)
	fixtures := svc.NewContainerClient("fixtures")
	assert.Equal(t, seedMarker+" hello", blobDownload(t, fixtures.NewBlobClient("greeting.txt"), nil))
	props, err := fixtures.NewBlobClient("greeting.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "text/plain", *props.ContentType)
	assert.Equal(t, "greeting", derefStr(blobMeta(props.Metadata, "kind")))
	seededETag := *props.ETag

	keys := keysClient(t, emu, devCredential(t, emu), strings.Replace(emu.DevVaultURL(), emulator.DevVaultName, "seedvault", 1))
	seededKey, err := keys.GetKey(ctx, "cmk", "", nil)
	require.NoError(t, err)
	assert.Equal(t, azkeys.KeyTypeRSA, *seededKey.Key.Kty)

	// Mutate through the SDKs.
	_, err = fixtures.NewBlockBlobClient("greeting.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("overwritten")), nil)
	require.NoError(t, err)
	_, err = svc.CreateContainer(ctx, "scratch", nil)
	require.NoError(t, err)
	_, err = keys.CreateKey(ctx, "scratch-key", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	require.NoError(t, err)
	_, err = keys.DeleteKey(ctx, "cmk", nil)
	require.NoError(t, err)

	// Reset through the admin API with a token of the development principal.
	tok, err := devCredential(t, emu).GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{emulator.AdminScope}})
	require.NoError(t, err)
	resetAzemu(t, emu, tok)

	// The seeded state is back...
	assert.Equal(t, seedMarker+" hello", blobDownload(t, fixtures.NewBlobClient("greeting.txt"), nil))
	props, err = fixtures.NewBlobClient("greeting.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "greeting", derefStr(blobMeta(props.Metadata, "kind")))
	assert.NotEqual(t, seededETag, *props.ETag, "a reset creates the blob again")
	k, err := keys.GetKey(ctx, "cmk", "", nil)
	require.NoError(t, err)
	assert.Equal(t, []*azkeys.KeyOperation{to.Ptr(azkeys.KeyOperationWrapKey), to.Ptr(azkeys.KeyOperationUnwrapKey)}, k.Key.KeyOps)
	// ...and the rest is gone.
	_, err = svc.NewContainerClient("scratch").GetProperties(ctx, nil)
	assert.True(t, bloberror.HasCode(err, bloberror.ContainerNotFound), "%v", err)
	_, err = keys.GetKey(ctx, "scratch-key", "", nil)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusNotFound, re.StatusCode)
	assert.Equal(t, "KeyNotFound", re.ErrorCode)
	_, err = keys.GetDeletedKey(ctx, "cmk", nil)
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusNotFound, re.StatusCode, "the soft-deleted key went with the reset")

	// The seeded content is sealed like any other: not in plaintext on disk.
	require.NoError(t, emu.Close())
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		assert.False(t, bytes.Contains(b, []byte(seedMarker)), "plaintext seeded content in %s", path)
		return nil
	}))
}

func resetAzemu(t *testing.T, emu *emulator.Emulator, tok azcore.AccessToken) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, emu.VaultURL()+"/_azemu/reset", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := httpClient(emu).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", out)
}
