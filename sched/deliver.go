package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Act is what the shim must do after a decision.
type Act uint8

const (
	// Resume: write Decision.Ret (or restart the syscall) and go on.
	Resume Act = iota
	// RunHandler: build a signal frame from Decision.Delivery and enter
	// the handler (after applying Ret/Restart to the saved registers).
	RunHandler
	// StopThread: the process is stopped; wait on Thread.Wake, then call
	// Decide again with the same arguments.
	StopThread
	// Die: the process terminates by Decision.Signal (with a core dump if
	// Decision.Core): the shim kills it natively with that signal so its
	// parent sees exactly that, then reports ProcessExit.
	Die
)

func (a Act) String() string { return [...]string{"resume", "handler", "stop", "die"}[a] }

// Decision is the delivery decision at a SYSCALL_COMPLETE or a kick.
//
// It has four fields so that the compiler keeps it in registers: the fast
// path returns it in about a nanosecond, where a six-field struct is built
// in memory and costs several. Restart, Core and Signal are packed in bits.
type Decision struct {
	// Ret is the value for rax when the thread resumes (or, in the frame,
	// the value the interrupted context holds). When Restart() is set, Ret
	// is the syscall number to re-execute: the original one, or
	// SYS_restart_syscall; the shim moves the instruction pointer back over
	// the syscall instruction (arch/x86/kernel/signal.c, "regs->ip -= 2").
	Ret int64
	// Delivery, for RunHandler, points into the thread and stays valid
	// until the thread's next call into the emulator.
	Delivery *Delivery
	Act      Act
	bits     uint32 // decRestart | decCore | signal<<8
}

const (
	decRestart = 1 << 0
	decCore    = 1 << 1
)

// Restart reports whether the interrupted syscall is to be re-executed.
func (d Decision) Restart() bool { return d.bits&decRestart != 0 }

// Core reports whether the fatal signal of Die dumps core.
func (d Decision) Core() bool { return d.bits&decCore != 0 }

// Signal is the fatal signal, for Die.
func (d Decision) Signal() int { return int(d.bits >> 8) }

func dieDecision(sig int, core bool, ret int64) Decision {
	d := Decision{Act: Die, Ret: ret, bits: uint32(sig) << 8}
	if core {
		d.bits |= decCore
	}
	return d
}

func (d *Decision) setRestart(ret int64, restart bool) {
	d.Ret = ret
	if restart {
		d.bits |= decRestart
	}
}

// Delivery is everything the shim needs to build a kernel-compatible
// rt_sigframe (arch/x86/kernel/signal_64.c, x64_setup_rt_frame) and enter a
// handler. The emulator has already applied its side effects: the thread's
// mask is now Mask, SA_RESETHAND reset the action, SS_AUTODISARM disarmed
// the alternate stack.
type Delivery struct {
	Signal   int
	Info     fastpath.Siginfo // frame->info (copied only if SA_SIGINFO, as the kernel does)
	Handler  uint64
	Restorer uint64 // the return address pushed for the handler (sa_restorer)
	Flags    uint64 // sa_flags as installed
	// SavedMask goes in uc_sigmask: the mask rt_sigreturn restores
	// (sigmask_to_save(): the mask a ppoll/rt_sigsuspend replaced, else
	// the mask at delivery).
	SavedMask fastpath.Sigset
	// Mask is the blocked mask while the handler runs: the mask at
	// delivery | sa_mask | the signal unless SA_NODEFER
	// (signal_delivered()).
	Mask fastpath.Sigset
	// StackTop is where the frame goes: the top of the alternate stack
	// when the handler switches to it, else the interrupted SP (from which
	// the shim skips the 128-byte red zone, as get_sigframe does).
	StackTop uint64
	// OnAltStack: the frame is on the alternate stack (switched to, or
	// already on it); the red zone is then not skipped at the top.
	OnAltStack bool
	// UcStack is uc_stack (__save_altstack): the thread's alternate
	// stack settings at delivery, before SS_AUTODISARM.
	UcStack fastpath.Stack
}

// Decide is the delivery decision, called at every SYSCALL_COMPLETE with
// the syscall's number (-1 when not returning from a syscall) and raw
// result, and the thread's stack pointer. Its fast path — nothing
// deliverable, no restart code, no job control or saved mask — is three
// lock-free loads plus the thread's attention word, and returns ret
// untouched. Call it from the thread's own goroutine.
func (e *Emulator) Decide(t *Thread, nr int, ret int64, sp uint64) Decision {
	if t.attn.Load() == 0 && !isRestart(ret) && !t.hot.Deliverable() {
		return Decision{Ret: ret}
	}
	return e.decide(t, nr, ret, sp, false)
}

