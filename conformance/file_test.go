package conformance

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	blobsas "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/lease"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	fileservice "github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// fileEnv drives azemu's Files endpoint through the azfile SDK.
type fileEnv struct {
	emu *emulator.Emulator
	svc *fileservice.Client
}

func fileClientOptions(emu *emulator.Emulator) *fileservice.ClientOptions {
	return &fileservice.ClientOptions{ClientOptions: clientOptions(emu)}
}

func newFileEnv(t *testing.T, emu *emulator.Emulator) *fileEnv {
	t.Helper()
	svc, err := fileservice.NewClientFromConnectionString(emu.ConnectionString(), fileClientOptions(emu))
	require.NoError(t, err)
	return &fileEnv{emu: emu, svc: svc}
}

func (e *fileEnv) share(t *testing.T, name string) *share.Client {
	t.Helper()
	sh := e.svc.NewShareClient(name)
	_, err := sh.Create(ctxT(t), nil)
	require.NoError(t, err)
	return sh
}

func hasFileCode(t *testing.T, err error, code fileerror.Code) {
	t.Helper()
	require.Error(t, err)
	assert.True(t, fileerror.HasCode(err, code), "want %s, got %v", code, err)
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func downloadAll(t *testing.T, f *file.Client, size int64) []byte {
	t.Helper()
	buf := make([]byte, size)
	n, err := f.DownloadBuffer(ctxT(t), buf, &file.DownloadBufferOptions{Concurrency: 4, ChunkSize: 1 << 20})
	require.NoError(t, err)
	require.Equal(t, size, n)
	return buf
}

func metaValue(md map[string]*string, key string) string {
	for k, v := range md {
		if strings.EqualFold(k, key) && v != nil {
			return *v
		}
	}
	return ""
}

func TestFile(t *testing.T) {
	emu := startAzemu(t)
	e := newFileEnv(t, emu)
	t.Run("ServiceProperties", e.testServiceProperties)
	t.Run("Shares", e.testShares)
	t.Run("ShareLeaseAndACL", e.testShareLeaseAndACL)
	t.Run("Permissions", e.testPermissions)
	t.Run("Directories", e.testDirectories)
	t.Run("TreeListing", e.testTreeListing)
	t.Run("FileProperties", e.testFileProperties)
	t.Run("RandomOverwrites", e.testRandomOverwrites)
	t.Run("SparseRanges", e.testSparseRanges)
	t.Run("SnapshotDiff", e.testSnapshotDiff)
	t.Run("CopyAndRename", e.testCopyAndRename)
	t.Run("RangeFromURL", e.testRangeFromURL)
	t.Run("FileLease", e.testFileLease)
	t.Run("SAS", e.testSAS)
	t.Run("HostStyleAndCORS", e.testHostStyleAndCORS)
	t.Run("CopyFromBlobAndCreateWithBody", e.testCopyFromBlobAndCreateWithBody)
	t.Run("OddNames", e.testOddNames)
	t.Run("Fidelity", e.testFidelity)
	t.Run("Large256MiB", e.testLarge)
}

// testFidelity checks wire details real Azure Files shows to azfile users
// (as the SDK's own recorded tests expect them).
func (e *fileEnv) testFidelity(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "fidelity")
	root := sh.NewRootDirectoryClient()

	// Create File stores application/octet-stream; Set File Properties
	// without a content type clears it, and then reads send none.
	f := root.NewFileClient("typed.bin")
	cr, err := f.Create(ctx, 2048, nil)
	require.NoError(t, err)
	id, err := strconv.ParseUint(*cr.ID, 10, 64)
	require.NoError(t, err)
	assert.NotZero(t, id>>63, "file ids have the top bit set, as Azure's")
	assert.Equal(t, "0", *cr.ParentID, "the root directory is 0")
	p, err := f.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "application/octet-stream", *p.ContentType)
	// Put Range reports the body's MD5 even when the client sent none.
	data := randomBytes(t, 2048)
	ur, err := f.UploadRange(ctx, 0, bytesBody(data), nil)
	require.NoError(t, err)
	sum := md5.Sum(data)
	assert.Equal(t, sum[:], ur.ContentMD5)
	_, err = f.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{HTTPHeaders: &file.HTTPHeaders{ContentMD5: sum[:]}})
	require.NoError(t, err)
	ds, err := f.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 1024}})
	require.NoError(t, err)
	_ = ds.Body.Close()
	assert.Nil(t, ds.ContentType)
	assert.Nil(t, ds.ContentMD5, "a range has no Content-MD5 unless asked")
	assert.Equal(t, sum[:], ds.FileContentMD5, "x-ms-content-md5 is the whole file's")
	ds, err = f.DownloadStream(ctx, nil)
	require.NoError(t, err)
	_ = ds.Body.Close()
	assert.Equal(t, sum[:], ds.ContentMD5)
	assert.Nil(t, ds.FileContentMD5)

	// Clear Range releases whole 512-byte pages only; unaligned bytes are
	// zeroed and stay listed.
	_, err = f.ClearRange(ctx, file.HTTPRange{Offset: 1024, Count: 1024}, nil)
	require.NoError(t, err)
	_, err = f.ClearRange(ctx, file.HTTPRange{Offset: 0, Count: 1}, nil)
	require.NoError(t, err)
	rl, err := f.GetRangeList(ctx, nil)
	require.NoError(t, err)
	require.Len(t, rl.Ranges, 1)
	assert.Equal(t, file.ShareFileRange{Start: to.Ptr(int64(0)), End: to.Ptr(int64(1023))}, *rl.Ranges[0])
	want := append([]byte{0}, data[1:1024]...)
	assert.Equal(t, append(want, make([]byte, 1024)...), downloadAll(t, f, 2048))

	// Put Range From URL checks the source range's CRC64 and reports it.
	crcDst := root.NewFileClient("crcdst")
	_, err = crcDst.Create(ctx, 1024, nil)
	require.NoError(t, err)
	srcCRC := crc64.Checksum(append([]byte{0}, data[1:512]...), crc64.MakeTable(0x9A6C9329AC4BC9B5))
	fr, err := crcDst.UploadRangeFromURL(ctx, f.URL(), 0, 0, 512, &file.UploadRangeFromURLOptions{
		SourceContentValidation: file.SourceContentValidationTypeCRC64(srcCRC)})
	require.NoError(t, err)
	assert.Equal(t, binary.LittleEndian.AppendUint64(nil, srcCRC), fr.XMSContentCRC64)
	_, err = crcDst.UploadRangeFromURL(ctx, f.URL(), 0, 0, 512, &file.UploadRangeFromURLOptions{
		SourceContentValidation: file.SourceContentValidationTypeCRC64(srcCRC + 1)})
	hasFileCode(t, err, fileerror.Code("Crc64Mismatch"))

	// Copy File sets Archive only when asked (x-ms-file-copy-set-archive).
	for _, archive := range []bool{true, false} {
		c := root.NewFileClient(fmt.Sprintf("archive-%v", archive))
		_, err = c.StartCopyFromURL(ctx, f.URL(), &file.StartCopyFromURLOptions{CopyFileSMBInfo: &file.CopyFileSMBInfo{
			Attributes: file.DestinationCopyFileAttributes{System: true, ReadOnly: true}, SetArchiveAttribute: to.Ptr(archive)}})
		require.NoError(t, err)
		cp, err := c.GetProperties(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, archive, strings.Contains(*cp.FileAttributes, "Archive"), *cp.FileAttributes)
	}

	// List Ranges against a snapshot taken before a rename needs
	// x-ms-file-support-rename.
	rn := e.share(t, "rangerename")
	old := rn.NewRootDirectoryClient().NewFileClient("file1")
	_, err = old.Create(ctx, 512, nil)
	require.NoError(t, err)
	s1, err := rn.CreateSnapshot(ctx, nil)
	require.NoError(t, err)
	_, err = old.UploadRange(ctx, 0, bytesBody(randomBytes(t, 512)), nil)
	require.NoError(t, err)
	rr, err := old.Rename(ctx, "file2", nil)
	require.NoError(t, err)
	s2, err := rn.CreateSnapshot(ctx, nil)
	require.NoError(t, err)
	// Snapshot Share ignores a sharesnapshot, even a malformed one.
	odds, err := rn.WithSnapshot(time.Date(2023, 3, 31, 20, 0, 0, 0, time.UTC).String())
	require.NoError(t, err)
	_, err = odds.CreateSnapshot(ctx, nil)
	require.NoError(t, err)
	ofs2, err := rn.WithSnapshot(*s2.Snapshot)
	require.NoError(t, err)
	_, err = ofs2.CreateSnapshot(ctx, nil)
	require.NoError(t, err)
	// Share snapshots can be leased; a leased snapshot needs its lease id
	// to be deleted, and only include-leased takes it along with the share.
	slc, err := lease.NewShareClient(ofs2, nil)
	require.NoError(t, err)
	_, err = slc.Acquire(ctx, -1, nil)
	require.NoError(t, err)
	sp2, err := ofs2.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeLeased, *sp2.LeaseState)
	_, err = ofs2.Delete(ctx, nil)
	hasFileCode(t, err, fileerror.Code("LeaseIdMissing"))
	_, err = rn.Delete(ctx, &share.DeleteOptions{DeleteSnapshots: to.Ptr(share.DeleteSnapshotsOptionTypeInclude)})
	hasFileCode(t, err, fileerror.Code("LeaseIdMissing"))
	moved := rn.NewRootDirectoryClient().NewFileClient("file2")
	_, err = moved.GetRangeList(ctx, &file.GetRangeListOptions{PrevShareSnapshot: s1.Snapshot, ShareSnapshot: s2.Snapshot})
	hasFileCode(t, err, fileerror.Code("PreviousSnapshotNotFound"))
	rl, err = moved.GetRangeList(ctx, &file.GetRangeListOptions{PrevShareSnapshot: s1.Snapshot, ShareSnapshot: s2.Snapshot, SupportRename: to.Ptr(true)})
	require.NoError(t, err)
	require.Len(t, rl.Ranges, 1)
	assert.Equal(t, file.ShareFileRange{Start: to.Ptr(int64(0)), End: to.Ptr(int64(511))}, *rl.Ranges[0])
	assert.Equal(t, rr.ETag, rl.ETag)
	_, err = rn.Delete(ctx, &share.DeleteOptions{DeleteSnapshots: to.Ptr(share.DeleteSnapshotsOptionTypeIncludeLeased)})
	require.NoError(t, err)

	// A file larger than its share's quota is refused.
	small := e.svc.NewShareClient("smallquota")
	_, err = small.Create(ctx, &share.CreateOptions{Quota: to.Ptr[int32](1)})
	require.NoError(t, err)
	_, err = small.NewRootDirectoryClient().NewFileClient("huge").Create(ctx, 4<<40, nil)
	hasFileCode(t, err, fileerror.ShareSizeLimitReached)

	// Negative sizes are OutOfRangeInput.
	_, err = f.Resize(ctx, -4, nil)
	hasFileCode(t, err, fileerror.OutOfRangeInput)

	// Copy File: a missing source, a read-only destination, override without a permission.
	dst := root.NewFileClient("dst.bin")
	_, err = dst.StartCopyFromURL(ctx, root.NewFileClient("nosuch").URL(), nil)
	hasFileCode(t, err, fileerror.ResourceNotFound)
	_, err = dst.Create(ctx, 0, &file.CreateOptions{SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true}}})
	require.NoError(t, err)
	_, err = dst.StartCopyFromURL(ctx, f.URL(), nil)
	hasFileCode(t, err, fileerror.ReadOnlyAttribute)
	_, err = dst.StartCopyFromURL(ctx, f.URL(), &file.StartCopyFromURLOptions{CopyFileSMBInfo: &file.CopyFileSMBInfo{IgnoreReadOnly: to.Ptr(true)}})
	require.NoError(t, err)
	_, err = root.NewFileClient("dst2.bin").StartCopyFromURL(ctx, f.URL(), &file.StartCopyFromURLOptions{
		CopyFileSMBInfo: &file.CopyFileSMBInfo{PermissionCopyMode: to.Ptr(file.PermissionCopyModeTypeOverride)}})
	hasFileCode(t, err, fileerror.MissingRequiredHeader)
	_, err = root.NewFileClient("nocopy").AbortCopy(ctx, "copynotstarted", nil)
	hasFileCode(t, err, fileerror.InvalidQueryParameterValue)

	// A directory cannot take a file's name: the types do not match.
	_, err = sh.NewDirectoryClient("typed.bin").Create(ctx, nil)
	hasFileCode(t, err, fileerror.ResourceTypeMismatch)

	// A directory may replace a (read-only) file when asked to.
	src := sh.NewDirectoryClient("srcdir")
	_, err = src.Create(ctx, nil)
	require.NoError(t, err)
	_, err = root.NewFileClient("target").Create(ctx, 10, &file.CreateOptions{SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true}}})
	require.NoError(t, err)
	_, err = src.Rename(ctx, "target", nil)
	hasFileCode(t, err, fileerror.ResourceAlreadyExists)
	_, err = src.Rename(ctx, "target", &directory.RenameOptions{ReplaceIfExists: to.Ptr(true)})
	hasFileCode(t, err, fileerror.ReadOnlyAttribute)
	_, err = src.Rename(ctx, "target", &directory.RenameOptions{ReplaceIfExists: to.Ptr(true), IgnoreReadOnly: to.Ptr(true)})
	require.NoError(t, err)
	_, err = sh.NewDirectoryClient("target").GetProperties(ctx, nil)
	require.NoError(t, err)
	// Times given on a rename are kept, the change time too.
	ct, wt, cht := time.Date(2023, 3, 31, 21, 5, 0, 0, time.UTC), time.Date(2023, 3, 31, 21, 8, 0, 0, time.UTC), time.Date(2023, 3, 31, 21, 10, 0, 0, time.UTC)
	rres, err := sh.NewDirectoryClient("target").Rename(ctx, "renamed", &directory.RenameOptions{FileSMBProperties: &file.SMBProperties{
		Attributes: &file.NTFSFileAttributes{ReadOnly: true, System: true}, CreationTime: &ct, LastWriteTime: &wt, ChangeTime: &cht}})
	require.NoError(t, err)
	assert.Equal(t, ct, *rres.FileCreationTime)
	assert.Equal(t, wt, *rres.FileLastWriteTime)
	assert.Equal(t, cht, *rres.FileChangeTime)
	assert.Equal(t, "ReadOnly|System|Directory", *rres.FileAttributes)

	// Names XML cannot carry come back percent-encoded (Encoded="true") and
	// the SDK decodes them, in entries and in the echoed prefix.
	enc := e.share(t, "encoded")
	odd := []string{"directory\uFFFF", "file\uFFFE", "a+b c\uFFFE%"}
	_, err = enc.NewDirectoryClient(odd[0]).Create(ctx, nil)
	require.NoError(t, err)
	for _, n := range odd[1:] {
		_, err = enc.NewRootDirectoryClient().NewFileClient(n).Create(ctx, 1, nil)
		require.NoError(t, err)
	}
	page, err := enc.NewRootDirectoryClient().NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.Directories, 1)
	assert.Equal(t, odd[0], *page.Segment.Directories[0].Name)
	var names []string
	for _, f := range page.Segment.Files {
		names = append(names, *f.Name)
	}
	assert.ElementsMatch(t, odd[1:], names)
	page, err = enc.NewDirectoryClient(odd[0]).NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	assert.True(t, page.Encoded != nil && *page.Encoded, "a directory path XML cannot carry is encoded")
	page, err = enc.NewRootDirectoryClient().NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{Prefix: &odd[0]}).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.Directories, 1)
	assert.Equal(t, odd[0], *page.Prefix)

	// LeaseIdMissing speaks of the file.
	lc, err := lease.NewFileClient(f, nil)
	require.NoError(t, err)
	_, err = lc.Acquire(ctx, nil)
	require.NoError(t, err)
	_, err = f.Delete(ctx, nil)
	hasFileCode(t, err, fileerror.Code("LeaseIdMissing"))
	assert.Contains(t, err.Error(), "There is currently a lease on the file")
	_, err = lc.Break(ctx, nil)
	require.NoError(t, err)
}

