package azemutest

import (
	"context"
	"testing"

	"github.com/azemu/azemu/emulator"
)

// Seed parses a seed document (JSON or YAML, see the README's "Seed and
// reset") and fails the test, naming the line, if it is invalid.
func Seed(t testing.TB, doc string) *emulator.Seed {
	t.Helper()
	s, err := emulator.ParseSeed([]byte(doc))
	if err != nil {
		t.Fatalf("azemutest: %v", err)
	}
	return s
}

// WithSeed starts the instance in the state s declares; Reset returns to it.
func WithSeed(s *emulator.Seed) Option {
	return func(c *emulator.Config) { c.Seed = s }
}

// Reset returns the instance to its seeded state: everything not in the
// seed (and the built-in development account, vault and principal) is
// removed, what the seed declares is restored, and the emulator clock goes
// back to real time. Call it between tests that share one instance.
func (a *Azemu) Reset(t testing.TB) {
	t.Helper()
	if err := a.emu.Reset(context.Background()); err != nil {
		t.Fatalf("azemutest: reset: %v", err)
	}
}
