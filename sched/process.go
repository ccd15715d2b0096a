package sched

import (
	"siglab/fastpath"
)

// Cred is the part of a process's credentials that kill(2) permission
// checks read (kernel/signal.c, kill_ok_by_cred): real, effective and saved
// user ids. Euid 0 stands for CAP_KILL.
type Cred struct {
	Uid, Euid, Suid uint32
}

// Process is a thread group: the kernel's signal_struct plus sighand_struct
// plus the bits of task_struct that identify the group. Every field is
// guarded by Emulator.mu; Pid never changes.
type Process struct {
	Pid  int32
	PPid int32 // parent's pid; the parent may be outside the emulation
	Pgid int32
	Sid  int32
	Cred Cred

	slot   fastpath.ProcID
	mem    Memory
	files  Files
	parent *Process // nil when the parent is not managed
	// reparented: the parent exited and init adopted the process.
	reparented bool

	threads  []*Thread // live threads, in creation order (next_thread order)
	children []*Process

	// currTarget is signal->curr_target: where complete_signal resumes its
	// round-robin search for a thread that wants a process-directed signal.
	currTarget int

	// exitSignal is the signal the parent gets when this process exits
	// (clone's CSIGNAL; SIGCHLD for fork).
	exitSignal int

	// Group exit (SIGNAL_GROUP_EXIT): dying is the fatal signal, 0 if none.
	dying     int
	dyingCore bool
	zombie    bool
	status    WaitStatus

	// Group stop (SIGNAL_STOP_STOPPED & co.): stopSig is the signal that
	// stopped the group, stopping is set from the dequeue of the stop
	// signal until every thread has stopped, stopped afterwards.
	stopSig  int
	stopping bool
	stopped  bool
	// nativeStopped: with Config.JobControl, the real process is stopped
	// (StoppedNatively); the group stop cannot complete before.
	nativeStopped bool

	// nBlocked counts threads in state Blocked; wakeQueued says the
	// process's deliver-signal event is queued.
	nBlocked   int
	wakeQueued bool

	// sigpending is the process's RLIMIT_SIGPENDING soft limit (rlimit.go).
	sigpending uint64

	itimers   [3]itimer
	timers    map[int32]*posixTimer
	nextTimer int32
	signalfds map[int32]*signalFD
}

// threadsCopy returns a copy of the process's live threads.
func (p *Process) threadsCopy() []*Thread { return append([]*Thread(nil), p.threads...) }

// Slot is the process's record in the fastpath arena.
func (p *Process) Slot() fastpath.ProcID { return p.slot }

// Threads returns the process's live threads, in creation order.
func (e *Emulator) Threads(p *Process) []*Thread {
	e.mu.Lock()
	defer e.mu.Unlock()
	return p.threadsCopy()
}

// leader is the thread complete_signal tries first: the thread whose tid
// is the pid, or the oldest live thread once the leader is gone.
func (p *Process) leader() *Thread {
	if len(p.threads) == 0 {
		return nil
	}
	return p.threads[0]
}

// WaitStatus is a wait(2) status word.
type WaitStatus uint32

// Exited and friends encode and decode the status the way the kernel does
// (include/linux/wait.h; the macros of wait(2)).
func ExitedStatus(code int) WaitStatus { return WaitStatus((code & 0xff) << 8) }
func KilledStatus(sig int, core bool) WaitStatus {
	s := WaitStatus(sig & 0x7f)
	if core {
		s |= 0x80
	}
	return s
}
func (w WaitStatus) Exited() bool   { return w&0x7f == 0 }
func (w WaitStatus) ExitCode() int  { return int(w>>8) & 0xff }
func (w WaitStatus) Signaled() bool { return w&0x7f != 0 && w&0x7f != 0x7f }
func (w WaitStatus) Signal() int    { return int(w & 0x7f) }
func (w WaitStatus) CoreDump() bool { return w&0x80 != 0 }
