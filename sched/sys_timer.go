package sched

import (
	"math"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// POSIX timers (kernel/time/posix-timers.c, posix-cpu-timers.c). A timer's
// signal carries si_code SI_TIMER, si_timerid, si_overrun and si_value;
// while its signal is queued the timer does not queue another but counts an
// overrun, reported in si_overrun at dequeue and by timer_getoverrun. The
// kernel's _sys_private word of the siginfo (Fields[2] here, never shown to
// the program) carries the arming's sequence number, so a signal queued by
// an earlier arming of a re-armed or deleted timer is dropped at dequeue
// (posixtimer_deliver_signal).

const (
	SIGEV_SIGNAL    = 0
	SIGEV_NONE      = 1
	SIGEV_THREAD    = 2
	SIGEV_THREAD_ID = 4

	TIMER_ABSTIME = 1

	// sigeventSize is sizeof(struct sigevent).
	sigeventSize = 64
	// delaytimerMax caps si_overrun and timer_getoverrun (DELAYTIMER_MAX).
	delaytimerMax = math.MaxInt32
)

// errAlarmClock marks the alarm clocks, whose failure comes late.
const errAlarmClock = unix.Errno(1 << 20)

type posixTimer struct {
	timerCore
	id     int32
	notify int
	signo  int
	value  uint64  // sigev_value
	target *Thread // SIGEV_THREAD_ID
	// queued: the timer's signal is pending; overrun counts expiries
	// while it was; overrunLast is the figure of the last delivery.
	queued      bool
	overrun     int64
	overrunLast int64
	seq         uint32
}

// timerClock resolves a clockid for timer_create (clockid_to_kclock and
// posix_cpu_timer_create): the clock, the thread or process whose CPU time
// it measures, or an errno.
func (e *Emulator) timerClock(t *Thread, id int32) (timerCore, unix.Errno) {
	c := timerCore{proc: t.proc, thread: t}
	switch id {
	case unix.CLOCK_REALTIME, unix.CLOCK_TAI:
		c.clock = clkReal
	case unix.CLOCK_MONOTONIC, unix.CLOCK_BOOTTIME:
		c.clock = clkMono
	case unix.CLOCK_PROCESS_CPUTIME_ID:
		c.clock = clkProcCPU
	case unix.CLOCK_THREAD_CPUTIME_ID:
		c.clock = clkThreadCPU
	case unix.CLOCK_MONOTONIC_RAW, unix.CLOCK_REALTIME_COARSE, unix.CLOCK_MONOTONIC_COARSE:
		return c, unix.EOPNOTSUPP // no timer_create for these clocks
	case unix.CLOCK_REALTIME_ALARM, unix.CLOCK_BOOTTIME_ALARM:
		// alarm_timer_create(): no RTC device to wake the machine (the
		// emulator has none, like the VMs it runs on) → EOPNOTSUPP, which
		// the kernel reports after the timer id was allocated.
		return c, errAlarmClock
	default:
		if id >= 0 {
			return c, unix.EINVAL
		}
		// A CPU clock of some pid: MAKE_PROCESS_CPUCLOCK/THREAD_CPUCLOCK,
		// clock = (~pid << 3) | perthread<<2 | which.
		pid := ^(id >> 3)
		which, perThread := id&3, id&4 != 0
		if which == 3 {
			return c, unix.EINVAL
		}
		if perThread {
			th := t
			if pid != 0 {
				th = e.threads[pid]
			}
			if th == nil || th.proc != t.proc {
				return c, unix.EINVAL
			}
			c.clock, c.thread = clkThreadCPU, th
		} else {
			p := t.proc
			if pid != 0 && pid != t.Tid {
				p = e.liveProc(pid) // must be a thread-group leader's pid
			}
			if p == nil {
				return c, unix.EINVAL
			}
			c.clock, c.proc = clkProcCPU, p
			if which == 1 {
				c.clock = clkProcVirt
			}
		}
	}
	return c, 0
}

// sysTimerCreate is timer_create(clockid, sevp, timerid), its checks in
// the kernel's order: the sigevent copy, the clock, good_sigevent(), the
// id copy-out, the clock's own timer_create.
func (e *Emulator) sysTimerCreate(t *Thread, a *[6]uint64) Result {
	clockid, usev, uid := int32(a[0]), a[1], a[2]
	p := t.proc
	pt := &posixTimer{notify: SIGEV_SIGNAL, signo: fastpath.SIGALRM}
	haveEvent := usev != 0
	if haveEvent {
		b, ok := t.read(usev, sigeventSize)
		if !ok {
			return fail(unix.EFAULT)
		}
		pt.value = le64(b)
		pt.signo = int(int32(le32(b[8:])))
		pt.notify = int(int32(le32(b[12:])))
		tid := int32(le32(b[16:]))
		if pt.notify == SIGEV_SIGNAL|SIGEV_THREAD_ID {
			pt.target = e.threads[tid]
		}
	}
	core, cerr := e.timerClock(t, clockid)
	if (cerr == unix.EINVAL && clockid >= 0) || cerr == unix.EOPNOTSUPP {
		return fail(cerr) // no such clock, or no timers on it
	}
	if cerr == errAlarmClock {
		cerr = unix.EOPNOTSUPP
	}
	if haveEvent {
		switch pt.notify {
		case SIGEV_SIGNAL | SIGEV_THREAD_ID:
			if pt.target == nil || pt.target.proc != p {
				return fail(unix.EINVAL)
			}
			fallthrough
		case SIGEV_SIGNAL, SIGEV_THREAD:
			if pt.signo <= 0 || pt.signo > fastpath.SIGRTMAX {
				return fail(unix.EINVAL)
			}
		case SIGEV_NONE:
		default:
			return fail(unix.EINVAL)
		}
	}
	id := p.nextTimer
	if id == math.MaxInt32 {
		return fail(unix.EAGAIN)
	}
	p.nextTimer++
	if !haveEvent {
		pt.value = uint64(uint32(id)) // sival_int = the timer id
	}
	if !t.writeU32(uid, uint32(id)) {
		return fail(unix.EFAULT)
	}
	if cerr != 0 {
		return fail(cerr)
	}
	pt.timerCore = core
	pt.id = id
	if p.timers == nil {
		p.timers = make(map[int32]*posixTimer)
	}
	p.timers[id] = pt
	return done(0)
}

func (t *Thread) writeU32(addr uint64, v uint32) bool {
	b := t.scratch[:4]
	putU32(b, v)
	return t.write(addr, b)
}

// readItimerspec copies a struct itimerspec {it_interval, it_value} and
// validates both timespecs.
func (t *Thread) readItimerspec(addr uint64) (value, interval int64, fault bool, err unix.Errno) {
	b, ok := t.read(addr, 32)
	if !ok {
		return 0, 0, true, unix.EFAULT
	}
	is, in := int64(le64(b)), int64(le64(b[8:]))
	vs, vn := int64(le64(b[16:])), int64(le64(b[24:]))
	if is < 0 || in < 0 || in >= 1e9 || vs < 0 || vn < 0 || vn >= 1e9 {
		return 0, 0, false, unix.EINVAL
	}
	return tsToNs(vs, vn), tsToNs(is, in), false, 0
}

func (t *Thread) writeItimerspec(addr uint64, value, interval int64) bool {
	b := t.scratch[:32]
	putU64(b[0:], uint64(interval/1e9))
	putU64(b[8:], uint64(interval%1e9))
	putU64(b[16:], uint64(value/1e9))
	putU64(b[24:], uint64(value%1e9))
	return t.write(addr, b)
}

// sysTimerSettime is timer_settime(id, flags, new, old).
func (e *Emulator) sysTimerSettime(t *Thread, a *[6]uint64) Result {
	id, flags, unew, uold := int32(a[0]), a[1], a[2], a[3]
	if unew == 0 {
		return fail(unix.EINVAL)
	}
	value, interval, _, err := t.readItimerspec(unew)
	if err != 0 {
		return fail(err)
	}
	if flags&^TIMER_ABSTIME != 0 {
		return fail(unix.EINVAL)
	}
	pt := t.proc.timers[id]
	if pt == nil {
		return fail(unix.EINVAL)
	}
	ov, oi := e.remaining(&pt.timerCore), pt.interval
	// A new arming voids the signal of the old one and its overruns.
	pt.seq++
	pt.queued, pt.overrun, pt.overrunLast = false, 0, 0
	var expiry int64
	if value > 0 {
		expiry = value
		if flags&TIMER_ABSTIME == 0 {
			expiry += e.clockNow(&pt.timerCore)
		}
		if expiry <= 0 {
			expiry = 1
		}
	}
	e.arm(&pt.timerCore, timerRef{owner: t.proc, pt: pt}, expiry, interval)
	if expiry == 0 {
		pt.interval = 0
	}
	if uold != 0 && !t.writeItimerspec(uold, ov, oi) {
		return fail(unix.EFAULT)
	}
	return done(0)
}

// sysTimerGettime is timer_gettime(id, cur).
func (e *Emulator) sysTimerGettime(t *Thread, a *[6]uint64) Result {
	pt := t.proc.timers[int32(a[0])]
	if pt == nil {
		return fail(unix.EINVAL)
	}
	if !t.writeItimerspec(a[1], e.remaining(&pt.timerCore), pt.interval) {
		return fail(unix.EFAULT)
	}
	return done(0)
}

// sysTimerGetoverrun is timer_getoverrun(id).
func (e *Emulator) sysTimerGetoverrun(t *Thread, a *[6]uint64) Result {
	pt := t.proc.timers[int32(a[0])]
	if pt == nil {
		return fail(unix.EINVAL)
	}
	return done(min(pt.overrunLast, delaytimerMax))
}

// sysTimerDelete is timer_delete(id).
func (e *Emulator) sysTimerDelete(t *Thread, a *[6]uint64) Result {
	id := int32(a[0])
	pt := t.proc.timers[id]
	if pt == nil {
		return fail(unix.EINVAL)
	}
	e.deleteTimer(t.proc, pt)
	return done(0)
}

func (e *Emulator) deleteTimer(p *Process, pt *posixTimer) {
	e.disarm(&pt.timerCore)
	delete(p.timers, pt.id)
}

// expirePosix is posix_timer_queue_signal().
func (e *Emulator) expirePosix(pt *posixTimer, missed int64) {
	if pt.notify == SIGEV_NONE {
		return
	}
	if pt.queued {
		pt.overrun += 1 + missed
		return
	}
	pt.overrun += missed
	owner := pt.proc
	if pt.clock == clkThreadCPU || owner == nil {
		owner = pt.thread.proc
	}
	info := &e.kinfo
	*info = fastpath.Siginfo{Signo: int32(pt.signo), Code: fastpath.SI_TIMER}
	info.SetTimer(pt.id, 0)
	info.SetValue(pt.value)
	info.Fields[2] = uint64(pt.seq)
	var target *Thread
	if pt.notify == SIGEV_SIGNAL|SIGEV_THREAD_ID {
		target = pt.target
		if target.state == Exited {
			return
		}
	}
	queued, _ := e.send(nil, owner, target, info)
	pt.queued = queued
}

// timerDelivered is posixtimer_deliver_signal() at dequeue: it reports
// whether the timer signal in info is still wanted, and fills si_overrun.
func (e *Emulator) timerDelivered(p *Process, info *fastpath.Siginfo) bool {
	id := info.TimerID()
	seq := uint32(info.Fields[2])
	info.Fields[2] = 0
	pt := p.timers[id]
	if pt == nil || pt.seq != seq {
		return false
	}
	pt.queued = false
	pt.overrunLast = min(pt.overrun, delaytimerMax)
	pt.overrun = 0
	info.SetTimer(id, int32(pt.overrunLast))
	return true
}
