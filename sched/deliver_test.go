package sched

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// frame writes a ucontext at sp as the shim's frame would hold it after
// the handler's ret: uc_stack and uc_sigmask.
func writeFrame(mem *fakeMem, sp uint64, d *Delivery) {
	b := make([]byte, 24)
	encodeStack(b, d.UcStack)
	mem.put(sp+UcStackOffset, b)
	mem.putU64(sp+UcSigmaskOffset, uint64(d.SavedMask))
}

func TestRaiseHandlerSigreturn(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.sigaction(th, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_SIGINFO, set(fastpath.SIGUSR2))
		v.setmask(th, mem, sigSetmask, set(fastpath.SIGINT))
		r := v.sys(th, unix.SYS_TGKILL, 100, 100, fastpath.SIGUSR1)
		v.ok(r, 0)
		if v.e.PendingEvents() != 0 {
			t.Fatal("a signal to oneself needs no deliver event")
		}
		d := v.e.Decide(th, unix.SYS_TGKILL, r.Ret, stackSP)
		if d.Act != RunHandler || d.Ret != 0 || d.Restart() {
			t.Fatalf("decision %+v", d)
		}
		dl := d.Delivery
		if dl.Signal != fastpath.SIGUSR1 || dl.Handler != handlerAddr || dl.Restorer != 0xdead0000 ||
			dl.Flags != fastpath.SA_SIGINFO|fastpath.SA_RESTORER {
			t.Fatalf("delivery %+v", dl)
		}
		if dl.Info.Signo != fastpath.SIGUSR1 || dl.Info.Code != fastpath.SI_TKILL || dl.Info.Pid() != 100 || dl.Info.Uid() != 1000 {
			t.Fatalf("siginfo %+v", dl.Info)
		}
		if dl.SavedMask != set(fastpath.SIGINT) || dl.Mask != set(fastpath.SIGINT, fastpath.SIGUSR1, fastpath.SIGUSR2) {
			t.Fatalf("masks saved %x handler %x", dl.SavedMask, dl.Mask)
		}
		if dl.StackTop != stackSP || dl.OnAltStack {
			t.Fatalf("stack %x %v", dl.StackTop, dl.OnAltStack)
		}
		if got := v.blocked(th); got != dl.Mask {
			t.Fatalf("mask in handler %x", got)
		}
		// Nothing else: the next decision is the fast path.
		if d2 := v.e.Decide(th, -1, 0, stackSP); d2.Act != Resume {
			t.Fatalf("second decision %+v", d2)
		}
		// rt_sigreturn from a frame the handler edited: SIGKILL/SIGSTOP
		// can't be smuggled into the mask.
		fsp := uint64(mem.alloc(512))
		dl.SavedMask |= set(fastpath.SIGKILL, fastpath.SIGTERM)
		writeFrame(mem, fsp, dl)
		var c Call
		c.Nr, c.SP = unix.SYS_RT_SIGRETURN, fsp
		if r := v.e.Syscall(th, &c); r.Kind != Sigreturned {
			t.Fatalf("sigreturn %+v", r)
		}
		if got := v.blocked(th); got != set(fastpath.SIGINT, fastpath.SIGTERM) {
			t.Fatalf("mask after sigreturn %x", got)
		}
		// A frame that can't be read: SIGSEGV.
		c.SP = badAddr
		if r := v.e.Syscall(th, &c); r.Kind != Sigreturned {
			t.Fatal(r)
		}
		if d := v.e.Decide(th, -1, 0, stackSP); d.Act != Die || d.Signal() != fastpath.SIGSEGV || !d.Core() {
			t.Fatalf("bad frame: %+v", d)
		}
	})
}

