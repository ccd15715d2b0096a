package shim

import "unsafe"

//go:generate go run ./internal/genabi

// The shared region: one memfd the emulator creates before the managed
// program starts, mapped MAP_SHARED by the emulator and by the shim in every
// managed process. It holds a Header at offset 0 and NumChannels Channels
// after it; the fastpath signal state lives in a second memfd (the fastpath
// arena) whose hot-word offsets the Header republishes, so the shim needs no
// other source of truth.
//
// Every type in this file is the one definition of its layout. csrc/abi.h is
// generated from it (go generate, internal/genabi) with _Static_assert checks
// on every offset and size, and TestABIHeaderUpToDate fails if the committed
// header differs — nobody edits abi.h by hand.
//
// Discipline for every field, in the style of Shadow's shim_shmem.rs: each
// says who writes it, who reads it, and how. "Plain" fields are written by
// one side before a release (a sequentially consistent store of a sequence
// word) and read by the other side after the matching acquire load. Words
// named as futexes are only accessed atomically. Nothing in this region is a
// pointer either side follows: the managed process can scribble on all of it,
// so the emulator copies each request field once, validates it, and never
// dereferences it; the shim bounds-checks every index the emulator gives it
// against values it validated at start-up.

// Magic opens the Header ("SIGLAB\x00\x01" little-endian), Version is bumped
// on every incompatible change of this file.
const (
	Magic   = 0x0100_42414c474953
	Version = 8
)

// Region geometry.
const (
	HeaderSize  = 4096 // Header is padded to one page
	ChannelSize = 640  // per-thread channel stride, a multiple of 64
	BlobMax     = 64   // bytes of replacement data a DO_NATIVE reply may carry
	TrapWords   = 8    // TrapSet covers syscall numbers 0..TrapWords*64-1
	// MaxCondTraps bounds Header.CondTraps.
	MaxCondTraps = 8
	MaxSyscall   = TrapWords * 64
)

// TrampolineAddr is where every shim maps its one-page syscall trampoline
// (`syscall; ret`), at the same address in every managed image. The seccomp
// filter allows a trapped syscall only from TrampolineAddr+2, and filters
// survive execve(2) while the old image's code does not: a fixed address is
// what lets the shim of an exec'd image pass the filter its predecessor
// installed. Chosen away from the kernel's mmap/PIE ranges and the Go
// runtime's heap hints (0x00c0<<32 + i<<40).
const TrampolineAddr = 0x1516_1ab0_0000

// KickSignal is the signal the emulator sends a managed thread (tgkill(2))
// to make it look at its pending signals while it runs its own code or
// sleeps in a native syscall. The shim owns it: its handler runs the fast
// path and delivers from the interrupted context; the program can neither
// handle nor block it, and under emulation never sees it (its own
// signal 64 is emulated like every other).
const KickSignal = 64

// Environment variables the shim reads at load: the fd numbers of the shared
// region and of the fastpath arena, inherited across fork and execve.
const (
	EnvShmFd   = "SIGLAB_SHM_FD"
	EnvStateFd = "SIGLAB_STATE_FD"
)

// Channel states (Channel.State).
const (
	// ChanFree: nobody owns the channel. Written by the emulator (at
	// creation, and after it saw the owning thread die).
	ChanFree = 0
	// ChanClaimed: a thread of a managed process owns it. Written by the
	// shim with a compare-and-swap from ChanFree.
	ChanClaimed = 1
	// ChanExiting: the owner is in its final exit(2); the emulator returns
	// the channel to ChanFree once the thread is gone (tgkill(pid, tid, 0)
	// fails with ESRCH), because the shim's private signal stack for the
	// channel may be in use until then.
	ChanExiting = 2
)