// Kicked is the decision for a thread that came back because of a kick:
// from its own code (nr = -1) or from a native syscall the kick interrupted
// (ret = RestartCode(nr)). It clears the outstanding-kick flag.
func (e *Emulator) Kicked(t *Thread, nr int, ret int64, sp uint64) Decision {
	return e.decide(t, nr, ret, sp, true)
}

// decide is get_signal() plus arch_do_signal_or_restart(): dequeue until a
// signal needs the thread (a handler, a stop, death) or none is left, then
// apply the restart rules.
func (e *Emulator) decide(t *Thread, nr int, ret int64, sp uint64, kicked bool) Decision {
	e.mu.Lock()
	defer e.mu.Unlock()
	if kicked {
		t.kicked = false
	}
	p := t.proc
	switch t.state {
	case Exited:
		return dieDecision(p.dying, p.dyingCore, ret)
	case Blocked:
		// A shim bug (deciding for a thread still waiting): change
		// nothing.
		return Decision{Ret: ret}
	}
	for {
		if p.dying != 0 {
			return dieDecision(p.dying, p.dyingCore, ret)
		}
		if p.stopping || p.stopped {
			if e.participateStop(t) {
				return Decision{Act: StopThread, Ret: ret}
			}
		} else if t.state == Stopped {
			t.state = Running
		}
		t.clearAttn(attnJobctl)
		if t.state != Running {
			t.state = Running
		}

		info := &t.delivery.Info
		sig := e.dequeue(t, e.st.Blocked(t.slot), info)
		if sig == 0 {
			break
		}
		ka := e.st.Action(p.slot, sig)
		if ka.Handler == fastpath.SIG_IGN {
			continue
		}
		if ka.Handler != fastpath.SIG_DFL {
			if ka.Flags&fastpath.SA_RESETHAND != 0 {
				// get_signal: "if (ka->sa.sa_flags & SA_ONESHOT)
				// ka->sa.sa_handler = SIG_DFL" (flags are kept).
				r := ka
				r.Handler = fastpath.SIG_DFL
				e.st.SetAction(p.slot, sig, r)
			}
			d := Decision{Act: RunHandler, Ret: ret}
			if nr >= 0 && isRestart(ret) {
				d.setRestart(restartWithHandler(nr, ret, ka.Flags))
			}
			if ka.Flags&fastpath.SA_RESTORER == 0 {
				// x64_setup_rt_frame: no restorer → -EFAULT →
				// signal_setup_done(failed) → force_sigsegv().
				e.forceSigsegv(t, sig)
				nr, ret = -1, d.Ret
				continue
			}
			e.setupFrame(t, sig, ka, sp)
			d.Delivery = &t.delivery
			return d
		}
		switch defaultActions[sig] {
		case Ign, Cont:
			continue
		case Stop:
			// get_signal: TSTP/TTIN/TTOU are discarded in an orphaned
			// process group ("POSIX 3.3.1.3").
			if sig != fastpath.SIGSTOP && e.pgrpOrphaned(p.Pgid) {
				continue
			}
			e.startGroupStop(p, sig)
			continue
		default: // Term, Core
			e.startGroupExit(p, sig, defaultActions[sig] == Core)
			return dieDecision(sig, defaultActions[sig] == Core, ret)
		}
	}
	d := Decision{Ret: ret}
	if nr >= 0 && isRestart(ret) {
		d.setRestart(restartNoHandler(nr, ret))
	}
	// restore_saved_sigmask(): no handler ran, so the mask a
	// rt_sigsuspend or ppoll swapped in goes away now.
	if t.attn.Load()&attnRestoreMask != 0 {
		t.clearAttn(attnRestoreMask)
		e.setBlocked(t, t.savedMask)
	}
	return d
}

// setupFrame fills t.delivery and applies the delivery's side effects:
// the altstack choice (get_sigframe/sigsp, __save_altstack and
// SS_AUTODISARM), the handler's mask (signal_delivered), and the saved mask
// for the frame (sigmask_to_save, clearing TIF_RESTORE_SIGMASK).
func (e *Emulator) setupFrame(t *Thread, sig int, ka fastpath.Sigaction, sp uint64) {
	d := &t.delivery
	d.Signal = sig
	d.Info.Signo = int32(sig)
	d.Handler, d.Restorer, d.Flags = ka.Handler, ka.Restorer, ka.Flags

	cur := e.st.Blocked(t.slot)
	d.SavedMask = cur
	if t.attn.Load()&attnRestoreMask != 0 {
		d.SavedMask = t.savedMask
		t.clearAttn(attnRestoreMask)
	}

	as := e.st.AltStack(t.slot)
	d.UcStack = as
	d.StackTop, d.OnAltStack = sp, onSigStack(as, sp)
	if ka.Flags&fastpath.SA_ONSTACK != 0 && sasSSFlags(as, sp) == 0 {
		d.StackTop, d.OnAltStack = as.SP+as.Size, true
	}
	if uint32(as.Flags)&ssAutodisarm != 0 {
		e.st.SetAltStack(t.slot, fastpath.DisabledStack) // sas_ss_reset()
	}

	mask := cur | ka.Mask
	if ka.Flags&fastpath.SA_NODEFER == 0 {
		mask |= fastpath.SigBit(sig)
	}
	d.Mask = mask &^ fastpath.Unblockable
	e.setBlocked(t, d.Mask)
	t.restart = restartBlock{} // a handler runs: the restart block is void
}