func TestBlockedThenUnblocked(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.sigaction(th, mem, fastpath.SIGUSR1, handlerAddr, 0, 0)
		v.setmask(th, mem, sigBlock, set(fastpath.SIGUSR1))
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		if d := v.e.Decide(th, unix.SYS_KILL, 0, stackSP); d.Act != Resume {
			t.Fatalf("blocked signal delivered: %+v", d)
		}
		r := v.sys(th, unix.SYS_RT_SIGPROCMASK, sigUnblock, mem.u64s(uint64(set(fastpath.SIGUSR1))), 0, 8)
		d := v.e.Decide(th, unix.SYS_RT_SIGPROCMASK, r.Ret, stackSP)
		if d.Act != RunHandler || d.Delivery.Signal != fastpath.SIGUSR1 || d.Delivery.Info.Code != fastpath.SI_USER {
			t.Fatalf("after unblock: %+v", d)
		}
	})
}

func TestKillFromAnotherThread(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		v.sigaction(t1, mem, fastpath.SIGURG, handlerAddr, fastpath.SA_RESTART|fastpath.SA_ONSTACK|fastpath.SA_SIGINFO, ^fastpath.Sigset(0))
		v.ok(v.sys(t2, unix.SYS_TGKILL, 100, 100, fastpath.SIGURG), 0)
		if k := v.takeKicks(); len(k) != 0 {
			t.Fatalf("kicked before the sending syscall completed: %v", k)
		}
		if n := v.e.RunDue(); n != 1 {
			t.Fatalf("%d events ran", n)
		}
		if k := v.takeKicks(); len(k) != 1 || k[0] != 100 {
			t.Fatalf("kicks %v", k)
		}
		// A second send while the kick is outstanding does not kick again
		// (FACTS.md: kicks queue).
		v.ok(v.sys(t2, unix.SYS_TGKILL, 100, 100, fastpath.SIGURG), 0) // coalesced
		v.e.RunDue()
		if d := v.e.Decide(t2, -1, 0, stackSP); d.Act != Resume {
			t.Fatalf("sender got it: %+v", d)
		}
		d := v.e.Kicked(t1, -1, 0, stackSP)
		if d.Act != RunHandler || d.Delivery.Signal != fastpath.SIGURG || d.Delivery.Info.Pid() != 100 {
			t.Fatalf("%+v", d)
		}
		if k := v.takeKicks(); len(k) != 0 {
			t.Fatalf("extra kicks %v", k)
		}
		// Blocked everywhere in the handler (sa_mask all ones, Go's).
		if got := v.blocked(t1); got != ^fastpath.Unblockable {
			t.Fatalf("mask %x", got)
		}
	})
}

// A process-directed signal to a multithreaded process runs exactly once,
// on the thread complete_signal chooses: the leader if it doesn't block
// it, else the next one that doesn't.
func TestProcessDirectedExactlyOnce(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		t3 := v.thread(t1, 102)
		_, s, _ := v.proc(200, 0)
		v.sigaction(t1, mem, fastpath.SIGUSR1, handlerAddr, 0, 0)
		v.setmask(t1, mem, sigBlock, set(fastpath.SIGUSR1))
		v.setmask(t2, mem, sigBlock, set(fastpath.SIGUSR1))
		v.ok(v.sys(s, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.e.RunDue()
		if k := v.takeKicks(); len(k) != 1 || k[0] != 102 {
			t.Fatalf("kicks %v, want the one thread that doesn't block it", k)
		}
		delivered := 0
		for _, th := range []*Thread{t1, t2, t3, t3} {
			if d := v.e.Decide(th, -1, 0, stackSP); d.Act == RunHandler {
				delivered++
				if th != t3 {
					t.Fatalf("delivered on %d", th.Tid)
				}
			}
		}
		if delivered != 1 {
			t.Fatalf("delivered %d times", delivered)
		}
		// t3 now blocks it in its handler; t2 unblocks: a second one goes
		// to t2; when t3 masks, a pending process signal is retargeted.
		v.sigaction(t1, mem, fastpath.SIGUSR2, handlerAddr, 0, 0) // else it is fatal: group exit
		v.setmask(t3, mem, sigBlock, set(fastpath.SIGUSR2))
		v.ok(v.sys(s, unix.SYS_KILL, 100, fastpath.SIGUSR2), 0)
		v.e.RunDue()
		if k := v.takeKicks(); len(k) != 1 || k[0] != 100 {
			t.Fatalf("kicks %v", k)
		}
		v.setmask(t1, mem, sigBlock, set(fastpath.SIGUSR2))
		v.e.RunDue()
		if k := v.takeKicks(); len(k) != 1 || k[0] != 101 {
			t.Fatalf("retarget kicks %v", k)
		}
	})
}

