package blobapi

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
)

func TestAppendBlobListMatchesMarshal(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 11, 12, 0, time.UTC)
	committed := blobstore.BlobProperties{
		Name: "dir/a & <b> \"c\" 'd'\tü", IsCommitted: true, ContentLength: 12345, BlobType: blobstore.BlockBlob,
		CreationTime: now, LastModified: now, ETag: "0x8DC0123456789AB", AccessTier: "Hot", AccessTierInferred: true,
		AccessTierChangeTime: now,
		HTTPHeaders: blobstore.HTTPHeaders{ContentType: "text/plain; charset=utf-8", ContentEncoding: "gzip",
			ContentLanguage: "en", ContentMD5: []byte{1, 2, 3}, CacheControl: "no-cache", ContentDisposition: "attachment"},
		Metadata: map[string]string{"b": "two & <2>", "a": "one\nline"},
		Copy:     &blobstore.CopyInfo{ID: "id", Status: "success", Source: "http://x/y?a=1&b=2", Progress: "3/3", CompletionTime: now},
	}
	uncommitted := blobstore.BlobProperties{Name: "u", BlobType: blobstore.BlockBlob}
	snapshot := committed
	snapshot.Snapshot = "2026-11-26T10:11:12.0000000Z"
	snapshot.Metadata = nil
	ctrl := blobstore.BlobProperties{Name: "ctrl\x01char", IsCommitted: true, BlobType: blobstore.AppendBlob, LastModified: now}

	str := func(s string) *string { return &s }
	max := 7
	for _, withCopy := range []bool{false, true} {
		x := xmlBlobList{ServiceEndpoint: "http://127.0.0.1:10000/devstoreaccount1/", ContainerName: "c&d",
			Prefix: str("di<r"), Marker: str(""), MaxResults: &max, Delimiter: str("/"), NextMarker: "next&"}
		for _, p := range []blobstore.BlobProperties{committed, uncommitted, snapshot, ctrl} {
			x.Blobs.Items = append(x.Blobs.Items, blobXML(&p, withCopy))
		}
		x.Blobs.Items = append(x.Blobs.Items, xmlBlobPrefix{Name: blobName("pre/fix\x02/")}, xmlBlobPrefix{Name: blobName("plain/")})
		want, err := xml.Marshal(x)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendBlobList(nil, &x)))

		empty := xmlBlobList{ServiceEndpoint: "e", ContainerName: "c"}
		want, err = xml.Marshal(empty)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendBlobList(nil, &empty)))
	}
}

func FuzzAppendBlobListMatchesMarshal(f *testing.F) {
	f.Add("name", "text/plain", "meta value", "marker")
	f.Add("a&b<c>\"'\t\n\r", "ü€\x7f", "\x00\x01", "")
	f.Fuzz(func(t *testing.T, name, ctype, meta, marker string) {
		p := blobstore.BlobProperties{Name: name, IsCommitted: true, BlobType: blobstore.BlockBlob,
			HTTPHeaders: blobstore.HTTPHeaders{ContentType: ctype}, Metadata: map[string]string{"k": meta}}
		x := xmlBlobList{ServiceEndpoint: marker, ContainerName: "c", Marker: &marker, NextMarker: marker}
		x.Blobs.Items = append(x.Blobs.Items, blobXML(&p, true), xmlBlobPrefix{Name: blobName(name)})
		want, err := xml.Marshal(x)
		if err != nil {
			t.Skip()
		}
		if got := string(appendBlobList(nil, &x)); got != string(want) {
			t.Fatalf("mismatch:\n got %q\nwant %q", got, want)
		}
	})
}
