package blobstore

// ConfiguredKeyProvider returns Config.KeyProvider as given to Open, so the
// code that wired the provider in can reach it again (the emulator keeps its
// customer-managed-key state there).
func (s *Service) ConfiguredKeyProvider() KeyProvider { return s.cfg.KeyProvider }
