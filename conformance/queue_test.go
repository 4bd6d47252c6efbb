package conformance

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/queueerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/sas"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// queueEnv is a running azemu and a Queue service client of the
// development account, made from the connection string azemu prints.
type queueEnv struct {
	emu *emulator.Emulator
	svc *azqueue.ServiceClient
}

func newQueueEnv(t *testing.T, opts ...option) *queueEnv {
	t.Helper()
	emu := startAzemu(t, opts...)
	svc, err := azqueue.NewServiceClientFromConnectionString(emu.ConnectionString(), queueClientOptions(emu))
	require.NoError(t, err)
	return &queueEnv{emu: emu, svc: svc}
}

func queueClientOptions(emu *emulator.Emulator) *azqueue.ClientOptions {
	return &azqueue.ClientOptions{ClientOptions: clientOptions(emu)}
}

func (e *queueEnv) queue(t *testing.T, name string) *azqueue.QueueClient {
	t.Helper()
	_, err := e.svc.CreateQueue(context.Background(), name, nil)
	require.NoError(t, err)
	return e.svc.NewQueueClient(name)
}

// The connection string azemu prints carries QueueEndpoint, and the SDK
// uses it unchanged.
func TestQueueConnectionString(t *testing.T) {
	e := newQueueEnv(t)
	assert.Contains(t, e.emu.ConnectionString(), "QueueEndpoint="+e.emu.QueueURL()+"/devstoreaccount1")
	assert.Equal(t, e.emu.QueueURL()+"/devstoreaccount1/", e.svc.URL())
	ctx := context.Background()
	q := e.queue(t, "jobs")
	_, err := q.EnqueueMessage(ctx, "hello", nil)
	require.NoError(t, err)
	got, err := q.DequeueMessage(ctx, nil)
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	assert.Equal(t, "hello", *got.Messages[0].MessageText)
}

func TestQueueCreateDeleteMetadataList(t *testing.T) {
	e := newQueueEnv(t)
	ctx := context.Background()
	md := map[string]*string{"team": to.Ptr("ops")}
	_, err := e.svc.CreateQueue(ctx, "orders", &azqueue.CreateOptions{Metadata: md})
	require.NoError(t, err)
	// Same metadata: 204, no error. Other metadata: QueueAlreadyExists.
	_, err = e.svc.CreateQueue(ctx, "orders", &azqueue.CreateOptions{Metadata: md})
	require.NoError(t, err)
	_, err = e.svc.CreateQueue(ctx, "orders", &azqueue.CreateOptions{Metadata: map[string]*string{"team": to.Ptr("dev")}})
	assert.True(t, queueerror.HasCode(err, queueerror.QueueAlreadyExists), "%v", err)
	_, err = e.svc.CreateQueue(ctx, "orders", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.QueueAlreadyExists), "%v", err)
	_, err = e.svc.CreateQueue(ctx, "Bad_Name", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.InvalidResourceName), "%v", err)
	_, err = e.svc.CreateQueue(ctx, "ab", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.OutOfRangeInput), "%v", err)

	q := e.svc.NewQueueClient("orders")
	props, err := q.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "ops", derefStr(blobMeta(props.Metadata, "team")))
	assert.EqualValues(t, 0, *props.ApproximateMessagesCount)
	_, err = q.SetMetadata(ctx, &azqueue.SetMetadataOptions{Metadata: map[string]*string{"stage": to.Ptr("two")}})
	require.NoError(t, err)
	for range 3 {
		_, err = q.EnqueueMessage(ctx, "m", nil)
		require.NoError(t, err)
	}
	props, err = q.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, props.Metadata, 1)
	assert.Equal(t, "two", derefStr(blobMeta(props.Metadata, "stage")))
	assert.EqualValues(t, 3, *props.ApproximateMessagesCount)

	for _, n := range []string{"orders-a", "orders-b", "other"} {
		_, err = e.svc.CreateQueue(ctx, n, nil)
		require.NoError(t, err)
	}
	var names []string
	pager := e.svc.NewListQueuesPager(&azqueue.ListQueuesOptions{Prefix: to.Ptr("orders"), MaxResults: to.Ptr(int32(2)), Include: azqueue.ListQueuesInclude{Metadata: true}})
	pages := 0
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, it := range page.Queues {
			names = append(names, *it.Name)
			if *it.Name == "orders" {
				assert.Equal(t, "two", derefStr(it.Metadata["stage"]))
			}
		}
	}
	assert.Equal(t, []string{"orders", "orders-a", "orders-b"}, names)
	assert.Equal(t, 2, pages)

	_, err = e.svc.DeleteQueue(ctx, "orders", nil)
	require.NoError(t, err)
	_, err = e.svc.DeleteQueue(ctx, "orders", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.QueueNotFound), "%v", err)
	_, err = q.GetProperties(ctx, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.QueueNotFound), "%v", err)
	_, err = q.EnqueueMessage(ctx, "x", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.QueueNotFound), "%v", err)
}

