package conformance

// Benchmarks of the Blob service through the official SDK, in one run with
// their ceiling: the same SDK transfers against a bare handler that speaks
// just enough of the Blob protocol and only copies bytes (no storage, no
// crypto). One core's AES-256-GCM rate is BenchmarkAESGCM in ./crypto.
//
//	go test ./conformance -run '^$' -bench . -benchtime 1x
//
// Each benchmark reports MB/s (b.SetBytes) or ops/s; the 1 GiB upload also
// reports the peak heap growth of the whole process (client included).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

const (
	gib        = 1 << 30
	mib        = 1 << 20
	benchBlock = 8 * mib
)

// benchTarget is a Blob endpoint to benchmark: azemu or the bare handler.
type benchTarget struct {
	name   string
	client *azblob.Client
}

func benchClient(b *testing.B, endpoint string) *azblob.Client {
	cred, err := azblob.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(b, err)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	c, err := azblob.NewClientWithSharedKeyCredential(endpoint+"/"+emulator.DevAccountName+"/", cred,
		&azblob.ClientOptions{ClientOptions: policy.ClientOptions{Transport: &http.Client{Transport: tr}, Retry: policy.RetryOptions{MaxRetries: -1}}})
	require.NoError(b, err)
	return c
}

func benchTargets(b *testing.B) []benchTarget {
	emu := startAzemu(b, withDataDir(b.TempDir()))
	bare := httptest.NewServer(newBareBlobHandler())
	b.Cleanup(bare.Close)
	out := []benchTarget{
		{"azemu", benchClient(b, emu.BlobURL())},
		{"bare", benchClient(b, bare.URL)},
	}
	for _, t := range out {
		_, err := t.client.CreateContainer(context.Background(), "bench", nil)
		require.NoError(b, err)
	}
	return out
}

// peakHeap samples the heap while f runs and returns the peak growth.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
					peak.Store(m.HeapAlloc - base)
				}
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

func BenchmarkUpload1GiB(b *testing.B) {
	for _, t := range benchTargets(b) {
		b.Run(t.name, func(b *testing.B) {
			b.SetBytes(gib)
			var peak uint64
			for i := 0; i < b.N; i++ {
				p := peakHeap(func() {
					_, err := t.client.UploadStream(context.Background(), "bench", "big", newPRNGReader(1, gib),
						&azblob.UploadStreamOptions{BlockSize: benchBlock, Concurrency: 4})
					require.NoError(b, err)
				})
				peak = max(peak, p)
			}
			b.ReportMetric(float64(peak)/mib, "peak-heap-MiB")
		})
	}
}

func BenchmarkDownload1GiB(b *testing.B) {
	for _, t := range benchTargets(b) {
		_, err := t.client.UploadStream(context.Background(), "bench", "big", newPRNGReader(2, gib),
			&azblob.UploadStreamOptions{BlockSize: benchBlock, Concurrency: 4})
		require.NoError(b, err)
		b.Run(t.name+"/single", func(b *testing.B) {
			b.SetBytes(gib)
			for i := 0; i < b.N; i++ {
				resp, err := t.client.DownloadStream(context.Background(), "bench", "big", nil)
				require.NoError(b, err)
				n, err := io.Copy(io.Discard, resp.Body)
				require.NoError(b, err)
				require.EqualValues(b, gib, n)
				resp.Body.Close()
			}
		})
		b.Run(t.name+"/4ranges", func(b *testing.B) {
			b.SetBytes(gib)
			for i := 0; i < b.N; i++ {
				var wg sync.WaitGroup
				errs := make([]error, 4)
				for r := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						resp, err := t.client.DownloadStream(context.Background(), "bench", "big", &azblob.DownloadStreamOptions{
							Range: blob.HTTPRange{Offset: int64(r) * gib / 4, Count: gib / 4},
						})
						if err != nil {
							errs[r] = err
							return
						}
						defer resp.Body.Close()
						_, errs[r] = io.Copy(io.Discard, resp.Body)
					}()
				}
				wg.Wait()
				for _, err := range errs {
					require.NoError(b, err)
				}
			}
		})
	}
}

