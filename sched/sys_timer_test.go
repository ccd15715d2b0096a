package sched

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// takeInfo dequeues one signal of set for th (as sigtimedwait would).
func (v *env) takeInfo(th *Thread, s fastpath.Sigset) (int, fastpath.Siginfo) {
	v.e.mu.Lock()
	defer v.e.mu.Unlock()
	var info fastpath.Siginfo
	sig := v.e.dequeue(th, ^s, &info)
	return sig, info
}

func TestAlarm(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.setmask(th, mem, sigBlock, set(fastpath.SIGALRM))
		v.ok(v.sys(th, unix.SYS_ALARM, 5), 0)
		v.clk.Advance(2300 * time.Millisecond)
		v.ok(v.sys(th, unix.SYS_ALARM, 0), 3) // 2.7 s left, rounded
		v.clk.Advance(10 * time.Second)
		v.e.RunDue()
		if v.pendingAll(th) != 0 {
			t.Fatal("cancelled alarm fired")
		}
		v.ok(v.sys(th, unix.SYS_ALARM, 1), 0)
		v.clk.Advance(999 * time.Millisecond)
		v.e.RunDue()
		v.ok(v.sys(th, unix.SYS_ALARM, 1), 1) // 1 ms left: never 0
		v.clk.Advance(time.Second)
		v.e.RunDue()
		sig, info := v.takeInfo(th, set(fastpath.SIGALRM))
		if sig != fastpath.SIGALRM || info.Code != fastpath.SI_KERNEL || info.Pid() != 0 {
			t.Fatalf("sig %d info %+v", sig, info)
		}
	})
}

func itimerval(mem *fakeMem, iSec, iUsec, vSec, vUsec uint64) uint64 {
	return mem.u64s(iSec, iUsec, vSec, vUsec)
}

func TestSetitimer(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p, th, mem := v.proc(100, 0)
		v.setmask(th, mem, sigBlock, set(fastpath.SIGALRM, fastpath.SIGPROF, fastpath.SIGVTALRM))
		good := itimerval(mem, 0, 100000, 0, 250000)
		old := mem.alloc(32)
		cases := []struct {
			name string
			args []uint64
			want unix.Errno
		}{
			{"bad which, bad new: EFAULT first", []uint64{5, badAddr, 0}, unix.EFAULT},
			{"bad which", []uint64{5, good, 0}, unix.EINVAL},
			{"usec 1e6", []uint64{0, itimerval(mem, 0, 0, 0, 1e6), 0}, unix.EINVAL},
			{"negative sec", []uint64{0, itimerval(mem, ^uint64(0), 0, 0, 0), 0}, unix.EINVAL},
			{"old faults", []uint64{ITIMER_REAL, itimerval(mem, 0, 0, 0, 0), badAddr}, unix.EFAULT},
			{"getitimer bad which", nil, unix.EINVAL},
			{"getitimer faults", nil, unix.EFAULT},
		}
		for _, c := range cases {
			var r Result
			switch c.name {
			case "getitimer bad which":
				r = v.sys(th, unix.SYS_GETITIMER, 3, old)
			case "getitimer faults":
				r = v.sys(th, unix.SYS_GETITIMER, 0, badAddr)
			default:
				r = v.sys(th, unix.SYS_SETITIMER, c.args...)
			}
			v.errno(r, c.want)
		}
		v.ok(v.sys(th, unix.SYS_SETITIMER, ITIMER_REAL, good, old), 0)
		v.clk.Advance(200 * time.Millisecond)
		v.ok(v.sys(th, unix.SYS_GETITIMER, ITIMER_REAL, old), 0)
		if got := mem.get(old, 32); le64(got[8:]) != 100000 || le64(got[24:]) != 50000 {
			t.Fatalf("getitimer interval %d value %d", le64(got[8:]), le64(got[24:]))
		}
		v.clk.Advance(60 * time.Millisecond)
		v.e.RunDue()
		if sig, info := v.takeInfo(th, set(fastpath.SIGALRM)); sig != fastpath.SIGALRM || info.Code != fastpath.SI_KERNEL {
			t.Fatalf("first expiry: %d", sig)
		}
		v.clk.Advance(100 * time.Millisecond)
		v.e.RunDue()
		if sig, _ := v.takeInfo(th, set(fastpath.SIGALRM)); sig != fastpath.SIGALRM {
			t.Fatal("periodic expiry missing")
		}
		// NULL new disarms; old reports what was set.
		v.ok(v.sys(th, unix.SYS_SETITIMER, ITIMER_REAL, 0, old), 0)
		if got := mem.get(old, 32); le64(got[8:]) != 100000 {
			t.Fatalf("old interval %d", le64(got[8:]))
		}
		v.clk.Advance(time.Second)
		v.e.RunDue()
		if v.pendingAll(th) != 0 {
			t.Fatal("disarmed itimer fired")
		}
		// ITIMER_PROF counts CPU time: wall time alone does nothing.
		v.ok(v.sys(th, unix.SYS_SETITIMER, ITIMER_PROF, itimerval(mem, 0, 10000, 0, 10000), 0), 0)
		v.ok(v.sys(th, unix.SYS_SETITIMER, ITIMER_VIRTUAL, itimerval(mem, 0, 0, 0, 30000), 0), 0)
		v.clk.Advance(time.Second)
		v.e.RunDue()
		if v.pendingAll(th) != 0 {
			t.Fatal("CPU itimer fired without CPU time")
		}
		v.cpu.Add(100, 100, 25e6, false) // 25 ms of system time
		v.clk.Advance(25 * time.Millisecond)
		v.e.RunDue()
		if sig, info := v.takeInfo(th, set(fastpath.SIGPROF, fastpath.SIGVTALRM)); sig != fastpath.SIGPROF || info.Code != fastpath.SI_KERNEL {
			t.Fatalf("ITIMER_PROF: %d %+v", sig, info)
		}
		if v.pendingAll(th).Has(fastpath.SIGVTALRM) {
			t.Fatal("ITIMER_VIRTUAL counted system time")
		}
		v.cpu.Add(100, 100, 30e6, true)
		v.clk.Advance(30 * time.Millisecond)
		v.e.RunDue()
		if !v.pendingAll(th).Has(fastpath.SIGVTALRM) {
			t.Fatal("ITIMER_VIRTUAL did not fire")
		}
		_ = p
	})
}

