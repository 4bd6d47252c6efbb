package blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/crypto"
	"github.com/stretchr/testify/require"
)

func benchService(b *testing.B) (*Service, blobstore.Config) {
	root, err := crypto.NewKey()
	require.NoError(b, err)
	cfg := blobstore.Config{DataDir: b.TempDir(), RootKey: root}
	core, err := blobstore.Open(cfg)
	require.NoError(b, err)
	b.Cleanup(func() { _ = core.Close() })
	s := New(core)
	ctx := context.Background()
	require.NoError(b, core.CreateAccount(ctx, blobstore.AccountSpec{Name: acct}))
	_, err = s.CreateContainer(ctx, cref("box"), blobstore.CreateContainerOptions{})
	require.NoError(b, err)
	return s, cfg
}

// addEmptyBlobs inserts n empty block blobs in one transaction (fast setup).
func addEmptyBlobs(t testing.TB, s *Service, container string, n int) {
	now := s.core.Now()
	require.NoError(t, s.st.Update(func(tx *boltstore.Tx) error {
		for i := 0; i < n; i++ {
			rec := &blobRec{V: blobstore.RecordVersion, Type: blobstore.BlockBlob, Created: now, ETag: s.core.NewETag(now), LastModified: now}
			if err := putBlobRec(tx, blobstore.BlobRef{Account: acct, Container: container, Blob: fmt.Sprintf("dir/blob-%06d", i)}, rec); err != nil {
				return err
			}
		}
		return nil
	}))
}

func BenchmarkPutBlob4K(b *testing.B) {
	s, _ := benchService(b)
	data := bytes.Repeat([]byte("x"), 4096)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := s.PutBlob(ctx, bref("box", fmt.Sprintf("b%d", i%1000)), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: int64(len(data))})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetBlob4K(b *testing.B) {
	s, _ := benchService(b)
	data := bytes.Repeat([]byte("x"), 4096)
	ctx := context.Background()
	_, err := s.PutBlob(ctx, bref("box", "b"), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: int64(len(data))})
	require.NoError(b, err)
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := s.GetBlob(ctx, bref("box", "b"), blobstore.Conditions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.ReadAt(buf, 0); err != nil && err != io.EOF {
			b.Fatal(err)
		}
		r.Close()
	}
}

func BenchmarkPutBlob64MiB(b *testing.B) {
	s, _ := benchService(b)
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := s.PutBlob(ctx, bref("box", "big"), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: int64(len(data))})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetBlob64MiB(b *testing.B) {
	s, _ := benchService(b)
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20)
	ctx := context.Background()
	_, err := s.PutBlob(ctx, bref("box", "big"), blobstore.PutBlobOptions{Body: bytes.NewReader(data), Size: int64(len(data))})
	require.NoError(b, err)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := s.GetBlob(ctx, bref("box", "big"), blobstore.Conditions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size())); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func BenchmarkList10000(b *testing.B) {
	s, _ := benchService(b)
	addEmptyBlobs(b, s, "box", 10000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		opts := blobstore.ListBlobsOptions{}
		for {
			l, err := s.ListBlobs(ctx, cref("box"), opts)
			if err != nil {
				b.Fatal(err)
			}
			n += len(l.Items)
			if l.NextMarker == "" {
				break
			}
			opts.Marker = l.NextMarker
		}
		if n != 10000 {
			b.Fatalf("listed %d", n)
		}
	}
}

// TestStartupIsFast checks that opening a store with 10,000 blobs does no
// full scan.
func TestStartupIsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	e := newEnv(t)
	e.mkContainer("box")
	addEmptyBlobs(t, e.s, "box", 10000)
	require.NoError(t, e.core.Close())
	e.s, e.core = nil, nil
	start := time.Now()
	e.open()
	elapsed := time.Since(start)
	t.Logf("Open with 10,000 blobs: %v", elapsed)
	require.Less(t, elapsed, 100*time.Millisecond)
	_, err := e.s.GetBlobProperties(e.ctx, bref("box", "dir/blob-009999"), blobstore.Conditions{})
	require.NoError(t, err)
}
