package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Disposition is a signal's default action (signal(7), "Signal dispositions").
type Disposition uint8

const (
	Term Disposition = iota // terminate the process
	Core                    // terminate and dump core
	Ign                     // ignore
	Stop                    // stop the process
	Cont                    // continue it if stopped
)

func (d Disposition) String() string {
	return [...]string{"Term", "Core", "Ign", "Stop", "Cont"}[d]
}

// defaultActions is the table of signal(7), "Standard signals"; real-time
// signals default to Term ("The default action for an unhandled real-time
// signal is to terminate the receiving process").
var defaultActions = [fastpath.NSIG + 1]Disposition{
	fastpath.SIGHUP: Term, fastpath.SIGINT: Term, fastpath.SIGQUIT: Core,
	fastpath.SIGILL: Core, fastpath.SIGTRAP: Core, fastpath.SIGABRT: Core,
	fastpath.SIGBUS: Core, fastpath.SIGFPE: Core, fastpath.SIGKILL: Term,
	fastpath.SIGUSR1: Term, fastpath.SIGSEGV: Core, fastpath.SIGUSR2: Term,
	fastpath.SIGPIPE: Term, fastpath.SIGALRM: Term, fastpath.SIGTERM: Term,
	fastpath.SIGSTKFLT: Term, fastpath.SIGCHLD: Ign, fastpath.SIGCONT: Cont,
	fastpath.SIGSTOP: Stop, fastpath.SIGTSTP: Stop, fastpath.SIGTTIN: Stop,
	fastpath.SIGTTOU: Stop, fastpath.SIGURG: Ign, fastpath.SIGXCPU: Core,
	fastpath.SIGXFSZ: Core, fastpath.SIGVTALRM: Term, fastpath.SIGPROF: Term,
	fastpath.SIGWINCH: Ign, fastpath.SIGIO: Term, fastpath.SIGPWR: Term,
	fastpath.SIGSYS: Core,
}

// DefaultAction returns sig's default disposition; sig must be 1..64.
func DefaultAction(sig int) Disposition { return defaultActions[sig] }

// The kernel's sig_kernel_* predicates (include/linux/signal.h).
func sigKernelOnly(sig int) bool   { return sig == fastpath.SIGKILL || sig == fastpath.SIGSTOP }
func sigKernelIgnore(sig int) bool { return defaultActions[sig] == Ign || sig == fastpath.SIGCONT }
func sigKernelStop(sig int) bool   { return defaultActions[sig] == Stop }

var stopSignals = fastpath.SigBit(fastpath.SIGSTOP) | fastpath.SigBit(fastpath.SIGTSTP) |
	fastpath.SigBit(fastpath.SIGTTIN) | fastpath.SigBit(fastpath.SIGTTOU)

// handlerIgnored is sig_handler_ignored(): SIG_IGN, or SIG_DFL for a
// signal whose default is to be ignored.
func handlerIgnored(handler uint64, sig int) bool {
	return handler == fastpath.SIG_IGN || (handler == fastpath.SIG_DFL && sigKernelIgnore(sig))
}

// sigIgnored is sig_ignored() for the task t: blocked signals are never
// ignored ("the signal handler may change by the time it is unblocked"),
// nor are signals a sigtimedwait is waiting for (real_blocked).
func (e *Emulator) sigIgnored(t *Thread, sig int) bool {
	if t != nil {
		if e.st.Blocked(t.slot).Has(sig) || t.wait.realBlocked.Has(sig) {
			return false
		}
	}
	p := t.proc
	return handlerIgnored(e.st.Action(p.slot, sig).Handler, sig)
}

// sigFatal is sig_fatal(): the default action kills and no handler is set.
func (e *Emulator) sigFatal(p *Process, sig int) bool {
	d := defaultActions[sig]
	return (d == Term || d == Core) && e.st.Action(p.slot, sig).Handler == fastpath.SIG_DFL
}

