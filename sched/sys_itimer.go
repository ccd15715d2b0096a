package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Interval timers (kernel/time/itimer.c): one per process per which, each
// sending its signal to the process with si_code SI_KERNEL (SEND_SIG_PRIV)
// — which is how Go's profiler tells a setitimer SIGPROF from a
// timer_create one (FACTS.md).

const (
	ITIMER_REAL    = 0
	ITIMER_VIRTUAL = 1
	ITIMER_PROF    = 2
)

type itimer struct {
	timerCore
}

var itimerSignal = [3]int{fastpath.SIGALRM, fastpath.SIGVTALRM, fastpath.SIGPROF}
var itimerClock = [3]clockKind{clkMono, clkProcVirt, clkProcCPU}

func (e *Emulator) expireItimer(p *Process, which int) {
	e.sendKernel(p, nil, itimerSignal[which])
}

// setItimer is do_setitimer(): returns the old value and interval in ns.
func (e *Emulator) setItimer(p *Process, which int, value, interval int64) (oldValue, oldInterval int64) {
	it := &p.itimers[which]
	oldValue, oldInterval = e.remaining(&it.timerCore), it.interval
	it.clock, it.proc = itimerClock[which], p
	var expiry int64
	if value > 0 {
		expiry = e.clockNow(&it.timerCore) + value
	}
	e.arm(&it.timerCore, timerRef{owner: p, it: which + 1}, expiry, interval)
	if expiry == 0 {
		it.interval = 0
	}
	return oldValue, oldInterval
}

// readItimerval copies a struct itimerval {it_interval, it_value} of
// timevals and validates it (get_itimerval: EFAULT, then EINVAL for a
// negative second or a microsecond outside [0, 1e6)).
func (t *Thread) readItimerval(addr uint64) (value, interval int64, err unix.Errno) {
	b, ok := t.read(addr, 32)
	if !ok {
		return 0, 0, unix.EFAULT
	}
	is, iu := int64(le64(b)), int64(le64(b[8:]))
	vs, vu := int64(le64(b[16:])), int64(le64(b[24:]))
	if is < 0 || iu < 0 || iu >= 1e6 || vs < 0 || vu < 0 || vu >= 1e6 {
		return 0, 0, unix.EINVAL
	}
	return tsToNs(vs, vu*1000), tsToNs(is, iu*1000), 0
}

func (t *Thread) writeItimerval(addr uint64, value, interval int64) bool {
	b := t.scratch[:32]
	putU64(b[0:], uint64(interval/1e9))
	putU64(b[8:], uint64(interval%1e9/1000))
	putU64(b[16:], uint64(value/1e9))
	putU64(b[24:], uint64(value%1e9/1000))
	return t.write(addr, b)
}

// sysSetitimer is setitimer(which, new, old). A NULL new value disarms
// (the kernel's deprecated "misfeature", still supported).
func (e *Emulator) sysSetitimer(t *Thread, a *[6]uint64) Result {
	which, unew, uold := int(int32(a[0])), a[1], a[2]
	var value, interval int64
	if unew != 0 {
		var err unix.Errno
		if value, interval, err = t.readItimerval(unew); err != 0 {
			return fail(err)
		}
	}
	if which < 0 || which > ITIMER_PROF {
		return fail(unix.EINVAL)
	}
	ov, oi := e.setItimer(t.proc, which, value, interval)
	if uold != 0 && !t.writeItimerval(uold, ov, oi) {
		return fail(unix.EFAULT)
	}
	return done(0)
}

// sysGetitimer is getitimer(which, cur).
func (e *Emulator) sysGetitimer(t *Thread, a *[6]uint64) Result {
	which, ucur := int(int32(a[0])), a[1]
	if which < 0 || which > ITIMER_PROF {
		return fail(unix.EINVAL)
	}
	it := &t.proc.itimers[which]
	if !t.writeItimerval(ucur, e.remaining(&it.timerCore), it.interval) {
		return fail(unix.EFAULT)
	}
	return done(0)
}

// sysAlarm is alarm(seconds) (alarm_setitimer): the old value is returned
// in seconds, rounded to the nearest, and never 0 for a pending alarm.
func (e *Emulator) sysAlarm(t *Thread, a *[6]uint64) Result {
	secs := int64(uint32(a[0]))
	ov, _ := e.setItimer(t.proc, ITIMER_REAL, secs*1e9, 0)
	usec := ov % 1e9 / 1000
	old := ov / 1e9
	if (old == 0 && usec != 0) || usec >= 500000 {
		old++
	}
	return done(old)
}
