package sched

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

func TestRtSigprocmask(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		oset := mem.alloc(8)
		s := func(x fastpath.Sigset) uint64 { return mem.u64s(uint64(x)) }
		cases := []struct {
			name      string
			how       uint64
			set, oset uint64
			size      uint64
			want      unix.Errno
			mask, old fastpath.Sigset
		}{
			{"bad size", sigBlock, s(1), 0, 16, unix.EINVAL, 0, 0},
			{"set faults", sigBlock, badAddr, oset, 8, unix.EFAULT, 0, 0},
			{"block (KILL/STOP dropped)", sigBlock, s(set(fastpath.SIGUSR1, fastpath.SIGKILL, fastpath.SIGSTOP)), oset, 8, 0, set(fastpath.SIGUSR1), 0},
			{"bad how with set", 7, s(1), oset, 8, unix.EINVAL, set(fastpath.SIGUSR1), 0},
			{"bad how without set", 7, 0, oset, 8, 0, set(fastpath.SIGUSR1), set(fastpath.SIGUSR1)},
			{"block more", sigBlock, s(set(fastpath.SIGUSR2)), oset, 8, 0, set(fastpath.SIGUSR1, fastpath.SIGUSR2), set(fastpath.SIGUSR1)},
			{"unblock", sigUnblock, s(set(fastpath.SIGUSR1)), oset, 8, 0, set(fastpath.SIGUSR2), set(fastpath.SIGUSR1, fastpath.SIGUSR2)},
			{"setmask, oset faults after", sigSetmask, s(set(fastpath.SIGINT)), badAddr, 8, unix.EFAULT, set(fastpath.SIGINT), 0},
			{"setmask all", sigSetmask, s(^fastpath.Sigset(0)), oset, 8, 0, ^fastpath.Unblockable, set(fastpath.SIGINT)},
		}
		for _, c := range cases {
			mem.putU64(oset, 0)
			r := v.sys(th, unix.SYS_RT_SIGPROCMASK, c.how, c.set, c.oset, c.size)
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
				if got := fastpath.Sigset(mem.u64(oset)); c.oset == oset && got != c.old {
					t.Fatalf("%s: oset %x want %x", c.name, got, c.old)
				}
			}
			if c.want == 0 || c.name == "setmask, oset faults after" {
				if got := v.blocked(th); got != c.mask {
					t.Fatalf("%s: mask %x want %x", c.name, got, c.mask)
				}
			}
		}
	})
}

func TestRtSigpending(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		out := mem.alloc(8)
		v.setmask(th, mem, sigBlock, set(fastpath.SIGUSR1, fastpath.SIGRTMIN+1))
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.ok(v.sys(th, unix.SYS_TKILL, 100, fastpath.SIGRTMIN+1), 0)
		v.errno(v.sys(th, unix.SYS_RT_SIGPENDING, out, 9), unix.EINVAL)
		v.errno(v.sys(th, unix.SYS_RT_SIGPENDING, badAddr, 8), unix.EFAULT)
		v.ok(v.sys(th, unix.SYS_RT_SIGPENDING, 0, 0), 0)
		v.ok(v.sys(th, unix.SYS_RT_SIGPENDING, out, 8), 0)
		if got := fastpath.Sigset(mem.u64(out)); got != set(fastpath.SIGUSR1, fastpath.SIGRTMIN+1) {
			t.Fatalf("pending %x", got)
		}
		mem.putU64(out, 0)
		v.ok(v.sys(th, unix.SYS_RT_SIGPENDING, out, 4), 0) // partial copy, as Linux
		if got := mem.u64(out); got != uint64(set(fastpath.SIGUSR1)) {
			t.Fatalf("4-byte pending %x", got)
		}
	})
}