func (e *fileEnv) testOddNames(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "oddnames")
	d := sh.NewDirectoryClient("dir with space & ümlaut")
	_, err := d.Create(ctx, nil)
	require.NoError(t, err)
	names := []string{"a+b=c.txt", "50% off.txt", "日本語.bin", "semi;colon,comma'quote"}
	for _, n := range names {
		f := d.NewFileClient(n)
		_, err := f.Create(ctx, int64(len(n)), nil)
		require.NoError(t, err, n)
		_, err = f.UploadRange(ctx, 0, streamingBody(n), nil)
		require.NoError(t, err, n)
		assert.Equal(t, []byte(n), downloadAll(t, f, int64(len(n))))
	}
	page, err := d.NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	var got []string
	for _, f := range page.Segment.Files {
		got = append(got, *f.Name)
	}
	sortNames(got)
	want := append([]string(nil), names...)
	sortNames(want)
	assert.Equal(t, want, got)
	// Names differing only in case are the same entry, as on Azure Files.
	_, err = sh.NewDirectoryClient("DIR WITH SPACE & ÜMLAUT").Create(ctx, nil)
	hasFileCode(t, err, fileerror.ResourceAlreadyExists)
}

func (e *fileEnv) testHostStyleAndCORS(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "hoststyle")
	_, err := sh.NewRootDirectoryClient().NewFileClient("h.txt").Create(ctx, 3, nil)
	require.NoError(t, err)
	u, err := url.Parse(e.emu.FileURL())
	require.NoError(t, err)
	host := "http://" + emulator.DevAccountName + ".file.localhost:" + u.Port() + "/"
	cred, err := fileservice.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	hs, err := fileservice.NewClientWithSharedKeyCredential(host, cred, fileClientOptions(e.emu))
	require.NoError(t, err)
	p, err := hs.NewShareClient("hoststyle").NewRootDirectoryClient().NewFileClient("h.txt").GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(3), *p.ContentLength)

	// CORS preflight against the File service rules.
	_, err = e.svc.SetProperties(ctx, &fileservice.SetPropertiesOptions{CORS: []*fileservice.CORSRule{{
		AllowedOrigins: to.Ptr("https://app.example"), AllowedMethods: to.Ptr("GET"), AllowedHeaders: to.Ptr("x-ms-*"), MaxAgeInSeconds: to.Ptr[int32](30)}}})
	require.NoError(t, err)
	defer func() {
		_, _ = e.svc.SetProperties(ctx, &fileservice.SetPropertiesOptions{CORS: []*fileservice.CORSRule{}})
	}()
	preflight := func(origin string) *http.Response {
		req, err := http.NewRequestWithContext(ctx, http.MethodOptions, e.emu.FileURL()+"/"+emulator.DevAccountName+"/hoststyle/h.txt", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "x-ms-version")
		resp, err := httpClient(e.emu).Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp
	}
	ok := preflight("https://app.example")
	assert.Equal(t, http.StatusOK, ok.StatusCode)
	assert.Equal(t, "https://app.example", ok.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "30", ok.Header.Get("Access-Control-Max-Age"))
	assert.Equal(t, "Windows-Azure-File/1.0 Microsoft-HTTPAPI/2.0", ok.Header.Get("Server"))
	bad := preflight("https://evil.example")
	assert.Equal(t, http.StatusForbidden, bad.StatusCode)
	assert.Equal(t, "CorsPreflightFailure", bad.Header.Get("x-ms-error-code"))
}