// Visibility, dequeue counts, pop receipts, update and delete, following
// the emulator clock.
func TestQueueMessageLifecycle(t *testing.T) {
	e := newQueueEnv(t)
	ctx := context.Background()
	q := e.queue(t, "work")

	put, err := q.EnqueueMessage(ctx, "first", &azqueue.EnqueueMessageOptions{VisibilityTimeout: to.Ptr(int32(60))})
	require.NoError(t, err)
	require.Len(t, put.Messages, 1)
	m0 := put.Messages[0]
	assert.NotEmpty(t, *m0.MessageID)
	assert.NotEmpty(t, *m0.PopReceipt)
	assert.WithinDuration(t, m0.InsertionTime.Add(60*time.Second), *m0.TimeNextVisible, time.Second)
	assert.WithinDuration(t, m0.InsertionTime.Add(7*24*time.Hour), *m0.ExpirationTime, time.Second)

	// Invisible for a minute: neither peek nor get sees it.
	peek, err := q.PeekMessages(ctx, &azqueue.PeekMessagesOptions{NumberOfMessages: to.Ptr(int32(32))})
	require.NoError(t, err)
	assert.Empty(t, peek.Messages)
	e.emu.AdvanceClock(ctx, 61*time.Second)
	peek, err = q.PeekMessage(ctx, nil)
	require.NoError(t, err)
	require.Len(t, peek.Messages, 1)
	assert.Equal(t, "first", *peek.Messages[0].MessageText)
	assert.EqualValues(t, 0, *peek.Messages[0].DequeueCount)

	got, err := q.DequeueMessage(ctx, &azqueue.DequeueMessageOptions{VisibilityTimeout: to.Ptr(int32(30))})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	d := got.Messages[0]
	assert.Equal(t, *m0.MessageID, *d.MessageID)
	assert.EqualValues(t, 1, *d.DequeueCount)
	assert.NotEqual(t, *m0.PopReceipt, *d.PopReceipt, "a pop receipt is never valid twice")
	again, err := q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: to.Ptr(int32(32))})
	require.NoError(t, err)
	assert.Empty(t, again.Messages, "a dequeued message is invisible")

	// The receipt from Put is stale now.
	_, err = q.DeleteMessage(ctx, *d.MessageID, *m0.PopReceipt, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.PopReceiptMismatch), "%v", err)

	upd, err := q.UpdateMessage(ctx, *d.MessageID, *d.PopReceipt, "second", &azqueue.UpdateMessageOptions{VisibilityTimeout: to.Ptr(int32(0))})
	require.NoError(t, err)
	require.NotNil(t, upd.PopReceipt)
	require.NotNil(t, upd.TimeNextVisible)
	_, err = q.UpdateMessage(ctx, *d.MessageID, *d.PopReceipt, "third", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.PopReceiptMismatch), "%v", err)
	peek, err = q.PeekMessage(ctx, nil)
	require.NoError(t, err)
	require.Len(t, peek.Messages, 1)
	assert.Equal(t, "second", *peek.Messages[0].MessageText)

	// Visibility expiry makes a message come back with a higher count.
	got, err = q.DequeueMessage(ctx, &azqueue.DequeueMessageOptions{VisibilityTimeout: to.Ptr(int32(5))})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	e.emu.AdvanceClock(ctx, 6*time.Second)
	got2, err := q.DequeueMessage(ctx, nil)
	require.NoError(t, err)
	require.Len(t, got2.Messages, 1)
	assert.EqualValues(t, 3, *got2.Messages[0].DequeueCount)
	_, err = q.DeleteMessage(ctx, *got.Messages[0].MessageID, *got.Messages[0].PopReceipt, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.PopReceiptMismatch), "%v", err)

	_, err = q.DeleteMessage(ctx, *got2.Messages[0].MessageID, *got2.Messages[0].PopReceipt, nil)
	require.NoError(t, err)
	_, err = q.DeleteMessage(ctx, *got2.Messages[0].MessageID, *got2.Messages[0].PopReceipt, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.MessageNotFound), "%v", err)
	_, err = q.UpdateMessage(ctx, "00000000-0000-4000-8000-000000000000", *got2.Messages[0].PopReceipt, "x", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.MessageNotFound), "%v", err)

	// Batches and order.
	for i := range 40 {
		_, err := q.EnqueueMessage(ctx, "batch-"+string(rune('a'+i%26)), nil)
		require.NoError(t, err)
	}
	batch, err := q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: to.Ptr(int32(32))})
	require.NoError(t, err)
	assert.Len(t, batch.Messages, 32)
	assert.Equal(t, "batch-a", *batch.Messages[0].MessageText)
	_, err = q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: to.Ptr(int32(33))})
	assert.True(t, queueerror.HasCode(err, queueerror.OutOfRangeQueryParameterValue), "%v", err)
	_, err = q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{VisibilityTimeout: to.Ptr(int32(0))})
	assert.True(t, queueerror.HasCode(err, queueerror.OutOfRangeQueryParameterValue), "%v", err)

	_, err = q.ClearMessages(ctx, nil)
	require.NoError(t, err)
	props, err := q.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 0, *props.ApproximateMessagesCount)
}

