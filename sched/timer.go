package sched

import (
	"siglab/fastpath"
)

// Timers: interval timers (setitimer(2), alarm(2)) and POSIX per-process
// timers (timer_create(2)), both built on timerCore, whose expiries are
// evTimer events on the emulator's clock.
//
// Clocks. CLOCK_MONOTONIC (and BOOTTIME) timers are events at their
// expiry. CLOCK_REALTIME (and TAI) timers are converted to the monotonic
// queue at arming and re-checked against Clock.Wall when they fire, so a
// wall clock that moved back delays them (the kernel's clock_was_set()
// reprograms instead; the visible effect is the same: a realtime timer
// never fires before its wall-clock expiry). CPU-time clocks cannot be
// waited for: their event is a poll, scheduled at the earliest wall time
// the clock could reach the expiry (remaining CPU time divided by the
// threads that can burn it) and re-scheduled until it has (cputime.go says
// how CPU time is read and how precise it is).

type clockKind uint8

const (
	clkMono      clockKind = iota // CLOCK_MONOTONIC, CLOCK_BOOTTIME
	clkReal                       // CLOCK_REALTIME, CLOCK_TAI
	clkThreadCPU                  // a thread's CPU time
	clkProcCPU                    // a process's user+system CPU time (ITIMER_PROF, PROCESS_CPUTIME_ID)
	clkProcVirt                   // a process's user CPU time (ITIMER_VIRTUAL, CPUCLOCK_VIRT)
)

// cpuPollMin bounds how often a CPU-time clock is polled.
const cpuPollMin = 1_000_000 // 1 ms

type timerCore struct {
	clock  clockKind
	proc   *Process // whose CPU time (process clocks)
	thread *Thread  // whose CPU time (thread clocks)
	// expiry is the absolute expiry in the clock's time, 0 when disarmed;
	// interval the reload value (0: one-shot).
	expiry, interval int64
	ev               *event
}

// timerRef names the timer an evTimer event belongs to.
type timerRef struct {
	owner *Process
	it    int         // 1 + which, for an itimer
	pt    *posixTimer // for a POSIX timer
}

func (e *Emulator) clockNow(c *timerCore) int64 {
	switch c.clock {
	case clkReal:
		return e.clock.Wall()
	case clkThreadCPU:
		return e.cpu.ThreadCPU(c.thread)
	case clkProcCPU:
		return e.cpu.ProcessCPU(c.proc, false)
	case clkProcVirt:
		return e.cpu.ProcessCPU(c.proc, true)
	}
	return e.clock.Now()
}

// remaining is the time left before expiry (0 when disarmed; at least 1
// when armed, as get_itimer reports an expired but active timer).
func (e *Emulator) remaining(c *timerCore) int64 {
	if c.expiry == 0 {
		return 0
	}
	r := c.expiry - e.clockNow(c)
	if r <= 0 {
		r = 1
	}
	return r
}

// arm (re)programs the core with an absolute expiry (0 disarms) and
// queues its event.
func (e *Emulator) arm(c *timerCore, ref timerRef, expiry, interval int64) {
	e.disarm(c)
	c.expiry, c.interval = expiry, interval
	if expiry == 0 {
		return
	}
	ev := e.events.alloc()
	ev.kind, ev.tm = evTimer, ref
	ev.when = e.nextCheck(c)
	c.ev = ev
	e.schedule(ev)
}

func (e *Emulator) disarm(c *timerCore) {
	if c.ev != nil {
		e.events.remove(c.ev)
		e.events.release(c.ev)
		c.ev = nil
	}
	c.expiry = 0
}

// nextCheck is the monotonic time at which the core's expiry may have
// come.
func (e *Emulator) nextCheck(c *timerCore) int64 {
	now := e.clock.Now()
	left := c.expiry - e.clockNow(c)
	switch c.clock {
	case clkMono:
		return c.expiry
	case clkReal:
		if left < 0 {
			left = 0
		}
		return now + left
	case clkProcCPU, clkProcVirt:
		if n := int64(len(c.proc.threads)); n > 1 {
			left /= n
		}
	}
	if left < cpuPollMin {
		left = cpuPollMin
	}
	return now + left
}

// fireTimer runs an evTimer event: if the expiry has come, the timer
// expires (overruns counted for the intervals missed) and is re-armed if
// periodic; else its check is re-scheduled.
func (e *Emulator) fireTimer(ev *event) {
	ref := ev.tm
	var c *timerCore
	switch {
	case ref.pt != nil:
		c = &ref.pt.timerCore
	case ref.it != 0:
		c = &ref.owner.itimers[ref.it-1].timerCore
	}
	if c == nil || c.ev != ev {
		e.events.release(ev)
		return
	}
	now := e.clockNow(c)
	if now < c.expiry {
		ev.when = e.nextCheck(c)
		e.schedule(ev)
		return
	}
	var missed int64
	if c.interval > 0 {
		missed = (now - c.expiry) / c.interval
		c.expiry += (missed + 1) * c.interval
		ev.when = e.nextCheck(c)
		e.schedule(ev)
	} else {
		c.expiry = 0
		c.ev = nil
		e.events.release(ev)
	}
	if ref.pt != nil {
		e.expirePosix(ref.pt, missed)
	} else {
		e.expireItimer(ref.owner, ref.it-1)
	}
}

// ticksToNs and friends convert the ABI's time structs.
func tsToNs(sec, nsec int64) int64 {
	const max = int64(1<<62) / 1e9
	if sec > max {
		sec = max
	}
	return sec*1e9 + nsec
}

var _ = fastpath.SIGALRM