func TestDispositions(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		cases := []struct {
			sig  int
			act  Act
			core bool
		}{
			{fastpath.SIGTERM, Die, false},
			{fastpath.SIGQUIT, Die, true},
			{fastpath.SIGSEGV, Die, true},
			{fastpath.SIGRTMIN + 3, Die, false},
			{fastpath.SIGKILL, Die, false},
			{fastpath.SIGCHLD, Resume, false},
			{fastpath.SIGURG, Resume, false},
			{fastpath.SIGWINCH, Resume, false},
			{fastpath.SIGCONT, Resume, false},
		}
		for i, c := range cases {
			pid := int32(100 + i)
			_, th, _ := v.proc(pid, 0)
			v.ok(v.sys(th, unix.SYS_KILL, uint64(pid), uint64(c.sig)), 0)
			d := v.e.Decide(th, unix.SYS_KILL, 0, stackSP)
			if d.Act != c.act || (c.act == Die && (d.Signal() != c.sig || d.Core() != c.core)) {
				t.Fatalf("sig %d: %+v", c.sig, d)
			}
		}
	})
}

// Stop stops every thread and tells the parent; SIGCONT resumes them and
// tells it again; SA_NOCLDSTOP silences both.
func TestStopCont(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		par, pt, pmem := v.proc(100, 0)
		_, c1, _ := v.proc(200, 100)
		c2 := v.thread(c1, 201)
		// Same session as the parent, another group: not orphaned, so
		// SIGTSTP stops it too.
		v.e.SetProcessGroup(c1.proc, 200, 100)
		v.sigaction(pt, pmem, fastpath.SIGCHLD, handlerAddr, fastpath.SA_SIGINFO, 0)
		v.setmask(pt, pmem, sigBlock, set(fastpath.SIGCHLD))
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
		v.e.RunDue()
		v.takeKicks()
		d := v.e.Kicked(c1, -1, 0, stackSP)
		if d.Act != StopThread {
			t.Fatalf("c1: %+v", d)
		}
		v.e.RunDue()
		if k := v.takeKicks(); len(k) != 1 || k[0] != 201 {
			t.Fatalf("kicks %v", k)
		}
		if _, pp := v.pending(pt); pp.Has(fastpath.SIGCHLD) {
			t.Fatal("parent told before every thread stopped")
		}
		if d := v.e.Kicked(c2, unix.SYS_READ, RestartCode(unix.SYS_READ), stackSP); d.Act != StopThread {
			t.Fatalf("c2: %+v", d)
		}
		var info fastpath.Siginfo
		v.e.mu.Lock()
		sig := v.e.st.Take(pt.slot, 0, &info)
		v.e.mu.Unlock()
		if sig != fastpath.SIGCHLD || info.Code != fastpath.CLD_STOPPED || info.Pid() != 200 || info.Status() != fastpath.SIGSTOP {
			t.Fatalf("CLD_STOPPED info %d %+v", sig, info)
		}
		// Signals sent while stopped wait; a stopped thread stays stopped.
		if d := v.e.Decide(c1, -1, 0, stackSP); d.Act != StopThread {
			t.Fatalf("still stopped: %+v", d)
		}
		woken(c1)
		woken(c2)
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
		if !woken(c1) || !woken(c2) {
			t.Fatal("SIGCONT did not wake the stopped threads")
		}
		d = v.e.Decide(c2, unix.SYS_READ, RestartCode(unix.SYS_READ), stackSP)
		if d.Act != Resume || !d.Restart() || d.Ret != unix.SYS_READ {
			t.Fatalf("c2 after SIGCONT: %+v (the read must restart)", d)
		}
		v.e.mu.Lock()
		sig = v.e.st.Take(pt.slot, 0, &info)
		v.e.mu.Unlock()
		if sig != fastpath.SIGCHLD || info.Code != fastpath.CLD_CONTINUED || info.Status() != fastpath.SIGCONT {
			t.Fatalf("CLD_CONTINUED info %d %+v", sig, info)
		}
		// SIGCONT flushes pending stop signals and vice versa.
		v.setmask(c1, nil2(v, c1), sigBlock, set(fastpath.SIGTSTP, fastpath.SIGCONT))
		v.setmask(c2, nil2(v, c1), sigBlock, set(fastpath.SIGTSTP, fastpath.SIGCONT))
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGTSTP), 0)
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
		if got := v.pendingAll(c1); got.Has(fastpath.SIGTSTP) || !got.Has(fastpath.SIGCONT) {
			t.Fatalf("after TSTP, CONT: %x", got)
		}
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGTSTP), 0)
		if got := v.pendingAll(c1); !got.Has(fastpath.SIGTSTP) || got.Has(fastpath.SIGCONT) {
			t.Fatalf("after CONT, TSTP: %x", got)
		}
		// SA_NOCLDSTOP: no CLD_STOPPED.
		v.e.mu.Lock()
		v.e.flushAll(par, ^fastpath.Sigset(0))
		v.e.mu.Unlock()
		v.sigaction(pt, pmem, fastpath.SIGCHLD, handlerAddr, fastpath.SA_NOCLDSTOP, 0)
		v.setmask(c1, nil2(v, c1), sigSetmask, 0)
		v.setmask(c2, nil2(v, c1), sigSetmask, 0)
		v.e.Kicked(c1, -1, 0, stackSP)
		v.e.Kicked(c2, -1, 0, stackSP)
		if d := v.e.Decide(c2, -1, 0, stackSP); d.Act != StopThread {
			t.Fatalf("TSTP did not stop: %+v", d)
		}
		if _, pp := v.pending(pt); pp.Has(fastpath.SIGCHLD) {
			t.Fatal("SA_NOCLDSTOP parent told")
		}
		// SIGKILL ends a stop.
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGKILL), 0)
		v.e.RunDue()
		if d := v.e.Decide(c1, -1, 0, stackSP); d.Act != Die || d.Signal() != fastpath.SIGKILL {
			t.Fatalf("SIGKILL: %+v", d)
		}
	})
}

