package conformance

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// blobEnv is one running azemu and SDK clients for the development account.
type blobEnv struct {
	emu  *emulator.Emulator
	cred *azblob.SharedKeyCredential
	svc  *service.Client
	// accountURL is the account's Blob endpoint (path style).
	accountURL string
}

func newBlobEnv(t *testing.T) *blobEnv {
	t.Helper()
	emu := startAzemu(t)
	cred, err := azblob.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	svc, err := service.NewClientFromConnectionString(emu.ConnectionString(), blobClientOptions(emu))
	require.NoError(t, err)
	return &blobEnv{emu: emu, cred: cred, svc: svc, accountURL: emu.BlobURL() + "/" + emulator.DevAccountName}
}

func blobClientOptions(emu *emulator.Emulator) *service.ClientOptions {
	return &service.ClientOptions{ClientOptions: clientOptions(emu)}
}

func (e *blobEnv) container(t *testing.T, name string, opts *container.CreateOptions) *container.Client {
	t.Helper()
	_, err := e.svc.CreateContainer(context.Background(), name, opts)
	require.NoError(t, err)
	return e.svc.NewContainerClient(name)
}

// anonymousContainer is a client that sends no credentials at all.
func (e *blobEnv) anonymousContainer(t *testing.T, name string) *container.Client {
	t.Helper()
	c, err := container.NewClientWithNoCredential(e.accountURL+"/"+name, &container.ClientOptions{ClientOptions: clientOptions(e.emu)})
	require.NoError(t, err)
	return c
}

func blobUpload(t *testing.T, c *container.Client, name, content string) blockblob.UploadResponse {
	t.Helper()
	resp, err := c.NewBlockBlobClient(name).Upload(context.Background(), streaming.NopCloser(strings.NewReader(content)), nil)
	require.NoError(t, err)
	return resp
}

func blobDownload(t *testing.T, b *blob.Client, opts *blob.DownloadStreamOptions) string {
	t.Helper()
	resp, err := b.DownloadStream(context.Background(), opts)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(data)
}

func hasBlobCode(t *testing.T, err error, code bloberror.Code) {
	t.Helper()
	require.Error(t, err)
	assert.True(t, bloberror.HasCode(err, code), "want %s, got %v", code, err)
}

func TestBlob(t *testing.T) {
	e := newBlobEnv(t)
	t.Run("ContainerLifecycle", e.testContainerLifecycle)
	t.Run("ContainerAccessPolicyAndAnonymous", e.testContainerAccess)
	t.Run("ContainerLease", e.testContainerLease)
	t.Run("BlobLease", e.testBlobLease)
	t.Run("BlockBlobStaging", e.testBlockStaging)
	t.Run("PropertiesMetadataConditions", e.testPropertiesAndConditions)
	t.Run("RangedDownloads", e.testRanges)
	t.Run("AppendBlob", e.testAppendBlob)
	t.Run("Snapshots", e.testSnapshots)
	t.Run("Copy", e.testCopy)
	t.Run("ListBlobsPagingAndDelimiter", e.testListBlobs)
	t.Run("SAS", e.testSAS)
	t.Run("WrongKey", e.testWrongKey)
	t.Run("ServicePropertiesAndCORS", e.testServiceProperties)
	t.Run("HostStyle", e.testHostStyle)
	t.Run("LargeStream", e.testLargeStream)
	t.Run("AccessTiers", e.testAccessTiers)
	t.Run("WireFidelity", e.testWireFidelity)
}

func (e *blobEnv) testContainerLifecycle(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "lifecycle", &container.CreateOptions{Metadata: map[string]*string{"owner": to.Ptr("azemu")}})

	_, err := e.svc.CreateContainer(ctx, "lifecycle", nil)
	hasBlobCode(t, err, bloberror.ContainerAlreadyExists)

	props, err := c.GetProperties(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, props.ETag)
	require.NotNil(t, props.LastModified)
	assert.Equal(t, "azemu", derefStr(blobMeta(props.Metadata, "owner")))
	assert.Equal(t, lease.StateTypeAvailable, *props.LeaseState)

	_, err = c.SetMetadata(ctx, &container.SetMetadataOptions{Metadata: map[string]*string{"stage": to.Ptr("two")}})
	require.NoError(t, err)
	props, err = c.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "two", derefStr(blobMeta(props.Metadata, "stage")))
	assert.Nil(t, blobMeta(props.Metadata, "owner"))

	_, err = c.SetMetadata(ctx, &container.SetMetadataOptions{Metadata: map[string]*string{"1bad": to.Ptr("x")}})
	hasBlobCode(t, err, bloberror.InvalidMetadata)

	pager := e.svc.NewListContainersPager(&service.ListContainersOptions{Prefix: to.Ptr("lifecycle"), Include: service.ListContainersInclude{Metadata: true}})
	var names []string
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, it := range page.ContainerItems {
			names = append(names, *it.Name)
			assert.Equal(t, "two", derefStr(it.Metadata["stage"]))
			require.NotNil(t, it.Properties.ETag)
		}
	}
	assert.Equal(t, []string{"lifecycle"}, names)

	stats, err := e.svc.GetStatistics(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, stats.GeoReplication)
	assert.Equal(t, service.BlobGeoReplicationStatusLive, *stats.GeoReplication.Status)

	info, err := e.svc.GetAccountInfo(ctx, nil)
	require.NoError(t, err)
	assert.NotNil(t, info.SKUName)
	assert.NotNil(t, info.AccountKind)

	_, err = c.Delete(ctx, nil)
	require.NoError(t, err)
	_, err = c.GetProperties(ctx, nil)
	hasBlobCode(t, err, bloberror.ContainerNotFound)
	_, err = c.Delete(ctx, nil)
	hasBlobCode(t, err, bloberror.ContainerNotFound)
	_, err = c.NewBlockBlobClient("x").Upload(ctx, streaming.NopCloser(strings.NewReader("x")), nil)
	hasBlobCode(t, err, bloberror.ContainerNotFound)
}

