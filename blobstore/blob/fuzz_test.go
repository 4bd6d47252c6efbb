package blob

import (
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore"
)

func FuzzDecodeMarker(f *testing.F) {
	f.Add("")
	f.Add(encodeMarker(struct{ Name, Snapshot string }{"a/b", "2026-01-01T00:00:00.0000000Z"}))
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, m string) {
		p, err := decodeMarker(m)
		if err == nil && m != "" && encodeMarker(p) == "" {
			t.Fatal("round trip lost the marker")
		}
	})
}

func FuzzConditions(f *testing.F) {
	f.Add(`"0x1", W/"0x2"`, "*", "0x1")
	f.Fuzz(func(t *testing.T, ifMatch, ifNoneMatch, etag string) {
		c := blobstore.Conditions{IfMatch: ifMatch, IfNoneMatch: ifNoneMatch}
		for _, k := range []blobstore.CondKind{blobstore.CondRead, blobstore.CondWrite, blobstore.CondCreate} {
			_ = blobstore.CheckConditions(c, true, etag, time.Unix(0, 0), k)
			_ = blobstore.CheckConditions(c, false, "", time.Time{}, k)
		}
	})
}

func FuzzBlockID(f *testing.F) {
	f.Add("YmxvY2s=")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		if raw, ok := decodeBlockID(id); ok && (len(raw) == 0 || len(raw) > maxBlockIDSize) {
			t.Fatal("accepted a bad length")
		}
	})
}