func (e *fileEnv) testCopyFromBlobAndCreateWithBody(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "blobcopy")
	cred, err := azblob.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	bc, err := azblob.NewClientWithSharedKeyCredential(e.emu.BlobURL()+"/"+emulator.DevAccountName, cred,
		&azblob.ClientOptions{ClientOptions: clientOptions(e.emu)})
	require.NoError(t, err)
	_, err = bc.CreateContainer(ctx, "copysrc", nil)
	require.NoError(t, err)
	data := randomBytes(t, 700<<10)
	_, err = bc.UploadBuffer(ctx, "copysrc", "blob.bin", data, nil)
	require.NoError(t, err)
	src, err := bc.ServiceClient().NewContainerClient("copysrc").NewBlobClient("blob.bin").GetSASURL(blobsas.BlobPermissions{Read: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	f := sh.NewRootDirectoryClient().NewFileClient("fromblob.bin")
	cr, err := f.StartCopyFromURL(ctx, src, nil)
	require.NoError(t, err)
	assert.Equal(t, file.CopyStatusTypeSuccess, *cr.CopyStatus)
	assert.Equal(t, data, downloadAll(t, f, int64(len(data))))

	body := []byte("created with content")
	g := sh.NewRootDirectoryClient().NewFileClient("withbody.txt")
	_, err = g.Create(ctx, int64(len(body)), &file.CreateOptions{OptionalBody: bytesBody(body), ContentLength: to.Ptr(int64(len(body)))})
	require.NoError(t, err)
	assert.Equal(t, body, downloadAll(t, g, int64(len(body))))
}

func (e *fileEnv) testServiceProperties(t *testing.T) {
	ctx := ctxT(t)
	_, err := e.svc.SetProperties(ctx, &fileservice.SetPropertiesOptions{
		CORS: []*fileservice.CORSRule{{AllowedOrigins: to.Ptr("https://app.example"), AllowedMethods: to.Ptr("GET,PUT"),
			AllowedHeaders: to.Ptr("x-ms-meta-*"), ExposedHeaders: to.Ptr("x-ms-request-id"), MaxAgeInSeconds: to.Ptr[int32](60)}},
		HourMetrics: &fileservice.Metrics{Enabled: to.Ptr(false), Version: to.Ptr("1.0")},
	})
	require.NoError(t, err)
	p, err := e.svc.GetProperties(ctx, nil)
	require.NoError(t, err)
	require.Len(t, p.CORS, 1)
	assert.Equal(t, "https://app.example", *p.CORS[0].AllowedOrigins)
	assert.Equal(t, int32(60), *p.CORS[0].MaxAgeInSeconds)
	// Protocol settings round-trip, the encryption-in-transit ones too.
	// (azfile does not export the nested types: JSON fills them in.)
	var ps fileservice.ProtocolSettings
	require.NoError(t, json.Unmarshal([]byte(`{"Smb":{"Multichannel":{"Enabled":true},"EncryptionInTransit":{"Required":true}},
		"NFS":{"EncryptionInTransit":{"Required":true}}}`), &ps))
	_, err = e.svc.SetProperties(ctx, &fileservice.SetPropertiesOptions{Protocol: &ps})
	require.NoError(t, err)
	p, err = e.svc.GetProperties(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, p.Protocol)
	assert.True(t, *p.Protocol.Smb.Multichannel.Enabled)
	assert.True(t, *p.Protocol.Smb.EncryptionInTransit.Required)
	assert.True(t, *p.Protocol.NFS.EncryptionInTransit.Required)
	require.Len(t, p.CORS, 1, "settings not sent are kept")
	// Clear the rules again so other subtests see none.
	_, err = e.svc.SetProperties(ctx, &fileservice.SetPropertiesOptions{CORS: []*fileservice.CORSRule{}})
	require.NoError(t, err)
}

func (e *fileEnv) testShares(t *testing.T) {
	ctx := ctxT(t)
	for i := 0; i < 5; i++ {
		sh := e.svc.NewShareClient(fmt.Sprintf("lst%02d", i))
		_, err := sh.Create(ctx, &share.CreateOptions{Quota: to.Ptr[int32](int32(i + 1)), AccessTier: to.Ptr(share.AccessTierHot),
			Metadata: map[string]*string{"idx": to.Ptr(fmt.Sprint(i))}})
		require.NoError(t, err)
	}
	_, err := e.svc.NewShareClient("lst00").Create(ctx, nil)
	hasFileCode(t, err, fileerror.ShareAlreadyExists)
	_, err = e.svc.NewShareClient("Bad_Name").Create(ctx, nil)
	hasFileCode(t, err, fileerror.InvalidResourceName)

	sh := e.svc.NewShareClient("lst02")
	p, err := sh.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(3), *p.Quota)
	assert.Equal(t, "Hot", *p.AccessTier)
	assert.Equal(t, "2", metaValue(p.Metadata, "idx"))
	_, err = sh.SetProperties(ctx, &share.SetPropertiesOptions{Quota: to.Ptr[int32](50), AccessTier: to.Ptr(share.AccessTierCool)})
	require.NoError(t, err)
	_, err = sh.SetMetadata(ctx, &share.SetMetadataOptions{Metadata: map[string]*string{"new": to.Ptr("yes")}})
	require.NoError(t, err)
	p, err = sh.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(50), *p.Quota)
	assert.Equal(t, "Cool", *p.AccessTier)
	assert.Equal(t, "yes", metaValue(p.Metadata, "new"))
	assert.Empty(t, metaValue(p.Metadata, "idx"))

	snap, err := sh.CreateSnapshot(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, snap.Snapshot)

	// Paging with prefix and include=metadata,snapshots.
	var names []string
	pager := e.svc.NewListSharesPager(&fileservice.ListSharesOptions{Prefix: to.Ptr("lst"), MaxResults: to.Ptr[int32](2),
		Include: fileservice.ListSharesInclude{Metadata: true, Snapshots: true}})
	pages := 0
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, s := range page.Shares {
			n := *s.Name
			if s.Snapshot != nil {
				n += "@snap"
			}
			names = append(names, n)
			if s.Snapshot == nil && *s.Name == "lst01" {
				assert.Equal(t, "1", metaValue(s.Metadata, "idx"))
			}
		}
	}
	assert.Equal(t, []string{"lst00", "lst01", "lst02@snap", "lst02", "lst03", "lst04"}, names)
	assert.GreaterOrEqual(t, pages, 3)

	_, err = sh.Delete(ctx, nil)
	hasFileCode(t, err, fileerror.ShareHasSnapshots)
	_, err = sh.Delete(ctx, &share.DeleteOptions{DeleteSnapshots: to.Ptr(share.DeleteSnapshotsOptionTypeInclude)})
	require.NoError(t, err)
	_, err = sh.GetProperties(ctx, nil)
	hasFileCode(t, err, fileerror.ShareNotFound)
}

