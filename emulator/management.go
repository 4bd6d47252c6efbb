package emulator

import (
	"context"
	"net/http"
	"path/filepath"

	"github.com/azemu/azemu/emulator/management"
	"github.com/azemu/azemu/emulator/management/armapi"
)

// openManagement opens the ARM-like management plane over the open
// services; its state lives in DataDir/management (in memory with InMemory).
func (e *Emulator) openManagement(ctx context.Context) error {
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
		QueueURL: e.queueURL,
		VaultURL: e.vaultURL,
		Logger:   e.log,
	})
	if err != nil {
		return err
	}
	e.mgmt = m
	return nil
}

// Management returns the management plane (for in-process wiring and tests).
func (e *Emulator) Management() *management.Service { return e.mgmt }

// managementHandler is the management plane's ARM protocol, verifying
// tokens with the token authority.
func (e *Emulator) managementHandler() http.Handler {
	return armapi.New(armapi.Config{Service: e.mgmt, Verifier: e.identity, Authority: e.vaultURL, Logger: e.log})
}
