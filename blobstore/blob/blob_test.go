package blob

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func (e *env) put(c, b string, data []byte) blobstore.WriteResult {
	e.t.Helper()
	r, err := e.s.PutBlob(e.ctx, bref(c, b), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: int64(len(data))})
	require.NoError(e.t, err)
	return r
}

func (e *env) read(ref blobstore.BlobRef) []byte {
	e.t.Helper()
	r, err := e.s.GetBlob(e.ctx, ref, blobstore.Conditions{})
	require.NoError(e.t, err)
	defer r.Close()
	b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	require.NoError(e.t, err)
	return b
}

// dataFiles counts the data files on disk.
func (e *env) dataFiles() int {
	n := 0
	_ = filepath.WalkDir(filepath.Join(e.cfg.DataDir, "data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestPutGetBlobSizes(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	for _, n := range []int{0, 1, 65535, 65536, 65537, 200_000} {
		data := randBytes(t, n)
		w := e.put("box", "b", data)
		sum := md5.Sum(data)
		assert.Equal(t, sum[:], w.ContentMD5)
		assert.Equal(t, data, e.read(bref("box", "b")), "size %d", n)
		p, err := e.s.GetBlobProperties(e.ctx, bref("box", "b"), blobstore.Conditions{})
		require.NoError(t, err)
		assert.Equal(t, int64(n), p.ContentLength)
		assert.Equal(t, blobstore.BlockBlob, p.BlobType)
		assert.True(t, p.ServerEncrypted)
		assert.Equal(t, sum[:], p.HTTPHeaders.ContentMD5)
	}
	// Overwrites released the older files.
	assert.Equal(t, 1, e.dataFiles())
}

func TestRangedRead(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	data := randBytes(t, 300_000)
	e.put("box", "b", data)
	r, err := e.s.GetBlob(e.ctx, bref("box", "b"), blobstore.Conditions{})
	require.NoError(t, err)
	defer r.Close()
	for _, rg := range [][2]int{{0, 10}, {65530, 65550}, {299_990, 300_000}, {100_000, 231_072}} {
		buf := make([]byte, rg[1]-rg[0])
		n, err := r.ReadAt(buf, int64(rg[0]))
		require.NoError(t, err)
		assert.Equal(t, len(buf), n)
		assert.Equal(t, data[rg[0]:rg[1]], buf)
	}
	n, err := r.ReadAt(make([]byte, 20), 299_990)
	assert.Equal(t, 10, n)
	assert.ErrorIs(t, err, io.EOF)
}

func TestPutBlobMD5MismatchCommitsNothing(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	e.put("box", "b", []byte("old"))
	bad := md5.Sum([]byte("other"))
	_, err := e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: strings.NewReader("new"), Size: 3, TransactionalMD5: bad[:]})
	assert.ErrorIs(t, err, storageerr.ErrMD5Mismatch)
	assert.Equal(t, []byte("old"), e.read(bref("box", "b")))
	assert.Equal(t, 1, e.dataFiles())
	good := md5.Sum([]byte("new"))
	_, err = e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: strings.NewReader("new"), Size: -1, TransactionalMD5: good[:]})
	require.NoError(t, err)
	assert.Equal(t, []byte("new"), e.read(bref("box", "b")))
}

func TestPutBlobErrors(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	for _, tt := range []struct {
		name string
		ref  blobstore.BlobRef
		opts blobstore.PutBlobOptions
		want error
	}{
		{"no container", bref("nobox", "b"), blobstore.PutBlobOptions{Body: strings.NewReader("x"), Size: 1}, storageerr.ErrContainerNotFound},
		{"long name", bref("box", strings.Repeat("n", 1025)), blobstore.PutBlobOptions{Size: 0}, storageerr.ErrInvalidResourceName},
		{"short body", bref("box", "b"), blobstore.PutBlobOptions{Body: strings.NewReader("x"), Size: 2}, storageerr.ErrInvalidInput},
		{"bad meta", bref("box", "b"), blobstore.PutBlobOptions{Metadata: map[string]string{"a-b": "1"}}, storageerr.ErrInvalidMetadata},
		{"snapshot", blobstore.BlobRef{Account: acct, Container: "box", Blob: "b", Snapshot: "2026-01-02T03:04:05.0000000Z"}, blobstore.PutBlobOptions{}, storageerr.ErrInvalidQueryParameterValue},
		{"if-match absent", bref("box", "b"), blobstore.PutBlobOptions{Conditions: blobstore.Conditions{IfMatch: `"0x1"`}}, storageerr.ErrConditionNotMet},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.s.PutBlob(e.ctx, tt.ref, tt.opts)
			assert.ErrorIs(t, err, tt.want)
		})
	}
	assert.Equal(t, 0, e.dataFiles())
}