func TestQueueMessageTTLAndLimits(t *testing.T) {
	e := newQueueEnv(t)
	ctx := context.Background()
	q := e.queue(t, "ttl")

	short, err := q.EnqueueMessage(ctx, "short", &azqueue.EnqueueMessageOptions{TimeToLive: to.Ptr(int32(10))})
	require.NoError(t, err)
	forever, err := q.EnqueueMessage(ctx, "forever", &azqueue.EnqueueMessageOptions{TimeToLive: to.Ptr(int32(-1))})
	require.NoError(t, err)
	assert.Equal(t, 9999, forever.Messages[0].ExpirationTime.Year())

	e.emu.AdvanceClock(ctx, 11*time.Second)
	peek, err := q.PeekMessages(ctx, &azqueue.PeekMessagesOptions{NumberOfMessages: to.Ptr(int32(32))})
	require.NoError(t, err)
	require.Len(t, peek.Messages, 1)
	assert.Equal(t, "forever", *peek.Messages[0].MessageText)
	_, err = q.DeleteMessage(ctx, *short.Messages[0].MessageID, *short.Messages[0].PopReceipt, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.MessageNotFound), "an expired message is gone: %v", err)
	props, err := q.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 1, *props.ApproximateMessagesCount, "expired messages are collected")

	// A year later the message that never expires is still there.
	e.emu.AdvanceClock(ctx, 365*24*time.Hour)
	peek, err = q.PeekMessage(ctx, nil)
	require.NoError(t, err)
	require.Len(t, peek.Messages, 1)

	_, err = q.EnqueueMessage(ctx, "x", &azqueue.EnqueueMessageOptions{TimeToLive: to.Ptr(int32(0))})
	assert.True(t, queueerror.HasCode(err, queueerror.OutOfRangeQueryParameterValue), "%v", err)
	_, err = q.EnqueueMessage(ctx, "x", &azqueue.EnqueueMessageOptions{TimeToLive: to.Ptr(int32(10)), VisibilityTimeout: to.Ptr(int32(10))})
	assert.True(t, queueerror.HasCode(err, queueerror.InvalidQueryParameterValue), "%v", err)
	_, err = q.EnqueueMessage(ctx, "x", &azqueue.EnqueueMessageOptions{VisibilityTimeout: to.Ptr(int32(7*24*3600 + 1))})
	assert.True(t, queueerror.HasCode(err, queueerror.OutOfRangeQueryParameterValue), "%v", err)

	// 64 KiB of text is the limit.
	_, err = q.EnqueueMessage(ctx, strings.Repeat("a", 64<<10), nil)
	require.NoError(t, err)
	_, err = q.EnqueueMessage(ctx, strings.Repeat("a", 64<<10+1), nil)
	assert.True(t, queueerror.HasCode(err, queueerror.RequestBodyTooLarge), "%v", err)
	// XML-special characters survive.
	_, err = q.ClearMessages(ctx, nil)
	require.NoError(t, err)
	_, err = q.EnqueueMessage(ctx, `<a href="x">&amp; ünï</a>`, nil)
	require.NoError(t, err)
	peek, err = q.PeekMessage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, `<a href="x">&amp; ünï</a>`, *peek.Messages[0].MessageText)
}

