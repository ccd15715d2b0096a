package sched

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// sendHow is one way a program sends a signal to its own process, with
// the si_code the kernel's siginfo carries.
type sendHow int

const (
	byKill     sendHow = iota // kill(2): SI_USER
	bySigqueue                // rt_sigqueueinfo(2), sigqueue(3): SI_QUEUE
	byTgkill                  // tgkill(2): SI_TKILL
)

func (h sendHow) String() string { return [...]string{"kill", "sigqueue", "tgkill"}[h] }

// rlimitSend sends sig to th's process (th itself for tgkill) from th.
func (v *env) rlimitSend(th *Thread, mem *fakeMem, how sendHow, sig int, val uint64) Result {
	pid := uint64(th.Process().Pid)
	switch how {
	case bySigqueue:
		a := mem.alloc(128)
		mem.put(a, siginfoBytes(0, fastpath.SI_QUEUE, 0, val))
		return v.sys(th, unix.SYS_RT_SIGQUEUEINFO, pid, uint64(sig), a)
	case byTgkill:
		return v.sys(th, unix.SYS_TGKILL, pid, uint64(th.Tid), uint64(sig))
	}
	return v.sys(th, unix.SYS_KILL, pid, uint64(sig))
}

// take dequeues sig for th, failing the test if it is not pending.
func (v *env) take(th *Thread, sig int) fastpath.Siginfo {
	v.t.Helper()
	var info fastpath.Siginfo
	v.e.mu.Lock()
	got := v.e.st.Take(th.slot, ^fastpath.SigBit(sig), &info)
	v.e.mu.Unlock()
	if got != sig {
		v.t.Fatalf("take: got signal %d, want %d", got, sig)
	}
	return info
}

func (v *env) queuedUser(p *Process) int {
	v.e.mu.Lock()
	defer v.e.mu.Unlock()
	return v.e.st.QueuedUser(p.slot)
}

// TestSigpendingLimit: the rules of __send_signal_locked at
// RLIMIT_SIGPENDING, as rt_limit.c checks them natively, with the limit at
// 0 and with the limit reached by N queued siginfos.
func TestSigpendingLimit(t *testing.T) {
	const (
		rtmin = fastpath.SIGRTMIN
		usr1  = fastpath.SIGUSR1
	)
	// What a send past the limit does: fail with EAGAIN, pend without its
	// siginfo (taken as SI_USER, no sender), or keep its siginfo.
	type outcome int
	const (
		again outcome = iota
		lost
		kept
	)
	rules := []struct {
		how  sendHow
		sig  int
		want outcome
	}{
		{bySigqueue, rtmin, again},
		{byTgkill, rtmin, again},
		{byKill, rtmin, lost},
		{bySigqueue, usr1, lost},
		{byTgkill, usr1, lost},
		{byKill, usr1, kept},
	}
	for _, limit := range []int{0, 3} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			forLayouts(t, func(t *testing.T, v *env) {
				p, th, mem := v.proc(100, 0)
				v.setmask(th, mem, sigBlock, ^fastpath.Sigset(0))
				v.e.SetSigpendingLimit(p, uint64(limit))
				// Fill the user's count to the limit with SIGRTMIN+5s.
				for i := range limit {
					v.ok(v.rlimitSend(th, mem, bySigqueue, rtmin+5, uint64(i)), 0)
				}
				v.errno(v.rlimitSend(th, mem, bySigqueue, rtmin+5, 99), unix.EAGAIN)
				for _, r := range rules {
					res := v.rlimitSend(th, mem, r.how, r.sig, 7)
					if r.want == again {
						if res.Kind != Done || res.Ret != -int64(unix.EAGAIN) {
							t.Errorf("limit %d, %v(%d): %+v, want EAGAIN", limit, r.how, r.sig, res)
						}
						if tp, pp := v.pending(th); (tp | pp).Has(r.sig) {
							t.Errorf("limit %d, %v(%d): pending after EAGAIN", limit, r.how, r.sig)
						}
						continue
					}
					v.ok(res, 0)
					wantCount := limit
					if r.want == kept {
						wantCount++ // kill(2) of a standard signal overrides the limit
					}
					if n := v.queuedUser(p); n != wantCount {
						t.Errorf("limit %d, %v(%d): user's count %d, want %d", limit, r.how, r.sig, n, wantCount)
					}
					info := v.take(th, r.sig)
					switch r.want {
					case lost:
						if info != (fastpath.Siginfo{Signo: int32(r.sig), Code: fastpath.SI_USER}) {
							t.Errorf("limit %d, %v(%d): took %+v, want SI_USER with si_pid 0, si_uid 0", limit, r.how, r.sig, info)
						}
					case kept:
						if info.Code != fastpath.SI_USER || info.Pid() != 100 || info.Uid() != 1000 {
							t.Errorf("limit %d, %v(%d): took %+v, want its own siginfo", limit, r.how, r.sig, info)
						}
					}
				}
				// The queued ones are intact and give their room back.
				for i := range limit {
					if info := v.take(th, rtmin+5); info.Value() != uint64(i) {
						t.Errorf("limit %d: queued SIGRTMIN+5 %d came back with value %d", limit, i, info.Value())
					}
				}
				if n := v.queuedUser(p); n != 0 {
					t.Errorf("limit %d: user's count %d after the takes", limit, n)
				}
				if limit == 0 {
					v.errno(v.rlimitSend(th, mem, bySigqueue, rtmin, 1), unix.EAGAIN)
				} else {
					v.ok(v.rlimitSend(th, mem, bySigqueue, rtmin, 1), 0)
				}
			})
		})
	}
}

