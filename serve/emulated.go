package serve

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/sched"
	"siglab/shim"
)

// Emulated is the Handler that plugs the emulator (package sched) into the
// channels: every signal syscall is answered by sched over the same
// fastpath State the shim checks, and every delivery, restart, stop and
// death is sched's decision, carried out by the shim. It follows the
// boundary of sched's package doc line by line:
//
//	Syscall: e.Syscall → (Wait: block this channel's goroutine on
//	         Thread.Wake, e.Resume) → Native (ppoll & co. with their
//	         sigmask argument removed, reported back) or Done →
//	         e.Decide at SYSCALL_COMPLETE → Complete / Deliver / Die,
//	         or block on Wake while the process is stopped
//	Signal:  the shim's fast path saw a deliverable signal (after a
//	         syscall, after a frame, or after a kick): e.Kicked
//	Kick:    sched.Config.Kick → Thread.Kick (a sync.Map lookup; the
//	         emulator's lock is held, so nothing here locks), with
//	         RepeatKicks: the channel's KickPending, which the shim
//	         clears when the kick arrives, is the one outstanding-kick flag
//
// The kernel mask follows the emulated one: every reply carries the
// thread's emulated blocked mask (FlagSetMask; the shim strips its own
// signals), so what the kernel generates natively respects the program's
// mask, and no mask change happens outside the emulated state (FACTS.md,
// the lost wake-up).
//
// The shim's own signals. The program's rt_sigaction and rt_sigprocmask
// are emulated in full, so whatever it does to SIGSYS or the kick signal
// changes only its emulated state, never the kernel's: the shim's handlers
// cannot be replaced nor its signals blocked. Installing a handler for
// them therefore succeeds, as on Linux — refusing it would break the Go
// runtime, which installs a handler for every signal and throws when
// rt_sigaction(SIGSYS) fails.
//
// Lifecycle. Threads and processes are discovered at first contact
// (Attach): the first process is sched.NewProcess; a new tid in a known
// process is a thread (sched.Clone with CLONE_THREAD, from the thread of
// that process with the most signals blocked — glibc and Go block all
// signals around clone, and the new thread sets its own mask first); an
// unknown pid is a fork child of the process /proc/<pid>/stat names as its
// parent; a known tid registering again is an execve (sched.Exec). clone,
// fork, vfork and execve are not trapped: run from the shim's handler,
// clone would start the child on the shim's trampoline. Process exits are
// watched with a pidfd per process (sched.ProcessExit with the status the
// kernel reports), and wait4/waitid run natively with a report so that a
// zombie the parent reaped is reaped in sched at once (sched.Reap). A
// signal sent to a thread or fork child that has made no trapped syscall
// yet registers it early (preregister), and a fork child is then kicked
// into first contact. No frame is built during a thread's first contact:
// its private signal stack does not exist yet (see complete).
//
// Mirrors of what the emulator cannot see: signals the kernel raises
// natively are routed in (emulated_route.go), stops are native
// (emulated_jobctl.go), the waits the shim runs natively are kickable
// (Reply.Interruptible), and a kick that interrupts a native syscall the
// kernel set up for a restart lets Decide choose restart or EINTR
// (Context.IntrNr).
//
// Signalfds are sched's objects behind native eventfds the shim makes and
// traps (emulated_signalfd.go, with its known gaps).
//
// Known limits: a kick that finds nothing to
// deliver (another thread took the signal first) leaves a native
// select/pselect/epoll_wait/nanosleep failing with EINTR where the kernel
// would have restarted it (its number is lost by then: -ERESTARTNOHAND and
// -ERESTART_RESTARTBLOCK become -EINTR under any handler, and the shim's
// own rt_sigreturn voids the restart block); a thread caught by a kick
// exactly on a syscall instruction it has not executed yet is treated as
// interrupted at entry (EINTR only under a handler without SA_RESTART); a
// native SIGTSTP/SIGTTIN/SIGTTOU the program handles is ignored natively
// (the terminal's ^Z does not reach its handler). A vfork child is
// never seen between its clone and its execve: the shim runs its syscalls
// natively (shim/csrc/vfork.c), since the channel in its TLS is its
// parent's; its exec'd image registers as a fork child of the parent,
// its emulated actions copied from the parent's rather than reset as by
// execve (sched.Exec), and a child whose exec failed exits unseen, its
// parent's native wait reaping it.
type Emulated struct {
	e  *sched.Emulator
	st fastpath.State

	// byThread maps a *sched.Thread to the *Thread that currently owns it
	// (an execve'd image's new channel replaces the old one). A sync.Map
	// because Kick reads it with the emulator's lock held, where taking
	// mu would invert the lock order (mu → sched's).
	byThread sync.Map
	// jobGens: pid → *atomic.Uint64, the job-control generation
	// (emulated_jobctl.go).
	jobGens sync.Map

	mu      sync.Mutex // guards procs, started, closed; taken before sched's lock, never inside it
	procs   map[int32]*emuProc
	pre     map[int32]*sched.Thread // by tid: registered early, on a signal sent to it (preregister)
	started bool
	closed  bool

	stop    chan struct{} // closed by Close: Run and every wait end
	stopFd  int           // eventfd, written by Close: the pidfd watchers end
	wg      sync.WaitGroup
	trace   *tracer
	lat     *latencyRecorder // send → handler entry (latency.go); nil: off
	shimSig fastpath.Sigset
	// localSigreturn: the shim may restore frames itself (LocalSigreturn).
	localSigreturn bool
	// wrappers: the shim's libc wrappers may skip the trap (Wrappers).
	wrappers bool
	// exitMu makes each finishProcess report whole for reaped: a native
	// wait that reaped a child must not return before sched has the
	// child's end — its SIGCHLD pending in the parent, which
	// exit_notify() sends before the child can be reaped — even while
	// the exit watcher is reporting it at that very moment. Taken before
	// mu and before sched's lock; exits are rare.
	exitMu sync.Mutex

	// sfdMu guards sfds; it is taken inside sched's lock (signalfdEvent)
	// and takes no other lock.
	sfdMu sync.Mutex
	// sfds: eventfd-id → our duplicate of a signalfd's eventfd
	// (emulated_signalfd.go).
	sfds map[uint64]*sfdDup
}