func (e *blobEnv) testContainerAccess(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "access", nil)
	blobUpload(t, c, "public.txt", "hello anonymous")
	anon := e.anonymousContainer(t, "access")

	// Private: anonymous reads fail as Azure hides private resources.
	_, err := anon.NewBlobClient("public.txt").DownloadStream(ctx, nil)
	hasBlobCode(t, err, bloberror.ResourceNotFound)

	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	expiry := start.Add(48 * time.Hour)
	_, err = c.SetAccessPolicy(ctx, &container.SetAccessPolicyOptions{
		Access: to.Ptr(container.PublicAccessTypeBlob),
		ContainerACL: []*container.SignedIdentifier{{
			ID:           to.Ptr("readers"),
			AccessPolicy: &container.AccessPolicy{Start: &start, Expiry: &expiry, Permission: to.Ptr("rl")},
		}},
	})
	require.NoError(t, err)
	acl, err := c.GetAccessPolicy(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, acl.BlobPublicAccess)
	assert.Equal(t, container.PublicAccessTypeBlob, *acl.BlobPublicAccess)
	require.Len(t, acl.SignedIdentifiers, 1)
	assert.Equal(t, "readers", *acl.SignedIdentifiers[0].ID)
	assert.Equal(t, "rl", *acl.SignedIdentifiers[0].AccessPolicy.Permission)
	assert.True(t, start.Equal(*acl.SignedIdentifiers[0].AccessPolicy.Start))

	// Blob level: anonymous blob reads work, listing does not.
	assert.Equal(t, "hello anonymous", blobDownload(t, anon.NewBlobClient("public.txt"), nil))
	_, err = anon.NewBlobClient("public.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	_, err = anon.NewListBlobsFlatPager(nil).NextPage(ctx)
	hasBlobCode(t, err, bloberror.ResourceNotFound)
	_, err = anon.NewBlockBlobClient("intruder.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("x")), nil)
	require.Error(t, err)

	// Container level: anonymous listing works too.
	_, err = c.SetAccessPolicy(ctx, &container.SetAccessPolicyOptions{Access: to.Ptr(container.PublicAccessTypeContainer)})
	require.NoError(t, err)
	page, err := anon.NewListBlobsFlatPager(nil).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.BlobItems, 1)
	assert.Equal(t, "public.txt", *page.Segment.BlobItems[0].Name)

	// Back to private.
	_, err = c.SetAccessPolicy(ctx, nil)
	require.NoError(t, err)
	_, err = anon.NewBlobClient("public.txt").DownloadStream(ctx, nil)
	hasBlobCode(t, err, bloberror.ResourceNotFound)
}

func (e *blobEnv) testContainerLease(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "leased", nil)
	lc, err := lease.NewContainerClient(c, nil)
	require.NoError(t, err)
	acq, err := lc.AcquireLease(ctx, -1, nil)
	require.NoError(t, err)
	assert.Equal(t, *lc.LeaseID(), *acq.LeaseID)

	_, err = c.Delete(ctx, nil)
	hasBlobCode(t, err, bloberror.LeaseIDMissing)
	props, err := c.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeLeased, *props.LeaseState)
	assert.Equal(t, lease.DurationTypeInfinite, *props.LeaseDuration)

	_, err = lc.RenewLease(ctx, nil)
	require.NoError(t, err)
	changed := "22222222-3333-4444-5555-666666666666"
	_, err = lc.ChangeLease(ctx, changed, nil)
	require.NoError(t, err)
	assert.Equal(t, changed, *lc.LeaseID())
	_, err = c.Delete(ctx, &container.DeleteOptions{AccessConditions: &container.AccessConditions{
		LeaseAccessConditions: &container.LeaseAccessConditions{LeaseID: to.Ptr("33333333-4444-5555-6666-777777777777")}}})
	hasBlobCode(t, err, bloberror.LeaseIDMismatchWithContainerOperation)
	_, err = lc.ReleaseLease(ctx, nil)
	require.NoError(t, err)

	_, err = lc.AcquireLease(ctx, 30, nil)
	require.NoError(t, err)
	brk, err := lc.BreakLease(ctx, &lease.ContainerBreakOptions{BreakPeriod: to.Ptr(int32(10))})
	require.NoError(t, err)
	assert.Equal(t, int32(10), *brk.LeaseTime)
	props, err = c.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeBreaking, *props.LeaseState)
	e.emu.AdvanceClock(ctx, 11*time.Second)
	props, err = c.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeBroken, *props.LeaseState)
	_, err = c.Delete(ctx, nil)
	require.NoError(t, err)
}

func (e *blobEnv) testBlobLease(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "bloblease", nil)
	blobUpload(t, c, "b", "v1")
	bb := c.NewBlockBlobClient("b")
	lc, err := lease.NewBlobClient(bb, nil)
	require.NoError(t, err)
	_, err = lc.AcquireLease(ctx, 15, nil)
	require.NoError(t, err)

	_, err = lc.AcquireLease(ctx, 15, &lease.BlobAcquireOptions{})
	require.NoError(t, err, "acquiring again with the same id renews")
	other, err := lease.NewBlobClient(bb, &lease.BlobClientOptions{LeaseID: to.Ptr("00000000-1111-2222-3333-444444444444")})
	require.NoError(t, err)
	_, err = other.AcquireLease(ctx, 15, nil)
	hasBlobCode(t, err, bloberror.LeaseAlreadyPresent)

	_, err = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("v2")), nil)
	hasBlobCode(t, err, bloberror.LeaseIDMissing)
	_, err = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("v2")), &blockblob.UploadOptions{
		AccessConditions: &blob.AccessConditions{LeaseAccessConditions: &blob.LeaseAccessConditions{LeaseID: to.Ptr("00000000-1111-2222-3333-444444444444")}},
	})
	hasBlobCode(t, err, bloberror.LeaseIDMismatchWithBlobOperation)
	_, err = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("v2")), &blockblob.UploadOptions{
		AccessConditions: &blob.AccessConditions{LeaseAccessConditions: &blob.LeaseAccessConditions{LeaseID: lc.LeaseID()}},
	})
	require.NoError(t, err)
	props, err := bb.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeLeased, *props.LeaseState)
	assert.Equal(t, lease.StatusTypeLocked, *props.LeaseStatus)
	assert.Equal(t, lease.DurationTypeFixed, *props.LeaseDuration)

	_, err = lc.RenewLease(ctx, nil)
	require.NoError(t, err)
	newID := "11111111-2222-3333-4444-555555555555"
	_, err = lc.ChangeLease(ctx, newID, nil)
	require.NoError(t, err)
	assert.Equal(t, newID, *lc.LeaseID())

	// A fixed lease expires on the emulator clock.
	e.emu.AdvanceClock(ctx, 20*time.Second)
	props, err = bb.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeExpired, *props.LeaseState)
	_, err = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("v3")), nil)
	require.NoError(t, err)

	_, err = lc.AcquireLease(ctx, -1, nil)
	require.NoError(t, err)
	brk, err := lc.BreakLease(ctx, &lease.BlobBreakOptions{BreakPeriod: to.Ptr(int32(0))})
	require.NoError(t, err)
	assert.Equal(t, int32(0), *brk.LeaseTime)
	props, err = bb.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeBroken, *props.LeaseState)
	_, err = lc.ReleaseLease(ctx, nil)
	require.NoError(t, err)
}

func stagedBlockID(n int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return base64.StdEncoding.EncodeToString(b[:])
}