// Request operations (Channel.Op).
const (
	// OpRegister is a thread's first contact: Pid and Tid identify it;
	// Args[0] is RegisterFreshImage when the shim registers from its
	// constructor (a newly exec'd image) rather than from a trap. The
	// reply's Result is its fastpath thread slot, or -errno.
	OpRegister = 1
	// RegisterFreshImage in an OpRegister's Args[0]: the thread is the
	// first of an image that has just been exec'd (the shim's constructor
	// is registering), so the emulator applies execve's signal rules to it
	// (handled actions reset, alternate stack cleared) even when it first
	// hears of the process here — a vfork child exec's before it ever
	// traps.
	RegisterFreshImage = 1
	// RegisterInherited in an OpRegister's Args[2]: Args[1] is the
	// emulated blocked mask the registering thread inherited — a fork
	// child's first thread registers with its forking thread's emulated
	// mask as that thread last received it (the shim keeps it in TLS,
	// which fork copies): the kernel's mask cannot carry it, since the
	// shim never lets the kernel block the signals it routes.
	RegisterInherited = 1
	// OpSyscall forwards a trapped syscall: Nr, Args, registers, mask.
	OpSyscall = 2
	// OpSignal is the slow path after the shim's fast-path check found a
	// deliverable signal: "what do I deliver?" The reply is KindComplete
	// (nothing after all) or KindDeliver.
	OpSignal = 3
	// OpNativeDone reports the result (Ret) of a syscall the emulator let
	// run natively with FlagReport: Nr and Args are the trapped call's,
	// the registers those of the interrupted context. The reply is
	// applied as the answer to the syscall itself: KindComplete (the value
	// for RAX, FlagRestart allowed), KindDeliver or KindDie.
	OpNativeDone = 4
	// OpKernelSignal forwards a signal the kernel raised natively in the
	// thread (a fault, SIGPIPE, a signal sent from outside the
	// emulation) and the shim caught because it is in Header.RouteSet:
	// Args hold the first 48 bytes of its siginfo_t (signo, errno, code
	// and the union's fields that matter: si_addr, si_pid/si_uid, ...),
	// the registers those of the interrupted context. The reply is as
	// for OpSignal; a synchronous fault answered with anything but
	// KindDeliver kills the process by the fault (re-running the
	// faulting instruction would fault forever).
	OpKernelSignal = 5
)

// ReqWrapper in a request's ReqFlags: the OpSyscall (or the OpNativeDone
// that reports it) comes from one of the shim's libc wrappers
// (csrc/wrappers.c), in the program's own context, not from a trap:
// there is no signal frame to build a handler's frame over, nor a
// context to restart (but see ReqFrame). Nr must be in WrappedSet; the
// reply must be KindComplete (FlagSetMask allowed, FlagRestart not) or
// KindNative (FlagReport allowed, whose answer is again KindComplete only,
// and neither FlagInterruptible nor FlagTrapFd). A signal the call made
// deliverable stays pending: the wrapper's fast-path check finds it and
// the shim kicks itself, so the kick handler delivers it — handler,
// default action or death — before the wrapper returns, where the kernel
// would have delivered it on the way out of the syscall.
const ReqWrapper = 1

// ReqFrame with ReqWrapper: the wrapper (kill, raise, syscall — the sends
// that may reach the caller) has its caller's context at hand, the
// callee-saved registers, return address and stack pointer, and can build
// a handler's frame over it, as the SIGSYS handler does over a trapped
// call's. The reply may then also be KindDeliver (no FlagRestart: these
// calls never restart) or KindDie, and a signal the call made deliverable
// is delivered in that one round trip. Nr must be kill or tgkill; Rsp is
// a stack pointer below everything the wrapper still uses, where the
// frame may go.
const ReqFrame = 2

// WrappedSet lists the syscalls a wrapper request may carry: the ones
// glibc's sigaction, sigprocmask, pthread_sigmask, sigpending, kill and
// raise make (rt_sigaction, rt_sigprocmask, kill, rt_sigpending, tgkill).
var WrappedSet = [...]int{13, 14, 62, 127, 234}

// NoSyscall in an OpSignal or OpKernelSignal request's Nr: the kick or
// the routed signal interrupted no syscall the shim could identify.
// Otherwise Nr is the number of the native syscall the signal interrupted
// — the kernel had already set it up for a restart (RIP back on the
// syscall instruction, RAX the number: -ERESTARTSYS or -ERESTARTNOINTR
// under an SA_RESTART handler) — and Ret is -ERESTARTSYS; the shim has
// moved the context back to "after the syscall", so the reply's Result
// and FlagRestart (KindComplete or KindDeliver) say what the syscall
// returns, exactly as for a trapped one.
const NoSyscall = ^uint64(0)