func sigevent(mem *fakeMem, value uint64, signo, notify int32, tid int32) uint64 {
	a := mem.alloc(64)
	mem.putU64(a, value)
	mem.putU64(a+8, uint64(uint32(signo))|uint64(uint32(notify))<<32)
	mem.putU64(a+16, uint64(uint32(tid)))
	return a
}

func TestTimerCreate(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.thread(th, 101)
		_, other, _ := v.proc(200, 0)
		id := mem.alloc(4)
		cpuClock := func(pid int32, thread bool, which int32) uint64 {
			c := (^pid)<<3 | which
			if thread {
				c |= 4
			}
			return uint64(uint32(c))
		}
		cases := []struct {
			name   string
			clock  uint64
			sev    uint64
			id     uint64
			want   unix.Errno
			wantID int32 // -1: no id consumed
		}{
			{"sevp faults first", 99, badAddr, id, unix.EFAULT, -1},
			{"unknown clock", 99, 0, id, unix.EINVAL, -1},
			{"clock 10", 10, 0, id, unix.EINVAL, -1},
			{"MONOTONIC_RAW", unix.CLOCK_MONOTONIC_RAW, 0, id, unix.EOPNOTSUPP, -1},
			{"COARSE", unix.CLOCK_REALTIME_COARSE, 0, id, unix.EOPNOTSUPP, -1},
			{"bad notify", unix.CLOCK_MONOTONIC, sigevent(mem, 0, 10, 7, 0), id, unix.EINVAL, -1},
			{"bad signo", unix.CLOCK_MONOTONIC, sigevent(mem, 0, 65, SIGEV_SIGNAL, 0), id, unix.EINVAL, -1},
			{"signo 0", unix.CLOCK_MONOTONIC, sigevent(mem, 0, 0, SIGEV_SIGNAL, 0), id, unix.EINVAL, -1},
			{"THREAD_ID not ours", unix.CLOCK_MONOTONIC, sigevent(mem, 0, 10, SIGEV_THREAD_ID, 200), id, unix.EINVAL, -1},
			{"THREAD_ID no such", unix.CLOCK_MONOTONIC, sigevent(mem, 0, 10, SIGEV_THREAD_ID, 999), id, unix.EINVAL, -1},
			{"NULL sevp", unix.CLOCK_MONOTONIC, 0, id, 0, 0},
			{"id faults (id consumed)", unix.CLOCK_MONOTONIC, 0, badAddr, unix.EFAULT, -1},
			{"alarm clock: late EOPNOTSUPP", unix.CLOCK_REALTIME_ALARM, 0, id, unix.EOPNOTSUPP, 2},
			{"THREAD_ID", unix.CLOCK_THREAD_CPUTIME_ID, sigevent(mem, 7, fastpath.SIGPROF, SIGEV_THREAD_ID, 101), id, 0, 3},
			{"SIGEV_NONE ignores signo", unix.CLOCK_REALTIME, sigevent(mem, 0, 99, SIGEV_NONE, 0), id, 0, 4},
			{"SIGEV_THREAD is SIGEV_SIGNAL", unix.CLOCK_PROCESS_CPUTIME_ID, sigevent(mem, 0, 10, SIGEV_THREAD, 0), id, 0, 5},
			{"own CPU clock by pid", cpuClock(100, false, 2), 0, id, 0, 6},
			{"sibling's thread clock", cpuClock(101, true, 0), 0, id, 0, 7},
			{"other process's thread clock", cpuClock(200, true, 2), 0, id, unix.EINVAL, 8},
			{"CPUCLOCK which 3", cpuClock(0, false, 3), 0, id, unix.EINVAL, 9},
			{"other process's CPU clock", cpuClock(200, false, 1), 0, id, 0, 10},
		}
		for _, c := range cases {
			mem.put(id, []byte{0xff, 0xff, 0xff, 0xff})
			r := v.sys(th, unix.SYS_TIMER_CREATE, c.clock, c.sev, c.id)
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
			}
			if c.wantID >= 0 && c.id == id && int32(mem.u32(id)) != c.wantID {
				t.Fatalf("%s: id %d want %d", c.name, int32(mem.u32(id)), c.wantID)
			}
		}
		_ = other
	})
}

