package sched

import "siglab/fastpath"

// Native job control (Config.JobControl). The emulated group stop is
// mirrored by a real one: the emulator stops the real process with SIGSTOP
// when the group stop begins and continues it with SIGCONT. That is what
// makes an emulated stop exact where the emulator cannot see: a thread
// asleep in a native syscall is stopped by the kernel and its syscall
// restarted by the kernel's own rules when it continues (a nanosleep
// sleeps on through its restart block), where a kick would have turned
// the sleep into EINTR; and a parent's native waitpid(WUNTRACED) or
// waitid(WCONTINUED) sees the stop and the continue, because they are real.
//
// The group stop completes — CLD_STOPPED to the parent — only when the
// real process is stopped (StoppedNatively) and every emulated thread
// has stopped: threads running their own code or asleep natively count
// as stopped then; threads asleep in the emulator stop at their wake-up,
// as always.

// JobEvent is what Config.JobControl is asked to do.
type JobEvent int

const (
	// JobStop: a group stop began; stop the real process (SIGSTOP) and
	// call StoppedNatively once every thread of it is stopped.
	JobStop JobEvent = iota
	// JobCont: the process continues; continue the real one (SIGCONT).
	JobCont
	// JobKill: the process dies of sig while stopped; the real process
	// must run to die (SIGKILL dies natively; any other fatal signal is
	// delivered by the shim once the process runs).
	JobKill
)

// StoppedNatively tells the emulator that the real process behind p has
// stopped for the group stop JobStop announced: its threads that were not
// in the emulator count as stopped, and the stop completes if nothing else
// is left. It does nothing if the stop is no longer in progress (the
// process continued or is dying).
func (e *Emulator) StoppedNatively(p *Process) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !p.stopping || p.dying != 0 || p.zombie {
		return
	}
	p.nativeStopped = true
	for _, t := range p.threads {
		if t.state == Running {
			t.state, t.stoppedNatively = Stopped, true
		}
	}
	e.completeStop(p)
}

// resumeNative is the other half: when the process continues or dies, the
// threads StoppedNatively stopped run again (no goroutine of theirs waits
// on Wake: they were never in the emulator), and may be kicked.
func (e *Emulator) resumeNative(p *Process) {
	for _, t := range p.threads {
		if t.stoppedNatively {
			t.stoppedNatively = false
			if t.state == Stopped {
				t.state = Running
			}
			// It took part in the stop natively: nothing of the stop
			// is left for it to learn, and a kick for that alone would
			// make its native sleep fail with EINTR. A deliverable
			// signal still kicks it (deliverWake).
			t.clearAttn(attnJobctl)
			// Its channel's goroutine may have joined the stop after
			// all (a request in flight): it waits on Wake.
			t.wakeUp()
			t.kickWanted = true
		}
	}
	// The kicks happen at the deliver-signal event: a signal that waited
	// for the continue (a stopped thread takes only SIGKILL) is now due.
	e.queueWake(p, nil)
}

// stopAtGeneration starts, under native job control, the group stop of a
// stop signal with its default action as it is sent, when thread t takes
// it: the kernel would stop the process when t dequeues it, which for a
// thread asleep in a native syscall means interrupting the sleep — the
// emulator's kick would make that an EINTR the kernel never returns. The
// signal leaves the queue it was put on. (A SIGTSTP, SIGTTIN or SIGTTOU of
// an orphaned process group, which get_signal discards, takes the ordinary
// path.)
func (e *Emulator) stopAtGeneration(p *Process, target, t *Thread, sig int) bool {
	if e.jobctl == nil || !sigKernelStop(sig) || p.dying != 0 {
		return false
	}
	if t.state == Blocked && t.wait.kind == waitTimed && t.wait.set.Has(sig) {
		// t awaits it in rt_sigtimedwait: it takes it, nothing stops.
		return false
	}
	if a := e.st.Action(p.slot, sig); a.Handler != fastpath.SIG_DFL {
		return false
	}
	if sig != fastpath.SIGSTOP && e.pgrpOrphaned(p.Pgid) {
		return false
	}
	bit := fastpath.SigBit(sig)
	if target != nil {
		e.st.FlushThread(target.slot, bit)
	} else {
		e.st.FlushProcess(p.slot, bit)
	}
	if len(p.signalfds) != 0 {
		e.signalfdsChanged(p)
	}
	e.startGroupStop(p, sig)
	return true
}