// sendSignal is send_signal_locked(): prepare_signal, queue, then
// complete_signal. target is nil for a process-directed signal. sender is
// the calling thread (nil for the kernel: timers, exits): a thread it
// chooses to wake that is the sender itself needs no wake-up, its own
// Decide will see the signal.
func (e *Emulator) sendSignal(sender *Thread, p *Process, target *Thread, info *fastpath.Siginfo) unix.Errno {
	_, err := e.send(sender, p, target, info)
	return err
}

// send is sendSignal that also reports whether the signal was queued.
func (e *Emulator) send(sender *Thread, p *Process, target *Thread, info *fastpath.Siginfo) (bool, unix.Errno) {
	sig := int(info.Signo)
	task := target
	if task == nil {
		task = p.leader()
	}
	if task == nil || !e.prepareSignal(p, task, sig) {
		return false, 0
	}
	var queued bool
	var err error
	if target != nil {
		queued, err = e.st.SendThread(target.slot, info)
	} else {
		queued, err = e.st.SendProcess(p.slot, info)
	}
	if err != nil {
		// __send_signal_locked: past RLIMIT_SIGPENDING (rlimit.go) a
		// real-time signal sent with a siginfo fails with EAGAIN. (One
		// sent by kill(), SI_USER, and a standard one, are pended without
		// their siginfo by the fastpath, as the kernel does, and never get
		// here.)
		return false, unix.EAGAIN
	}
	if !queued {
		return false, 0 // legacy_queue(): a standard signal already pending
	}
	e.observeQueued(p, target, sig)
	if len(p.signalfds) != 0 {
		e.signalfdsChanged(p)
	}
	e.completeSignal(sender, p, target, sig)
	return true, 0
}

// prepareSignal is prepare_signal(): the side effects of stop signals and
// SIGCONT at generation time, and whether the signal is delivered at all.
func (e *Emulator) prepareSignal(p *Process, task *Thread, sig int) bool {
	if p.dying != 0 || p.zombie {
		// The process is in the middle of dying: drop the signal.
		return false
	}
	switch {
	case sigKernelStop(sig):
		// "This is a stop signal. Remove SIGCONT from all queues."
		e.flushAll(p, fastpath.SigBit(fastpath.SIGCONT))
	case sig == fastpath.SIGCONT:
		// "Remove all stop signals from all queues, wake all threads."
		e.flushAll(p, stopSignals)
		e.continueProcess(p)
	}
	return !e.sigIgnored(task, sig)
}

func (e *Emulator) flushAll(p *Process, set fastpath.Sigset) {
	e.st.FlushProcess(p.slot, set)
	for _, t := range p.threads {
		e.st.FlushThread(t.slot, set)
	}
	if len(p.signalfds) != 0 {
		e.signalfdsChanged(p)
	}
}

// wantsSignal is wants_signal() made deterministic: a thread wants a
// signal it does not block, unless it is exiting or stopped (SIGKILL
// excepted). The kernel also prefers a thread that is running or has
// nothing pending, which depends on timing; the emulator does not.
func (e *Emulator) wantsSignal(t *Thread, sig int) bool {
	if t.state == Exited || e.st.Blocked(t.slot).Has(sig) {
		return false
	}
	if sig == fastpath.SIGKILL {
		return true
	}
	return t.state != Stopped
}