func TestConditions(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	w := e.put("box", "b", []byte("x"))
	lm := w.LastModified.Truncate(time.Second)
	q := `"` + w.ETag + `"`
	for _, tt := range []struct {
		name      string
		c         blobstore.Conditions
		read      error
		write     error
		createErr error
	}{
		{"none", blobstore.Conditions{}, nil, nil, nil},
		{"if-match ok", blobstore.Conditions{IfMatch: q}, nil, nil, nil},
		{"if-match list", blobstore.Conditions{IfMatch: `"zz", ` + q}, nil, nil, nil},
		{"if-match star", blobstore.Conditions{IfMatch: "*"}, nil, nil, nil},
		{"if-match bad", blobstore.Conditions{IfMatch: `"zz"`}, storageerr.ErrConditionNotMet, storageerr.ErrConditionNotMet, storageerr.ErrConditionNotMet},
		{"if-none-match hit", blobstore.Conditions{IfNoneMatch: q}, storageerr.ErrNotModified, storageerr.ErrConditionNotMet, storageerr.ErrConditionNotMet},
		{"if-none-match star", blobstore.Conditions{IfNoneMatch: "*"}, storageerr.ErrNotModified, storageerr.ErrConditionNotMet, storageerr.ErrBlobAlreadyExists},
		{"if-none-match miss", blobstore.Conditions{IfNoneMatch: `"zz"`}, nil, nil, nil},
		{"if-modified-since same", blobstore.Conditions{IfModifiedSince: lm}, storageerr.ErrNotModified, storageerr.ErrConditionNotMet, storageerr.ErrConditionNotMet},
		{"if-modified-since before", blobstore.Conditions{IfModifiedSince: lm.Add(-time.Second)}, nil, nil, nil},
		{"if-unmodified-since same", blobstore.Conditions{IfUnmodifiedSince: lm}, nil, nil, nil},
		{"if-unmodified-since before", blobstore.Conditions{IfUnmodifiedSince: lm.Add(-time.Second)}, storageerr.ErrConditionNotMet, storageerr.ErrConditionNotMet, storageerr.ErrConditionNotMet},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := blobstore.CheckConditions(tt.c, true, w.ETag, w.LastModified, blobstore.CondRead)
			assertErr(t, tt.read, err)
			assertErr(t, tt.write, blobstore.CheckConditions(tt.c, true, w.ETag, w.LastModified, blobstore.CondWrite))
			assertErr(t, tt.createErr, blobstore.CheckConditions(tt.c, true, w.ETag, w.LastModified, blobstore.CondCreate))
			_, err = e.s.GetBlobProperties(e.ctx, bref("box", "b"), tt.c)
			assertErr(t, tt.read, err)
		})
	}
	_, err := e.s.GetBlob(e.ctx, bref("box", "b"), blobstore.Conditions{IfNoneMatch: q})
	assert.True(t, errors.Is(err, storageerr.ErrNotModified))
	assert.Equal(t, 304, err.(*storageerr.Error).Status)
}

func assertErr(t *testing.T, want, got error) {
	t.Helper()
	if want == nil {
		assert.NoError(t, got)
		return
	}
	require.Error(t, got)
	assert.Equal(t, want.(*storageerr.Error).Status, got.(*storageerr.Error).Status, "%v", got)
	assert.ErrorIs(t, got, want)
}