func (e *fileEnv) testShareLeaseAndACL(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "leased")
	lc, err := lease.NewShareClient(sh, nil)
	require.NoError(t, err)
	_, err = lc.Acquire(ctx, 15, nil)
	require.NoError(t, err)
	_, err = sh.Delete(ctx, nil)
	hasFileCode(t, err, fileerror.Code("LeaseIdMissing"))
	assert.Contains(t, err.Error(), "There is currently a lease on the file share")
	// Share leases answer with the container code, as Azure does.
	_, err = sh.GetProperties(ctx, &share.GetPropertiesOptions{LeaseAccessConditions: &share.LeaseAccessConditions{LeaseID: to.Ptr("11111111-2222-4333-8444-555555555555")}})
	hasFileCode(t, err, fileerror.Code("LeaseIdMismatchWithContainerOperation"))
	_, err = lc.Change(ctx, "8a1b3c1d-0000-4000-8000-000000000001", nil)
	require.NoError(t, err)
	_, err = lc.Break(ctx, &lease.ShareBreakOptions{BreakPeriod: to.Ptr[int32](0)})
	require.NoError(t, err)

	start := time.Now().UTC().Truncate(time.Second)
	_, err = sh.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: []*share.SignedIdentifier{{
		ID: to.Ptr("readers"), AccessPolicy: &share.AccessPolicy{Start: &start, Expiry: to.Ptr(start.Add(time.Hour)), Permission: to.Ptr("rl")}}}})
	require.NoError(t, err)
	acl, err := sh.GetAccessPolicy(ctx, nil)
	require.NoError(t, err)
	require.Len(t, acl.SignedIdentifiers, 1)
	assert.Equal(t, "rl", *acl.SignedIdentifiers[0].AccessPolicy.Permission)
	assert.True(t, start.Equal(*acl.SignedIdentifiers[0].AccessPolicy.Start))

	f := sh.NewRootDirectoryClient().NewFileClient("stat.bin")
	_, err = f.Create(ctx, 4096, nil)
	require.NoError(t, err)
	require.NoError(t, f.UploadBuffer(ctx, randomBytes(t, 1000), nil))
	st, err := sh.GetStatistics(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1000), *st.ShareUsageBytes, "only written bytes cost space")
}

func (e *fileEnv) testPermissions(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "perms")
	sddl := "O:S-1-5-21-397955417-626881126-188441444-3053964G:S-1-5-21-397955417-626881126-188441444-513D:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-0-0)"
	cr, err := sh.CreatePermission(ctx, sddl, nil)
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`^\d+\*\d+$`), *cr.FilePermissionKey)
	gr, err := sh.GetPermission(ctx, *cr.FilePermissionKey, nil)
	require.NoError(t, err)
	// Azure renders the descriptor canonically: rights in bit order, a null SACL.
	assert.Equal(t, "O:S-1-5-21-397955417-626881126-188441444-3053964G:S-1-5-21-397955417-626881126-188441444-513D:(A;;CCDCLCSWRPWPRCWDWOGA;;;S-1-0-0)S:NO_ACCESS_CONTROL", *gr.Permission)
	// The binary form converts both ways.
	gb, err := sh.GetPermission(ctx, *cr.FilePermissionKey, &share.GetPermissionOptions{FilePermissionFormat: to.Ptr(share.FilePermissionFormatBinary)})
	require.NoError(t, err)
	bf, err := sh.NewRootDirectoryClient().NewFileClient("binperm").Create(ctx, 0, &file.CreateOptions{
		FilePermissionFormat: to.Ptr(file.FilePermissionFormatBinary), Permissions: &file.Permissions{Permission: gb.Permission}})
	require.NoError(t, err)
	gs, err := sh.GetPermission(ctx, *bf.FilePermissionKey, nil)
	require.NoError(t, err)
	assert.Equal(t, *gr.Permission, *gs.Permission)
	_, err = sh.GetPermission(ctx, "12345*67890", nil)
	hasFileCode(t, err, fileerror.ResourceNotFound)

	d := sh.NewDirectoryClient("secured")
	dr, err := d.Create(ctx, &directory.CreateOptions{FilePermissions: &file.Permissions{PermissionKey: cr.FilePermissionKey}})
	require.NoError(t, err)
	assert.Equal(t, *cr.FilePermissionKey, *dr.FilePermissionKey)
	fr, err := d.NewFileClient("f").Create(ctx, 0, &file.CreateOptions{Permissions: &file.Permissions{Permission: &sddl}})
	require.NoError(t, err)
	assert.Equal(t, *cr.FilePermissionKey, *fr.FilePermissionKey, "the same descriptor gets the same key")
}

func (e *fileEnv) testDirectories(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "dirs")
	d := sh.NewDirectoryClient("top")
	created := time.Date(2021, 5, 6, 7, 8, 9, 123456700, time.UTC)
	cr, err := d.Create(ctx, &directory.CreateOptions{
		FileSMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{Hidden: true}, CreationTime: &created},
		Metadata:          map[string]*string{"owner": to.Ptr("team")}})
	require.NoError(t, err)
	assert.True(t, created.Equal(*cr.FileCreationTime))
	assert.NotEmpty(t, *cr.ID)
	attrs, err := file.ParseNTFSFileAttributes(cr.FileAttributes)
	require.NoError(t, err)
	assert.True(t, attrs.Hidden && attrs.Directory)
	_, err = d.Create(ctx, nil)
	hasFileCode(t, err, fileerror.ResourceAlreadyExists)
	_, err = sh.NewDirectoryClient("nope/child").Create(ctx, nil)
	hasFileCode(t, err, fileerror.ParentNotFound)

	gp, err := d.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "team", metaValue(gp.Metadata, "owner"))
	assert.True(t, *gp.IsServerEncrypted)
	root, err := sh.NewRootDirectoryClient().GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, *root.ID, *gp.ParentID)

	lw := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	sp, err := d.SetProperties(ctx, &directory.SetPropertiesOptions{FileSMBProperties: &file.SMBProperties{LastWriteTime: &lw}})
	require.NoError(t, err)
	assert.True(t, lw.Equal(*sp.FileLastWriteTime))
	assert.True(t, created.Equal(*sp.FileCreationTime), "unspecified times are preserved")
	_, err = d.SetMetadata(ctx, &directory.SetMetadataOptions{Metadata: map[string]*string{"k": to.Ptr("v")}})
	require.NoError(t, err)

	_, err = d.NewSubdirectoryClient("inner").Create(ctx, nil)
	require.NoError(t, err)
	_, err = d.Delete(ctx, nil)
	hasFileCode(t, err, fileerror.DirectoryNotEmpty)
	_, err = d.NewSubdirectoryClient("inner").Delete(ctx, nil)
	require.NoError(t, err)
	_, err = d.Delete(ctx, nil)
	require.NoError(t, err)
	_, err = d.GetProperties(ctx, nil)
	hasFileCode(t, err, fileerror.ResourceNotFound)
	_, err = sh.NewDirectoryClient("bad<name").Create(ctx, nil)
	hasFileCode(t, err, fileerror.InvalidResourceName)
}

