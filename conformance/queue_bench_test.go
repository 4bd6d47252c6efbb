package conformance

// Benchmarks of the Queue service through azqueue, 16 clients at once:
//
//	go test ./conformance -run '^$' -bench 'Queue' -benchtime 2000x

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// benchQueue is a queue of an on-disk azemu reached through a pooled
// transport.
func benchQueue(b *testing.B) *azqueue.QueueClient {
	emu := startAzemu(b, withDataDir(b.TempDir()))
	cred, err := azqueue.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(b, err)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	q, err := azqueue.NewQueueClientWithSharedKeyCredential(emu.QueueURL()+"/"+emulator.DevAccountName+"/bench", cred,
		&azqueue.ClientOptions{ClientOptions: policy.ClientOptions{Transport: &http.Client{Transport: tr}, Retry: policy.RetryOptions{MaxRetries: -1}}})
	require.NoError(b, err)
	_, err = q.Create(context.Background(), nil)
	require.NoError(b, err)
	return q
}

// BenchmarkQueuePutMessage: Put Message of a 1 KiB text, 16 clients.
func BenchmarkQueuePutMessage(b *testing.B) {
	q := benchQueue(b)
	text := strings.Repeat("q", 1024)
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := q.EnqueueMessage(context.Background(), text, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}

// BenchmarkQueueGetDeleteMessage: Get Messages of one message then Delete
// Message, 16 clients; an op is one message taken and deleted (two
// requests). The queue is filled first, outside the timer.
func BenchmarkQueueGetDeleteMessage(b *testing.B) {
	q := benchQueue(b)
	text := strings.Repeat("q", 1024)
	ctx := context.Background()
	for range b.N + 64 {
		_, err := q.EnqueueMessage(ctx, text, nil)
		require.NoError(b, err)
	}
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := q.DequeueMessage(ctx, &azqueue.DequeueMessageOptions{VisibilityTimeout: to.Ptr(int32(600))})
			if err != nil || len(resp.Messages) != 1 {
				b.Errorf("dequeue: %v (%d messages)", err, len(resp.Messages))
				return
			}
			m := resp.Messages[0]
			if _, err := q.DeleteMessage(ctx, *m.MessageID, *m.PopReceipt, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}
