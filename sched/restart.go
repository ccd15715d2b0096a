package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The restart rules of arch/x86/kernel/signal.c.

// restartWithHandler is handle_signal()'s switch: a handler is about to
// run for a syscall that returned a restart code.
func restartWithHandler(nr int, ret int64, flags uint64) (int64, bool) {
	switch -ret {
	case ERESTART_RESTARTBLOCK, ERESTARTNOHAND:
		return errno(unix.EINTR), false
	case ERESTARTSYS:
		if flags&fastpath.SA_RESTART == 0 {
			return errno(unix.EINTR), false
		}
		return int64(nr), true
	case ERESTARTNOINTR:
		return int64(nr), true
	}
	return ret, false
}

// restartNoHandler is arch_do_signal_or_restart()'s tail: no handler ran,
// so every restart code restarts, ERESTART_RESTARTBLOCK through
// restart_syscall(2).
func restartNoHandler(nr int, ret int64) (int64, bool) {
	switch -ret {
	case ERESTARTNOHAND, ERESTARTSYS, ERESTARTNOINTR:
		return int64(nr), true
	case ERESTART_RESTARTBLOCK:
		return unix.SYS_RESTART_SYSCALL, true
	}
	return ret, false
}

// restartBlock is the thread's restart_block for an emulated syscall that
// returned ERESTART_RESTARTBLOCK: what restart_syscall(2) resumes. Only
// emulated waits set it; a native syscall's block lives in the kernel and
// restart_syscall is then run natively (sysRestartSyscall says Native).
type restartBlock struct {
	fn       func(e *Emulator, t *Thread) Result
	deadline int64
}