func (e *fileEnv) testTreeListing(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "tree")
	want := map[string][]string{}
	for _, a := range []string{"a1", "a2", "a3"} {
		da := sh.NewDirectoryClient(a)
		_, err := da.Create(ctx, nil)
		require.NoError(t, err)
		want[""] = append(want[""], a+"/")
		for _, b := range []string{"b1", "b2"} {
			db := da.NewSubdirectoryClient(b)
			_, err := db.Create(ctx, nil)
			require.NoError(t, err)
			want[a] = append(want[a], b+"/")
			for i := 0; i < 5; i++ {
				n := fmt.Sprintf("f%d.txt", i)
				_, err := db.NewFileClient(n).Create(ctx, int64(i*10), nil)
				require.NoError(t, err)
				want[a+"/"+b] = append(want[a+"/"+b], n)
			}
		}
	}
	_, err := sh.NewRootDirectoryClient().NewFileClient("root.txt").Create(ctx, 7, nil)
	require.NoError(t, err)
	want[""] = append(want[""], "root.txt")

	list := func(dir string) []string {
		dc := sh.NewRootDirectoryClient()
		if dir != "" {
			dc = sh.NewDirectoryClient(dir)
		}
		var out []string
		pager := dc.NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{MaxResults: to.Ptr[int32](2),
			Include: directory.ListFilesInclude{Timestamps: true, ETag: true, Attributes: true, PermissionKey: true}, IncludeExtendedInfo: to.Ptr(true)})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			require.NoError(t, err)
			for _, d := range page.Segment.Directories {
				assert.NotEmpty(t, *d.ID)
				assert.NotNil(t, d.Properties.CreationTime)
				out = append(out, *d.Name+"/")
			}
			for _, f := range page.Segment.Files {
				assert.NotNil(t, f.Properties.ETag)
				assert.Equal(t, "Archive", *f.Attributes)
				out = append(out, *f.Name)
			}
		}
		sortNames(out)
		return out
	}
	for dir, names := range want {
		sortNames(names)
		assert.Equal(t, names, list(dir), "listing of %q", dir)
	}
	// Prefix filter.
	pager := sh.NewDirectoryClient("a1/b2").NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{Prefix: to.Ptr("f3")})
	page, err := pager.NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.Files, 1)
	assert.Equal(t, int64(30), *page.Segment.Files[0].Properties.ContentLength)
}

func (e *fileEnv) testFileProperties(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "props")
	f := sh.NewRootDirectoryClient().NewFileClient("doc.txt")
	sum := md5.Sum([]byte("hello"))
	_, err := f.Create(ctx, 5, &file.CreateOptions{
		HTTPHeaders: &file.HTTPHeaders{ContentType: to.Ptr("text/plain"), ContentLanguage: to.Ptr("en"), ContentMD5: sum[:],
			CacheControl: to.Ptr("no-cache"), ContentDisposition: to.Ptr("inline"), ContentEncoding: to.Ptr("identity")},
		Metadata: map[string]*string{"a": to.Ptr("b")}})
	require.NoError(t, err)
	_, err = f.UploadRange(ctx, 0, streamingBody("hello"), &file.UploadRangeOptions{TransactionalValidation: file.TransferValidationTypeMD5(sum[:])})
	require.NoError(t, err)
	p, err := f.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(5), *p.ContentLength)
	assert.Equal(t, "text/plain", *p.ContentType)
	assert.Equal(t, sum[:], p.ContentMD5)
	assert.Equal(t, "b", metaValue(p.Metadata, "a"))
	assert.Equal(t, "File", *p.FileType)
	assert.True(t, *p.IsServerEncrypted)

	_, err = f.Resize(ctx, 3, nil)
	require.NoError(t, err)
	// Set File Properties replaces all HTTP headers (absent ones are cleared).
	_, err = f.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{HTTPHeaders: &file.HTTPHeaders{ContentType: to.Ptr("application/json")}})
	require.NoError(t, err)
	p, err = f.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Nil(t, p.ContentLanguage)
	ds, err := f.DownloadStream(ctx, nil)
	require.NoError(t, err)
	b, err := io.ReadAll(ds.Body)
	require.NoError(t, err)
	assert.Equal(t, "hel", string(b))
	assert.Equal(t, "application/json", *ds.ContentType)
	_, err = f.Resize(ctx, 6, nil)
	require.NoError(t, err)
	assert.Equal(t, []byte("hel\x00\x00\x00"), downloadAll(t, f, 6), "grown bytes read as zeros")

	_, err = f.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"c": to.Ptr("d")}})
	require.NoError(t, err)
	_, err = f.UploadRange(ctx, 4, streamingBody("xyz"), nil)
	hasFileCode(t, err, fileerror.InvalidRange)
	_, err = sh.NewDirectoryClient("nodir").NewFileClient("f").Create(ctx, 1, nil)
	hasFileCode(t, err, fileerror.ParentNotFound)
	_, err = sh.NewRootDirectoryClient().NewFileClient("missing").GetProperties(ctx, nil)
	hasFileCode(t, err, fileerror.ResourceNotFound)
	_, err = f.Delete(ctx, nil)
	require.NoError(t, err)
	_, err = f.Delete(ctx, nil)
	hasFileCode(t, err, fileerror.ResourceNotFound)
}

type readSeekCloser struct{ *bytes.Reader }

func (readSeekCloser) Close() error { return nil }

func streamingBody(s string) io.ReadSeekCloser { return readSeekCloser{bytes.NewReader([]byte(s))} }

func bytesBody(b []byte) io.ReadSeekCloser { return readSeekCloser{bytes.NewReader(b)} }

func coverage(written []bool) []file.HTTPRange {
	var out []file.HTTPRange
	for i := 0; i < len(written); i++ {
		if !written[i] {
			continue
		}
		j := i
		for j < len(written) && written[j] {
			j++
		}
		out = append(out, file.HTTPRange{Offset: int64(i), Count: int64(j - i)})
		i = j
	}
	return out
}

func (e *fileEnv) testRandomOverwrites(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "random")
	const size = 4 << 20
	f := sh.NewRootDirectoryClient().NewFileClient("model.bin")
	_, err := f.Create(ctx, size, nil)
	require.NoError(t, err)
	model := make([]byte, size)
	written := make([]bool, size)
	rng := mrand.New(mrand.NewPCG(7, 11))
	for i := 0; i < 150; i++ {
		off := rng.Int64N(size - 1)
		n := 1 + rng.Int64N(min(size-off, 256<<10))
		if rng.IntN(4) == 0 {
			_, err := f.ClearRange(ctx, file.HTTPRange{Offset: off, Count: n}, nil)
			require.NoError(t, err)
			clear(model[off : off+n])
			// Only whole 512-byte pages are released; written bytes of the
			// unaligned edges read as zeros and stay ranges.
			for j := (off + 511) / 512 * 512; j < (off+n)/512*512; j++ {
				written[j] = false
			}
			continue
		}
		data := randomBytes(t, int(n))
		_, err := f.UploadRange(ctx, off, bytesBody(data), nil)
		require.NoError(t, err)
		copy(model[off:], data)
		for j := off; j < off+n; j++ {
			written[j] = true
		}
	}
	assert.True(t, bytes.Equal(model, downloadAll(t, f, size)))
	rl, err := f.GetRangeList(ctx, nil)
	require.NoError(t, err)
	var got []file.HTTPRange
	for _, r := range rl.Ranges {
		got = append(got, file.HTTPRange{Offset: *r.Start, Count: *r.End - *r.Start + 1})
	}
	assert.Equal(t, coverage(written), got)
	// Ranged download with a range MD5.
	ds, err := f.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 12345, Count: 100000}, RangeGetContentMD5: to.Ptr(true)})
	require.NoError(t, err)
	b, err := io.ReadAll(ds.Body)
	require.NoError(t, err)
	assert.Equal(t, model[12345:112345], b)
	sum := md5.Sum(model[12345:112345])
	assert.Equal(t, sum[:], ds.ContentMD5)
	assert.Equal(t, fmt.Sprintf("bytes 12345-112344/%d", size), *ds.ContentRange)
}

