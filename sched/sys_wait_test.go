package sched

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

func TestRtSigsuspend(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		v.sigaction(t1, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_RESTART, 0)
		v.setmask(t1, mem, sigSetmask, set(fastpath.SIGUSR1, fastpath.SIGUSR2))
		v.errno(v.sys(t1, unix.SYS_RT_SIGSUSPEND, mem.u64s(0), 4), unix.EINVAL)
		v.errno(v.sys(t1, unix.SYS_RT_SIGSUSPEND, badAddr, 8), unix.EFAULT)
		if got := v.blocked(t1); got != set(fastpath.SIGUSR1, fastpath.SIGUSR2) {
			t.Fatalf("mask changed by a failed call: %x", got)
		}
		r := v.sys(t1, unix.SYS_RT_SIGSUSPEND, mem.u64s(uint64(set(fastpath.SIGUSR2, fastpath.SIGKILL))), 8)
		if r.Kind != Wait {
			t.Fatalf("%+v", r)
		}
		if got := v.blocked(t1); got != set(fastpath.SIGUSR2) {
			t.Fatalf("suspend mask %x", got)
		}
		// A blocked signal does not wake it; SIGUSR1 does.
		v.ok(v.sys(t2, unix.SYS_TGKILL, 100, 100, fastpath.SIGUSR2), 0)
		v.e.RunDue()
		if woken(t1) {
			t.Fatal("woken by a signal the suspend mask blocks")
		}
		if r := v.e.Resume(t1); r.Kind != Wait {
			t.Fatalf("spurious resume: %+v", r)
		}
		v.ok(v.sys(t2, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.e.RunDue()
		if !woken(t1) {
			t.Fatal("not woken")
		}
		r = v.e.Resume(t1)
		if r.Kind != Done || r.Ret != -ERESTARTNOHAND {
			t.Fatalf("%+v", r)
		}
		// The handler runs with the suspend mask | SIGUSR1; the frame
		// restores the mask from before; sigsuspend returns EINTR even
		// with SA_RESTART.
		d := v.e.Decide(t1, unix.SYS_RT_SIGSUSPEND, r.Ret, stackSP)
		if d.Act != RunHandler || d.Ret != -int64(unix.EINTR) || d.Restart() {
			t.Fatalf("%+v", d)
		}
		if d.Delivery.SavedMask != set(fastpath.SIGUSR1, fastpath.SIGUSR2) || d.Delivery.Mask != set(fastpath.SIGUSR1, fastpath.SIGUSR2) {
			t.Fatalf("saved %x handler %x", d.Delivery.SavedMask, d.Delivery.Mask)
		}
		// Already deliverable at entry: returns at once.
		v.setmask(t1, mem, sigSetmask, set(fastpath.SIGUSR1))
		v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 100, fastpath.SIGUSR1), 0)
		v.ok(v.sys(t1, unix.SYS_RT_SIGSUSPEND, mem.u64s(0), 8), -ERESTARTNOHAND)
	})
}

func TestPause(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		_, s, _ := v.proc(200, 0)
		v.sigaction(t1, mem, fastpath.SIGALRM, handlerAddr, fastpath.SA_RESTART, 0)
		if r := v.sys(t1, unix.SYS_PAUSE); r.Kind != Wait {
			t.Fatal(r)
		}
		if st := v.e.ThreadState(t1); st != Blocked {
			t.Fatalf("state %v", st)
		}
		v.ok(v.sys(s, unix.SYS_KILL, 100, fastpath.SIGALRM), 0)
		v.e.RunDue()
		if !woken(t1) {
			t.Fatal("not woken")
		}
		r := v.e.Resume(t1)
		d := v.e.Decide(t1, unix.SYS_PAUSE, r.Ret, stackSP)
		if d.Act != RunHandler || d.Ret != -int64(unix.EINTR) {
			t.Fatalf("%+v", d)
		}
		if len(v.takeKicks()) != 0 {
			t.Fatal("a blocked waiter was kicked")
		}
	})
}

