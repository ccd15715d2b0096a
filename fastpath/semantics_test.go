package fastpath

import (
	"errors"
	"fmt"
	"testing"
)

// Semantics of sending and taking, per layout: what __send_signal_locked()
// and dequeue_signal() in kernel/signal.c do with pending sets and queues.

// TestSendTargets checks that thread- and process-directed signals land in
// the right pending set and are seen by the right threads.
func TestSendTargets(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		t1, t2 := mustThread(t, s, p), mustThread(t, s, p)
		other := mustThread(t, s, mustProcess(t, s))
		if s.Process(t1) != p || s.Process(t2) != p || s.Process(other) == p {
			t.Fatalf("Process: t1→%d t2→%d other→%d, want %d %d ≠%d",
				s.Process(t1), s.Process(t2), s.Process(other), p, p, p)
		}

		mustSendThread(t, s, t1, SIGUSR1, 1)
		mustSendProcess(t, s, p, SIGUSR2, 2)

		for _, c := range []struct {
			name         string
			th           ThreadID
			thread, proc Sigset
		}{
			{"t1", t1, set(SIGUSR1), set(SIGUSR2)},
			{"t2", t2, 0, set(SIGUSR2)},
			{"other process", other, 0, 0},
		} {
			th, pr := s.Pending(c.th)
			if th != c.thread || pr != c.proc {
				t.Errorf("%s: Pending = %#x, %#x; want %#x, %#x", c.name, th, pr, c.thread, c.proc)
			}
		}
	})
}

// TestCoalescing: a standard signal already pending is not queued again
// (legacy_queue()); the first siginfo is the one delivered. Thread and
// process sets are separate, so one of each may be pending.
func TestCoalescing(t *testing.T) {
	for _, sig := range []int{SIGHUP, SIGUSR1, SIGSEGV, SIGKILL, SIGSYS} {
		t.Run(fmt.Sprintf("signal %d", sig), func(t *testing.T) { coalescing(t, sig) })
	}
}

func coalescing(t *testing.T, sig int) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)

		mustSendThread(t, s, th, sig, 1)
		if ok, err := s.SendThread(th, sigInfo(sig, 2)); ok || err != nil {
			t.Fatalf("second SendThread(%d) = %v, %v; want false, nil", sig, ok, err)
		}
		mustSendProcess(t, s, p, sig, 3)
		if ok, err := s.SendProcess(p, sigInfo(sig, 4)); ok || err != nil {
			t.Fatalf("second SendProcess(%d) = %v, %v; want false, nil", sig, ok, err)
		}

		var info Siginfo
		for _, want := range []uint64{1, 3} { // thread's first, then process's
			if got := s.Take(th, 0, &info); got != sig {
				t.Fatalf("Take = %d, want %d", got, sig)
			}
			if info != *sigInfo(sig, want) {
				t.Errorf("Take siginfo = %+v, want the first one sent (value %d)", info, want)
			}
		}
		if got := s.Take(th, 0, &info); got != 0 {
			t.Errorf("Take after both instances = %d, want 0", got)
		}
		// Once taken, the signal queues again with its new siginfo.
		mustSendThread(t, s, th, sig, 5)
		if s.Take(th, 0, &info) != sig || info != *sigInfo(sig, 5) {
			t.Errorf("resend after take: got %+v, want value 5", info)
		}
	})
}

