package authn

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every sentinel is its own error: a verifier's wrapped error matches exactly
// one of them, so a protocol layer can map each to its own wire message.
func TestSentinelsAreDistinct(t *testing.T) {
	all := []error{ErrMalformedToken, ErrInvalidSignature, ErrTokenExpired, ErrTokenNotYetValid,
		ErrInvalidIssuer, ErrInvalidAudience, ErrUnknownPrincipal}
	for i, a := range all {
		wrapped := fmt.Errorf("verify: %w", a)
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(wrapped, b), "%v is %v", wrapped, b)
		}
	}
}