// Reply kinds (Channel.Kind).
const (
	// KindComplete: the syscall is done; Result goes to RAX.
	KindComplete = 1
	// KindNative: run the syscall natively through the shim's trampoline
	// with the reply's Args (the emulator may have rewritten them); if
	// BlobArg ≥ 0, Args[BlobArg] is replaced by the address of a copy of
	// Blob[:BlobLen] in the shim's handler frame, so the emulator can hand
	// the kernel a sanitised struct without touching the program's memory.
	KindNative = 2
	// KindDeliver: build a kernel-compatible rt_sigframe below FrameSP
	// for signal Signo, with Siginfo, UcStack and UcMask in it and the
	// interrupted context (registers and the full FP state as the kernel
	// saved it for the SIGSYS) inside, and redirect the thread to Handler
	// with the return address Restorer (x86 setup_rt_frame()). The kernel
	// mask during the handler comes with FlagSetMask.
	KindDeliver = 3
	// KindSigreturn: the trapped syscall is rt_sigreturn; restore the
	// context saved in the ucontext at FrameSP (the trap's RSP, where the
	// handler's return popped the restorer address), edits included:
	// general registers, the flags the kernel lets a frame change, the FP
	// state (x86 restore_sigcontext()). The emulator has read uc_sigmask
	// and uc_stack itself; the kernel mask comes with FlagSetMask.
	KindSigreturn = 4
	// KindDie: the process terminates by signal Signo, natively, so that
	// its parent sees exactly that ending: the shim resets Signo's kernel
	// action to SIG_DFL, unblocks it and sends it to its own thread
	// (tgkill(2)); should the process survive that (it cannot for the
	// signals the emulator sends here), it exits with status 128+Signo.
	KindDie = 5
)

// Reply flags (Channel.Flags).
const (
	// FlagSetMask: replace the thread's kernel signal mask, effective when
	// the shim's SIGSYS handler returns, with Mask (the shim always removes
	// its own signals from it).
	FlagSetMask = 1
	// FlagRestart (KindComplete, KindDeliver): re-execute the interrupted
	// syscall: RIP -= 2 over the syscall instruction, RAX = Result (the
	// syscall number, or restart_syscall's), applied before a frame is
	// built so that the frame's context restarts it (arch/x86/kernel/
	// signal.c, "regs->ip -= 2").
	FlagRestart = 2
	// FlagReport (KindNative): after running the syscall, send its result
	// with OpNativeDone and apply the answer to that request instead of
	// returning the raw result.
	FlagReport = 4
	// FlagInterruptible (KindNative): the syscall may block (a wait,
	// ppoll and its kind): the shim runs it with the kick signal
	// deliverable and RunState = RunUser, so a signal made pending for
	// the thread meanwhile interrupts it; it then returns -EINTR (as it
	// does if the fast-path check before it sleeps sees a deliverable
	// signal), which the report turns into the syscall's restart code.
	FlagInterruptible = 8
	// FlagSyscall (KindNative): run syscall RNr instead of the trapped
	// one (RNr < MaxSyscall, else the shim answers -ENOSYS). A report
	// (FlagReport) still names the trapped call: its Nr and Args are the
	// trapped ones, its Ret the replacement's result. The emulator uses
	// it to make a descriptor standing for an emulated object: a
	// signalfd is eventfd2(0, flags) natively.
	FlagSyscall = 16
	// FlagTrapFd (KindNative, with FlagReport): the native result is a
	// new descriptor whose read(2), readv(2) and close(2) the emulator
	// must see. If the result is ≥ 0, the shim stacks a seccomp filter
	// (SECCOMP_FILTER_FLAG_TSYNC) that traps those three syscalls when
	// their fd argument (its low 32 bits, as the kernel reads it) is
	// that descriptor, unless they come from the trampoline; if stacking
	// fails it closes the descriptor and reports -errno instead. Filters
	// cannot be removed: the number stays trapped after a close (the
	// emulator lets a read of a descriptor it does not own run natively),
	// and the shim stacks no second filter for a number it already
	// trapped in this image (it forgets at execve, where a filter the
	// previous image stacked is only redundant).
	FlagTrapFd = 32
)