// TestRealtimeQueue: real-time signals queue every instance, delivered
// oldest first, lowest signal number first (signal(7), "Real-time signals").
func TestRealtimeQueue(t *testing.T) {
	eachLayout(t, Config{}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		sends := []struct {
			sig   int
			value uint64
		}{
			{SIGRTMIN + 1, 1}, {SIGRTMAX, 2}, {SIGRTMIN + 1, 3},
			{SIGRTMIN, 4}, {SIGRTMIN + 1, 5}, {SIGRTMAX, 6},
		}
		for _, x := range sends {
			mustSendThread(t, s, th, x.sig, x.value)
		}
		if got := s.QueuedRealtime(p); got != len(sends) {
			t.Errorf("QueuedRealtime = %d, want %d", got, len(sends))
		}
		want := []struct {
			sig     int
			value   uint64
			pending Sigset // thread set after the take
		}{
			{SIGRTMIN, 4, set(SIGRTMIN+1, SIGRTMAX)},
			{SIGRTMIN + 1, 1, set(SIGRTMIN+1, SIGRTMAX)},
			{SIGRTMIN + 1, 3, set(SIGRTMIN+1, SIGRTMAX)},
			{SIGRTMIN + 1, 5, set(SIGRTMAX)},
			{SIGRTMAX, 2, set(SIGRTMAX)},
			{SIGRTMAX, 6, 0},
		}
		var info Siginfo
		for i, w := range want {
			if got := s.Take(th, 0, &info); got != w.sig || info != *sigInfo(w.sig, w.value) {
				t.Fatalf("take %d: %d %+v; want signal %d value %d", i, got, info, w.sig, w.value)
			}
			if pend, _ := s.Pending(th); pend != w.pending {
				t.Errorf("take %d: pending %#x, want %#x", i, pend, w.pending)
			}
			if got := s.QueuedRealtime(p); got != len(want)-i-1 {
				t.Errorf("take %d: QueuedRealtime = %d, want %d", i, got, len(want)-i-1)
			}
		}
	})
}

// TestRTQueueLimit: the limit counts the siginfos of a process and all its
// threads together; past it a real-time send fails with EAGAIN
// (sigqueue(3)) and changes nothing; Take, Flush and FreeThread give room
// back. (account_test.go has the standard signals and the users.)
func TestRTQueueLimit(t *testing.T) {
	const limit = 4
	eachLayout(t, Config{RTQueueLimit: limit}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		t1, t2 := mustThread(t, s, p), mustThread(t, s, p)
		q := mustProcess(t, s)
		s.SetQueueLimit(q, 1000, limit) // another user: another count
		tq := mustThread(t, s, q)

		mustSendThread(t, s, t1, SIGRTMIN, 1)
		mustSendThread(t, s, t1, SIGRTMIN, 2)
		mustSendThread(t, s, t2, SIGRTMIN+3, 3)
		mustSendProcess(t, s, p, SIGRTMIN, 4)
		if got := s.QueuedRealtime(p); got != limit {
			t.Fatalf("QueuedRealtime = %d, want %d", got, limit)
		}
		full := func(when string) {
			t.Helper()
			for _, try := range []struct {
				name string
				send func() (bool, error)
			}{
				{"t1", func() (bool, error) { return s.SendThread(t1, sigInfo(SIGRTMIN+5, 9)) }},
				{"t2", func() (bool, error) { return s.SendThread(t2, sigInfo(SIGRTMIN, 9)) }},
				{"process", func() (bool, error) { return s.SendProcess(p, sigInfo(SIGRTMAX, 9)) }},
			} {
				if ok, err := try.send(); ok || !errors.Is(err, ErrAgain) {
					t.Errorf("%s: send to %s past the limit = %v, %v; want false, ErrAgain", when, try.name, ok, err)
				}
			}
			if got := s.QueuedRealtime(p); got != limit {
				t.Errorf("%s: QueuedRealtime after refused sends = %d, want %d", when, got, limit)
			}
		}
		full("full")

		// Standard signals still pend (without their siginfo, which
		// takes no room), and other users have their own count.
		mustSendThread(t, s, t1, SIGUSR1, 0)
		mustSendProcess(t, s, p, SIGUSR2, 0)
		if got := s.QueuedUser(p); got != limit {
			t.Errorf("QueuedUser after standard sends past the limit = %d, want %d", got, limit)
		}
		mustSendThread(t, s, tq, SIGRTMIN, 0)
		mustSendProcess(t, s, q, SIGRTMIN, 0)
		if got := s.QueuedRealtime(q); got != 2 {
			t.Errorf("other process: QueuedRealtime = %d, want 2", got)
		}

		// Take frees one: t2's own SIGRTMIN+3 comes before the process's
		// lower SIGRTMIN, because the thread's set is read first.
		var info Siginfo
		if got := s.Take(t2, 0, &info); got != SIGRTMIN+3 || info.Value() != 3 {
			t.Fatalf("Take(t2) = %d value %d, want %d value 3", got, info.Value(), SIGRTMIN+3)
		}
		if got := s.QueuedRealtime(p); got != limit-1 {
			t.Fatalf("after Take: QueuedRealtime = %d, want %d", got, limit-1)
		}
		mustSendThread(t, s, t2, SIGRTMIN+3, 5)
		full("refilled after Take")

		// FlushThread frees t1's two.
		s.FlushThread(t1, set(SIGRTMIN))
		if got := s.QueuedRealtime(p); got != limit-2 {
			t.Fatalf("after FlushThread: QueuedRealtime = %d, want %d", got, limit-2)
		}
		mustSendThread(t, s, t1, SIGRTMIN, 6)
		mustSendThread(t, s, t1, SIGRTMIN+1, 7)
		full("refilled after FlushThread")

		// FlushProcess frees the process's one.
		s.FlushProcess(p, RealtimeMask)
		if got := s.QueuedRealtime(p); got != limit-1 {
			t.Fatalf("after FlushProcess: QueuedRealtime = %d, want %d", got, limit-1)
		}
		mustSendProcess(t, s, p, SIGRTMIN, 8)
		full("refilled after FlushProcess")

		// FreeThread discards t1's two.
		s.FreeThread(t1)
		if got := s.QueuedRealtime(p); got != limit-2 {
			t.Errorf("after FreeThread: QueuedRealtime = %d, want %d", got, limit-2)
		}
	})
}

