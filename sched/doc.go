// Package sched is the emulator: it decides everything about the emulated
// signals of the managed programs — which syscall returns what, which signal
// is delivered to which thread with which frame, when a syscall is restarted
// or fails with EINTR, when a process stops, continues or dies — and leaves
// every mechanic that needs a managed thread's registers to the preload shim
// (package shim, issue 4). The emulator decides, the shim executes.
//
// What it owns. Processes (pid, parent, process group, session, credentials),
// threads (tid, state), the event queue (deliver-signal events and timer
// events, ordered by time behind a Clock), POSIX and interval timers,
// signalfd objects, and the waits of threads blocked in an emulated syscall.
// The signal state proper — actions, blocked masks, alternate stacks, pending
// sets and siginfos — lives only in the fastpath.State chosen at start-up
// (fastpath.New(layout, cfg)); sched keeps no second copy of it, and reads it
// back through the State every time. Managed memory is reached only through
// the Memory interface (the shim: process_vm_readv/writev; tests: a fake that
// can fault any address), file descriptors through Files.
//
// What it must not touch: the managed threads themselves (no ptrace, no
// native signals), the IPC channels (the shim's), and the layout of the
// shared arena (fastpath's).
//
// # The boundary the shim calls
//
// The shim has one goroutine per managed thread channel. For each thread:
//
//	r := e.Syscall(t, &Call{Nr, Args, SP}) // any trapped syscall
//	for r.Kind == Wait {                   // rt_sigsuspend, pause, sigtimedwait, signalfd read
//	        <-t.Wake()
//	        r = e.Resume(t)
//	}
//	switch r.Kind {
//	case Done:        ret = r.Ret          // a value, -errno or an internal restart code
//	case Native:      ret = native syscall // not emulated (or only its sigmask was: ppoll & co.)
//	case Sigreturned: restore the frame's registers; nr = -1
//	}
//	d := e.Decide(t, nr, ret, sp)          // at every SYSCALL_COMPLETE
//	for d.Act == StopThread { <-t.Wake(); d = e.Decide(t, nr, ret, sp) }
//	switch d.Act {
//	case Resume:     rax = d.Ret; if d.Restart() { rip -= 2 }
//	case RunHandler: same for the saved context, then build the frame of d.Delivery
//	case Die:        kill the process natively with d.Signal()
//	}
//
// Decide is the delivery decision. Its fast path is the fastpath check
// (Hot.Deliverable) plus one word of the thread's own attention flags: with
// nothing to do it returns the syscall's value untouched, takes no lock and
// allocates nothing. Otherwise it takes the lock and returns a Decision: the
// value to put in rax (a restart code becomes -EINTR or a restart), whether to
// re-execute the syscall, and one of: resume; run a handler (Decision.Delivery
// holds handler, restorer, flags, siginfo, the frame's saved mask, the mask
// during the handler, the stack to build the frame on, uc_stack); stop (wait
// on t.Wake, then call Decide again); or die by a signal. A thread kicked
// out of its own code or a native syscall calls Kicked, the same decision
// without the fast path. After
// building a frame the shim may call Decide(t, -1, 0, newSP) again to nest the
// next deliverable signal as the kernel would; rt_sigreturn (trapped) reads
// the mask and uc_stack back from the frame through Memory, or the shim passes
// them to Sigreturn. FrameFailed reports a frame the shim could not write
// (the kernel's force_sigsegv). Kicks go the other way: Config.Kick is called
// when a thread running its own code must come back (a signal became
// deliverable to it, its process stops or dies).
//
// Lifecycle hooks: NewProcess (the first process), Clone (fork, vfork,
// clone with or without CLONE_THREAD), Exec, ThreadExit, ProcessExit, Reap,
// SetProcessGroup, SetCred, SetSigpendingLimit (RLIMIT_SIGPENDING, rlimit.go);
// kernel-generated signals (faults, SIGPIPE) come in through SendNative.
// Per process the shim supplies a Memory
// (process_vm_readv/writev) and a Files (the identity and status flags of
// a signalfd's native descriptor, pidfd resolution). A new signalfd is
// validated by Syscall (Result NewFd), made natively by the shim and
// registered with AdoptSignalfd; Config.Signalfd hears when a signalfd
// becomes readable or empty, for its descriptor's poll readiness
// (signalfd.go). RestartCode(nr) gives the restart code of a native
// syscall interrupted by a kick, Emulates(nr) the syscalls to forward.
//
// # Locking
//
// One mutex, Emulator.mu, guards everything in sched and is the fastpath
// State's single writer lock: every exported method except Decide's fast
// path, Thread.Wake and the plain getters of immutable fields takes it. The
// fast path reads only the thread's three hot words (lock-free by fastpath's
// rule) and Thread.attn, an atomic written under the lock. Callbacks (Kick)
// are called with the lock held and must not call back into the Emulator.
// The lost-wake-up argument for kicks is fastpath's (hot.go point 3): the
// sender publishes the pending bit before it reads the target's state under
// the lock, and a thread's state says "running" from the moment its syscall
// result leaves the emulator, so a thread between Syscall and Decide is
// kicked (a kick that finds nothing is harmless: Kicked answers "resume",
// restarting an interrupted native syscall) rather than missed.
//
// # Time
//
// The event queue runs on Clock (real time by default; FakeClock in tests).
// RunDue runs every event that is due, Run is the goroutine that calls it at
// the right times. A sending syscall that chose a thread other than the
// caller (or finds waiters in the target process) queues the process's
// deliver-signal event, so the sending syscall completes before any target
// is woken or kicked. CPU-time clocks come from
// CPUClock (cputime.go says how they are measured and how precise that is).
//
// # Limits, known and deliberate
//
//   - Pids name managed processes only: kill(2) of an unmanaged pid is
//     ESRCH, not a native kill.
//   - CLONE_SIGHAND without CLONE_THREAD (two processes sharing one action
//     table) is refused by Clone.
//   - Signalfds: read(2), readv(2) and close(2) of the descriptor are
//     emulated; poll readiness over-approximates (any holder thread's
//     pending signals, not the poller's: signalfd.go); a copy made with
//     dup(2)/dup2(2)/fcntl(F_DUPFD) is not seen (it is read as the native
//     stand-in); pread/preadv of one run natively.
//   - SIGCHLD with CLD_CONTINUED is sent when SIGCONT is generated, where
//     the kernel sends it when the continued process next runs.
//   - CPU-time clocks are polled (cputime.go); CLOCK_*_ALARM timers fail
//     with EOPNOTSUPP as on machines without an RTC wake-up device.
//   - RLIMIT_SIGPENDING (rlimit.go) counts the siginfos queued for the
//     managed processes of a user, not the user's other processes, and is
//     capped at Config.State.RTQueueLimit; timer_create does not charge the
//     timer's siginfo (the kernel does, and fails with EAGAIN at the
//     limit); a queued siginfo follows its process to a new real uid.
package sched