func (e *blobEnv) testBlockStaging(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "blocks", nil)
	bb := c.NewBlockBlobClient("staged.bin")
	parts := []string{"alpha-", "beta-", "gamma"}
	for i, p := range parts {
		_, err := bb.StageBlock(ctx, stagedBlockID(i), streaming.NopCloser(strings.NewReader(p)), nil)
		require.NoError(t, err)
	}
	bl, err := bb.GetBlockList(ctx, blockblob.BlockListTypeAll, nil)
	require.NoError(t, err)
	assert.Empty(t, bl.CommittedBlocks)
	require.Len(t, bl.UncommittedBlocks, 3)
	assert.Equal(t, int64(5), *bl.UncommittedBlocks[1].Size)

	_, err = bb.CommitBlockList(ctx, []string{stagedBlockID(0), stagedBlockID(99)}, nil)
	hasBlobCode(t, err, bloberror.InvalidBlockList)

	_, err = bb.CommitBlockList(ctx, []string{stagedBlockID(2), stagedBlockID(0), stagedBlockID(1)}, &blockblob.CommitBlockListOptions{
		HTTPHeaders: &blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain")},
		Metadata:    map[string]*string{"kind": to.Ptr("staged")},
	})
	require.NoError(t, err)
	assert.Equal(t, "gammaalpha-beta-", blobDownload(t, bb.BlobClient(), nil))
	bl, err = bb.GetBlockList(ctx, blockblob.BlockListTypeCommitted, nil)
	require.NoError(t, err)
	require.Len(t, bl.CommittedBlocks, 3)
	assert.Equal(t, stagedBlockID(2), *bl.CommittedBlocks[0].Name)
	assert.Equal(t, int64(16), *bl.BlobContentLength)

	// Re-commit reusing committed blocks plus a new one.
	_, err = bb.StageBlock(ctx, stagedBlockID(3), streaming.NopCloser(strings.NewReader("+delta")), nil)
	require.NoError(t, err)
	_, err = bb.CommitBlockList(ctx, []string{stagedBlockID(0), stagedBlockID(3)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "alpha-+delta", blobDownload(t, bb.BlobClient(), nil))

	// A transactional MD5 that does not match the body is rejected.
	bad := md5.Sum([]byte("something else"))
	_, err = bb.StageBlock(ctx, stagedBlockID(4), streaming.NopCloser(strings.NewReader("payload")), &blockblob.StageBlockOptions{
		TransactionalValidation: blob.TransferValidationTypeMD5(bad[:]),
	})
	hasBlobCode(t, err, bloberror.MD5Mismatch)
	_, err = bb.Upload(ctx, streaming.NopCloser(strings.NewReader("payload")), &blockblob.UploadOptions{
		TransactionalValidation: blob.TransferValidationTypeMD5(bad[:]),
	})
	hasBlobCode(t, err, bloberror.MD5Mismatch)
	good := md5.Sum([]byte("payload"))
	resp, err := bb.Upload(ctx, streaming.NopCloser(strings.NewReader("payload")), &blockblob.UploadOptions{
		TransactionalValidation: blob.TransferValidationTypeMD5(good[:]),
	})
	require.NoError(t, err)
	assert.Equal(t, good[:], resp.ContentMD5)

	// Transactional CRC64, as the SDK computes it.
	crcResp, err := bb.StageBlock(ctx, stagedBlockID(5), streaming.NopCloser(strings.NewReader("payload")), &blockblob.StageBlockOptions{
		TransactionalValidation: blob.TransferValidationTypeComputeCRC64(),
	})
	require.NoError(t, err)
	assert.Len(t, crcResp.ContentCRC64, 8)
	_, err = bb.StageBlock(ctx, stagedBlockID(6), streaming.NopCloser(strings.NewReader("payload")), &blockblob.StageBlockOptions{
		TransactionalValidation: blob.TransferValidationTypeCRC64(12345),
	})
	hasBlobCode(t, err, bloberror.CRC64Mismatch)

	_, err = c.NewBlobClient("missing").GetProperties(ctx, nil)
	hasBlobCode(t, err, bloberror.BlobNotFound)
	_, err = c.NewBlobClient("missing").Delete(ctx, nil)
	hasBlobCode(t, err, bloberror.BlobNotFound)
}

func (e *blobEnv) testPropertiesAndConditions(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "props", nil)
	up := blobUpload(t, c, "p.txt", "properties")
	b := c.NewBlobClient("p.txt")

	_, err := b.SetHTTPHeaders(ctx, blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain"), BlobContentLanguage: to.Ptr("en"), BlobCacheControl: to.Ptr("no-cache")}, nil)
	require.NoError(t, err)
	_, err = b.SetMetadata(ctx, map[string]*string{"color": to.Ptr("blue")}, nil)
	require.NoError(t, err)
	props, err := b.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "text/plain", *props.ContentType)
	assert.Equal(t, "en", *props.ContentLanguage)
	assert.Equal(t, "no-cache", *props.CacheControl)
	assert.Equal(t, int64(10), *props.ContentLength)
	assert.Equal(t, "blue", derefStr(blobMeta(props.Metadata, "color")))
	assert.Equal(t, "BlockBlob", string(*props.BlobType))
	require.NotNil(t, props.IsServerEncrypted)
	assert.True(t, *props.IsServerEncrypted)
	require.NotNil(t, props.CreationTime)
	assert.NotEqual(t, *up.ETag, *props.ETag, "metadata changes the ETag")

	_, err = b.SetTier(ctx, blob.AccessTierHot, nil)
	require.NoError(t, err)
	assert.Equal(t, "Hot", derefStr(props.AccessTier))

	wrong := azcore.ETag(`"0x0BAD"`)
	_, err = b.SetMetadata(ctx, map[string]*string{"x": to.Ptr("y")}, &blob.SetMetadataOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &wrong}},
	})
	hasBlobCode(t, err, bloberror.ConditionNotMet)
	_, err = b.DownloadStream(ctx, &blob.DownloadStreamOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &wrong}},
	})
	hasBlobCode(t, err, bloberror.ConditionNotMet)
	_, err = b.GetProperties(ctx, &blob.GetPropertiesOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: props.ETag}},
	})
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusNotModified, re.StatusCode)
	_, err = b.DownloadStream(ctx, &blob.DownloadStreamOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: props.ETag}},
	})
	require.NoError(t, err)
	future := time.Now().Add(time.Hour)
	_, err = c.NewBlockBlobClient("p.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("new")), &blockblob.UploadOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfModifiedSince: &future}},
	})
	hasBlobCode(t, err, bloberror.ConditionNotMet)
	_, err = c.NewBlockBlobClient("p.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("new")), &blockblob.UploadOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}},
	})
	hasBlobCode(t, err, bloberror.BlobAlreadyExists)
}