// TestTakeOrder: the thread's own set before the process's (dequeue_signal
// tries &tsk->pending first), and within a set next_signal()'s choice:
// synchronous signals first, then the lowest number.
func TestTakeOrder(t *testing.T) {
	type send struct {
		process bool
		sig     int
	}
	cases := []struct {
		name  string
		sends []send
		mask  Sigset
		want  []int // in take order; masked signals must stay pending
	}{
		{"lowest first", []send{{false, SIGUSR2}, {false, SIGHUP}, {false, SIGUSR1}},
			0, []int{SIGHUP, SIGUSR1, SIGUSR2}},
		{"thread before process", []send{{true, SIGHUP}, {false, SIGUSR1}, {false, SIGINT}},
			0, []int{SIGINT, SIGUSR1, SIGHUP}},
		{"real-time on thread before standard on process", []send{{true, SIGFPE}, {false, SIGRTMAX}},
			0, []int{SIGRTMAX, SIGFPE}},
		{"synchronous first", []send{{false, SIGHUP}, {false, SIGSYS}, {false, SIGTERM}, {false, SIGSEGV}},
			0, []int{SIGSEGV, SIGSYS, SIGHUP, SIGTERM}},
		{"all synchronous", []send{{false, SIGSYS}, {false, SIGSEGV}, {false, SIGFPE}, {false, SIGBUS},
			{false, SIGTRAP}, {false, SIGILL}, {false, SIGHUP}},
			0, []int{SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS, SIGHUP}},
		{"synchronous on process after thread's", []send{{true, SIGSEGV}, {false, SIGTERM}},
			0, []int{SIGTERM, SIGSEGV}},
		{"standard before real-time", []send{{false, SIGRTMIN}, {false, SIGSYS - 1}},
			0, []int{SIGSYS - 1, SIGRTMIN}},
		{"mask skips", []send{{false, SIGINT}, {false, SIGUSR1}, {true, SIGHUP}},
			set(SIGINT, SIGHUP), []int{SIGUSR1}},
		{"masked synchronous does not hide others", []send{{false, SIGSEGV}, {false, SIGHUP}},
			set(SIGSEGV), []int{SIGHUP}},
		{"masked thread set falls through to process", []send{{false, SIGRTMIN}, {true, SIGRTMIN}},
			0, []int{SIGRTMIN, SIGRTMIN}},
		{"everything masked", []send{{false, SIGUSR1}, {true, SIGRTMIN}},
			^Sigset(0), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachLayout(t, Config{}, func(t *testing.T, s State) {
				p := mustProcess(t, s)
				th := mustThread(t, s, p)
				var sent Sigset
				for i, x := range c.sends {
					if x.process {
						mustSendProcess(t, s, p, x.sig, uint64(i))
					} else {
						mustSendThread(t, s, th, x.sig, uint64(i))
					}
					sent |= SigBit(x.sig)
				}
				var info Siginfo
				for i, want := range c.want {
					if got := s.Take(th, c.mask, &info); got != want || int(info.Signo) != want {
						t.Fatalf("take %d = %d (si_signo %d), want %d", i, got, info.Signo, want)
					}
				}
				if got := s.Take(th, c.mask, &info); got != 0 {
					t.Fatalf("extra take = %d, want 0", got)
				}
				// Whatever the mask held back is still pending.
				tp, pp := s.Pending(th)
				if left := tp | pp; left != sent&c.mask {
					t.Errorf("left pending %#x, want the masked %#x", left, sent&c.mask)
				}
			})
		})
	}
}

