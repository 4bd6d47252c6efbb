package emulator

import (
	"context"
	"path/filepath"

	"github.com/azemu/azemu/emulator/management"
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
		// e.queue opens after the management plane; accounts are deleted
		// only through requests, which come later.
		AccountDeleted: func(ctx context.Context, account string) error {
			if e.queue == nil {
				return nil
			}
			e.queueKeys.forget(account)
			return e.queue.DropAccount(ctx, account)
		},
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