func (e *blobEnv) testRanges(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "ranges", nil)
	content := strings.Repeat("0123456789", 1000) // 10000 bytes
	sum := md5.Sum([]byte(content))
	_, err := c.NewBlockBlobClient("r.bin").Upload(ctx, streaming.NopCloser(strings.NewReader(content)), &blockblob.UploadOptions{
		HTTPHeaders: &blob.HTTPHeaders{BlobContentMD5: sum[:]},
	})
	require.NoError(t, err)
	b := c.NewBlobClient("r.bin")

	resp, err := b.DownloadStream(ctx, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 5, Count: 10}, RangeGetContentMD5: to.Ptr(true)})
	require.NoError(t, err)
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, content[5:15], string(data))
	assert.Equal(t, "bytes 5-14/10000", *resp.ContentRange)
	rangeSum := md5.Sum([]byte(content[5:15]))
	assert.Equal(t, rangeSum[:], resp.ContentMD5)
	assert.Equal(t, sum[:], resp.BlobContentMD5)

	assert.Equal(t, content[9990:], blobDownload(t, b, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 9990}}))
	assert.Equal(t, content[9000:], blobDownload(t, b, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 9000, Count: 5000}}))
	_, err = b.DownloadStream(ctx, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 10000, Count: 5}})
	hasBlobCode(t, err, bloberror.InvalidRange)

	full, err := b.DownloadStream(ctx, nil)
	require.NoError(t, err)
	full.Body.Close()
	assert.Equal(t, sum[:], full.ContentMD5)
	assert.Equal(t, int64(10000), *full.ContentLength)
	assert.Equal(t, "bytes", *full.AcceptRanges)

	buf := make([]byte, 10000)
	n, err := b.DownloadBuffer(ctx, buf, &blob.DownloadBufferOptions{BlockSize: 1024, Concurrency: 4})
	require.NoError(t, err)
	assert.Equal(t, int64(10000), n)
	assert.Equal(t, content, string(buf))
}

func (e *blobEnv) testAppendBlob(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "append", nil)
	ab := c.NewAppendBlobClient("log.txt")
	_, err := ab.Create(ctx, &appendblob.CreateOptions{HTTPHeaders: &blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain")}})
	require.NoError(t, err)
	var offset int64
	for i, line := range []string{"one\n", "two\n", "three\n"} {
		resp, err := ab.AppendBlock(ctx, streaming.NopCloser(strings.NewReader(line)), &appendblob.AppendBlockOptions{
			AppendPositionAccessConditions: &appendblob.AppendPositionAccessConditions{AppendPosition: to.Ptr(offset)},
		})
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint(offset), *resp.BlobAppendOffset)
		assert.Equal(t, int32(i+1), *resp.BlobCommittedBlockCount)
		offset += int64(len(line))
	}
	_, err = ab.AppendBlock(ctx, streaming.NopCloser(strings.NewReader("x")), &appendblob.AppendBlockOptions{
		AppendPositionAccessConditions: &appendblob.AppendPositionAccessConditions{AppendPosition: to.Ptr(int64(3))},
	})
	hasBlobCode(t, err, bloberror.AppendPositionConditionNotMet)
	_, err = ab.AppendBlock(ctx, streaming.NopCloser(strings.NewReader("xxxxxxxx")), &appendblob.AppendBlockOptions{
		AppendPositionAccessConditions: &appendblob.AppendPositionAccessConditions{MaxSize: to.Ptr(offset + 2)},
	})
	hasBlobCode(t, err, bloberror.MaxBlobSizeConditionNotMet)
	wrong := azcore.ETag(`"0x0BAD"`)
	_, err = ab.AppendBlock(ctx, streaming.NopCloser(strings.NewReader("x")), &appendblob.AppendBlockOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &wrong}},
	})
	hasBlobCode(t, err, bloberror.ConditionNotMet)

	assert.Equal(t, "one\ntwo\nthree\n", blobDownload(t, ab.BlobClient(), nil))
	props, err := ab.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, blob.BlobTypeAppendBlob, *props.BlobType)
	assert.Equal(t, int32(3), *props.BlobCommittedBlockCount)

	_, err = c.NewBlockBlobClient("log.txt").StageBlock(ctx, stagedBlockID(0), streaming.NopCloser(strings.NewReader("x")), nil)
	hasBlobCode(t, err, bloberror.InvalidBlobType)
}

func (e *blobEnv) testSnapshots(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "snaps", nil)
	blobUpload(t, c, "s.txt", "version one")
	b := c.NewBlobClient("s.txt")
	snap, err := b.CreateSnapshot(ctx, nil)
	require.NoError(t, err)
	require.NotEmpty(t, *snap.Snapshot)
	blobUpload(t, c, "s.txt", "version two")

	sb, err := b.WithSnapshot(*snap.Snapshot)
	require.NoError(t, err)
	assert.Equal(t, "version one", blobDownload(t, sb, nil))
	assert.Equal(t, "version two", blobDownload(t, b, nil))

	page, err := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Include: container.ListBlobsInclude{Snapshots: true}}).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.BlobItems, 2)
	assert.Equal(t, *snap.Snapshot, derefStr(page.Segment.BlobItems[0].Snapshot), "snapshots list before their base blob")

	_, err = b.Delete(ctx, nil)
	hasBlobCode(t, err, bloberror.SnapshotsPresent)
	_, err = b.Delete(ctx, &blob.DeleteOptions{DeleteSnapshots: to.Ptr(blob.DeleteSnapshotsOptionTypeInclude)})
	require.NoError(t, err)
	_, err = sb.GetProperties(ctx, nil)
	hasBlobCode(t, err, bloberror.BlobNotFound)
}

