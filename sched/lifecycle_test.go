package sched

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

func TestForkAndClone(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		v.sigaction(th, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_RESTART, set(fastpath.SIGINT))
		v.sigaction(th, mem, fastpath.SIGUSR2, fastpath.SIG_IGN, 0, 0)
		v.setmask(th, mem, sigSetmask, set(fastpath.SIGTERM, fastpath.SIGUSR1))
		ss := mem.alloc(24)
		mem.put(ss, stackBytes(0x600000, 0, 8192))
		v.ok(v.sys(th, unix.SYS_SIGALTSTACK, ss, 0), 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGTERM), 0)
		v.ok(v.sys(th, unix.SYS_TKILL, 100, fastpath.SIGUSR1), 0)
		v.ok(v.sys(th, unix.SYS_ALARM, 10), 0)

		// fork: a new process with the parent's actions and mask, nothing
		// pending, the alternate stack kept, no timers.
		child, err := v.e.Clone(th, uint64(fastpath.SIGCHLD), 200, newFakeMem(), nil)
		if err != nil {
			t.Fatal(err)
		}
		cp := child.Process()
		if cp.Pid != 200 || cp.PPid != 100 || cp.Pgid != p.Pgid || cp.Sid != p.Sid {
			t.Fatalf("child ids %+v", cp)
		}
		for _, sig := range []int{fastpath.SIGUSR1, fastpath.SIGUSR2, fastpath.SIGHUP} {
			if v.action(cp, sig) != v.action(p, sig) {
				t.Fatalf("action %d not inherited", sig)
			}
		}
		if v.blocked(child) != v.blocked(th) || v.pendingAll(child) != 0 {
			t.Fatalf("mask %x pending %x", v.blocked(child), v.pendingAll(child))
		}
		if v.altstack(child) != v.altstack(th) {
			t.Fatal("fork child lost the alternate stack")
		}
		if cp.itimers[ITIMER_REAL].expiry != 0 {
			t.Fatal("itimer inherited")
		}
		// A thread: shares the process, inherits the mask, no altstack.
		nt := v.thread(th, 101)
		if nt.Process() != p || v.blocked(nt) != v.blocked(th) || v.altstack(nt) != fastpath.DisabledStack {
			t.Fatal("thread state")
		}
		if tp, _ := v.pending(nt); tp != 0 {
			t.Fatal("thread inherited thread-directed pending signals")
		}
		// Bad clone flags and duplicates.
		if _, err := v.e.Clone(th, CLONE_THREAD, 102, nil, nil); err == nil {
			t.Fatal("CLONE_THREAD without CLONE_SIGHAND accepted")
		}
		if _, err := v.e.Clone(th, CLONE_SIGHAND|CLONE_VM, 103, newFakeMem(), nil); err == nil {
			t.Fatal("CLONE_SIGHAND process accepted")
		}
		if _, err := v.e.Clone(th, uint64(fastpath.SIGCHLD), 101, newFakeMem(), nil); err == nil {
			t.Fatal("duplicate id accepted")
		}
	})
}

func TestExec(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		nt := v.thread(th, 101)
		v.sigaction(th, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_RESTART|fastpath.SA_SIGINFO, set(fastpath.SIGINT))
		v.sigaction(th, mem, fastpath.SIGUSR2, fastpath.SIG_IGN, fastpath.SA_RESTART, set(fastpath.SIGINT))
		v.setmask(nt, mem, sigSetmask, set(fastpath.SIGTERM))
		v.ok(v.sys(nt, unix.SYS_KILL, 100, fastpath.SIGTERM), 0)
		ss := mem.alloc(24)
		mem.put(ss, stackBytes(0x600000, 0, 8192))
		v.ok(v.sys(nt, unix.SYS_SIGALTSTACK, ss, 0), 0)
		id := mem.alloc(4)
		v.ok(v.sys(nt, unix.SYS_TIMER_CREATE, unix.CLOCK_MONOTONIC, 0, id), 0)
		v.ok(v.sys(nt, unix.SYS_ALARM, 10), 0)
		// The non-leader thread execs: it becomes the leader.
		if err := v.e.Exec(nt); err != nil {
			t.Fatal(err)
		}
		if nt.Tid != 100 || v.e.Thread(100) != nt || v.e.Thread(101) != nil || v.e.ThreadState(th) != Exited {
			t.Fatal("de_thread")
		}
		if a := v.action(p, fastpath.SIGUSR1); a != (fastpath.Sigaction{}) {
			t.Fatalf("handled action kept: %+v", a)
		}
		if a := v.action(p, fastpath.SIGUSR2); a != (fastpath.Sigaction{Handler: fastpath.SIG_IGN}) {
			t.Fatalf("ignored action: %+v", a)
		}
		if v.blocked(nt) != set(fastpath.SIGTERM) || !v.pendingAll(nt).Has(fastpath.SIGTERM) {
			t.Fatal("mask or pending lost")
		}
		if v.altstack(nt) != fastpath.DisabledStack {
			t.Fatal("altstack kept")
		}
		if len(p.timers) != 0 || p.itimers[ITIMER_REAL].expiry == 0 {
			t.Fatal("POSIX timers must go, itimers stay")
		}
		v.ok(v.sys(nt, unix.SYS_TIMER_CREATE, unix.CLOCK_MONOTONIC, 0, id), 0)
		if mem.u32(id) != 0 {
			t.Fatal("timer ids restart at 0 after exec")
		}
	})
}

