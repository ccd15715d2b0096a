package fastpath

import (
	"errors"
	"testing"
)

// Slots and per-slot state: NewThread/NewProcess hand out clean slots
// whatever the previous owner left behind, sigaltstack(2) and
// sigaction(2) state round-trips, and the arena's capacity is enforced.

// TestAltStack: a new thread's alternate stack is disabled (sigaltstack(2):
// "SS_DISABLE ... the alternate signal stack is disabled"); what is set is
// read back unchanged, per thread.
func TestAltStack(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		t1, t2 := mustThread(t, s, p), mustThread(t, s, p)
		if got := s.AltStack(t1); got != DisabledStack || got.Flags != SS_DISABLE {
			t.Fatalf("default AltStack = %+v, want SS_DISABLE", got)
		}
		for _, st := range []Stack{
			{SP: 0x7f00_0000_0000, Size: 64 << 10},
			// SS_AUTODISARM is 1<<31, which does not fit the int32 Flags as
			// an untyped constant; the bit pattern is what matters.
			{SP: 0x1000, Flags: -1 << 31, Size: 8192},
			{SP: ^uint64(0), Flags: SS_ONSTACK, Size: ^uint64(0)},
			DisabledStack,
		} {
			s.SetAltStack(t1, st)
			if got := s.AltStack(t1); got != st {
				t.Errorf("AltStack after SetAltStack(%+v) = %+v", st, got)
			}
			if got := s.AltStack(t2); got != DisabledStack {
				t.Errorf("other thread's AltStack changed to %+v", got)
			}
		}
	})
}

// TestActions: every action starts SIG_DFL, a set action reads back, and
// actions belong to one process.
func TestActions(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p, q := mustProcess(t, s), mustProcess(t, s)
		for sig := 1; sig <= NSIG; sig++ {
			if a := s.Action(p, sig); a != (Sigaction{}) || a.Handler != SIG_DFL {
				t.Fatalf("default Action(%d) = %+v, want SIG_DFL", sig, a)
			}
		}
		acts := map[int]Sigaction{
			1:        {Handler: SIG_IGN},
			SIGINT:   {Handler: 0x401000, Flags: SA_SIGINFO | SA_RESTORER | SA_RESTART, Restorer: 0x402000, Mask: set(SIGTERM)},
			SIGSEGV:  {Handler: 0x403000, Flags: SA_ONSTACK | SA_NODEFER | SA_RESETHAND, Mask: ^Sigset(0)},
			SIGRTMAX: {Handler: ^uint64(0), Flags: ^uint64(0), Restorer: ^uint64(0), Mask: ^Sigset(0)},
		}
		for sig, a := range acts {
			s.SetAction(p, sig, a)
		}
		for sig := 1; sig <= NSIG; sig++ {
			if got := s.Action(p, sig); got != acts[sig] {
				t.Errorf("Action(p, %d) = %+v, want %+v", sig, got, acts[sig])
			}
			if got := s.Action(q, sig); got != (Sigaction{}) {
				t.Errorf("other process: Action(%d) = %+v, want SIG_DFL", sig, got)
			}
		}
	})
}

