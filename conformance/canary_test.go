package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// TestDataFolderHoldsNoPlaintextKeys: after a start, the only key the data
// folder holds in the clear is the root key in root.key (which --root-key
// moves out); the TLS keys, the token signing key and everything else are
// sealed under it. A secret's value and a certificate whose secret is PEM
// (so its private key would read "PRIVATE KEY" if it were written in the
// clear) are sealed too.
func TestDataFolderHoldsNoPlaintextKeys(t *testing.T) {
	dir := t.TempDir()
	emu := startAzemu(t, withDataDir(dir))
	ctx := context.Background()
	const canary = "azemu-plaintext-canary-secret-31c7"
	_, err := devSecrets(t, emu).SetSecret(ctx, "canary", azsecrets.SetSecretParameters{Value: to.Ptr(canary)}, nil)
	require.NoError(t, err)
	p := selfPolicy("CN=canary.test")
	p.SecretProperties.ContentType = to.Ptr("application/x-pem-file")
	_, err = devCerts(t, emu).CreateCertificate(ctx, "canary-cert", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	require.NoError(t, err)
	sec, err := devSecrets(t, emu).GetSecret(ctx, "canary-cert", "", nil)
	require.NoError(t, err)
	require.Contains(t, *sec.Value, "PRIVATE KEY", "the certificate's secret is PEM with its key")
	require.NoError(t, emu.Close())
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		assert.False(t, bytes.Contains(data, []byte("PRIVATE KEY")), "%s holds a PEM private key", path)
		assert.False(t, bytes.Contains(data, []byte(canary)), "%s holds a secret value", path)
		return nil
	}))
	assert.Greater(t, files, 3)
}

// canaries are secrets a test put into azemu; walkForCanaries looks for each
// in every file of the data folder, as raw bytes, hex, standard base64 and
// base64url (padded or not).
type canaries map[string][]byte

func (c canaries) add(name string, secret []byte) { c[name] = append([]byte(nil), secret...) }

func (c canaries) addString(name, secret string) { c[name] = []byte(secret) }

// forms returns the encodings of secret worth looking for on disk.
func forms(secret []byte) map[string][]byte {
	out := map[string][]byte{"raw": secret}
	if len(secret) >= 8 {
		out["hex"] = []byte(hex.EncodeToString(secret))
		out["base64"] = []byte(strings.TrimRight(base64.StdEncoding.EncodeToString(secret), "="))
		out["base64url"] = []byte(base64.RawURLEncoding.EncodeToString(secret))
	}
	return out
}

// walkForCanaries fails the test for every canary found in dir; it returns
// how many files it read.
func walkForCanaries(t *testing.T, dir string, c canaries) int {
	t.Helper()
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(dir, path)
		for name, secret := range c {
			for form, b := range forms(secret) {
				assert.False(t, bytes.Contains(data, b), "%s (%s) in %s", name, form, rel)
			}
		}
		return nil
	}))
	return files
}

