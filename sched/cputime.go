package sched

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// CPUClock measures the CPU time of managed threads and processes, for
// CLOCK_THREAD_CPUTIME_ID and CLOCK_PROCESS_CPUTIME_ID timers and
// ITIMER_VIRTUAL/ITIMER_PROF. Called with the emulator's lock held.
type CPUClock interface {
	// ThreadCPU is the thread's user+system CPU time in ns.
	ThreadCPU(t *Thread) int64
	// ProcessCPU is the process's CPU time in ns: user+system (ITIMER_PROF,
	// CLOCK_PROCESS_CPUTIME_ID) or user only (ITIMER_VIRTUAL).
	ProcessCPU(p *Process, userOnly bool) int64
}

// ProcCPUClock reads CPU time from procfs, the only way to read another
// process's per-thread clock (clock_gettime on a thread CPU clock works only
// inside the thread group, posix-cpu-timers.c cpu_timer_task_rcu).
//
// Precision. /proc/PID/task/TID/schedstat's first field is the thread's
// sum_exec_runtime in ns, brought up to date on every context switch and
// scheduler tick, so a reading of a running thread lags by at most one tick
// (4 ms at HZ=250); the process figure is the sum over its live threads.
// User time alone comes from /proc/PID/stat's utime, in clock ticks (10 ms).
// Expiry is checked by polling (timer.go, cpuPoll): a CPU timer fires at the
// first poll after its deadline, so it is late by up to one tick plus the
// poll period; the kernel itself checks CPU timers only at ticks.
type ProcCPUClock struct{}

// ThreadCPU reads the thread's schedstat through a descriptor it keeps
// open (Thread.cpuStat) and pread(2)s from offset 0 at every poll: a
// seq_file regenerates its text at each read from the start, and one
// pread is a fraction of an open, an fcntl, a read and a close — which
// were half of the emulator's CPU under the Go profiler's per-thread
// CLOCK_THREAD_CPUTIME_ID timers, polled every millisecond. The
// descriptor names the task, not the number: once the thread is gone its
// reads fail (ESRCH) instead of reading a reused tid's. Called with the
// emulator's lock held; removeThread and Close close it.
func (ProcCPUClock) ThreadCPU(t *Thread) int64 {
	var b [64]byte
	for try := 0; try < 2; try++ {
		if t.cpuStat == 0 {
			fd, err := unix.Open(fmt.Sprintf("/proc/%d/task/%d/schedstat", t.proc.Pid, t.Tid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return 0
			}
			t.cpuStat = fd + 1
		}
		if n, err := unix.Pread(t.cpuStat-1, b[:], 0); err == nil && n > 0 {
			return parseSchedstat(b[:n])
		}
		// The task the descriptor named is gone; the tid may name
		// another now (a non-leader's execve takes the leader's pid,
		// de_thread()): open the path once more.
		t.closeCPUStat()
	}
	return 0
}

// closeCPUStat closes the descriptor ThreadCPU keeps for t, if any.
func (t *Thread) closeCPUStat() {
	if t.cpuStat != 0 {
		unix.Close(t.cpuStat - 1)
		t.cpuStat = 0
	}
}

// ProcessCPU reads the kernel's own clock of the process first:
// clock_gettime(2) on MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED), or
// CPUCLOCK_VIRT for user time alone — one syscall instead of a file per
// thread (the emulator polls it every millisecond while a CPU timer is
// armed: reading schedstat files was 40% of its CPU under ITIMER_PROF),
// nanoseconds for both, and the time of the threads that have exited
// included, as thread_group_cputime() counts it for ITIMER_PROF and
// ITIMER_VIRTUAL. posix-cpu-timers.c's pid_for_clock lets any process
// read another's process clock (only thread clocks are confined to the
// thread group). procfs is the fallback.
func (c ProcCPUClock) ProcessCPU(p *Process, userOnly bool) int64 {
	which := int32(cpuclockSched)
	if userOnly {
		which = cpuclockVirt
	}
	var ts unix.Timespec
	if unix.ClockGettime(processCPUClock(p.Pid, which), &ts) == nil {
		return ts.Nano()
	}
	return c.procProcessCPU(p, userOnly)
}

// CPU clock ids (include/linux/posix-timers_types.h).
const (
	cpuclockVirt  = 1
	cpuclockSched = 2
)

// processCPUClock is MAKE_PROCESS_CPUCLOCK(pid, which).
func processCPUClock(pid int32, which int32) int32 { return ^pid<<3 | which }

// procProcessCPU is ProcessCPU from procfs: the sum of the live threads'
// schedstat, or /proc/PID/stat's utime.
func (c ProcCPUClock) procProcessCPU(p *Process, userOnly bool) int64 {
	if userOnly {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid))
		if err != nil {
			return 0
		}
		// Fields after the ")" that closes comm: state is field 3, utime 14.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			return 0
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 12 {
			return 0
		}
		ticks, _ := strconv.ParseInt(string(f[11]), 10, 64)
		return ticks * 10_000_000 // USER_HZ is 100 on Linux
	}
	var sum int64
	for _, t := range p.threads {
		sum += c.ThreadCPU(t)
	}
	return sum
}

// parseSchedstat is the first field of schedstat: sum_exec_runtime, ns.
func parseSchedstat(b []byte) int64 {
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	v, _ := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	return v
}

// FakeCPUClock is a CPUClock tests set by hand.
type FakeCPUClock struct {
	mu     sync.Mutex
	thread map[int32]int64 // by tid
	user   map[int32]int64 // user-only share, by pid
}

func NewFakeCPUClock() *FakeCPUClock {
	return &FakeCPUClock{thread: map[int32]int64{}, user: map[int32]int64{}}
}

// Add charges d ns of CPU to the thread tid of process pid, user time if
// user is set.
func (c *FakeCPUClock) Add(pid, tid int32, d int64, user bool) {
	c.mu.Lock()
	c.thread[tid] += d
	if user {
		c.user[pid] += d
	}
	c.mu.Unlock()
}

func (c *FakeCPUClock) ThreadCPU(t *Thread) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.thread[t.Tid]
}

func (c *FakeCPUClock) ProcessCPU(p *Process, userOnly bool) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if userOnly {
		return c.user[p.Pid]
	}
	var sum int64
	for _, t := range p.threads {
		sum += c.thread[t.Tid]
	}
	return sum
}