func bid(i int) string {
	return base64.StdEncoding.EncodeToString([]byte{'b', byte('0' + i/10), byte('0' + i%10)})
}

func TestBlockBlobFlow(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	ref := bref("box", "bb")
	parts := [][]byte{randBytes(t, 70_000), randBytes(t, 10), randBytes(t, 5)}
	for i, p := range parts {
		_, err := e.s.PutBlock(e.ctx, ref, blobstore.PutBlockOptions{BlockID: bid(i), Body: bytes.NewReader(p), Size: int64(len(p))})
		require.NoError(t, err)
	}
	_, err := e.s.PutBlock(e.ctx, ref, blobstore.PutBlockOptions{BlockID: base64.StdEncoding.EncodeToString([]byte("longer")), Body: strings.NewReader("x"), Size: 1})
	assert.ErrorIs(t, err, storageerr.ErrInvalidBlobOrBlock)
	_, err = e.s.PutBlock(e.ctx, ref, blobstore.PutBlockOptions{BlockID: "not base64!", Body: strings.NewReader("x"), Size: 1})
	assert.ErrorIs(t, err, storageerr.ErrInvalidQueryParameterValue)
	_, err = e.s.PutBlock(e.ctx, ref, blobstore.PutBlockOptions{BlockID: base64.StdEncoding.EncodeToString(make([]byte, 65)), Body: strings.NewReader("x"), Size: 1})
	assert.ErrorIs(t, err, storageerr.ErrInvalidQueryParameterValue)

	// Uncommitted blob: not readable, listed by Get Block List.
	_, err = e.s.GetBlob(e.ctx, ref, blobstore.Conditions{})
	assert.ErrorIs(t, err, storageerr.ErrBlobNotFound)
	bl, err := e.s.GetBlockList(e.ctx, ref, blobstore.GetBlockListOptions{Type: blobstore.BlockListAll})
	require.NoError(t, err)
	assert.Len(t, bl.Uncommitted, 3)
	assert.Empty(t, bl.Committed)
	assert.Equal(t, 3, e.dataFiles())

	_, err = e.s.PutBlockList(e.ctx, ref, blobstore.PutBlockListOptions{Blocks: []blobstore.BlockListItem{{ID: bid(7), Lookup: blobstore.LookupLatest}}})
	assert.ErrorIs(t, err, storageerr.ErrInvalidBlockList)

	_, err = e.s.PutBlockList(e.ctx, ref, blobstore.PutBlockListOptions{
		Blocks:   []blobstore.BlockListItem{{ID: bid(0), Lookup: blobstore.LookupUncommitted}, {ID: bid(2), Lookup: blobstore.LookupLatest}, {ID: bid(0), Lookup: blobstore.LookupLatest}},
		Metadata: map[string]string{"k": "v"},
	})
	require.NoError(t, err)
	want := append(append(append([]byte{}, parts[0]...), parts[2]...), parts[0]...)
	assert.Equal(t, want, e.read(ref))
	// Block 1 was discarded and its file collected.
	assert.Equal(t, 2, e.dataFiles())
	bl, err = e.s.GetBlockList(e.ctx, ref, blobstore.GetBlockListOptions{Type: blobstore.BlockListAll})
	require.NoError(t, err)
	assert.Equal(t, []blobstore.Block{{Name: bid(0), Size: 70_000}, {Name: bid(2), Size: 5}, {Name: bid(0), Size: 70_000}}, bl.Committed)
	assert.Empty(t, bl.Uncommitted)

	// Recommit using Committed lookups: no data copied, files shared.
	_, err = e.s.PutBlockList(e.ctx, ref, blobstore.PutBlockListOptions{Blocks: []blobstore.BlockListItem{{ID: bid(2), Lookup: blobstore.LookupCommitted}}})
	require.NoError(t, err)
	assert.Equal(t, parts[2], e.read(ref))
	assert.Equal(t, 1, e.dataFiles())
	_, err = e.s.PutBlockList(e.ctx, ref, blobstore.PutBlockListOptions{Blocks: []blobstore.BlockListItem{{ID: bid(0), Lookup: blobstore.LookupCommitted}}})
	assert.ErrorIs(t, err, storageerr.ErrInvalidBlockList)
}