func (e *fileEnv) testSparseRanges(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "sparse")
	f := sh.NewRootDirectoryClient().NewFileClient("sparse.bin")
	const size = 100 << 30 // 100 GiB, nearly all holes
	_, err := f.Create(ctx, size, nil)
	require.NoError(t, err)
	offs := []int64{0, 1 << 30, size - 4096}
	for _, o := range offs {
		_, err := f.UploadRange(ctx, o, bytesBody(bytes.Repeat([]byte{0xAB}, 4096)), nil)
		require.NoError(t, err)
	}
	rl, err := f.GetRangeList(ctx, nil)
	require.NoError(t, err)
	require.Len(t, rl.Ranges, 3)
	for i, o := range offs {
		assert.Equal(t, o, *rl.Ranges[i].Start)
		assert.Equal(t, o+4095, *rl.Ranges[i].End)
	}
	assert.Equal(t, int64(size), *rl.FileContentLength)
	ds, err := f.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 4000, Count: 200}})
	require.NoError(t, err)
	b, err := io.ReadAll(ds.Body)
	require.NoError(t, err)
	assert.Equal(t, append(bytes.Repeat([]byte{0xAB}, 96), make([]byte, 104)...), b)
	rl, err = f.GetRangeList(ctx, &file.GetRangeListOptions{Range: file.HTTPRange{Offset: 1 << 29, Count: 1 << 31}})
	require.NoError(t, err)
	require.Len(t, rl.Ranges, 1)
	st, err := sh.GetStatistics(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(3*4096), *st.ShareUsageBytes)
}

func (e *fileEnv) testSnapshotDiff(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "snapdiff")
	f := sh.NewRootDirectoryClient().NewFileClient("f.bin")
	_, err := f.Create(ctx, 64<<10, nil)
	require.NoError(t, err)
	v1 := randomBytes(t, 64<<10)
	require.NoError(t, f.UploadBuffer(ctx, v1, nil))
	snap, err := sh.CreateSnapshot(ctx, &share.CreateSnapshotOptions{Metadata: map[string]*string{"tag": to.Ptr("v1")}})
	require.NoError(t, err)
	_, err = f.UploadRange(ctx, 8192, bytesBody(randomBytes(t, 4096)), nil)
	require.NoError(t, err)
	_, err = f.ClearRange(ctx, file.HTTPRange{Offset: 32768, Count: 8192}, nil)
	require.NoError(t, err)

	rl, err := f.GetRangeList(ctx, &file.GetRangeListOptions{PrevShareSnapshot: snap.Snapshot})
	require.NoError(t, err)
	require.Len(t, rl.Ranges, 1)
	assert.Equal(t, int64(8192), *rl.Ranges[0].Start)
	assert.Equal(t, int64(12287), *rl.Ranges[0].End)
	require.Len(t, rl.ClearRanges, 1)
	assert.Equal(t, int64(32768), *rl.ClearRanges[0].Start)

	ssh, err := sh.WithSnapshot(*snap.Snapshot)
	require.NoError(t, err)
	sp, err := ssh.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "v1", metaValue(sp.Metadata, "tag"))
	old := ssh.NewRootDirectoryClient().NewFileClient("f.bin")
	assert.Equal(t, v1, downloadAll(t, old, 64<<10), "the snapshot keeps the old bytes")
	_, err = old.UploadRange(ctx, 0, streamingBody("x"), nil)
	require.Error(t, err)
	_, err = ssh.Delete(ctx, nil)
	require.NoError(t, err)
}

func (e *fileEnv) testCopyAndRename(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "copies")
	src := sh.NewRootDirectoryClient().NewFileClient("src.bin")
	data := randomBytes(t, 300<<10)
	_, err := src.Create(ctx, int64(len(data)), &file.CreateOptions{Metadata: map[string]*string{"m": to.Ptr("1")}})
	require.NoError(t, err)
	require.NoError(t, src.UploadBuffer(ctx, data, nil))

	dst := sh.NewRootDirectoryClient().NewFileClient("dst.bin")
	cr, err := dst.StartCopyFromURL(ctx, src.URL(), nil)
	require.NoError(t, err)
	assert.Equal(t, file.CopyStatusTypeSuccess, *cr.CopyStatus)
	assert.Equal(t, data, downloadAll(t, dst, int64(len(data))))
	p, err := dst.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "1", metaValue(p.Metadata, "m"))
	assert.Equal(t, *cr.CopyID, *p.CopyID)
	_, err = dst.AbortCopy(ctx, *cr.CopyID, nil)
	hasFileCode(t, err, fileerror.Code("NoPendingCopyOperation"))
	// The copy shares data files: overwriting the source leaves it intact.
	_, err = src.UploadRange(ctx, 0, bytesBody(make([]byte, 1024)), nil)
	require.NoError(t, err)
	assert.Equal(t, data, downloadAll(t, dst, int64(len(data))))

	// Rename a file into a directory, then rename the directory.
	_, err = sh.NewDirectoryClient("dir1").Create(ctx, nil)
	require.NoError(t, err)
	rr, err := dst.Rename(ctx, "dir1/moved.bin", nil)
	require.NoError(t, err)
	assert.NotNil(t, rr.FileCreationTime)
	_, err = dst.GetProperties(ctx, nil)
	hasFileCode(t, err, fileerror.ResourceNotFound)
	_, err = src.Rename(ctx, "dir1/moved.bin", nil)
	hasFileCode(t, err, fileerror.ResourceAlreadyExists)
	_, err = sh.NewDirectoryClient("dir1").Rename(ctx, "dir2", nil)
	require.NoError(t, err)
	moved := sh.NewDirectoryClient("dir2").NewFileClient("moved.bin")
	assert.Equal(t, data, downloadAll(t, moved, int64(len(data))))
}

