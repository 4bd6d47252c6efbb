package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
)

func TestResetEndpoint(t *testing.T) {
	e := startSeeded(t)
	ctx := context.Background()
	require.NoError(t, e.storage.CreateAccount(ctx, blobstore.AccountSpec{Name: "extra1", Keys: [][]byte{make([]byte, 32)}}))
	tok := adminToken(t, e, DevObjectID)

	// Refused without a token or from another origin: nothing is reset.
	resp, err := adminDo(e.HTTPClient(), http.MethodPost, e.VaultURL()+"/_azemu/reset", "", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, err = adminDo(e.HTTPClient(), http.MethodPost, e.VaultURL()+"/_azemu/reset", tok, "", http.Header{"Origin": {"https://evil.example"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, err = e.storage.Account(ctx, "extra1")
	require.NoError(t, err)

	// GET is not the way.
	resp, err = adminDo(e.HTTPClient(), http.MethodGet, e.VaultURL()+"/_azemu/reset", tok, "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	resp, err = adminDo(e.HTTPClient(), http.MethodPost, e.VaultURL()+"/_azemu/reset", tok, "", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Now    string `json:"now"`
		TookMs *int64 `json:"tookMs"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	assert.NotEmpty(t, out.Now)
	require.NotNil(t, out.TookMs)
	_, err = e.storage.Account(ctx, "extra1")
	assert.ErrorIs(t, err, blobstore.ErrAccountNotFound)
	_, err = e.storage.Account(ctx, "seeded1")
	assert.NoError(t, err)
	// The management plane adopted the seeded account again.
	resp2, err := adminDo(e.HTTPClient(), http.MethodGet, e.VaultURL()+"/subscriptions/"+DevSubscription+"/providers/Microsoft.Storage/storageAccounts?api-version=2023-05-01", tok, "", nil)
	require.NoError(t, err)
	defer resp2.Body.Close()
	var list struct {
		Value []struct{ Name string } `json:"value"`
	}
	require.NoError(t, json.NewDecoder(resp2.Body).Decode(&list))
	var names []string
	for _, v := range list.Value {
		names = append(names, v.Name)
	}
	assert.ElementsMatch(t, []string{DevAccountName, "seeded1"}, names)
}