// Run states (Channel.RunState), the thread's half of the kick protocol
// (fastpath/hot.go, point 3).
const (
	RunInShim = 0 // in the shim, between a trap and its return
	RunUser   = 1 // running its own code or blocked in a native syscall
)

// Header is the first page of the region. The emulator fills every field
// before the first managed process starts and never changes them afterwards
// except where a field says otherwise; the shim reads them once, at load,
// and validates them against the mapping's size.
type Header struct {
	Magic       uint64 // emulator writes; shim checks == Magic
	Version     uint32 // emulator writes; shim checks == Version
	HeaderSize  uint32 // emulator writes; offset of channel 0
	ChannelSize uint32 // emulator writes; channel stride
	NumChannels uint32 // emulator writes; channels in the region
	RegionSize  uint64 // emulator writes; bytes in the region memfd

	// The fastpath arena's geometry (fastpath.Geometry), copied so the
	// shim's check reads the same words the emulator's does. Emulator
	// writes; shim validates against StateSize.
	StateSize         uint64
	MaxThreads        uint32 // thread slots in the arena
	MaxProcs          uint32 // process slots in the arena
	GeoThreadBase     uint64
	GeoThreadStride   uint64
	GeoThreadPending  uint64
	GeoThreadBlocked  uint64
	GeoThreadAltStack uint64
	GeoThreadProc     uint64
	GeoProcBase       uint64
	GeoProcStride     uint64
	GeoProcPending    uint64

	// ShimSpin is how many times the shim polls RepSeq before it sleeps
	// on the futex. Emulator writes; shim reads at load.
	ShimSpin uint32
	// Doorbell is a futex word: the shim increments it atomically after
	// claiming a channel and wakes it; the emulator's registrar sleeps on
	// it and scans for new claims.
	Doorbell uint32
	// Shutdown is set to 1 by the emulator when it stops serving; the
	// shim reads it atomically before waiting and then exits the thread's
	// process with status 127 rather than wait forever.
	Shutdown uint32
	// Starved is incremented atomically by a shim that found no free
	// channel (before ringing Doorbell and retrying): the emulator then
	// checks at once which served threads are gone and frees their
	// channels, instead of at its next idle check.
	Starved uint32
	// EmulatorPid is the emulator's pid. Emulator writes; the shim, when a
	// reply is long in coming, checks the emulator still exists (kill(2)
	// with signal 0) and ends the process if not: PR_SET_PDEATHSIG only
	// covers the emulator's direct child.
	EmulatorPid int32
	// LocalSigreturn is 1 when the shim may write the thread's blocked
	// word itself when that only unblocks; with Wrappers, the
	// sigprocmask and pthread_sigmask wrappers answer such calls (and
	// mere queries) themselves too (csrc/wrappers.c). It is 1 when the
	// shim may perform rt_sigreturn itself, without a round trip,
	// whenever that changes nothing the emulator keeps but the thread's
	// blocked word, and only unblocks (csrc/sigreturn.c says exactly
	// when), and the Handler asked for it — on every layout (the summary
	// layout's word may then lack the unblocked signals for a while, which
	// is safe: fastpath/summary.go). Emulator writes; shim reads at load.
	LocalSigreturn uint32
	// TrapSet is the set of syscall numbers the shim's seccomp filter
	// traps: bit nr%64 of word nr/64. Emulator writes (from its Handler);
	// shim reads at load.
	TrapSet [TrapWords]uint64
	// LocalSet is the subset of TrapSet the shim runs natively in its
	// SIGSYS handler without asking the emulator: the cost of the trap
	// alone, for measurement, and the place for syscalls the emulator
	// chooses not to see. Emulator writes; shim reads at load.
	LocalSet [TrapWords]uint64
	// RouteSet is the set of signals (bit sig-1) the shim catches when
	// the kernel raises them natively and forwards with OpKernelSignal:
	// faults, SIGPIPE, signals sent by processes outside the emulation.
	// The shim never lets the kernel block them outside its own handlers.
	// Emulator writes; shim reads at load (an empty set: the kernel's
	// native dispositions stay in force, as under Passthrough).
	RouteSet uint64
	// MirrorSet is the set of signals whose native action and mask the
	// emulator keeps equal to the emulated ones, and whose native action
	// is never a handler (SIG_DFL or SIG_IGN): the job-control signals,
	// which the kernel acts on itself (a stop, tty_check_change()). The
	// shim's handlers leave them unblocked, so that a stop sent natively
	// stops a thread that is inside the shim too. Emulator writes; shim
	// reads at load.
	MirrorSet uint64
	// CondTraps are the syscalls of TrapSet the filter traps only when
	// one of their arguments is not zero (NULL): entry i < NumCondTraps
	// is CondTrap(nr, arg). The emulator asks for it where the call
	// needs it only with that argument — prlimit64 when it sets a limit
	// (ld.so reads RLIMIT_STACK with it before any constructor of an
	// exec'd image runs), epoll_pwait with a signal mask (Go's netpoller
	// passes none, on every poll); the other calls run natively, as
	// untrapped ones do. Emulator writes; shim validates at load.
	NumCondTraps uint32
	// Wrappers is 1 when the shim's libc wrappers (sigaction,
	// sigprocmask, pthread_sigmask, kill, raise: csrc/wrappers.c) may
	// send the calls in WrappedSet to the emulator directly, without a
	// SIGSYS trap (ReqWrapper); 0 makes them issue the syscall as glibc
	// does, so that the filter traps it. Emulator writes; shim reads at
	// load.
	Wrappers  uint32
	CondTraps [MaxCondTraps]uint32
	// LocalBlock, with LocalSigreturn, lets the shim also store a mask
	// that blocks more (a trapped rt_sigprocmask, the sigprocmask
	// wrappers: csrc/sigreturn.c), when nothing it newly blocks is pending
	// for the process — retarget_shared_pending() would have nothing to
	// do. The emulator sets it only for a layout that derives nothing
	// from the blocked word (Geometry.SummaryStride 0): a summary word
	// may lack bits, never hold stale ones. Emulator writes; shim reads at
	// load.
	LocalBlock uint32
}