func (e *fileEnv) testRangeFromURL(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "fromurl")
	src := sh.NewRootDirectoryClient().NewFileClient("src.bin")
	data := randomBytes(t, 1<<20)
	_, err := src.Create(ctx, int64(len(data)), nil)
	require.NoError(t, err)
	require.NoError(t, src.UploadBuffer(ctx, data, nil))
	srcSAS, err := src.GetSASURL(sas.FilePermissions{Read: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)

	dst := sh.NewRootDirectoryClient().NewFileClient("dst.bin")
	_, err = dst.Create(ctx, 2<<20, nil)
	require.NoError(t, err)
	_, err = dst.UploadRangeFromURL(ctx, srcSAS, 4096, 1<<20, 512<<10, nil)
	require.NoError(t, err)

	// A blob of the same emulator as source, authorised by its SAS.
	cred, err := azblob.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	bc, err := azblob.NewClientWithSharedKeyCredential(e.emu.BlobURL()+"/"+emulator.DevAccountName, cred,
		&azblob.ClientOptions{ClientOptions: clientOptions(e.emu)})
	require.NoError(t, err)
	_, err = bc.CreateContainer(ctx, "rangesrc", nil)
	require.NoError(t, err)
	blobData := randomBytes(t, 100<<10)
	_, err = bc.UploadBuffer(ctx, "rangesrc", "b", blobData, &blockblob.UploadBufferOptions{})
	require.NoError(t, err)
	blobSAS, err := bc.ServiceClient().NewContainerClient("rangesrc").NewBlobClient("b").GetSASURL(blobsas.BlobPermissions{Read: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	_, err = dst.UploadRangeFromURL(ctx, blobSAS, 0, 0, 100<<10, nil)
	require.NoError(t, err)

	got := downloadAll(t, dst, 2<<20)
	assert.Equal(t, blobData, got[:100<<10])
	assert.Equal(t, data[4096:4096+512<<10], got[1<<20:1<<20+512<<10])
	assert.Equal(t, make([]byte, 1<<20-100<<10), got[100<<10:1<<20])

	// Without a SAS and without Shared Key on the source, the source is refused.
	_, err = dst.UploadRangeFromURL(ctx, strings.Split(srcSAS, "?")[0], 0, 0, 512, nil)
	require.NoError(t, err, "Shared Key on the destination may read its own account")
	sasDst, err := dst.GetSASURL(sas.FilePermissions{Write: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	anonDst, err := file.NewClientWithNoCredential(sasDst, &file.ClientOptions{ClientOptions: clientOptions(e.emu)})
	require.NoError(t, err)
	_, err = anonDst.UploadRangeFromURL(ctx, strings.Split(srcSAS, "?")[0], 0, 0, 512, nil)
	hasFileCode(t, err, fileerror.Code("CannotVerifyCopySource"))
}

func (e *fileEnv) testFileLease(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "filelease")
	f := sh.NewRootDirectoryClient().NewFileClient("locked.bin")
	_, err := f.Create(ctx, 1024, nil)
	require.NoError(t, err)
	lc, err := lease.NewFileClient(f, nil)
	require.NoError(t, err)
	ar, err := lc.Acquire(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, *lc.LeaseID(), *ar.LeaseID)
	p, err := f.GetProperties(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, lease.StateTypeLeased, *p.LeaseState)
	assert.Equal(t, lease.DurationTypeInfinite, *p.LeaseDuration)

	_, err = f.UploadRange(ctx, 0, streamingBody("abc"), nil)
	hasFileCode(t, err, fileerror.Code("LeaseIdMissing"))
	_, err = f.UploadRange(ctx, 0, streamingBody("abc"), &file.UploadRangeOptions{LeaseAccessConditions: &file.LeaseAccessConditions{LeaseID: lc.LeaseID()}})
	require.NoError(t, err)
	_, err = f.Delete(ctx, nil)
	hasFileCode(t, err, fileerror.Code("LeaseIdMissing"))
	newID := "c0ffee00-0000-4000-8000-000000000001"
	_, err = lc.Change(ctx, newID, nil)
	require.NoError(t, err)
	_, err = lc.Release(ctx, nil)
	require.NoError(t, err)
	_, err = lc.Acquire(ctx, nil)
	require.NoError(t, err)
	_, err = lc.Break(ctx, nil)
	require.NoError(t, err)
	_, err = f.Delete(ctx, nil)
	require.NoError(t, err, "a broken lease no longer blocks")
}

func (e *fileEnv) testSAS(t *testing.T) {
	ctx := ctxT(t)
	sh := e.share(t, "sas")
	f := sh.NewRootDirectoryClient().NewFileClient("doc.txt")
	_, err := f.Create(ctx, 5, nil)
	require.NoError(t, err)
	_, err = f.UploadRange(ctx, 0, streamingBody("hello"), nil)
	require.NoError(t, err)
	opts := &file.ClientOptions{ClientOptions: clientOptions(e.emu)}

	// Service SAS for the file: read works, write is refused.
	u, err := f.GetSASURL(sas.FilePermissions{Read: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	rf, err := file.NewClientWithNoCredential(u, opts)
	require.NoError(t, err)
	ds, err := rf.DownloadStream(ctx, nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(ds.Body)
	assert.Equal(t, "hello", string(b))
	_, err = rf.UploadRange(ctx, 0, streamingBody("x"), nil)
	hasFileCode(t, err, fileerror.AuthorizationPermissionMismatch)

	// A SAS granting create but not write may create a file, never replace one.
	cu, err := sh.NewRootDirectoryClient().NewFileClient("new.txt").GetSASURL(sas.FilePermissions{Create: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	cf, err := file.NewClientWithNoCredential(cu, opts)
	require.NoError(t, err)
	_, err = cf.Create(ctx, 1, nil)
	require.NoError(t, err)
	_, err = cf.Create(ctx, 1, nil)
	hasFileCode(t, err, fileerror.AuthorizationPermissionMismatch)

	// Share SAS with list.
	su, err := sh.GetSASURL(sas.SharePermissions{List: true, Read: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	ssh, err := share.NewClientWithNoCredential(su, &share.ClientOptions{ClientOptions: clientOptions(e.emu)})
	require.NoError(t, err)
	page, err := ssh.NewRootDirectoryClient().NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Segment.Files, 2)

	// Account SAS from the service client.
	au, err := e.svc.GetSASURL(sas.AccountResourceTypes{Service: true, Container: true, Object: true},
		sas.AccountPermissions{Read: true, List: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	asvc, err := fileservice.NewClientWithNoCredential(au, fileClientOptions(e.emu))
	require.NoError(t, err)
	lp, err := asvc.NewListSharesPager(&fileservice.ListSharesOptions{Prefix: to.Ptr("sas")}).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, lp.Shares, 1)
	_, err = asvc.NewShareClient("sascreate").Create(ctx, nil)
	hasFileCode(t, err, fileerror.AuthorizationPermissionMismatch)

	// A stored access policy referenced by a service SAS.
	_, err = sh.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: []*share.SignedIdentifier{{
		ID: to.Ptr("pol"), AccessPolicy: &share.AccessPolicy{Expiry: to.Ptr(time.Now().Add(time.Hour).UTC()), Permission: to.Ptr("r")}}}})
	require.NoError(t, err)
	cred, err := fileservice.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	qp, err := sas.SignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ShareName: "sas", FilePath: "doc.txt", Identifier: "pol"}.SignWithSharedKey(cred)
	require.NoError(t, err)
	pf, err := file.NewClientWithNoCredential(f.URL()+"?"+qp.Encode(), opts)
	require.NoError(t, err)
	_, err = pf.GetProperties(ctx, nil)
	require.NoError(t, err)

	// Rename with a SAS: a share SAS may move files of its share; a SAS for
	// the destination file alone may not take another file.
	wsu, err := sh.GetSASURL(sas.SharePermissions{Read: true, Write: true, Create: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	wsh, err := share.NewClientWithNoCredential(wsu, &share.ClientOptions{ClientOptions: clientOptions(e.emu)})
	require.NoError(t, err)
	_, err = wsh.NewRootDirectoryClient().NewFileClient("doc.txt").Rename(ctx, "doc2.txt", nil)
	require.NoError(t, err)
	du, err := sh.NewRootDirectoryClient().NewFileClient("doc3.txt").GetSASURL(sas.FilePermissions{Read: true, Write: true, Create: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	dq := du[strings.Index(du, "?")+1:]
	src2, err := file.NewClientWithNoCredential(sh.NewRootDirectoryClient().NewFileClient("doc2.txt").URL()+"?"+dq, opts)
	require.NoError(t, err)
	_, err = src2.Rename(ctx, "doc3.txt?"+dq, nil)
	hasFileCode(t, err, fileerror.AuthorizationFailure)
	_, err = f.Rename(ctx, "doc.txt", nil)
	hasFileCode(t, err, fileerror.ResourceNotFound)
	_, err = sh.NewRootDirectoryClient().NewFileClient("doc2.txt").Rename(ctx, "doc.txt", nil)
	require.NoError(t, err)

	// No credential at all: Files has no anonymous access.
	nf, err := file.NewClientWithNoCredential(f.URL(), opts)
	require.NoError(t, err)
	_, err = nf.GetProperties(ctx, nil)
	require.Error(t, err)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, "NoAuthenticationInformation", re.ErrorCode)
}

// testLarge uploads 256 MiB with the SDK's concurrent UploadStream and reads
// it back with concurrent ranged downloads.
func (e *fileEnv) testLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("256 MiB transfer skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sh := e.share(t, "large")
	f := sh.NewRootDirectoryClient().NewFileClient("big.bin")
	const size = 256 << 20
	_, err := f.Create(ctx, size, nil)
	require.NoError(t, err)
	hw := sha256.New()
	require.NoError(t, f.UploadStream(ctx, io.TeeReader(newPRNGReader(42, size), hw), &file.UploadStreamOptions{Concurrency: 8, ChunkSize: 4 << 20}))
	want := hw.Sum(nil)
	buf := make([]byte, size)
	n, err := f.DownloadBuffer(ctx, buf, &file.DownloadBufferOptions{Concurrency: 8, ChunkSize: 4 << 20})
	require.NoError(t, err)
	require.Equal(t, int64(size), n)
	got := sha256.Sum256(buf)
	assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(got[:]))
	// A ranged read in the middle.
	ds, err := f.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 100 << 20, Count: 1 << 20}})
	require.NoError(t, err)
	b, err := io.ReadAll(ds.Body)
	require.NoError(t, err)
	assert.Equal(t, buf[100<<20:101<<20], b)
	_, err = f.Delete(ctx, nil)
	require.NoError(t, err)
}

// TestFilePersistence restarts azemu over the same data folder.
func TestFilePersistence(t *testing.T) {
	dir := t.TempDir()
	data := randomBytes(t, 3<<20+17)
	func() {
		emu := startAzemu(t, withDataDir(dir))
		e := newFileEnv(t, emu)
		sh := e.share(t, "persist")
		_, err := sh.NewDirectoryClient("d").Create(t.Context(), &directory.CreateOptions{Metadata: map[string]*string{"k": to.Ptr("v")}})
		require.NoError(t, err)
		f := sh.NewDirectoryClient("d").NewFileClient("f.bin")
		_, err = f.Create(t.Context(), int64(len(data)), nil)
		require.NoError(t, err)
		require.NoError(t, f.UploadBuffer(t.Context(), data, &file.UploadBufferOptions{Concurrency: 4}))
		_, err = sh.CreateSnapshot(t.Context(), nil)
		require.NoError(t, err)
		require.NoError(t, emu.Close())
	}()
	emu := startAzemu(t, withDataDir(dir))
	e := newFileEnv(t, emu)
	sh := e.svc.NewShareClient("persist")
	d, err := sh.NewDirectoryClient("d").GetProperties(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, "v", metaValue(d.Metadata, "k"))
	assert.Equal(t, data, downloadAll(t, sh.NewDirectoryClient("d").NewFileClient("f.bin"), int64(len(data))))
	page, err := e.svc.NewListSharesPager(&fileservice.ListSharesOptions{Include: fileservice.ListSharesInclude{Snapshots: true}}).NextPage(t.Context())
	require.NoError(t, err)
	assert.Len(t, page.Shares, 2)
}

// TestFileCanaryAndTamper checks that no plaintext reaches the data folder
// and that a flipped byte in a data file fails the read instead of
// returning wrong bytes.
func TestFileCanaryAndTamper(t *testing.T) {
	dir := t.TempDir()
	emu := startAzemu(t, withDataDir(dir))
	e := newFileEnv(t, emu)
	ctx := ctxT(t)
	canary := func() string { return "canary" + hex.EncodeToString(randomBytes(t, 16)) }
	content, fmeta, dmeta, smeta := canary(), canary(), canary(), canary()
	sh := e.svc.NewShareClient("canary")
	_, err := sh.Create(ctx, &share.CreateOptions{Metadata: map[string]*string{"s": &smeta}})
	require.NoError(t, err)
	_, err = sh.NewDirectoryClient("d").Create(ctx, &directory.CreateOptions{Metadata: map[string]*string{"d": &dmeta}})
	require.NoError(t, err)
	body := bytes.Repeat([]byte(content), 20000) // ~760 KiB, several chunks
	f := sh.NewDirectoryClient("d").NewFileClient("secret.txt")
	_, err = f.Create(ctx, int64(len(body)), &file.CreateOptions{Metadata: map[string]*string{"m": &fmeta}})
	require.NoError(t, err)
	require.NoError(t, f.UploadBuffer(ctx, body, nil))

	var dataFiles []string
	hexName := regexp.MustCompile(`^[0-9a-f]{32}$`)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range []string{content, fmeta, dmeta, smeta} {
			assert.False(t, bytes.Contains(b, []byte(s)), "plaintext found in %s", p)
		}
		if hexName.MatchString(d.Name()) {
			dataFiles = append(dataFiles, p)
		}
		return nil
	}))
	require.Len(t, dataFiles, 1, "one Put Range, one data file")

	b, err := os.ReadFile(dataFiles[0])
	require.NoError(t, err)
	b[len(b)/2] ^= 0x01
	require.NoError(t, os.WriteFile(dataFiles[0], b, 0o600))
	got := make([]byte, len(body))
	_, err = f.DownloadBuffer(ctx, got, &file.DownloadBufferOptions{RetryReaderOptionsPerChunk: file.RetryReaderOptions{MaxRetries: 1}})
	require.Error(t, err, "a tampered data file must fail the read")
	assert.False(t, bytes.Equal(body, got) && err == nil)
}

// TestFileRevocation revokes the account's customer-managed key and checks
// that exactly the Azure Files operations Azure lists as failing after
// revocation fail (docs/cmk-revocation.md).
func TestFileRevocation(t *testing.T) {
	emu := startAzemu(t)
	env := newARM(t, emu)
	f := setupCMK(t, env, "filecmk", cmkOptions{})
	ctx := ctxT(t)
	keys, err := env.accounts.ListKeys(ctx, f.group, f.account, nil)
	require.NoError(t, err)
	cred, err := fileservice.NewSharedKeyCredential(f.account, *keys.Keys[0].Value)
	require.NoError(t, err)
	svc, err := fileservice.NewClientWithSharedKeyCredential(emu.FileURL()+"/"+f.account, cred, fileClientOptions(emu))
	require.NoError(t, err)
	sh := svc.NewShareClient("cmkshare")
	_, err = sh.Create(ctx, nil)
	require.NoError(t, err)
	d := sh.NewDirectoryClient("d")
	_, err = d.Create(ctx, nil)
	require.NoError(t, err)
	fc := d.NewFileClient("f.bin")
	_, err = fc.Create(ctx, 10, nil)
	require.NoError(t, err)
	_, err = fc.UploadRange(ctx, 0, streamingBody("0123456789"), nil)
	require.NoError(t, err)
	_, err = d.NewFileClient("victim").Create(ctx, 1, nil)
	require.NoError(t, err)

	f.setEnabled(t, "", false)
	code := fileerror.Code("KeyVaultEncryptionKeyNotFound")
	_, err = fc.DownloadStream(ctx, nil)
	hasFileCode(t, err, code)
	_, err = fc.GetProperties(ctx, nil)
	hasFileCode(t, err, code)
	_, err = fc.UploadRange(ctx, 0, streamingBody("x"), nil)
	hasFileCode(t, err, code)
	_, err = fc.SetMetadata(ctx, nil)
	hasFileCode(t, err, code)
	_, err = d.GetProperties(ctx, nil)
	hasFileCode(t, err, code)
	_, err = sh.NewDirectoryClient("new").Create(ctx, nil)
	hasFileCode(t, err, code)
	_, err = d.NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	hasFileCode(t, err, code)
	_, err = sh.CreatePermission(ctx, "O:SYG:SY", nil)
	hasFileCode(t, err, code)
	_, err = fc.Rename(ctx, "d/renamed", nil)
	hasFileCode(t, err, code)
	// Not in the list: they keep working.
	_, err = sh.GetProperties(ctx, nil)
	require.NoError(t, err)
	_, err = svc.NewListSharesPager(nil).NextPage(ctx)
	require.NoError(t, err)
	_, err = d.NewFileClient("victim").Delete(ctx, nil)
	require.NoError(t, err)
	_, err = fc.GetRangeList(ctx, nil)
	require.NoError(t, err)

	f.setEnabled(t, "", true)
	ds, err := fc.DownloadStream(ctx, nil)
	require.NoError(t, err)
	b, err := io.ReadAll(ds.Body)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(b))

}

// benchFile starts azemu (on disk when dir is set) and returns a file client
// for a fresh share.
func benchFile(b *testing.B, name string, size int64) *file.Client {
	b.Helper()
	emu := startAzemu(b, withDataDir(b.TempDir()))
	svc, err := fileservice.NewClientFromConnectionString(emu.ConnectionString(), fileClientOptions(emu))
	require.NoError(b, err)
	sh := svc.NewShareClient("bench")
	_, err = sh.Create(context.Background(), nil)
	require.NoError(b, err)
	f := sh.NewRootDirectoryClient().NewFileClient(name)
	_, err = f.Create(context.Background(), size, nil)
	require.NoError(b, err)
	return f
}

// BenchmarkFileSDKUpload1GiB uploads 1 GiB with the SDK's concurrent
// UploadStream (4 MiB ranges, 8 in flight) through HTTP.
func BenchmarkFileSDKUpload1GiB(b *testing.B) {
	const size = 1 << 30
	f := benchFile(b, "up.bin", size)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.UploadStream(context.Background(), newPRNGReader(byte(i), size), &file.UploadStreamOptions{Concurrency: 8, ChunkSize: 4 << 20}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileSDKDownload1GiB downloads 1 GiB in one stream and in 4
// parallel ranges, discarding the bytes (nothing is held in memory).
func BenchmarkFileSDKDownload1GiB(b *testing.B) {
	const size = 1 << 30
	f := benchFile(b, "down.bin", size)
	require.NoError(b, f.UploadStream(context.Background(), newPRNGReader(1, size), &file.UploadStreamOptions{Concurrency: 8, ChunkSize: 4 << 20}))
	get := func(off, n int64) error {
		resp, err := f.DownloadStream(context.Background(), &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: off, Count: n}})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		got, err := io.Copy(io.Discard, resp.Body)
		if err == nil && got != n {
			err = fmt.Errorf("read %d of %d bytes", got, n)
		}
		return err
	}
	b.Run("single", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			require.NoError(b, get(0, size))
		}
	})
	b.Run("4ranges", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			errs := make(chan error, 4)
			for r := range int64(4) {
				go func() { errs <- get(r*size/4, size/4) }()
			}
			for range 4 {
				require.NoError(b, <-errs)
			}
		}
	})
}

// BenchmarkFileSDKRandomPutRange4K overwrites random 4 KiB ranges of a
// 64 MiB file, one SDK UploadRange call at a time.
func BenchmarkFileSDKRandomPutRange4K(b *testing.B) {
	const size = 64 << 20
	f := benchFile(b, "rand.bin", size)
	data := bytes.Repeat([]byte{0xA5}, 4096)
	rng := mrand.New(mrand.NewPCG(5, 6))
	b.SetBytes(4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := rng.Int64N(size/4096) * 4096
		if _, err := f.UploadRange(context.Background(), off, bytesBody(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}