func TestRtSigtimedwait(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		v.sigaction(t1, mem, fastpath.SIGUSR2, handlerAddr, 0, 0)
		v.setmask(t1, mem, sigSetmask, set(fastpath.SIGUSR1, fastpath.SIGRTMIN))
		v.setmask(t2, mem, sigSetmask, set(fastpath.SIGUSR1, fastpath.SIGRTMIN))
		these := mem.u64s(uint64(set(fastpath.SIGUSR1, fastpath.SIGRTMIN)))
		info := mem.alloc(128)
		zero := mem.u64s(0, 0)
		second := mem.u64s(1, 0)
		cases := []struct {
			name string
			args []uint64
			want unix.Errno
		}{
			{"bad size", []uint64{these, info, zero, 4}, unix.EINVAL},
			{"set faults", []uint64{badAddr, info, zero, 8}, unix.EFAULT},
			{"ts faults", []uint64{these, info, badAddr, 8}, unix.EFAULT},
			{"ts invalid", []uint64{these, info, mem.u64s(0, 1e9), 8}, unix.EINVAL},
			{"ts negative", []uint64{these, info, mem.u64s(^uint64(0), 0), 8}, unix.EINVAL},
			{"zero timeout, nothing pending", []uint64{these, info, zero, 8}, unix.EAGAIN},
		}
		for _, c := range cases {
			v.errno(v.sys(t1, unix.SYS_RT_SIGTIMEDWAIT, c.args...), c.want)
		}
		// Already pending: taken at once, siginfo copied out.
		v.ok(v.sys(t2, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.ok(v.sys(t1, unix.SYS_RT_SIGTIMEDWAIT, these, info, zero, 8), fastpath.SIGUSR1)
		if got := mem.get(info, 128); got[0] != fastpath.SIGUSR1 || int32(le32(got[8:])) != fastpath.SI_USER || le32(got[16:]) != 100 {
			t.Fatalf("siginfo % x", got[:24])
		}
		// uinfo faults: the signal is consumed anyway.
		v.ok(v.sys(t2, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.errno(v.sys(t1, unix.SYS_RT_SIGTIMEDWAIT, these, badAddr, zero, 8), unix.EFAULT)
		if v.pendingAll(t1).Has(fastpath.SIGUSR1) {
			t.Fatal("not consumed")
		}
		// Blocks; a process-directed signal of the set wakes it even
		// though the other thread is the leader and the mask blocks it
		// (the waited signals are unblocked while waiting).
		if r := v.sys(t2, unix.SYS_RT_SIGTIMEDWAIT, these, info, second, 8); r.Kind != Wait {
			t.Fatal(r)
		}
		if got := v.blocked(t2); got != 0 {
			t.Fatalf("wait mask %x", got)
		}
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGRTMIN), 0)
		v.e.RunDue()
		if !woken(t2) {
			t.Fatal("not woken")
		}
		v.ok(v.e.Resume(t2), fastpath.SIGRTMIN)
		if got := v.blocked(t2); got != set(fastpath.SIGUSR1, fastpath.SIGRTMIN) {
			t.Fatalf("mask not restored: %x", got)
		}
		// Timeout → EAGAIN at the deadline, not before.
		if r := v.sys(t2, unix.SYS_RT_SIGTIMEDWAIT, these, 0, second, 8); r.Kind != Wait {
			t.Fatal(r)
		}
		v.clk.Advance(999 * time.Millisecond)
		v.e.RunDue()
		if woken(t2) {
			t.Fatal("timed out early")
		}
		v.clk.Advance(time.Millisecond)
		v.e.RunDue()
		if !woken(t2) {
			t.Fatal("no timeout")
		}
		v.errno(v.e.Resume(t2), unix.EAGAIN)
		if v.e.PendingEvents() != 0 {
			t.Fatal("events left")
		}
		// Another, handled signal interrupts: EINTR (never restarted).
		if r := v.sys(t2, unix.SYS_RT_SIGTIMEDWAIT, these, 0, 0, 8); r.Kind != Wait {
			t.Fatal(r)
		}
		v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, fastpath.SIGUSR2), 0)
		v.e.RunDue()
		r := v.e.Resume(t2)
		v.errno(r, unix.EINTR)
		if d := v.e.Decide(t2, unix.SYS_RT_SIGTIMEDWAIT, r.Ret, stackSP); d.Act != RunHandler || d.Ret != -int64(unix.EINTR) {
			t.Fatalf("%+v", d)
		}
		if v.e.PendingEvents() != 0 {
			t.Fatal("timeout event leaked")
		}
	})
}