// nil2 is the memory of th's process.
func nil2(v *env, th *Thread) *fakeMem { return th.proc.mem.(*fakeMem) }

// TSTP in an orphaned process group is discarded; SIGSTOP is not.
func TestOrphanedPgrpStop(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, par, _ := v.proc(100, 0)
		_, c, _ := v.proc(200, 100) // same pgrp as nothing: its own, parent in 100's
		v.e.SetProcessGroup(c.proc, 200, 1)
		v.e.SetProcessGroup(par.proc, 100, 2) // another session: 200's group is orphaned
		v.ok(v.sys(par, unix.SYS_KILL, 200, fastpath.SIGTSTP), 0)
		if d := v.e.Decide(c, -1, 0, stackSP); d.Act != Resume {
			t.Fatalf("TSTP in orphaned pgrp: %+v", d)
		}
		v.ok(v.sys(par, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
		if d := v.e.Decide(c, -1, 0, stackSP); d.Act != StopThread {
			t.Fatalf("SIGSTOP: %+v", d)
		}
	})
}

// A session led from outside the PID namespace (HiddenID, as serve
// records /proc's 0): a child in a group of its own, whose parent is in
// the hidden group of the same hidden session, is not orphaned — TSTP
// stops it.
func TestHiddenSessionNotOrphaned(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, par, _ := v.proc(100, 0)
		_, c, _ := v.proc(200, 100)
		v.e.SetProcessGroup(par.proc, HiddenID, HiddenID)
		v.e.SetProcessGroup(c.proc, 200, HiddenID)
		v.ok(v.sys(par, unix.SYS_KILL, 200, fastpath.SIGTSTP), 0)
		if d := v.e.Decide(c, -1, 0, stackSP); d.Act != StopThread {
			t.Fatalf("TSTP with a hidden session: %+v", d)
		}
	})
}

