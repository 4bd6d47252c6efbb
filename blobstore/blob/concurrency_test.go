package blob

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentReadersAndWriters overwrites, reads, lists and deletes the
// same blobs from several goroutines: every read returns one of the written
// versions in full, and no data file is left behind at the end.
func TestConcurrentReadersAndWriters(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	versions := make([][]byte, 4)
	for i := range versions {
		versions[i] = bytes.Repeat([]byte{byte('a' + i)}, 70_000+i)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				name := fmt.Sprintf("b%d", i%3)
				switch (g + i) % 4 {
				case 0:
					v := versions[(g+i)%len(versions)]
					_, err := e.s.PutBlob(e.ctx, bref("box", name), blobstore.PutBlobOptions{Body: bytes.NewReader(v), Size: -1})
					assert.NoError(t, err)
				case 1:
					r, err := e.s.GetBlob(e.ctx, bref("box", name), blobstore.Conditions{})
					if err != nil {
						assert.ErrorIs(t, err, storageerr.ErrBlobNotFound)
						continue
					}
					got, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
					assert.NoError(t, err)
					assert.Contains(t, versions, got)
					r.Close()
				case 2:
					_, err := e.s.ListBlobs(e.ctx, cref("box"), blobstore.ListBlobsOptions{Include: blobstore.ListBlobsInclude{Metadata: true}})
					assert.NoError(t, err)
				case 3:
					err := e.s.DeleteBlob(e.ctx, bref("box", name), blobstore.DeleteBlobOptions{})
					if err != nil {
						assert.ErrorIs(t, err, storageerr.ErrBlobNotFound)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	for i := 0; i < 3; i++ {
		_ = e.s.DeleteBlob(e.ctx, bref("box", fmt.Sprintf("b%d", i)), blobstore.DeleteBlobOptions{})
	}
	require.Equal(t, 0, e.dataFiles())
}
