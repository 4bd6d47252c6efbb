package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Blob SDK pointed at the Files port (an easy slip with two ports) gets
// the status and code the service gives, and a message that says which port
// it reached; the same for the Files SDK on the Blob port.
func TestWrongPortIsExplained(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	swapped := strings.NewReplacer("BlobEndpoint="+emu.BlobURL(), "BlobEndpoint="+emu.FileURL(),
		"FileEndpoint="+emu.FileURL(), "FileEndpoint="+emu.BlobURL()).Replace(emu.ConnectionString())
	require.NotEqual(t, emu.ConnectionString(), swapped)

	blobs, err := azblob.NewClientFromConnectionString(swapped, nil)
	require.NoError(t, err)
	_, err = blobs.UploadBuffer(ctx, "photos", "cat.jpg", []byte("x"), nil)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.GreaterOrEqual(t, re.StatusCode, 400)
	assert.NotEmpty(t, re.ErrorCode)
	assert.Contains(t, err.Error(), "azemu's Files port")

	files, err := service.NewClientFromConnectionString(swapped, nil)
	require.NoError(t, err)
	_, err = files.CreateShare(ctx, "docs", nil)
	require.True(t, errors.As(err, &re), "%v", err)
	assert.GreaterOrEqual(t, re.StatusCode, 400)
	assert.Contains(t, err.Error(), "azemu's Blob port")
}
