package blobapi

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"hash/crc64"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func b64md5(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func crcOf(s string) string { return crc64Of(crc64.MakeTable(crc64Poly), []byte(s)) }

// TestTransactionalDigests: Put Blob always returns Content-MD5; Put Block
// and Append Block return Content-MD5 or x-ms-content-crc64 when the request
// sent one (azemu computes CRC64 only when asked); Put Block List returns
// Content-MD5 when sent and x-ms-content-crc64 of its body otherwise.
func TestTransactionalDigests(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount + "/dig"
	e.must(req{method: "PUT", path: A + "?restype=container"}, 201)

	resp, _ := e.must(req{method: "PUT", path: A + "/pb", body: "hello", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	assert.Empty(t, resp.Header.Get("x-ms-content-crc64"))
	assert.Equal(t, b64md5("hello"), resp.Header.Get("Content-MD5"))
	resp, _ = e.must(req{method: "PUT", path: A + "/pb", body: "hello", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-content-crc64": crcOf("hello")}}, 201)
	assert.Equal(t, crcOf("hello"), resp.Header.Get("x-ms-content-crc64"))
	resp, _ = e.must(req{method: "PUT", path: A + "/pb", body: "hello", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-content-crc64": crcOf("other")}}, 400)
	assert.Equal(t, "Crc64Mismatch", resp.Header.Get("x-ms-error-code"))

	resp, _ = e.must(req{method: "PUT", path: A + "/bb?comp=block&blockid=YWFh", body: "abc"}, 201)
	assert.Empty(t, resp.Header.Get("x-ms-content-crc64"))
	assert.Empty(t, resp.Header.Get("Content-MD5"))
	resp, _ = e.must(req{method: "PUT", path: A + "/bb?comp=block&blockid=YWFh", body: "abc", header: map[string]string{"x-ms-content-crc64": crcOf("abc")}}, 201)
	assert.Equal(t, crcOf("abc"), resp.Header.Get("x-ms-content-crc64"))
	resp, _ = e.must(req{method: "PUT", path: A + "/bb?comp=block&blockid=YmJi", body: "def", header: map[string]string{"Content-MD5": b64md5("def")}}, 201)
	assert.Equal(t, b64md5("def"), resp.Header.Get("Content-MD5"))
	assert.Empty(t, resp.Header.Get("x-ms-content-crc64"))

	list := `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>YWFh</Latest><Latest>YmJi</Latest></BlockList>`
	resp, _ = e.must(req{method: "PUT", path: A + "/bb?comp=blocklist", body: list, header: map[string]string{"Content-MD5": b64md5("other")}}, 400)
	assert.Equal(t, "Md5Mismatch", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "PUT", path: A + "/bb?comp=blocklist", body: list, header: map[string]string{"x-ms-content-crc64": crcOf("other")}}, 400)
	assert.Equal(t, "Crc64Mismatch", resp.Header.Get("x-ms-error-code"))
	resp, _ = e.must(req{method: "PUT", path: A + "/bb?comp=blocklist", body: list}, 201)
	assert.Equal(t, crcOf(list), resp.Header.Get("x-ms-content-crc64"))
	assert.Empty(t, resp.Header.Get("Content-MD5"))
	resp, _ = e.must(req{method: "PUT", path: A + "/bb?comp=blocklist", body: list, header: map[string]string{"Content-MD5": b64md5(list)}}, 201)
	assert.Equal(t, b64md5(list), resp.Header.Get("Content-MD5"))

	both := map[string]string{"Content-MD5": b64md5("abc"), "x-ms-content-crc64": crcOf("abc")}
	for _, path := range []string{A + "/bb?comp=block&blockid=Y2Nj", A + "/bb?comp=blocklist"} {
		resp, _ = e.must(req{method: "PUT", path: path, body: "abc", header: both}, 400)
		assert.Equal(t, "InvalidHeaderValue", resp.Header.Get("x-ms-error-code"), "both digests: %s", path)
	}

	e.must(req{method: "PUT", path: A + "/ap", header: map[string]string{"x-ms-blob-type": "AppendBlob"}}, 201)
	resp, _ = e.must(req{method: "PUT", path: A + "/ap?comp=appendblock", body: "xyz"}, 201)
	assert.Empty(t, resp.Header.Get("x-ms-content-crc64"))
	assert.Empty(t, resp.Header.Get("Content-MD5"))
	resp, _ = e.must(req{method: "PUT", path: A + "/ap?comp=appendblock", body: "xyz", header: map[string]string{"x-ms-content-crc64": crcOf("xyz")}}, 201)
	assert.Equal(t, crcOf("xyz"), resp.Header.Get("x-ms-content-crc64"))
	resp, _ = e.must(req{method: "PUT", path: A + "/ap?comp=appendblock", body: "uvw", header: map[string]string{"Content-MD5": b64md5("uvw")}}, 201)
	assert.Equal(t, b64md5("uvw"), resp.Header.Get("Content-MD5"))
	resp, _ = e.must(req{method: "PUT", path: A + "/ap?comp=appendblock", body: "uvw", header: map[string]string{"x-ms-content-crc64": crcOf("nope")}}, 400)
	assert.Equal(t, "Crc64Mismatch", resp.Header.Get("x-ms-error-code"))
}

// TestListingShapes: List Blobs sends unquoted Etag elements and the default
// content type; List Containers sends literally quoted ETags and
// ImmutableStorageWithVersioningEnabled; a delimiter with snapshots is 400.
func TestListingShapes(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount + "/shapes"
	e.must(req{method: "PUT", path: A + "?restype=container"}, 201)
	resp, _ := e.must(req{method: "PUT", path: A + "/b", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	etag := resp.Header.Get("ETag")
	require.True(t, strings.HasPrefix(etag, `"0x`), etag)

	_, body := e.must(req{method: "GET", path: A + "?restype=container&comp=list"}, 200)
	assert.Contains(t, body, "<Etag>"+strings.Trim(etag, `"`)+"</Etag>")
	assert.Contains(t, body, "<Content-Type>application/octet-stream</Content-Type>")

	resp, _ = e.must(req{method: "HEAD", path: A + "?restype=container"}, 200)
	assert.Equal(t, "false", resp.Header.Get("x-ms-immutable-storage-with-versioning-enabled"))
	_, body = e.must(req{method: "GET", path: "/" + testAccount + "?comp=list&include=Metadata"}, 200)
	assert.Contains(t, body, "<Etag>"+resp.Header.Get("ETag")+"</Etag>")
	assert.Contains(t, body, "<ImmutableStorageWithVersioningEnabled>false</ImmutableStorageWithVersioningEnabled>")
	assert.Contains(t, body, "<Metadata>", "include values are case-insensitive")

	resp, _ = e.must(req{method: "GET", path: A + "?restype=container&comp=list&delimiter=/&include=snapshots"}, 400)
	assert.Equal(t, "InvalidQueryParameterValue", resp.Header.Get("x-ms-error-code"))
}

// TestSetBlobTierREST: Set Blob Tier changes the tier (200, same ETag) and
// reports x-ms-access-tier-change-time; Archive and bad values are refused.
func TestSetBlobTierREST(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount + "/tiers"
	e.must(req{method: "PUT", path: A + "?restype=container"}, 201)
	put, _ := e.must(req{method: "PUT", path: A + "/b", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	resp, _ := e.must(req{method: "HEAD", path: A + "/b"}, 200)
	assert.Equal(t, "Hot", resp.Header.Get("x-ms-access-tier"))
	assert.Equal(t, "true", resp.Header.Get("x-ms-access-tier-inferred"))
	assert.Empty(t, resp.Header.Get("x-ms-access-tier-change-time"))

	e.must(req{method: "PUT", path: A + "/b?comp=tier", header: map[string]string{"x-ms-access-tier": "Cool"}}, http.StatusOK)
	resp, _ = e.must(req{method: "HEAD", path: A + "/b"}, 200)
	assert.Equal(t, "Cool", resp.Header.Get("x-ms-access-tier"))
	assert.Empty(t, resp.Header.Get("x-ms-access-tier-inferred"))
	assert.NotEmpty(t, resp.Header.Get("x-ms-access-tier-change-time"))
	assert.Equal(t, put.Header.Get("ETag"), resp.Header.Get("ETag"))
	get, _ := e.must(req{method: "GET", path: A + "/b"}, 200)
	assert.Equal(t, "Cool", get.Header.Get("x-ms-access-tier"), "Get Blob carries the tier headers too")
	assert.Equal(t, resp.Header.Get("x-ms-access-tier-change-time"), get.Header.Get("x-ms-access-tier-change-time"))
	_, body := e.must(req{method: "GET", path: A + "?restype=container&comp=list"}, 200)
	assert.Contains(t, body, "<AccessTier>Cool</AccessTier>")
	assert.Contains(t, body, "<AccessTierInferred>false</AccessTierInferred><AccessTierChangeTime>")

	for tier, code := range map[string]string{"Archive": "FeatureNotSupportedByEmulator", "Lukewarm": "InvalidHeaderValue", "": "MissingRequiredHeader"} {
		resp, _ = e.must(req{method: "PUT", path: A + "/b?comp=tier", header: map[string]string{"x-ms-access-tier": tier}}, 400)
		assert.Equal(t, code, resp.Header.Get("x-ms-error-code"), tier)
	}
	resp, _ = e.must(req{method: "PUT", path: A + "/missing?comp=tier", header: map[string]string{"x-ms-access-tier": "Cool"}}, 404)
	assert.Equal(t, "BlobNotFound", resp.Header.Get("x-ms-error-code"))
}

// TestRangeGetContentCRC64: x-ms-range-get-content-crc64 returns the
// range's CRC64 (up to 4 MiB, only with a range, not with the MD5 request);
// an unknown x-ms-blob-type is InvalidHeaderValue.
func TestRangeGetContentCRC64(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount + "/rcrc"
	e.must(req{method: "PUT", path: A + "?restype=container"}, 201)
	e.must(req{method: "PUT", path: A + "/b", body: "hello world", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	resp, body := e.must(req{method: "GET", path: A + "/b", header: map[string]string{"x-ms-range": "bytes=0-4", "x-ms-range-get-content-crc64": "true"}}, 206)
	assert.Equal(t, "hello", body)
	assert.Equal(t, crcOf("hello"), resp.Header.Get("x-ms-content-crc64"))
	assert.Empty(t, resp.Header.Get("Content-MD5"))
	e.must(req{method: "GET", path: A + "/b", header: map[string]string{"x-ms-range-get-content-crc64": "true"}}, 400)
	e.must(req{method: "GET", path: A + "/b", header: map[string]string{"x-ms-range": "bytes=0-4", "x-ms-range-get-content-crc64": "true", "x-ms-range-get-content-md5": "true"}}, 400)

	resp, _ = e.must(req{method: "PUT", path: A + "/c", header: map[string]string{"x-ms-blob-type": "SpreadsheetBlob"}}, 400)
	assert.Equal(t, "InvalidHeaderValue", resp.Header.Get("x-ms-error-code"))
}

// TestUnsupportedHeadersRefused: headers of features azemu lacks are refused
// rather than ignored; a tag condition above all must not let a write through.
func TestUnsupportedHeadersRefused(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount + "/unsup"
	e.must(req{method: "PUT", path: A + "?restype=container"}, 201)
	e.must(req{method: "PUT", path: A + "/b", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	for h, v := range map[string]string{"x-ms-if-tags": `"project" = 'a'`, "x-ms-tags": "project=a", "x-ms-legal-hold": "true",
		"x-ms-immutability-policy-until-date": "Fri, 01 Jan 2100 00:00:00 GMT"} {
		resp, _ := e.must(req{method: "PUT", path: A + "/b", body: "y", header: map[string]string{"x-ms-blob-type": "BlockBlob", h: v}}, 400)
		assert.Equal(t, "FeatureNotSupportedByEmulator", resp.Header.Get("x-ms-error-code"), h)
	}
	e.must(req{method: "PUT", path: A + "/b", body: "y", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-legal-hold": "false"}}, 201)
	resp, _ := e.must(req{method: "GET", path: A + "/b?versionid=2026-01-01T00:00:00.0000000Z"}, 400)
	assert.Equal(t, "FeatureNotSupportedByEmulator", resp.Header.Get("x-ms-error-code"), "a version is never answered with the current blob")
}

// TestCRCReaderLargeBodies: bodies from asyncCRCMin on are hashed by a
// goroutine; the result and the mismatch check are the same, with known and
// unknown (chunked) sizes.
func TestCRCReaderLargeBodies(t *testing.T) {
	table := crc64.MakeTable(crc64Poly)
	data := bytes.Repeat([]byte("0123456789abcdef"), (3*asyncCRCMin)/16+7)
	want := crc64Of(table, data)
	for _, size := range []int64{int64(len(data)), -1} {
		c := newCRCReader(io.NopCloser(bytes.NewReader(data)), table, size)
		got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(c, 1000)))
		require.NoError(t, err)
		require.Len(t, got, 1000)
		rest, err := io.ReadAll(c)
		require.NoError(t, err)
		require.Len(t, rest, len(data)-1000)
		assert.Equal(t, want, c.sum(), "size %d", size)
		require.NoError(t, c.Close())

		bad := uint64(1)
		c = newCRCReader(io.NopCloser(bytes.NewReader(data)), table, size)
		c.want = &bad
		_, err = io.ReadAll(c)
		assert.ErrorIs(t, err, errCRC64Mismatch)
		require.NoError(t, c.Close())
	}
	// A body abandoned half-way stops its goroutine on Close.
	c := newCRCReader(io.NopCloser(bytes.NewReader(data)), table, int64(len(data)))
	_, err := io.ReadFull(c, make([]byte, 4096))
	require.NoError(t, err)
	require.NoError(t, c.Close())
}

// TestSyncCopySourceAuthorization: only an asynchronous Copy Blob reads a
// private source on the request's Shared Key; the synchronous operations
// need a public source or a SAS on it (404 CannotVerifyCopySource). Put Blob
// From URL behaves as a Put Blob: 201, no copy id or copy properties, no
// source metadata, a block blob even from an append blob.
func TestSyncCopySourceAuthorization(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount
	e.must(req{method: "PUT", path: A + "/scs?restype=container"}, 201)
	e.must(req{method: "PUT", path: A + "/scs/src", body: "source", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-meta-origin": "src", "x-ms-blob-content-type": "text/src"}}, 201)
	src := e.srv.URL + A + "/scs/src"

	resp, _ := e.must(req{method: "PUT", path: A + "/scs/async", header: map[string]string{"x-ms-copy-source": src}}, 202)
	assert.Equal(t, "success", resp.Header.Get("x-ms-copy-status"))
	sync := []req{
		{method: "PUT", path: A + "/scs/sync", header: map[string]string{"x-ms-copy-source": src, "x-ms-requires-sync": "true"}},
		{method: "PUT", path: A + "/scs/pbfu", header: map[string]string{"x-ms-copy-source": src, "x-ms-blob-type": "BlockBlob"}},
		{method: "PUT", path: A + "/scs/blk?comp=block&blockid=YWFh", header: map[string]string{"x-ms-copy-source": src}},
	}
	for _, rq := range sync {
		resp, _ = e.must(rq, 404)
		assert.Equal(t, "CannotVerifyCopySource", resp.Header.Get("x-ms-error-code"), rq.path)
	}
	resp, _ = e.must(req{method: "PUT", path: A + "/scs/sync", header: map[string]string{"x-ms-copy-source": src, "x-ms-requires-sync": "true", "x-ms-copy-source-authorization": "Bearer x"}}, 400)
	assert.Equal(t, "FeatureNotSupportedByEmulator", resp.Header.Get("x-ms-error-code"))

	e.must(req{method: "PUT", path: A + "/scs?restype=container&comp=acl", header: map[string]string{"x-ms-blob-public-access": "blob"}}, 200)
	resp, _ = e.must(sync[0], 202)
	assert.NotEmpty(t, resp.Header.Get("x-ms-copy-id"))

	resp, _ = e.must(sync[1], 201)
	assert.Empty(t, resp.Header.Get("x-ms-copy-id"), "Put Blob From URL is no copy")
	assert.Empty(t, resp.Header.Get("x-ms-copy-status"))
	head, _ := e.must(req{method: "HEAD", path: A + "/scs/pbfu"}, 200)
	assert.Empty(t, head.Header.Get("x-ms-copy-id"))
	assert.Empty(t, head.Header.Get("x-ms-meta-origin"), "the source's metadata is not copied")
	assert.Equal(t, "text/src", head.Header.Get("Content-Type"), "the source's properties are copied by default")

	e.must(req{method: "PUT", path: A + "/scs/pbfu", header: map[string]string{"x-ms-copy-source": src, "x-ms-blob-type": "BlockBlob",
		"x-ms-copy-source-blob-properties": "false", "x-ms-blob-content-type": "text/mine", "x-ms-meta-own": "yes"}}, 201)
	head, _ = e.must(req{method: "HEAD", path: A + "/scs/pbfu"}, 200)
	assert.Equal(t, "text/mine", head.Header.Get("Content-Type"))
	assert.Equal(t, "yes", head.Header.Get("x-ms-meta-own"))

	e.must(req{method: "PUT", path: A + "/scs/ap", header: map[string]string{"x-ms-blob-type": "AppendBlob"}}, 201)
	e.must(req{method: "PUT", path: A + "/scs/ap?comp=appendblock", body: "appended"}, 201)
	e.must(req{method: "PUT", path: A + "/scs/fromap", header: map[string]string{"x-ms-copy-source": e.srv.URL + A + "/scs/ap", "x-ms-blob-type": "BlockBlob"}}, 201)
	head, body := e.must(req{method: "GET", path: A + "/scs/fromap"}, 200)
	assert.Equal(t, "BlockBlob", head.Header.Get("x-ms-blob-type"))
	assert.Equal(t, "appended", body)
}

// TestSetBlobPropertiesWithoutContentHeaders: Set Blob Properties changes
// the content properties together when any is given, and none of them when
// the request carries none (Set Blob Properties remarks).
func TestSetBlobPropertiesWithoutContentHeaders(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount + "/sbp"
	e.must(req{method: "PUT", path: A + "?restype=container"}, 201)
	e.must(req{method: "PUT", path: A + "/b", body: "x", header: map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": "text/plain", "x-ms-blob-content-language": "en"}}, 201)
	before, _ := e.must(req{method: "HEAD", path: A + "/b"}, 200)

	e.must(req{method: "PUT", path: A + "/b?comp=properties"}, 200)
	resp, _ := e.must(req{method: "HEAD", path: A + "/b"}, 200)
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	assert.Equal(t, "en", resp.Header.Get("Content-Language"))
	assert.Equal(t, before.Header.Get("Content-MD5"), resp.Header.Get("Content-MD5"))

	e.must(req{method: "PUT", path: A + "/b?comp=properties", header: map[string]string{"x-ms-blob-cache-control": "no-cache"}}, 200)
	resp, _ = e.must(req{method: "HEAD", path: A + "/b"}, 200)
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	assert.Empty(t, resp.Header.Get("Content-Language"), "the others are cleared")
	assert.Empty(t, resp.Header.Get("Content-MD5"))
}
