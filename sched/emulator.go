package sched

import (
	"fmt"
	"sync"

	"siglab/fastpath"
)

// Config configures an Emulator. Zero fields take defaults.
type Config struct {
	// Layout names the fastpath layout (fastpath.Layouts()); "" is the
	// default layout.
	Layout string
	// State sizes the fastpath arena.
	State fastpath.Config
	// Shared, if not nil, is an existing State for the emulator to use
	// instead of creating one (Layout and State are then ignored): the IPC
	// server creates the arena before the emulator exists, to map it into
	// the managed process. Its creator keeps it and closes it; Close
	// leaves it open.
	Shared fastpath.State
	// Clock orders the event queue; nil is a RealClock.
	Clock Clock
	// CPU measures CPU time for CPU-time timers; nil is ProcCPUClock.
	CPU CPUClock
	// Kick is called, with the emulator's lock held, when a thread that
	// runs its own code (or a native syscall) must come back to the
	// emulator: a signal became deliverable to it, or its process is
	// stopping or dying. It must not call back into the Emulator; the shim
	// sends its own kick signal. Nil: no kicks (tests count them).
	Kick func(t *Thread)
	// RepeatKicks: call Kick at every deliver-signal event that wants the
	// thread back, even while an earlier kick is outstanding. For a Kick
	// that deduplicates itself (the shim clears its own kick-outstanding
	// flag when the kick arrives): sched's flag is cleared only by Kicked,
	// and a kick that finds nothing — another thread took the process
	// signal, or the thread's own syscall delivered it first — never calls
	// Kicked, so with sched's flag alone the thread would never be kicked
	// again (FACTS.md, the lost wake-up).
	RepeatKicks bool
	// InlineWakes: the deliver-signal events a syscall queues for now —
	// a send's signal_wake_up, the kicks of the threads it chose — run
	// inside that Syscall, under the same lock hold, instead of waking
	// the event loop's goroutine, which would race the caller for the
	// lock and, when it wins, kick one goroutine hand-off later (tens of
	// µs on a loaded machine). Timers and events queued outside Syscall
	// still go to the loop.
	InlineWakes bool
	// JobControl, if not nil, makes group stops native (jobctl_native.go):
	// it is called, with the emulator's lock held, when a process's group
	// stop begins (JobStop), when it continues (JobCont), and when it dies
	// while stopped (JobKill, with the fatal signal); it must stop or
	// continue the real process (kill(2) with SIGSTOP/SIGCONT) and not
	// call back into the Emulator, except StoppedNatively later, from
	// another goroutine, once every thread is stopped.
	JobControl func(p *Process, ev JobEvent, sig int)
	// Queues, if not nil, sees every signal enter and leave the pending
	// queues (observe.go), for the delivery-latency metric.
	Queues QueueObserver
	// Signalfd, if not nil, is told with the emulator's lock held when a
	// signalfd (by the id its descriptor was adopted with) becomes
	// readable or empty, and when it is released (signalfd.go). It must
	// not block nor call back into the Emulator.
	Signalfd func(id uint64, ev SignalfdEvent)
}

// Emulator is the emulated kernel's signal half. See the package doc for
// the locking rule: mu guards every field below and is the fastpath
// State's writer lock.
type Emulator struct {
	mu     sync.Mutex
	st     fastpath.State
	owned  bool // st was created by New, and Close closes it
	closed bool
	clock  Clock
	cpu    CPUClock
	kick   func(*Thread)
	repeat bool // Config.RepeatKicks
	// inline is Config.InlineWakes; inSyscall is set during Syscall's
	// dispatch, and runAfter says it queued an event for now without
	// notifying the loop.
	inline, inSyscall, runAfter bool
	jobctl                      func(*Process, JobEvent, int)
	queues                      QueueObserver // Config.Queues
	// sfdNotify is Config.Signalfd.
	sfdNotify func(id uint64, ev SignalfdEvent)

	procs   map[int32]*Process // by pid (thread-group id), zombies included until reaped
	threads map[int32]*Thread  // by tid, live threads only

	// kinfo and chldInfo are the siginfos of kernel-generated signals
	// (timers, faults) and of parent notifications, kept here so sending
	// them allocates nothing; notifications never nest inside each other.
	kinfo, chldInfo fastpath.Siginfo

	events eventQueue
	// notify wakes Run when an event earlier than the one it sleeps for
	// is queued.
	notify chan struct{}
}

// New builds an emulator with a fresh fastpath State of the configured
// layout.
func New(cfg Config) (*Emulator, error) {
	st, owned := cfg.Shared, false
	if st == nil {
		layout := cfg.Layout
		if layout == "" {
			layout = fastpath.DefaultLayout
		}
		var err error
		if st, err = fastpath.New(layout, cfg.State); err != nil {
			return nil, fmt.Errorf("sched: %w", err)
		}
		owned = true
	}
	e := &Emulator{
		st:        st,
		owned:     owned,
		clock:     cfg.Clock,
		cpu:       cfg.CPU,
		kick:      cfg.Kick,
		repeat:    cfg.RepeatKicks,
		inline:    cfg.InlineWakes,
		jobctl:    cfg.JobControl,
		queues:    cfg.Queues,
		sfdNotify: cfg.Signalfd,
		procs:     make(map[int32]*Process),
		threads:   make(map[int32]*Thread),
		notify:    make(chan struct{}, 1),
	}
	if e.clock == nil {
		e.clock = NewRealClock()
	}
	if e.cpu == nil {
		e.cpu = ProcCPUClock{}
	}
	return e, nil
}

// State is the fastpath State the emulator writes; the shim maps its arena
// (State().Fd(), State().Geometry()).
func (e *Emulator) State() fastpath.State { return e.st }

// Close releases the arena (unless it came from Config.Shared); the
// emulator must not be used afterwards. Closing twice is harmless.
func (e *Emulator) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	for _, t := range e.threads {
		t.closeCPUStat()
	}
	if !e.owned {
		return nil
	}
	return e.st.Close()
}

// Process returns the process with the given pid, or nil.
func (e *Emulator) Process(pid int32) *Process {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.procs[pid]
}

// Thread returns the live thread with the given tid, or nil.
func (e *Emulator) Thread(tid int32) *Thread {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.threads[tid]
}

// liveProc is the process with pid, if it is not a zombie.
func (e *Emulator) liveProc(pid int32) *Process {
	p := e.procs[pid]
	if p == nil || p.zombie {
		return nil
	}
	return p
}
