package sched

import (
	"sync"
	"time"
)

// Clock is the emulator's time source. The event queue is ordered by Now;
// CLOCK_REALTIME timers read Wall. Real time today; a simulator can supply
// simulated time later without touching the handlers.
type Clock interface {
	// Now is monotonic time in nanoseconds (CLOCK_MONOTONIC).
	Now() int64
	// Wall is CLOCK_REALTIME in nanoseconds since the Unix epoch.
	Wall() int64
}

// RealClock reads the host clocks.
type RealClock struct{ start time.Time }

// NewRealClock returns a clock whose Now counts from its creation.
func NewRealClock() *RealClock { return &RealClock{start: time.Now()} }

func (c *RealClock) Now() int64  { return int64(time.Since(c.start)) + 1 }
func (c *RealClock) Wall() int64 { return time.Now().UnixNano() }

// FakeClock is a clock that moves only when told; tests drive the event
// queue with Advance followed by Emulator.RunDue. Safe for concurrent use.
type FakeClock struct {
	mu   sync.Mutex
	now  int64
	wall int64
}

// NewFakeClock starts at monotonic 1s and wall 2026-01-01T00:00:00Z.
func NewFakeClock() *FakeClock {
	return &FakeClock{now: int64(time.Second), wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
}

func (c *FakeClock) Now() int64  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *FakeClock) Wall() int64 { c.mu.Lock(); defer c.mu.Unlock(); return c.wall }

// Advance moves both clocks forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now += int64(d)
	c.wall += int64(d)
	c.mu.Unlock()
}

// SetWall steps CLOCK_REALTIME alone (clock_settime), as an administrator
// or NTP can.
func (c *FakeClock) SetWall(ns int64) { c.mu.Lock(); c.wall = ns; c.mu.Unlock() }