func (e *blobEnv) testCopy(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "copies", nil)
	blobUpload(t, c, "src.txt", "copy me")
	_, err := c.NewBlobClient("src.txt").SetMetadata(ctx, map[string]*string{"origin": to.Ptr("src")}, nil)
	require.NoError(t, err)
	src := c.NewBlobClient("src.txt")

	dst := c.NewBlobClient("dst.txt")
	resp, err := dst.StartCopyFromURL(ctx, src.URL(), nil)
	require.NoError(t, err)
	require.NotNil(t, resp.CopyID)
	assert.Equal(t, blob.CopyStatusTypeSuccess, *resp.CopyStatus)
	assert.Equal(t, "copy me", blobDownload(t, dst, nil))
	props, err := dst.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, *resp.CopyID, *props.CopyID)
	assert.Equal(t, "src", derefStr(blobMeta(props.Metadata, "origin")))

	_, err = dst.AbortCopyFromURL(ctx, *resp.CopyID, nil)
	require.Error(t, err, "a completed copy cannot be aborted")

	// Synchronous copy with a SAS on the source, as Copy Blob From URL requires.
	srcSAS, err := src.GetSASURL(sas.BlobPermissions{Read: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	sync, err := c.NewBlobClient("sync.txt").CopyFromURL(ctx, srcSAS, &blob.CopyFromURLOptions{Metadata: map[string]*string{"mode": to.Ptr("sync")}})
	require.NoError(t, err)
	assert.Equal(t, "success", string(*sync.CopyStatus))
	assert.Equal(t, "copy me", blobDownload(t, c.NewBlobClient("sync.txt"), nil))

	// *FromURL operations read the source through the emulator.
	bb := c.NewBlockBlobClient("assembled.txt")
	_, err = bb.StageBlockFromURL(ctx, stagedBlockID(0), srcSAS, &blockblob.StageBlockFromURLOptions{Range: blob.HTTPRange{Offset: 5, Count: 2}})
	require.NoError(t, err)
	_, err = bb.StageBlockFromURL(ctx, stagedBlockID(1), srcSAS, nil)
	require.NoError(t, err)
	_, err = bb.CommitBlockList(ctx, []string{stagedBlockID(0), stagedBlockID(1)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "mecopy me", blobDownload(t, bb.BlobClient(), nil))
	ab := c.NewAppendBlobClient("appended.txt")
	_, err = ab.Create(ctx, nil)
	require.NoError(t, err)
	_, err = ab.AppendBlockFromURL(ctx, srcSAS, &appendblob.AppendBlockFromURLOptions{Range: blob.HTTPRange{Offset: 0, Count: 4}})
	require.NoError(t, err)
	assert.Equal(t, "copy", blobDownload(t, ab.BlobClient(), nil))
	_, err = c.NewBlockBlobClient("fromurl.txt").UploadBlobFromURL(ctx, srcSAS, nil)
	require.NoError(t, err)
	assert.Equal(t, "copy me", blobDownload(t, c.NewBlobClient("fromurl.txt"), nil))
	props, err = c.NewBlobClient("fromurl.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Nil(t, props.CopyID, "Put Blob From URL records no copy")
	assert.Nil(t, blobMeta(props.Metadata, "origin"), "Put Blob From URL does not copy the source's metadata")

	// Synchronous copies need a SAS (or public access) on the source even
	// within the account, as on Azure; the asynchronous Copy Blob does not.
	_, err = c.NewBlobClient("nosas.txt").CopyFromURL(ctx, src.URL(), nil)
	hasBlobCode(t, err, bloberror.CannotVerifyCopySource)
	_, err = c.NewBlockBlobClient("nosas.txt").UploadBlobFromURL(ctx, src.URL(), nil)
	hasBlobCode(t, err, bloberror.CannotVerifyCopySource)
	_, err = bb.StageBlockFromURL(ctx, stagedBlockID(2), c.NewBlobClient("nope.txt").URL(), nil)
	hasBlobCode(t, err, bloberror.CannotVerifyCopySource)

	_, err = c.NewBlobClient("dst2.txt").StartCopyFromURL(ctx, c.NewBlobClient("nope.txt").URL(), nil)
	require.Error(t, err)
	assert.True(t, bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.CannotVerifyCopySource), "got %v", err)

	wrong := azcore.ETag(`"0x0BAD"`)
	_, err = c.NewBlobClient("dst3.txt").StartCopyFromURL(ctx, src.URL(), &blob.StartCopyFromURLOptions{
		SourceModifiedAccessConditions: &blob.SourceModifiedAccessConditions{SourceIfMatch: &wrong},
	})
	hasBlobCode(t, err, bloberror.SourceConditionNotMet)
}

func (e *blobEnv) testListBlobs(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "listing", nil)
	var want []string
	for i := 0; i < 12; i++ {
		for _, dir := range []string{"a/", "b/"} {
			name := fmt.Sprintf("%sblob%02d", dir, i)
			want = append(want, name)
		}
	}
	want = append(want, "root1", "root2")
	for _, name := range want {
		blobUpload(t, c, name, name)
	}
	_, err := c.NewBlobClient("root1").SetMetadata(ctx, map[string]*string{"tag": to.Ptr("r1")}, nil)
	require.NoError(t, err)

	// 26 blobs in pages of 10: three pages, in name order.
	pager := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{MaxResults: to.Ptr(int32(10)), Include: container.ListBlobsInclude{Metadata: true}})
	var got []string
	pages := 0
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, it := range page.Segment.BlobItems {
			got = append(got, *it.Name)
			assert.Equal(t, int64(len(*it.Name)), *it.Properties.ContentLength)
			if *it.Name == "root1" {
				assert.Equal(t, "r1", derefStr(it.Metadata["tag"]))
			}
		}
	}
	assert.Equal(t, 3, pages)
	sortedWant := append([]string(nil), want...)
	sortNames(sortedWant)
	assert.Equal(t, sortedWant, got)

	// Delimiter: prefixes a/ and b/, blobs root1 and root2.
	hp := c.NewListBlobsHierarchyPager("/", nil)
	var prefixes, blobs []string
	for hp.More() {
		page, err := hp.NextPage(ctx)
		require.NoError(t, err)
		for _, p := range page.Segment.BlobPrefixes {
			prefixes = append(prefixes, *p.Name)
		}
		for _, b := range page.Segment.BlobItems {
			blobs = append(blobs, *b.Name)
		}
	}
	assert.Equal(t, []string{"a/", "b/"}, prefixes)
	assert.Equal(t, []string{"root1", "root2"}, blobs)

	page, err := c.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: to.Ptr("b/")}).NextPage(ctx)
	require.NoError(t, err)
	assert.Len(t, page.Segment.BlobItems, 12)
	assert.Empty(t, page.Segment.BlobPrefixes)

	_, err = e.svc.NewContainerClient("no-such-container").NewListBlobsFlatPager(nil).NextPage(ctx)
	hasBlobCode(t, err, bloberror.ContainerNotFound)
}

