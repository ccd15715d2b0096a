package sched

import (
	"math"

	"golang.org/x/sys/unix"
)

// RLIMIT_SIGPENDING, the queue limit (getrlimit(2): "a limit on the number
// of signals that may be queued for the real user ID of the calling
// process"). The kernel charges every queued siginfo to the real user of
// the task it is queued on and compares that user's count with the target
// task's soft limit (kernel/signal.c, __sigqueue_alloc); what happens at
// the limit — EAGAIN for a real-time signal sent with a siginfo, a signal
// pended without its siginfo otherwise — is the fastpath State's send
// (fastpath/account.go). What sched owns is the bookkeeping the State
// cannot know: each process's limit as the program set it (rlimits are per
// process, inherited across fork and kept across execve, setrlimit(2)), and
// its real uid, the account its siginfos count in. The State caps the
// limit at Config.State.RTQueueLimit, the most the emulator will hold for
// one user.

// RlimInfinity is RLIM_INFINITY, a new process's limit until the caller
// says otherwise: the State's cap then applies.
const RlimInfinity = unix.RLIM_INFINITY

// SetSigpendingLimit records process p's RLIMIT_SIGPENDING soft limit n
// (setrlimit(2) or prlimit(2) on it, or its value when the process was
// registered). Signals already queued stay queued, as in the kernel.
func (e *Emulator) SetSigpendingLimit(p *Process, n uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p.sigpending = n
	e.syncQueueLimit(p)
}

// SigpendingLimit is p's RLIMIT_SIGPENDING soft limit as last recorded.
func (e *Emulator) SigpendingLimit(p *Process) uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return p.sigpending
}

// syncQueueLimit hands p's limit and real uid to the State: at
// registration, fork, a credential change and setrlimit.
func (e *Emulator) syncQueueLimit(p *Process) {
	n := p.sigpending
	if n > math.MaxInt32 {
		n = math.MaxInt32 // the State caps it far lower anyway
	}
	e.st.SetQueueLimit(p.slot, p.Cred.Uid, int(n))
}