func TestExitNotifiesParent(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		par, pt, pmem := v.proc(100, 0)
		v.sigaction(pt, pmem, fastpath.SIGCHLD, handlerAddr, fastpath.SA_SIGINFO, 0)
		v.setmask(pt, pmem, sigBlock, set(fastpath.SIGCHLD, fastpath.SIGUSR1))
		cases := []struct {
			st   WaitStatus
			code int32
			stat int32
		}{
			{ExitedStatus(3), fastpath.CLD_EXITED, 3},
			{KilledStatus(fastpath.SIGTERM, false), fastpath.CLD_KILLED, fastpath.SIGTERM},
			{KilledStatus(fastpath.SIGSEGV, true), fastpath.CLD_DUMPED, fastpath.SIGSEGV},
		}
		for i, c := range cases {
			pid := int32(200 + i)
			ch, err := v.e.Clone(pt, uint64(fastpath.SIGCHLD), pid, newFakeMem(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if v.e.ProcessExit(ch.Process(), c.st) {
				t.Fatal("autoreaped with a SIGCHLD handler")
			}
			sig, info := v.takeInfo(pt, set(fastpath.SIGCHLD))
			if sig != fastpath.SIGCHLD || info.Code != c.code || info.Status() != c.stat || info.Pid() != pid {
				t.Fatalf("case %d: %d %+v", i, sig, info)
			}
			// A zombie can still be signalled (no effect) until reaped.
			v.ok(v.sys(pt, unix.SYS_KILL, uint64(pid), fastpath.SIGTERM), 0)
			v.e.Reap(pid)
			v.errno(v.sys(pt, unix.SYS_KILL, uint64(pid), 0), unix.ESRCH)
		}
		// A custom exit signal (clone(..., SIGUSR1)).
		ch, _ := v.e.Clone(pt, uint64(fastpath.SIGUSR1), 300, newFakeMem(), nil)
		v.e.ProcessExit(ch.Process(), ExitedStatus(0))
		if sig, _ := v.takeInfo(pt, set(fastpath.SIGUSR1)); sig != fastpath.SIGUSR1 {
			t.Fatal("exit signal")
		}
		// SA_NOCLDWAIT: signal sent, child autoreaped.
		v.sigaction(pt, pmem, fastpath.SIGCHLD, handlerAddr, fastpath.SA_NOCLDWAIT, 0)
		ch, _ = v.e.Clone(pt, uint64(fastpath.SIGCHLD), 301, newFakeMem(), nil)
		if !v.e.ProcessExit(ch.Process(), ExitedStatus(0)) || v.e.Process(301) != nil {
			t.Fatal("SA_NOCLDWAIT: not reaped")
		}
		if sig, _ := v.takeInfo(pt, set(fastpath.SIGCHLD)); sig != fastpath.SIGCHLD {
			t.Fatal("SA_NOCLDWAIT: no SIGCHLD")
		}
		// SIGCHLD ignored: no signal, autoreaped.
		v.sigaction(pt, pmem, fastpath.SIGCHLD, fastpath.SIG_IGN, 0, 0)
		ch, _ = v.e.Clone(pt, uint64(fastpath.SIGCHLD), 302, newFakeMem(), nil)
		if !v.e.ProcessExit(ch.Process(), ExitedStatus(0)) {
			t.Fatal("SIG_IGN: not reaped")
		}
		if v.pendingAll(pt) != 0 {
			t.Fatal("SIG_IGN: signal sent")
		}
		// Children of an exiting process go to init.
		mid, _ := v.e.Clone(pt, uint64(fastpath.SIGCHLD), 400, newFakeMem(), nil)
		gc, _ := v.e.Clone(mid, uint64(fastpath.SIGCHLD), 401, newFakeMem(), nil)
		v.e.ProcessExit(mid.Process(), ExitedStatus(0))
		if gc.Process().PPid != 1 || gc.Process().parent != nil {
			t.Fatal("not reparented")
		}
		_ = par
	})
}