func TestSnapshotsAndDelete(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	e.put("box", "b", []byte("v1"))
	s1, err := e.s.SnapshotBlob(e.ctx, bref("box", "b"), blobstore.SnapshotOptions{})
	require.NoError(t, err)
	e.clock.Advance(time.Second)
	e.put("box", "b", []byte("v2"))
	assert.Equal(t, []byte("v1"), e.read(blobstore.BlobRef{Account: acct, Container: "box", Blob: "b", Snapshot: s1.Snapshot}))
	assert.Equal(t, []byte("v2"), e.read(bref("box", "b")))
	assert.Equal(t, 2, e.dataFiles())

	err = e.s.DeleteBlob(e.ctx, bref("box", "b"), blobstore.DeleteBlobOptions{})
	assert.ErrorIs(t, err, storageerr.ErrSnapshotsPresent)
	require.NoError(t, e.s.DeleteBlob(e.ctx, bref("box", "b"), blobstore.DeleteBlobOptions{DeleteSnapshots: blobstore.DeleteSnapshotsOnly}))
	_, err = e.s.GetBlob(e.ctx, blobstore.BlobRef{Account: acct, Container: "box", Blob: "b", Snapshot: s1.Snapshot}, blobstore.Conditions{})
	assert.ErrorIs(t, err, storageerr.ErrBlobNotFound)
	assert.Equal(t, 1, e.dataFiles())
	require.NoError(t, e.s.DeleteBlob(e.ctx, bref("box", "b"), blobstore.DeleteBlobOptions{}))
	assert.Equal(t, 0, e.dataFiles())
	assert.ErrorIs(t, e.s.DeleteBlob(e.ctx, bref("box", "b"), blobstore.DeleteBlobOptions{}), storageerr.ErrBlobNotFound)
}

func TestReaderSurvivesOverwrite(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	data := randBytes(t, 100_000)
	e.put("box", "b", data)
	r, err := e.s.GetBlob(e.ctx, bref("box", "b"), blobstore.Conditions{})
	require.NoError(t, err)
	require.NoError(t, e.s.DeleteBlob(e.ctx, bref("box", "b"), blobstore.DeleteBlobOptions{}))
	got, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	require.NoError(t, err)
	assert.Equal(t, data, got)
	assert.Equal(t, 1, e.dataFiles())
	require.NoError(t, r.Close())
	assert.Equal(t, 0, e.dataFiles())
}

func TestCopyBlobSharesFiles(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	e.mkContainer("dst")
	data := randBytes(t, 1000)
	_, err := e.s.PutBlob(e.ctx, bref("box", "src"), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: 1000, Metadata: map[string]string{"m": "1"}, HTTPHeaders: blobstore.HTTPHeaders{ContentType: "text/plain"}})
	require.NoError(t, err)
	res, err := e.s.CopyBlob(e.ctx, bref("dst", "copy"), blobstore.CopyBlobOptions{Source: bref("box", "src"), SourceURL: "http://x/devstoreaccount1/box/src"})
	require.NoError(t, err)
	assert.Equal(t, blobstore.CopySuccess, res.CopyStatus)
	assert.Equal(t, 1, e.dataFiles())
	p, err := e.s.GetBlobProperties(e.ctx, bref("dst", "copy"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"m": "1"}, p.Metadata)
	assert.Equal(t, "text/plain", p.HTTPHeaders.ContentType)
	require.NotNil(t, p.Copy)
	assert.Equal(t, "1000/1000", p.Copy.Progress)
	require.NoError(t, e.s.DeleteBlob(e.ctx, bref("box", "src"), blobstore.DeleteBlobOptions{}))
	assert.Equal(t, data, e.read(bref("dst", "copy")))
	assert.ErrorIs(t, e.s.AbortCopy(e.ctx, bref("dst", "copy"), blobstore.AbortCopyOptions{CopyID: res.CopyID}), storageerr.ErrNoPendingCopyOperation)
	assert.ErrorIs(t, e.s.AbortCopy(e.ctx, bref("dst", "copy"), blobstore.AbortCopyOptions{CopyID: "other"}), storageerr.ErrCopyIDMismatch)
	_, err = e.s.CopyBlob(e.ctx, bref("dst", "c2"), blobstore.CopyBlobOptions{Source: blobstore.BlobRef{Account: "other", Container: "box", Blob: "src"}})
	assert.ErrorIs(t, err, storageerr.ErrCopyAcrossAccountsNotSupported)
	_, err = e.s.CopyBlob(e.ctx, bref("dst", "c2"), blobstore.CopyBlobOptions{Source: bref("box", "nope")})
	assert.ErrorIs(t, err, storageerr.ErrBlobNotFound)
}

