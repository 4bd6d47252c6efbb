package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setupQueueCMK makes a CMK account (user-assigned identity, vault with
// purge protection, RSA key, get/wrapKey/unwrapKey) whose queue key type is
// keyType, and returns the fixture and a Queue client of the account.
func setupQueueCMK(t *testing.T, env *armEnv, prefix string, keyType armstorage.KeyType) (*cmkFixture, *azqueue.ServiceClient) {
	t.Helper()
	ctx := ctxT(t)
	f := &cmkFixture{env: env, group: prefix + "-rg", account: prefix + "acct", keyName: "cmk"}
	env.createGroup(t, f.group)
	f.ident = env.createIdentity(t, f.group, prefix+"-id")
	f.vault = env.createVault(t, f.group, prefix+"-kv", vaultOptions{softDelete: true, purgeProtection: true})
	f.keys = env.keysClient(t, *f.vault.Properties.VaultURI)
	k, err := f.keys.CreateKey(ctx, f.keyName, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr(int32(2048))}, nil)
	require.NoError(t, err)
	f.first = k.Key.KID
	f.grant(t)
	acct, err := env.createAccount(t, f.group, f.account, armstorage.AccountCreateParameters{
		Identity: &armstorage.Identity{
			Type:                   to.Ptr(armstorage.IdentityTypeUserAssigned),
			UserAssignedIdentities: map[string]*armstorage.UserAssignedIdentity{*f.ident.ID: {}},
		},
		Properties: &armstorage.AccountPropertiesCreateParameters{Encryption: &armstorage.Encryption{
			KeySource: to.Ptr(armstorage.KeySourceMicrosoftKeyvault),
			KeyVaultProperties: &armstorage.KeyVaultProperties{
				KeyName: to.Ptr(f.keyName), KeyVersion: to.Ptr(""), KeyVaultURI: f.vault.Properties.VaultURI},
			EncryptionIdentity: &armstorage.EncryptionIdentity{EncryptionUserAssignedIdentity: f.ident.ID},
			Services: &armstorage.EncryptionServices{
				Blob:  &armstorage.EncryptionService{Enabled: to.Ptr(true), KeyType: to.Ptr(armstorage.KeyTypeAccount)},
				Queue: &armstorage.EncryptionService{Enabled: to.Ptr(true), KeyType: to.Ptr(keyType)},
			},
		}},
	})
	require.NoError(t, err)
	if keyType == armstorage.KeyTypeAccount {
		require.NotNil(t, acct.Properties.Encryption.Services.Queue)
		assert.Equal(t, armstorage.KeyTypeAccount, *acct.Properties.Encryption.Services.Queue.KeyType)
	} else {
		assert.Nil(t, acct.Properties.Encryption.Services.Queue)
	}
	keys, err := env.accounts.ListKeys(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	cred, err := azqueue.NewSharedKeyCredential(f.account, *keys.Keys[0].Value)
	require.NoError(t, err)
	// The account's primaryEndpoints name its Queue endpoint, as Azure's do.
	require.NotNil(t, acct.Properties.PrimaryEndpoints.Queue)
	require.Equal(t, env.emu.QueueURL()+"/"+f.account+"/", *acct.Properties.PrimaryEndpoints.Queue)
	svc, err := azqueue.NewServiceClientWithSharedKeyCredential(*acct.Properties.PrimaryEndpoints.Queue, cred, queueClientOptions(env.emu))
	require.NoError(t, err)
	return f, svc
}

// requireStatusCode asserts a storage error with status and x-ms-error-code.
func requireStatusCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	require.Error(t, err)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "not a ResponseError: %v", err)
	assert.Equal(t, status, re.StatusCode)
	assert.Equal(t, code, re.ErrorCode)
}

