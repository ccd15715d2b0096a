package fastpath

import (
	"errors"
	"testing"
)

// TestQueueAccount: the rules of __sigqueue_alloc and __send_signal_locked
// at the limit (account.go), on every layout: which sends keep their
// siginfo, which pend without one, which fail; the count is per user,
// across processes, and moves with a process that changes user.
func TestQueueAccount(t *testing.T) {
	eachLayout(t, Config{RTQueueLimit: 8}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		s.SetQueueLimit(p, 1000, 0)

		send := func(sig int, code int32) (bool, error) {
			info := &Siginfo{Signo: int32(sig), Code: code}
			info.SetSender(77, 1000)
			info.SetValue(5)
			return s.SendThread(th, info)
		}
		take := func(sig int) Siginfo {
			t.Helper()
			var info Siginfo
			if got := s.Take(th, ^SigBit(sig), &info); got != sig {
				t.Fatalf("Take = %d, want %d", got, sig)
			}
			return info
		}
		lost := func(sig int) Siginfo { return Siginfo{Signo: int32(sig), Code: SI_USER} }

		// Limit 0.
		if ok, err := send(SIGRTMIN, SI_QUEUE); ok || !errors.Is(err, ErrAgain) {
			t.Errorf("sigqueue(SIGRTMIN) at limit 0 = %v, %v; want ErrAgain", ok, err)
		}
		if ok, err := send(SIGRTMIN, SI_TKILL); ok || !errors.Is(err, ErrAgain) {
			t.Errorf("tgkill(SIGRTMIN) at limit 0 = %v, %v; want ErrAgain", ok, err)
		}
		for _, c := range []struct {
			name string
			sig  int
			code int32
			kept bool
		}{
			{"kill(SIGRTMIN)", SIGRTMIN, SI_USER, false},
			{"sigqueue(SIGUSR1)", SIGUSR1, SI_QUEUE, false},
			{"tgkill(SIGUSR1)", SIGUSR1, SI_TKILL, false},
			{"kill(SIGUSR1)", SIGUSR1, SI_USER, true},
			{"kernel SIGUSR1", SIGUSR1, SI_KERNEL, true},
			{"timer SIGUSR1", SIGUSR1, SI_TIMER, true},
		} {
			if ok, err := send(c.sig, c.code); !ok || err != nil {
				t.Fatalf("%s at limit 0 = %v, %v; want pending", c.name, ok, err)
			}
			wantQueued := 0
			if c.kept {
				wantQueued = 1
			}
			if got := s.QueuedUser(p); got != wantQueued {
				t.Errorf("%s: QueuedUser = %d, want %d", c.name, got, wantQueued)
			}
			got := take(c.sig)
			if c.kept && (got.Code != c.code || got.Pid() != 77 || got.Value() != 5) {
				t.Errorf("%s: took %+v, want its own siginfo", c.name, got)
			}
			if !c.kept && got != lost(c.sig) {
				t.Errorf("%s: took %+v, want the made-up SI_USER one", c.name, got)
			}
			if n := s.QueuedUser(p); n != 0 {
				t.Errorf("%s: QueuedUser after the take = %d", c.name, n)
			}
		}

		// Limit 2, counted over two processes of one user, standard
		// signals included; a third process of another user is apart.
		q := mustProcess(t, s)
		tq := mustThread(t, s, q)
		r := mustProcess(t, s)
		s.SetQueueLimit(p, 1000, 2)
		s.SetQueueLimit(q, 1000, 2)
		s.SetQueueLimit(r, 2000, 2)
		mustSendThread(t, s, th, SIGUSR2, 1) // SI_QUEUE, under the limit: kept
		mustSendThread(t, s, tq, SIGRTMIN, 2)
		if got := s.QueuedUser(p); got != 2 || s.QueuedUser(q) != 2 || s.QueuedUser(r) != 0 {
			t.Errorf("QueuedUser p, q, r = %d, %d, %d; want 2, 2, 0", got, s.QueuedUser(q), s.QueuedUser(r))
		}
		if ok, err := send(SIGRTMIN+1, SI_QUEUE); ok || !errors.Is(err, ErrAgain) {
			t.Errorf("third siginfo of the user = %v, %v; want ErrAgain", ok, err)
		}
		mustSendProcess(t, s, r, SIGRTMIN, 3)
		if info := take(SIGUSR2); info.Value() != 1 {
			t.Errorf("SIGUSR2 queued under the limit lost its siginfo: %+v", info)
		}
		if ok, err := send(SIGRTMIN+1, SI_QUEUE); !ok || err != nil {
			t.Errorf("after a take made room = %v, %v; want queued", ok, err)
		}

		// Moving q to user 2000 takes its one siginfo along.
		s.SetQueueLimit(q, 2000, 2)
		if s.QueuedUser(p) != 1 || s.QueuedUser(r) != 2 {
			t.Errorf("after the move QueuedUser p, r = %d, %d; want 1, 2", s.QueuedUser(p), s.QueuedUser(r))
		}
		// Flush and free give it back.
		s.FlushThread(th, ^Sigset(0))
		s.FreeThread(tq)
		if s.QueuedUser(p) != 0 || s.QueuedUser(r) != 1 {
			t.Errorf("after flush and free QueuedUser p, r = %d, %d; want 0, 1", s.QueuedUser(p), s.QueuedUser(r))
		}

		// The cap: a limit past RTQueueLimit is RTQueueLimit, a negative 0.
		s.SetQueueLimit(p, 1000, 1<<30)
		for i := range 8 {
			if ok, err := send(SIGRTMIN, SI_QUEUE); !ok || err != nil {
				t.Fatalf("send %d under the cap = %v, %v", i, ok, err)
			}
		}
		if _, err := send(SIGRTMIN, SI_QUEUE); !errors.Is(err, ErrAgain) {
			t.Errorf("send past the cap = %v; want ErrAgain", err)
		}
		s.FlushThread(th, ^Sigset(0))
		s.SetQueueLimit(p, 1000, -5)
		if _, err := send(SIGRTMIN, SI_QUEUE); !errors.Is(err, ErrAgain) {
			t.Errorf("send with a negative limit = %v; want ErrAgain", err)
		}
	})
}

// TestQueueAccountAllocs: sends past the limit, pended without a siginfo,
// allocate nothing either.
func TestQueueAccountAllocs(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		s.SetQueueLimit(p, 0, 0)
		in, out := &Siginfo{Signo: SIGUSR1, Code: SI_QUEUE}, new(Siginfo)
		cycle := func() {
			if ok, err := s.SendThread(th, in); !ok || err != nil {
				panic("send failed")
			}
			if s.Take(th, 0, out) != SIGUSR1 {
				panic("take failed")
			}
		}
		if n := testing.AllocsPerRun(1000, cycle); n != 0 {
			t.Errorf("send+take past the limit: %v allocs/op, want 0", n)
		}
	})
}
