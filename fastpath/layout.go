package fastpath

import (
	"errors"
	"fmt"
)

// ThreadID and ProcID are slot numbers in a State's arena, not Linux ids;
// package sched maps tids and pids onto them.
type (
	ThreadID int32
	ProcID   int32
)

var (
	// ErrAgain is returned by a send of a real-time signal when the
	// process's account is at its limit (account.go): sigqueue(3) "EAGAIN
	// The limit of signals which may be queued has been reached."
	ErrAgain = errors.New("fastpath: real-time signal queue full")
	// ErrFull is returned when the arena has no free thread or process slot.
	ErrFull = errors.New("fastpath: no free slot in the signal-state arena")
)

// Config sizes a State. Zero fields take the defaults below.
type Config struct {
	MaxThreads   int // thread slots in the arena
	MaxProcesses int // process slots in the arena
	// RTQueueLimit is the most siginfos a process may have queued in its
	// account (account.go): a new process's limit, and the cap on what
	// State.SetQueueLimit sets. The kernel's limit is RLIMIT_SIGPENDING
	// (getrlimit(2)); package sched passes the managed program's.
	RTQueueLimit int
}

// Defaults for Config fields left zero.
const (
	DefaultMaxThreads   = 4096
	DefaultMaxProcesses = 1024
	DefaultRTQueueLimit = 1024
)

// Caps on Config: slot numbers are int32, and an arena beyond these is a
// mistake rather than a plan (the flat layout at MaxConfigThreads is 16 GB
// of address space, touched lazily).
const (
	MaxConfigThreads   = 1 << 22
	MaxConfigProcesses = 1 << 20
)

