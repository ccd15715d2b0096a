package serve

import "testing"

// The adaptive poll's rules (spin.go): halve to the floor on misses, grow
// on hits, and probe with the whole budget at the floor — every probeMin-th
// wait, the gap doubling on failed probes up to probeMax and reset by a
// probe that finds the request, after which the whole budget stays.
func TestSpinBudget(t *testing.T) {
	b := newSpinBudget(1000)
	if n := b.polls(); n != 1000 {
		t.Fatalf("first wait polls %d, want the whole budget", n)
	}
	b.miss()
	if b.cur != 500 {
		t.Fatalf("after a miss: %d, want 500", b.cur)
	}
	b.polls()
	b.hit()
	if b.cur != 1000 {
		t.Fatalf("after a hit: %d, want 1000", b.cur)
	}
	// Misses bring it to the floor and no lower.
	for range 20 {
		b.polls()
		b.miss()
	}
	if b.cur != spinFloor {
		t.Fatalf("after misses: %d, want the floor %d", b.cur, spinFloor)
	}
	// At the floor, every probeMin-th wait is a probe of the whole
	// budget; a failed one doubles the gap and leaves the floor alone.
	gap := probeMin
	for range 4 {
		probes := 0
		for range gap {
			if b.polls() == 1000 {
				probes++
			}
			b.miss()
		}
		if probes != 1 || b.cur != spinFloor {
			t.Fatalf("gap %d: %d probes (want 1), budget %d", gap, probes, b.cur)
		}
		gap *= 2
		if b.probeGap != gap {
			t.Fatalf("after a failed probe the gap is %d, want %d", b.probeGap, gap)
		}
	}
	for b.probeGap < probeMax {
		for b.polls() != 1000 {
			b.miss()
		}
		b.miss()
	}
	for b.polls() != 1000 {
		b.miss()
	}
	b.miss()
	if b.probeGap != probeMax {
		t.Fatalf("gap %d, want it capped at %d", b.probeGap, probeMax)
	}
	// A probe that finds the request restores the whole budget and the
	// shortest gap.
	for b.polls() != 1000 {
		b.miss()
	}
	b.hit()
	if b.cur != 1000 || b.probeGap != probeMin {
		t.Fatalf("after a successful probe: budget %d gap %d", b.cur, b.probeGap)
	}
	// Spinning switched off (max 0) never polls.
	z := newSpinBudget(0)
	for range 100 {
		if n := z.polls(); n != 0 {
			t.Fatalf("spin 0 polled %d", n)
		}
		z.miss()
	}
}
