package sched

import "golang.org/x/sys/unix"

// Syscall results follow the kernel's convention: a non-negative value, or
// -errno. Four more negative values never reach a managed program: they are
// the kernel's internal "restart" codes (include/linux/errno.h), returned by
// an emulated syscall that a signal interrupted and turned by Decide into
// -EINTR or a restart, exactly as arch/x86/kernel/signal.c does.
const (
	ERESTARTSYS           = 512 // restart if the handler has SA_RESTART, else EINTR
	ERESTARTNOINTR        = 513 // always restart
	ERESTARTNOHAND        = 514 // restart only if no handler runs
	ERESTART_RESTARTBLOCK = 516 // restart through restart_syscall(2) if no handler runs
)

// errno turns an errno into a syscall return value.
func errno(e unix.Errno) int64 { return -int64(e) }

// isRestart reports whether ret is one of the internal restart codes. It is
// one compare: the codes are -516..-512 (515, ENOIOCTLCMD, never reaches a
// signal path).
func isRestart(ret int64) bool {
	return uint64(ret+ERESTART_RESTARTBLOCK) <= ERESTART_RESTARTBLOCK-ERESTARTSYS
}

// RestartCode is what the kernel's implementation of a native syscall
// returns when a signal interrupts it, per signal(7) "Interruption of system
// calls and library functions by signal handlers": the shim passes it to
// Decide/Kicked in place of the -EINTR the kick produced, so that the
// restart-or-EINTR choice is the emulated handler's, not the kick's. Calls
// that are never restarted (epoll_wait, sigtimedwait, nanosleep's EINTR
// path with a handler, ...) map to -EINTR.
func RestartCode(nr int) int64 {
	switch nr {
	case unix.SYS_NANOSLEEP, unix.SYS_CLOCK_NANOSLEEP, unix.SYS_POLL:
		// hrtimer_nanosleep and do_restart_poll keep a restart block.
		return -ERESTART_RESTARTBLOCK
	case unix.SYS_PPOLL, unix.SYS_PSELECT6, unix.SYS_SELECT, unix.SYS_PAUSE,
		unix.SYS_RT_SIGSUSPEND:
		return -ERESTARTNOHAND
	case unix.SYS_EPOLL_WAIT, unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_PWAIT2,
		// ep_poll returns -EINTR itself, and do_epoll_pwait passes it
		// on (restore_saved_sigmask_unless(error == -EINTR)).
		unix.SYS_RT_SIGTIMEDWAIT, unix.SYS_SEMOP,
		unix.SYS_SEMTIMEDOP, unix.SYS_MSGRCV, unix.SYS_MSGSND,
		unix.SYS_IO_GETEVENTS, unix.SYS_IO_PGETEVENTS, unix.SYS_USERFAULTFD:
		// signal(7): "never restarted after being interrupted by a
		// signal handler, regardless of the use of SA_RESTART".
		return errno(unix.EINTR)
	}
	// read, write, ioctl, wait4, waitid, futex (FUTEX_WAIT without a
	// timeout), open, flock, accept, connect, recv*, send*, ...
	return -ERESTARTSYS
}
