package sched

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

func TestRtSigaction(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		act := mem.u64s(handlerAddr, fastpath.SA_SIGINFO|fastpath.SA_RESTORER|0x00200000 /* unknown */ |fastpath.SA_UNSUPPORTED,
			0xdead0000, uint64(set(fastpath.SIGUSR2, fastpath.SIGKILL, fastpath.SIGSTOP)))
		oact := mem.alloc(32)
		cases := []struct {
			name           string
			sig, act, oact uint64
			size           uint64
			want           unix.Errno
		}{
			{"bad sigsetsize", fastpath.SIGUSR1, act, 0, 4, unix.EINVAL},
			{"sig 0", 0, 0, oact, 8, unix.EINVAL},
			{"sig 65", 65, 0, oact, 8, unix.EINVAL},
			{"negative sig", uint64(0xffffffff), 0, oact, 8, unix.EINVAL},
			{"act faults first", 65, badAddr, oact, 8, unix.EFAULT},
			{"SIGKILL set", fastpath.SIGKILL, act, 0, 8, unix.EINVAL},
			{"SIGSTOP set", fastpath.SIGSTOP, act, 0, 8, unix.EINVAL},
			{"SIGKILL query", fastpath.SIGKILL, 0, oact, 8, 0},
			{"oact faults", fastpath.SIGUSR1, 0, badAddr, 8, unix.EFAULT},
			{"set", fastpath.SIGUSR1, act, 0, 8, 0},
			{"query", fastpath.SIGUSR1, 0, oact, 8, 0},
		}
		for _, c := range cases {
			r := v.sys(th, unix.SYS_RT_SIGACTION, c.sig, c.act, c.oact, c.size)
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
			}
		}
		got := decodeSigaction(mem.get(oact, 32))
		want := fastpath.Sigaction{Handler: handlerAddr, Flags: fastpath.SA_SIGINFO | fastpath.SA_RESTORER,
			Restorer: 0xdead0000, Mask: set(fastpath.SIGUSR2)}
		if got != want {
			t.Fatalf("oact = %+v, want %+v (unknown flags cleared, SIGKILL/SIGSTOP out of sa_mask)", got, want)
		}
		if a := v.action(p, fastpath.SIGUSR1); a != want {
			t.Fatalf("stored %+v", a)
		}
	})
}

// Setting SIG_IGN discards a pending signal even if blocked (POSIX
// 3.3.1.3); SIG_DFL does for a default-ignored one.
func TestRtSigactionIgnoreFlushes(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		v.setmask(th, mem, sigBlock, set(fastpath.SIGUSR1, fastpath.SIGURG))
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.ok(v.sys(th, unix.SYS_TGKILL, 100, 100, fastpath.SIGURG), 0)
		if tp, pp := v.pending(th); tp|pp != set(fastpath.SIGUSR1, fastpath.SIGURG) {
			t.Fatalf("pending %x", tp|pp)
		}
		v.sigaction(th, mem, fastpath.SIGUSR1, fastpath.SIG_IGN, 0, 0)
		v.sigaction(th, mem, fastpath.SIGURG, fastpath.SIG_DFL, 0, 0)
		if tp, pp := v.pending(th); tp|pp != 0 {
			t.Fatalf("pending after SIG_IGN: %x", tp|pp)
		}
		_ = p
	})
}
