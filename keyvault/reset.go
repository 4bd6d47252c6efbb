package keyvault

import (
	"context"
	"sort"
)

// Reset removes every vault, live or soft-deleted, with all its keys, as if
// the service had just been created. Purge protection does not stop it: a
// reset is the emulator's own act (between tests), not a client's purge,
// and real Azure has no equivalent to be faithful to. The emulator re-creates
// the development vault and the seeded ones afterwards.
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.vaults))
	for n := range s.vaults {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := s.store.DeleteVault(ctx, n); err != nil {
			return err
		}
		delete(s.vaults, n)
	}
	s.nextGen()
	return nil
}