func (e *blobEnv) testSAS(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "sas", nil)
	blobUpload(t, c, "doc.txt", "signed content")
	opts := &blob.ClientOptions{ClientOptions: clientOptions(e.emu)}
	copts := &container.ClientOptions{ClientOptions: clientOptions(e.emu)}
	expiry := time.Now().Add(time.Hour)

	// Service SAS for one blob, from the blob client's builder.
	u, err := c.NewBlobClient("doc.txt").GetSASURL(sas.BlobPermissions{Read: true}, expiry, nil)
	require.NoError(t, err)
	bc, err := blob.NewClientWithNoCredential(u, opts)
	require.NoError(t, err)
	assert.Equal(t, "signed content", blobDownload(t, bc, nil))
	_, err = bc.SetMetadata(ctx, map[string]*string{"x": to.Ptr("y")}, nil)
	hasBlobCode(t, err, bloberror.AuthorizationPermissionMismatch)

	// Service SAS with response header overrides.
	qp, err := sas.BlobSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: expiry, Permissions: (&sas.BlobPermissions{Read: true}).String(),
		ContainerName: "sas", BlobName: "doc.txt", ContentType: "application/x-azemu", ContentDisposition: "attachment",
	}.SignWithSharedKey(e.cred)
	require.NoError(t, err)
	bc, err = blob.NewClientWithNoCredential(c.NewBlobClient("doc.txt").URL()+"?"+qp.Encode(), opts)
	require.NoError(t, err)
	resp, err := bc.DownloadStream(ctx, nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "application/x-azemu", *resp.ContentType)
	assert.Equal(t, "attachment", *resp.ContentDisposition)

	// Container SAS: list and write.
	cu, err := c.GetSASURL(sas.ContainerPermissions{List: true, Write: true, Read: true}, expiry, nil)
	require.NoError(t, err)
	cc, err := container.NewClientWithNoCredential(cu, copts)
	require.NoError(t, err)
	page, err := cc.NewListBlobsFlatPager(nil).NextPage(ctx)
	require.NoError(t, err)
	assert.Len(t, page.Segment.BlobItems, 1)
	_, err = cc.NewBlockBlobClient("via-sas.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("w")), nil)
	require.NoError(t, err)
	_, err = cc.NewBlobClient("via-sas.txt").Delete(ctx, nil)
	hasBlobCode(t, err, bloberror.AuthorizationPermissionMismatch)

	// A create-only SAS may create a blob but not overwrite it.
	cu, err = c.GetSASURL(sas.ContainerPermissions{Create: true}, expiry, nil)
	require.NoError(t, err)
	cc, err = container.NewClientWithNoCredential(cu, copts)
	require.NoError(t, err)
	_, err = cc.NewBlockBlobClient("created-once.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("1")), nil)
	require.NoError(t, err)
	_, err = cc.NewBlockBlobClient("created-once.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("2")), nil)
	hasBlobCode(t, err, bloberror.AuthorizationPermissionMismatch)

	// Stored access policy: the SAS names the policy, which grants read.
	start := time.Now().UTC().Add(-time.Hour)
	_, err = c.SetAccessPolicy(ctx, &container.SetAccessPolicyOptions{ContainerACL: []*container.SignedIdentifier{{
		ID: to.Ptr("read-policy"), AccessPolicy: &container.AccessPolicy{Start: &start, Expiry: &expiry, Permission: to.Ptr("r")},
	}}})
	require.NoError(t, err)
	qp, err = sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, Identifier: "read-policy", ContainerName: "sas", BlobName: "doc.txt"}.SignWithSharedKey(e.cred)
	require.NoError(t, err)
	bc, err = blob.NewClientWithNoCredential(c.NewBlobClient("doc.txt").URL()+"?"+qp.Encode(), opts)
	require.NoError(t, err)
	assert.Equal(t, "signed content", blobDownload(t, bc, nil))
	_, err = bc.Delete(ctx, nil)
	hasBlobCode(t, err, bloberror.AuthorizationPermissionMismatch)

	// Account SAS from the service client's builder.
	au, err := e.svc.GetSASURL(sas.AccountResourceTypes{Service: true, Container: true, Object: true},
		sas.AccountPermissions{Read: true, List: true}, expiry, nil)
	require.NoError(t, err)
	sc, err := service.NewClientWithNoCredential(au, blobClientOptions(e.emu))
	require.NoError(t, err)
	cpage, err := sc.NewListContainersPager(&service.ListContainersOptions{Prefix: to.Ptr("sas")}).NextPage(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, cpage.ContainerItems)
	assert.Equal(t, "signed content", blobDownload(t, sc.NewContainerClient("sas").NewBlobClient("doc.txt"), nil))
	_, err = sc.CreateContainer(ctx, "sas-denied", nil)
	hasBlobCode(t, err, bloberror.AuthorizationPermissionMismatch)

	// An expired SAS fails authentication.
	qp, err = sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(-time.Minute),
		Permissions: "r", ContainerName: "sas", BlobName: "doc.txt"}.SignWithSharedKey(e.cred)
	require.NoError(t, err)
	bc, err = blob.NewClientWithNoCredential(c.NewBlobClient("doc.txt").URL()+"?"+qp.Encode(), opts)
	require.NoError(t, err)
	_, err = bc.DownloadStream(ctx, nil)
	hasBlobCode(t, err, bloberror.AuthenticationFailed)
}

func (e *blobEnv) testWrongKey(t *testing.T) {
	ctx := context.Background()
	e.container(t, "wrongkey", nil)
	wrong, err := azblob.NewSharedKeyCredential(emulator.DevAccountName, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 64)))
	require.NoError(t, err)
	sc, err := service.NewClientWithSharedKeyCredential(e.accountURL, wrong, blobClientOptions(e.emu))
	require.NoError(t, err)
	_, err = sc.NewContainerClient("wrongkey").GetProperties(ctx, nil)
	hasBlobCode(t, err, bloberror.AuthenticationFailed)
	_, err = sc.NewListContainersPager(nil).NextPage(ctx)
	hasBlobCode(t, err, bloberror.AuthenticationFailed)
}