// TestSlotReuse dirties every part of a thread and a process, frees them
// and takes the same slots again: nothing may survive. With one slot of
// each, reuse is forced.
func TestSlotReuse(t *testing.T) {
	eachLayout(t, Config{MaxThreads: 1, MaxProcesses: 1}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		if _, err := s.NewThread(p); !errors.Is(err, ErrFull) {
			t.Errorf("second NewThread: err = %v, want ErrFull", err)
		}
		if _, err := s.NewProcess(); !errors.Is(err, ErrFull) {
			t.Errorf("second NewProcess: err = %v, want ErrFull", err)
		}

		for _, sig := range []int{SIGHUP, SIGUSR1, SIGSEGV, SIGRTMIN, SIGRTMAX} {
			mustSendThread(t, s, th, sig, 1)
			mustSendProcess(t, s, p, sig, 2)
		}
		mustSendThread(t, s, th, SIGRTMIN, 3)
		s.SetBlocked(th, ^Sigset(0))
		s.SetAltStack(th, Stack{SP: 0x1000, Size: 4096})
		for sig := 1; sig <= NSIG; sig++ {
			s.SetAction(p, sig, Sigaction{Handler: uint64(sig), Flags: SA_SIGINFO, Mask: ^Sigset(0)})
		}
		s.FreeThread(th)
		if got := s.QueuedRealtime(p); got != 2 {
			t.Errorf("after FreeThread: QueuedRealtime = %d, want the process's 2", got)
		}
		s.FreeProcess(p)

		p2 := mustProcess(t, s)
		th2 := mustThread(t, s, p2)
		if p2 != p || th2 != th {
			t.Fatalf("slots not reused: got %d/%d, had %d/%d", p2, th2, p, th)
		}
		tp, pp := s.Pending(th2)
		if tp != 0 || pp != 0 || s.QueuedRealtime(p2) != 0 {
			t.Errorf("reused slots: pending %#x/%#x, queued %d; want nothing", tp, pp, s.QueuedRealtime(p2))
		}
		if b := s.Blocked(th2); b != 0 {
			t.Errorf("reused thread: Blocked = %#x, want 0", b)
		}
		if st := s.AltStack(th2); st != DisabledStack {
			t.Errorf("reused thread: AltStack = %+v, want disabled", st)
		}
		for sig := 1; sig <= NSIG; sig++ {
			if a := s.Action(p2, sig); a != (Sigaction{}) {
				t.Fatalf("reused process: Action(%d) = %+v, want SIG_DFL", sig, a)
			}
		}
		h := s.Hot(th2)
		if h.Deliverable() {
			t.Errorf("reused thread: Deliverable, set %#x", h.DeliverableSet())
		}
		var info Siginfo
		if got := s.Take(th2, 0, &info); got != 0 {
			t.Errorf("reused thread: Take = %d, want 0", got)
		}
		// Sends work normally again: no stale instance coalesces them.
		mustSendThread(t, s, th2, SIGUSR1, 4)
		if s.Take(th2, 0, &info) != SIGUSR1 || info != *sigInfo(SIGUSR1, 4) {
			t.Errorf("reused thread: took %+v, want the new SIGUSR1", info)
		}
	})
}

// TestErrFull fills every slot of a small arena and frees some back.
func TestErrFull(t *testing.T) {
	const nt, np = 5, 3
	eachLayout(t, Config{MaxThreads: nt, MaxProcesses: np}, func(t *testing.T, s State) {
		seenP := map[ProcID]bool{}
		for i := 0; i < np; i++ {
			p := mustProcess(t, s)
			if seenP[p] || p < 0 || p >= np {
				t.Fatalf("NewProcess returned %d twice or out of range", p)
			}
			seenP[p] = true
		}
		if _, err := s.NewProcess(); !errors.Is(err, ErrFull) {
			t.Fatalf("NewProcess past %d: err = %v, want ErrFull", np, err)
		}
		seenT := map[ThreadID]bool{}
		for i := 0; i < nt; i++ {
			th := mustThread(t, s, ProcID(i%np))
			if seenT[th] || th < 0 || th >= nt {
				t.Fatalf("NewThread returned %d twice or out of range", th)
			}
			seenT[th] = true
		}
		if _, err := s.NewThread(0); !errors.Is(err, ErrFull) {
			t.Fatalf("NewThread past %d: err = %v, want ErrFull", nt, err)
		}
		s.FreeThread(2)
		if th, err := s.NewThread(1); err != nil || th != 2 {
			t.Errorf("NewThread after freeing 2 = %d, %v; want 2", th, err)
		}
	})
}

func TestConfigCaps(t *testing.T) {
	for _, cfg := range []Config{{MaxThreads: MaxConfigThreads + 1}, {MaxProcesses: MaxConfigProcesses + 1}} {
		for _, l := range Layouts() {
			if s, err := New(l, cfg); err == nil {
				s.Close()
				t.Errorf("New(%q, %+v) succeeded past the caps", l, cfg)
			}
		}
	}
}
