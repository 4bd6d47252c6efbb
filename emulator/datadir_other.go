//go:build !unix

package emulator

import (
	"os"
	"path/filepath"
	"strconv"
)

// locksWork tells whether lockDir really excludes other processes.
const locksWork = false

// lockDir writes the pid file; on systems without flock the bbolt file lock
// (with its short timeout) is what keeps a second instance out.
func lockDir(dir string) (func(), error) {
	path := filepath.Join(dir, lockFile)
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return func() {}, nil
}

func freeBytes(string) (uint64, bool) { return 0, false }
