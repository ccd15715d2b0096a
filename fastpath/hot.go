package fastpath

import "sync/atomic"

// Hot is a thread's view of the three words the check reads: its own
// pending set, its process's pending set and its blocked mask. The words
// live in the shared arena at the offsets the layout's Geometry reports; a
// Hot is valid until the thread's slot is freed.
//
// Memory ordering. The emulator is the only writer of these words and
// writes them with its lock held; readers (the emulator's delivery decision
// and the shim, after every SYSCALL_COMPLETE) take no lock. The argument:
//
//  1. A send first records the siginfo (in the emulator's heap, or in the
//     shared slot for layouts that keep it there) and only then sets the
//     pending bit with an atomic OR. Go's atomics are sequentially
//     consistent, so a reader that observes the bit also observes the
//     siginfo written before it (the OR is a release, the load an acquire).
//  2. A take, done by the emulator under its lock, removes the siginfo and
//     then clears the bit if no instance is left. A concurrent check may
//     still see the bit: the check can say "yes" for a signal that is gone.
//     Every caller treats "yes" as "ask the slow path", which takes nothing
//     and answers "nothing to deliver" — a false positive costs time, never
//     a wrong delivery.
//  3. A check can miss a bit being set at the same moment (a false
//     negative). That is closed by the protocol, not by the check: the
//     target thread publishes "I am about to run my own code" before its
//     final check, and the sender publishes the pending bit before it reads
//     the thread's state to decide whether to kick it. With sequentially
//     consistent stores and loads on both sides (Dekker's pattern), at least
//     one of the two sees the other, so the signal is either seen by the
//     check or the thread is kicked.
//  4. The blocked mask changes only on behalf of the thread itself
//     (rt_sigprocmask, sigreturn, delivery), so the thread's own check
//     always sees its own latest mask; other threads only read it to choose
//     a target for a process-directed signal, under the emulator's lock.
//
// The loads are plain MOVs on x86-64; the atomics are there for the Go memory
// model and the race detector, and cost nothing extra.
type Hot struct {
	pending     *atomic.Uint64
	blocked     *atomic.Uint64
	procPending *atomic.Uint64
}

// Deliverable is the check: is any signal pending for the thread or its
// process and not blocked by the thread? Lock-free and allocation-free.
func (h Hot) Deliverable() bool {
	return (h.pending.Load()|h.procPending.Load())&^h.blocked.Load() != 0
}

// DeliverableSet returns the signals the check would act on.
func (h Hot) DeliverableSet() Sigset {
	return Sigset((h.pending.Load() | h.procPending.Load()) &^ h.blocked.Load())
}

// Valid reports whether h refers to a thread (the zero Hot does not).
func (h Hot) Valid() bool { return h.pending != nil }