func itimerspec(mem *fakeMem, iSec, iNsec, vSec, vNsec uint64) uint64 {
	return mem.u64s(iSec, iNsec, vSec, vNsec)
}

func TestTimerSettimeOverrun(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.setmask(th, mem, sigBlock, set(fastpath.SIGALRM, fastpath.SIGRTMIN))
		id := mem.alloc(4)
		v.ok(v.sys(th, unix.SYS_TIMER_CREATE, unix.CLOCK_MONOTONIC, sigevent(mem, 0xfeed, fastpath.SIGRTMIN, SIGEV_SIGNAL, 0), id), 0)
		tid := uint64(mem.u32(id))
		old := mem.alloc(32)
		periodic := itimerspec(mem, 0, 10e6, 0, 10e6)
		cases := []struct {
			name string
			args []uint64
			want unix.Errno
		}{
			{"NULL new", []uint64{tid, 0, 0, 0}, unix.EINVAL},
			{"new faults", []uint64{tid, 0, badAddr, 0}, unix.EFAULT},
			{"nsec 1e9", []uint64{tid, 0, itimerspec(mem, 0, 0, 0, 1e9), 0}, unix.EINVAL},
			{"bad flags", []uint64{tid, 0xfe, periodic, 0}, unix.EINVAL},
			{"bad id", []uint64{77, 0, periodic, 0}, unix.EINVAL},
			{"old faults (armed anyway)", []uint64{tid, 0, periodic, badAddr}, unix.EFAULT},
		}
		for _, c := range cases {
			v.errno(v.sys(th, unix.SYS_TIMER_SETTIME, c.args...), c.want)
		}
		v.errno(v.sys(th, unix.SYS_TIMER_GETTIME, 77, old), unix.EINVAL)
		v.errno(v.sys(th, unix.SYS_TIMER_GETTIME, tid, badAddr), unix.EFAULT)
		v.errno(v.sys(th, unix.SYS_TIMER_GETOVERRUN, 77), unix.EINVAL)
		v.ok(v.sys(th, unix.SYS_TIMER_GETTIME, tid, old), 0)
		if got := mem.get(old, 32); le64(got[8:]) != 10e6 || le64(got[24:]) != 10e6 {
			t.Fatalf("gettime %v", got)
		}
		// Five expiries while the signal stays queued: one signal,
		// four overruns.
		v.clk.Advance(55 * time.Millisecond)
		v.e.RunDue()
		sig, info := v.takeInfo(th, set(fastpath.SIGRTMIN))
		if sig != fastpath.SIGRTMIN || info.Code != fastpath.SI_TIMER || info.TimerID() != int32(tid) ||
			info.Overrun() != 4 || info.Value() != 0xfeed || info.Fields[2] != 0 {
			t.Fatalf("sig %d info %+v", sig, info)
		}
		v.ok(v.sys(th, unix.SYS_TIMER_GETOVERRUN, tid), 4)
		if _, pp := v.pending(th); pp != 0 {
			t.Fatalf("more queued: %x", pp)
		}
		// Re-arming voids the signal already queued.
		v.clk.Advance(10 * time.Millisecond)
		v.e.RunDue()
		v.ok(v.sys(th, unix.SYS_TIMER_SETTIME, tid, 0, itimerspec(mem, 0, 0, 1, 0), old), 0)
		if got := mem.get(old, 32); le64(got[8:]) != 10e6 {
			t.Fatalf("old interval %d", le64(got[8:]))
		}
		if sig, _ := v.takeInfo(th, set(fastpath.SIGRTMIN)); sig != 0 {
			t.Fatal("stale timer signal delivered")
		}
		// Deleting: EINVAL afterwards, and its pending signal dropped.
		v.clk.Advance(time.Second)
		v.e.RunDue()
		v.ok(v.sys(th, unix.SYS_TIMER_DELETE, tid), 0)
		v.errno(v.sys(th, unix.SYS_TIMER_DELETE, tid), unix.EINVAL)
		if sig, _ := v.takeInfo(th, set(fastpath.SIGRTMIN)); sig != 0 {
			t.Fatal("deleted timer's signal delivered")
		}
		if v.e.PendingEvents() != 0 {
			t.Fatal("events left")
		}
	})
}

