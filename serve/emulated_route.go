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
//     (a native continue), its emulated form being sched's;
//   - SIGTSTP, SIGTTIN and SIGTTOU (mirroredSignals), whose native action
//     and mask follow the emulated ones instead.
var routedSignals = func() fastpath.Sigset {
	var s fastpath.Sigset
	for sig := 1; sig <= 64; sig++ {
		s |= fastpath.SigBit(sig)
	}
	return s &^ (shimSignals | fastpath.Unblockable | fastpath.SigBit(fastpath.SIGCHLD) |
		fastpath.SigBit(int(unix.SIGCONT)) | mirroredSignals)
}()

// mirroredSignals are the job-control signals the kernel acts on by their
// native action and mask: a native stop by SIGTSTP (emulated stops are
// native, sched's jobctl_native.go) reports SIGTSTP to the parent's
// waitpid only if SIGTSTP itself stopped the process, and the terminal
// driver's tty_check_change() sends SIGTTOU to a background writer unless
// the writer's native mask blocks it or its native action ignores it (Go's
// os/exec relies on that around TIOCSPGRP). Their native action is the
// emulated one, except that a handled one is SIG_IGN natively
// (mirrorJobAction) — and the shim's kernel mask mirrors the
// emulated mask for them (they are not in the route set; the header's
// MirrorSet keeps them unblocked in the shim's own handlers, so a native
// stop stops a thread that is inside the shim).
var mirroredSignals = fastpath.SigBit(int(unix.SIGTSTP)) | fastpath.SigBit(int(unix.SIGTTIN)) | fastpath.SigBit(int(unix.SIGTTOU))

// mirrorJobAction gives the kernel the emulated action of a mirrored
// signal the program just set: SIG_DFL, or SIG_IGN for SIG_IGN and for any
// handler. A native handler would run inside the shim's own handlers,
// where these signals are not blocked; the emulated handler runs for the
// emulated signals (every kill(2) and tgkill(2) of the program is
// emulated), and what the kernel would raise natively — a terminal's
// ^Z, tty_check_change()'s SIGTTOU to a background writer — it then
// treats as ignored: the write proceeds, the handler does not run. The
// emulated result is held until the native call is reported back.
func (a *Emulated) mirrorJobAction(t *Thread, sig int) Reply {
	act := a.st.Action(t.emu.st.Process().Slot(), sig)
	h := act.Handler
	if h != fastpath.SIG_DFL {
		h = fastpath.SIG_IGN
	}
	return nativeAction(t, sig, h, 0)
}

// MirrorSet implements JobMirror.
func (a *Emulated) MirrorSet() fastpath.Sigset { return mirroredSignals }

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
	a.lat.entered(t)
	et := t.emu
	sig := int(info.Signo)
	if et == nil || !routedSignals.Has(sig) {
		return Complete(0)
	}
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