// EmulatedConfig configures NewEmulated; the zero value is the real thing
// (real clocks, no trace).
type EmulatedConfig struct {
	// Trace, if not nil, receives an strace-like, timestamped line per
	// emulated signal event (send, deliver, return, interrupt, restart,
	// stop, die, exit); see trace.go.
	Trace io.Writer
	// Latency, if not nil, receives one line per emulated delivery: the
	// nanoseconds from the signal becoming pending to handler entry
	// (latency.go).
	Latency io.Writer
	// Clock and CPU are sched's (nil: real time, /proc CPU clocks).
	Clock sched.Clock
	CPU   sched.CPUClock
	// RemoteSigreturn makes every rt_sigreturn a round trip, as it is
	// anyway under Trace (which logs each one): the A/B switch of the
	// shim's local rt_sigreturn (LocalSigreturn). It also sends every
	// sigprocmask of the shim's wrappers to the emulator (the wrappers
	// answer a query or an unblocking mask themselves under the same
	// switch, shim/csrc/wrappers.c).
	RemoteSigreturn bool
	// NoWrappers turns the shim's libc wrappers off (shim.Header.Wrappers
	// = 0): sigaction, sigprocmask, kill and the others then trap like
	// every other syscall — the A/B switch of the wrappers.
	NoWrappers bool
}

// emuThread is what Emulated keeps per served thread.
type emuThread struct {
	st *sched.Thread
	p  *emuProc
	// contacted is set after the thread's first trapped syscall, the one
	// that registered it; only its channel goroutine touches it.
	contacted bool
	// held is the emulated result of a syscall whose native echo is
	// running (SIGCHLD's action, mirrored); channel goroutine only.
	held int64
	// maskBefore is the emulated blocked mask when the current syscall
	// arrived; maskSynced is set once a wrapper's reply carried the mask.
	// Channel goroutine only (finish).
	maskBefore fastpath.Sigset
	maskSynced bool
}

// emuProc is what Emulated keeps per managed process, beside sched's
// Process: how it is ending, as far as the emulator has seen, for the
// status sched reports to its parent when the kernel says it is gone.
type emuProc struct {
	pid int32
	sp  *sched.Process

	mu sync.Mutex
	// pidfd is the process's pidfd, -1 once watchExit closed it; exited
	// is set when it became readable (the whole thread group is gone).
	pidfd    int
	exited   bool
	exitCode int // exit(2)/exit_group(2) status seen, or -1
	dieSig   int // the signal a Die decision killed it with, or 0
	dieCore  bool
}

// NewEmulated builds the emulator over st (the State serve.Run created and
// maps into the managed program) and starts its event loop.
func NewEmulated(st fastpath.State, cfg EmulatedConfig) (*Emulated, error) {
	if st == nil {
		return nil, fmt.Errorf("serve: NewEmulated needs a fastpath.State")
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("serve: eventfd: %w", err)
	}
	a := &Emulated{st: st, procs: map[int32]*emuProc{}, pre: map[int32]*sched.Thread{}, stop: make(chan struct{}), stopFd: efd,
		shimSig: shimSignals | routedSignals, sfds: map[uint64]*sfdDup{}}
	if cfg.Trace != nil {
		a.trace = newTracer(cfg.Trace)
	}
	a.localSigreturn = cfg.Trace == nil && !cfg.RemoteSigreturn
	a.wrappers = !cfg.NoWrappers
	a.lat = newLatencyRecorder(cfg.Latency, st)
	e, err := sched.New(sched.Config{Shared: st, Clock: cfg.Clock, CPU: cfg.CPU, Kick: a.kick, RepeatKicks: true, InlineWakes: true,
		JobControl: a.jobControl, Queues: a.lat.observer(), Signalfd: a.signalfdEvent})
	if err != nil {
		unix.Close(efd)
		return nil, err
	}
	a.e = e
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		e.Run(a.stop)
	}()
	return a, nil
}

// LocalSigreturn implements LocalSigreturner: the shim restores a frame
// itself when that only unblocks signals and leaves the alternate stack as
// it is (shim/csrc/sigreturn.c) — what sched's sigreturn would do then is
// exactly the blocked-word store the shim makes — unless every return is
// to be traced or the configuration asks for round trips. With Wrappers,
// the same permission lets the sigprocmask wrappers answer a query or a
// mask that only unblocks themselves (sched's rt_sigprocmask is then
// that store, and the old mask written back).
func (a *Emulated) LocalSigreturn() bool { return a.localSigreturn }