// forceSigsegv is force_sigsegv(): a frame could not be set up for sig.
func (e *Emulator) forceSigsegv(t *Thread, sig int) {
	if sig == fastpath.SIGSEGV {
		a := e.st.Action(t.proc.slot, sig)
		a.Handler = fastpath.SIG_DFL
		e.st.SetAction(t.proc.slot, sig, a)
	}
	var info fastpath.Siginfo
	info.Signo = fastpath.SIGSEGV
	info.Code = fastpath.SI_KERNEL
	e.forceSig(t, &info)
}

// FrameFailed reports that the shim could not write the frame of the
// delivery it was given (the stack is unmapped, or runs off the alternate
// stack): the kernel's signal_setup_done(failed) → force_sigsegv(). The
// thread then calls Decide(t, -1, 0, sp) to learn what follows.
func (e *Emulator) FrameFailed(t *Thread, sig int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !fastpath.ValidSignal(sig) {
		sig = fastpath.SIGSEGV
	}
	e.forceSigsegv(t, sig)
}

// setBlocked is set_current_blocked() → __set_task_blocked(): signals the
// thread now blocks that are pending for the whole process are retargeted
// to a thread that can take them (retarget_shared_pending).
func (e *Emulator) setBlocked(t *Thread, mask fastpath.Sigset) {
	mask &^= fastpath.Unblockable
	old := e.st.Blocked(t.slot)
	e.st.SetBlocked(t.slot, mask)
	newly := mask &^ old
	if newly == 0 {
		return
	}
	_, shared := e.st.Pending(t.slot)
	if retarget := shared & newly; retarget != 0 {
		e.retargetShared(t, retarget)
	}
}

// retargetShared is retarget_shared_pending(): wake another thread for each
// process-pending signal the exiting or masking thread no longer takes.
func (e *Emulator) retargetShared(t *Thread, set fastpath.Sigset) {
	p := t.proc
	for _, c := range p.threads {
		if c == t || c.state == Exited {
			continue
		}
		if set&^e.st.Blocked(c.slot) != 0 {
			set &= e.st.Blocked(c.slot)
			c.kickWanted = true
			e.queueWake(p, c)
			if set == 0 {
				return
			}
		}
	}
}

// dequeue is dequeue_signal(): Take plus the POSIX-timer bookkeeping of
// posixtimer_deliver_signal (si_overrun filled in, stale timer signals of a
// re-armed or deleted timer dropped).
func (e *Emulator) dequeue(t *Thread, mask fastpath.Sigset, info *fastpath.Siginfo) int {
	for {
		shared := e.queues != nil && e.takesShared(t, mask)
		sig := e.st.Take(t.slot, mask, info)
		if sig == 0 {
			return 0
		}
		e.observeDequeued(t, sig, shared)
		if len(t.proc.signalfds) != 0 {
			e.signalfdsChanged(t.proc)
		}
		if info.Code == fastpath.SI_TIMER && !e.timerDelivered(t.proc, info) {
			continue
		}
		return sig
	}
}

// onSigStack is on_sig_stack(): is sp on the alternate stack? A stack
// armed with SS_AUTODISARM never counts (the kernel cannot tell).
func onSigStack(as fastpath.Stack, sp uint64) bool {
	if uint32(as.Flags)&ssAutodisarm != 0 {
		return false
	}
	return sp > as.SP && sp-as.SP <= as.Size
}

// sasSSFlags is sas_ss_flags(): SS_DISABLE, SS_ONSTACK or 0.
func sasSSFlags(as fastpath.Stack, sp uint64) int32 {
	if as.Size == 0 {
		return fastpath.SS_DISABLE
	}
	if onSigStack(as, sp) {
		return fastpath.SS_ONSTACK
	}
	return 0
}

var _ = unix.EINTR

// ssAutodisarm is SS_AUTODISARM as the uint32 bit it is in stack_t.ss_flags.
const ssAutodisarm = uint32(fastpath.SS_AUTODISARM)