func TestHandlerFlags(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		// SA_NODEFER: the signal is not added to the mask.
		v.sigaction(th, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_NODEFER|fastpath.SA_RESETHAND, 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		d := v.e.Decide(th, unix.SYS_KILL, 0, stackSP)
		if d.Act != RunHandler || d.Delivery.Mask != 0 {
			t.Fatalf("NODEFER: %+v", d)
		}
		// SA_RESETHAND: the action is SIG_DFL afterwards, flags kept.
		if a := v.action(p, fastpath.SIGUSR1); a.Handler != fastpath.SIG_DFL || a.Flags&fastpath.SA_NODEFER == 0 {
			t.Fatalf("RESETHAND: %+v", a)
		}
		// No restorer: x64_setup_rt_frame fails → SIGSEGV.
		a := mem.u64s(handlerAddr, 0, 0, 0)
		v.ok(v.sys(th, unix.SYS_RT_SIGACTION, fastpath.SIGUSR2, a, 0, 8), 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR2), 0)
		if d := v.e.Decide(th, unix.SYS_KILL, 0, stackSP); d.Act != Die || d.Signal() != fastpath.SIGSEGV {
			t.Fatalf("no restorer: %+v", d)
		}
	})
}

func TestAltStackDelivery(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		const base, size = 0x600000, 0x8000
		ss := mem.alloc(24)
		mem.put(ss, stackBytes(base, 0, size))
		v.ok(v.sys(th, unix.SYS_SIGALTSTACK, ss, 0), 0)
		v.sigaction(th, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_ONSTACK, 0)
		v.sigaction(th, mem, fastpath.SIGUSR2, handlerAddr, 0, 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR2), 0)
		if d := v.e.Decide(th, -1, 0, stackSP); d.Delivery.OnAltStack || d.Delivery.StackTop != stackSP {
			t.Fatalf("no SA_ONSTACK: %+v", d.Delivery)
		}
		v.setmask(th, mem, sigSetmask, 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		d := v.e.Decide(th, -1, 0, stackSP)
		if !d.Delivery.OnAltStack || d.Delivery.StackTop != base+size || d.Delivery.UcStack != (fastpath.Stack{SP: base, Size: size}) {
			t.Fatalf("SA_ONSTACK: %+v", d.Delivery)
		}
		// Already on the stack: the frame goes below the current SP.
		v.setmask(th, mem, sigSetmask, 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		d = v.e.Decide(th, -1, 0, base+0x1000)
		if !d.Delivery.OnAltStack || d.Delivery.StackTop != base+0x1000 {
			t.Fatalf("nested: %+v", d.Delivery)
		}
		// SS_AUTODISARM: disarmed during the handler, restored by
		// sigreturn from uc_stack.
		mem.put(ss, stackBytes(base, autodisarmFlag, size))
		v.ok(v.sys(th, unix.SYS_SIGALTSTACK, ss, 0), 0)
		v.setmask(th, mem, sigSetmask, 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		d = v.e.Decide(th, -1, 0, stackSP)
		if !d.Delivery.OnAltStack || d.Delivery.StackTop != base+size {
			t.Fatalf("autodisarm: %+v", d.Delivery)
		}
		if got := v.altstack(th); got != fastpath.DisabledStack {
			t.Fatalf("not disarmed: %+v", got)
		}
		v.e.Sigreturn(th, d.Delivery.SavedMask, d.Delivery.UcStack, base+size-0x1000)
		if got := v.altstack(th); got != (fastpath.Stack{SP: base, Size: size, Flags: autodisarmFlag}) {
			t.Fatalf("not restored: %+v", got)
		}
	})
}

