package blob

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fullBlobRec() *blobRec {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 123456700, time.UTC)
	return &blobRec{
		V: blobstore.RecordVersion, Type: blobstore.BlockBlob, Created: t0, ETag: "0x8DE1", LastModified: t0.Add(time.Second),
		Headers: blobstore.HTTPHeaders{ContentType: "text/plain", ContentEncoding: "gzip", ContentLanguage: "en",
			ContentDisposition: "inline", CacheControl: "no-cache", ContentMD5: []byte("0123456789abcdef")},
		MetaSealed: []byte{1, 2, 3}, Size: 30,
		Extents: []sealed.Extent{{F: sealed.FileRef{1}, Off: 0, Len: 10}, {F: sealed.FileRef{2}, Off: 5, Len: 20}, {F: sealed.FileRef{3}, Len: 3, In: []byte("sealed")}},
		Blocks:  []string{"YQ==", "Yg=="}, BlockCount: 2,
		Lease: blobstore.Lease{ID: "id", State: blobstore.LeaseStateBreaking, Infinite: true, Seconds: 15, Expires: t0, BreakAt: t0.Add(time.Minute)},
		Copy:  &blobstore.CopyInfo{ID: "c", Status: blobstore.CopySuccess, Source: "http://x", Progress: "30/30", CompletionTime: t0, StatusDescription: "ok"},
		Tier:  "Cool", TierChanged: t0.Add(time.Hour),
	}
}

func TestBlobRecCodecRoundTrip(t *testing.T) {
	for _, rec := range []*blobRec{fullBlobRec(), {V: blobstore.RecordVersion, Type: blobstore.AppendBlob}} {
		got, err := decodeBlobRec(encodeBlobRec(rec))
		require.NoError(t, err)
		assert.Equal(t, rec, got)
	}
}

// TestBlobRecVersion1StillReads: records written as JSON (version 1) decode.
func TestBlobRecVersion1StillReads(t *testing.T) {
	rec := fullBlobRec()
	b, err := json.Marshal(rec)
	require.NoError(t, err)
	got, err := decodeBlobRec(b)
	require.NoError(t, err)
	assert.Equal(t, rec, got)
}

// TestOlderBinaryBlobRecsStillRead: binary records of format 0x02 (before
// TierChanged) and 0x03 (before inline extents) decode.
func TestOlderBinaryBlobRecsStillRead(t *testing.T) {
	rec := fullBlobRec()
	require.Equal(t, byte(blobRecV4), encodeBlobRec(rec)[0])
	for i := range rec.Extents {
		rec.Extents[i].In = nil // neither older format has inline data
	}
	got, err := decodeBlobRec(encodeBlobRecAs(rec, blobRecV3))
	require.NoError(t, err)
	assert.Equal(t, rec, got)

	got, err = decodeBlobRec(encodeBlobRecAs(rec, blobRecV2))
	require.NoError(t, err)
	rec.TierChanged = time.Time{}
	assert.Equal(t, rec, got)
}

func TestBlobRecCodecRejectsCorruption(t *testing.T) {
	b := encodeBlobRec(fullBlobRec())
	for i := 1; i < len(b); i++ {
		_, err := decodeBlobRec(b[:i])
		assert.Error(t, err, "truncated at %d", i)
	}
	_, err := decodeBlobRec(append(b, 0))
	assert.Error(t, err)
	_, err = decodeBlobRec(nil)
	assert.Error(t, err)
}

func FuzzDecodeBlobRec(f *testing.F) {
	f.Add(encodeBlobRec(fullBlobRec()))
	f.Add([]byte{blobRecV2, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeBlobRec(b)
		if err != nil || b[0] != blobRecV2 && b[0] != blobRecV3 && b[0] != blobRecV4 {
			return
		}
		again, err := decodeBlobRec(encodeBlobRec(rec))
		require.NoError(t, err)
		assert.Equal(t, rec, again)
	})
}

func fullContainerRec() *containerRec {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	return &containerRec{V: blobstore.RecordVersion, Created: t0, ETag: "0x1", LastModified: t0.Add(time.Hour),
		MetaSealed: []byte{1, 2, 3}, PublicAccess: "blob",
		ACL:                         []blobstore.SignedIdentifier{{ID: "p1", Policy: blobstore.AccessPolicy{Start: t0, Expiry: t0.Add(24 * time.Hour), Permission: "rl"}}, {ID: "p2"}},
		Lease:                       blobstore.Lease{ID: "l", State: "leased", Seconds: 30, Expires: t0.Add(time.Minute)},
		DefaultEncryptionScope:      "scope",
		DenyEncryptionScopeOverride: true,
	}
}

func TestContainerRecCodec(t *testing.T) {
	for _, rec := range []*containerRec{fullContainerRec(), {V: blobstore.RecordVersion}} {
		got, err := decodeContainerRec(encodeContainerRec(rec))
		require.NoError(t, err)
		assert.Equal(t, rec, got)
	}
	// Format 1 (JSON) still reads.
	rec := fullContainerRec()
	js, err := json.Marshal(rec)
	require.NoError(t, err)
	got, err := decodeContainerRec(js)
	require.NoError(t, err)
	assert.Equal(t, rec, got)
	b := encodeContainerRec(rec)
	for i := 1; i < len(b); i++ {
		_, err := decodeContainerRec(b[:i])
		assert.Error(t, err, "truncated at %d", i)
	}
}

func FuzzDecodeContainerRec(f *testing.F) {
	f.Add(encodeContainerRec(fullContainerRec()))
	f.Add([]byte{containerRecV2, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeContainerRec(b)
		if err != nil || b[0] != containerRecV2 {
			return
		}
		again, err := decodeContainerRec(encodeContainerRec(rec))
		require.NoError(t, err)
		assert.Equal(t, rec, again)
	})
}
