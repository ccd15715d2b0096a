package fastpath

import "math/bits"

// Signal numbers this package needs to know by name; the full table is the
// business of package sched. Values are Linux x86-64 (signal(7)).
const (
	SIGHUP    = 1
	SIGINT    = 2
	SIGQUIT   = 3
	SIGILL    = 4
	SIGTRAP   = 5
	SIGABRT   = 6
	SIGBUS    = 7
	SIGFPE    = 8
	SIGKILL   = 9
	SIGUSR1   = 10
	SIGSEGV   = 11
	SIGUSR2   = 12
	SIGPIPE   = 13
	SIGALRM   = 14
	SIGTERM   = 15
	SIGSTKFLT = 16
	SIGCHLD   = 17
	SIGCONT   = 18
	SIGSTOP   = 19
	SIGTSTP   = 20
	SIGTTIN   = 21
	SIGTTOU   = 22
	SIGURG    = 23
	SIGXCPU   = 24
	SIGXFSZ   = 25
	SIGVTALRM = 26
	SIGPROF   = 27
	SIGWINCH  = 28
	SIGIO     = 29
	SIGPWR    = 30
	SIGSYS    = 31

	// SIGRTMIN is the kernel's, not glibc's (glibc reserves 32 and 33 for
	// itself and reports 34); the emulator emulates the kernel.
	SIGRTMIN = 32
	SIGRTMAX = 64
	// NSIG is the number of signals, _NSIG in the kernel.
	NSIG = 64
	// NStandard is the number of standard (non-queuing) signals, 1..31.
	NStandard = SIGRTMIN - 1
)

// Sigset is a kernel sigset_t on x86-64: bit sig-1 stands for signal sig.
type Sigset uint64

// SigBit returns the set holding only sig. sig must be in 1..NSIG.
func SigBit(sig int) Sigset { return 1 << uint(sig-1) }

// Has reports whether sig is in s.
func (s Sigset) Has(sig int) bool { return sig >= 1 && sig <= NSIG && s&SigBit(sig) != 0 }

// ValidSignal reports whether sig names a signal (1..64); 0 is the "probe"
// signal of kill(2) and is not valid here.
func ValidSignal(sig int) bool { return sig >= 1 && sig <= NSIG }

// IsRealtime reports whether sig queues (signal(7), "Real-time signals").
func IsRealtime(sig int) bool { return sig >= SIGRTMIN && sig <= SIGRTMAX }

const (
	// Unblockable holds the signals no mask can hold back: sigprocmask(2)
	// "It is not possible to block SIGKILL or SIGSTOP. Attempts to do so are
	// silently ignored."
	Unblockable = Sigset(1<<(SIGKILL-1) | 1<<(SIGSTOP-1))

	// Synchronous holds the signals the kernel dequeues first when several
	// are pending, so that a fault is handled before anything that was
	// merely sent (kernel/signal.c, SYNCHRONOUS_MASK).
	Synchronous = Sigset(1<<(SIGSEGV-1) | 1<<(SIGBUS-1) | 1<<(SIGILL-1) |
		1<<(SIGTRAP-1) | 1<<(SIGFPE-1) | 1<<(SIGSYS-1))

	// StandardMask holds signals 1..31, RealtimeMask 32..64.
	StandardMask = Sigset(1<<NStandard - 1)
	RealtimeMask = ^StandardMask
)

// NextSignal picks the signal to dequeue from pending &^ mask, or 0 if
// there is none: the lowest-numbered synchronous signal if any, else the
// lowest-numbered signal. It mirrors next_signal() in kernel/signal.c.
func NextSignal(pending, mask Sigset) int {
	x := pending &^ mask
	if x == 0 {
		return 0
	}
	if x&Synchronous != 0 {
		x &= Synchronous
	}
	return bits.TrailingZeros64(uint64(x)) + 1
}
