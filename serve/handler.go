package serve

import (
	"fmt"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// Thread is what serve knows about a managed thread: its ids as it reported
// them at first contact (untrusted: the process could lie about them, and
// only hurt itself), its fastpath slot and its channel.
type Thread struct {
	Pid, Tid int32
	Slot     fastpath.ThreadID // set by Handler.Attach
	Channel  int
	// Mask is the kernel's blocked mask at first contact (0 when the
	// shim registered from its constructor): a new thread's or a fork
	// child's is still its creator's, untrusted like Pid and Tid.
	Mask fastpath.Sigset
	// FreshImage says the shim registered from its constructor: the thread
	// is the first of a newly exec'd image (shim.RegisterFreshImage).
	FreshImage bool
	// Inherited, when HasInherited, is the emulated mask the thread
	// inherited (shim.RegisterInherited): a fork child's forking
	// thread's. Untrusted: it can only set the child's own mask.
	Inherited    fastpath.Sigset
	HasInherited bool
	ch           *shim.Channel
	emu          *emuThread // the Emulated handler's record, set by its Attach
}

// Kick makes the thread look at its pending signals if it is running its
// own code or asleep in a native syscall: the shim's kick signal, sent at
// most once until the shim has taken it (Channel.KickPending; a real-time
// signal would queue one kick per call otherwise). A thread inside the shim
// needs no kick, it runs the check on its way out.
//
// The caller must have published the pending bit (fastpath Send*) before
// calling Kick: the shim publishes "running user code" before its last
// check, so one of the two always sees the other (fastpath/hot.go, point
// 3). It reports whether a kick was sent.
func (t *Thread) Kick() (bool, error) {
	if t.ch == nil || atomic.LoadUint32(&t.ch.RunState) != shim.RunUser {
		return false, nil
	}
	if !atomic.CompareAndSwapUint32(&t.ch.KickPending, 0, 1) {
		return false, nil
	}
	if err := unix.Tgkill(int(t.Pid), int(t.Tid), shim.KickSignal); err != nil {
		atomic.StoreUint32(&t.ch.KickPending, 0)
		return false, fmt.Errorf("kick tid %d: %w", t.Tid, err)
	}
	return true, nil
}

// Context is the interrupted user context as the shim reported it.
type Context struct {
	Rip  uint64          // instruction after the trapping syscall
	Rsp  uint64          // stack pointer at the trap
	Mask fastpath.Sigset // the kernel's blocked mask at the trap
	// Signal and KernelSignal only: the native syscall a kick or a routed
	// signal interrupted, which the kernel had set up for a restart
	// (shim.NoSyscall's doc): IntrNr is its number and IntrRet its
	// restart code (-ERESTARTSYS); IntrRet is 0 if none. The reply's Result and
	// Restart then say what it returns, as for a trapped syscall.
	IntrNr  int
	IntrRet int64
}

// Call is one trapped syscall, copied out of the channel and validated: Nr
// is in the trap set. The argument values are the program's registers, not
// pointers serve has followed.
type Call struct {
	Nr   int
	Args [6]uint64
	// Wrapper: the call comes from one of the shim's libc wrappers
	// (shim.ReqWrapper), in the program's own context: the Handler must
	// answer KindComplete or KindNative (whose report is answered
	// KindComplete), never with a restart, and with a frame or a death
	// only if Frame — otherwise a signal the call made deliverable stays
	// pending for the shim's fast path, which delivers it before the
	// wrapper returns. Context then holds the wrapper's return address
	// and stack pointer.
	Wrapper bool
	// Frame (shim.ReqFrame, with Wrapper, for kill and tgkill): the
	// wrapper can take a frame after all — KindDeliver without a restart,
	// or KindDie — over its caller's context; Context.Rsp is where the
	// frame may go.
	Frame bool
	Context
}

// Delivery is what the shim needs to run a signal handler (KindDeliver) or
// to return from one (KindSigreturn, FrameSP only). Every choice in it is
// the emulator's: which stack (FrameSP already below the red zone or at the
// alternate stack's top), what uc_stack and uc_sigmask the frame records.
type Delivery struct {
	Signo    int
	Handler  uint64 // sa_handler
	Restorer uint64 // sa_restorer
	FrameSP  uint64
	UcStack  fastpath.Stack
	UcMask   fastpath.Sigset
	Info     fastpath.Siginfo
}

// Reply is a Handler's answer; see the Kind constants in shim/abi.go.
type Reply struct {
	Kind   uint32 // shim.KindComplete, KindNative or KindDeliver
	Result int64  // KindComplete: the syscall's return value or -errno
	// KindNative: the arguments to run the syscall with.
	Args [6]uint64
	// KindNative: if BlobArg ≥ 0, Args[BlobArg] is replaced in the shim by
	// the address of a copy of Blob (at most shim.BlobMax bytes).
	BlobArg int
	Blob    []byte
	// SetMask asks the shim to install Mask as the thread's kernel mask
	// when its handler returns (minus the shim's own signals).
	SetMask bool
	Mask    fastpath.Sigset
	// Restart (KindComplete, KindDeliver) re-executes the syscall: the
	// shim moves RIP back over the syscall instruction; Result is then the
	// syscall number to run (shim.FlagRestart).
	Restart bool
	// Report (KindNative) asks to see the native result: the shim sends
	// it back and applies the Handler's NativeDone answer instead.
	Report bool
	// Interruptible (KindNative, with Report) runs a syscall that may
	// sleep so that a kick interrupts it: the result is then -EINTR
	// (shim.FlagInterruptible).
	Interruptible bool
	// Replace (KindNative) runs syscall ReplaceNr (< shim.MaxSyscall)
	// with Args instead of the trapped one (shim.FlagSyscall); a report
	// still names the trapped call.
	Replace   bool
	ReplaceNr int
	// TrapFd (KindNative, with Report): the native result is a new
	// descriptor whose read, readv and close the shim must trap from now
	// on (shim.FlagTrapFd; the Handler lists them in FdTrapSet).
	TrapFd bool
	// KindDeliver and KindSigreturn: the frame to build or restore.
	Deliver Delivery
}

// Deliver is the reply "run the handler d describes"; res is the result of
// the syscall being answered (ignored for the slow path), saved in the
// frame as the interrupted RAX.
func Deliver(res int64, d Delivery) Reply {
	return Reply{Kind: shim.KindDeliver, Result: res, BlobArg: -1, Deliver: d}
}

// Sigreturn is the reply to a trapped rt_sigreturn: restore the context
// saved in the ucontext at uc (the trap's RSP).
func Sigreturn(uc uint64) Reply {
	return Reply{Kind: shim.KindSigreturn, BlobArg: -1, Deliver: Delivery{FrameSP: uc}}
}

// Die is the reply "the process dies by signal sig, natively" (KindDie).
func Die(sig int) Reply {
	return Reply{Kind: shim.KindDie, BlobArg: -1, Deliver: Delivery{Signo: sig}}
}

// Complete is the reply "done, return res".
func Complete(res int64) Reply { return Reply{Kind: shim.KindComplete, Result: res, BlobArg: -1} }

// Native is the reply "run it natively with the arguments it came with".
func Native(c *Call) Reply { return Reply{Kind: shim.KindNative, Args: c.Args, BlobArg: -1} }

// Handler is the emulator behind the channels. serve calls it from one
// goroutine per managed thread, so calls for different threads run
// concurrently; the Handler does its own locking (fastpath.State requires
// the emulator's lock around every mutation).
type Handler interface {
	// TrapSet lists the syscall numbers the shim must trap (each below
	// shim.MaxSyscall). It is read once, before the program starts.
	TrapSet() []int
	// Attach is a thread's first contact: set t.Slot to a fastpath thread
	// slot (in the process t.Pid, created on its first thread). The
	// Handler may keep t, to Kick it later, until Detach(t).
	Attach(t *Thread) error
	// Syscall answers a trapped syscall.
	Syscall(t *Thread, c *Call) Reply
	// Signal answers the shim's slow path: its fast-path check saw a
	// deliverable signal while the thread was about to resume ctx.
	// Complete(0) means nothing to deliver after all; Deliver(0, d) runs
	// a handler, after which the shim checks again.
	Signal(t *Thread, ctx *Context) Reply
	// Detach is called once when the thread has exited or vanished; its
	// slot may be reused afterwards.
	Detach(t *Thread)
}

// NativeReporter is implemented by a Handler that answers some syscalls
// with a KindNative reply carrying Report: NativeDone receives the native
// result (c is the trapped call again, ret the raw result) and its reply —
// KindComplete, KindDeliver or KindDie — is applied as the syscall's final
// answer. A Handler without it gets the raw result back unchanged.
type NativeReporter interface {
	NativeDone(t *Thread, c *Call, ret int64) Reply
}

// KernelRouter is implemented by a Handler that owns the signals the
// kernel raises natively in a managed thread (faults, SIGPIPE, signals
// from processes outside the emulation): RouteSet names them (read once,
// before the program starts; the shim catches them and keeps them
// unblocked in the kernel), and KernelSignal receives each one with the
// first 48 bytes of its siginfo (the rest zero) and the context it
// interrupted. Its reply is KindComplete (the signal is now pending,
// discarded, or queued), KindDeliver or KindDie; the shim then runs its
// fast path, which delivers what became deliverable.
type KernelRouter interface {
	RouteSet() fastpath.Sigset
	KernelSignal(t *Thread, info *fastpath.Siginfo, ctx *Context) Reply
}

// FdTrapper is implemented by a Handler that answers some syscalls with
// TrapFd: FdTrapSet lists the syscalls the shim then traps for those
// descriptors only (read, readv, close), which are therefore not in
// TrapSet but are valid requests (read once, before the program starts).
type FdTrapper interface {
	FdTrapSet() []int
}

// JobMirror is implemented by a Handler that keeps the native action and
// mask of some signals equal to the emulated ones (never a handler
// natively): MirrorSet names them (shim.Header.MirrorSet).
type JobMirror interface {
	MirrorSet() fastpath.Sigset
}

// LocalSigreturner is implemented by a Handler that lets the shim perform
// rt_sigreturn itself when the restored mask only unblocks and the
// alternate stack stays as it is (shim.Header.LocalSigreturn,
// shim/csrc/sigreturn.c): the Handler then never sees those calls, and the
// shim writes the thread's blocked word in the fastpath arena. Read once,
// before the program starts; Run honours it only for layouts whose check
// reads that word as it is.
type LocalSigreturner interface {
	LocalSigreturn() bool
}

// Wrapped is implemented by a Handler that answers the shim's libc
// wrappers (sigaction, sigprocmask, pthread_sigmask, sigpending, kill,
// raise; shim/csrc/wrappers.c): with Wrappers true the shim sends their
// syscalls (shim.WrappedSet) without a trap, marked Call.Wrapper
// (shim.Header.Wrappers). Read once, before the program starts.
type Wrapped interface {
	Wrappers() bool
}

// wrappers is whether h answers wrapper calls.
func wrappers(h Handler) bool {
	w, ok := h.(Wrapped)
	return ok && w.Wrappers()
}

// localSigreturn is whether h lets the shim return from handlers locally.
func localSigreturn(h Handler) bool {
	l, ok := h.(LocalSigreturner)
	return ok && l.LocalSigreturn()
}

// CondTrapper is implemented by a Handler that needs some of its trapped
// syscalls only when an argument is not zero (NULL): CondTraps maps each
// to that argument's index (shim.Header.CondTraps); the others run
// natively, as if untrapped. Read once, before the program starts.
type CondTrapper interface {
	CondTraps() map[int]int
}

// condTraps is h's CondTraps, or none.
func condTraps(h Handler) map[int]int {
	if c, ok := h.(CondTrapper); ok {
		return c.CondTraps()
	}
	return nil
}

// mirrorSet is h's MirrorSet, or none.
func mirrorSet(h Handler) fastpath.Sigset {
	if m, ok := h.(JobMirror); ok {
		return m.MirrorSet()
	}
	return 0
}

// routeSet is h's RouteSet, or none.
func routeSet(h Handler) fastpath.Sigset {
	if kr, ok := h.(KernelRouter); ok {
		return kr.RouteSet()
	}
	return 0
}
