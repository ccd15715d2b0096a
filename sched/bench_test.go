package sched

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Benchmarks of the emulator's share of a signal syscall, excluding IPC,
// on the layout named by -layout (main_test.go). Steady state allocates
// nothing; b.ReportAllocs makes that visible.

func benchEnv(b *testing.B) (*env, *Thread, *fakeMem) {
	v := newEnv(b, *layoutFlag)
	_, th, mem := v.proc(100, 0)
	return v, th, mem
}

// BenchmarkSigprocmask: rt_sigprocmask(SIG_SETMASK, &set, &old, 8),
// alternating between two masks so every call changes the mask.
func BenchmarkSigprocmask(b *testing.B) {
	v, th, mem := benchEnv(b)
	sets := [2]uint64{mem.u64s(uint64(set(fastpath.SIGUSR1))), mem.u64s(uint64(set(fastpath.SIGUSR2)))}
	old := mem.alloc(8)
	var c Call
	c.Nr, c.SP = unix.SYS_RT_SIGPROCMASK, stackSP
	c.Args = [6]uint64{sigSetmask, 0, old, 8}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Args[1] = sets[i&1]
		if r := v.e.Syscall(th, &c); r.Ret != 0 {
			b.Fatal(r)
		}
	}
}

// BenchmarkTgkill: tgkill(pid, tid, SIGURG) to the calling thread, which
// blocks SIGURG, queueing a fresh signal every time: each op is the
// syscall plus a FlushThread (a few ns, fastpath's) that empties the
// pending set again, so the send never coalesces.
func BenchmarkTgkill(b *testing.B) {
	v, th, mem := benchEnv(b)
	v.setmask(th, mem, sigBlock, set(fastpath.SIGURG))
	var c Call
	c.Nr, c.SP = unix.SYS_TGKILL, stackSP
	c.Args = [6]uint64{100, 100, fastpath.SIGURG}
	st := v.e.st
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := v.e.Syscall(th, &c); r.Ret != 0 {
			b.Fatal(r)
		}
		st.FlushThread(th.slot, fastpath.SigBit(fastpath.SIGURG))
	}
}

// BenchmarkDecide: the delivery decision at SYSCALL_COMPLETE. none: the
// fast path. one: a pending SIGURG with a Go-style handler (SA_SIGINFO|
// SA_ONSTACK|SA_RESTART, sa_mask all ones) is picked, its frame decided
// and the mask restored as rt_sigreturn would — the slow path in full; the
// signal is re-queued directly through fastpath each op.
func BenchmarkDecide(b *testing.B) {
	b.Run("pending=none", func(b *testing.B) {
		v, th, _ := benchEnv(b)
		e := v.e
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if d := e.Decide(th, unix.SYS_GETPID, 100, stackSP); d.Act != Resume {
				b.Fatal(d)
			}
		}
	})
	b.Run("pending=one", func(b *testing.B) {
		v, th, mem := benchEnv(b)
		v.sigaction(th, mem, fastpath.SIGURG, handlerAddr,
			fastpath.SA_SIGINFO|fastpath.SA_ONSTACK|fastpath.SA_RESTART, ^fastpath.Sigset(0))
		var info fastpath.Siginfo
		info.Signo, info.Code = fastpath.SIGURG, fastpath.SI_TKILL
		st := v.e.st
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			st.SendThread(th.slot, &info)
			d := v.e.Decide(th, unix.SYS_GETPID, 100, stackSP)
			if d.Act != RunHandler {
				b.Fatal(d)
			}
			st.SetBlocked(th.slot, d.Delivery.SavedMask)
		}
	})
}