// Wrappers implements Wrapped: the shim's libc wrappers send their
// syscalls without a trap (finish answers them), unless NoWrappers. The
// trace loses nothing: every event it logs is logged by the call itself
// or by the delivery the self-kick leads to.
func (a *Emulated) Wrappers() bool { return a.wrappers }

// Emulator is the sched.Emulator behind the handler.
func (a *Emulated) Emulator() *sched.Emulator { return a.e }

// Close stops the event loop and the exit watchers; it does not close the
// State (its creator's). Closing twice is harmless.
func (a *Emulated) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	close(a.stop)
	var one [8]byte
	one[0] = 1
	unix.Write(a.stopFd, one[:])
	a.wg.Wait()
	unix.Close(a.stopFd)
	a.e.Close()
	a.closeSignalfds()
	return errors.Join(a.trace.flush(), a.lat.flush())
}

// EmulatedSyscalls is the trap set of Emulated beyond sched.Emulates:
// getppid (the measurement probe, run natively), exit and exit_group (the
// exit status, for the parent's SIGCHLD), wait4 and waitid (run natively,
// reported: a reaped zombie is reaped in sched too), setpgid and setsid
// (run natively, reported: sched's process groups follow, for kill(0)
// and kill(-pgid)), setrlimit and prlimit64 (run natively, reported:
// RLIMIT_SIGPENDING bounds the emulated queue; the shim's filter traps
// prlimit64 only when it sets a limit, since ld.so reads one before an
// exec'd image's shim has a SIGSYS handler).
var EmulatedSyscalls = []int{
	unix.SYS_GETPPID, unix.SYS_EXIT, unix.SYS_EXIT_GROUP, unix.SYS_WAIT4, unix.SYS_WAITID,
	unix.SYS_SETPGID, unix.SYS_SETSID,
	unix.SYS_SETRLIMIT, unix.SYS_PRLIMIT64, // native, reported: RLIMIT_SIGPENDING (emulated_rlimit.go; the shim traps prlimit64 only when it sets a limit)
}

// TrapSet implements Handler: every syscall sched emulates except read,
// readv and close (sched handles them only for signalfds: the shim traps
// them per descriptor, for the signalfds' numbers only — FdTrapSet,
// emulated_signalfd.go — since trapping every read would only cost), plus
// EmulatedSyscalls.
func (a *Emulated) TrapSet() []int {
	var set []int
	for nr := 0; nr < 512; nr++ {
		switch nr {
		case unix.SYS_READ, unix.SYS_CLOSE, unix.SYS_READV:
			continue
		}
		if sched.Emulates(nr) {
			set = append(set, nr)
		}
	}
	return append(set, EmulatedSyscalls...)
}

// CondTraps implements CondTrapper: prlimit64 traps only when it sets a
// limit (args[2], new_limit; ld.so reads RLIMIT_STACK with it before an
// exec'd image's shim can handle a trap), epoll_pwait and epoll_pwait2
// only with a signal mask (args[4], sigmask). Without one, epoll_pwait is
// epoll_wait: nothing of the emulated signal state changes, and a native
// sleep in it is interrupted by the kick and fails with EINTR, as
// ep_poll() fails for any signal — the Go runtime's netpoller, which
// passes no mask on every poll, then costs no round trip.
func (a *Emulated) CondTraps() map[int]int {
	return map[int]int{unix.SYS_PRLIMIT64: 2, unix.SYS_EPOLL_PWAIT: 4, unix.SYS_EPOLL_PWAIT2: 4}
}

// kick is sched's Config.Kick, called with the emulator's lock held.
func (a *Emulated) kick(st *sched.Thread) {
	if v, ok := a.byThread.Load(st); ok {
		t := v.(*Thread)
		sent, err := t.Kick() // an error means the thread is gone: its exit is being handled
		if a.trace != nil {
			why := "sent"
			switch {
			case err != nil:
				why = err.Error()
			case !sent:
				why = "not sent (in the shim, or a kick outstanding)"
			}
			a.trace.event(t, "kick", why)
		}
		return
	}
	// Registered early (preregister), no channel yet: the shim's kick
	// handler makes first contact. No KickPending to deduplicate with;
	// sched kicks once per deliver-signal event. But only if the thread
	// has that handler: a vfork child past Go's clearSignalHandlers, or
	// an image between execve and its shim's constructor, has the kick
	// signal at SIG_DFL — and a real-time signal's default action kills
	// it (the runtime's TestSignalDuringExec saw "signal: signal 64").
	// Such a thread gets the signal at its first contact instead, which
	// its constructor makes. (An execve starting between this check and
	// the tgkill is not covered: the window is two syscalls wide.)
	pid, tid := int(st.Process().Pid), int(st.Tid)
	if catchesKick(pid, tid) {
		unix.Tgkill(pid, tid, shim.KickSignal)
	}
}

// catchesKick reports whether thread tid of pid has a handler for the
// kick signal: bit KickSignal-1 of SigCgt in /proc/PID/task/TID/status
// (proc(5)), the mask of caught signals in hex.
func catchesKick(pid, tid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/status", pid, tid))
	if err != nil {
		return false
	}
	i := bytes.Index(b, []byte("\nSigCgt:"))
	if i < 0 {
		return false
	}
	f := bytes.Fields(b[i+len("\nSigCgt:"):])
	if len(f) == 0 {
		return false
	}
	v, err := strconv.ParseUint(string(f[0]), 16, 64)
	return err == nil && v&(1<<(shim.KickSignal-1)) != 0
}

