package fastpath

import (
	"fmt"
	"testing"
)

// TestZeroAllocs: the check never allocates (DESIGN.md, "Zero allocations on
// the fast path"), and a steady stream of sends and takes reuses freed
// queue nodes instead of allocating.
func TestZeroAllocs(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		mustSendProcess(t, s, p, SIGUSR1, 1)
		h := s.Hot(th)
		var sink bool
		if n := testing.AllocsPerRun(1000, func() { sink = h.Deliverable() != sink }); n != 0 {
			t.Errorf("Hot.Deliverable: %v allocs/op, want 0", n)
		}
		var sinkSet Sigset
		if n := testing.AllocsPerRun(1000, func() { sinkSet ^= h.DeliverableSet() }); n != 0 {
			t.Errorf("Hot.DeliverableSet: %v allocs/op, want 0", n)
		}

		for _, sig := range []int{SIGUSR2, SIGRTMIN + 2} {
			in, out := sigInfo(sig, 7), new(Siginfo)
			cycle := func() {
				if ok, err := s.SendThread(th, in); !ok || err != nil {
					panic(fmt.Sprintf("SendThread(%d) = %v, %v", sig, ok, err))
				}
				if got := s.Take(th, set(SIGUSR1), out); got != sig {
					panic(fmt.Sprintf("Take = %d, want %d", got, sig))
				}
			}
			for range 100 { // warm-up: the node slab reaches its size
				cycle()
			}
			if n := testing.AllocsPerRun(1000, cycle); n != 0 {
				t.Errorf("SendThread+Take of signal %d: %v allocs/op, want 0", sig, n)
			}
			if *out != *in {
				t.Errorf("signal %d: took %+v, sent %+v", sig, *out, *in)
			}
		}
	})
}
