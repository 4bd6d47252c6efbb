package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadDuration is how long TestLoad drives azemu: 10 seconds, or
// AZEMU_LOAD_SECONDS (at most 30).
func loadDuration(t *testing.T) time.Duration {
	d := 10 * time.Second
	if v := os.Getenv("AZEMU_LOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "AZEMU_LOAD_SECONDS")
		d = time.Duration(min(max(n, 1), 30)) * time.Second
	}
	return d
}

// loadStats counts what the clients did.
type loadStats struct {
	writes, reads, lists, bytes atomic.Int64
}

// TestLoad runs 32 SDK clients against one azemu on loopback, each writing
// and reading back its own blobs (small ones kept inline, larger ones in
// data files) and listing them, for loadDuration. It asserts no request
// failed, no read returned anything but the client's last write of that
// blob, and, once the clients stop and close their connections, that the
// emulator holds no more file descriptors than before. It logs the
// throughput:
//
//	AZEMU_LOAD_SECONDS=30 go test ./conformance -run TestLoad -v
func TestLoad(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc/self/fd to count file descriptors")
	}
	const (
		clients = 32
		blobs   = 8 // per client
	)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	emu := startAzemu(t, withDataDir(dir))
	hc := emu.HTTPClient() // one pool for all clients, closed at the end
	opts := clientOptions(emu)
	opts.Transport = hc
	svc, err := service.NewClientFromConnectionString(emu.ConnectionString(), &service.ClientOptions{ClientOptions: opts})
	require.NoError(t, err)
	_, err = svc.CreateContainer(ctxT(t), "load", nil)
	require.NoError(t, err)
	c := svc.NewContainerClient("load")
	blobUpload(t, c, "warm-up", "x")
	baseline, _ := openFDs(t, dir)

	d := loadDuration(t)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var stats loadStats
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loadClient(ctx, c, i, blobs, &stats); err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	ops := stats.writes.Load() + stats.reads.Load() + stats.lists.Load()
	t.Logf("%d clients for %v: %d writes, %d reads, %d listings: %.0f ops/s, %.1f MiB/s of blob data",
		clients, took.Round(time.Millisecond), stats.writes.Load(), stats.reads.Load(), stats.lists.Load(),
		float64(ops)/took.Seconds(), float64(stats.bytes.Load())/took.Seconds()/(1<<20))
	require.Positive(t, stats.writes.Load())

	// Once the clients are gone, so are their descriptors: no socket, data
	// file or database handle is left behind.
	hc.CloseIdleConnections()
	require.Eventually(t, func() bool {
		total, _ := openFDs(t, dir)
		return total <= baseline+4
	}, 20*time.Second, 10*time.Millisecond, "file descriptors after the load: baseline %d", baseline)
}

// loadClient writes, reads back and lists its own blobs until ctx ends. A
// read must return exactly the last content the client wrote to that blob.
func loadClient(ctx context.Context, c *container.Client, id, blobs int, stats *loadStats) error {
	rng := rand.New(rand.NewPCG(uint64(id), 42))
	last := make([][]byte, blobs)
	for ctx.Err() == nil {
		k := rng.IntN(blobs)
		name := "c" + strconv.Itoa(id) + "/b" + strconv.Itoa(k)
		bc := c.NewBlockBlobClient(name)
		switch op := rng.IntN(10); {
		case op < 4 || last[k] == nil:
			size := 1 << 10 // inline
			if rng.IntN(4) == 0 {
				size = 200 << 10 // a data file
			}
			body := make([]byte, size)
			fill(rng, body)
			if _, err := bc.Upload(ctx, streaming.NopCloser(bytes.NewReader(body)), &blockblob.UploadOptions{}); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("upload %s: %w", name, err)
			}
			last[k] = body
			stats.writes.Add(1)
			stats.bytes.Add(int64(size))
		case op < 9:
			resp, err := bc.DownloadStream(ctx, &blob.DownloadStreamOptions{})
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("download %s: %w", name, err)
			}
			got, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
					return nil
				}
				return fmt.Errorf("read %s: %w", name, err)
			}
			if !bytes.Equal(got, last[k]) {
				return fmt.Errorf("stale read of %s: %d bytes, not the %d last written", name, len(got), len(last[k]))
			}
			stats.reads.Add(1)
			stats.bytes.Add(int64(len(got)))
		default:
			prefix := "c" + strconv.Itoa(id) + "/"
			p := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix})
			page, err := p.NextPage(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("list %s: %w", prefix, err)
			}
			n := 0
			for _, l := range last {
				if l != nil {
					n++
				}
			}
			if len(page.Segment.BlobItems) != n {
				return fmt.Errorf("list %s: %d blobs, %d written", prefix, len(page.Segment.BlobItems), n)
			}
			stats.lists.Add(1)
		}
	}
	return nil
}

// fill fills b with random bytes from rng.
func fill(rng *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}
