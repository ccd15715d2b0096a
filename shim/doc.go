// Package shim is the preload shim — the only siglab code that runs inside a
// managed process — and the Go side of the ABI it shares with the emulator.
//
// The idea. A managed program is started with LD_PRELOAD naming a small C
// library (csrc/, embedded in the Go binary and compiled on first use by the
// system C compiler, see build.go). Its constructor maps the shared region
// the emulator created (a memfd whose number arrives in $SIGLAB_SHM_FD) and
// the fastpath arena ($SIGLAB_STATE_FD), maps a one-page syscall trampoline
// at a fixed address (TrampolineAddr), claims a per-thread channel,
// installs its handlers for SIGSYS and for the kick signal on a private
// alternate stack, sets no_new_privs and loads a seccomp filter that traps
// the syscalls the emulator asked for (Header.TrapSet) — except when the
// instruction pointer is the trampoline's, so the shim can always reach the
// kernel, in this image and in every image exec'd after it. A trapped
// syscall arrives in the SIGSYS handler, which forwards it through the
// thread's channel and applies the emulator's answer: a result for RAX,
// "run it natively" through the trampoline (possibly with arguments the
// emulator sanitised, or another syscall in its place: FlagSyscall), a
// signal frame to build, or a frame to restore at rt_sigreturn — which the
// shim does alone when the restored mask only unblocks and the alternate
// stack stays (csrc/sigreturn.c, Header.LocalSigreturn), mostly without
// even a trap: a frame whose sa_restorer is a plain rt_sigreturn stub gets
// the shim's restorer, which returns in user space (csrc/fastret.c); a
// trapped rt_sigprocmask that only queries or unblocks is answered alone
// the same way. A native
// descriptor standing for an emulated object (a signalfd is an eventfd
// natively) gets a second, stacked filter of its own that traps its read,
// readv and close (FlagTrapFd), and execve, which the shim then runs
// keeping the trapped numbers from the next image's loader
// (csrc/trapfd.c). After every answer the shim runs the fast-path check on the
// fastpath words in shared memory — no round trip — and only when a signal
// is deliverable asks the emulator what to deliver. A thread running its
// own code is reached with the kick signal, whose handler runs the same
// check from the interrupted context; a wait the shim runs natively in its
// handler is made interruptible by the kick (a cancellation-point
// trampoline, FlagInterruptible). Signals the kernel raises natively
// (faults, SIGPIPE, signals from outside; Header.RouteSet) are caught by a
// handler of the shim's and forwarded (OpKernelSignal, csrc/routed.c); the
// job-control signals keep their native action and mask as the emulator
// sets them (Header.MirrorSet). A kick or routed signal that interrupted a
// native syscall the kernel set up for a restart reports it, and the
// emulator's answer says whether it restarts (NoSyscall).
//
// C programs' most common signal calls skip the trap: the shim exports
// glibc-compatible sigaction, sigprocmask, pthread_sigmask, sigpending,
// kill, raise and syscall (csrc/wrappers.c), which do in user space what
// glibc's do (its restorer, its internal signals, errno) and send the
// syscall over the thread's channel as a wrapper's request (ReqWrapper,
// Header.Wrappers), in the program's own context: the answer is a result
// and maybe a mask; what became deliverable is found by the fast-path
// check afterwards and delivered by a self-kick before the wrapper
// returns — except for the sends that may reach the caller (kill, raise,
// syscall's kill and tgkill), whose answer may be the frame itself
// (ReqFrame), built over the caller's context after the call. A wrapper holds the channel without blocking signals:
// the kick handler defers to it, and a routed signal is queued again,
// blocked until the wrapper is done. A sigprocmask that only queries or
// unblocks is answered by the wrapper itself from the arena's blocked
// word, under the conditions of the local rt_sigreturn.
//
// Threads register on first contact (their first trap); a fork child
// notices it is one through a MADV_WIPEONFORK page and registers as new;
// an exec'd image registers again from its constructor. A vfork child
// (clone with CLONE_VM|CLONE_VFORK: glibc's vfork and posix_spawn, Go's
// os/exec) shares its parent's memory and TLS, hence its channel; the shim
// tells it apart by its tid (gettid against the tid the channel was
// registered for) and runs its syscalls natively until it execs or exits,
// so the emulator never takes them for the parent's (csrc/vfork.c).
//
// The boundary. The emulator decides; the shim executes. Nothing in the
// shared region is a pointer either side follows, and each side validates
// what the other wrote (abi.go states the rules per field). The shim makes
// no libc call at all (it is linked with -nostdlib, so any would fail the
// build): everything it does is async-signal-safe by construction.
//
// This package owns: the ABI (abi.go, the generated csrc/abi.h, abigen.go),
// the C sources, and building them (build.go). It must not touch: signal
// semantics (package sched) or the serving loop (package serve).
package shim
