package conformance

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// startQueueChild runs azemu over dir in a child process and returns its
// Queue URL.
func startQueueChild(t *testing.T, dir string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	r := bufio.NewReader(out)
	_, err = r.ReadString('\n') // the Blob URL
	require.NoError(t, err, "child did not report its URLs")
	line, err := r.ReadString('\n')
	require.NoError(t, err, "child did not report its Queue URL")
	return strings.TrimSpace(line), cmd
}

func crashQueue(t *testing.T, url string) *azqueue.QueueClient {
	cred, err := azqueue.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	c, err := azqueue.NewQueueClientWithSharedKeyCredential(url+"/"+emulator.DevAccountName+"/crash", cred,
		&azqueue.ClientOptions{ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	require.NoError(t, err)
	return c
}

// TestKillNineKeepsQueueMessages kills azemu with SIGKILL while producers
// put messages and consumers get and delete them, three times, then opens
// the data folder again and checks: every acknowledged Put survived, every
// acknowledged Delete stayed deleted, and no pop receipt was ever handed out
// twice.
func TestKillNineKeepsQueueMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills child processes")
	}
	dir := t.TempDir()
	ctx := context.Background()
	var mu sync.Mutex
	put := map[string]string{} // acknowledged Put: message id → text
	deleted := map[string]bool{}
	// tried holds deletes sent but not acknowledged: the server may have
	// committed them before it died, so those messages may be gone.
	tried := map[string]bool{}
	receipts := map[string]bool{}
	dupReceipts := 0
	seeReceipt := func(r string) {
		mu.Lock()
		defer mu.Unlock()
		if receipts[r] {
			dupReceipts++
		}
		receipts[r] = true
	}
	for round := range 3 {
		url, cmd := startQueueChild(t, dir)
		q := crashQueue(t, url)
		if round == 0 {
			_, err := q.Create(ctx, nil)
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 4 {
			wg.Add(1)
			go func() { // producer
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					text := "msg-" + strconv.Itoa(round) + "-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
					resp, err := q.EnqueueMessage(ctx, text, nil)
					if err != nil {
						return // the server died under us
					}
					seeReceipt(*resp.Messages[0].PopReceipt)
					mu.Lock()
					put[*resp.Messages[0].MessageID] = text
					mu.Unlock()
				}
			}()
			wg.Add(1)
			go func() { // consumer
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: to.Ptr(int32(4)), VisibilityTimeout: to.Ptr(int32(3600))})
					if err != nil {
						return
					}
					for _, m := range resp.Messages {
						seeReceipt(*m.PopReceipt)
						mu.Lock()
						tried[*m.MessageID] = true
						mu.Unlock()
						if _, err := q.DeleteMessage(ctx, *m.MessageID, *m.PopReceipt, nil); err != nil {
							return
						}
						mu.Lock()
						deleted[*m.MessageID] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(150+round*100) * time.Millisecond) // let work run before the kill
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		close(stop)
		wg.Wait()
		_ = cmd.Wait()
	}

	// Open the folder in process, make every message visible again and
	// drain the queue.
	emu := startAzemu(t, withDataDir(dir))
	emu.AdvanceClock(ctx, 2*time.Hour)
	q := crashQueue(t, emu.QueueURL())
	left := map[string]string{}
	for {
		resp, err := q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: to.Ptr(int32(32)), VisibilityTimeout: to.Ptr(int32(3600))})
		require.NoError(t, err)
		if len(resp.Messages) == 0 {
			break
		}
		for _, m := range resp.Messages {
			seeReceipt(*m.PopReceipt)
			_, dup := left[*m.MessageID]
			require.False(t, dup, "message %s delivered twice in one drain", *m.MessageID)
			left[*m.MessageID] = *m.MessageText
		}
	}
	require.NotEmpty(t, put)
	require.NotEmpty(t, deleted)
	for id, text := range put {
		if deleted[id] {
			assert.NotContains(t, left, id, "acknowledged delete of %s did not stay deleted", id)
			continue
		}
		if _, ok := left[id]; !ok && tried[id] {
			continue // a delete in flight at the kill took it
		}
		assert.Equal(t, text, left[id], "acknowledged put of %s lost", id)
	}
	assert.Zero(t, dupReceipts, "a pop receipt was handed out twice")
	t.Logf("%d acknowledged puts, %d acknowledged deletes, %d left after 3 kills", len(put), len(deleted), len(left))
}
