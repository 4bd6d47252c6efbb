package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// startChild runs azemu over dir in a child process and returns its Blob
// URL and the process.
func startChild(t *testing.T, dir string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "child did not report its URL")
	return line[:len(line)-1], cmd
}

func crashClient(t *testing.T, url string) *azblob.Client {
	cred, err := azblob.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	c, err := azblob.NewClientWithSharedKeyCredential(url+"/"+emulator.DevAccountName+"/", cred,
		&azblob.ClientOptions{ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	require.NoError(t, err)
	return c
}

// payload is the deterministic content of blob i: its size varies so some
// uploads span several chunks and blocks.
func payload(i int) []byte {
	n := 1 + (i*7919)%(300<<10)
	b := make([]byte, n)
	_, _ = newPRNGReader(byte(i), int64(n)).Read(b)
	return b
}

// TestKillNineKeepsCommittedBlobs kills azemu with SIGKILL while uploads are
// running, restarts it on the same data folder and checks that every upload
// that was acknowledged reads back byte for byte, and that an upload in flight
// either vanished or is complete.
func TestKillNineKeepsCommittedBlobs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills child processes")
	}
	dir := t.TempDir()
	ctx := context.Background()
	acked := map[string][32]byte{}
	for round := range 3 {
		url, cmd := startChild(t, dir)
		client := crashClient(t, url)
		if round == 0 {
			_, err := client.CreateContainer(ctx, "crash", nil)
			require.NoError(t, err)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					n := round*100000 + w*10000 + i
					name := "b" + strconv.Itoa(n)
					data := payload(n)
					var err error
					if n%3 == 0 {
						_, err = client.UploadStream(ctx, "crash", name, bytes.NewReader(data), &azblob.UploadStreamOptions{BlockSize: 64 << 10})
					} else {
						_, err = client.UploadBuffer(ctx, "crash", name, data, nil)
					}
					if err != nil {
						return // the server died under us
					}
					mu.Lock()
					acked[name] = sha256.Sum256(data)
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(150+round*100) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		close(stop)
		wg.Wait()
		_ = cmd.Wait()
	}

	url, _ := startChild(t, dir)
	client := crashClient(t, url)
	require.NotEmpty(t, acked)
	for name, sum := range acked {
		resp, err := client.DownloadStream(ctx, "crash", name, nil)
		require.NoError(t, err, name)
		var buf bytes.Buffer
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		require.NoError(t, err, name)
		assert.Equal(t, sum, sha256.Sum256(buf.Bytes()), "acknowledged blob %s changed after kill -9", name)
	}
	// Every blob that exists is complete: none is torn.
	pager := client.NewListBlobsFlatPager("crash", nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, item := range page.Segment.BlobItems {
			n, err := strconv.Atoi((*item.Name)[1:])
			require.NoError(t, err)
			want := payload(n)
			resp, err := client.DownloadStream(ctx, "crash", *item.Name, nil)
			if bloberror.HasCode(err, bloberror.BlobNotFound) {
				continue
			}
			require.NoError(t, err)
			var buf bytes.Buffer
			_, err = buf.ReadFrom(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			assert.True(t, bytes.Equal(want, buf.Bytes()), "blob %s is torn", *item.Name)
		}
	}
	t.Logf("%d acknowledged uploads survived 3 kills", len(acked))
}
