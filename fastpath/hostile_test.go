package fastpath

import (
	"math/rand/v2"
	"testing"
)

// The managed process can write anything into the arena (it is mapped in
// its address space). DESIGN.md: "the emulator treats everything the
// managed process can write as untrusted input". These tests scribble over
// every thread and process record — pending words, masks, siginfo slots,
// stacks, the flat layout's action tables — through a second mapping of the
// memfd, and check that the State neither panics nor lets a forgery change
// what it decides: which signals are pending, which are taken, what
// coalesces, what queues, and that nothing can block SIGKILL or SIGSTOP.

// scribble fills the arena with random bytes.
func scribble(r *rand.Rand, mem []byte) {
	for i := 0; i+8 <= len(mem); i += 8 {
		v := r.Uint64()
		for j := range 8 {
			mem[i+j] = byte(v >> (8 * j))
		}
	}
}

// TestHostileArena: a fixed scenario, spelled out.
func TestHostileArena(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	eachLayout(t, Config{MaxThreads: 8, MaxProcesses: 4, RTQueueLimit: 6}, func(t *testing.T, s State) {
		mem := mapArena(t, s)
		p := mustProcess(t, s)
		t1, t2 := mustThread(t, s, p), mustThread(t, s, p)
		mustSendThread(t, s, t1, SIGUSR1, 1)
		mustSendThread(t, s, t1, SIGRTMIN, 2)
		mustSendProcess(t, s, p, SIGSEGV, 3)
		mustSendProcess(t, s, p, SIGRTMIN+1, 4)
		s.SetBlocked(t1, set(SIGINT))

		scribble(r, mem)

		// Private state is untouched by the forgery.
		if tp, pp := s.Pending(t1); tp != set(SIGUSR1, SIGRTMIN) || pp != set(SIGSEGV, SIGRTMIN+1) {
			t.Errorf("Pending after scribble = %#x, %#x", tp, pp)
		}
		if s.Process(t1) != p || s.Process(t2) != p {
			t.Errorf("Process after scribble: %d, %d; want %d", s.Process(t1), s.Process(t2), p)
		}
		for _, th := range []ThreadID{t1, t2} {
			if b := s.Blocked(th); b&Unblockable != 0 {
				t.Errorf("Blocked(%d) = %#x after scribble: SIGKILL/SIGSTOP blocked", th, b)
			}
			_ = s.Hot(th).Deliverable() // must not panic; its answer is the process's own business
			_ = s.AltStack(th)
		}
		for sig := 1; sig <= NSIG; sig++ {
			_ = s.Action(p, sig)
		}

		// Coalescing and queueing follow the private sets, not the forged
		// words: SIGUSR1 is pending (coalesced) even if the word says not,
		// SIGUSR2 is not (queued) even if the word says so.
		scribble(r, mem)
		if ok, err := s.SendThread(t1, sigInfo(SIGUSR1, 9)); ok || err != nil {
			t.Errorf("pending SIGUSR1 resend = %v, %v; want coalesced", ok, err)
		}
		s.SetBlocked(t1, ^Sigset(0)) // the word is ours again ...
		scribble(r, mem)             // ... and forged again
		if ok, err := s.SendThread(t1, sigInfo(SIGUSR2, 5)); !ok || err != nil {
			t.Errorf("SIGUSR2 send = %v, %v; want queued", ok, err)
		}
		mustSendThread(t, s, t2, SIGRTMIN, 6)
		if ok, err := s.SendThread(t2, sigInfo(SIGRTMIN, 7)); ok || err == nil {
			t.Errorf("seventh siginfo (real-time) with limit 6 = %v, %v; want ErrAgain", ok, err)
		}

		// Take hands out exactly what was sent, with the right numbers;
		// real-time siginfos are private and come back whole.
		want := []struct {
			th    ThreadID
			sig   int
			value uint64
		}{
			{t1, SIGUSR1, 1}, {t1, SIGUSR2, 5}, {t1, SIGRTMIN, 2},
			{t1, SIGSEGV, 3}, {t1, SIGRTMIN + 1, 4}, {t2, SIGRTMIN, 6},
		}
		for _, w := range want {
			scribble(r, mem)
			var info Siginfo
			got := s.Take(w.th, 0, &info)
			if got != w.sig || int(info.Signo) != w.sig {
				t.Fatalf("Take(%d) = %d (si_signo %d), want %d", w.th, got, info.Signo, w.sig)
			}
			if IsRealtime(got) && info != *sigInfo(w.sig, w.value) {
				t.Errorf("Take(%d) real-time siginfo %+v, want value %d", w.th, info, w.value)
			}
		}
		for _, th := range []ThreadID{t1, t2} {
			scribble(r, mem)
			var info Siginfo
			if got := s.Take(th, 0, &info); got != 0 {
				t.Errorf("Take(%d) after all were taken = %d (forged pending word?)", th, got)
			}
		}
		if n := s.QueuedRealtime(p); n != 0 {
			t.Errorf("QueuedRealtime = %d after all were taken", n)
		}

		// Slots freed and taken again come back clean in a scribbled arena.
		s.FreeThread(t1)
		scribble(r, mem)
		t3 := mustThread(t, s, p)
		if b, st := s.Blocked(t3), s.AltStack(t3); b != 0 || st != DisabledStack {
			t.Errorf("new thread in a scribbled arena: Blocked %#x, AltStack %+v", b, st)
		}
		q := mustProcess(t, s)
		for sig := 1; sig <= NSIG; sig++ {
			if a := s.Action(q, sig); a != (Sigaction{}) {
				t.Fatalf("new process in a scribbled arena: Action(%d) = %+v", sig, a)
			}
		}
	})
}

// TestHostileDifferential runs random operation sequences (diff_test.go)
// against the reference model while scribbling over the arena between
// steps — all of it, a few words, or nothing — and compares everything the
// emulator keeps private.
func TestHostileDifferential(t *testing.T) {
	runs := 20
	if testing.Short() {
		runs = 4
	}
	for seed := range uint64(runs) {
		r := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
		d := newDiffRun(t)
		d.hostile = true
		var maps [][]byte
		for _, s := range d.states {
			maps = append(maps, mapArena(t, s))
		}
		d.between = func() {
			for _, mem := range maps {
				switch r.IntN(4) {
				case 0:
					scribble(r, mem)
				case 1, 2:
					for range 16 {
						off := r.IntN(len(mem)/8) * 8
						for j := range 8 {
							mem[off+j] = byte(r.Uint32())
						}
					}
				}
			}
		}
		d.run(randBytes{r}, 400)
	}
}

// randBytes is an endless byteSource from a seeded generator.
type randBytes struct{ r *rand.Rand }

func (b randBytes) next() byte { return byte(b.r.Uint32()) }
func (b randBytes) done() bool { return false }
