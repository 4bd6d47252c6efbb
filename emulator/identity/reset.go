package identity

import (
	"context"
	"strings"
)

// Reset forgets every principal but the development one, and the default
// managed identity goes back to the configured one. The signing key stays:
// tokens already issued to the development principal keep verifying. The
// emulator registers the configured and seeded principals afterwards.
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := devPrincipal()
	s.principals = map[string]*record{strings.ToLower(dev.ObjectID): &dev}
	s.defaultMI = strings.ToLower(s.cfg.DefaultManagedIdentity)
	return s.saveRegistryLocked()
}
