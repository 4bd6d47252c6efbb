package keyvault

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoPackageImportsEmulator: the vault service and its protocol are
// wired by the emulator, never the reverse, so a second binary (or a test)
// can use them without the emulator's wiring. The verified caller comes
// from internal/authn, not from the token authority.
func TestNoPackageImportsEmulator(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			assert.False(t, strings.HasPrefix(p, "github.com/azemu/azemu/emulator"), "%s imports %s", path, p)
		}
		return nil
	})
	require.NoError(t, err)
}