// A process group orphaned by an exit, with a stopped member, gets SIGHUP
// and SIGCONT (kill_orphaned_pgrp).
func TestOrphanedPgrpHupCont(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, pt, _ := v.proc(100, 0)
		v.e.SetProcessGroup(pt.proc, 100, 100)
		ch, _ := v.e.Clone(pt, uint64(fastpath.SIGCHLD), 200, newFakeMem(), nil)
		v.e.SetProcessGroup(ch.proc, 200, 100)
		cmem := ch.proc.mem.(*fakeMem)
		v.sigaction(ch, cmem, fastpath.SIGHUP, handlerAddr, 0, 0)
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
		if d := v.e.Decide(ch, -1, 0, stackSP); d.Act != StopThread {
			t.Fatalf("%+v", d)
		}
		v.e.ProcessExit(pt.proc, ExitedStatus(0))
		if !woken(ch) {
			t.Fatal("SIGCONT did not resume the orphan")
		}
		d := v.e.Decide(ch, -1, 0, stackSP)
		if d.Act != RunHandler || d.Delivery.Signal != fastpath.SIGHUP || d.Delivery.Info.Code != fastpath.SI_KERNEL {
			t.Fatalf("%+v", d)
		}
	})
}

// TestExitWhileWaiting: a thread whose process exits while it waits in
// the emulator is woken, and its goroutine's Resume must leave it Exited.
// It set it Running again, and the Detach that followed ran ThreadExit on
// a free slot: the emulator panicked (seen once in CI, serve's suite).
func TestExitWhileWaiting(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		if r := v.sys(t2, unix.SYS_RT_SIGSUSPEND, mem.u64s(0), 8); r.Kind != Wait {
			t.Fatal(r)
		}
		v.e.ProcessExit(p, WaitStatus(0))
		if r := v.e.Resume(t2); r.Kind == Wait {
			t.Fatalf("still waiting after its process exited: %+v", r)
		}
		if v.e.ThreadState(t2) != Exited {
			t.Fatalf("state %v after Resume, want Exited", v.e.ThreadState(t2))
		}
		v.e.ThreadExit(t2) // the channel's Detach: must find it gone, not panic
		v.e.ThreadExit(t1)
	})
}

func TestThreadExit(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		t3 := v.thread(t1, 102)
		v.sigaction(t1, mem, fastpath.SIGUSR1, handlerAddr, 0, 0)
		v.setmask(t1, mem, sigBlock, set(fastpath.SIGUSR1))
		v.setmask(t3, mem, sigBlock, set(fastpath.SIGUSR1))
		// t2 is chosen, but exits before taking it: retargeted to none
		// (everyone else blocks it) and stays pending on the process.
		_, s, _ := v.proc(200, 0)
		v.ok(v.sys(s, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.e.RunDue()
		v.takeKicks()
		v.e.ThreadExit(t2)
		if v.e.Thread(101) != nil || v.e.ThreadState(t2) != Exited {
			t.Fatal("thread not gone")
		}
		if _, pp := v.pending(t1); !pp.Has(fastpath.SIGUSR1) {
			t.Fatal("process signal lost with its thread")
		}
		v.setmask(t3, mem, sigUnblock, set(fastpath.SIGUSR1))
		if d := v.e.Decide(t3, -1, 0, stackSP); d.Act != RunHandler {
			t.Fatalf("%+v", d)
		}
		// A thread blocked in a wait that exits leaves no event behind.
		if r := v.sys(t3, unix.SYS_RT_SIGTIMEDWAIT, mem.u64s(uint64(set(fastpath.SIGUSR2))), 0, mem.u64s(5, 0), 8); r.Kind != Wait {
			t.Fatal(r)
		}
		v.e.ThreadExit(t3)
		if v.e.PendingEvents() != 0 || p.nBlocked != 0 {
			t.Fatal("wait left behind")
		}
		v.clk.Advance(10 * time.Second)
		v.e.RunDue()
		if r := v.sys(t3, unix.SYS_GETPID); r.Ret != -int64(unix.ESRCH) {
			t.Fatalf("syscall of an exited thread: %+v", r)
		}
	})
}
