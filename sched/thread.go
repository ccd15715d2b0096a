package sched

import (
	"sync/atomic"

	"siglab/fastpath"
)

// ThreadState is what a managed thread is doing, as far as signals care.
type ThreadState uint8

const (
	// Running: the thread runs its own code or a native syscall; a signal
	// for it needs a kick.
	Running ThreadState = iota
	// InSyscall: the thread is inside Emulator.Syscall (only ever seen
	// under the lock by the thread itself).
	InSyscall
	// Blocked: the thread waits in an emulated syscall (rt_sigsuspend,
	// pause, rt_sigtimedwait, a signalfd read) until its wake condition.
	Blocked
	// Stopped: the thread is in a group stop, until SIGCONT or SIGKILL.
	Stopped
	// Exited: the thread is gone.
	Exited
)

func (s ThreadState) String() string {
	return [...]string{"running", "in-syscall", "blocked", "stopped", "exited"}[s]
}

// attention bits: reasons for Decide to take the slow path that the
// fastpath check cannot see (the kernel keeps them in TIF_SIGPENDING,
// TIF_RESTORE_SIGMASK and jobctl).
const (
	attnRestoreMask = 1 << iota // a syscall swapped the mask (saved_sigmask)
	attnJobctl                  // the process is stopping or dying
)

// Thread is a managed thread: the parts of task_struct that sched keeps.
// Its signal state (mask, pending, alternate stack) is in the fastpath State
// at slot. Fields other than Tid, attn and wake are guarded by Emulator.mu.
type Thread struct {
	Tid  int32
	proc *Process
	slot fastpath.ThreadID
	hot  fastpath.Hot
	// attn is written under the lock and read lock-free by Decide's fast
	// path, on the thread's own goroutine.
	attn atomic.Uint32
	// wake has capacity 1; a non-blocking send tells the thread's goroutine
	// that its wait completed or its stop ended.
	wake chan struct{}
	// cpuStat is ProcCPUClock's open /proc/PID/task/TID/schedstat, plus
	// one (0: not open); under the lock.
	cpuStat int

	state ThreadState
	// savedMask is saved_sigmask: the mask rt_sigsuspend, ppoll, pselect6
	// and epoll_pwait* replaced, to be restored when the syscall completes
	// (or put in the signal frame's uc_sigmask if a handler runs first).
	savedMask fastpath.Sigset
	// kicked: a kick is outstanding (FACTS.md: real-time kicks queue).
	kicked bool
	// kickWanted: the next deliver-signal event should kick this thread
	// if it runs its own code (complete_signal chose it).
	kickWanted bool
	// stoppedNatively: StoppedNatively counted this thread as stopped
	// because the real process stopped while it was outside the
	// emulator (jobctl_native.go).
	stoppedNatively bool

	wait     waitState
	restart  restartBlock
	delivery Delivery
	scratch  [512]byte
	// newSfd is the validated signalfd4(-1, ...) whose descriptor the
	// shim is making (AdoptSignalfd).
	newSfd pendingSignalfd
	// iov is the destination of a signalfd read(2)/readv(2), kept for a
	// blocked read's completion (import_iovec's copy).
	iov []iovec
	// sendInfo is the siginfo a sending syscall of this thread builds.
	sendInfo fastpath.Siginfo
}

// Process is the thread's process.
func (t *Thread) Process() *Process { return t.proc }

// Slot is the thread's record in the fastpath arena: the shim's C check
// finds its hot words at Geometry.ThreadBase + Slot*ThreadStride.
func (t *Thread) Slot() fastpath.ThreadID { return t.slot }

// Wake is the channel the shim waits on after a Wait result or a
// StopThread decision.
func (t *Thread) Wake() <-chan struct{} { return t.wake }

// ThreadState returns the thread's state.
func (e *Emulator) ThreadState(t *Thread) ThreadState {
	e.mu.Lock()
	defer e.mu.Unlock()
	return t.state
}

func (t *Thread) wakeUp() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *Thread) setAttn(bit uint32)   { t.attn.Or(bit) }
func (t *Thread) clearAttn(bit uint32) { t.attn.And(^bit) }
