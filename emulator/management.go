package emulator

import (
	"context"
	"net/http"
)

// managementHandler returns the ARM-like management plane, or nil while it
// does not exist.
func (e *Emulator) managementHandler() http.Handler { return nil }

// managementTick runs the management plane's timed work (the storage
// accounts' daily key-version check).
func (e *Emulator) managementTick(ctx context.Context) error { return nil }
