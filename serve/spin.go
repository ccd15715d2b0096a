package serve

// spinBudget is a channel goroutine's adaptive poll before it sleeps on
// the futex (waitRequest), the mirror of the shim's in channel.c's
// shim_call: the budget doubles, up to the configured spin, when a request
// arrived while polling and halves, down to spinFloor, when none did — so
// a goroutine that would only steal a busy core from the thread it waits
// for stops polling.
//
// A budget at its floor is too short to ever see a request arrive while
// polling, so halving alone is a trap: once both sides had slept, they
// stayed asleep, each wake-up a futex round trip, even with a core idle
// (a forwarded getppid measured 28-34 µs with spinning on and off alike).
// So every probeMin-th wait with less than the whole budget polls the
// whole budget once; a
// probe that finds nothing doubles the gap, up to probeMax, so that on a
// busy machine probing costs one full spin in probeMax waits.
type spinBudget struct {
	max, cur  int
	waits     int // since the last probe
	probeGap  int
	probeThis bool
}

const (
	spinFloor = 64
	probeMin  = 32
	probeMax  = 1024
)

func newSpinBudget(max int) spinBudget {
	return spinBudget{max: max, cur: max, probeGap: probeMin}
}

// polls is how many times to poll before this wait sleeps.
func (b *spinBudget) polls() int {
	b.probeThis = false
	if b.cur < b.max {
		if b.waits++; b.waits >= b.probeGap {
			b.waits, b.probeThis = 0, true
			return b.max
		}
	}
	return b.cur
}

// hit records that the request came while polling.
func (b *spinBudget) hit() {
	b.cur = min(b.max, 2*max(b.cur, 1))
	if b.probeThis {
		// The whole budget found it: poll that long again.
		b.cur, b.probeGap = b.max, probeMin
	}
}

// miss records that it did not: the wait sleeps.
func (b *spinBudget) miss() {
	if b.probeThis {
		b.probeGap = min(probeMax, 2*b.probeGap)
		return
	}
	if b.cur /= 2; b.cur < spinFloor && b.max > 0 {
		b.cur = min(spinFloor, b.max)
	}
}