func TestQueueServicePropertiesAndStats(t *testing.T) {
	e := newQueueEnv(t)
	ctx := context.Background()
	props, err := e.svc.GetServiceProperties(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, props.CORS)
	_, err = e.svc.SetProperties(ctx, &azqueue.SetPropertiesOptions{
		CORS: []*azqueue.CORSRule{{AllowedOrigins: to.Ptr("https://app.example"), AllowedMethods: to.Ptr("GET,POST"),
			AllowedHeaders: to.Ptr("x-ms-*"), ExposedHeaders: to.Ptr("x-ms-*"), MaxAgeInSeconds: to.Ptr(int32(60))}},
		Logging: &azqueue.Logging{Version: to.Ptr("1.0"), Read: to.Ptr(true), Write: to.Ptr(true), Delete: to.Ptr(false),
			RetentionPolicy: &azqueue.RetentionPolicy{Enabled: to.Ptr(true), Days: to.Ptr(int32(3))}},
	})
	require.NoError(t, err)
	props, err = e.svc.GetServiceProperties(ctx, nil)
	require.NoError(t, err)
	require.Len(t, props.CORS, 1)
	assert.Equal(t, "https://app.example", *props.CORS[0].AllowedOrigins)
	assert.True(t, *props.Logging.Read)
	assert.EqualValues(t, 3, *props.Logging.RetentionPolicy.Days)

	// The CORS rule answers a browser's preflight on the Queue endpoint.
	req, err := http.NewRequest(http.MethodOptions, e.emu.QueueURL()+"/devstoreaccount1/q1/messages", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := httpClient(e.emu).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "https://app.example", resp.Header.Get("Access-Control-Allow-Origin"))

	stats, err := e.svc.GetStatistics(ctx, nil)
	require.NoError(t, err)
	assert.EqualValues(t, "live", *stats.GeoReplication.Status)
}

