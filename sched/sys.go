package sched

import (
	"golang.org/x/sys/unix"
)

// Call is a trapped syscall as the shim hands it over: the number, the six
// raw argument registers (rdi, rsi, rdx, r10, r8, r9) and the thread's stack
// pointer (sigaltstack and signal delivery need to know whether the thread
// runs on its alternate stack).
type Call struct {
	Nr   int
	Args [6]uint64
	SP   uint64
}

// Kind says what a Result asks of the shim.
type Kind uint8

const (
	// Done: the syscall is complete; Ret is its raw result (a value,
	// -errno, or an internal restart code), to be passed to Decide.
	Done Kind = iota
	// Wait: the thread waits in the emulator; wait on Thread.Wake and
	// call Resume.
	Wait
	// Native: run the syscall natively, then pass its result to Decide.
	// For ppoll, pselect6, epoll_pwait and epoll_pwait2 the emulator has
	// already swapped in the syscall's signal mask (the shim passes a NULL
	// sigmask to the kernel); Decide restores it.
	Native
	// Sigreturned: rt_sigreturn was handled; the shim restores the
	// registers from the frame and calls Decide(t, -1, rax, newSP).
	Sigreturned
	// NewFd: signalfd(2) or signalfd4(2) of a new signalfd, validated.
	// The descriptor must exist in the managed process: the shim makes
	// one natively (an eventfd, with the call's O_NONBLOCK and
	// O_CLOEXEC) and registers it with AdoptSignalfd (or reports failure
	// with AbandonSignalfd), then passes the result to Decide.
	NewFd
)

func (k Kind) String() string {
	return [...]string{"done", "wait", "native", "sigreturned", "newfd"}[k]
}

// Result is a syscall's outcome.
type Result struct {
	Kind Kind
	Ret  int64
}

func done(v int64) Result      { return Result{Kind: Done, Ret: v} }
func fail(e unix.Errno) Result { return Result{Kind: Done, Ret: errno(e)} }
func native() Result           { return Result{Kind: Native} }
func blocked() Result          { return Result{Kind: Wait} }

// Emulates reports whether the emulator handles syscall nr (the shim
// forwards these; read, readv and close are forwarded only for signalfd
// descriptors).
func Emulates(nr int) bool {
	switch nr {
	case unix.SYS_RT_SIGACTION, unix.SYS_RT_SIGPROCMASK, unix.SYS_SIGALTSTACK,
		unix.SYS_KILL, unix.SYS_TKILL, unix.SYS_TGKILL, unix.SYS_RT_SIGQUEUEINFO,
		unix.SYS_RT_TGSIGQUEUEINFO, unix.SYS_PIDFD_SEND_SIGNAL, unix.SYS_RT_SIGPENDING,
		unix.SYS_RT_SIGSUSPEND, unix.SYS_PAUSE, unix.SYS_RT_SIGTIMEDWAIT,
		unix.SYS_SIGNALFD, unix.SYS_SIGNALFD4, unix.SYS_RT_SIGRETURN,
		unix.SYS_RESTART_SYSCALL, unix.SYS_ALARM, unix.SYS_SETITIMER, unix.SYS_GETITIMER,
		unix.SYS_TIMER_CREATE, unix.SYS_TIMER_SETTIME, unix.SYS_TIMER_GETTIME,
		unix.SYS_TIMER_GETOVERRUN, unix.SYS_TIMER_DELETE,
		unix.SYS_PPOLL, unix.SYS_PSELECT6, unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_PWAIT2:
		return true
	}
	return false
}

// Syscall handles one trapped syscall of thread t. Every argument is
// untrusted; a bad one gets the errno Linux gives, never a panic.
func (e *Emulator) Syscall(t *Thread, c *Call) Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case t.state == Exited || t.proc.zombie:
		return fail(unix.ESRCH)
	case t.state == Blocked:
		return blocked() // a shim bug: the thread is still waiting
	}
	t.state = InSyscall
	e.inSyscall = true
	r := e.dispatch(t, c)
	e.inSyscall = false
	if r.Kind != Wait {
		t.state = Running
	}
	if e.runAfter {
		// Config.InlineWakes: what the call queued for now runs now.
		e.runAfter = false
		e.runDue()
	}
	return r
}

func (e *Emulator) dispatch(t *Thread, c *Call) Result {
	a := &c.Args
	switch c.Nr {
	case unix.SYS_RT_SIGACTION:
		return e.sysRtSigaction(t, a)
	case unix.SYS_RT_SIGPROCMASK:
		return e.sysRtSigprocmask(t, a)
	case unix.SYS_SIGALTSTACK:
		return e.sysSigaltstack(t, a, c.SP)
	case unix.SYS_RT_SIGPENDING:
		return e.sysRtSigpending(t, a)
	case unix.SYS_KILL:
		return e.sysKill(t, a)
	case unix.SYS_TKILL:
		return e.sysTkill(t, a)
	case unix.SYS_TGKILL:
		return e.sysTgkill(t, a)
	case unix.SYS_RT_SIGQUEUEINFO:
		return e.sysRtSigqueueinfo(t, a)
	case unix.SYS_RT_TGSIGQUEUEINFO:
		return e.sysRtTgsigqueueinfo(t, a)
	case unix.SYS_PIDFD_SEND_SIGNAL:
		return e.sysPidfdSendSignal(t, a)
	case unix.SYS_RT_SIGSUSPEND:
		return e.sysRtSigsuspend(t, a)
	case unix.SYS_PAUSE:
		return e.sysPause(t)
	case unix.SYS_RT_SIGTIMEDWAIT:
		return e.sysRtSigtimedwait(t, a)
	case unix.SYS_SIGNALFD:
		return e.sysSignalfd4(t, a[0], a[1], a[2], 0)
	case unix.SYS_SIGNALFD4:
		return e.sysSignalfd4(t, a[0], a[1], a[2], a[3])
	case unix.SYS_READ:
		return e.sysReadSignalfd(t, a)
	case unix.SYS_READV:
		return e.sysReadvSignalfd(t, a)
	case unix.SYS_CLOSE:
		return e.sysClose(t, a)
	case unix.SYS_RT_SIGRETURN:
		return e.sysRtSigreturn(t, c.SP)
	case unix.SYS_RESTART_SYSCALL:
		return e.sysRestartSyscall(t)
	case unix.SYS_PPOLL:
		return e.sysPpoll(t, a)
	case unix.SYS_PSELECT6:
		return e.sysPselect6(t, a)
	case unix.SYS_EPOLL_PWAIT:
		return e.sysEpollPwait(t, a)
	case unix.SYS_EPOLL_PWAIT2:
		return e.sysEpollPwait2(t, a)
	case unix.SYS_ALARM:
		return e.sysAlarm(t, a)
	case unix.SYS_SETITIMER:
		return e.sysSetitimer(t, a)
	case unix.SYS_GETITIMER:
		return e.sysGetitimer(t, a)
	case unix.SYS_TIMER_CREATE:
		return e.sysTimerCreate(t, a)
	case unix.SYS_TIMER_SETTIME:
		return e.sysTimerSettime(t, a)
	case unix.SYS_TIMER_GETTIME:
		return e.sysTimerGettime(t, a)
	case unix.SYS_TIMER_GETOVERRUN:
		return e.sysTimerGetoverrun(t, a)
	case unix.SYS_TIMER_DELETE:
		return e.sysTimerDelete(t, a)
	}
	return native()
}

// sigsetSize is sizeof(sigset_t), the only sigsetsize the rt_* calls
// accept.
const sigsetSize = 8
