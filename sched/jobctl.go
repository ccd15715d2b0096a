package sched

import (
	"siglab/fastpath"
)

// Job control: group stop and continue (kernel/signal.c do_signal_stop,
// prepare_signal's SIGCONT branch, do_notify_parent_cldstop). A stop signal
// dequeued with SIG_DFL starts a group stop; every thread of the process
// stops at its next decision (threads running their own code are kicked,
// blocked waiters are woken); when the last one stops the parent gets
// SIGCHLD with CLD_STOPPED. SIGCONT, at generation, ends the stop, wakes the
// stopped threads and tells the parent CLD_CONTINUED.

// startGroupStop is do_signal_stop()'s first half.
func (e *Emulator) startGroupStop(p *Process, sig int) {
	if p.stopping || p.stopped || p.dying != 0 {
		return
	}
	p.stopSig, p.stopping = sig, true
	if e.jobctl != nil {
		// Native job control: the kernel stops the threads wherever they
		// are, and restarts their native syscalls as it does for any
		// stop; a kick would turn a sleep into EINTR. Waiters in the
		// emulator still wake to stop.
		p.nativeStopped = false
		e.jobctl(p, JobStop, sig)
		for _, t := range p.threads {
			t.setAttn(attnJobctl)
		}
		e.queueWake(p, nil)
		return
	}
	for _, t := range p.threads {
		t.setAttn(attnJobctl)
		t.kickWanted = true
	}
	e.queueWake(p, nil)
}

// participateStop stops t for the group stop in progress; it reports
// whether the thread must stay stopped.
func (e *Emulator) participateStop(t *Thread) bool {
	p := t.proc
	if t.state != Stopped {
		t.state = Stopped
		e.leaveWait(t)
	}
	e.completeStop(p)
	return true
}

// completeStop ends a group stop in progress when every thread has
// stopped (and, under native job control, the real process too):
// SIGNAL_STOP_STOPPED, and the parent is told.
func (e *Emulator) completeStop(p *Process) {
	if !p.stopping || len(p.threads) == 0 || (e.jobctl != nil && !p.nativeStopped) {
		return
	}
	for _, c := range p.threads {
		if c.state != Stopped {
			return
		}
	}
	p.stopping, p.stopped = false, true
	e.notifyParentCldstop(p, fastpath.CLD_STOPPED)
}

// continueProcess is prepare_signal()'s SIGCONT half.
func (e *Emulator) continueProcess(p *Process) {
	if e.jobctl != nil {
		// The real process continues, whether the emulator stopped it or
		// something it never saw did: the terminal's ^Z (SIGTSTP, whose
		// native action is the emulated SIG_DFL) or a stop signal from
		// outside.
		e.jobctl(p, JobCont, fastpath.SIGCONT)
	}
	why := 0
	switch {
	case p.stopped:
		why = fastpath.CLD_CONTINUED
	case p.stopping:
		why = fastpath.CLD_STOPPED // the stop never completed
	default:
		return
	}
	p.stopping, p.stopped = false, false
	if e.jobctl != nil {
		p.nativeStopped = false
		e.resumeNative(p)
	}
	for _, t := range p.threads {
		if t.state == Stopped {
			t.wakeUp()
		}
	}
	e.notifyParentCldstop(p, why)
}

// notifyParentCldstop is do_notify_parent_cldstop(): SIGCHLD to the parent
// unless it ignores SIGCHLD or set SA_NOCLDSTOP.
func (e *Emulator) notifyParentCldstop(p *Process, why int) {
	parent := p.parent
	if parent == nil || parent.zombie {
		return
	}
	a := e.st.Action(parent.slot, fastpath.SIGCHLD)
	if a.Handler == fastpath.SIG_IGN || a.Flags&fastpath.SA_NOCLDSTOP != 0 {
		return
	}
	info := &e.chldInfo
	*info = fastpath.Siginfo{Signo: fastpath.SIGCHLD, Code: int32(why)}
	info.SetSender(p.Pid, p.Cred.Uid)
	if why == fastpath.CLD_CONTINUED {
		info.SetStatus(fastpath.SIGCONT)
	} else {
		info.SetStatus(int32(p.stopSig))
	}
	e.sendSignal(nil, parent, nil, info)
}

// pgrpOrphaned is will_become_orphaned_pgrp(pgrp, NULL): no member has a
// parent in another process group of the same session. A parent outside
// the emulation (the shell that ran siglab) counts as such a parent.
func (e *Emulator) pgrpOrphaned(pgid int32) bool {
	for _, q := range e.procs {
		if q.Pgid != pgid || q.zombie {
			continue
		}
		if q.parent == nil {
			if q.reparented {
				continue // init is in another session
			}
			return false
		}
		if q.parent.Pgid != pgid && q.parent.Sid == q.Sid {
			return false
		}
	}
	return true
}
