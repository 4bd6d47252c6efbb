package blob

import (
	"strings"
	"testing"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// names renders a page as "name", "name@snapshot" (snapshots as "@s"),
// "prefix/" and "name?" (uncommitted).
func names(l blobstore.BlobList) []string {
	var out []string
	for _, it := range l.Items {
		switch {
		case it.Blob == nil:
			out = append(out, it.Prefix+"(p)")
		case it.Blob.Snapshot != "":
			out = append(out, it.Blob.Name+"@s")
		case !it.Blob.IsCommitted:
			out = append(out, it.Blob.Name+"?")
		default:
			out = append(out, it.Blob.Name)
		}
	}
	return out
}

func TestListBlobs(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	for _, n := range []string{"b", "a/2", "a/1", "a", "c/x/y", "a-", "d"} {
		_, err := e.s.PutBlob(e.ctx, bref("box", n), blobstore.PutBlobOptions{Body: strings.NewReader(n), Size: int64(len(n)), Metadata: map[string]string{"n": "v"}})
		require.NoError(t, err)
	}
	_, err := e.s.SnapshotBlob(e.ctx, bref("box", "b"), blobstore.SnapshotOptions{})
	require.NoError(t, err)
	e.clock.Advance(1e9)
	_, err = e.s.SnapshotBlob(e.ctx, bref("box", "b"), blobstore.SnapshotOptions{})
	require.NoError(t, err)
	_, err = e.s.PutBlock(e.ctx, bref("box", "bb"), blobstore.PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("x"), Size: 1})
	require.NoError(t, err)
	_, err = e.s.PutBlock(e.ctx, bref("box", "a/0"), blobstore.PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("x"), Size: 1})
	require.NoError(t, err)

	all := blobstore.ListBlobsInclude{Snapshots: true, UncommittedBlobs: true}
	for _, tt := range []struct {
		name string
		opts blobstore.ListBlobsOptions
		want []string
	}{
		{"flat", blobstore.ListBlobsOptions{}, []string{"a", "a-", "a/1", "a/2", "b", "c/x/y", "d"}},
		{"snapshots", blobstore.ListBlobsOptions{Include: blobstore.ListBlobsInclude{Snapshots: true}}, []string{"a", "a-", "a/1", "a/2", "b@s", "b@s", "b", "c/x/y", "d"}},
		{"uncommitted", blobstore.ListBlobsOptions{Include: all}, []string{"a", "a-", "a/0?", "a/1", "a/2", "b@s", "b@s", "b", "bb?", "c/x/y", "d"}},
		{"delimiter", blobstore.ListBlobsOptions{Delimiter: "/"}, []string{"a", "a-", "a/(p)", "b", "c/(p)", "d"}},
		{"delimiter uncommitted", blobstore.ListBlobsOptions{Delimiter: "/", Include: all}, []string{"a", "a-", "a/(p)", "b@s", "b@s", "b", "bb?", "c/(p)", "d"}},
		{"prefix", blobstore.ListBlobsOptions{Prefix: "a/"}, []string{"a/1", "a/2"}},
		{"prefix delimiter", blobstore.ListBlobsOptions{Prefix: "c/", Delimiter: "/"}, []string{"c/x/(p)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := e.s.ListBlobs(e.ctx, cref("box"), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, names(l))
			assert.Empty(t, l.NextMarker)
			// Paging by every page size gives the same sequence.
			for size := 1; size <= len(tt.want); size++ {
				var got []string
				o := tt.opts
				o.MaxResults = size
				for i := 0; i < 20; i++ {
					l, err := e.s.ListBlobs(e.ctx, cref("box"), o)
					require.NoError(t, err)
					assert.LessOrEqual(t, len(l.Items), size)
					got = append(got, names(l)...)
					if l.NextMarker == "" {
						break
					}
					o.Marker = l.NextMarker
				}
				assert.Equal(t, tt.want, got, "page size %d", size)
			}
		})
	}
	l, err := e.s.ListBlobs(e.ctx, cref("box"), blobstore.ListBlobsOptions{Prefix: "d", Include: blobstore.ListBlobsInclude{Metadata: true}})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, map[string]string{"n": "v"}, l.Items[0].Blob.Metadata)
	l, err = e.s.ListBlobs(e.ctx, cref("box"), blobstore.ListBlobsOptions{Prefix: "d"})
	require.NoError(t, err)
	assert.Nil(t, l.Items[0].Blob.Metadata)
	_, err = e.s.ListBlobs(e.ctx, cref("nobox"), blobstore.ListBlobsOptions{})
	assert.ErrorIs(t, err, storageerr.ErrContainerNotFound)
	_, err = e.s.ListBlobs(e.ctx, cref("box"), blobstore.ListBlobsOptions{MaxResults: -1})
	assert.ErrorIs(t, err, storageerr.ErrOutOfRangeQueryParameterValue)
}
