package serve

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// PassthroughSyscalls is the trap set of the Passthrough handler: the
// signal syscalls whose native execution inside the shim's SIGSYS handler
// means exactly what it means outside it, plus getppid (the measurement
// probe), exit, and the two calls that could take the shim's SIGSYS away:
// rt_sigaction and rt_sigprocmask (guarded, see Syscall).
//
// Deliberately not trapped in pass-through: sigaltstack,
// rt_sigreturn, rt_sigsuspend, pause, rt_sigtimedwait, rt_sigpending,
// restart_syscall, ppoll, pselect6, epoll_pwait, epoll_pwait2. Their effect
// depends on, or is undone by, the kernel's mask and alternate stack at the
// call, which differ inside the handler (rt_sigreturn restores both); they
// are only right emulated, which is package sched's job. exit is trapped so
// that a thread's channel is reclaimed at once when it ends; that is safe
// only because rt_sigprocmask is guarded: glibc blocks every signal before
// a thread's final exit(2), and the kernel kills a process whose trapped
// syscall finds SIGSYS blocked (force_sig_seccomp()).
var PassthroughSyscalls = []int{
	unix.SYS_GETPPID,
	unix.SYS_KILL, unix.SYS_TKILL, unix.SYS_TGKILL,
	unix.SYS_RT_SIGQUEUEINFO, unix.SYS_RT_TGSIGQUEUEINFO, unix.SYS_PIDFD_SEND_SIGNAL,
	unix.SYS_ALARM, unix.SYS_GETITIMER, unix.SYS_SETITIMER,
	unix.SYS_TIMER_CREATE, unix.SYS_TIMER_SETTIME, unix.SYS_TIMER_GETTIME,
	unix.SYS_TIMER_GETOVERRUN, unix.SYS_TIMER_DELETE,
	unix.SYS_SIGNALFD, unix.SYS_SIGNALFD4,
	unix.SYS_RT_SIGACTION, unix.SYS_RT_SIGPROCMASK,
	unix.SYS_EXIT,
}

// Passthrough is the Handler used until package sched is plugged in: every
// trapped syscall runs natively in the shim (KindNative), which is a real,
// working emulation of nothing — the baseline the emulator is measured
// against. It still keeps the shim alive: the program may not replace the
// shim's SIGSYS handler, nor block SIGSYS inside its own handlers.
type Passthrough struct {
	mu    sync.Mutex // the emulator's lock around st's mutations
	st    fastpath.State
	procs map[int32]*ptProc
}

type ptProc struct {
	id      fastpath.ProcID
	threads int
}

// NewPassthrough returns a pass-through handler over st.
func NewPassthrough(st fastpath.State) *Passthrough {
	return &Passthrough{st: st, procs: map[int32]*ptProc{}}
}

// TrapSet implements Handler.
func (p *Passthrough) TrapSet() []int { return PassthroughSyscalls }

// Attach implements Handler: a process slot per pid, a thread slot each.
func (p *Passthrough) Attach(t *Thread) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := p.procs[t.Pid]
	if pr == nil {
		id, err := p.st.NewProcess()
		if err != nil {
			return err
		}
		pr = &ptProc{id: id}
		p.procs[t.Pid] = pr
	}
	slot, err := p.st.NewThread(pr.id)
	if err != nil {
		if pr.threads == 0 {
			p.st.FreeProcess(pr.id)
			delete(p.procs, t.Pid)
		}
		return err
	}
	pr.threads++
	t.Slot = slot
	return nil
}

// Detach implements Handler.
func (p *Passthrough) Detach(t *Thread) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.st.FreeThread(t.Slot)
	if pr := p.procs[t.Pid]; pr != nil {
		if pr.threads--; pr.threads == 0 {
			p.st.FreeProcess(pr.id)
			delete(p.procs, t.Pid)
		}
	}
}

// Signal implements Handler: nothing is ever pending under pass-through.
func (p *Passthrough) Signal(t *Thread, ctx *Context) Reply { return Complete(0) }

// Syscall implements Handler.
func (p *Passthrough) Syscall(t *Thread, c *Call) Reply {
	switch c.Nr {
	case unix.SYS_RT_SIGACTION:
		return guardSigaction(t, c)
	case unix.SYS_RT_SIGPROCMASK:
		return guardSigprocmask(t, c)
	}
	return Native(c)
}

// shimSignals are the signals the program may not block or handle.
var shimSignals = fastpath.SigBit(int(unix.SIGSYS)) | fastpath.SigBit(shim.KickSignal)

// guardSigprocmask performs rt_sigprocmask(2) as the kernel does
// (kernel/signal.c, sys_rt_sigprocmask and sigprocmask()) on the mask the
// thread had at the trap, except that SIGSYS is never blocked: glibc blocks
// every signal around pthread_create and before a thread exits, and a
// trapped syscall made then would be killed by the kernel
// (force_sig_seccomp()). The new mask reaches the kernel through the
// shim's reply (FlagSetMask, applied at its handler's rt_sigreturn): a
// sigprocmask made inside the handler would be undone by that return.
func guardSigprocmask(t *Thread, c *Call) Reply {
	how, setp, oldp, size := int64(c.Args[0]), c.Args[1], c.Args[2], c.Args[3]
	if size != 8 {
		return Complete(-int64(unix.EINVAL))
	}
	old := c.Mask
	next := old
	if setp != 0 {
		var b [8]byte
		if err := ReadMemory(t.Pid, setp, b[:]); err != nil {
			return Complete(-int64(unix.EFAULT))
		}
		set := fastpath.Sigset(binary.LittleEndian.Uint64(b[:])) &^ fastpath.Unblockable
		switch how {
		case unix.SIG_BLOCK:
			next = old | set
		case unix.SIG_UNBLOCK:
			next = old &^ set
		case unix.SIG_SETMASK:
			next = set
		default:
			return Complete(-int64(unix.EINVAL))
		}
	}
	r := Complete(0)
	r.SetMask, r.Mask = true, next&^shimSignals
	if oldp != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(old))
		if err := WriteMemory(t.Pid, oldp, b[:]); err != nil {
			r.Result = -int64(unix.EFAULT) // the mask has changed anyway, as in the kernel
		}
	}
	return r
}

// guardSigaction keeps rt_sigaction(2) from touching the shim: a new action
// for SIGSYS or the kick signal is dropped (the call only reports the old one), and SIGSYS is
// removed from every other action's sa_mask — the kernel kills a thread
// whose trapped syscall finds SIGSYS blocked (force_sig_seccomp()), and Go
// installs every handler with sa_mask = all ones. The action is read with
// process_vm_readv and handed back sanitised in the reply's blob; an
// unreadable one runs unchanged so that the kernel reports EFAULT itself.
func guardSigaction(t *Thread, c *Call) Reply {
	r := Native(c)
	sig, act := int64(c.Args[0]), c.Args[1]
	if act == 0 {
		return r
	}
	if sig >= 1 && sig <= fastpath.NSIG && shimSignals.Has(int(sig)) {
		r.Args[1] = 0
		return r
	}
	buf := make([]byte, fastpath.SigactionSize)
	if err := ReadMemory(t.Pid, act, buf); err != nil {
		return r
	}
	const maskOff = 24 // struct kernel_sigaction: handler, flags, restorer, mask
	mask := binary.LittleEndian.Uint64(buf[maskOff:])
	binary.LittleEndian.PutUint64(buf[maskOff:], mask&^uint64(shimSignals))
	r.BlobArg, r.Blob = 1, buf
	return r
}