func TestTimerClocks(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		v.setmask(t1, mem, sigBlock, ^fastpath.Sigset(0))
		v.setmask(t2, mem, sigBlock, ^fastpath.Sigset(0))
		id := mem.alloc(4)
		mk := func(clock uint64, sev uint64) uint64 {
			v.ok(v.sys(t1, unix.SYS_TIMER_CREATE, clock, sev, id), 0)
			return uint64(mem.u32(id))
		}
		// Go's per-thread profiling timer, created by the thread itself
		// on its own CPU clock.
		v.ok(v.sys(t2, unix.SYS_TIMER_CREATE, unix.CLOCK_THREAD_CPUTIME_ID, sigevent(mem, 0, fastpath.SIGPROF, SIGEV_THREAD_ID, 101), id), 0)
		prof := uint64(mem.u32(id))
		none := mk(unix.CLOCK_MONOTONIC, sigevent(mem, 0, 0, SIGEV_NONE, 0))
		abs := mk(unix.CLOCK_REALTIME, 0)
		v.ok(v.sys(t1, unix.SYS_TIMER_SETTIME, prof, 0, itimerspec(mem, 0, 10e6, 0, 10e6), 0), 0)
		v.ok(v.sys(t1, unix.SYS_TIMER_SETTIME, none, 0, itimerspec(mem, 0, 0, 2, 0), 0), 0)
		wall := uint64(v.clk.Wall()) + 3e9
		v.ok(v.sys(t1, unix.SYS_TIMER_SETTIME, abs, TIMER_ABSTIME, itimerspec(mem, 0, 0, wall/1e9, wall%1e9), 0), 0)
		// CPU time of the other thread does not count.
		v.cpu.Add(100, 100, 50e6, true)
		v.clk.Advance(time.Second)
		v.e.RunDue()
		if tp, pp := v.pending(t2); tp != 0 || pp != 0 {
			t.Fatalf("fired early: %x %x", tp, pp)
		}
		v.cpu.Add(100, 101, 12e6, true)
		v.clk.Advance(12 * time.Millisecond)
		v.e.RunDue()
		tp, _ := v.pending(t2)
		if !tp.Has(fastpath.SIGPROF) {
			t.Fatal("thread CPU timer did not fire on its thread")
		}
		sig, info := v.takeInfo(t2, set(fastpath.SIGPROF))
		if sig != fastpath.SIGPROF || info.Code != fastpath.SI_TIMER || info.TimerID() != int32(prof) {
			t.Fatalf("%d %+v", sig, info)
		}
		// SIGEV_NONE: counts down, sends nothing.
		old := mem.alloc(32)
		v.ok(v.sys(t1, unix.SYS_TIMER_GETTIME, none, old), 0)
		if got := le64(mem.get(old, 32)[16:]); got != 0 {
			t.Fatalf("SIGEV_NONE remaining %d s", got)
		}
		// The absolute realtime timer fires at its wall time.
		v.clk.Advance(2 * time.Second)
		v.e.RunDue()
		if sig, info := v.takeInfo(t1, set(fastpath.SIGALRM)); sig != fastpath.SIGALRM || info.Value() != abs {
			t.Fatalf("abs: %d %+v", sig, info)
		}
		if sig, _ := v.takeInfo(t1, ^fastpath.Sigset(0)&^set(fastpath.SIGPROF)); sig != 0 {
			t.Fatalf("SIGEV_NONE sent %d", sig)
		}
	})
}
