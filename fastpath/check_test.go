package fastpath

import (
	"fmt"
	"testing"
)

// The check and the mask: Hot.Deliverable is (thread|process) &^ blocked
// (signal(7), "Signal mask and pending signals"), and no mask holds back
// SIGKILL or SIGSTOP (sigprocmask(2)).

// TestDeliverable covers every combination of thread-pending,
// process-pending and blocked, with a bystander thread of the same process
// that must see the process's signal but not the thread's.
func TestDeliverable(t *testing.T) {
	const sig = SIGUSR1
	for _, c := range []struct {
		thread, process, blocked bool
	}{
		{false, false, false}, {false, false, true},
		{true, false, false}, {true, false, true},
		{false, true, false}, {false, true, true},
		{true, true, false}, {true, true, true},
	} {
		name := fmt.Sprintf("thread=%v process=%v blocked=%v", c.thread, c.process, c.blocked)
		t.Run(name, func(t *testing.T) {
			eachLayout(t, Config{}, func(t *testing.T, s State) {
				p := mustProcess(t, s)
				th, by := mustThread(t, s, p), mustThread(t, s, p)
				if c.thread {
					mustSendThread(t, s, th, sig, 1)
				}
				if c.process {
					mustSendProcess(t, s, p, sig, 2)
				}
				if c.blocked {
					s.SetBlocked(th, set(sig))
				}
				want := (c.thread || c.process) && !c.blocked
				h := s.Hot(th)
				if !h.Valid() {
					t.Fatal("Hot of a live thread is not Valid")
				}
				if got := h.Deliverable(); got != want {
					t.Errorf("%+v: Deliverable = %v, want %v", c, got, want)
				}
				wantSet := Sigset(0)
				if want {
					wantSet = set(sig)
				}
				if got := h.DeliverableSet(); got != wantSet {
					t.Errorf("%+v: DeliverableSet = %#x, want %#x", c, got, wantSet)
				}
				if got := s.Hot(by).Deliverable(); got != c.process {
					t.Errorf("%+v: bystander Deliverable = %v, want %v", c, got, c.process)
				}
			})
		})
	}
	if (Hot{}).Valid() {
		t.Error("zero Hot is Valid")
	}
}

// TestDeliverableSetMixed: the set is the union of both pending sets minus
// the mask, and follows sends, takes, blocks and unblocks.
func TestDeliverableSetMixed(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		h := s.Hot(th)
		check := func(step string) {
			t.Helper()
			tp, pp := s.Pending(th)
			want := (tp | pp) &^ s.Blocked(th)
			if got := h.DeliverableSet(); got != want {
				t.Errorf("%s: DeliverableSet = %#x, want %#x", step, got, want)
			}
			if got := h.Deliverable(); got != (want != 0) {
				t.Errorf("%s: Deliverable = %v with set %#x", step, got, want)
			}
		}
		check("empty")
		mustSendThread(t, s, th, SIGUSR1, 1)
		s.SetBlocked(th, set(SIGUSR1))
		check("thread's blocked")
		mustSendProcess(t, s, p, SIGRTMIN, 2)
		check("process's real-time unblocked")
		Block(s, th, set(SIGRTMIN))
		check("both blocked")
		if h.Deliverable() {
			t.Error("Deliverable with everything pending blocked")
		}
		Unblock(s, th, set(SIGUSR1))
		check("thread's unblocked")
		var info Siginfo
		s.Take(th, s.Blocked(th), &info)
		check("after take")
		s.SetBlocked(th, 0)
		check("unblocked all")
		s.Take(th, 0, &info)
		check("after last take")
		if h.Deliverable() {
			t.Error("Deliverable after everything was taken")
		}
	})
}

// TestUnblockable: SetBlocked, Block and Unblock never hold back SIGKILL
// or SIGSTOP, so a pending SIGKILL is always deliverable.
func TestUnblockable(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		for _, c := range []struct {
			name string
			do   func()
			want Sigset
		}{
			{"SetBlocked(all)", func() { s.SetBlocked(th, ^Sigset(0)) }, ^Unblockable},
			{"SetBlocked(KILL|STOP)", func() { s.SetBlocked(th, Unblockable) }, 0},
			{"Block(KILL|STOP|INT)", func() { Block(s, th, Unblockable|set(SIGINT)) }, set(SIGINT)},
			{"Block(all)", func() { Block(s, th, ^Sigset(0)) }, ^Unblockable},
			{"Unblock(INT)", func() { Unblock(s, th, set(SIGINT)) }, ^Unblockable &^ set(SIGINT)},
			{"Unblock(all)", func() { Unblock(s, th, ^Sigset(0)) }, 0},
		} {
			c.do()
			if got := s.Blocked(th); got != c.want {
				t.Errorf("%s: Blocked = %#x, want %#x", c.name, got, c.want)
			}
		}
		s.SetBlocked(th, ^Sigset(0))
		mustSendThread(t, s, th, SIGTERM, 0)
		if s.Hot(th).Deliverable() {
			t.Error("blocked SIGTERM deliverable")
		}
		mustSendProcess(t, s, p, SIGKILL, 0)
		mustSendThread(t, s, th, SIGSTOP, 0)
		if got := s.Hot(th).DeliverableSet(); got != Unblockable {
			t.Errorf("DeliverableSet with all blocked = %#x, want SIGKILL|SIGSTOP", got)
		}
	})
}
