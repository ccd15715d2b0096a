package fastpath

import (
	"runtime"
	"sync"
	"testing"
)

// TestConcurrentCheck runs the documented discipline: one writer (the
// emulator, holding its lock — here, the only goroutine that mutates) and
// lock-free readers running Hot.Deliverable, as the shim does after every
// SYSCALL_COMPLETE. The arena is mmap'd memory outside the race
// detector's shadow, so -race watches the handoff around it, not the words
// themselves; what this test checks in any mode is hot.go's ordering
// promise: once the writer
// has published a pending, unblocked signal and told a reader so (a
// happens-before edge, like the shim's futex wake), the reader must see it,
// and once the writer has taken it and said so, the reader must not.
func TestConcurrentCheck(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	const readers = 2
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		target := mustThread(t, s, p)
		peer := mustThread(t, s, p) // shares only the process word
		hot, peerHot := s.Hot(target), s.Hot(peer)

		// The writer only ever uses these; a reader seeing anything else
		// in a deliverable set has read a torn or stale word.
		universe := set(SIGUSR1, SIGUSR2, SIGRTMIN, SIGALRM)

		type phase struct {
			round int
			want  bool // the target's Deliverable, fixed for this phase
		}
		var wg sync.WaitGroup
		phases := make([]chan phase, readers)
		acks := make(chan error, readers)
		for r := range readers {
			phases[r] = make(chan phase)
			wg.Add(1)
			go func(in <-chan phase) {
				defer wg.Done()
				var bad error // reported with the next ack, so the writer never waits on a dead reader
				for {
					// Spin on the check while the writer mutates, as the
					// shim would, until the writer publishes a fixed state.
					var ph phase
					var ok bool
					// The spin is bounded and yields, so that on a small
					// shared machine the readers never starve the writer.
				spin:
					for n := 0; ; n++ {
						if n == 200 {
							ph, ok = <-in
							break
						}
						select {
						case ph, ok = <-in:
							break spin
						default:
						}
						if x := hot.DeliverableSet() | peerHot.DeliverableSet(); x&^universe != 0 && bad == nil {
							bad = errorf("reader saw signals %#x outside %#x", x, universe)
						}
						runtime.Gosched()
					}
					if !ok {
						return
					}
					err := bad
					bad = nil
					if got := hot.Deliverable(); got != ph.want {
						err = errorf("round %d: Deliverable = %v after the writer published %v", ph.round, got, ph.want)
					}
					acks <- err
				}
			}(phases[r])
		}
		publish := func(ph phase) {
			t.Helper()
			for _, c := range phases {
				c <- ph
			}
			for range phases {
				if err := <-acks; err != nil {
					t.Error(err)
				}
			}
		}

		var info Siginfo
		for i := range rounds {
			// Noise the readers race with: signals come and go, masks change.
			mustSendProcess(t, s, p, SIGALRM, uint64(i))
			s.SetBlocked(target, set(SIGALRM, SIGUSR2))
			mustSendThread(t, s, target, SIGUSR2, uint64(i))
			Block(s, peer, set(SIGALRM))
			s.Take(target, 0, &info) // SIGUSR2 or SIGALRM: both blocked, mask is the caller's
			s.FlushThread(target, universe)
			s.FlushProcess(p, universe)

			// Known state 1: a pending, unblocked signal.
			s.SetBlocked(target, set(SIGUSR2))
			if i%2 == 0 {
				mustSendThread(t, s, target, SIGUSR1, uint64(i))
			} else {
				mustSendProcess(t, s, p, SIGRTMIN, uint64(i))
			}
			publish(phase{i, true})

			// Known state 2: taken, nothing deliverable.
			if sig := s.Take(target, s.Blocked(target), &info); sig == 0 || info.Value() != uint64(i) {
				t.Fatalf("round %d: Take = %d value %d", i, sig, info.Value())
			}
			publish(phase{i, false})
			Unblock(s, peer, universe)
		}
		for _, c := range phases {
			close(c)
		}
		wg.Wait()
		close(acks)
		for err := range acks {
			if err != nil {
				t.Error(err)
			}
		}
	})
}
