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