func (e *blobEnv) testServiceProperties(t *testing.T) {
	ctx := context.Background()
	_, err := e.svc.SetProperties(ctx, &service.SetPropertiesOptions{
		CORS: []*service.CORSRule{{
			AllowedOrigins: to.Ptr("https://app.example"), AllowedMethods: to.Ptr("GET,PUT"),
			AllowedHeaders: to.Ptr("x-ms-*,content-type"), ExposedHeaders: to.Ptr("x-ms-meta-*"), MaxAgeInSeconds: to.Ptr(int32(300)),
		}},
		DeleteRetentionPolicy: &service.RetentionPolicy{Enabled: to.Ptr(false)},
	})
	require.NoError(t, err)
	props, err := e.svc.GetProperties(ctx, nil)
	require.NoError(t, err)
	require.Len(t, props.CORS, 1)
	assert.Equal(t, "https://app.example", *props.CORS[0].AllowedOrigins)
	assert.Equal(t, int32(300), *props.CORS[0].MaxAgeInSeconds)

	c := e.container(t, "cors", nil)
	blobUpload(t, c, "c.txt", "cors")
	client := httpClient(e.emu)

	pre, err := http.NewRequest(http.MethodOptions, c.NewBlobClient("c.txt").URL(), nil)
	require.NoError(t, err)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "PUT")
	pre.Header.Set("Access-Control-Request-Headers", "x-ms-blob-type,content-type")
	res, err := client.Do(pre)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "https://app.example", res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "PUT", res.Header.Get("Access-Control-Allow-Methods"))
	assert.Equal(t, "300", res.Header.Get("Access-Control-Max-Age"))

	pre.Header.Set("Origin", "https://evil.example")
	res, err = client.Do(pre)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Equal(t, "CorsPreflightFailure", res.Header.Get("x-ms-error-code"))

	// An actual request with Origin gets the CORS response headers.
	_, err = c.SetAccessPolicy(ctx, &container.SetAccessPolicyOptions{Access: to.Ptr(container.PublicAccessTypeBlob)})
	require.NoError(t, err)
	get, err := http.NewRequest(http.MethodGet, c.NewBlobClient("c.txt").URL(), nil)
	require.NoError(t, err)
	get.Header.Set("Origin", "https://app.example")
	res, err = client.Do(get)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "cors", string(body))
	assert.Equal(t, "https://app.example", res.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, res.Header.Get("Access-Control-Expose-Headers"), "the blob has no metadata headers to expose")

	// Azure expands the rule's x-ms-meta-* to the metadata headers the
	// response carries: browsers do not expand patterns themselves.
	_, err = c.NewBlobClient("c.txt").SetMetadata(ctx, map[string]*string{"color": to.Ptr("blue")}, nil)
	require.NoError(t, err)
	res, err = client.Do(get)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "x-ms-meta-color", res.Header.Get("Access-Control-Expose-Headers"))
	assert.Equal(t, "true", res.Header.Get("Access-Control-Allow-Credentials"))
	assert.Equal(t, "Origin", res.Header.Get("Vary"))

	_, err = e.svc.SetProperties(ctx, &service.SetPropertiesOptions{CORS: []*service.CORSRule{}})
	require.NoError(t, err)
}

func (e *blobEnv) testHostStyle(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "hoststyle", nil)
	blobUpload(t, c, "dir/h.txt", "host style")
	hostURL := strings.Replace(e.emu.BlobURL(), "127.0.0.1", emulator.DevAccountName+".blob.localhost", 1)
	sc, err := service.NewClientWithSharedKeyCredential(hostURL+"/", e.cred, blobClientOptions(e.emu))
	require.NoError(t, err)
	assert.Equal(t, "host style", blobDownload(t, sc.NewContainerClient("hoststyle").NewBlobClient("dir/h.txt"), nil))
	_, err = sc.NewContainerClient("hoststyle").NewBlockBlobClient("x y+z%.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("odd name")), nil)
	require.NoError(t, err)
	assert.Equal(t, "odd name", blobDownload(t, c.NewBlobClient("x y+z%.txt"), nil))
}

// prngReader is a deterministic pseudo-random stream of n bytes: the same
// seed gives the same bytes, so upload and download can be compared by hash
// without holding either in memory.
type prngReader struct {
	rng *rand.ChaCha8
	n   int64
}

func newPRNGReader(seed byte, n int64) *prngReader {
	var s [32]byte
	s[0] = seed
	return &prngReader{rng: rand.NewChaCha8(s), n: n}
}

func (p *prngReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	n, _ := p.rng.Read(b)
	p.n -= int64(n)
	return n, nil
}

func (e *blobEnv) testLargeStream(t *testing.T) {
	if testing.Short() {
		t.Skip("256 MiB stream skipped with -short")
	}
	ctx := context.Background()
	const size = 256 << 20
	c := e.container(t, "large", nil)
	bb := c.NewBlockBlobClient("big.bin")

	want := sha256.New()
	_, err := io.Copy(want, newPRNGReader(42, size))
	require.NoError(t, err)
	wantSum := want.Sum(nil)

	_, err = bb.UploadStream(ctx, newPRNGReader(42, size), &blockblob.UploadStreamOptions{BlockSize: 8 << 20, Concurrency: 4})
	require.NoError(t, err)
	props, err := bb.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(size), *props.ContentLength)

	resp, err := bb.DownloadStream(ctx, nil)
	require.NoError(t, err)
	got := sha256.New()
	n, err := io.Copy(got, resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, int64(size), n)
	assert.Equal(t, wantSum, got.Sum(nil), "DownloadStream content differs")

	f, err := os.Create(filepath.Join(t.TempDir(), "big.bin"))
	require.NoError(t, err)
	defer f.Close()
	n, err = bb.DownloadFile(ctx, f, &blob.DownloadFileOptions{BlockSize: 8 << 20, Concurrency: 4})
	require.NoError(t, err)
	assert.Equal(t, int64(size), n)
	_, err = f.Seek(0, io.SeekStart)
	require.NoError(t, err)
	got.Reset()
	_, err = io.Copy(got, f)
	require.NoError(t, err)
	assert.Equal(t, wantSum, got.Sum(nil), "parallel DownloadFile content differs")
}

