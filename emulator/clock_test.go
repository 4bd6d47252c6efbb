package emulator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClockAdvancesOnlyForward(t *testing.T) {
	base := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := NewClock(func() time.Time { return base })
	assert.Equal(t, base, c.Now())
	assert.Equal(t, base.Add(48*time.Hour), c.Advance(48*time.Hour))
	assert.Equal(t, base.Add(48*time.Hour), c.Advance(-time.Hour), "negative advance is ignored")
	assert.Equal(t, base.Add(48*time.Hour), c.Now())
}
