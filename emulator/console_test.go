package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator/console"
)

// TestConsoleServesAndLogs: the console listens on the loopback address,
// answers only to its own names, and its request log holds what clients
// sent to the other listeners, with the storage error code.
func TestConsoleServesAndLogs(t *testing.T) {
	e := startTest(t, Config{InMemory: true})
	require.True(t, strings.HasPrefix(e.ConsoleURL(), "http://127.0.0.1:"), e.ConsoleURL())

	resp, err := http.Get(e.ConsoleURL() + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "azemu console")

	req, err := http.NewRequest(http.MethodGet, e.ConsoleURL()+"/api/info", nil)
	require.NoError(t, err)
	req.Host = "attacker.example"
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// An anonymous List Containers is refused by the Blob service...
	resp, err = http.Get(e.BlobURL() + "/devstoreaccount1?comp=list&sig=not-a-real-signature")
	require.NoError(t, err)
	resp.Body.Close()
	code := resp.Header.Get("x-ms-error-code")
	require.NotEmpty(t, code)

	// ... and the console's log shows it, without the signature.
	resp, err = http.Get(e.ConsoleURL() + "/api/log")
	require.NoError(t, err)
	defer resp.Body.Close()
	var log struct{ Entries []console.Entry }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&log))
	require.NotEmpty(t, log.Entries)
	got := log.Entries[0]
	assert.Equal(t, "blob", got.Service)
	assert.Equal(t, "ListContainers", got.Operation)
	assert.Equal(t, code, got.Code)
	assert.Contains(t, got.Resource, "sig=REDACTED")
	assert.NotContains(t, got.Resource, "not-a-real-signature")
}

// TestConsoleOff: -1 turns the console off.
func TestConsoleOff(t *testing.T) {
	e := startTest(t, Config{InMemory: true, ConsolePort: -1})
	assert.Empty(t, e.ConsoleURL())
}
