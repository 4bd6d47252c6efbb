package blobstore

import "context"

// Reset deletes every storage account with everything in it (each attached
// part drops its containers, blobs, shares and files, and their sealed
// data), through DeleteAccount. The emulator re-creates the development
// account and the seeded ones afterwards.
func (s *Service) Reset(ctx context.Context) error {
	accts, err := s.ListAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accts {
		if err := s.DeleteAccount(ctx, a.Name); err != nil {
			return err
		}
	}
	return nil
}
