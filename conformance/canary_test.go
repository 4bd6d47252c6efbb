package conformance

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDataFolderHoldsNoPlaintextKeys: after a start, the only key the data
// folder holds in the clear is the root key in root.key (which --root-key
// moves out); the TLS keys, the token signing key and everything else are
// sealed under it.
func TestDataFolderHoldsNoPlaintextKeys(t *testing.T) {
	dir := t.TempDir()
	emu := startAzemu(t, withDataDir(dir))
	require.NoError(t, emu.Close())
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		assert.False(t, bytes.Contains(data, []byte("PRIVATE KEY")), "%s holds a PEM private key", path)
		return nil
	}))
	assert.Greater(t, files, 3)
}

// TestQueueDataFolderHoldsNoPlaintext: message bodies (as put and as
// updated) and queue metadata never reach the data folder in the clear,
// yet read back after a restart.
func TestQueueDataFolderHoldsNoPlaintext(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	const (
		body    = "queue-canary-body-6c1f0e"
		updated = "queue-canary-update-93ab7d"
		meta    = "queue-canary-meta-4e2b90"
	)
	e := newQueueEnv(t, withDataDir(dir))
	_, err := e.svc.CreateQueue(ctx, "canary", &azqueue.CreateOptions{Metadata: map[string]*string{"secret": to.Ptr(meta)}})
	require.NoError(t, err)
	q := e.svc.NewQueueClient("canary")
	_, err = q.EnqueueMessage(ctx, strings.Repeat(body, 100), nil)
	require.NoError(t, err)
	second, err := q.EnqueueMessage(ctx, body, nil)
	require.NoError(t, err)
	_, err = q.UpdateMessage(ctx, *second.Messages[0].MessageID, *second.Messages[0].PopReceipt, updated, nil)
	require.NoError(t, err)
	require.NoError(t, e.emu.Close())

	for _, canary := range []string{body, updated, meta} {
		require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			assert.False(t, bytes.Contains(data, []byte(canary)), "%s holds %q in the clear", path, canary)
			return nil
		}))
	}

	e = newQueueEnv(t, withDataDir(dir))
	peek, err := e.svc.NewQueueClient("canary").PeekMessages(ctx, &azqueue.PeekMessagesOptions{NumberOfMessages: to.Ptr(int32(2))})
	require.NoError(t, err)
	require.Len(t, peek.Messages, 2)
	assert.Equal(t, strings.Repeat(body, 100), *peek.Messages[0].MessageText)
	assert.Equal(t, updated, *peek.Messages[1].MessageText)
}
