package serve

import (
	"golang.org/x/sys/unix"

	"siglab/sched"
)

// RLIMIT_SIGPENDING follows the kernel's. The limit is the process's own
// (signal->rlim, inherited at fork, kept across execve) and the kernel
// keeps it: setrlimit(2) and prlimit(2) run natively, reported, and once
// one has succeeded on RLIMIT_SIGPENDING the new soft limit is read back
// from the kernel, which has already clamped and checked it, and handed to
// sched (sched/rlimit.go), whose queues then refuse or lose siginfos where
// the kernel's would (__sigqueue_alloc). A process is read once when it is
// registered, so a limit set before the program ran (ulimit -i) counts
// too.
//
// What is trapped. setrlimit(2) is, and prlimit64(2) is answered here too,
// but it is not in EmulatedSyscalls yet: glibc and Go make every
// setrlimit a prlimit64, and glibc's start-up reads RLIMIT_STACK with
// prlimit64(0, RLIMIT_STACK, NULL, &old) before any constructor has run.
// In an exec'd image that is under the filter the previous image left and
// before the shim has a SIGSYS handler, so trapping prlimit64 kills every
// exec'd program with SIGSYS. The shim's filter must first let a
// prlimit64 with a NULL new limit (args[2] == 0) through; then adding
// unix.SYS_PRLIMIT64 to EmulatedSyscalls is all that remains.

// rlimitNative answers setrlimit(2) and prlimit64(2): native, reported to
// NativeDone.
func rlimitNative(c *Call) Reply {
	r := Native(c)
	r.Report = true
	return r
}

// rlimitChanged is NativeDone's part for setrlimit(2) and prlimit64(2):
// after a successful change of RLIMIT_SIGPENDING, sched learns the new
// soft limit of the process it applies to — the caller's for setrlimit
// and for prlimit64 with pid 0, else the managed process that owns thread
// pid (prlimit takes any thread's id; rlimits are per process).
func (a *Emulated) rlimitChanged(t *Thread, c *Call, ret int64) {
	var resource, newLimit uint64
	pid := int32(0)
	switch c.Nr {
	case unix.SYS_SETRLIMIT:
		resource, newLimit = c.Args[0], c.Args[1]
	case unix.SYS_PRLIMIT64:
		pid, resource, newLimit = int32(c.Args[0]), c.Args[1], c.Args[2]
	default:
		return
	}
	if ret != 0 || uint32(resource) != unix.RLIMIT_SIGPENDING || newLimit == 0 {
		return
	}
	p := t.emu.st.Process()
	if pid != 0 {
		switch o := a.e.Thread(pid); {
		case o != nil:
			p = o.Process()
		case a.e.Process(pid) != nil: // a process whose leader has exited
			p = a.e.Process(pid)
		default:
			return // not a managed process: nothing of ours changed
		}
	}
	a.readSigpending(p)
}

// readSigpending hands sched process p's RLIMIT_SIGPENDING soft limit as
// the kernel has it. If the process is gone there is nothing to follow.
func (a *Emulated) readSigpending(p *sched.Process) {
	var lim unix.Rlimit
	if unix.Prlimit(int(p.Pid), unix.RLIMIT_SIGPENDING, nil, &lim) != nil {
		return
	}
	a.e.SetSigpendingLimit(p, lim.Cur)
}