// Attach implements Handler (see the type's doc, Lifecycle).
func (a *Emulated) Attach(t *Thread) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return fmt.Errorf("serve: emulator closed")
	}
	var st *sched.Thread
	var ep *emuProc
	if pre := a.pre[t.Tid]; pre != nil && pre.Process().Pid == t.Pid && a.e.ThreadState(pre) != sched.Exited {
		// Registered early by preregister: this is its first contact.
		delete(a.pre, t.Tid)
		st, ep = pre, a.procs[t.Pid]
		if t.FreshImage && st.Process().Pid == t.Tid {
			// A vfork child registered early (a signal to its group
			// reached it between its clone and its exec) whose image has
			// exec'd since: execve's signal rules, as in attachProcess —
			// its parent's handlers are not in this image.
			if err := a.e.Exec(st); err != nil {
				return err
			}
			a.trace.event(t, "exec", "fresh image, registered early")
		}
	} else if old := a.e.Thread(t.Tid); old != nil && old.Process().Pid == t.Pid {
		// The same tid registers again: its image exec'd.
		if err := a.e.Exec(old); err != nil {
			return err
		}
		st, ep = old, a.procs[t.Pid]
		a.trace.event(t, "exec", "")
	} else if p := a.e.Process(t.Pid); p != nil && a.procs[t.Pid] != nil {
		from := a.creatorByMask(p, t.Mask, true)
		if from == nil {
			return fmt.Errorf("serve: process %d has no live thread to clone tid %d from", t.Pid, t.Tid)
		}
		c, err := a.e.Clone(from, sched.CLONE_THREAD|sched.CLONE_SIGHAND|sched.CLONE_VM, t.Tid, nil, nil)
		if err != nil {
			return err
		}
		st, ep = c, a.procs[t.Pid]
	} else {
		var err error
		if st, ep, err = a.attachProcess(t); err != nil {
			return err
		}
	}
	if ep == nil {
		return fmt.Errorf("serve: no record of process %d", t.Pid)
	}
	if t.HasInherited && t.Tid == t.Pid && !t.FreshImage && st.Process().Pid == t.Pid {
		// A fork child's first contact: its mask is its forking
		// thread's (kernel/fork.c copies it), which the shim carried
		// over in TLS — whichever thread creatorByMask guessed it from,
		// and even when the forking thread has exited since.
		a.e.SetThreadMask(st, t.Inherited)
	}
	t.Slot = st.Slot()
	t.emu = &emuThread{st: st, p: ep}
	a.byThread.Store(st, t)
	return nil
}

// attachProcess registers a process at its first thread's first contact:
// the program siglab started, or a fork child of a managed process.
func (a *Emulated) attachProcess(t *Thread) (*sched.Thread, *emuProc, error) {
	st, ep, err := a.newProcess(t.Pid, t.Mask, true, false)
	if err == nil && t.FreshImage && a.procs[st.Process().PPid] != nil {
		// A child that exec'd before its first trap (a vfork child does:
		// its pre-exec syscalls run natively, see shim/csrc/vfork.c): it
		// was cloned from its parent above, and now gets what execve does
		// to signal state — handled actions reset, the alternate stack
		// cleared (fs/exec.c, flush_signal_handlers; kernel/fork.c) — or
		// the Go runtime of the new image adopts its parent's altstack,
		// which is not mapped in it.
		if err := a.e.Exec(st); err != nil {
			return nil, nil, err
		}
		a.trace.event(t, "exec", "fresh image")
	}
	return st, ep, err
}

// newProcess registers process pid with sched: a fork child of the
// managed process /proc names as its parent (forked by the thread whose
// mask is mask, if useMask), or (unless childOnly) a process of its own.
func (a *Emulated) newProcess(pid int32, mask fastpath.Sigset, useMask, childOnly bool) (*sched.Thread, *emuProc, error) {
	info, err := readProcStat(pid)
	if err != nil {
		return nil, nil, err
	}
	t := &Thread{Pid: pid, Tid: pid}
	if childOnly && (a.procs[info.ppid] == nil || !a.started) {
		return nil, nil, fmt.Errorf("serve: %d is not the child of a managed process", pid)
	}
	mem, files := pidMemory(t.Pid), pidFiles(t.Pid)
	var st *sched.Thread
	if pp := a.procs[info.ppid]; pp != nil && a.started {
		from := a.creatorByMask(pp.sp, mask, useMask)
		if from == nil {
			return nil, nil, fmt.Errorf("serve: parent %d of %d has no live thread", info.ppid, t.Pid)
		}
		if st, err = a.e.Clone(from, uint64(fastpath.SIGCHLD), t.Pid, mem, files); err != nil {
			return nil, nil, err
		}
		if cp := st.Process(); cp.Pgid != info.pgrp || cp.Sid != info.session {
			// The child changed its group before its first trap (a vfork
			// child's setpgid runs natively, shim/csrc/vfork.c; Go's
			// os/exec does that for Setpgid and Foreground).
			a.e.SetProcessGroup(cp, info.pgrp, info.session)
		}
		a.trace.event(t, "fork", fmt.Sprintf("parent %d", info.ppid))
	} else {
		ruid, euid, suid := unix.Getresuid()
		_, st, err = a.e.NewProcess(sched.ProcessConfig{
			Pid: t.Pid, PPid: info.ppid, Pgid: info.pgrp, Sid: info.session,
			Cred: sched.Cred{Uid: uint32(ruid), Euid: uint32(euid), Suid: uint32(suid)},
			Mem:  mem, Files: files,
		})
		if err != nil {
			return nil, nil, err
		}
	}
	a.started = true
	ep := &emuProc{pid: t.Pid, sp: st.Process(), exitCode: -1, pidfd: -1}
	a.procs[t.Pid] = ep
	a.readSigpending(st.Process()) // emulated_rlimit.go
	if fd, err := unix.PidfdOpen(int(t.Pid), 0); err == nil {
		ep.pidfd = fd
		a.wg.Add(1)
		go a.watchExit(ep)
	}
	return st, ep, nil
}