func TestAppendBlob(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	ref := bref("box", "log")
	_, err := e.s.AppendBlock(e.ctx, ref, blobstore.AppendBlockOptions{Body: strings.NewReader("x"), Size: 1})
	assert.ErrorIs(t, err, storageerr.ErrBlobNotFound)
	_, err = e.s.CreateAppendBlob(e.ctx, ref, blobstore.CreateAppendBlobOptions{})
	require.NoError(t, err)
	pos := func(n int64) *int64 { return &n }
	r, err := e.s.AppendBlock(e.ctx, ref, blobstore.AppendBlockOptions{Body: strings.NewReader("hello "), Size: 6})
	require.NoError(t, err)
	assert.Equal(t, int64(0), r.AppendOffset)
	r, err = e.s.AppendBlock(e.ctx, ref, blobstore.AppendBlockOptions{Body: strings.NewReader("world"), Size: 5, AppendPosition: pos(6)})
	require.NoError(t, err)
	assert.Equal(t, int64(6), r.AppendOffset)
	assert.Equal(t, 2, r.CommittedBlockCount)
	_, err = e.s.AppendBlock(e.ctx, ref, blobstore.AppendBlockOptions{Body: strings.NewReader("!"), Size: 1, AppendPosition: pos(3)})
	assert.ErrorIs(t, err, storageerr.ErrAppendPositionConditionNotMet)
	_, err = e.s.AppendBlock(e.ctx, ref, blobstore.AppendBlockOptions{Body: strings.NewReader("!"), Size: 1, MaxSize: pos(11)})
	assert.ErrorIs(t, err, storageerr.ErrMaxBlobSizeConditionNotMet)
	assert.Equal(t, []byte("hello world"), e.read(ref))
	e.put("box", "block", []byte("x"))
	_, err = e.s.AppendBlock(e.ctx, bref("box", "block"), blobstore.AppendBlockOptions{Body: strings.NewReader("!"), Size: 1})
	assert.ErrorIs(t, err, storageerr.ErrInvalidBlobType)
	p, err := e.s.GetBlobProperties(e.ctx, ref, blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, blobstore.AppendBlob, p.BlobType)
	assert.Equal(t, 2, p.CommittedBlockCount)
}

