package serve

import (
	"golang.org/x/sys/unix"

	"siglab/sched"
)

// How a managed process's end reaches sched: from the exit watcher (a
// pidfd per process, readable when the whole thread group is gone) or,
// first, from a native wait that reaped it or found it gone — the kernel
// has sent each exited child's SIGCHLD before a wait can see the child,
// and the emulator must have too by the time the wait returns.

// reaped mirrors a native wait that reaped child pid: sched learns the
// child's end now if the exit watcher has not told it yet (the status
// from the wait itself), then reaps the zombie, so that kill(pid, 0)
// fails with ESRCH right after waitpid as it does natively. Stops and
// continues (WUNTRACED, WCONTINUED) and WNOWAIT reap nothing.
func (a *Emulated) reaped(t *Thread, pid int32, statusAddr, options uint64, waitid bool) {
	const wnowait = 0x01000000
	if options&wnowait != 0 {
		return
	}
	a.mu.Lock()
	ep := a.procs[pid]
	a.mu.Unlock()
	if ep == nil {
		// The exit watcher got there first: only the zombie is left —
		// once the watcher's report is complete (exitMu).
		a.exitMu.Lock()
		a.exitMu.Unlock()
		a.e.Reap(pid)
		return
	}
	if waitid {
		a.finishProcess(ep, ws(ep))
	} else {
		var b [4]byte
		st := ws(ep)
		if statusAddr != 0 && ReadMemory(t.Pid, statusAddr, b[:]) == nil {
			w := sched.WaitStatus(le32(b[:]))
			if w&0xff == 0x7f {
				a.stopSeen(pid)
				return // stopped: not reaped
			}
			if w == 0xffff {
				return // continued: not reaped
			}
			st = w
		}
		a.finishProcess(ep, st)
	}
	a.e.Reap(pid)
}

// ws is the best status Emulated knows for a process that ended.
func ws(ep *emuProc) sched.WaitStatus {
	if st, ok := procExitStatus(ep.pid); ok {
		return st
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	switch {
	case ep.dieSig != 0:
		return sched.KilledStatus(ep.dieSig, ep.dieCore)
	case ep.exitCode >= 0:
		return sched.ExitedStatus(ep.exitCode)
	}
	return sched.KilledStatus(int(unix.SIGKILL), false)
}

// finishProcess reports p's end to sched once.
func (a *Emulated) finishProcess(ep *emuProc, st sched.WaitStatus) {
	a.exitMu.Lock()
	defer a.exitMu.Unlock()
	a.mu.Lock()
	if a.procs[ep.pid] != ep {
		a.mu.Unlock()
		return
	}
	delete(a.procs, ep.pid)
	a.mu.Unlock()
	a.jobGens.Delete(ep.pid)
	a.e.ProcessExit(ep.sp, st)
}

// watchExit waits for the process behind ep.pidfd to end (the pidfd
// becomes readable when the whole thread group has exited) and reports
// it to sched with the status the kernel recorded.
func (a *Emulated) watchExit(ep *emuProc) {
	defer a.wg.Done()
	defer func() {
		ep.mu.Lock()
		unix.Close(ep.pidfd)
		ep.pidfd = -1
		ep.mu.Unlock()
	}()
	fds := []unix.PollFd{{Fd: int32(ep.pidfd), Events: unix.POLLIN}, {Fd: int32(a.stopFd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if err != nil && err != unix.EINTR {
			return
		}
		if fds[1].Revents != 0 {
			return
		}
		if fds[0].Revents != 0 {
			break
		}
	}
	ep.mu.Lock()
	ep.exited = true
	ep.mu.Unlock()
	a.finishProcess(ep, ws(ep))
}

// syncExits reports to sched, now, the end of every managed process that
// has exited but whose exit watcher has not reported it yet. A native wait
// calls it before its result reaches the program: by then the kernel has
// sent each exited child's SIGCHLD (exit_notify() → do_notify_parent(),
// before the child is reapable or, under SA_NOCLDWAIT or SIG_IGN,
// released), so that a wait failing with ECHILD, or returning one child,
// finds every other exit's SIGCHLD already pending — coalesced as the
// kernel coalesces them — and not arriving a watcher's wake-up later.
func (a *Emulated) syncExits() {
	a.mu.Lock()
	eps := make([]*emuProc, 0, len(a.procs))
	for _, ep := range a.procs {
		eps = append(eps, ep)
	}
	a.mu.Unlock()
	for _, ep := range eps {
		ep.mu.Lock()
		gone := ep.exited
		if !gone && ep.pidfd >= 0 {
			fds := []unix.PollFd{{Fd: int32(ep.pidfd), Events: unix.POLLIN}}
			n, _ := unix.Poll(fds, 0)
			gone = n > 0 && fds[0].Revents != 0
		}
		ep.mu.Unlock()
		if gone {
			a.finishProcess(ep, ws(ep))
		}
	}
}