func TestSignalfd(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		mask := mem.u64s(uint64(set(fastpath.SIGUSR1, fastpath.SIGRTMIN, fastpath.SIGKILL)))
		cases := []struct {
			name string
			args []uint64
			want unix.Errno
		}{
			{"bad size", []uint64{^uint64(0), mask, 4, 0}, unix.EINVAL},
			{"mask faults", []uint64{^uint64(0), badAddr, 8, 1}, unix.EFAULT},
			{"bad flags", []uint64{^uint64(0), mask, 8, 1}, unix.EINVAL},
			{"not a signalfd", []uint64{1, mask, 8, 0}, unix.EINVAL},
			{"not open", []uint64{500, mask, 8, 0}, unix.EBADF},
			{"negative fd", []uint64{uint64(0xfffffffb), mask, 8, 0}, unix.EBADF},
		}
		for _, c := range cases {
			v.errno(v.sys(t1, unix.SYS_SIGNALFD4, c.args...), c.want)
		}
		if r := v.sys(t1, unix.SYS_SIGNALFD, ^uint64(0), mask, 8); r.Kind != NewFd {
			t.Fatalf("signalfd: %v", r.Kind)
		}
		v.e.AbandonSignalfd(t1) // the shim could not make the descriptor
		if err := v.e.AdoptSignalfd(t1, 3, 1); err != unix.EINVAL {
			t.Fatalf("adopt after abandon: %v", err)
		}
		sigs := set(fastpath.SIGUSR1, fastpath.SIGRTMIN, fastpath.SIGKILL)
		if fd := v.signalfd(t1, mem, sigs, 0); fd != 3 {
			t.Fatal(fd)
		}
		if fd := v.signalfd(t1, mem, sigs, unix.SFD_NONBLOCK|unix.SFD_CLOEXEC); fd != 4 {
			t.Fatal(fd)
		}
		v.ok(v.sys(t1, unix.SYS_SIGNALFD4, 3, mask, 8, 0), 3) // update in place
		if r := v.sys(t1, unix.SYS_READ, 1, 0, 0); r.Kind != Native {
			t.Fatal("read of another fd is native")
		}
		buf := mem.alloc(3 * 128)
		v.errno(v.sys(t1, unix.SYS_READ, 3, buf, 127), unix.EINVAL)
		v.errno(v.sys(t1, unix.SYS_READ, 4, buf, 128), unix.EAGAIN)
		v.setmask(t1, mem, sigSetmask, set(fastpath.SIGUSR1, fastpath.SIGRTMIN))
		v.setmask(t2, mem, sigSetmask, set(fastpath.SIGUSR1, fastpath.SIGRTMIN))
		// Pending signals are read, several per read, RT in order.
		a := mem.alloc(128)
		for i := 0; i < 2; i++ {
			mem.put(a, siginfoBytes(0, fastpath.SI_QUEUE, 0, uint64(10+i)))
			v.ok(v.sys(t1, unix.SYS_RT_SIGQUEUEINFO, 100, fastpath.SIGRTMIN, a), 0)
		}
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.ok(v.sys(t2, unix.SYS_READ, 3, buf, 3*128+5), 3*128)
		got := mem.get(buf, 3*128)
		if got[0] != fastpath.SIGUSR1 || le32(got[12:]) != 100 || got[128] != fastpath.SIGRTMIN || le32(got[128+44:]) != 10 || le32(got[256+44:]) != 11 {
			t.Fatalf("siginfos: %d %d %d %d", got[0], got[128], le32(got[128+44:]), le32(got[256+44:]))
		}
		// A fault on the first copy is EFAULT.
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.errno(v.sys(t2, unix.SYS_READ, 3, badAddr, 128), unix.EFAULT)
		// Blocking read, completed by a signal of the mask.
		if r := v.sys(t2, unix.SYS_READ, 3, buf, 128); r.Kind != Wait {
			t.Fatal(r)
		}
		v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, fastpath.SIGRTMIN), 0)
		v.e.RunDue()
		if !woken(t2) {
			t.Fatal("reader not woken")
		}
		v.ok(v.e.Resume(t2), 128)
		if got := mem.get(buf, 128); got[0] != fastpath.SIGRTMIN || int32(le32(got[8:])) != fastpath.SI_TKILL {
			t.Fatalf("read %d code %d", got[0], int32(le32(got[8:])))
		}
	})
}