// ppoll & co. swap the mask for the native syscall; Decide restores it
// when no handler runs, and a handler's frame records it instead.
func TestSigmaskSyscalls(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		_ = p
		v.setmask(th, mem, sigSetmask, set(fastpath.SIGUSR1))
		tmp := mem.u64s(uint64(set(fastpath.SIGUSR2)))
		ts := mem.u64s(1, 0)
		badts := mem.u64s(0, 1e9)
		type call struct {
			nr   int
			args []uint64
		}
		calls := []struct {
			name string
			c    call
			want unix.Errno
		}{
			{"ppoll bad size", call{unix.SYS_PPOLL, []uint64{0, 0, ts, tmp, 4}}, unix.EINVAL},
			{"ppoll mask faults", call{unix.SYS_PPOLL, []uint64{0, 0, ts, badAddr, 8}}, unix.EFAULT},
			{"ppoll ts faults", call{unix.SYS_PPOLL, []uint64{0, 0, badAddr, badAddr, 8}}, unix.EFAULT},
			{"ppoll ts invalid", call{unix.SYS_PPOLL, []uint64{0, 0, badts, tmp, 8}}, unix.EINVAL},
			{"pselect6 pack faults", call{unix.SYS_PSELECT6, []uint64{0, 0, 0, 0, 0, badAddr}}, unix.EFAULT},
			{"pselect6 bad size", call{unix.SYS_PSELECT6, []uint64{0, 0, 0, 0, 0, mem.u64s(tmp, 7)}}, unix.EINVAL},
			{"epoll_pwait bad size", call{unix.SYS_EPOLL_PWAIT, []uint64{0, 0, 0, 0, tmp, 9}}, unix.EINVAL},
			{"epoll_pwait2 ts faults", call{unix.SYS_EPOLL_PWAIT2, []uint64{0, 0, 0, badAddr, tmp, 8}}, unix.EFAULT},
		}
		for _, c := range calls {
			v.errno(v.sys(th, c.c.nr, c.c.args...), c.want)
			if got := v.blocked(th); got != set(fastpath.SIGUSR1) {
				t.Fatalf("%s changed the mask to %x", c.name, got)
			}
		}
		oks := []call{
			{unix.SYS_PPOLL, []uint64{0, 0, ts, tmp, 8}},
			{unix.SYS_PSELECT6, []uint64{0, 0, 0, 0, ts, mem.u64s(tmp, 8)}},
			{unix.SYS_EPOLL_PWAIT, []uint64{0, 0, 0, 0, tmp, 8}},
			{unix.SYS_EPOLL_PWAIT2, []uint64{0, 0, 0, ts, tmp, 8}},
		}
		for _, c := range oks {
			r := v.sys(th, c.nr, c.args...)
			if r.Kind != Native {
				t.Fatalf("nr %d: %v", c.nr, r.Kind)
			}
			if got := v.blocked(th); got != set(fastpath.SIGUSR2) {
				t.Fatalf("nr %d: mask during call %x", c.nr, got)
			}
			d := v.e.Decide(th, c.nr, 0, stackSP)
			if d.Act != Resume || d.Ret != 0 || d.Restart() {
				t.Fatalf("nr %d: %+v", c.nr, d)
			}
			if got := v.blocked(th); got != set(fastpath.SIGUSR1) {
				t.Fatalf("nr %d: mask after %x", c.nr, got)
			}
		}
		// NULL sigmask: nothing swapped.
		if r := v.sys(th, unix.SYS_PPOLL, 0, 0, 0, 0, 0); r.Kind != Native {
			t.Fatal(r)
		}
		if th.attn.Load() != 0 {
			t.Fatal("NULL sigmask set the restore flag")
		}
		// A signal blocked normally but unblocked by ppoll's mask
		// interrupts it: the handler runs with the ppoll mask, the
		// frame saves the old one, ppoll returns EINTR.
		v.sigaction(th, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_RESTART, 0)
		if r := v.sys(th, unix.SYS_PPOLL, 0, 0, 0, mem.u64s(0), 8); r.Kind != Native {
			t.Fatal(r)
		}
		if r := v.sys(th, unix.SYS_GETPID); r.Kind != Native {
			t.Fatal("getpid is not emulated")
		}
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		d := v.e.Kicked(th, unix.SYS_PPOLL, RestartCode(unix.SYS_PPOLL), stackSP)
		if d.Act != RunHandler || d.Ret != -int64(unix.EINTR) || d.Restart() {
			t.Fatalf("ppoll interrupted: %+v", d)
		}
		if d.Delivery.SavedMask != set(fastpath.SIGUSR1) || d.Delivery.Mask != set(fastpath.SIGUSR1) {
			t.Fatalf("saved %x mask %x", d.Delivery.SavedMask, d.Delivery.Mask)
		}
	})
}
