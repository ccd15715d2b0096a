package sched

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Kernel-generated signals routed in by the shim: a fault is forced
// through a blocked or ignored SIGSEGV (force_sig_info_to_task), SIGPIPE
// is an ordinary thread-directed signal.
func TestSendNative(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		v.sigaction(th, mem, fastpath.SIGSEGV, fastpath.SIG_IGN, 0, 0)
		v.setmask(th, mem, sigBlock, set(fastpath.SIGSEGV, fastpath.SIGPIPE))
		var info fastpath.Siginfo
		info.Signo, info.Code = fastpath.SIGPIPE, fastpath.SI_USER
		if err := v.e.SendNative(th, &info, true); err != nil {
			t.Fatal(err)
		}
		if tp, _ := v.pending(th); !tp.Has(fastpath.SIGPIPE) {
			t.Fatal("SIGPIPE not pending on the thread")
		}
		info = fastpath.Siginfo{Signo: fastpath.SIGSEGV, Code: 1 /* SEGV_MAPERR */}
		info.SetAddr(0xdead)
		if err := v.e.SendNative(th, &info, true); err != nil {
			t.Fatal(err)
		}
		if v.blocked(th).Has(fastpath.SIGSEGV) || v.action(p, fastpath.SIGSEGV).Handler != fastpath.SIG_DFL {
			t.Fatal("fault not forced")
		}
		d := v.e.Decide(th, -1, 0, stackSP)
		if d.Act != Die || d.Signal() != fastpath.SIGSEGV || !d.Core() {
			t.Fatalf("%+v", d)
		}
		bad := fastpath.Siginfo{Signo: 99}
		if err := v.e.SendNative(th, &bad, false); err == nil {
			t.Fatal("signal 99 accepted")
		}
	})
}

// A frame the shim could not write: SIGSEGV, whose own handler is reset
// if it was the one being delivered.
func TestFrameFailed(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		v.sigaction(th, mem, fastpath.SIGSEGV, handlerAddr, 0, 0)
		v.e.FrameFailed(th, fastpath.SIGSEGV)
		if v.action(p, fastpath.SIGSEGV).Handler != fastpath.SIG_DFL {
			t.Fatal("SIGSEGV handler kept")
		}
		if d := v.e.Decide(th, -1, 0, stackSP); d.Act != Die || d.Signal() != fastpath.SIGSEGV {
			t.Fatalf("%+v", d)
		}
	})
}

func TestKillMoreErrors(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, m1 := v.proc(100, 0)
		other, t2, _ := v.proc(200, 0)
		v.e.SetCred(other, Cred{Uid: 5, Euid: 5, Suid: 5})
		si := m1.alloc(128)
		m1.put(si, siginfoBytes(0, fastpath.SI_QUEUE))
		v.errno(v.sys(t1, unix.SYS_TKILL, 200, fastpath.SIGUSR1), unix.EPERM)
		v.errno(v.sys(t1, unix.SYS_TGKILL, 200, 200, 0), unix.EPERM)
		v.errno(v.sys(t1, unix.SYS_RT_SIGQUEUEINFO, 999, 40, si), unix.ESRCH)
		v.errno(v.sys(t1, unix.SYS_RT_SIGQUEUEINFO, 200, 40, si), unix.EPERM)
		// root may signal anyone.
		v.e.SetCred(t1.proc, Cred{})
		v.ok(v.sys(t1, unix.SYS_TKILL, 200, 0), 0)
		// A thread's tid names its process for kill(2).
		t1b := v.thread(t1, 101)
		v.setmask(t1, m1, sigBlock, set(fastpath.SIGUSR2))
		v.setmask(t1b, m1, sigBlock, set(fastpath.SIGUSR2))
		v.errno(v.sys(t2, unix.SYS_KILL, 101, 0), unix.EPERM) // uid 5 → root
		v.ok(v.sys(t1, unix.SYS_KILL, 101, fastpath.SIGUSR2), 0)
		if _, pp := v.pending(t1); !pp.Has(fastpath.SIGUSR2) {
			t.Fatal("kill(tid) is not process-directed")
		}
		// An exec'd close-on-exec signalfd is gone.
		if v.signalfd(t1, m1, 1, unix.SFD_CLOEXEC) != 3 || v.signalfd(t1, m1, 1, 0) != 4 {
			t.Fatal("signalfd numbers")
		}
		if err := v.e.Exec(t1); err != nil {
			t.Fatal(err)
		}
		if r := v.sys(t1, unix.SYS_READ, 3, 0, 128); r.Kind != Native {
			t.Fatal("cloexec signalfd survived exec")
		}
		v.errno(v.sys(t1, unix.SYS_READ, 4, 0, 1), unix.EINVAL)
		if r := v.sys(t1, unix.SYS_CLOSE, 4); r.Kind != Native {
			t.Fatal(r)
		}
		if r := v.sys(t1, unix.SYS_READ, 4, 0, 1); r.Kind != Native {
			t.Fatal("closed signalfd still emulated")
		}
	})
}