func TestBlobLeaseRules(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	w := e.put("box", "b", []byte("x"))
	ref := bref("box", "b")
	l, err := e.s.LeaseBlob(e.ctx, ref, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1})
	require.NoError(t, err)
	p, err := e.s.GetBlobProperties(e.ctx, ref, blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, w.ETag, p.ETag, "lease ops do not change the ETag")
	assert.Equal(t, blobstore.LeaseInfo{State: blobstore.LeaseStateLeased, Status: blobstore.LeaseStatusLocked, Duration: blobstore.LeaseDurationInfinite}, p.Lease)

	_, err = e.s.PutBlob(e.ctx, ref, blobstore.PutBlobOptions{Body: strings.NewReader("y"), Size: 1})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIDMissing)
	_, err = e.s.PutBlob(e.ctx, ref, blobstore.PutBlobOptions{Body: strings.NewReader("y"), Size: 1, Conditions: blobstore.Conditions{LeaseID: blobstore.NewLeaseID()}})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIDMismatchWithBlobOperation)
	_, err = e.s.PutBlob(e.ctx, ref, blobstore.PutBlobOptions{Body: strings.NewReader("y"), Size: 1, Conditions: blobstore.Conditions{LeaseID: l.LeaseID}})
	require.NoError(t, err)
	_, err = e.s.SetBlobMetadata(e.ctx, ref, map[string]string{"a": "b"}, blobstore.Conditions{})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIDMissing)
	assert.ErrorIs(t, e.s.DeleteBlob(e.ctx, ref, blobstore.DeleteBlobOptions{}), storageerr.ErrLeaseIDMissing)
	_, err = e.s.GetBlobProperties(e.ctx, ref, blobstore.Conditions{LeaseID: blobstore.NewLeaseID()})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIDMismatchWithBlobOperation)

	_, err = e.s.LeaseBlob(e.ctx, ref, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: 20})
	assert.ErrorIs(t, err, storageerr.ErrLeaseAlreadyPresent)
	bp := 10
	br, err := e.s.LeaseBlob(e.ctx, ref, blobstore.LeaseOptions{Action: blobstore.LeaseBreak, BreakPeriod: &bp})
	require.NoError(t, err)
	assert.Equal(t, 10, br.LeaseTime)
	p, _ = e.s.GetBlobProperties(e.ctx, ref, blobstore.Conditions{})
	assert.Equal(t, blobstore.LeaseStateBreaking, p.Lease.State)
	_, err = e.s.LeaseBlob(e.ctx, ref, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: 20, ProposedLeaseID: l.LeaseID})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIsBreakingAndCannotBeAcquired)
	e.clock.Advance(10 * time.Second)
	p, _ = e.s.GetBlobProperties(e.ctx, ref, blobstore.Conditions{})
	assert.Equal(t, blobstore.LeaseInfo{State: blobstore.LeaseStateBroken, Status: blobstore.LeaseStatusUnlocked}, p.Lease)
	_, err = e.s.LeaseBlob(e.ctx, ref, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: l.LeaseID})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIsBrokenAndCannotBeRenewed)
	_, err = e.s.SetBlobMetadata(e.ctx, ref, nil, blobstore.Conditions{LeaseID: l.LeaseID})
	assert.ErrorIs(t, err, storageerr.ErrLeaseNotPresentWithBlobOperation)
	require.NoError(t, e.s.DeleteBlob(e.ctx, ref, blobstore.DeleteBlobOptions{}))
}

func TestLeaseStateTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := "aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000"
	leased := blobstore.Lease{ID: a, State: blobstore.LeaseStateLeased, Seconds: 30, Expires: now.Add(30 * time.Second)}
	breaking := blobstore.Lease{ID: a, State: blobstore.LeaseStateBreaking, BreakAt: now.Add(5 * time.Second)}
	broken := blobstore.Lease{ID: a, State: blobstore.LeaseStateBroken, BreakAt: now.Add(-time.Second)}
	expired := blobstore.Lease{ID: a, State: blobstore.LeaseStateLeased, Seconds: 30, Expires: now.Add(-time.Second)}
	zero := 0
	for _, tt := range []struct {
		name  string
		l     blobstore.Lease
		o     blobstore.LeaseOptions
		want  error
		state blobstore.LeaseState
	}{
		{"acquire available", blobstore.Lease{}, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: 15}, nil, blobstore.LeaseStateLeased},
		{"acquire bad duration", blobstore.Lease{}, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: 14}, storageerr.ErrInvalidHeaderValue, ""},
		{"acquire leased same", leased, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1, ProposedLeaseID: a}, nil, blobstore.LeaseStateLeased},
		{"acquire leased other", leased, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1, ProposedLeaseID: b}, storageerr.ErrLeaseAlreadyPresent, ""},
		{"acquire breaking", breaking, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1, ProposedLeaseID: b}, storageerr.ErrLeaseAlreadyPresent, ""},
		{"acquire broken", broken, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1, ProposedLeaseID: b}, nil, blobstore.LeaseStateLeased},
		{"acquire expired", expired, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1}, nil, blobstore.LeaseStateLeased},
		{"renew available", blobstore.Lease{}, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: a}, storageerr.ErrLeaseNotPresentWithLeaseOperation, ""},
		{"renew leased", leased, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: a}, nil, blobstore.LeaseStateLeased},
		{"renew mismatch", leased, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: b}, storageerr.ErrLeaseIDMismatchWithLeaseOperation, ""},
		{"renew expired", expired, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: a}, nil, blobstore.LeaseStateLeased},
		{"renew broken", broken, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: a}, storageerr.ErrLeaseIsBrokenAndCannotBeRenewed, ""},
		{"change leased", leased, blobstore.LeaseOptions{Action: blobstore.LeaseChange, LeaseID: a, ProposedLeaseID: b}, nil, blobstore.LeaseStateLeased},
		{"change leased b to a", leased, blobstore.LeaseOptions{Action: blobstore.LeaseChange, LeaseID: b, ProposedLeaseID: a}, nil, blobstore.LeaseStateLeased},
		{"change mismatch", leased, blobstore.LeaseOptions{Action: blobstore.LeaseChange, LeaseID: b, ProposedLeaseID: b}, storageerr.ErrLeaseIDMismatchWithLeaseOperation, ""},
		{"change breaking", breaking, blobstore.LeaseOptions{Action: blobstore.LeaseChange, LeaseID: a, ProposedLeaseID: b}, storageerr.ErrLeaseIsBreakingAndCannotBeChanged, ""},
		{"change expired", expired, blobstore.LeaseOptions{Action: blobstore.LeaseChange, LeaseID: a, ProposedLeaseID: b}, storageerr.ErrLeaseNotPresentWithLeaseOperation, ""},
		{"change missing proposed", leased, blobstore.LeaseOptions{Action: blobstore.LeaseChange, LeaseID: a}, storageerr.ErrMissingRequiredHeader, ""},
		{"acquire proposed not a guid", blobstore.Lease{}, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1, ProposedLeaseID: "nope"}, storageerr.ErrInvalidHeaderValue, ""},
		{"renew id not a guid", leased, blobstore.LeaseOptions{Action: blobstore.LeaseRenew, LeaseID: "nope"}, storageerr.ErrInvalidHeaderValue, ""},
		{"release leased", leased, blobstore.LeaseOptions{Action: blobstore.LeaseRelease, LeaseID: a}, nil, blobstore.LeaseStateAvailable},
		{"release breaking", breaking, blobstore.LeaseOptions{Action: blobstore.LeaseRelease, LeaseID: a}, nil, blobstore.LeaseStateAvailable},
		{"release mismatch", leased, blobstore.LeaseOptions{Action: blobstore.LeaseRelease, LeaseID: b}, storageerr.ErrLeaseIDMismatchWithLeaseOperation, ""},
		{"release available", blobstore.Lease{}, blobstore.LeaseOptions{Action: blobstore.LeaseRelease, LeaseID: a}, storageerr.ErrLeaseNotPresentWithLeaseOperation, ""},
		{"break available", blobstore.Lease{}, blobstore.LeaseOptions{Action: blobstore.LeaseBreak}, storageerr.ErrLeaseNotPresentWithLeaseOperation, ""},
		{"break fixed default", leased, blobstore.LeaseOptions{Action: blobstore.LeaseBreak}, nil, blobstore.LeaseStateBreaking},
		{"break zero", leased, blobstore.LeaseOptions{Action: blobstore.LeaseBreak, BreakPeriod: &zero}, nil, blobstore.LeaseStateBroken},
		{"break infinite default", blobstore.Lease{ID: a, State: blobstore.LeaseStateLeased, Infinite: true}, blobstore.LeaseOptions{Action: blobstore.LeaseBreak}, nil, blobstore.LeaseStateBroken},
		{"break expired", expired, blobstore.LeaseOptions{Action: blobstore.LeaseBreak}, nil, blobstore.LeaseStateBroken},
		{"break breaking shorter", breaking, blobstore.LeaseOptions{Action: blobstore.LeaseBreak, BreakPeriod: &zero}, nil, blobstore.LeaseStateBroken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.l
			_, err := blobstore.ApplyLease(&l, tt.o, now)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				assert.Equal(t, tt.l, l, "a failed action changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.state, l.Effective(now).State)
		})
	}
}

