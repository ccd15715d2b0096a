package serve

import (
	"fmt"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Signals the kernel raises natively, routed into the emulated state
// (shim/csrc/routed.c). Emulated owns every signal of the program, so it
// routes every one the kernel may raise in it or a process outside the
// emulation may send, except:
//
//   - SIGKILL and SIGSTOP, which no handler can catch (the kernel acts on
//     them natively, as it would);
//   - SIGSYS and the kick signal, the shim's own;
//   - SIGCHLD, whose emulated form comes from sched at each managed
//     child's exit or stop (the native one stays at SIG_DFL: ignored, and
//     never interrupting a syscall);
//   - SIGCONT, which the kernel acts on natively wherever it comes from
//     (a native continue), its emulated form being sched's.
var routedSignals = func() fastpath.Sigset {
	var s fastpath.Sigset
	for sig := 1; sig <= 64; sig++ {
		s |= fastpath.SigBit(sig)
	}
	return s &^ (shimSignals | fastpath.Unblockable | fastpath.SigBit(fastpath.SIGCHLD) | fastpath.SigBit(int(unix.SIGCONT)))
}()

// RouteSet implements KernelRouter.
func (a *Emulated) RouteSet() fastpath.Sigset { return routedSignals }

// KernelSignal implements KernelRouter: a signal the kernel raised in t
// natively becomes an emulated one (sched.SendNative). Synchronous faults
// are forced on the thread; the kernel's SIGPIPE and SIGXFSZ, which
// send_sig() queues on the writing thread (PIDTYPE_PID, si_code SI_USER,
// si_pid the thread's own process) and a tgkill's SI_TKILL are
// thread-directed; everything else was sent to the process (kill(2) from
// outside the emulation). The shim's fast path then delivers it.
func (a *Emulated) KernelSignal(t *Thread, info *fastpath.Siginfo, ctx *Context) Reply {
	et := t.emu
	if et == nil {
		return Complete(0)
	}
	sig := int(info.Signo)
	threadDirected := info.Code == fastpath.SI_TKILL
	if (sig == int(unix.SIGPIPE) || sig == int(unix.SIGXFSZ)) && info.Code == fastpath.SI_USER &&
		int32(info.Fields[0]) == t.Pid {
		threadDirected = true
	}
	if a.trace != nil {
		a.trace.event(t, "send", fmt.Sprintf("%s from the kernel code=%d rip=%#x", sigName(sig), info.Code, ctx.Rip))
	}
	if err := a.e.SendNative(et.st, info, threadDirected); err != nil {
		return Complete(0)
	}
	rep := Complete(0)
	// A forced fault may have unblocked its signal.
	rep.SetMask, rep.Mask = true, a.st.Blocked(et.st.Slot())
	return rep
}

var _ KernelRouter = (*Emulated)(nil)