// preregister registers, ahead of its first contact, a thread or a fork
// child that a signal is being sent to: a managed process may signal its
// new child (or thread) before that child has made any trapped syscall,
// and sched only knows registered pids (ESRCH otherwise). It reports
// whether tid (of process tgid) is now known. The signal then waits in
// sched's pending set until the thread's first contact, where Attach
// binds it and the first syscall's decision delivers it.
func (a *Emulated) preregister(tgid, tid int32) bool {
	if tgid <= 0 || tid <= 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	if a.e.Thread(tid) != nil {
		return true // it made first contact meanwhile: send again
	}
	if ep := a.procs[tgid]; ep != nil {
		if tid == tgid {
			return false
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d/task/%d", tgid, tid)); err != nil {
			return false
		}
		from := a.creator(ep.sp)
		if from == nil {
			return false
		}
		c, err := a.e.Clone(from, sched.CLONE_THREAD|sched.CLONE_SIGHAND|sched.CLONE_VM, tid, nil, nil)
		if err != nil {
			return false
		}
		a.pre[tid] = c
		return true
	}
	if tid != tgid || a.e.Process(tgid) != nil {
		return false
	}
	st, _, err := a.newProcess(tgid, 0, false, true)
	if err != nil {
		return false
	}
	a.pre[tid] = st
	return true
}

