package storagehttp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
)

func TestParseMaxResults(t *testing.T) {
	n, err := ParseMaxResults("")
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = ParseMaxResults("25")
	require.NoError(t, err)
	assert.Equal(t, 25, n)
	_, err = ParseMaxResults("0")
	assert.Equal(t, "OutOfRangeQueryParameterValue", blobstore.CodeOf(err))
	_, err = ParseMaxResults("ten")
	assert.Equal(t, "InvalidQueryParameterValue", blobstore.CodeOf(err))
}

func TestHostAccount(t *testing.T) {
	_, ok := HostAccount("a.b.blob.localhost", HostSuffixBlob)
	assert.False(t, ok)
	acct, ok := HostAccount("DevStoreAccount1.BLOB.localhost:1", HostSuffixBlob)
	assert.True(t, ok)
	assert.Equal(t, "devstoreaccount1", acct)
	_, ok = HostAccount("acct.blob.localhost", HostSuffixFile)
	assert.False(t, ok)
	_, ok = HostAccount(".file.localhost", HostSuffixFile)
	assert.False(t, ok)
}