// The restart table of arch/x86/kernel/signal.c.
func TestRestartRules(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		const nr = unix.SYS_READ
		cases := []struct {
			code    int64
			handler bool
			restart bool // SA_RESTART
			ret     int64
			again   bool
		}{
			{-ERESTARTSYS, true, true, nr, true},
			{-ERESTARTSYS, true, false, -int64(unix.EINTR), false},
			{-ERESTARTNOINTR, true, false, nr, true},
			{-ERESTARTNOHAND, true, true, -int64(unix.EINTR), false},
			{-ERESTART_RESTARTBLOCK, true, true, -int64(unix.EINTR), false},
			{-ERESTARTSYS, false, false, nr, true},
			{-ERESTARTNOINTR, false, false, nr, true},
			{-ERESTARTNOHAND, false, false, nr, true},
			{-ERESTART_RESTARTBLOCK, false, false, unix.SYS_RESTART_SYSCALL, true},
			{-int64(unix.EINTR), true, true, -int64(unix.EINTR), false},
		}
		for i, c := range cases {
			flags := uint64(0)
			if c.restart {
				flags = fastpath.SA_RESTART
			}
			h := uint64(fastpath.SIG_IGN)
			if c.handler {
				h = handlerAddr
			}
			v.sigaction(th, mem, fastpath.SIGUSR1, h, flags, 0)
			v.setmask(th, mem, sigSetmask, 0)
			v.ok(v.sys(th, unix.SYS_TGKILL, 100, 100, fastpath.SIGUSR1), 0)
			d := v.e.Kicked(th, nr, c.code, stackSP)
			if (d.Act == RunHandler) != c.handler || d.Ret != c.ret || d.Restart() != c.again {
				t.Fatalf("case %d: %+v", i, d)
			}
		}
		// A kick that finds nothing: the native call restarts, no EINTR.
		d := v.e.Kicked(th, nr, RestartCode(nr), stackSP)
		if d.Act != Resume || !d.Restart() || d.Ret != nr {
			t.Fatalf("empty kick: %+v", d)
		}
		if RestartCode(unix.SYS_EPOLL_WAIT) != -int64(unix.EINTR) || RestartCode(unix.SYS_NANOSLEEP) != -ERESTART_RESTARTBLOCK {
			t.Fatal("restart codes")
		}
	})
}

// Ignored signals neither interrupt a native blocking call nor wake a
// waiter, and are discarded at generation (sig_ignored).
func TestIgnoredDoNotInterrupt(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		v.sigaction(t1, mem, fastpath.SIGUSR1, fastpath.SIG_IGN, 0, 0)
		r := v.sys(t2, unix.SYS_PAUSE)
		if r.Kind != Wait {
			t.Fatalf("pause: %+v", r)
		}
		for _, sig := range []int{fastpath.SIGUSR1, fastpath.SIGCHLD, fastpath.SIGURG, fastpath.SIGWINCH} {
			v.ok(v.sys(t1, unix.SYS_KILL, 100, uint64(sig)), 0)
			v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, uint64(sig)), 0)
		}
		v.e.RunDue()
		if woken(t2) || len(v.takeKicks()) != 0 || v.pendingAll(t2) != 0 {
			t.Fatal("an ignored signal woke, kicked or stayed pending")
		}
		// A blocked ignored signal stays pending (its handler may change).
		v.setmask(t1, mem, sigBlock, set(fastpath.SIGUSR1))
		v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 100, fastpath.SIGUSR1), 0)
		if !v.pendingAll(t1).Has(fastpath.SIGUSR1) {
			t.Fatal("blocked ignored signal dropped")
		}
	})
}

// A fatal signal nobody handles kills the whole group at once.
func TestGroupExit(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, _ := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		t3 := v.thread(t1, 102)
		if r := v.sys(t3, unix.SYS_PAUSE); r.Kind != Wait {
			t.Fatal(r)
		}
		v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, fastpath.SIGTERM), 0)
		v.e.RunDue()
		if !woken(t3) {
			t.Fatal("waiter not woken")
		}
		r := v.e.Resume(t3)
		if r.Ret != -ERESTARTNOHAND {
			t.Fatalf("pause: %+v", r)
		}
		for _, th := range []*Thread{t1, t2, t3} {
			if d := v.e.Decide(th, -1, 0, stackSP); d.Act != Die || d.Signal() != fastpath.SIGTERM {
				t.Fatalf("%d: %+v", th.Tid, d)
			}
		}
		if k := v.takeKicks(); len(k) != 2 {
			t.Fatalf("kicks %v", k)
		}
	})
}