// CondTrap is a Header.CondTraps entry: syscall nr traps only when
// argument arg (0..5) is not zero.
func CondTrap(nr, arg int) uint32 { return uint32(nr) | uint32(arg)<<16 }

// Channel is one managed thread's mailbox. A thread claims one at first
// contact and keeps it until exit. One request is outstanding at a time:
// the shim writes the request fields, then increments ReqSeq; the emulator
// reads them, writes the reply fields, then stores RepSeq = ReqSeq. Each
// side sleeps on the other's sequence word with futex(2) (FUTEX_WAIT on a
// shared mapping, not _PRIVATE) after announcing it in its Waiting word, and
// each side wakes the other only if that word says it sleeps — the
// announce-then-recheck order on both sides (sequentially consistent stores
// and loads, Dekker's pattern) makes a lost wake-up impossible.
type Channel struct {
	// Control line (64 bytes).
	State         uint32 // ChanFree/Claimed/Exiting: see the constants; atomic
	ReqSeq        uint32 // futex; shim increments (seq-cst) after writing a request
	RepSeq        uint32 // futex; emulator stores ReqSeq (seq-cst) after writing the reply
	ShimWaiting   uint32 // shim stores 1 before FUTEX_WAIT on RepSeq, 0 after; emulator reads atomically
	ServerWaiting uint32 // emulator stores 1 before FUTEX_WAIT on ReqSeq, 0 after; shim reads atomically
	RunState      uint32 // RunInShim/RunUser: shim stores (seq-cst), emulator reads (kick protocol)
	KickPending   uint32 // emulator sets 1 when it sent a kick signal, shim clears; atomic
	// LocalSigreturns counts the rt_sigreturns the shim performed itself
	// (Header.LocalSigreturn): shim increments atomically, emulator reads
	// it for its statistics only.
	LocalSigreturns uint32
	// LocalSigmasks counts the rt_sigprocmask calls the shim answered
	// itself (Header.LocalSigreturn): its wrappers' (csrc/wrappers.c) and
	// trapped ones (csrc/sigreturn.c). Shim increments atomically,
	// emulator reads it for its statistics only.
	LocalSigmasks uint32
	// FastReturns counts, among LocalSigreturns, the returns the shim's
	// restorer made without a trap (csrc/fastret.c): shim increments
	// atomically, emulator reads it for its statistics only.
	FastReturns uint32
	_           [3]uint64

	// Request (shim writes before ReqSeq; emulator reads after it, each
	// field exactly once, and validates it).
	Op  uint32 // OpRegister/OpSyscall/OpSignal
	Pid int32  // getpid() of the caller, for OpRegister
	Tid int32  // gettid() of the caller, for OpRegister
	// ReqFlags (OpSyscall, OpNativeDone): ReqWrapper or 0.
	ReqFlags uint32
	Nr       uint64    // syscall number (seccomp_data.nr); OpSignal/OpKernelSignal: the interrupted one, or NoSyscall
	Args     [6]uint64 // rdi, rsi, rdx, r10, r8, r9 at the trap
	Rip      uint64    // instruction after the trapping syscall
	Rsp      uint64    // stack pointer at the trap
	Mask     uint64    // the kernel's blocked mask at the trap (uc_sigmask); OpRegister: at first contact
	Ret      int64     // OpNativeDone: the native syscall's result; OpSignal/OpKernelSignal: the interrupted syscall's (NoSyscall)
	_        [1]uint64 //
	// DeliverTime is the CLOCK_MONOTONIC time, in nanoseconds, at which
	// the shim last finished a KindDeliver: the frame built and the
	// context redirected to the handler (handler entry, for the
	// delivery-latency metric). Shim writes it after each delivery,
	// before its next ReqSeq; the emulator reads it at that next request
	// and compares it with the value it saw when it answered the
	// delivery, so an unchanged value means no frame was built.
	DeliverTime uint64
	_           [1]uint64

	// Reply (emulator writes before RepSeq; shim reads after it and
	// bounds-checks BlobArg/BlobLen).
	Kind    uint32    // KindComplete/KindNative/KindDeliver/KindSigreturn/KindDie
	Flags   uint32    // FlagSetMask, FlagRestart, FlagReport, FlagInterruptible, FlagSyscall, FlagTrapFd
	Result  int64     // KindComplete: value for RAX (-errno on failure)
	RArgs   [6]uint64 // KindNative: arguments to run the syscall with
	RMask   uint64    // FlagSetMask: the new kernel blocked mask
	BlobArg int32     // KindNative: index of the argument Blob replaces, or -1
	BlobLen uint32    // bytes of Blob in use, ≤ BlobMax
	Blob    [BlobMax]byte
	RNr     uint64 // KindNative with FlagSyscall: the syscall to run instead of the trapped one
	_       [5]uint64

	// Delivery (KindDeliver, KindSigreturn; Signo for KindDie): emulator writes before
	// RepSeq; shim reads each field once and checks Signo.
	Signo    int32     // 1..64
	_        uint32    //
	Handler  uint64    // sa_handler: the new RIP
	Restorer uint64    // sa_restorer: the frame's return address
	FrameSP  uint64    // KindDeliver: the frame goes below it (red zone or altstack top already applied); KindSigreturn: the ucontext
	UcStack  [3]uint64 // stack_t for uc_stack: ss_sp, ss_flags, ss_size
	UcMask   uint64    // uc_sigmask: the mask rt_sigreturn will restore
	Siginfo  [128]byte // the siginfo_t the handler receives
	_        [8]uint64
}

// Compile-time proof that the Go types have the sizes the C side asserts.
var (
	_ [HeaderSize - unsafe.Sizeof(Header{})]struct{} // Header fits its page
	_ [ChannelSize - unsafe.Sizeof(Channel{})]struct{}
	_ [unsafe.Sizeof(Channel{}) - ChannelSize]struct{}
)
