package management

import "context"

// Reset drops the management plane's own state (resource groups, user
// assigned identities, account and vault ARM records, role assignment
// extras, access policy extras) and adopts the storage accounts and vaults
// that exist then into the default group, as a first start does. The
// emulator calls it after the other services are reset and re-seeded.
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = &state{V: stateVersion, Groups: map[string]*Group{DefaultGroup: {Name: DefaultGroup, Location: DefaultLocation}},
		Accounts: map[string]*Account{}, Identities: map[string]*UserIdentity{}, Vaults: map[string]string{},
		Roles: map[string]*roleMeta{}, Policies: map[string][]policyExtra{}}
	if err := s.adoptLocked(ctx); err != nil {
		return err
	}
	return s.saveLocked()
}