func BenchmarkPutBlob64MiB(b *testing.B) {
	payload := make([]byte, 64*mib)
	_, _ = newPRNGReader(3, int64(len(payload))).Read(payload)
	for _, t := range benchTargets(b) {
		b.Run(t.name, func(b *testing.B) {
			bb := t.client.ServiceClient().NewContainerClient("bench").NewBlockBlobClient("p64")
			b.SetBytes(int64(len(payload)))
			for i := 0; i < b.N; i++ {
				_, err := bb.Upload(context.Background(), nopSeekCloser{bytes.NewReader(payload)}, nil)
				require.NoError(b, err)
			}
		})
	}
}

type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }

// BenchmarkSmallOps runs 4 KiB Put Blob and Get Blob with 16 concurrent
// clients and reports ops/s.
func BenchmarkSmallOps(b *testing.B) {
	payload := make([]byte, 4096)
	_, _ = newPRNGReader(4, 4096).Read(payload)
	for _, t := range benchTargets(b) {
		cc := t.client.ServiceClient().NewContainerClient("bench")
		var seq atomic.Int64
		b.Run(t.name+"/put4k", func(b *testing.B) {
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					name := "s" + strconv.FormatInt(seq.Add(1)%1000, 10)
					_, err := cc.NewBlockBlobClient(name).Upload(context.Background(), nopSeekCloser{bytes.NewReader(payload)}, nil)
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
		})
		for i := range 1000 {
			_, err := cc.NewBlockBlobClient("s"+strconv.Itoa(i)).Upload(context.Background(), nopSeekCloser{bytes.NewReader(payload)}, nil)
			require.NoError(b, err)
		}
		b.Run(t.name+"/get4k", func(b *testing.B) {
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				buf := make([]byte, 8192)
				for pb.Next() {
					name := "s" + strconv.FormatInt(seq.Add(1)%1000, 10)
					resp, err := cc.NewBlobClient(name).DownloadStream(context.Background(), nil)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.CopyBuffer(io.Discard, resp.Body, buf)
					resp.Body.Close()
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
		})
	}
}

// BenchmarkList10000 creates 10,000 blobs (reported as create-s) and then
// lists them flat and with a delimiter through the SDK pager.
func BenchmarkList10000(b *testing.B) {
	emu := startAzemu(b, withDataDir(b.TempDir()))
	client := benchClient(b, emu.BlobURL())
	ctx := context.Background()
	_, err := client.CreateContainer(ctx, "list", nil)
	require.NoError(b, err)
	cc := client.ServiceClient().NewContainerClient("list")
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := fmt.Sprintf("dir%02d/blob%05d", i%100, i)
				_, err := cc.NewBlockBlobClient(name).Upload(ctx, nopSeekCloser{bytes.NewReader([]byte("x"))}, nil)
				if err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := range 10000 {
		work <- i
	}
	close(work)
	wg.Wait()
	created := time.Since(start)
	count := func(opts *container.ListBlobsHierarchyOptions, delim string) int {
		n := 0
		if delim == "" {
			pager := cc.NewListBlobsFlatPager(nil)
			for pager.More() {
				page, err := pager.NextPage(ctx)
				require.NoError(b, err)
				n += len(page.Segment.BlobItems)
			}
			return n
		}
		pager := cc.NewListBlobsHierarchyPager(delim, opts)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			require.NoError(b, err)
			n += len(page.Segment.BlobItems) + len(page.Segment.BlobPrefixes)
		}
		return n
	}
	b.Run("flat", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			require.Equal(b, 10000, count(nil, ""))
		}
		b.ReportMetric(created.Seconds(), "create10000-s")
	})
	// The same listing without the SDK's XML decoding: close to the server's
	// own time (the client only scans for NextMarker).
	_, err = cc.SetAccessPolicy(ctx, &container.SetAccessPolicyOptions{Access: to.Ptr(container.PublicAccessTypeContainer)})
	require.NoError(b, err)
	b.Run("flat-raw", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			marker, pages := "", 0
			for {
				u := emu.BlobURL() + "/" + emulator.DevAccountName + "/list?restype=container&comp=list&marker=" + url.QueryEscape(marker)
				resp, err := http.Get(u)
				require.NoError(b, err)
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(b, err)
				require.Equal(b, http.StatusOK, resp.StatusCode)
				pages++
				m := nextMarkerRE.FindSubmatch(body)
				if m == nil || len(m[1]) == 0 {
					break
				}
				marker = string(m[1])
			}
			require.Equal(b, 2, pages)
		}
	})
	b.Run("delimiter", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			require.Equal(b, 100, count(nil, "/"))
		}
	})
}

