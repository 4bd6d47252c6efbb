package emulator

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// resetter is a service that can drop all its state. Every service the
// emulator runs has one (a small reset.go in its package); a service added
// later adds its own and its line in services below.
type resetter interface {
	Reset(ctx context.Context) error
}

// Reset returns the emulator to its seeded state, for test isolation
// without a restart:
//
//   - storage: every account is deleted with all its containers, blobs,
//     shares, files and queues; devstoreaccount1, the configured accounts
//     (AZURITE_ACCOUNTS) and the seeded accounts, with their seeded content,
//     are created again (new account encryption keys, root-wrapped);
//   - Key Vault: every vault, soft-deleted ones and purge-protected ones
//     included, is removed with its keys; devvault and the seeded vaults and
//     keys are created again (new key material: a test must not depend on a
//     key surviving a reset);
//   - identity: every principal but the development one is forgotten, and
//     the configured and seeded principals are registered again; the token
//     signing key stays, so tokens held by clients keep verifying;
//   - management plane: resource groups, user-assigned identities and ARM
//     records start over from the default group, which adopts what the seed
//     created, as a first start does;
//   - the emulator clock goes back to real time: state created after the
//     reset is timed as in a fresh instance (soft-delete retention,
//     rotation, expiry), which is what a test of time-based behaviour
//     expects of a clean instance.
//
// Reset runs one at a time. Requests served while it runs may see a partly
// reset state; call it between tests, not during them.
func (e *Emulator) Reset(ctx context.Context) error {
	e.resetMu.Lock()
	defer e.resetMu.Unlock()
	// Drop: storage first (its accounts may use vault keys), the management
	// plane last (its records name the others).
	drops := []struct {
		name string
		svc  resetter
	}{
		{"storage", e.storage},
		{"key vault", e.vault},
		{"identity", e.identity},
	}
	for _, d := range drops {
		if err := d.svc.Reset(ctx); err != nil {
			return fmt.Errorf("reset %s: %w", d.name, err)
		}
	}
	e.clock.Reset()
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"principals", e.registerPrincipals},
		{"default vault", e.ensureDevVault},
		{"accounts", e.createAccounts},
		{"seed", e.applySeed},
		{"management plane", e.mgmt.Reset},
	}
	for _, s := range steps {
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("reset: %s: %w", s.name, err)
		}
	}
	return nil
}

// Reset moves the clock back to real time (the one move back it allows).
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}

// serveReset is POST /_azemu/reset, already authorised by adminAuthorize.
func (e *Emulator) serveReset(w http.ResponseWriter, r *http.Request, writeJSON func(int, any), fail func(*adminError)) {
	start := time.Now()
	if err := e.Reset(r.Context()); err != nil {
		e.log.Error("reset failed", "err", err)
		fail(&adminError{http.StatusInternalServerError, "ResetFailed", err.Error()})
		return
	}
	took := time.Since(start)
	e.log.Info("emulator reset", "took", took)
	writeJSON(http.StatusOK, map[string]any{"now": e.clock.Now().Format(time.RFC3339Nano), "tookMs": took.Milliseconds()})
}
