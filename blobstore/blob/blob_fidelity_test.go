package blob

import (
	"bytes"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTierChangeTimeAndInheritance: an explicit tier carries its change
// time; overwriting a blob without a tier keeps the old blob's tier (Put
// Blob and Put Block List), as Azure documents; Archive is refused on every
// write that takes a tier.
func TestTierChangeTimeAndInheritance(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	props := func(name string) blobstore.BlobProperties {
		p, err := e.s.GetBlobProperties(e.ctx, bref("box", name), blobstore.Conditions{})
		require.NoError(t, err)
		return p
	}
	e.put("box", "b", []byte("x"))
	assert.True(t, props("b").AccessTierChangeTime.IsZero(), "an inferred tier has no change time")

	e.clock.Advance(time.Minute)
	set := e.clock.Now()
	require.NoError(t, e.s.SetBlobTier(e.ctx, bref("box", "b"), "Cool", blobstore.Conditions{}))
	assert.Equal(t, set, props("b").AccessTierChangeTime)
	e.clock.Advance(time.Minute)
	require.NoError(t, e.s.SetBlobTier(e.ctx, bref("box", "b"), "cool", blobstore.Conditions{}))
	assert.Equal(t, set, props("b").AccessTierChangeTime, "setting the same tier again changes nothing")

	e.clock.Advance(time.Minute)
	e.put("box", "b", []byte("overwritten"))
	p := props("b")
	assert.Equal(t, "Cool", p.AccessTier, "Put Blob without a tier inherits the tier")
	assert.False(t, p.AccessTierInferred)
	assert.Equal(t, set, p.AccessTierChangeTime)

	_, err := e.s.PutBlock(e.ctx, bref("box", "b"), blobstore.PutBlockOptions{BlockID: bid(1), Body: bytes.NewReader([]byte("a")), Size: 1})
	require.NoError(t, err)
	_, err = e.s.PutBlockList(e.ctx, bref("box", "b"), blobstore.PutBlockListOptions{Blocks: []blobstore.BlockListItem{{ID: bid(1), Lookup: blobstore.LookupLatest}}})
	require.NoError(t, err)
	assert.Equal(t, "Cool", props("b").AccessTier, "Put Block List without a tier inherits the tier")

	now := e.clock.Now()
	_, err = e.s.PutBlob(e.ctx, bref("box", "c"), blobstore.PutBlobOptions{Body: bytes.NewReader(nil), Tier: "cold"})
	require.NoError(t, err)
	assert.Equal(t, "Cold", props("c").AccessTier)
	assert.Equal(t, now, props("c").AccessTierChangeTime)

	_, err = e.s.PutBlob(e.ctx, bref("box", "d"), blobstore.PutBlobOptions{Body: bytes.NewReader(nil), Tier: "Archive"})
	assert.ErrorIs(t, err, storageerr.ErrFeatureNotSupported)
	_, err = e.s.PutBlockList(e.ctx, bref("box", "d"), blobstore.PutBlockListOptions{Tier: "Archive"})
	assert.ErrorIs(t, err, storageerr.ErrFeatureNotSupported)
	_, err = e.s.CopyBlob(e.ctx, bref("box", "d"), blobstore.CopyBlobOptions{Source: bref("box", "b"), Tier: "Archive"})
	assert.ErrorIs(t, err, storageerr.ErrFeatureNotSupported)
	_, err = e.s.PutBlob(e.ctx, bref("box", "d"), blobstore.PutBlobOptions{Body: bytes.NewReader(nil), Tier: "Tepid"})
	assert.ErrorIs(t, err, storageerr.ErrInvalidHeaderValue)
}

// TestLeaseIDOnAbsentBlob: a lease id on a write that creates a blob is 412
// LeaseNotPresentWithBlobOperation (Put Blob, Put Block List remarks).
func TestLeaseIDOnAbsentBlob(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	cond := blobstore.Conditions{LeaseID: "e0b5a9f4-1a2b-4c3d-8e9f-0123456789ab"}
	_, err := e.s.PutBlob(e.ctx, bref("box", "new"), blobstore.PutBlobOptions{Body: bytes.NewReader(nil), Conditions: cond})
	assert.ErrorIs(t, err, storageerr.ErrLeaseNotPresentWithBlobOperation)
	_, err = e.s.PutBlockList(e.ctx, bref("box", "new"), blobstore.PutBlockListOptions{Conditions: cond})
	assert.ErrorIs(t, err, storageerr.ErrLeaseNotPresentWithBlobOperation)
	_, err = e.s.CreateAppendBlob(e.ctx, bref("box", "new"), blobstore.CreateAppendBlobOptions{Conditions: cond})
	assert.ErrorIs(t, err, storageerr.ErrLeaseNotPresentWithBlobOperation)
}

// TestSetBlobPropertiesEndsCopyInfo: after Set Blob Properties a copy
// destination no longer reports x-ms-copy-*; Set Blob Metadata keeps it.
func TestSetBlobPropertiesEndsCopyInfo(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	e.put("box", "src", []byte("data"))
	_, err := e.s.CopyBlob(e.ctx, bref("box", "dst"), blobstore.CopyBlobOptions{Source: bref("box", "src"), SourceURL: "http://x/src"})
	require.NoError(t, err)
	_, err = e.s.SetBlobMetadata(e.ctx, bref("box", "dst"), map[string]string{"a": "b"}, blobstore.Conditions{})
	require.NoError(t, err)
	p, err := e.s.GetBlobProperties(e.ctx, bref("box", "dst"), blobstore.Conditions{})
	require.NoError(t, err)
	require.NotNil(t, p.Copy)
	_, err = e.s.SetBlobHTTPHeaders(e.ctx, bref("box", "dst"), blobstore.HTTPHeaders{ContentType: "text/plain"}, blobstore.Conditions{})
	require.NoError(t, err)
	p, err = e.s.GetBlobProperties(e.ctx, bref("box", "dst"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Nil(t, p.Copy)
}

// TestCopyAsPutBlob: Put Blob From URL makes a block blob without copy
// properties or the source's metadata, with the given headers if any.
func TestCopyAsPutBlob(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	_, err := e.s.CreateAppendBlob(e.ctx, bref("box", "src"), blobstore.CreateAppendBlobOptions{Metadata: map[string]string{"origin": "src"}, HTTPHeaders: blobstore.HTTPHeaders{ContentType: "text/src"}})
	require.NoError(t, err)
	_, err = e.s.AppendBlock(e.ctx, bref("box", "src"), blobstore.AppendBlockOptions{Body: bytes.NewReader([]byte("data")), Size: 4})
	require.NoError(t, err)

	res, err := e.s.CopyBlob(e.ctx, bref("box", "dst"), blobstore.CopyBlobOptions{Source: bref("box", "src"), AsPutBlob: true})
	require.NoError(t, err)
	assert.Empty(t, res.CopyID)
	p, err := e.s.GetBlobProperties(e.ctx, bref("box", "dst"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, blobstore.BlockBlob, p.BlobType)
	assert.Nil(t, p.Copy)
	assert.Empty(t, p.Metadata)
	assert.Equal(t, "text/src", p.HTTPHeaders.ContentType)
	assert.Equal(t, []byte("data"), e.read(bref("box", "dst")))

	_, err = e.s.CopyBlob(e.ctx, bref("box", "dst"), blobstore.CopyBlobOptions{Source: bref("box", "src"), AsPutBlob: true,
		HTTPHeaders: &blobstore.HTTPHeaders{ContentType: "text/mine"}, Metadata: map[string]string{"own": "yes"}})
	require.NoError(t, err)
	p, err = e.s.GetBlobProperties(e.ctx, bref("box", "dst"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, "text/mine", p.HTTPHeaders.ContentType)
	assert.Equal(t, map[string]string{"own": "yes"}, p.Metadata)
}

// TestSetBlobPropertiesNilHeaders: nil HTTPHeaders keep the headers but
// still make a new ETag.
func TestSetBlobPropertiesNilHeaders(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	w, err := e.s.PutBlob(e.ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: bytes.NewReader([]byte("x")), Size: 1, HTTPHeaders: blobstore.HTTPHeaders{ContentType: "text/plain"}})
	require.NoError(t, err)
	e.clock.Advance(time.Second)
	res, err := e.s.SetBlobProperties(e.ctx, bref("box", "b"), blobstore.SetBlobPropertiesOptions{})
	require.NoError(t, err)
	assert.NotEqual(t, w.ETag, res.ETag)
	p, err := e.s.GetBlobProperties(e.ctx, bref("box", "b"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, "text/plain", p.HTTPHeaders.ContentType)
	assert.NotEmpty(t, p.HTTPHeaders.ContentMD5)
}
