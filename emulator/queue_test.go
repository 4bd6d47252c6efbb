package emulator

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/azemu/azemu/blobstore/queue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQueueListener(t *testing.T) {
	e := startTest(t, Config{InMemory: true})
	require.NotEmpty(t, e.QueueURL())
	resp, err := e.HTTPClient().Get(e.QueueURL() + healthPath)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"service":"queue"`)
	assert.Contains(t, e.ConnectionString(), "QueueEndpoint="+e.QueueURL()+"/devstoreaccount1;")

	off := startTest(t, Config{InMemory: true, QueuePort: -1})
	assert.Empty(t, off.QueueURL())
	assert.NotContains(t, off.ConnectionString(), "QueueEndpoint")
}

func TestQueuePortValidated(t *testing.T) {
	c := Config{InMemory: true, QueuePort: 70000}
	assert.ErrorContains(t, c.Validate(), "queue port")
}

// Reset drops every queue: the Queue service is attached to the storage
// core, whose Reset deletes each account through DeleteAccount. The
// development account's queue key is made anew, so a queue created after
// the reset reads back.
func TestResetDropsQueues(t *testing.T) {
	e := startTest(t, Config{InMemory: true})
	ctx := context.Background()
	_, err := e.Queue().CreateQueue(ctx, DevAccountName, "before", map[string]string{"k": "v"})
	require.NoError(t, err)
	_, err = e.Queue().PutMessage(ctx, DevAccountName, "before", "hello", queue.PutOptions{})
	require.NoError(t, err)

	require.NoError(t, e.Reset(ctx))

	l, err := e.Queue().ListQueues(ctx, DevAccountName, queue.ListOptions{IncludeMetadata: true})
	require.NoError(t, err)
	assert.Empty(t, l.Queues)
	_, err = e.Queue().CreateQueue(ctx, DevAccountName, "after", map[string]string{"k": "v"})
	require.NoError(t, err)
	l, err = e.Queue().ListQueues(ctx, DevAccountName, queue.ListOptions{IncludeMetadata: true})
	require.NoError(t, err)
	require.Len(t, l.Queues, 1)
	assert.Equal(t, "after", l.Queues[0].Name)
}
