package conformance

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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