// preregisterGroup registers early the fork children of managed
// processes that a kill(2) to a group (pid 0: the caller's, -pgid, or -1:
// every process) will reach but that have made no trapped syscall yet:
// sched's group kill sees registered processes only. It scans /proc, which
// is only worth it for these rare calls.
func (a *Emulated) preregisterGroup(self, pid int32) {
	pgid := -pid
	if pid == 0 {
		ps, err := readProcStat(self)
		if err != nil {
			return
		}
		pgid = ps.pgrp
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, ent := range ents {
		n, err := strconv.Atoi(ent.Name())
		if err != nil || n <= 0 || a.e.Process(int32(n)) != nil {
			continue
		}
		ps, err := readProcStat(int32(n))
		if err != nil || (pid != -1 && ps.pgrp != pgid) {
			continue
		}
		a.mu.Lock()
		managed := a.procs[ps.ppid] != nil
		a.mu.Unlock()
		if managed {
			a.preregister(int32(n), int32(n))
		}
	}
}

// signalTarget is the (tgid, tid) a sending syscall names, for
// preregister; 0 when it names no single process.
func signalTarget(self int32, c *Call) (int32, int32) {
	switch c.Nr {
	case unix.SYS_KILL, unix.SYS_RT_SIGQUEUEINFO:
		return int32(c.Args[0]), int32(c.Args[0])
	case unix.SYS_TGKILL, unix.SYS_RT_TGSIGQUEUEINFO:
		return int32(c.Args[0]), int32(c.Args[1])
	case unix.SYS_PIDFD_SEND_SIGNAL:
		if pid, thread, err := pidFiles(self).PidfdPid(int32(c.Args[0])); err == 0 && !thread {
			return pid, pid
		}
	case unix.SYS_TKILL:
		tid := int32(c.Args[0])
		if tid <= 0 {
			return 0, 0
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", tid))
		if err != nil {
			return 0, 0
		}
		if v, ok := fdinfoField(b, "Tgid:"); ok {
			return int32(v), tid
		}
	}
	return 0, 0
}

// creator guesses which thread of p made the clone or fork being
// registered: the one with the most signals blocked (glibc's
// pthread_create, fork and Go's newosproc block every signal around the
// clone, so the creator is the one with everything blocked; the mask is
// what the child inherits).
func (a *Emulated) creator(p *sched.Process) *sched.Thread { return a.creatorByMask(p, 0, false) }

// creatorByMask prefers the thread whose emulated mask, as the kernel
// holds it (without the shim's signals), is the new thread's kernel mask
// at first contact — inherited from its creator — and falls back to
// creator's guess.
func (a *Emulated) creatorByMask(p *sched.Process, mask fastpath.Sigset, useMask bool) *sched.Thread {
	var best *sched.Thread
	n := -1
	for _, c := range a.e.Threads(p) {
		b := a.st.Blocked(c.Slot())
		if useMask && b&^a.shimSig == mask&^a.shimSig {
			return c
		}
		if k := bits.OnesCount64(uint64(b)); k > n {
			best, n = c, k
		}
	}
	return best
}

// Detach implements Handler: the thread is gone (its process's end, if
// it was the last, comes from the pidfd watcher).
func (a *Emulated) Detach(t *Thread) {
	et := t.emu
	if et == nil {
		return
	}
	if !a.byThread.CompareAndDelete(et.st, t) {
		return // an exec'd image's new channel owns the thread now
	}
	a.e.ThreadExit(et.st)
}

// Syscall implements Handler.
func (a *Emulated) Syscall(t *Thread, c *Call) Reply {
	a.lat.entered(t)
	et := t.emu
	if et == nil {
		return Complete(-int64(unix.EPERM))
	}
	switch c.Nr {
	case unix.SYS_EXIT, unix.SYS_EXIT_GROUP:
		et.p.mu.Lock()
		et.p.exitCode = int(c.Args[0] & 0xff)
		et.p.mu.Unlock()
		if c.Nr == unix.SYS_EXIT_GROUP {
			a.trace.event(t, "exit", fmt.Sprintf("exit_group(%d)", int32(c.Args[0])))
		}
		et.contacted = true
		return Native(c)
	case unix.SYS_GETPPID:
		et.contacted = true
		return Native(c)
	case unix.SYS_WAIT4, unix.SYS_WAITID:
		r := Native(c)
		r.Report, r.Interruptible = true, true
		return r
	case unix.SYS_SETPGID, unix.SYS_SETSID:
		r := Native(c)
		r.Report = true
		return r
	case unix.SYS_SETRLIMIT, unix.SYS_PRLIMIT64:
		return rlimitNative(c)
	}
	st := et.st
	et.maskBefore = a.st.Blocked(st.Slot()) // for a wrapper's reply (finish)
	sc := sched.Call{Nr: c.Nr, Args: c.Args, SP: c.Rsp}
	if c.Nr == unix.SYS_KILL && int32(c.Args[0]) <= 0 && c.Args[1] != 0 {
		a.preregisterGroup(t.Pid, int32(c.Args[0]))
	}
	r := a.e.Syscall(st, &sc)
	if r.Kind == sched.Done && r.Ret == -int64(unix.ESRCH) {
		if tgid, tid := signalTarget(t.Pid, c); tgid > 0 && a.preregister(tgid, tid) {
			r = a.e.Syscall(st, &sc)
		}
	}
	for r.Kind == sched.Wait {
		if !a.wait(st) {
			return Complete(-int64(unix.EINTR))
		}
		r = a.e.Resume(st)
	}
	switch r.Kind {
	case sched.NewFd:
		return newSignalfdReply(c) // emulated_signalfd.go
	case sched.Native:
		r := a.native(t, c)
		if !r.Report {
			et.contacted = true
		}
		return r
	case sched.Sigreturned:
		if r.Ret != 0 {
			// The frame could not be read: sched forced SIGSEGV.
			return a.decide(t, -1, r.Ret, c.Rsp, false)
		}
		if a.trace != nil {
			a.trace.event(t, "return", fmt.Sprintf("rt_sigreturn mask=%#x", uint64(a.st.Blocked(st.Slot()))))
		}
		rep := Sigreturn(c.Rsp)
		rep.SetMask, rep.Mask = true, a.st.Blocked(st.Slot())
		return rep
	}
	// The wake-ups a send queued (signal_wake_up: kicks of the threads
	// it chose) have run inside Syscall, on this goroutine, before the
	// sender's reply (sched.Config.InlineWakes).
	a.traceSend(t, c, r.Ret)
	if c.Nr == unix.SYS_RT_SIGACTION && c.Args[1] != 0 && r.Ret == 0 {
		if c.Args[0] == uint64(fastpath.SIGCHLD) {
			return a.mirrorSigchld(t, c)
		}
		if sig := int(c.Args[0]); sig < 64 && mirroredSignals.Has(sig) {
			return a.mirrorJobAction(t, sig)
		}
	}
	return a.finish(t, c, r.Ret)
}

// mirrorSigchld gives the kernel the part of SIGCHLD's emulated action
// that the kernel itself acts on: SIG_IGN and SA_NOCLDWAIT make it reap
// children at their exit (do_notify_parent's autoreap), which a managed
// parent's native wait(2) must see (ECHILD). Any handler is SIG_DFL to
// the kernel (SIGCHLD's default is to ignore; the emulated SIGCHLD comes
// from sched). The emulated result is held until the native call is
// reported back.
func (a *Emulated) mirrorSigchld(t *Thread, c *Call) Reply {
	act := a.st.Action(t.emu.st.Process().Slot(), fastpath.SIGCHLD)
	h := uint64(fastpath.SIG_DFL)
	if act.Handler == fastpath.SIG_IGN {
		h = fastpath.SIG_IGN
	}
	return nativeAction(t, fastpath.SIGCHLD, h, act.Flags&fastpath.SA_NOCLDWAIT)
}

// nativeAction is the reply that gives the kernel handler h (SIG_DFL or
// SIG_IGN) and flags for sig — rt_sigaction(2) run natively with a
// struct kernel_sigaction (handler, flags, restorer, mask) passed as the
// reply's blob — while the program gets the emulated result, held until
// the native call is reported back (NativeDone).
func nativeAction(t *Thread, sig int, h, flags uint64) Reply {
	var k [fastpath.SigactionSize]byte
	binary.LittleEndian.PutUint64(k[0:], h)
	binary.LittleEndian.PutUint64(k[8:], flags)
	t.emu.held = 0
	return Reply{Kind: shim.KindNative, Args: [6]uint64{uint64(sig), 0, 0, 8}, BlobArg: 1, Blob: k[:], Report: true}
}

// finish is the SYSCALL_COMPLETE of c: complete for a trapped call; for
// one from the shim's libc wrappers (Call.Wrapper) the result only, and
// the emulated mask if the call changed it — the kernel mask is the
// emulated one whenever the thread runs its own code (every other reply
// carries it), so the wrapper then makes no rt_sigprocmask of its own. No
// frame can be built in the wrapper's context, and what became
// deliverable stays pending: the wrapper's fast-path check finds it and
// the shim's self-kick brings it to Kicked → Decide from a signal
// context, before the wrapper returns — unless the wrapper can take a
// frame (Call.Frame: kill and raise): then it is Decide, as after a trap.
func (a *Emulated) finish(t *Thread, c *Call, ret int64) Reply {
	if !c.Wrapper {
		return a.complete(t, c.Nr, ret, c.Rsp)
	}
	if c.Frame {
		t.emu.maskSynced = true // every Decide reply carries the mask
		return a.decide(t, c.Nr, ret, c.Rsp, false)
	}
	rep := Complete(ret)
	// The first wrapper reply carries the mask anyway: a thread that
	// registered from the shim's constructor may not have had a trapped
	// call yet, whose reply makes the kernel mask the emulated one.
	if m := a.st.Blocked(t.emu.st.Slot()); m != t.emu.maskBefore || !t.emu.maskSynced {
		rep.SetMask, rep.Mask = true, m
		t.emu.maskSynced = true
	}
	return rep
}

// complete is the SYSCALL_COMPLETE of a trapped syscall: Decide, except
// for the thread's first contact. That trap may run the shim's handler on
// the program's own stack (a new thread's private signal stack is only
// installed when that handler returns), where no frame may be built: the
// result goes back as it is, and the shim, finding a signal pending, kicks
// itself so that the kick delivers it from the private stack.
func (a *Emulated) complete(t *Thread, nr int, ret int64, sp uint64) Reply {
	et := t.emu
	if !et.contacted {
		et.contacted = true
		if !isRestartCode(ret) {
			rep := Complete(ret)
			rep.SetMask, rep.Mask = true, a.st.Blocked(et.st.Slot())
			return rep
		}
	}
	return a.decide(t, nr, ret, sp, false)
}

// native answers a syscall sched lets run natively: ppoll, pselect6,
// epoll_pwait and epoll_pwait2, whose signal mask sched has swapped in
// already, and read or readv of a trapped number that is no signalfd. The kernel gets a NULL sigmask (the mask it sees inside the
// shim's handler is not the program's anyway), and the result comes back
// through NativeDone so that Decide restores the mask
// (restore_saved_sigmask). A signal the new mask unblocks that is already
// pending interrupts the call before it sleeps, as do_sys_poll's
// signal_pending check does.
func (a *Emulated) native(t *Thread, c *Call) Reply {
	r := Native(c)
	switch c.Nr {
	case unix.SYS_PPOLL:
		r.Args[3] = 0
	case unix.SYS_PSELECT6:
		r.Args[5] = 0
	case unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_PWAIT2:
		r.Args[4] = 0
	case unix.SYS_READ, unix.SYS_READV:
		// A number a signalfd's filter still traps, now another file
		// (a pipe, say): its read may sleep, and a signal must reach
		// the thread meanwhile, as natively (its handler may be what
		// writes the pipe).
	default:
		return r // restart_syscall of a native restart block
	}
	if a.st.Hot(t.emu.st.Slot()).Deliverable() {
		return a.complete(t, c.Nr, sched.RestartCode(c.Nr), c.Rsp)
	}
	r.Report, r.Interruptible = true, true
	return r
}

// interruptible reports whether Emulated runs nr natively with
// shim.FlagInterruptible: its -EINTR then means a kick interrupted it,
// and becomes the syscall's restart code (do_wait's -ERESTARTSYS,
// do_sys_poll's -ERESTARTNOHAND, ...) for the restart rules to apply.
func interruptible(nr int) bool {
	switch nr {
	case unix.SYS_PPOLL, unix.SYS_PSELECT6, unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_PWAIT2,
		unix.SYS_WAIT4, unix.SYS_WAITID, unix.SYS_READ, unix.SYS_READV:
		return true
	}
	return false
}

// NativeDone implements NativeReporter: the result of a reported native
// syscall, at its SYSCALL_COMPLETE.
func (a *Emulated) NativeDone(t *Thread, c *Call, ret int64) Reply {
	if t.emu == nil {
		return Complete(ret)
	}
	if ret == -int64(unix.EINTR) && interruptible(c.Nr) {
		ret = sched.RestartCode(c.Nr)
	}
	switch c.Nr {
	case unix.SYS_RT_SIGACTION:
		// The native echo of SIGCHLD's action (mirrorSigchld): the
		// program sees the emulated result.
		return a.finish(t, c, t.emu.held)
	case unix.SYS_SETPGID, unix.SYS_SETSID:
		if ret >= 0 {
			pid := t.Pid
			if c.Nr == unix.SYS_SETPGID && int32(c.Args[0]) > 0 {
				pid = int32(c.Args[0])
			}
			a.groupChanged(pid)
		}
	case unix.SYS_SETRLIMIT, unix.SYS_PRLIMIT64:
		a.rlimitChanged(t, c, ret)
	case unix.SYS_SIGNALFD, unix.SYS_SIGNALFD4:
		ret = a.adoptSignalfd(t, ret) // the eventfd made in its place
	case unix.SYS_WAIT4:
		if ret > 0 {
			a.reaped(t, int32(ret), c.Args[1], c.Args[2], false)
		}
		a.syncExits()
	case unix.SYS_WAITID:
		if ret == 0 && c.Args[2] != 0 {
			var info [24]byte
			if ReadMemory(t.Pid, c.Args[2], info[:]) == nil {
				// siginfo_t: si_code at 8, si_pid at 16. Only an
				// exit reaps; CLD_STOPPED and CLD_CONTINUED do not.
				code, pid := int32(le32(info[8:])), int32(le32(info[16:]))
				if pid > 0 && code == fastpath.CLD_STOPPED {
					a.stopSeen(pid)
				}
				if pid > 0 && code >= fastpath.CLD_EXITED && code <= fastpath.CLD_DUMPED {
					a.reaped(t, pid, 0, c.Args[3], true)
				}
			}
		}
		a.syncExits()
	}
	return a.finish(t, c, ret)
}

// Signal implements Handler: the shim's fast path found a deliverable
// signal — after a syscall or a frame, or after a kick.
func (a *Emulated) Signal(t *Thread, ctx *Context) Reply {
	a.lat.entered(t)
	if t.emu == nil {
		return Complete(0)
	}
	if ctx.IntrRet != 0 {
		return a.decide(t, ctx.IntrNr, ctx.IntrRet, ctx.Rsp, true)
	}
	return a.decide(t, -1, 0, ctx.Rsp, true)
}

// wait blocks the channel's goroutine until sched wakes the thread; false
// if the emulator is stopping.
func (a *Emulated) wait(st *sched.Thread) bool {
	select {
	case <-st.Wake():
		return true
	case <-a.stop:
		return false
	}
}

// redZone is the x86-64 ABI's red zone, which get_sigframe skips below the
// interrupted stack pointer unless the frame goes to the top of the
// alternate stack.
const redZone = 128

// decide runs the delivery decision at a SYSCALL_COMPLETE (nr ≥ 0) or on
// the slow path (nr = -1, kicked) and turns it into the shim's reply.
func (a *Emulated) decide(t *Thread, nr int, ret int64, sp uint64, kicked bool) Reply {
	st := t.emu.st
	var d sched.Decision
	if kicked {
		d = a.e.Kicked(st, nr, ret, sp)
	} else {
		d = a.e.Decide(st, nr, ret, sp)
	}
	for d.Act == sched.StopThread {
		a.trace.event(t, "stop", "")
		if !a.wait(st) {
			return Complete(ret)
		}
		d = a.e.Decide(st, nr, ret, sp)
	}
	if a.trace != nil && nr >= 0 && ret != d.Ret && isRestartCode(ret) {
		if d.Restart() {
			a.trace.event(t, "restart", fmt.Sprintf("syscall %d (code %d) as %d", nr, ret, d.Ret))
		} else {
			a.trace.event(t, "interrupt", fmt.Sprintf("syscall %d = %d", nr, d.Ret))
		}
	}
	switch d.Act {
	case sched.RunHandler:
		dv := d.Delivery
		frame := dv.StackTop
		if frame == sp || !dv.OnAltStack {
			frame -= redZone
		}
		rep := Deliver(d.Ret, Delivery{
			Signo: dv.Signal, Handler: dv.Handler, Restorer: dv.Restorer, FrameSP: frame,
			UcStack: dv.UcStack, UcMask: dv.SavedMask, Info: dv.Info,
		})
		rep.Restart = d.Restart()
		rep.SetMask, rep.Mask = true, dv.Mask
		a.lat.delivered(t, dv.Signal)
		if a.trace != nil {
			a.trace.event(t, "deliver", fmt.Sprintf("%s handler=%#x frame=%#x mask=%#x",
				sigName(dv.Signal), dv.Handler, frame, uint64(dv.Mask)))
		}
		return rep
	case sched.Die:
		sig := d.Signal()
		if !fastpath.ValidSignal(sig) {
			return Complete(d.Ret) // the thread is already gone
		}
		ep := t.emu.p
		ep.mu.Lock()
		if ep.dieSig == 0 {
			ep.dieSig, ep.dieCore = sig, d.Core()
		}
		ep.mu.Unlock()
		a.trace.event(t, "die", sigName(sig))
		return Die(sig)
	}
	rep := Complete(d.Ret)
	rep.Restart = d.Restart()
	rep.SetMask, rep.Mask = true, a.st.Blocked(st.Slot())
	return rep
}

// groupChanged records a native setpgid(2)/setsid(2) that succeeded: the
// kernel's view of pid's group and session becomes sched's.
func (a *Emulated) groupChanged(pid int32) {
	p := a.e.Process(pid)
	if p == nil {
		return
	}
	if ps, err := readProcStat(pid); err == nil {
		a.e.SetProcessGroup(p, ps.pgrp, ps.session)
	}
}

// isRestartCode is sched's internal restart range (-516..-512).
func isRestartCode(ret int64) bool {
	return ret <= -sched.ERESTARTSYS && ret >= -sched.ERESTART_RESTARTBLOCK
}

// sigName is the signal's name for traces.
func sigName(sig int) string {
	if n := unix.SignalName(unix.Signal(sig)); n != "" {
		return n
	}
	return fmt.Sprintf("SIG%d", sig)
}

var _ NativeReporter = (*Emulated)(nil)