var nextMarkerRE = regexp.MustCompile(`<NextMarker>([^<]*)</NextMarker>`)

// BenchmarkStartup measures Start over a data folder that holds 10,000 blobs.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	emu := startAzemuUnmanaged(b, dir)
	client := benchClient(b, emu.BlobURL())
	ctx := context.Background()
	_, err := client.CreateContainer(ctx, "startup", nil)
	require.NoError(b, err)
	cc := client.ServiceClient().NewContainerClient("startup")
	for i := range 10000 {
		_, err := cc.NewBlockBlobClient("b"+strconv.Itoa(i)).Upload(ctx, nopSeekCloser{bytes.NewReader([]byte("x"))}, nil)
		require.NoError(b, err)
	}
	require.NoError(b, emu.Close())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := startAzemuUnmanaged(b, dir)
		b.StopTimer()
		require.NoError(b, e.Close())
		b.StartTimer()
	}
}

func startAzemuUnmanaged(b *testing.B, dir string) *emulator.Emulator {
	e, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir})
	require.NoError(b, err)
	return e
}

// newBareBlobHandler answers the Blob requests the benchmarks send without
// storing or encrypting anything: uploads are read and dropped, downloads
// are served from a fixed pseudo-random buffer. It is the ceiling that
// azemu's numbers are compared with.
func newBareBlobHandler() http.Handler {
	pattern := make([]byte, 4*mib)
	_, _ = newPRNGReader(9, int64(len(pattern))).Read(pattern)
	var mu sync.Mutex
	sizes := map[string]int64{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-ms-request-id", "bare")
		w.Header().Set("ETag", `"0x1"`)
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		q := r.URL.Query()
		key := r.URL.Path
		switch {
		case r.Method == http.MethodPut && q.Get("restype") == "container":
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodPut && q.Get("comp") == "block":
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			sizes[key+"#staged"] += r.ContentLength
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodPut && q.Get("comp") == "blocklist":
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			sizes[key] = sizes[key+"#staged"]
			delete(sizes, key+"#staged")
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodPut:
			n, _ := io.Copy(io.Discard, r.Body)
			mu.Lock()
			sizes[key] = n
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			mu.Lock()
			size := sizes[key]
			mu.Unlock()
			start, end := int64(0), size-1
			status := http.StatusOK
			if rg := r.Header.Get("x-ms-range"); rg != "" {
				fmt.Sscanf(strings.TrimPrefix(rg, "bytes="), "%d-%d", &start, &end)
				end = min(end, size-1)
				status = http.StatusPartialContent
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
			}
			w.Header().Set("Content-Length", strconv.FormatInt(end-start+1, 10))
			w.Header().Set("x-ms-blob-type", "BlockBlob")
			w.WriteHeader(status)
			if r.Method == http.MethodHead {
				return
			}
			for left := end - start + 1; left > 0; {
				chunk := pattern[:min(int64(len(pattern)), left)]
				if _, err := w.Write(chunk); err != nil {
					return
				}
				left -= int64(len(chunk))
			}
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	})
}

// BenchmarkFsync shows what --fsync costs: sequential Put Blob of 4 KiB and
// 1 MiB with and without fsync on every commit.
func BenchmarkFsync(b *testing.B) {
	for _, fsync := range []bool{false, true} {
		emu := startAzemu(b, withDataDir(b.TempDir()), withConfig(func(c *emulator.Config) { c.Fsync = fsync }))
		client := benchClient(b, emu.BlobURL())
		ctx := context.Background()
		_, err := client.CreateContainer(ctx, "fsync", nil)
		require.NoError(b, err)
		cc := client.ServiceClient().NewContainerClient("fsync")
		for _, size := range []int{4 << 10, 1 << 20} {
			payload := make([]byte, size)
			b.Run(fmt.Sprintf("fsync=%v/%dKiB", fsync, size>>10), func(b *testing.B) {
				b.SetBytes(int64(size))
				for i := 0; i < b.N; i++ {
					_, err := cc.NewBlockBlobClient("b"+strconv.Itoa(i%100)).Upload(ctx, nopSeekCloser{bytes.NewReader(payload)}, nil)
					require.NoError(b, err)
				}
			})
		}
	}
}