// With queue keyType Account, queue data follows the customer-managed
// key: disabling the key makes every operation that touches message bodies
// or metadata fail with 403 KeyVaultEncryptionKeyNotFound (the Blob code),
// the others keep working, and re-enabling the key brings the data back.
// With Service (Azure's default), disabling the key changes nothing for
// queues.
func TestQueueRevocationFollowsKeyType(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	for _, tc := range []struct {
		prefix  string
		keyType armstorage.KeyType
	}{{"qacc", armstorage.KeyTypeAccount}, {"qsvc", armstorage.KeyTypeService}} {
		t.Run(string(tc.keyType), func(t *testing.T) {
			ctx := context.Background()
			f, svc := setupQueueCMK(t, env, tc.prefix, tc.keyType)
			_, err := svc.CreateQueue(ctx, "orders", &azqueue.CreateOptions{Metadata: map[string]*string{"owner": to.Ptr("alice")}})
			require.NoError(t, err)
			_, err = svc.CreateQueue(ctx, "victim", nil)
			require.NoError(t, err)
			q := svc.NewQueueClient("orders")
			_, err = q.EnqueueMessage(ctx, "secret order", nil)
			require.NoError(t, err)
			// Hidden for an hour, so Get Messages leaves it for Update.
			put, err := q.EnqueueMessage(ctx, "to update", &azqueue.EnqueueMessageOptions{VisibilityTimeout: to.Ptr(int32(3600))})
			require.NoError(t, err)

			f.setEnabled(t, "", false)
			gated := []struct {
				name string
				run  func() error
			}{
				{"PutMessage", func() error { _, err := q.EnqueueMessage(ctx, "more", nil); return err }},
				{"PeekMessages", func() error { _, err := q.PeekMessage(ctx, nil); return err }},
				{"GetMessages", func() error { _, err := q.DequeueMessage(ctx, nil); return err }},
				{"UpdateMessage", func() error {
					_, err := q.UpdateMessage(ctx, *put.Messages[0].MessageID, *put.Messages[0].PopReceipt, "changed", nil)
					return err
				}},
				{"GetQueueMetadata", func() error { _, err := q.GetProperties(ctx, nil); return err }},
				{"SetQueueMetadata", func() error {
					_, err := q.SetMetadata(ctx, &azqueue.SetMetadataOptions{Metadata: map[string]*string{"a": to.Ptr("b")}})
					return err
				}},
				{"ListQueues(include=metadata)", func() error {
					_, err := svc.NewListQueuesPager(&azqueue.ListQueuesOptions{Include: azqueue.ListQueuesInclude{Metadata: true}}).NextPage(ctx)
					return err
				}},
			}
			for _, op := range gated {
				err := op.run()
				if tc.keyType == armstorage.KeyTypeAccount {
					requireStatusCode(t, err, 403, "KeyVaultEncryptionKeyNotFound")
				} else {
					assert.NoError(t, err, op.name)
				}
			}
			// Operations that touch no user data keep working either way.
			page, err := svc.NewListQueuesPager(nil).NextPage(ctx)
			require.NoError(t, err)
			assert.Len(t, page.Queues, 2)
			_, err = q.GetAccessPolicy(ctx, nil)
			require.NoError(t, err)
			_, err = svc.CreateQueue(ctx, "plain", nil)
			require.NoError(t, err)
			_, err = svc.DeleteQueue(ctx, "victim", nil)
			require.NoError(t, err)

			f.setEnabled(t, "", true)
			emu.AdvanceClock(ctx, 2*time.Hour) // everything visible again
			peek, err := q.PeekMessages(ctx, &azqueue.PeekMessagesOptions{NumberOfMessages: to.Ptr(int32(32))})
			require.NoError(t, err)
			require.NotEmpty(t, peek.Messages)
			texts := map[string]bool{}
			for _, m := range peek.Messages {
				texts[*m.MessageText] = true
			}
			assert.True(t, texts["secret order"], "the message reads back after the key is re-enabled: %v", texts)
			props, err := q.GetProperties(ctx, nil)
			require.NoError(t, err)
			if tc.keyType == armstorage.KeyTypeAccount {
				assert.Equal(t, "alice", derefStr(blobMeta(props.Metadata, "owner")))
				assert.True(t, texts["to update"])
			} else {
				assert.Equal(t, "b", derefStr(blobMeta(props.Metadata, "a")), "Set Queue Metadata worked while the key was disabled")
				assert.True(t, texts["changed"] && texts["more"])
			}
		})
	}
}

// An account deleted through the management plane takes its queues with it:
// a new account of the same name starts empty.
func TestQueueAccountRecreatedStartsEmpty(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	ctx := context.Background()
	env.createGroup(t, "qdel-rg")
	client := func() *azqueue.ServiceClient {
		_, err := env.createAccount(t, "qdel-rg", "qdelacct", armstorage.AccountCreateParameters{})
		require.NoError(t, err)
		keys, err := env.accounts.ListKeys(ctx, "qdel-rg", "qdelacct", nil)
		require.NoError(t, err)
		cred, err := azqueue.NewSharedKeyCredential("qdelacct", *keys.Keys[0].Value)
		require.NoError(t, err)
		svc, err := azqueue.NewServiceClientWithSharedKeyCredential(emu.QueueURL()+"/qdelacct/", cred, queueClientOptions(emu))
		require.NoError(t, err)
		return svc
	}
	svc := client()
	_, err := svc.CreateQueue(ctx, "old", nil)
	require.NoError(t, err)
	_, err = svc.NewQueueClient("old").EnqueueMessage(ctx, "from the old account", nil)
	require.NoError(t, err)
	_, err = env.accounts.Delete(ctx, "qdel-rg", "qdelacct", nil)
	require.NoError(t, err)

	svc = client()
	page, err := svc.NewListQueuesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	assert.Empty(t, page.Queues)
	_, err = svc.CreateQueue(ctx, "old", nil)
	require.NoError(t, err)
	peek, err := svc.NewQueueClient("old").PeekMessage(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, peek.Messages)
}
