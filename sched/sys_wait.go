package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// sysRtSigsuspend is rt_sigsuspend(mask, sigsetsize) (kernel/signal.c
// sigsuspend): the mask is replaced until a signal is deliverable; the
// result is ERESTARTNOHAND, so the call returns EINTR when a handler runs
// (and is restarted otherwise); the old mask comes back through the frame or
// restore_saved_sigmask.
func (e *Emulator) sysRtSigsuspend(t *Thread, a *[6]uint64) Result {
	if a[1] != sigsetSize {
		return fail(unix.EINVAL)
	}
	v, ok := t.readU64(a[0])
	if !ok {
		return fail(unix.EFAULT)
	}
	e.saveMask(t)
	e.setBlocked(t, fastpath.Sigset(v))
	if e.interrupted(t) {
		return done(-ERESTARTNOHAND)
	}
	return e.block(t, waitSuspend)
}

// sysPause is pause(2): sleep until a signal is deliverable.
func (e *Emulator) sysPause(t *Thread) Result {
	if e.interrupted(t) {
		return done(-ERESTARTNOHAND)
	}
	return e.block(t, waitSuspend)
}

// sysRtSigtimedwait is rt_sigtimedwait(these, uinfo, uts, sigsetsize)
// (do_sigtimedwait): take a pending signal of these at once; else, unless
// the timeout is zero, unblock these (real_blocked keeps the old mask) and
// sleep until one arrives (its number), another signal is deliverable
// (EINTR) or the timeout passes (EAGAIN).
func (e *Emulator) sysRtSigtimedwait(t *Thread, a *[6]uint64) Result {
	uthese, uinfo, uts, size := a[0], a[1], a[2], a[3]
	if size != sigsetSize {
		return fail(unix.EINVAL)
	}
	v, ok := t.readU64(uthese)
	if !ok {
		return fail(unix.EFAULT)
	}
	these := fastpath.Sigset(v) &^ fastpath.Unblockable
	var timeout int64 = -1
	if uts != 0 {
		sec, nsec, err := t.readTimespec(uts)
		if err != 0 {
			return fail(err)
		}
		timeout = tsToNs(sec, nsec)
	}
	var info fastpath.Siginfo
	if sig := e.dequeue(t, ^these, &info); sig != 0 {
		return done(copyTimedwaitInfo(t, uinfo, sig, &info))
	}
	if timeout == 0 {
		return fail(unix.EAGAIN)
	}
	old := e.st.Blocked(t.slot)
	e.st.SetBlocked(t.slot, old&^these)
	if e.interrupted(t) {
		// schedule_hrtimeout returns at once with a signal pending.
		e.setBlocked(t, old)
		return fail(unix.EINTR)
	}
	w := &t.wait
	w.set, w.addr, w.realBlocked = these, uinfo, old
	if timeout > 0 {
		ev := e.events.alloc()
		ev.kind, ev.when, ev.t = evWaitTimeout, e.clock.Now()+timeout, t
		w.timeout = ev
		e.schedule(ev)
	}
	return e.block(t, waitTimed)
}

// takeTimedwait ends a sigtimedwait whose signal arrived: it reports the
// signal number, or 0 if none of the awaited signals is pending.
func (e *Emulator) takeTimedwait(t *Thread) int {
	w := &t.wait
	var info fastpath.Siginfo
	sig := e.dequeue(t, ^w.set, &info)
	if sig == 0 {
		return 0
	}
	addr := w.addr
	e.finishWait(t, copyTimedwaitInfo(t, addr, sig, &info))
	return sig
}

// copyTimedwaitInfo copies the siginfo out (copy_siginfo_to_user); the
// signal is consumed even when that faults.
func copyTimedwaitInfo(t *Thread, addr uint64, sig int, info *fastpath.Siginfo) int64 {
	if addr != 0 {
		b := t.scratch[:fastpath.SiginfoSize]
		encodeSiginfo(b, info)
		if !t.write(addr, b) {
			return errno(unix.EFAULT)
		}
	}
	return int64(sig)
}

func encodeSiginfo(b []byte, info *fastpath.Siginfo) {
	putU32(b[0:], uint32(info.Signo))
	putU32(b[4:], uint32(info.Errno))
	putU32(b[8:], uint32(info.Code))
	putU32(b[12:], 0)
	for i, f := range info.Fields {
		putU64(b[16+8*i:], f)
	}
}

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
func putU64(b []byte, v uint64) { putU32(b, uint32(v)); putU32(b[4:], uint32(v>>32)) }
