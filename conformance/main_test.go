package conformance

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/azemu/azemu/emulator"
)

// childEnv names the data folder when the test binary runs as an azemu child
// process (for the kill -9 tests) instead of as a test.
const childEnv = "AZEMU_CONFORMANCE_CHILD_DATA"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		runChild(dir)
		return
	}
	os.Exit(m.Run())
}

// runChild serves azemu over dir on free ports, prints the Blob URL on the
// first line of stdout and the Queue URL on the second, and serves until it
// is killed.
func runChild(dir string) {
	emu, err := emulator.Start(context.Background(), emulator.Config{DataDir: dir, FilePort: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	fmt.Println(emu.BlobURL())
	fmt.Println(emu.QueueURL())
	select {}
}