// completeSignal is complete_signal(): find a thread to wake for the new
// signal — the target of a thread-directed signal, else the leader if it
// wants it, else the next thread after curr_target that does — and start a
// group exit at once for a fatal signal nobody handles.
func (e *Emulator) completeSignal(sender *Thread, p *Process, target *Thread, sig int) {
	t := target
	if t == nil {
		if l := p.leader(); l != nil && e.wantsSignal(l, sig) {
			t = l
		} else if n := len(p.threads); n > 0 {
			start := p.currTarget % n
			for i := 0; i < n; i++ {
				c := p.threads[(start+i)%n]
				if e.wantsSignal(c, sig) {
					t = c
					p.currTarget = (start + i) % n
					break
				}
			}
		}
	} else if !e.wantsSignal(t, sig) {
		t = nil
	}
	if t != nil && e.stopAtGeneration(p, target, t, sig) {
		return
	}
	if t == nil {
		// Nobody can take it now; signalfd readers may still want it.
		if p.nBlocked > 0 {
			e.queueWake(p, nil)
		}
		return
	}
	if e.sigFatal(p, sig) && defaultActions[sig] == Term && !t.wait.realBlocked.Has(sig) {
		// The fast group exit of complete_signal: every thread is told
		// to die (the kernel sends each SIGKILL). Core-dumping signals
		// take the ordinary path so one thread dumps; a signal the
		// chosen thread awaits in sigtimedwait (real_blocked) is not
		// fatal.
		e.startGroupExit(p, sig, false)
		return
	}
	if t != sender || p.nBlocked > 0 {
		t.kickWanted = true
		e.queueWake(p, t)
	}
}

// startGroupExit marks the process dying by sig (SIGNAL_GROUP_EXIT) and
// brings every thread back to the emulator to learn it.
func (e *Emulator) startGroupExit(p *Process, sig int, core bool) {
	if p.dying != 0 {
		return
	}
	p.dying, p.dyingCore = sig, core
	if e.jobctl != nil && (p.stopping || p.stopped) {
		// The real process is stopped: it must run to die.
		e.jobctl(p, JobKill, sig)
		e.resumeNative(p)
	}
	p.stopping, p.stopped, p.nativeStopped = false, false, false
	for _, t := range p.threads {
		t.setAttn(attnJobctl)
		t.kickWanted = true
	}
	e.queueWake(p, nil)
}

// sendKernel sends a kernel-generated signal (SEND_SIG_PRIV: si_code
// SI_KERNEL, no sender) to a process or thread.
func (e *Emulator) sendKernel(p *Process, target *Thread, sig int) {
	info := &e.kinfo
	*info = fastpath.Siginfo{Signo: int32(sig), Code: fastpath.SI_KERNEL}
	e.sendSignal(nil, p, target, info)
}

// SendNative routes a signal the kernel generated natively for thread t
// (a fault, SIGPIPE, SIGSYS, ...) into the emulated state. Synchronous
// faults are force_sig_info(): delivered even if blocked or ignored — the
// action is reset to SIG_DFL and the signal unblocked, as
// force_sig_info_to_task does. threadDirected says whether the kernel
// queued it on the thread (faults, SIGPIPE) or its process.
func (e *Emulator) SendNative(t *Thread, info *fastpath.Siginfo, threadDirected bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	sig := int(info.Signo)
	if !fastpath.ValidSignal(sig) {
		return unix.EINVAL
	}
	if t.state == Exited {
		return unix.ESRCH // its slot may be another thread's now
	}
	if fastpath.Synchronous.Has(sig) && info.Code > 0 {
		e.forceSig(t, info)
		return nil
	}
	target := t
	if !threadDirected {
		target = nil
	}
	if err := e.sendSignal(t, t.proc, target, info); err != 0 {
		return err
	}
	return nil
}

// forceSig is force_sig_info_to_task(): a blocked or ignored synchronous
// signal would hang or loop the thread, so its action is reset to SIG_DFL
// (when ignored or blocked) and it is unblocked.
func (e *Emulator) forceSig(t *Thread, info *fastpath.Siginfo) {
	sig := int(info.Signo)
	p := t.proc
	a := e.st.Action(p.slot, sig)
	blocked := e.st.Blocked(t.slot).Has(sig)
	if a.Handler == fastpath.SIG_IGN || blocked {
		a.Handler = fastpath.SIG_DFL
		e.st.SetAction(p.slot, sig, a)
		if blocked {
			fastpath.Unblock(e.st, t.slot, fastpath.SigBit(sig))
		}
	}
	if p.dying == 0 {
		if queued, _ := e.st.SendThread(t.slot, info); queued {
			e.observeQueued(p, t, sig)
			if len(p.signalfds) != 0 {
				e.signalfdsChanged(p)
			}
		}
	}
}
