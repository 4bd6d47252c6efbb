package storageerr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsComparesIdentityNotCode(t *testing.T) {
	// Pairs that share a wire code but are different errors.
	for _, tc := range []struct{ a, b *Error }{
		{ErrAccountNotFound, ErrResourceNotFound},
		{ErrFilePermissionNotFound, ErrResourceNotFound},
		{ErrAccountNotFound, ErrFilePermissionNotFound},
		{ErrNotModified, ErrConditionNotMet},
		{ErrFileLeaseIDMissing, ErrLeaseIDMissing},
		{ErrShareLeaseIDMissing, ErrFileLeaseIDMissing},
		{ErrInvalidFileOrDirectoryName, ErrInvalidResourceName},
		{ErrBlockBlobTooLarge, ErrRequestBodyTooLarge},
	} {
		assert.Equal(t, tc.a.Code, tc.b.Code, "the pair shares a wire code")
		assert.False(t, errors.Is(tc.a, tc.b), "%s (%s) is not %s (%s)", tc.a.Code, tc.a.Message, tc.b.Code, tc.b.Message)
		assert.False(t, errors.Is(tc.b, tc.a))
		assert.False(t, errors.Is(tc.a.WithMessage("x"), tc.b))
	}
}

func TestDerivedErrorsKeepIdentity(t *testing.T) {
	e := ErrContainerNotFound.WithMessage("gone %d", 1).WithDetail("Reason", "r").WithHeader("X-A", "b")
	assert.True(t, errors.Is(e, ErrContainerNotFound))
	assert.True(t, errors.Is(fmt.Errorf("wrapped: %w", e), ErrContainerNotFound))
	assert.True(t, errors.Is(ErrContainerNotFound, e), "identity is symmetric")
	assert.False(t, errors.Is(e, ErrBlobNotFound))
	assert.Equal(t, "gone 1", e.Message)
	assert.Equal(t, []Detail{{"Reason", "r"}}, e.Extra)
	assert.Equal(t, "b", e.Header.Get("X-A"))
	assert.Nil(t, ErrContainerNotFound.Header, "the table entry is not changed")
	assert.Equal(t, "ContainerNotFound", CodeOf(fmt.Errorf("w: %w", e)))
	assert.Equal(t, "", CodeOf(errors.New("plain")))
}

func TestAdHocErrorsAreTheirOwn(t *testing.T) {
	a := New(404, "ResourceNotFound", "a")
	b := New(404, "ResourceNotFound", "a")
	assert.True(t, errors.Is(a, a))
	assert.True(t, errors.Is(a.WithMessage("m"), a))
	assert.False(t, errors.Is(a, b))
	assert.False(t, errors.Is(a, ErrResourceNotFound))
}