// TestSigpendingPerUser: the count is the user's, over every process of
// that real uid, each checked against its own limit; another uid has its
// own count; a fork child inherits its parent's limit.
func TestSigpendingPerUser(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		a, ta, ma := v.proc(100, 0)
		b, tb, mb := v.proc(200, 0)
		c, tc, mc := v.proc(300, 0)
		v.e.SetCred(c, Cred{Uid: 2000, Euid: 2000, Suid: 2000})
		for _, x := range []struct {
			th  *Thread
			mem *fakeMem
		}{{ta, ma}, {tb, mb}, {tc, mc}} {
			v.setmask(x.th, x.mem, sigBlock, ^fastpath.Sigset(0))
		}
		v.e.SetSigpendingLimit(a, 2)
		v.e.SetSigpendingLimit(b, 3)
		v.e.SetSigpendingLimit(c, 1)
		if got := v.e.SigpendingLimit(a); got != 2 {
			t.Fatalf("SigpendingLimit = %d, want 2", got)
		}

		v.ok(v.rlimitSend(ta, ma, bySigqueue, fastpath.SIGRTMIN, 1), 0)
		v.ok(v.rlimitSend(tb, mb, bySigqueue, fastpath.SIGRTMIN, 2), 0)
		// uid 1000 has 2: a (limit 2) is full, b (limit 3) is not.
		v.errno(v.rlimitSend(ta, ma, bySigqueue, fastpath.SIGRTMIN, 3), unix.EAGAIN)
		v.ok(v.rlimitSend(tb, mb, bySigqueue, fastpath.SIGRTMIN, 4), 0)
		v.errno(v.rlimitSend(tb, mb, bySigqueue, fastpath.SIGRTMIN, 5), unix.EAGAIN)
		// A standard sigqueue to a is past the user's limit: no siginfo.
		v.ok(v.rlimitSend(ta, ma, bySigqueue, fastpath.SIGUSR2, 6), 0)
		if info := v.take(ta, fastpath.SIGUSR2); info.Code != fastpath.SI_USER || info.Pid() != 0 {
			t.Errorf("SIGUSR2 past the user's limit: took %+v", info)
		}
		// uid 2000 is apart.
		if n := v.queuedUser(c); n != 0 {
			t.Errorf("uid 2000's count = %d, want 0", n)
		}
		v.ok(v.rlimitSend(tc, mc, bySigqueue, fastpath.SIGRTMIN, 7), 0)
		v.errno(v.rlimitSend(tc, mc, bySigqueue, fastpath.SIGRTMIN, 8), unix.EAGAIN)
		if n := v.queuedUser(a); n != 3 {
			t.Errorf("uid 1000's count = %d, want 3", n)
		}
		// A take in b makes room for a.
		v.take(tb, fastpath.SIGRTMIN)
		v.take(tb, fastpath.SIGRTMIN)
		v.ok(v.rlimitSend(ta, ma, bySigqueue, fastpath.SIGRTMIN, 9), 0)

		// Fork: the child has the parent's limit and counts in its uid.
		ct, err := v.e.Clone(tc, uint64(fastpath.SIGCHLD), 301, newFakeMem(), nil)
		if err != nil {
			t.Fatal(err)
		}
		child := ct.Process()
		if got := v.e.SigpendingLimit(child); got != 1 {
			t.Errorf("fork child's limit = %d, want the parent's 1", got)
		}
		if n := v.queuedUser(child); n != 1 {
			t.Errorf("fork child's user count = %d, want uid 2000's 1", n)
		}
		v.errno(v.sys(tc, unix.SYS_RT_SIGQUEUEINFO, 301, uint64(fastpath.SIGRTMIN), queueInfo(mc)), unix.EAGAIN)
		v.e.SetSigpendingLimit(child, 2)
		v.ok(v.sys(tc, unix.SYS_RT_SIGQUEUEINFO, 301, uint64(fastpath.SIGRTMIN), queueInfo(mc)), 0)
		if got := v.e.SigpendingLimit(c); got != 1 {
			t.Errorf("parent's limit changed with its child's: %d", got)
		}
		// execve keeps it (rlimits survive exec).
		if err := v.e.Exec(ct); err != nil {
			t.Fatal(err)
		}
		if got := v.e.SigpendingLimit(child); got != 2 {
			t.Errorf("limit after execve = %d, want 2", got)
		}
		// A new real uid moves the process, and its queued siginfo, to
		// that user's count: uid 2000 had c's one and the child's, now a's two too.
		v.e.SetCred(a, Cred{Uid: 2000, Euid: 2000, Suid: 2000})
		if n, m := v.queuedUser(c), v.queuedUser(b); n != 4 || m != 0 {
			t.Errorf("after setuid: uid 2000's count %d (want 4), uid 1000's %d (want 0)", n, m)
		}
		// A new process starts with no limit of its own: the State's cap.
		d, _, _ := v.proc(400, 0)
		if got := v.e.SigpendingLimit(d); got != RlimInfinity {
			t.Errorf("new process's limit = %d, want RLIM_INFINITY", got)
		}
	})
}

// queueInfo writes an SI_QUEUE siginfo in mem for rt_sigqueueinfo(2).
func queueInfo(mem *fakeMem) uint64 {
	a := mem.alloc(128)
	mem.put(a, siginfoBytes(0, fastpath.SI_QUEUE, 0, 1))
	return a
}