// TestDataFolderHoldsNoPlaintextSecrets puts one of every kind of secret
// azemu holds into an instance whose root key is kept outside the data
// folder, stops it, and walks the folder for each: storage account keys (the
// development account's, an AZURITE_ACCOUNTS account's, a management-created
// account's and a regenerated one), a SAS signature (in a copy source), a
// registered principal's client secret and the access token it got, Key
// Vault private key material, blob and file content (inline and
// file-backed) and user metadata of containers, blobs and files.
func TestDataFolderHoldsNoPlaintextSecrets(t *testing.T) {
	dir := t.TempDir()
	rootKey := randomBytes(t, 32)
	extraKey := randomBytes(t, 64)
	const clientID = "11111111-2222-4333-8444-555555555555"
	secret := "canary-client-secret-" + hex.EncodeToString(randomBytes(t, 8))
	emu := startAzemu(t, withDataDir(dir), withConfig(func(c *emulator.Config) {
		c.RootKey = base64.StdEncoding.EncodeToString(rootKey)
		c.Accounts = []emulator.Account{{Name: "canaryacct", Keys: [][]byte{extraKey}}}
		c.Principals = []emulator.Principal{{ClientID: clientID, Secret: secret}}
	}))
	ctx := ctxT(t)
	found := canaries{}
	found.add("root key", rootKey)
	found.add("AZURITE_ACCOUNTS key", extraKey)
	devKey, err := base64.StdEncoding.DecodeString(emulator.DevAccountKey)
	require.NoError(t, err)
	found.add("development account key", devKey)
	found.addString("client secret", secret)

	// A token of the registered principal.
	tok, err := secretCredential(t, emu, clientID, secret).GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://vault.azure.net/.default"}})
	require.NoError(t, err)
	found.addString("access token", tok.Token)

	// Management: an account's keys, then a regenerated key.
	arm := newARM(t, emu)
	_, err = arm.createAccount(t, emulator.DevResourceGroup, "canarymgmt", armstorage.AccountCreateParameters{})
	require.NoError(t, err)
	regen, err := arm.accounts.RegenerateKey(ctx, emulator.DevResourceGroup, "canarymgmt", armstorage.AccountRegenerateKeyParameters{KeyName: to.Ptr("key1")}, nil)
	require.NoError(t, err)
	for i, k := range regen.Keys {
		raw, err := base64.StdEncoding.DecodeString(*k.Value)
		require.NoError(t, err)
		found.add(fmt.Sprintf("management account key%d", i+1), raw)
	}

	// Blob content, inline and in a data file, metadata, and a copy whose
	// source carries a SAS.
	env := blobEnvOn(t, emu)
	small := "canary-inline-content-" + hex.EncodeToString(randomBytes(t, 8))
	large := bytes.Repeat([]byte("canary-file-content-"+hex.EncodeToString(randomBytes(t, 8))), 10<<10)
	found.addString("inline blob content", small)
	found.add("blob content", large[:64])
	meta := "canary-metadata-" + hex.EncodeToString(randomBytes(t, 8))
	found.addString("metadata", meta)
	c := env.container(t, "canary", &container.CreateOptions{Metadata: map[string]*string{"m": to.Ptr(meta)}})
	_, err = c.NewBlockBlobClient("small").Upload(ctx, streaming.NopCloser(strings.NewReader(small)), &blockblob.UploadOptions{Metadata: map[string]*string{"m": to.Ptr(meta)}})
	require.NoError(t, err)
	_, err = c.NewBlockBlobClient("large").Upload(ctx, streaming.NopCloser(bytes.NewReader(large)), nil)
	require.NoError(t, err)
	qp, err := sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		ContainerName: "canary", BlobName: "small", Permissions: to.Ptr(sas.BlobPermissions{Read: true}).String()}.SignWithSharedKey(env.cred)
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString(qp.Signature())
	require.NoError(t, err)
	found.add("SAS signature", sig)
	_, err = c.NewBlobClient("copy").CopyFromURL(ctx, env.accountURL+"/canary/small?"+qp.Encode(), nil)
	require.NoError(t, err)

	// Files content and metadata.
	fenv := newFileEnv(t, emu)
	sh := fenv.share(t, "canary")
	fc := sh.NewRootDirectoryClient().NewFileClient("f")
	fileContent := "canary-file-share-content-" + hex.EncodeToString(randomBytes(t, 8))
	found.addString("file content", fileContent)
	_, err = fc.Create(ctx, int64(len(fileContent)), &file.CreateOptions{Metadata: map[string]*string{"m": to.Ptr(meta)}})
	require.NoError(t, err)
	_, err = fc.UploadRange(ctx, 0, streaming.NopCloser(strings.NewReader(fileContent)), nil)
	require.NoError(t, err)

	// Key Vault private key material.
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	_, err = devKeys(t, emu).ImportKey(ctx, "canary", azkeys.ImportKeyParameters{Key: &azkeys.JSONWebKey{Kty: to.Ptr(azkeys.KeyTypeRSA),
		N: priv.N.Bytes(), E: big.NewInt(int64(priv.E)).Bytes(), D: priv.D.Bytes(), P: priv.Primes[0].Bytes(), Q: priv.Primes[1].Bytes()}}, nil)
	require.NoError(t, err)
	found.add("private key d", priv.D.Bytes())
	found.add("private key p", priv.Primes[0].Bytes())

	require.NoError(t, emu.Close())
	files := walkForCanaries(t, dir, found)
	assert.Greater(t, files, 3)
}

// TestQueueDataFolderHoldsNoPlaintext: message bodies (as put and as
// updated) and queue metadata never reach the data folder in the clear,
// yet read back after a restart.
func TestQueueDataFolderHoldsNoPlaintext(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	const (
		body    = "queue-canary-body-6c1f0e"
		updated = "queue-canary-update-93ab7d"
		meta    = "queue-canary-meta-4e2b90"
	)
	e := newQueueEnv(t, withDataDir(dir))
	_, err := e.svc.CreateQueue(ctx, "canary", &azqueue.CreateOptions{Metadata: map[string]*string{"secret": to.Ptr(meta)}})
	require.NoError(t, err)
	q := e.svc.NewQueueClient("canary")
	_, err = q.EnqueueMessage(ctx, strings.Repeat(body, 100), nil)
	require.NoError(t, err)
	second, err := q.EnqueueMessage(ctx, body, nil)
	require.NoError(t, err)
	_, err = q.UpdateMessage(ctx, *second.Messages[0].MessageID, *second.Messages[0].PopReceipt, updated, nil)
	require.NoError(t, err)
	require.NoError(t, e.emu.Close())

	for _, canary := range []string{body, updated, meta} {
		require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			assert.False(t, bytes.Contains(data, []byte(canary)), "%s holds %q in the clear", path, canary)
			return nil
		}))
	}

	e = newQueueEnv(t, withDataDir(dir))
	peek, err := e.svc.NewQueueClient("canary").PeekMessages(ctx, &azqueue.PeekMessagesOptions{NumberOfMessages: to.Ptr(int32(2))})
	require.NoError(t, err)
	require.Len(t, peek.Messages, 2)
	assert.Equal(t, strings.Repeat(body, 100), *peek.Messages[0].MessageText)
	assert.Equal(t, updated, *peek.Messages[1].MessageText)
}