func (c Config) validate() error {
	if c.MaxThreads > MaxConfigThreads || c.MaxProcesses > MaxConfigProcesses {
		return fmt.Errorf("fastpath: %d threads / %d processes exceed the caps %d / %d",
			c.MaxThreads, c.MaxProcesses, MaxConfigThreads, MaxConfigProcesses)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.MaxThreads <= 0 {
		c.MaxThreads = DefaultMaxThreads
	}
	if c.MaxProcesses <= 0 {
		c.MaxProcesses = DefaultMaxProcesses
	}
	if c.RTQueueLimit <= 0 {
		c.RTQueueLimit = DefaultRTQueueLimit
	}
	return c
}

// Geometry says where a layout puts the hot words in the arena, so that the
// shim (which maps the same memfd) can run the check with no round trip.
// All offsets are in bytes from the start of the arena or of a record.
type Geometry struct {
	ThreadBase, ThreadStride uint64
	ThreadPending            uint64 // uint64 pending set, within a thread record
	ThreadBlocked            uint64 // uint64 blocked mask
	ThreadAltStack           uint64 // stack_t
	ThreadProc               uint64 // uint32 process slot of the thread
	ProcBase, ProcStride     uint64
	ProcPending              uint64 // uint64 pending set, within a process record
	// SummaryStride, when non-zero, says the layout precomputes each
	// thread's deliverable set into one word, at SummaryBase +
	// slot*SummaryStride, and the check reads that word alone.
	SummaryBase, SummaryStride uint64
}

// Footprint is a layout's byte accounting. Shared bytes live in the arena
// (what the shim maps); private bytes are the emulator's own, counted when
// nothing is pending. Queued siginfos cost PerQueued private bytes each.
type Footprint struct {
	SharedPerThread   int
	SharedPerProcess  int
	PrivatePerThread  int
	PrivatePerProcess int
	PerQueued         int
}

// PerThread and PerProcess are the totals, shared plus private.
func (f Footprint) PerThread() int  { return f.SharedPerThread + f.PrivatePerThread }
func (f Footprint) PerProcess() int { return f.SharedPerProcess + f.PrivatePerProcess }

// State is one layout's signal state for every thread and process of an
// emulation. Methods other than those of Hot must be called with the
// emulator's lock held (see package doc). Arguments naming a slot must name
// a live one; signal numbers must be valid (1..64): validating syscall
// arguments is package sched's job, and these methods panic on nonsense the
// way an index out of range does, because it is a bug in the emulator.
type State interface {
	// Layout is the registered name of this state's layout.
	Layout() string
	// Geometry is where the hot words live in the arena.
	Geometry() Geometry
	// Footprint is the layout's byte accounting.
	Footprint() Footprint
	// Fd is the memfd holding the arena, for the shim to map.
	Fd() int
	// Close unmaps and closes the arena; the State is dead afterwards.
	Close() error

	// NewProcess takes a process slot, with empty pending set and every
	// action SIG_DFL.
	NewProcess() (ProcID, error)
	// FreeProcess discards the process's pending signals and returns its
	// slot. Its threads must have been freed first.
	FreeProcess(p ProcID)
	// NewThread takes a thread slot in process p: nothing pending, nothing
	// blocked, alternate stack disabled.
	NewThread(p ProcID) (ThreadID, error)
	// FreeThread discards the thread's pending signals and returns its slot.
	FreeThread(t ThreadID)
	// Process is the process a thread belongs to.
	Process(t ThreadID) ProcID
	// Hot returns the thread's view for the check.
	Hot(t ThreadID) Hot

	// SendThread and SendProcess make info.Signo pending on a thread or a
	// process. A standard signal already pending there is coalesced: the
	// call returns false and the first siginfo is kept. A real-time signal
	// is queued behind earlier instances. Each siginfo kept is charged to
	// the process's account; past the process's limit (SetQueueLimit) a
	// real-time signal fails with ErrAgain, unless sent by kill(2) (Code
	// SI_USER), and a standard signal with a negative Code other than
	// SI_TIMER is kept too: then, as in the kernel, the signal becomes
	// pending without its siginfo, and Take returns it with an SI_USER
	// siginfo naming no sender (kernel/signal.c, __send_signal_locked,
	// __sigqueue_alloc and collect_signal; account.go).
	SendThread(t ThreadID, info *Siginfo) (queued bool, err error)
	SendProcess(p ProcID, info *Siginfo) (queued bool, err error)
	// Take dequeues one signal not in mask for thread t: from the thread's
	// own set first, then its process's, NextSignal's choice within a set;
	// for a real-time signal the oldest instance. It fills *info and returns
	// the signal number, or 0 if nothing can be taken (dequeue_signal()).
	Take(t ThreadID, mask Sigset, info *Siginfo) int
	// Pending returns the thread's and its process's pending sets.
	Pending(t ThreadID) (thread, process Sigset)
	// FlushThread and FlushProcess discard every pending instance of the
	// signals in set (flush_sigqueue_mask()).
	FlushThread(t ThreadID, set Sigset)
	FlushProcess(p ProcID, set Sigset)
	// QueuedRealtime is the number of real-time siginfos queued for p and
	// its threads.
	QueuedRealtime(p ProcID) int
	// SetQueueLimit puts p in the account of user uid (its real uid) and
	// sets its limit, RLIMIT_SIGPENDING, capped to 0..Config.RTQueueLimit.
	// A new process is in uid 0's account with limit RTQueueLimit. The
	// siginfos p has queued move with it to the new account (the kernel
	// leaves each charged to the user it was allocated for).
	SetQueueLimit(p ProcID, uid uint32, limit int)
	// QueuedUser is the count of p's account: the siginfos queued for
	// every process in it and their threads, the figure p's limit bounds.
	QueuedUser(p ProcID) int

	// Blocked and SetBlocked read and replace the thread's mask; SIGKILL
	// and SIGSTOP are removed silently (sigprocmask(2)).
	Blocked(t ThreadID) Sigset
	SetBlocked(t ThreadID, mask Sigset)
	// AltStack and SetAltStack read and replace the thread's alternate
	// signal stack as sigaltstack(2) stores it.
	AltStack(t ThreadID) Stack
	SetAltStack(t ThreadID, s Stack)
	// Action and SetAction read and replace a process's action for sig.
	Action(p ProcID, sig int) Sigaction
	SetAction(p ProcID, sig int, a Sigaction)
}

// Block adds set to the thread's mask (SIG_BLOCK); Unblock removes it.
func Block(s State, t ThreadID, set Sigset)   { s.SetBlocked(t, s.Blocked(t)|set) }
func Unblock(s State, t ThreadID, set Sigset) { s.SetBlocked(t, s.Blocked(t)&^set) }
