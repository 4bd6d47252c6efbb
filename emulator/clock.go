package emulator

import (
	"sync"
	"time"
)

// Clock is the emulator clock. It starts at real time and runs with it, and
// can be moved forward (never back, but for Reset to real time) so that time-based behaviour — scheduled
// purges, key rotation, key expiry, the storage account's daily key check —
// can be shown in a second. Token lifetimes and request signatures use the
// real clock, so advancing this one never breaks a client.
type Clock struct {
	real func() time.Time

	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock at real time. real may be nil for time.Now.
func NewClock(real func() time.Time) *Clock {
	if real == nil {
		real = time.Now
	}
	return &Clock{real: real}
}

// Now returns the emulator time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.real().Add(c.offset).UTC()
}

// Advance moves the clock forward by d and returns the new time. A negative
// d is ignored: time only moves forward.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.offset += d
	}
	return c.real().Add(c.offset).UTC()
}