func TestQueueACLAndSAS(t *testing.T) {
	e := newQueueEnv(t)
	ctx := context.Background()
	q := e.queue(t, "sas")
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	expiry := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	_, err := q.SetAccessPolicy(ctx, &azqueue.SetAccessPolicyOptions{QueueACL: []*azqueue.SignedIdentifier{{
		ID: to.Ptr("readers"), AccessPolicy: &azqueue.AccessPolicy{Start: &start, Expiry: &expiry, Permission: to.Ptr("rp")},
	}}})
	require.NoError(t, err)
	acl, err := q.GetAccessPolicy(ctx, nil)
	require.NoError(t, err)
	require.Len(t, acl.SignedIdentifiers, 1)
	assert.Equal(t, "readers", *acl.SignedIdentifiers[0].ID)
	assert.Equal(t, "rp", *acl.SignedIdentifiers[0].AccessPolicy.Permission)
	assert.True(t, expiry.Equal(*acl.SignedIdentifiers[0].AccessPolicy.Expiry))
	_, err = q.SetAccessPolicy(ctx, &azqueue.SetAccessPolicyOptions{QueueACL: []*azqueue.SignedIdentifier{{
		ID: to.Ptr("bad"), AccessPolicy: &azqueue.AccessPolicy{Permission: to.Ptr("rwx")}}}})
	assert.True(t, queueerror.HasCode(err, queueerror.InvalidXMLNodeValue), "%v", err)

	cred, err := azqueue.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	// GetSASURL signs for https only; over http Azure refuses it.
	httpsURL, err := q.GetSASURL(sas.QueuePermissions{Add: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	httpsOnly, err := azqueue.NewQueueClientWithNoCredential(httpsURL, queueClientOptions(e.emu))
	require.NoError(t, err)
	_, err = httpsOnly.EnqueueMessage(ctx, "no", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthorizationProtocolMismatch), "%v", err)

	// A service SAS that may only add.
	addParams, err := sas.QueueSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, QueueName: "sas",
		ExpiryTime: time.Now().UTC().Add(time.Hour), Permissions: (&sas.QueuePermissions{Add: true}).String()}.SignWithSharedKey(cred)
	require.NoError(t, err)
	addURL := q.URL() + "?" + addParams.Encode()
	adder, err := azqueue.NewQueueClientWithNoCredential(addURL, queueClientOptions(e.emu))
	require.NoError(t, err)
	_, err = adder.EnqueueMessage(ctx, "via sas", nil)
	require.NoError(t, err)
	_, err = adder.DequeueMessage(ctx, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthorizationPermissionMismatch), "%v", err)
	_, err = adder.GetProperties(ctx, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthorizationPermissionMismatch), "%v", err)

	// A service SAS naming the stored policy (si) takes its permissions.
	params, err := sas.QueueSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, QueueName: "sas", Identifier: "readers"}.SignWithSharedKey(cred)
	require.NoError(t, err)
	reader, err := azqueue.NewQueueClientWithNoCredential(q.URL()+"?"+params.Encode(), queueClientOptions(e.emu))
	require.NoError(t, err)
	got, err := reader.DequeueMessage(ctx, nil)
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	assert.Equal(t, "via sas", *got.Messages[0].MessageText)
	_, err = reader.DeleteMessage(ctx, *got.Messages[0].MessageID, *got.Messages[0].PopReceipt, nil)
	require.NoError(t, err)
	_, err = reader.EnqueueMessage(ctx, "no", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthorizationPermissionMismatch), "%v", err)
	// A SAS for another queue does not open this one.
	other, err := azqueue.NewQueueClientWithNoCredential(strings.Replace(addURL, "/sas?", "/other?", 1), queueClientOptions(e.emu))
	require.NoError(t, err)
	_, err = other.EnqueueMessage(ctx, "no", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthenticationFailed), "%v", err)

	// An account SAS for the Queue service: list and create, but not
	// delete.
	acctParams, err := sas.AccountSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().UTC().Add(time.Hour),
		ResourceTypes: (&sas.AccountResourceTypes{Service: true, Container: true, Object: true}).String(),
		Permissions:   (&sas.AccountPermissions{List: true, Create: true, Add: true, Process: true, Read: true}).String()}.SignWithSharedKey(cred)
	require.NoError(t, err)
	acctURL := e.svc.URL() + "?" + acctParams.Encode()
	acct, err := azqueue.NewServiceClientWithNoCredential(acctURL, queueClientOptions(e.emu))
	require.NoError(t, err)
	_, err = acct.CreateQueue(ctx, "made-by-sas", nil)
	require.NoError(t, err)
	page, err := acct.NewListQueuesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	assert.Len(t, page.Queues, 2)
	_, err = acct.DeleteQueue(ctx, "made-by-sas", nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthorizationPermissionMismatch), "%v", err)
	// The Queue ACL takes no SAS at all.
	_, err = acct.NewQueueClient("sas").GetAccessPolicy(ctx, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthorizationPermissionMismatch), "%v", err)

	// Without credentials: refused.
	anon, err := azqueue.NewQueueClientWithNoCredential(q.URL(), queueClientOptions(e.emu))
	require.NoError(t, err)
	_, err = anon.PeekMessage(ctx, nil)
	assert.True(t, queueerror.HasCode(err, "NoAuthenticationInformation"), "%v", err)
	// A wrong key fails Shared Key.
	badCred, err := azqueue.NewSharedKeyCredential(emulator.DevAccountName, "AAAA"+emulator.DevAccountKey[4:])
	require.NoError(t, err)
	bad, err := azqueue.NewQueueClientWithSharedKeyCredential(q.URL(), badCred, queueClientOptions(e.emu))
	require.NoError(t, err)
	_, err = bad.PeekMessage(ctx, nil)
	assert.True(t, queueerror.HasCode(err, queueerror.AuthenticationFailed), "%v", err)
}

// Host-style addressing (<account>.queue.localhost) reaches the same queues.
func TestQueueHostStyle(t *testing.T) {
	e := newQueueEnv(t)
	ctx := context.Background()
	e.queue(t, "hosted")
	port := e.emu.QueueURL()[strings.LastIndexByte(e.emu.QueueURL(), ':'):]
	cred, err := azqueue.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	svc, err := azqueue.NewServiceClientWithSharedKeyCredential("http://devstoreaccount1.queue.localhost"+port+"/", cred, queueClientOptions(e.emu))
	require.NoError(t, err)
	_, err = svc.NewQueueClient("hosted").EnqueueMessage(ctx, "hi", nil)
	require.NoError(t, err)
	page, err := svc.NewListQueuesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Queues, 1)
	assert.Equal(t, "http://devstoreaccount1.queue.localhost"+port+"/", *page.ServiceEndpoint)
}
