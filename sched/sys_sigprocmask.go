package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// rt_sigprocmask's how (sigprocmask(2)).
const (
	sigBlock   = 0
	sigUnblock = 1
	sigSetmask = 2
)

// sysRtSigprocmask is rt_sigprocmask(how, set, oset, sigsetsize)
// (kernel/signal.c): the old mask is read first and written last, so a
// fault on oset comes after the new mask is in place, as in the kernel.
func (e *Emulator) sysRtSigprocmask(t *Thread, a *[6]uint64) Result {
	how, nset, oset, size := int(int32(a[0])), a[1], a[2], a[3]
	if size != sigsetSize {
		return fail(unix.EINVAL)
	}
	old := e.st.Blocked(t.slot)
	if nset != 0 {
		v, ok := t.readU64(nset)
		if !ok {
			return fail(unix.EFAULT)
		}
		set := fastpath.Sigset(v) &^ fastpath.Unblockable
		switch how {
		case sigBlock:
			e.setBlocked(t, old|set)
		case sigUnblock:
			e.setBlocked(t, old&^set)
		case sigSetmask:
			e.setBlocked(t, set)
		default:
			return fail(unix.EINVAL)
		}
	}
	if oset != 0 && !t.writeU64(oset, uint64(old)) {
		return fail(unix.EFAULT)
	}
	return done(0)
}

// sysRtSigpending is rt_sigpending(set, sigsetsize): the pending signals
// the thread blocks (do_sigpending). The kernel accepts any size up to
// sizeof(sigset_t) and copies that many bytes.
func (e *Emulator) sysRtSigpending(t *Thread, a *[6]uint64) Result {
	uset, size := a[0], a[1]
	if size > sigsetSize {
		return fail(unix.EINVAL)
	}
	th, pr := e.st.Pending(t.slot)
	set := (th | pr) & e.st.Blocked(t.slot)
	b := t.scratch[:8]
	for i := range b {
		b[i] = byte(set >> (8 * i))
	}
	if size > 0 && !t.write(uset, b[:size]) {
		return fail(unix.EFAULT)
	}
	return done(0)
}

// setUserSigmask is set_user_sigmask(): a syscall with a sigmask argument
// (ppoll, pselect6, epoll_pwait, epoll_pwait2) runs with that mask; the
// current one is saved and restored when the syscall completes, unless a
// handler runs first, whose frame then records it (restore_saved_sigmask).
// A NULL mask leaves everything alone.
func (e *Emulator) setUserSigmask(t *Thread, umask, size uint64) unix.Errno {
	if umask == 0 {
		return 0
	}
	if size != sigsetSize {
		return unix.EINVAL
	}
	v, ok := t.readU64(umask)
	if !ok {
		return unix.EFAULT
	}
	e.saveMask(t)
	e.setBlocked(t, fastpath.Sigset(v))
	return 0
}

// saveMask is set_restore_sigmask() with saved_sigmask = blocked.
func (e *Emulator) saveMask(t *Thread) {
	t.savedMask = e.st.Blocked(t.slot)
	t.setAttn(attnRestoreMask)
}

// readTimespec copies a struct timespec and validates it
// (timespec64_valid): EFAULT, or EINVAL for tv_sec < 0 or tv_nsec out of
// [0, 1e9).
func (t *Thread) readTimespec(addr uint64) (sec, nsec int64, err unix.Errno) {
	b, ok := t.read(addr, 16)
	if !ok {
		return 0, 0, unix.EFAULT
	}
	sec, nsec = int64(le64(b)), int64(le64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, 0, unix.EINVAL
	}
	return sec, nsec, 0
}

// sysPpoll: ppoll(fds, nfds, tsp, sigmask, sigsetsize). The timeout is
// checked first (poll_select_set_timeout), then the mask is swapped; the
// poll itself runs natively.
func (e *Emulator) sysPpoll(t *Thread, a *[6]uint64) Result {
	if a[2] != 0 {
		if _, _, err := t.readTimespec(a[2]); err != 0 {
			return fail(err)
		}
	}
	if err := e.setUserSigmask(t, a[3], a[4]); err != 0 {
		return fail(err)
	}
	return native()
}

// sysPselect6: pselect6(n, in, out, ex, tsp, sig) where sig points at
// {const sigset_t *ss; size_t ss_len} (do_pselect, get_sigset_argpack).
func (e *Emulator) sysPselect6(t *Thread, a *[6]uint64) Result {
	if a[4] != 0 {
		if _, _, err := t.readTimespec(a[4]); err != 0 {
			return fail(err)
		}
	}
	if a[5] != 0 {
		b, ok := t.read(a[5], 16)
		if !ok {
			return fail(unix.EFAULT)
		}
		if err := e.setUserSigmask(t, le64(b), le64(b[8:])); err != 0 {
			return fail(err)
		}
	}
	return native()
}

// sysEpollPwait: epoll_pwait(epfd, events, maxevents, timeout, sigmask,
// sigsetsize): the mask is swapped before anything else is checked.
func (e *Emulator) sysEpollPwait(t *Thread, a *[6]uint64) Result {
	if err := e.setUserSigmask(t, a[4], a[5]); err != 0 {
		return fail(err)
	}
	return native()
}

// sysEpollPwait2: epoll_pwait2(epfd, events, maxevents, timeout *timespec,
// sigmask, sigsetsize): the timeout is copied and validated first.
func (e *Emulator) sysEpollPwait2(t *Thread, a *[6]uint64) Result {
	if a[3] != 0 {
		if _, _, err := t.readTimespec(a[3]); err != 0 {
			return fail(err)
		}
	}
	if err := e.setUserSigmask(t, a[4], a[5]); err != 0 {
		return fail(err)
	}
	return native()
}
