package emulator

import (
	"io"
	"net/http"
	"testing"

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