// TestFlush: flush_sigqueue_mask() on the thread's and the process's sets,
// for standard and real-time signals, leaving the rest in order.
func TestFlush(t *testing.T) {
	for _, process := range []bool{false, true} {
		name := map[bool]string{false: "thread", true: "process"}[process]
		t.Run(name, func(t *testing.T) {
			eachLayout(t, Config{}, func(t *testing.T, s State) {
				p := mustProcess(t, s)
				th := mustThread(t, s, p)
				send := func(sig int, v uint64) {
					if process {
						mustSendProcess(t, s, p, sig, v)
					} else {
						mustSendThread(t, s, th, sig, v)
					}
				}
				flush := func(x Sigset) {
					if process {
						s.FlushProcess(p, x)
					} else {
						s.FlushThread(th, x)
					}
				}
				pending := func() Sigset {
					tp, pp := s.Pending(th)
					if process {
						return pp
					}
					return tp
				}
				// The other set holds a signal of every kind flushed here;
				// flushing one set must not touch it.
				if process {
					mustSendThread(t, s, th, SIGUSR1, 100)
				} else {
					mustSendProcess(t, s, p, SIGUSR1, 100)
				}
				send(SIGUSR1, 1)
				send(SIGUSR2, 2)
				send(SIGRTMIN, 3)
				send(SIGRTMIN+1, 4)
				send(SIGRTMIN, 5)
				flush(set(SIGUSR1, SIGRTMIN, SIGTERM))
				if got, want := pending(), set(SIGUSR2, SIGRTMIN+1); got != want {
					t.Errorf("pending after flush = %#x, want %#x", got, want)
				}
				if got := s.QueuedRealtime(p); got != 1 {
					t.Errorf("QueuedRealtime after flush = %d, want 1", got)
				}
				// A flushed standard signal queues again with its new siginfo.
				send(SIGUSR1, 6)
				var info Siginfo
				for _, w := range []struct {
					sig int
					v   uint64
				}{{SIGUSR1, 100}, {SIGUSR1, 6}, {SIGUSR2, 2}, {SIGRTMIN + 1, 4}} {
					if !process && w.v == 100 {
						continue // the other set's instance comes last
					}
					if got := s.Take(th, 0, &info); got != w.sig || info != *sigInfo(w.sig, w.v) {
						t.Fatalf("take = %d %+v, want %d value %d", got, info, w.sig, w.v)
					}
				}
				if !process {
					if got := s.Take(th, 0, &info); got != SIGUSR1 || info.Value() != 100 {
						t.Fatalf("take of the process's SIGUSR1 = %d value %d", got, info.Value())
					}
				}
				if got := s.Take(th, 0, &info); got != 0 {
					t.Errorf("extra take = %d", got)
				}
				// Flushing everything empties both kinds.
				send(SIGHUP, 7)
				send(SIGRTMAX, 8)
				flush(^Sigset(0))
				if pending() != 0 || s.QueuedRealtime(p) != 0 {
					t.Errorf("after full flush: pending %#x, queued %d", pending(), s.QueuedRealtime(p))
				}
			})
		})
	}
}