// A blocked read interrupted by a handled signal: restarted with
// SA_RESTART, EINTR without; an ignored signal does not interrupt it.
func TestBlockedReadInterrupted(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		if fd := v.signalfd(t1, mem, set(fastpath.SIGRTMIN), 0); fd != 3 {
			t.Fatal(fd)
		}
		buf := mem.alloc(128)
		v.sigaction(t1, mem, fastpath.SIGWINCH, fastpath.SIG_IGN, 0, 0)
		for _, restart := range []bool{true, false} {
			flags := uint64(0)
			if restart {
				flags = fastpath.SA_RESTART
			}
			v.sigaction(t1, mem, fastpath.SIGUSR2, handlerAddr, flags, 0)
			v.setmask(t2, mem, sigSetmask, set(fastpath.SIGRTMIN))
			// Emulated read of a signalfd.
			if r := v.sys(t2, unix.SYS_READ, 3, buf, 128); r.Kind != Wait {
				t.Fatal(r)
			}
			v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, fastpath.SIGWINCH), 0)
			v.e.RunDue()
			if woken(t2) {
				t.Fatal("ignored signal interrupted the read")
			}
			v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, fastpath.SIGUSR2), 0)
			v.e.RunDue()
			if !woken(t2) {
				t.Fatal("not interrupted")
			}
			r := v.e.Resume(t2)
			if r.Ret != -ERESTARTSYS {
				t.Fatalf("%+v", r)
			}
			d := v.e.Decide(t2, unix.SYS_READ, r.Ret, stackSP)
			if d.Act != RunHandler {
				t.Fatalf("%+v", d)
			}
			if restart && (!d.Restart() || d.Ret != unix.SYS_READ) {
				t.Fatalf("SA_RESTART: %+v", d)
			}
			if !restart && (d.Restart() || d.Ret != -int64(unix.EINTR)) {
				t.Fatalf("no SA_RESTART: %+v", d)
			}
			// A native read (a pipe) kicked by the same signal.
			v.setmask(t2, mem, sigSetmask, 0)
			v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, fastpath.SIGUSR2), 0)
			v.e.RunDue()
			if k := v.takeKicks(); len(k) != 1 || k[0] != 101 {
				t.Fatalf("kicks %v", k)
			}
			d = v.e.Kicked(t2, unix.SYS_READ, RestartCode(unix.SYS_READ), stackSP)
			if d.Act != RunHandler || d.Restart() != restart {
				t.Fatalf("native read: %+v", d)
			}
		}
	})
}

func TestRestartSyscall(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, _ := v.proc(100, 0)
		// No emulated restart block: the kernel's, run natively.
		if r := v.sys(th, unix.SYS_RESTART_SYSCALL); r.Kind != Native {
			t.Fatal(r)
		}
		th.restart.fn = func(e *Emulator, t *Thread) Result { return done(42) }
		v.ok(v.sys(th, unix.SYS_RESTART_SYSCALL), 42)
		if r := v.sys(th, unix.SYS_RESTART_SYSCALL); r.Kind != Native {
			t.Fatal("restart block not consumed")
		}
	})
}
