package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Waits: a thread blocked in an emulated syscall. The kernel sleeps in
// TASK_INTERRUPTIBLE and is woken by signal_wake_up(); here the thread's
// goroutine waits on Thread.Wake and the wait completes under the lock when
// its condition holds, evaluated by recheckWait at every deliver-signal
// event for the process, at a timeout, and at job-control changes.

type waitKind uint8

const (
	waitNone     waitKind = iota
	waitSuspend           // rt_sigsuspend, pause: any deliverable signal
	waitTimed             // rt_sigtimedwait: a signal of set, another deliverable one, or the timeout
	waitSignalfd          // read(2) of a signalfd: a signal of set pending, or a deliverable one
)

type waitState struct {
	kind waitKind
	set  fastpath.Sigset
	// realBlocked is the kernel's real_blocked: the mask before
	// rt_sigtimedwait unblocked the signals it waits for.
	realBlocked fastpath.Sigset
	addr        uint64 // rt_sigtimedwait's uinfo
	count       int    // signalfd: siginfos that fit in the buffer (Thread.iov)
	timeout     *event
	timedOut    bool
	done        bool
	result      int64
}

// block puts t to sleep in the emulator.
func (e *Emulator) block(t *Thread, kind waitKind) Result {
	t.wait.kind = kind
	t.wait.done = false
	t.wait.timedOut = false
	t.state = Blocked
	t.proc.nBlocked++
	return blocked()
}

// interrupted reports whether something other than the awaited signals
// must end t's wait: a deliverable signal, or job control (signal(7): a
// stop and SIGCONT make sigtimedwait fail with EINTR).
func (e *Emulator) interrupted(t *Thread) bool {
	p := t.proc
	return p.dying != 0 || p.stopping || p.stopped || t.hot.Deliverable()
}

// recheckWait evaluates a blocked thread's wake condition and completes its
// wait if it holds.
func (e *Emulator) recheckWait(t *Thread) {
	if t.state != Blocked || t.wait.done {
		return
	}
	w := &t.wait
	switch w.kind {
	case waitSuspend:
		if !e.interrupted(t) {
			return
		}
		e.finishWait(t, -ERESTARTNOHAND)
	case waitTimed:
		if sig := e.takeTimedwait(t); sig != 0 {
			return // finished by takeTimedwait
		}
		switch {
		case e.interrupted(t):
			e.finishWait(t, errno(unix.EINTR))
		case w.timedOut:
			e.finishWait(t, errno(unix.EAGAIN))
		}
	case waitSignalfd:
		if n := e.readSignalfd(t, w.set, t.iov, w.count); n != 0 {
			e.finishWait(t, n)
			return
		}
		if e.interrupted(t) {
			e.finishWait(t, -ERESTARTSYS)
		}
	}
}

// finishWait completes the wait with result and wakes the thread.
func (e *Emulator) finishWait(t *Thread, result int64) {
	e.leaveWait(t)
	t.wait.done = true
	t.wait.result = result
	if t.state != Exited { // as in Resume
		t.state = InSyscall
	}
	t.wakeUp()
}

// leaveWait undoes what blocking changed: the blocked count, the timeout,
// and for rt_sigtimedwait the mask (__set_task_blocked(real_blocked)).
func (e *Emulator) leaveWait(t *Thread) {
	w := &t.wait
	if w.kind == waitNone || w.done {
		return
	}
	t.proc.nBlocked--
	if w.timeout != nil {
		e.events.remove(w.timeout)
		e.events.release(w.timeout)
		w.timeout = nil
	}
	if w.kind == waitTimed {
		e.setBlocked(t, w.realBlocked)
		w.realBlocked = 0
	}
	w.done = true
	w.result = errno(unix.EINTR)
}

// Resume is called by the thread's goroutine after Wake fired following a
// Wait result: the completed Result, or Wait again if the wake-up
// was for something else.
func (e *Emulator) Resume(t *Thread) Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	w := &t.wait
	if w.kind == waitNone {
		return fail(unix.EINVAL)
	}
	if !w.done {
		return blocked()
	}
	r := w.result
	*w = waitState{}
	// A thread removed while it waited (its process's exit, another
	// thread's execve: removeThread) stays Exited: its slot is free, maybe
	// another thread's already, and a later ThreadExit must find it gone.
	if t.state != Exited {
		t.state = Running
	}
	return done(r)
}
