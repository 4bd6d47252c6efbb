package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// TestMain lets a test run this package's test binary as the azemu command
// (AZEMU_TEST_RUN_MAIN=1), to kill it as a user would.
func TestMain(m *testing.M) {
	if os.Getenv("AZEMU_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// kill -9 of an --in-memory azemu leaves its temporary folder behind; the
// next start removes it, and leaves the folders of live instances alone.
func TestKilledInMemoryInstanceIsSweptAtNextStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	statusPath := filepath.Join(t.TempDir(), "status.json")
	child := exec.Command(os.Args[0], "--in-memory", "--blob-port", "0", "--file-port", "0", "--vault-port", "0", "--console-port", "0", "--status-file", statusPath)
	child.Env = append(os.Environ(), "AZEMU_TEST_RUN_MAIN=1")
	require.NoError(t, child.Start())
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	require.Eventually(t, func() bool { _, err := emulator.ReadStatus(statusPath); return err == nil }, time.Minute, 10*time.Millisecond)

	dir := memDirOf(t, child.Process.Pid)
	require.NotEmpty(t, dir, "the child's in-memory folder")
	require.NoError(t, child.Process.Signal(syscall.SIGKILL))
	_ = child.Wait()
	require.DirExists(t, dir, "kill -9 leaves it behind")

	emu, err := emulator.Start(context.Background(), emulator.Config{})
	require.NoError(t, err)
	defer emu.Close()
	assert.NoDirExists(t, dir, "swept at the next start")
}

// memDirOf finds the in-memory folder whose lock file names pid.
func memDirOf(t *testing.T, pid int) string {
	for _, base := range []string{"/dev/shm", os.TempDir()} {
		matches, _ := filepath.Glob(filepath.Join(base, "azemu-mem-*", "azemu.lock"))
		for _, m := range matches {
			b, err := os.ReadFile(m)
			if err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(pid) {
				return filepath.Dir(m)
			}
		}
	}
	return ""
}

// A second azemu on a data folder another process uses stops at once,
// naming that process, and leaves the folder as it was.
func TestSecondAzemuOnADataFolderNamesTheFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "--data", dir, "--blob-port", "0", "--file-port", "0", "--vault-port", "0", "--console-port", "0")
	child.Env = append(os.Environ(), "AZEMU_TEST_RUN_MAIN=1")
	require.NoError(t, child.Start())
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	require.Eventually(t, func() bool {
		_, err := emulator.ReadStatus(filepath.Join(dir, emulator.StatusFile))
		return err == nil
	}, time.Minute, 10*time.Millisecond)
	before, err := os.ReadDir(dir)
	require.NoError(t, err)

	var out, errOut strings.Builder
	assert.Equal(t, 1, run([]string{"--data", dir, "--blob-port", "0", "--file-port", "0", "--vault-port", "0", "--console-port", "0"}, &out, &errOut))
	assert.NotContains(t, errOut.String(), "timeout", "refused by the folder lock, not after bbolt's lock timeout")
	assert.Contains(t, errOut.String(), "in use by another azemu: process "+strconv.Itoa(child.Process.Pid))
	after, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, len(before), len(after))
}
