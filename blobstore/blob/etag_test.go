package blob

import (
	"strings"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestETagChangesExactlyOnWrites: content, property and metadata changes
// give a new ETag and Last-Modified; reads, lease operations, staging a block
// and taking a snapshot do not.
func TestETagChangesExactlyOnWrites(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	ref := bref("box", "b")
	e.put("box", "b", []byte("x"))
	_, err := e.s.CreateAppendBlob(e.ctx, bref("box", "ap"), blobstore.CreateAppendBlobOptions{})
	require.NoError(t, err)
	e.put("box", "src", []byte("src"))
	var lease string
	for _, tt := range []struct {
		name    string
		target  blobstore.BlobRef
		changes bool
		op      func() error
	}{
		{"get", ref, false, func() error { r, err := e.s.GetBlob(e.ctx, ref, blobstore.Conditions{}); r.Close(); return err }},
		{"properties", ref, false, func() error { _, err := e.s.GetBlobProperties(e.ctx, ref, blobstore.Conditions{}); return err }},
		{"list", ref, false, func() error { _, err := e.s.ListBlobs(e.ctx, cref("box"), blobstore.ListBlobsOptions{}); return err }},
		{"put block", ref, false, func() error {
			_, err := e.s.PutBlock(e.ctx, ref, blobstore.PutBlockOptions{BlockID: bid(1), Body: strings.NewReader("y"), Size: 1})
			return err
		}},
		{"get block list", ref, false, func() error { _, err := e.s.GetBlockList(e.ctx, ref, blobstore.GetBlockListOptions{}); return err }},
		{"snapshot", ref, false, func() error { _, err := e.s.SnapshotBlob(e.ctx, ref, blobstore.SnapshotOptions{}); return err }},
		{"lease acquire", ref, false, func() error {
			r, err := e.s.LeaseBlob(e.ctx, ref, blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1})
			lease = r.LeaseID
			return err
		}},
		{"lease release", ref, false, func() error {
			_, err := e.s.LeaseBlob(e.ctx, ref, blobstore.LeaseOptions{Action: blobstore.LeaseRelease, LeaseID: lease})
			return err
		}},
		{"set metadata", ref, true, func() error {
			_, err := e.s.SetBlobMetadata(e.ctx, ref, map[string]string{"a": "b"}, blobstore.Conditions{})
			return err
		}},
		{"set properties", ref, true, func() error {
			_, err := e.s.SetBlobHTTPHeaders(e.ctx, ref, blobstore.HTTPHeaders{ContentType: "a/b"}, blobstore.Conditions{})
			return err
		}},
		{"put block list", ref, true, func() error {
			_, err := e.s.PutBlockList(e.ctx, ref, blobstore.PutBlockListOptions{Blocks: []blobstore.BlockListItem{{ID: bid(1)}}})
			return err
		}},
		{"put blob", ref, true, func() error {
			_, err := e.s.PutBlob(e.ctx, ref, blobstore.PutBlobOptions{Body: strings.NewReader("z"), Size: 1})
			return err
		}},
		{"copy", ref, true, func() error {
			_, err := e.s.CopyBlob(e.ctx, ref, blobstore.CopyBlobOptions{Source: bref("box", "src")})
			return err
		}},
		{"append", bref("box", "ap"), true, func() error {
			_, err := e.s.AppendBlock(e.ctx, bref("box", "ap"), blobstore.AppendBlockOptions{Body: strings.NewReader("a"), Size: 1})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := e.s.GetBlobProperties(e.ctx, tt.target, blobstore.Conditions{})
			require.NoError(t, err)
			e.clock.Advance(time.Second)
			require.NoError(t, tt.op())
			after, err := e.s.GetBlobProperties(e.ctx, tt.target, blobstore.Conditions{})
			require.NoError(t, err)
			if tt.changes {
				assert.NotEqual(t, before.ETag, after.ETag)
				assert.True(t, after.LastModified.After(before.LastModified))
			} else {
				assert.Equal(t, before.ETag, after.ETag)
				assert.Equal(t, before.LastModified, after.LastModified)
			}
			assert.Equal(t, before.CreationTime, after.CreationTime)
		})
	}

	for _, tt := range []struct {
		name    string
		changes bool
		op      func() error
	}{
		{"get", false, func() error {
			_, err := e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
			return err
		}},
		{"lease", false, func() error {
			_, err := e.s.LeaseContainer(e.ctx, cref("box"), blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: 15})
			return err
		}},
		{"blob write", false, func() error { e.put("box", "other", []byte("x")); return nil }},
		{"set metadata", true, func() error {
			_, err := e.s.SetContainerMetadata(e.ctx, cref("box"), nil, blobstore.Conditions{})
			return err
		}},
		{"set acl", true, func() error {
			_, err := e.s.SetContainerACL(e.ctx, cref("box"), blobstore.SetContainerACLOptions{})
			return err
		}},
	} {
		t.Run("container "+tt.name, func(t *testing.T) {
			before, err := e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
			require.NoError(t, err)
			e.clock.Advance(time.Second)
			require.NoError(t, tt.op())
			after, err := e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
			require.NoError(t, err)
			assert.Equal(t, tt.changes, before.ETag != after.ETag)
		})
	}
}
