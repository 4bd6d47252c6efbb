package emulator

import (
	"context"
	"net/http"
	"path/filepath"

	"github.com/azemu/azemu/emulator/management"
)

// managementHandler returns the ARM-like management plane. It is called
// once the services are open (from httpsMux); it opens the plane's state in
// DataDir/management (in memory with InMemory). If that fails, every
// management request answers 500 with the reason logged, and the other
// services keep running.
func (e *Emulator) managementHandler() http.Handler {
	m, err := e.management(context.Background())
	if err != nil {
		e.log.Error("management plane unavailable", "err", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":{"code":"InternalServerError","message":"The azemu management plane could not open its state; see the emulator log."}}`))
		})
	}
	return m.Handler()
}

// management opens the management plane on first use.
func (e *Emulator) management(ctx context.Context) (*management.Service, error) {
	c := e.cmkState()
	if c == nil || e.vault == nil || e.identity == nil {
		return nil, errNotStarted
	}
	c.mgmtOnce.Do(func() {
		dir := ""
		if !e.cfg.InMemory {
			dir = filepath.Join(e.cfg.DataDir, "management")
		}
		m, err := management.Open(ctx, management.Config{
			DataDir:  dir,
			Storage:  e.storage,
			Vault:    e.vault,
			Identity: e.identity,
			Now:      e.clock.Now,
			BlobURL:  e.blobURL,
			FileURL:  e.fileURL,
			VaultURL: e.vaultURL,
			Logger:   e.log,
		})
		if err != nil {
			c.mgmtErr = err
			return
		}
		c.mgmt.Store(m)
	})
	if m := c.mgmt.Load(); m != nil {
		return m, nil
	}
	return nil, c.mgmtErr
}

// managementTick runs the management plane's timed work (the storage
// accounts' daily key-version check).
func (e *Emulator) managementTick(ctx context.Context) error {
	c := e.cmkState()
	if c == nil {
		return nil
	}
	m := c.mgmt.Load()
	if m == nil {
		return nil
	}
	return m.Tick(ctx)
}

// Management returns the management plane (for in-process wiring and tests).
func (e *Emulator) Management() (*management.Service, error) {
	return e.management(context.Background())
}
