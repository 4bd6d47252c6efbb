package fileapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	fileservice "github.com/azemu/azemu/blobstore/file"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/crypto"
)

const (
	devAccount = "devstoreaccount1"
	devKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// newTestServer serves fileapi over an in-memory blobstore with the
// development account.
func newTestServer(t *testing.T) (*service.Client, *blobstore.Service) {
	t.Helper()
	root, err := crypto.NewKey()
	require.NoError(t, err)
	svc, err := blobstore.Open(blobstore.Config{RootKey: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	key, err := base64.StdEncoding.DecodeString(devKey)
	require.NoError(t, err)
	require.NoError(t, svc.CreateAccount(context.Background(), blobstore.AccountSpec{Name: devAccount, Keys: [][]byte{key}}))
	rules := fileservice.New(svc, nil)
	srv := httptest.NewServer(New(Config{Service: rules}))
	t.Cleanup(srv.Close)
	cred, err := service.NewSharedKeyCredential(devAccount, devKey)
	require.NoError(t, err)
	c, err := service.NewClientWithSharedKeyCredential(srv.URL+"/"+devAccount+"/", cred,
		&service.ClientOptions{ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	require.NoError(t, err)
	return c, svc
}

func TestSDKSmoke(t *testing.T) {
	ctx := context.Background()
	c, _ := newTestServer(t)
	sh := c.NewShareClient("smoke")
	_, err := sh.Create(ctx, &share.CreateOptions{Quota: to.Ptr[int32](10), Metadata: map[string]*string{"k": to.Ptr("v")}})
	require.NoError(t, err)
	_, err = sh.Create(ctx, nil)
	assert.True(t, fileerror.HasCode(err, fileerror.ShareAlreadyExists), "%v", err)

	props, err := sh.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(10), *props.Quota)
	require.NotNil(t, props.Metadata["K"]) // net/http canonicalises x-ms-meta-k
	assert.Equal(t, "v", *props.Metadata["K"])

	dir := sh.NewDirectoryClient("a")
	_, err = dir.Create(ctx, nil)
	require.NoError(t, err)
	sub := dir.NewSubdirectoryClient("b")
	_, err = sub.Create(ctx, &directory.CreateOptions{Metadata: map[string]*string{"m": to.Ptr("1")}})
	require.NoError(t, err)

	f := sub.NewFileClient("f.bin")
	data := make([]byte, 5<<20+123)
	_, _ = rand.Read(data)
	_, err = f.Create(ctx, int64(len(data)), nil)
	require.NoError(t, err)
	require.NoError(t, f.UploadBuffer(ctx, data, &file.UploadBufferOptions{Concurrency: 4}))
	got := make([]byte, len(data))
	n, err := f.DownloadBuffer(ctx, got, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), n)
	assert.True(t, bytes.Equal(data, got))

	_, err = f.ClearRange(ctx, file.HTTPRange{Offset: 512, Count: 1024}, nil)
	require.NoError(t, err)
	rl, err := f.GetRangeList(ctx, nil)
	require.NoError(t, err)
	require.Len(t, rl.Ranges, 2)
	assert.Equal(t, int64(511), *rl.Ranges[0].End)
	assert.Equal(t, int64(1536), *rl.Ranges[1].Start)

	ds, err := f.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 0, Count: 2048}})
	require.NoError(t, err)
	b, err := io.ReadAll(ds.Body)
	require.NoError(t, err)
	want := append([]byte(nil), data[:2048]...)
	clear(want[512:1536])
	assert.Equal(t, want, b)

	pager := dir.NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{
		Include: directory.ListFilesInclude{Timestamps: true, ETag: true, Attributes: true, PermissionKey: true}})
	require.True(t, pager.More())
	page, err := pager.NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.Directories, 1)
	assert.Equal(t, "b", *page.Segment.Directories[0].Name)

	_, err = dir.Delete(ctx, nil)
	assert.True(t, fileerror.HasCode(err, fileerror.DirectoryNotEmpty), "%v", err)

	_, err = f.Rename(ctx, "a/renamed.bin", nil)
	require.NoError(t, err)
	_, err = f.GetProperties(ctx, nil)
	assert.True(t, fileerror.HasCode(err, fileerror.ResourceNotFound), "%v", err)
	nf := dir.NewFileClient("renamed.bin")
	gp, err := nf.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), *gp.ContentLength)
	assert.NotNil(t, gp.FileCreationTime)
	_ = time.Now
}
