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
}

// Emulator is the emulated kernel's signal half. See the package doc for
// the locking rule: mu guards every field below and is the fastpath
// State's writer lock.
type Emulator struct {
	mu     sync.Mutex
	st     fastpath.State
	closed bool
	clock  Clock
	cpu    CPUClock
	kick   func(*Thread)

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
	layout := cfg.Layout
	if layout == "" {
		layout = fastpath.DefaultLayout
	}
	st, err := fastpath.New(layout, cfg.State)
	if err != nil {
		return nil, fmt.Errorf("sched: %w", err)
	}
	e := &Emulator{
		st:      st,
		clock:   cfg.Clock,
		cpu:     cfg.CPU,
		kick:    cfg.Kick,
		procs:   make(map[int32]*Process),
		threads: make(map[int32]*Thread),
		notify:  make(chan struct{}, 1),
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

// Close releases the arena; the emulator must not be used afterwards.
// Closing twice is harmless.
func (e *Emulator) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
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
