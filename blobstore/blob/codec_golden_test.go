package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRecordEncodingIsPinned pins the bytes of the binary blob and
// container records, so that a refactoring of the codec cannot change the
// on-disk format unnoticed (a real change bumps the version instead).
func TestRecordEncodingIsPinned(t *testing.T) {
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	assert.Equal(t, "b704cdd1e599d9dddd3d4d903e8c032fe3d3946b56aa5cb4fdc050f54a4b173c", sum(encodeBlobRec(fullBlobRec())))
	assert.Equal(t, "9c134d49e2df7c85b53d0b71b3f1a94ed7b3aa343eadfae3af72d603dcdbaf75", sum(encodeContainerRec(fullContainerRec())))
}