// lookupMeta finds a metadata value whatever case the SDK gave its key (Go's
// HTTP client canonicalises response header names).
// testAccessTiers: Set Blob Tier through the SDK, the tier and its change
// time in Get Blob Properties and List Blobs, tier inheritance on overwrite,
// and Archive refused (azemu keeps every blob online).
func (e *blobEnv) testAccessTiers(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "tiers", nil)
	blobUpload(t, c, "b.txt", "tiered")
	b := c.NewBlobClient("b.txt")
	props, err := b.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "Hot", derefStr(props.AccessTier))
	assert.True(t, props.AccessTierInferred != nil && *props.AccessTierInferred)
	assert.Nil(t, props.AccessTierChangeTime)
	etag := *props.ETag

	_, err = b.SetTier(ctx, blob.AccessTierCool, nil)
	require.NoError(t, err)
	props, err = b.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "Cool", derefStr(props.AccessTier))
	assert.Nil(t, props.AccessTierInferred)
	require.NotNil(t, props.AccessTierChangeTime)
	assert.Equal(t, etag, *props.ETag, "Set Blob Tier keeps the ETag")
	dl, err := b.DownloadStream(ctx, nil)
	require.NoError(t, err)
	_ = dl.Body.Close()
	assert.Equal(t, "Cool", derefStr(dl.AccessTier), "Get Blob reports the tier too")

	pager := c.NewListBlobsFlatPager(nil)
	page, err := pager.NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.BlobItems, 1)
	item := page.Segment.BlobItems[0].Properties
	assert.Equal(t, blob.AccessTierCool, *item.AccessTier)
	assert.False(t, *item.AccessTierInferred)
	require.NotNil(t, item.AccessTierChangeTime)
	assert.Equal(t, props.AccessTierChangeTime.UTC(), item.AccessTierChangeTime.UTC())

	blobUpload(t, c, "b.txt", "overwritten")
	props, err = b.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "Cool", derefStr(props.AccessTier), "an overwrite without a tier keeps the tier")

	_, err = c.NewBlockBlobClient("cold.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("c")), &blockblob.UploadOptions{Tier: to.Ptr(blob.AccessTierCold)})
	require.NoError(t, err)
	props, err = c.NewBlobClient("cold.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "Cold", derefStr(props.AccessTier))

	_, err = b.SetTier(ctx, blob.AccessTierArchive, nil)
	hasBlobCode(t, err, "FeatureNotSupportedByEmulator")
	ab := c.NewAppendBlobClient("append.txt")
	_, err = ab.Create(ctx, nil)
	require.NoError(t, err)
	_, err = ab.BlobClient().SetTier(ctx, blob.AccessTierCool, nil)
	hasBlobCode(t, err, bloberror.InvalidBlobType)
}

// testWireFidelity checks response details the SDK exposes against what
// Azure sends: transactional CRC64s, List Blobs ETags (unquoted there),
// the default content type, container immutability flags, copy properties
// ending with Set Blob Properties, a lease id on a blob that does not exist,
// and a delimiter listing that asks for snapshots.
func (e *blobEnv) testWireFidelity(t *testing.T) {
	ctx := context.Background()
	c := e.container(t, "fidelity", nil)
	// Put Blob always returns Content-MD5. azemu computes a CRC64 only when
	// the client sends one to check (the SDK's TransactionalValidation),
	// where Azure also returns one unasked.
	up := blobUpload(t, c, "a.txt", "hello")
	assert.NotNil(t, up.ContentMD5)
	crc := blob.TransferValidationTypeComputeCRC64()
	upc, err := c.NewBlockBlobClient("crc.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("hello")),
		&blockblob.UploadOptions{TransactionalValidation: crc})
	require.NoError(t, err)
	assert.NotNil(t, upc.ContentCRC64, "Put Blob echoes the checked x-ms-content-crc64")

	bb := c.NewBlockBlobClient("blocks.txt")
	st, err := bb.StageBlock(ctx, stagedBlockID(0), streaming.NopCloser(strings.NewReader("abc")),
		&blockblob.StageBlockOptions{TransactionalValidation: crc})
	require.NoError(t, err)
	assert.NotNil(t, st.ContentCRC64, "Put Block echoes the checked x-ms-content-crc64")
	assert.Nil(t, st.ContentMD5)
	_, err = bb.CommitBlockList(ctx, []string{stagedBlockID(0)}, nil)
	require.NoError(t, err)
	ab := c.NewAppendBlobClient("log.txt")
	_, err = ab.Create(ctx, nil)
	require.NoError(t, err)
	ap, err := ab.AppendBlock(ctx, streaming.NopCloser(strings.NewReader("line")),
		&appendblob.AppendBlockOptions{TransactionalValidation: crc})
	require.NoError(t, err)
	assert.NotNil(t, ap.ContentCRC64)

	props, err := c.NewBlobClient("a.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "application/octet-stream", derefStr(props.ContentType))
	page, err := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr("a.txt")}).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.BlobItems, 1)
	item := page.Segment.BlobItems[0].Properties
	assert.Equal(t, strings.Trim(string(*props.ETag), `"`), string(*item.ETag), "List Blobs sends the ETag unquoted, as Azure does")
	assert.Equal(t, "application/octet-stream", derefStr(item.ContentType), "a blob created without a content type lists application/octet-stream")

	cp, err := c.GetProperties(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, cp.IsImmutableStorageWithVersioningEnabled)
	assert.False(t, *cp.IsImmutableStorageWithVersioningEnabled)

	dst := c.NewBlobClient("copy.txt")
	_, err = dst.StartCopyFromURL(ctx, c.NewBlobClient("a.txt").URL(), nil)
	require.NoError(t, err)
	_, err = dst.SetHTTPHeaders(ctx, blob.HTTPHeaders{BlobContentType: to.Ptr("text/plain")}, nil)
	require.NoError(t, err)
	props, err = dst.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Nil(t, props.CopyID, "Set Blob Properties ends the copy properties")

	leaseID := "0f8fad5b-d9cb-469f-a165-70867728950e"
	_, err = c.NewBlockBlobClient("absent.txt").Upload(ctx, streaming.NopCloser(strings.NewReader("x")), &blockblob.UploadOptions{
		AccessConditions: &blob.AccessConditions{LeaseAccessConditions: &blob.LeaseAccessConditions{LeaseID: &leaseID}}})
	hasBlobCode(t, err, bloberror.LeaseNotPresentWithBlobOperation)

	_, err = c.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Include: container.ListBlobsInclude{Snapshots: true}}).NextPage(ctx)
	hasBlobCode(t, err, bloberror.InvalidQueryParameterValue)
}

func blobMeta(md map[string]*string, key string) *string {
	for k, v := range md {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sortNames(s []string) { slices.Sort(s) }

// TestBlobSurvivesRestartEncrypted writes through the SDK, restarts azemu on
// the same data folder, reads everything back, and checks that neither the
// content nor the metadata appears in plaintext anywhere on disk.
func TestBlobSurvivesRestartEncrypted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const marker = "azemu-plaintext-canary-7f3a"
	content := strings.Repeat(marker, 4096)

	emu := startAzemu(t, withDataDir(dir))
	svc, err := service.NewClientFromConnectionString(emu.ConnectionString(), blobClientOptions(emu))
	require.NoError(t, err)
	_, err = svc.CreateContainer(ctx, "durable", &container.CreateOptions{Metadata: map[string]*string{"note": to.Ptr(marker)}})
	require.NoError(t, err)
	c := svc.NewContainerClient("durable")
	_, err = c.NewBlockBlobClient("a.txt").Upload(ctx, streaming.NopCloser(strings.NewReader(content)), &blockblob.UploadOptions{
		Metadata: map[string]*string{"secret": to.Ptr(marker)},
	})
	require.NoError(t, err)
	ab := c.NewAppendBlobClient("log.txt")
	_, err = ab.Create(ctx, nil)
	require.NoError(t, err)
	_, err = ab.AppendBlock(ctx, streaming.NopCloser(strings.NewReader(marker)), nil)
	require.NoError(t, err)
	require.NoError(t, emu.Close())

	emu = startAzemu(t, withDataDir(dir))
	svc, err = service.NewClientFromConnectionString(emu.ConnectionString(), blobClientOptions(emu))
	require.NoError(t, err)
	c = svc.NewContainerClient("durable")
	assert.Equal(t, content, blobDownload(t, c.NewBlobClient("a.txt"), nil))
	assert.Equal(t, marker, blobDownload(t, c.NewBlobClient("log.txt"), nil))
	props, err := c.NewBlobClient("a.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, marker, derefStr(blobMeta(props.Metadata, "secret")))
	require.NoError(t, emu.Close())

	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		assert.False(t, bytes.Contains(b, []byte(marker)), "plaintext found in %s", path)
		return nil
	})
	require.NoError(t, err)
}