// TestRTOverflowByKill: past the limit, a real-time signal sent by kill(2)
// (SI_USER) is not refused but pends without its siginfo; the take that
// finds no queued instance returns collect_signal()'s SI_USER siginfo with
// no sender, and a queued instance, when there is one, comes first.
func TestRTOverflowByKill(t *testing.T) {
	eachLayout(t, Config{RTQueueLimit: 1}, func(t *testing.T, s State) {
		p := mustProcess(t, s)
		th := mustThread(t, s, p)
		mustSendThread(t, s, th, SIGRTMIN, 7) // fills the queue
		kill := &Siginfo{Signo: SIGRTMIN + 1, Code: SI_USER}
		kill.SetSender(4242, 1000)
		if ok, err := s.SendThread(th, kill); !ok || err != nil {
			t.Fatalf("kill past the limit = %v, %v; want pending", ok, err)
		}
		if got := s.QueuedRealtime(p); got != 1 {
			t.Errorf("QueuedRealtime = %d; a lost siginfo takes no queue slot", got)
		}
		if tp, _ := s.Pending(th); tp != SigBit(SIGRTMIN)|SigBit(SIGRTMIN+1) {
			t.Errorf("pending %#x", tp)
		}
		var info Siginfo
		if sig := s.Take(th, 0, &info); sig != SIGRTMIN || info.Value() != 7 {
			t.Fatalf("first take = %d %+v, want the queued SIGRTMIN", sig, info)
		}
		if sig := s.Take(th, 0, &info); sig != SIGRTMIN+1 || info != (Siginfo{Signo: SIGRTMIN + 1, Code: SI_USER}) {
			t.Fatalf("second take = %d %+v, want SIGRTMIN+1 with an empty SI_USER siginfo", sig, info)
		}
		if s.Hot(th).Deliverable() {
			t.Error("still deliverable after both takes")
		}

		// A queued instance and a lost one of the same signal: the take
		// returns the queued siginfo and the signal is no longer pending
		// (collect_signal() clears it when no other instance is queued).
		sq := &Siginfo{Signo: SIGRTMIN + 2, Code: SI_QUEUE}
		sq.SetValue(9)
		if _, err := s.SendThread(th, sq); err != nil {
			t.Fatal(err)
		}
		kill.Signo = SIGRTMIN + 2
		if ok, err := s.SendThread(th, kill); !ok || err != nil {
			t.Fatalf("kill past the limit = %v, %v", ok, err)
		}
		if sig := s.Take(th, 0, &info); sig != SIGRTMIN+2 || info.Value() != 9 {
			t.Fatalf("take = %d %+v, want the queued one", sig, info)
		}
		if tp, _ := s.Pending(th); tp != 0 {
			t.Errorf("pending %#x after the take, want none", tp)
		}
		// sigqueue(3) past the limit is still refused.
		mustSendThread(t, s, th, SIGRTMIN, 1)
		if ok, err := s.SendThread(th, sigInfo(SIGRTMIN+3, 1)); ok || err != ErrAgain {
			t.Errorf("sigqueue past the limit = %v, %v; want false, ErrAgain", ok, err)
		}
	})
}