func TestSetBlobTier(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	w := e.put("box", "b", []byte("x"))
	p, err := e.s.GetBlobProperties(e.ctx, bref("box", "b"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, "Hot", p.AccessTier)
	assert.True(t, p.AccessTierInferred)
	require.NoError(t, e.s.SetBlobTier(e.ctx, bref("box", "b"), "cool", blobstore.Conditions{}))
	p, err = e.s.GetBlobProperties(e.ctx, bref("box", "b"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, "Cool", p.AccessTier)
	assert.False(t, p.AccessTierInferred)
	assert.Equal(t, w.ETag, p.ETag, "Set Blob Tier keeps the ETag")
	assert.ErrorIs(t, e.s.SetBlobTier(e.ctx, bref("box", "b"), "Archive", blobstore.Conditions{}), storageerr.ErrFeatureNotSupported)
	assert.ErrorIs(t, e.s.SetBlobTier(e.ctx, bref("box", "b"), "Lukewarm", blobstore.Conditions{}), storageerr.ErrInvalidHeaderValue)
	assert.ErrorIs(t, e.s.SetBlobTier(e.ctx, bref("box", "nope"), "Hot", blobstore.Conditions{}), storageerr.ErrBlobNotFound)
	_, err = e.s.CreateAppendBlob(e.ctx, bref("box", "ap"), blobstore.CreateAppendBlobOptions{})
	require.NoError(t, err)
	assert.ErrorIs(t, e.s.SetBlobTier(e.ctx, bref("box", "ap"), "Hot", blobstore.Conditions{}), storageerr.ErrInvalidBlobType)
	_, err = e.s.LeaseBlob(e.ctx, bref("box", "b"), blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1})
	require.NoError(t, err)
	assert.ErrorIs(t, e.s.SetBlobTier(e.ctx, bref("box", "b"), "Hot", blobstore.Conditions{}), storageerr.ErrLeaseIDMissing)
}

func TestBlockListLimits(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	items := make([]blobstore.BlockListItem, maxBlocks+1)
	_, err := e.s.PutBlockList(e.ctx, bref("box", "b"), blobstore.PutBlockListOptions{Blocks: items})
	assert.ErrorIs(t, err, storageerr.ErrBlockListTooLong)
	_, err = e.s.PutBlock(e.ctx, bref("box", "b"), blobstore.PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("x"), Size: maxPutBlockSize + 1})
	assert.ErrorIs(t, err, storageerr.ErrRequestBodyTooLarge)
	_, err = e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: strings.NewReader("x"), Size: maxPutBlobSize + 1})
	assert.ErrorIs(t, err, storageerr.ErrRequestBodyTooLarge)
	_, err = e.s.CreateAppendBlob(e.ctx, bref("box", "ap"), blobstore.CreateAppendBlobOptions{})
	require.NoError(t, err)
	_, err = e.s.AppendBlock(e.ctx, bref("box", "ap"), blobstore.AppendBlockOptions{Body: strings.NewReader("x"), Size: maxAppendBlockSize + 1})
	assert.ErrorIs(t, err, storageerr.ErrRequestBodyTooLarge)
	assert.Equal(t, 0, e.dataFiles())
}

func TestAppendBlockCountLimit(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	ref := bref("box", "ap")
	_, err := e.s.CreateAppendBlob(e.ctx, ref, blobstore.CreateAppendBlobOptions{})
	require.NoError(t, err)
	// Pretend 50,000 blocks were appended.
	require.NoError(t, e.s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := mustBlob(tx, ref)
		require.NoError(t, err)
		rec.BlockCount = maxBlocks
		return putBlobRec(tx, ref, rec)
	}))
	_, err = e.s.AppendBlock(e.ctx, ref, blobstore.AppendBlockOptions{Body: strings.NewReader("x"), Size: 1})
	assert.ErrorIs(t, err, storageerr.ErrBlockCountExceedsLimit)
}
