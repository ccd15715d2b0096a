package sched

import (
	"fmt"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Native job control (jobctl_native.go): Config.JobControl is recorded,
// and the tests play its other half — StoppedNatively when "the real
// process" has stopped. The kernel behaviour mirrored is kernel/signal.c:
// prepare_signal (stop signals and SIGCONT at generation), complete_signal
// and wants_signal (who takes a signal; a stopped thread takes only
// SIGKILL), do_signal_stop and do_notify_parent_cldstop.

// negPid is kill(2)'s -pgid argument as the register holds it.
func negPid(pgid int64) uint64 { return uint64(-pgid) }

// jobCall is one Config.JobControl call.
type jobCall struct {
	pid int32
	ev  JobEvent
	sig int
}

func (c jobCall) String() string {
	return fmt.Sprintf("%d:%s(%d)", c.pid, [...]string{"stop", "cont", "kill"}[c.ev], c.sig)
}

// jobEnv is env with Config.JobControl recording its calls.
type jobEnv struct {
	*env
	jmu   sync.Mutex
	calls []jobCall
}

func newJobEnv(t *testing.T, layout string, native bool) *jobEnv {
	j := &jobEnv{}
	j.env = newEnvConfig(t, layout, func(cfg *Config) {
		if native {
			// Called with the emulator's lock held: it must not call back.
			cfg.JobControl = func(p *Process, ev JobEvent, sig int) {
				j.jmu.Lock()
				j.calls = append(j.calls, jobCall{p.Pid, ev, sig})
				j.jmu.Unlock()
			}
		}
	})
	t.Cleanup(func() { j.e.Close() })
	return j
}

// forJobLayouts runs f on every layout with native job control.
func forJobLayouts(t *testing.T, f func(t *testing.T, v *jobEnv)) {
	for _, l := range fastpath.Layouts() {
		t.Run(l, func(t *testing.T) { f(t, newJobEnv(t, l, true)) })
	}
}

// takeCalls returns and clears the recorded JobControl calls.
func (j *jobEnv) takeCalls() []jobCall {
	j.jmu.Lock()
	defer j.jmu.Unlock()
	c := j.calls
	j.calls = nil
	return c
}

// wantCalls asserts the JobControl calls since the last check.
func (j *jobEnv) wantCalls(want ...jobCall) {
	j.t.Helper()
	got := j.takeCalls()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		j.t.Fatalf("JobControl calls %v, want %v", got, want)
	}
}

// family is a parent (100, SIGCHLD handled with SA_SIGINFO but blocked,
// so its notifications stay pending to be read) and a two-thread child
// (200, 201) in a process group of its own in the parent's session: not
// orphaned, so SIGTSTP, SIGTTIN and SIGTTOU stop it (get_signal).
type family struct {
	par    *Process
	pt     *Thread
	pmem   *fakeMem
	ch     *Process
	c1, c2 *Thread
	cmem   *fakeMem
}

func (j *jobEnv) family() *family {
	f := &family{}
	f.par, f.pt, f.pmem = j.proc(100, 0)
	f.ch, f.c1, f.cmem = j.proc(200, 100)
	f.c2 = j.thread(f.c1, 201)
	j.e.SetProcessGroup(f.ch, 200, 100)
	j.sigaction(f.pt, f.pmem, fastpath.SIGCHLD, handlerAddr, fastpath.SA_SIGINFO, 0)
	j.setmask(f.pt, f.pmem, sigBlock, set(fastpath.SIGCHLD))
	return f
}

// chld takes the parent's pending SIGCHLD, if any, and checks it is the
// child's job-control report (code, si_status); code 0 wants none.
func (j *jobEnv) chld(f *family, code int32, status int) {
	j.t.Helper()
	sig, info := j.takeInfo(f.pt, set(fastpath.SIGCHLD))
	if code == 0 {
		if sig != 0 {
			j.t.Fatalf("parent told too early: %d code %d status %d", sig, info.Code, info.Status())
		}
		return
	}
	if sig != fastpath.SIGCHLD || info.Code != code || info.Status() != int32(status) || info.Pid() != f.ch.Pid {
		j.t.Fatalf("parent got %d code %d status %d pid %d, want SIGCHLD code %d status %d pid %d",
			sig, info.Code, info.Status(), info.Pid(), code, status, f.ch.Pid)
	}
}

// stopChild stops f's child with the parent's kill(SIGSTOP), reports the
// real stop, and checks the parent's CLD_STOPPED and the one native stop
// asked for; the kicks of the stop are drained.
func (j *jobEnv) stopChild(f *family) {
	j.t.Helper()
	j.ok(j.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
	j.e.StoppedNatively(f.ch)
	j.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
	j.e.RunDue()
	j.takeKicks()
	j.wantCalls(jobCall{200, JobStop, fastpath.SIGSTOP})
}

func (j *jobEnv) states(want ThreadState, ths ...*Thread) {
	j.t.Helper()
	for _, th := range ths {
		if got := j.e.ThreadState(th); got != want {
			j.t.Fatalf("thread %d %v, want %v", th.Tid, got, want)
		}
	}
}

// A stop signal with SIG_DFL stops the process as it is sent: JobStop
// with the signal, nothing left pending, no kick (a kick would turn a
// native sleep into EINTR); the parent hears of it only once the real
// process is stopped; SIGCONT continues it natively.
func TestNativeStopAtGeneration(t *testing.T) {
	cases := []struct {
		name string
		sig  int
		send func(v *jobEnv, f *family) Result
	}{
		{"kill SIGSTOP", fastpath.SIGSTOP, func(v *jobEnv, f *family) Result {
			return v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGSTOP)
		}},
		{"tgkill SIGSTOP to a non-leader", fastpath.SIGSTOP, func(v *jobEnv, f *family) Result {
			return v.sys(f.pt, unix.SYS_TGKILL, 200, 201, fastpath.SIGSTOP)
		}},
		{"kill SIGTSTP", fastpath.SIGTSTP, func(v *jobEnv, f *family) Result {
			return v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGTSTP)
		}},
		{"tkill SIGTTIN", fastpath.SIGTTIN, func(v *jobEnv, f *family) Result {
			return v.sys(f.pt, unix.SYS_TKILL, 200, fastpath.SIGTTIN)
		}},
		{"kill(-pgid) SIGTTOU", fastpath.SIGTTOU, func(v *jobEnv, f *family) Result {
			return v.sys(f.pt, unix.SYS_KILL, negPid(200), fastpath.SIGTTOU)
		}},
	}
	for _, l := range fastpath.Layouts() {
		for _, c := range cases {
			t.Run(l+"/"+c.name, func(t *testing.T) {
				v := newJobEnv(t, l, true)
				f := v.family()
				v.ok(c.send(v, f), 0)
				v.wantCalls(jobCall{200, JobStop, c.sig})
				if p1, p2 := v.pendingAll(f.c1), v.pendingAll(f.c2); p1|p2 != 0 {
					t.Fatalf("pending after a stop at generation: %#x %#x", p1, p2)
				}
				v.e.RunDue()
				if k := v.takeKicks(); len(k) != 0 {
					t.Fatalf("kicked for a native stop: %v", k)
				}
				// Both threads run (natively, as far as sched knows) until
				// the real process is stopped.
				v.states(Running, f.c1, f.c2)
				v.chld(f, 0, 0)
				v.e.StoppedNatively(f.ch)
				v.chld(f, fastpath.CLD_STOPPED, c.sig)
				v.states(Stopped, f.c1, f.c2)
				v.wantCalls()
				v.e.StoppedNatively(f.ch) // a second report: the stop is complete already
				v.chld(f, 0, 0)
				// A thread that traps while stopped (a request in flight)
				// stays stopped.
				if d := v.e.Decide(f.c1, -1, 0, stackSP); d.Act != StopThread {
					t.Fatalf("trap while stopped: %+v", d)
				}
				v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
				v.wantCalls(jobCall{200, JobCont, fastpath.SIGCONT})
				v.chld(f, fastpath.CLD_CONTINUED, fastpath.SIGCONT)
				v.states(Running, f.c2)
				if !woken(f.c1) {
					t.Fatal("the stopped request was not woken")
				}
				if d := v.e.Decide(f.c1, -1, 0, stackSP); d.Act != Resume {
					t.Fatalf("after SIGCONT: %+v", d)
				}
				v.states(Running, f.c1, f.c2)
				// SIGCONT with SIG_DFL is ignored: nothing pending, and
				// nobody is kicked (a kick would interrupt a native sleep
				// the kernel resumes on its own after a continue).
				if p := v.pendingAll(f.c1) | v.pendingAll(f.c2); p != 0 {
					t.Fatalf("pending after SIGCONT: %#x", p)
				}
				v.e.RunDue()
				if k := v.takeKicks(); len(k) != 0 {
					t.Fatalf("kicks after a plain SIGCONT: %v", k)
				}
			})
		}
	}
}

// Without Config.JobControl the stop is sched's own (the kick-based
// path): the same SIGSTOP stays pending until a thread dequeues it, the
// chosen thread is kicked, and the stop completes when every thread has
// come back to be stopped. With it, nothing is pending and nobody is
// kicked. One scenario, both configurations.
func TestJobControlSwitch(t *testing.T) {
	for _, l := range fastpath.Layouts() {
		for _, native := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/native=%v", l, native), func(t *testing.T) {
				v := newJobEnv(t, l, native)
				f := v.family()
				v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
				pending := v.pendingAll(f.c1).Has(fastpath.SIGSTOP)
				v.e.RunDue()
				kicks := v.takeKicks()
				if native {
					v.wantCalls(jobCall{200, JobStop, fastpath.SIGSTOP})
					if pending || len(kicks) != 0 {
						t.Fatalf("native: pending %v kicks %v", pending, kicks)
					}
					v.e.StoppedNatively(f.ch)
					v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
					return
				}
				v.wantCalls()
				if !pending || fmt.Sprint(kicks) != "[200]" {
					t.Fatalf("kick-based: pending %v kicks %v", pending, kicks)
				}
				if d := v.e.Kicked(f.c1, -1, 0, stackSP); d.Act != StopThread {
					t.Fatalf("c1: %+v", d)
				}
				v.e.RunDue()
				if k := v.takeKicks(); fmt.Sprint(k) != "[201]" {
					t.Fatalf("group stop kicks %v", k)
				}
				v.chld(f, 0, 0)
				if d := v.e.Kicked(f.c2, -1, 0, stackSP); d.Act != StopThread {
					t.Fatalf("c2: %+v", d)
				}
				v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
			})
		}
	}
}

// A handled SIGCONT continues the process natively and then runs its
// handler like any signal.
func TestNativeContHandled(t *testing.T) {
	forJobLayouts(t, func(t *testing.T, v *jobEnv) {
		f := v.family()
		v.sigaction(f.c1, f.cmem, fastpath.SIGCONT, handlerAddr, fastpath.SA_SIGINFO, 0)
		v.stopChild(f)
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
		v.wantCalls(jobCall{200, JobCont, fastpath.SIGCONT})
		v.chld(f, fastpath.CLD_CONTINUED, fastpath.SIGCONT)
		v.states(Running, f.c1, f.c2)
		v.e.RunDue()
		// The leader, chosen for SIGCONT, is kicked (c2 may be too: the
		// process-pending SIGCONT is deliverable to it as well).
		if k := v.takeKicks(); len(k) == 0 || k[0] != 200 {
			t.Fatalf("kicks %v, want the leader's first", k)
		}
		d := v.e.Kicked(f.c1, -1, 0, stackSP)
		if d.Act != RunHandler || d.Delivery.Signal != fastpath.SIGCONT || d.Delivery.Info.Code != fastpath.SI_USER ||
			d.Delivery.Info.Pid() != 100 {
			t.Fatalf("SIGCONT handler: %+v", d)
		}
		if d := v.e.Decide(f.c2, -1, 0, stackSP); d.Act != Resume {
			t.Fatalf("c2: %+v", d)
		}
	})
}

// A fatal signal ends a native stop: the real process must run to die.
// SIGKILL is taken by a stopped thread (wants_signal); a default-action
// SIGTERM kills at once only while the stop is still in progress (a
// thread still runs and wants it) — once stopped, see
// TestNativeTermWhileStopped.
func TestNativeKillEndsStop(t *testing.T) {
	cases := []struct {
		name    string
		sig     int
		stopped bool // StoppedNatively before the signal
	}{
		{"SIGKILL stopped", fastpath.SIGKILL, true},
		{"SIGKILL stopping", fastpath.SIGKILL, false},
		{"SIGTERM stopping", fastpath.SIGTERM, false},
		{"SIGUSR1 stopping", fastpath.SIGUSR1, false},
	}
	for _, l := range fastpath.Layouts() {
		for _, c := range cases {
			t.Run(l+"/"+c.name, func(t *testing.T) {
				v := newJobEnv(t, l, true)
				f := v.family()
				v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
				if c.stopped {
					v.e.StoppedNatively(f.ch)
					v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
				}
				v.e.RunDue()
				v.takeKicks()
				v.wantCalls(jobCall{200, JobStop, fastpath.SIGSTOP})
				v.ok(v.sys(f.pt, unix.SYS_KILL, 200, uint64(c.sig)), 0)
				v.wantCalls(jobCall{200, JobKill, c.sig})
				// The threads run again, and are kicked to learn they die.
				v.states(Running, f.c1, f.c2)
				v.e.RunDue()
				if k := v.takeKicks(); fmt.Sprint(k) != "[200 201]" {
					t.Fatalf("kicks %v", k)
				}
				for _, th := range []*Thread{f.c1, f.c2} {
					if d := v.e.Kicked(th, -1, 0, stackSP); d.Act != Die || d.Signal() != c.sig {
						t.Fatalf("thread %d: %+v", th.Tid, d)
					}
				}
				// The real stop reported late changes nothing now.
				v.e.StoppedNatively(f.ch)
				v.chld(f, 0, 0)
				v.wantCalls()
			})
		}
	}
}

// A default-action SIGTERM to a stopped process waits: no thread wants
// it (wants_signal: a stopped task takes only SIGKILL), so the process
// stays stopped — no JobKill — until SIGCONT; then it dies at once
// (prepare_signal's SIGCONT wakes every thread, get_signal dequeues the
// SIGTERM). Natively the threads run their own code or sleep in native
// syscalls after the continue: they must be kicked to learn it.
func TestNativeTermWhileStopped(t *testing.T) {
	forJobLayouts(t, func(t *testing.T, v *jobEnv) {
		f := v.family()
		v.stopChild(f)
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGTERM), 0)
		v.wantCalls()
		v.states(Stopped, f.c1, f.c2)
		if !v.pendingAll(f.c1).Has(fastpath.SIGTERM) {
			t.Fatal("SIGTERM to a stopped process not pending")
		}
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
		v.wantCalls(jobCall{200, JobCont, fastpath.SIGCONT})
		v.chld(f, fastpath.CLD_CONTINUED, fastpath.SIGCONT)
		v.states(Running, f.c1, f.c2)
		v.e.RunDue()
		if k := v.takeKicks(); len(k) == 0 {
			t.Fatal("after SIGCONT, nobody is kicked to take the pending SIGTERM: " +
				"the continued process runs on (or sleeps on in a native syscall) instead of dying")
		}
		if d := v.e.Kicked(f.c1, -1, 0, stackSP); d.Act != Die || d.Signal() != fastpath.SIGTERM {
			t.Fatalf("after SIGCONT: %+v", d)
		}
	})
}

// SIGTSTP that the process handles, or that every thread blocks, does not
// stop at generation: the handler runs (ordinary delivery), or the
// signal waits, and stops the process natively when dequeued.
func TestNativeTstpHandledOrBlocked(t *testing.T) {
	forJobLayouts(t, func(t *testing.T, v *jobEnv) {
		f := v.family()
		v.sigaction(f.c1, f.cmem, fastpath.SIGTSTP, handlerAddr, 0, 0)
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGTSTP), 0)
		v.wantCalls()
		v.e.RunDue()
		if k := v.takeKicks(); fmt.Sprint(k) != "[200]" {
			t.Fatalf("kicks %v", k)
		}
		if d := v.e.Kicked(f.c1, -1, 0, stackSP); d.Act != RunHandler || d.Delivery.Signal != fastpath.SIGTSTP {
			t.Fatalf("handled SIGTSTP: %+v", d)
		}
		v.wantCalls()
		v.chld(f, 0, 0)

		// Back to SIG_DFL, blocked by both threads: pending, no stop.
		v.sigaction(f.c1, f.cmem, fastpath.SIGTSTP, fastpath.SIG_DFL, 0, 0)
		v.setmask(f.c1, f.cmem, sigSetmask, set(fastpath.SIGTSTP))
		v.setmask(f.c2, f.cmem, sigSetmask, set(fastpath.SIGTSTP))
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGTSTP), 0)
		v.wantCalls()
		v.e.RunDue()
		if k := v.takeKicks(); len(k) != 0 {
			t.Fatalf("kicks for a blocked signal: %v", k)
		}
		if _, pp := v.pending(f.c1); !pp.Has(fastpath.SIGTSTP) {
			t.Fatal("blocked SIGTSTP not pending")
		}
		v.states(Running, f.c1, f.c2)
		// c2 unblocks it: the dequeue starts the (native) group stop.
		r := v.sys(f.c2, unix.SYS_RT_SIGPROCMASK, sigUnblock, f.cmem.u64s(uint64(set(fastpath.SIGTSTP))), 0, 8)
		if d := v.e.Decide(f.c2, unix.SYS_RT_SIGPROCMASK, r.Ret, stackSP); d.Act != StopThread {
			t.Fatalf("unblocked SIGTSTP: %+v", d)
		}
		v.wantCalls(jobCall{200, JobStop, fastpath.SIGTSTP})
		v.chld(f, 0, 0)
		v.e.StoppedNatively(f.ch)
		v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGTSTP)
		v.states(Stopped, f.c1, f.c2)

		// SIG_IGN: discarded at generation (prepare_signal).
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
		v.takeCalls()
		v.chld(f, fastpath.CLD_CONTINUED, fastpath.SIGCONT)
		v.sigaction(f.c1, f.cmem, fastpath.SIGTTIN, fastpath.SIG_IGN, 0, 0)
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGTTIN), 0)
		v.wantCalls()
		if p := v.pendingAll(f.c1) | v.pendingAll(f.c2); p.Has(fastpath.SIGTTIN) {
			t.Fatal("ignored SIGTTIN pending")
		}
	})
}

// StoppedNatively for a stop that is over does nothing: the process
// continued (SIGCONT before the real stop was seen: the parent gets the
// CLD_STOPPED of the interrupted stop, prepare_signal's
// SIGNAL_CLD_STOPPED, and then nothing more).
func TestNativeStoppedAfterCont(t *testing.T) {
	forJobLayouts(t, func(t *testing.T, v *jobEnv) {
		f := v.family()
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
		v.wantCalls(jobCall{200, JobStop, fastpath.SIGSTOP}, jobCall{200, JobCont, fastpath.SIGCONT})
		v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
		v.e.StoppedNatively(f.ch)
		v.chld(f, 0, 0)
		v.states(Running, f.c1, f.c2)
		v.wantCalls()
		for _, th := range []*Thread{f.c1, f.c2} {
			if d := v.e.Decide(th, -1, 0, stackSP); d.Act != Resume {
				t.Fatalf("thread %d after a stale StoppedNatively: %+v", th.Tid, d)
			}
		}
		// The next stop is a new one.
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
		v.wantCalls(jobCall{200, JobStop, fastpath.SIGSTOP})
		v.e.StoppedNatively(f.ch)
		v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
	})
}

// A thread asleep in an emulated wait is woken by the stop and stops in
// the emulator; the group stop completes only when both the real process
// has stopped (StoppedNatively) and that thread has stopped — or exited —
// in whichever order.
func TestNativeStopWithWaiter(t *testing.T) {
	type waiter struct {
		name string
		nr   int
		args func(mem *fakeMem) []uint64
		ret  int64 // what the wait returns when the stop interrupts it
		// after SIGCONT, no handler: restart or the result as it is
		restart bool
	}
	waiters := []waiter{
		{"rt_sigsuspend", unix.SYS_RT_SIGSUSPEND, func(mem *fakeMem) []uint64 {
			return []uint64{mem.u64s(0), 8}
		}, -ERESTARTNOHAND, true},
		// signal(7): sigtimedwait fails with EINTR after a stop.
		{"rt_sigtimedwait", unix.SYS_RT_SIGTIMEDWAIT, func(mem *fakeMem) []uint64 {
			return []uint64{mem.u64s(uint64(set(fastpath.SIGUSR2))), 0, 0, 8}
		}, -int64(unix.EINTR), false},
	}
	orders := []string{"native first", "participation first", "exit instead"}
	for _, l := range fastpath.Layouts() {
		for _, w := range waiters {
			for _, order := range orders {
				t.Run(l+"/"+w.name+"/"+order, func(t *testing.T) {
					v := newJobEnv(t, l, true)
					f := v.family()
					v.setmask(f.c2, f.cmem, sigSetmask, set(fastpath.SIGUSR2))
					if r := v.sys(f.c2, w.nr, w.args(f.cmem)...); r.Kind != Wait {
						t.Fatalf("%s: %+v", w.name, r)
					}
					v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
					v.wantCalls(jobCall{200, JobStop, fastpath.SIGSTOP})
					participate := func() {
						t.Helper()
						v.e.RunDue()
						if !woken(f.c2) {
							t.Fatal("the waiter was not woken by the stop")
						}
						r := v.e.Resume(f.c2)
						if r.Kind != Done || r.Ret != w.ret {
							t.Fatalf("wait ended %+v, want %d", r, w.ret)
						}
						if d := v.e.Decide(f.c2, w.nr, r.Ret, stackSP); d.Act != StopThread {
							t.Fatalf("waiter: %+v", d)
						}
					}
					switch order {
					case "native first":
						v.e.StoppedNatively(f.ch)
						v.chld(f, 0, 0)
						v.states(Stopped, f.c1)
						participate()
					case "participation first":
						participate()
						v.chld(f, 0, 0)
						v.e.StoppedNatively(f.ch)
					case "exit instead":
						v.e.StoppedNatively(f.ch)
						v.chld(f, 0, 0)
						v.e.ThreadExit(f.c2)
						v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
						return
					}
					v.chld(f, fastpath.CLD_STOPPED, fastpath.SIGSTOP)
					v.states(Stopped, f.c1, f.c2)
					if k := v.takeKicks(); len(k) != 0 {
						t.Fatalf("kicks %v", k)
					}
					v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGCONT), 0)
					v.wantCalls(jobCall{200, JobCont, fastpath.SIGCONT})
					if !woken(f.c2) {
						t.Fatal("SIGCONT did not wake the waiter")
					}
					d := v.e.Decide(f.c2, w.nr, w.ret, stackSP)
					if d.Act != Resume || d.Restart() != w.restart {
						t.Fatalf("waiter after SIGCONT: %+v (restart %v, want %v)", d, d.Restart(), w.restart)
					}
					if w.restart && d.Ret != int64(w.nr) {
						t.Fatalf("restarts as %d, want %d", d.Ret, w.nr)
					}
					if !w.restart && d.Ret != w.ret {
						t.Fatalf("returns %d, want %d", d.Ret, w.ret)
					}
					v.states(Running, f.c1, f.c2)
				})
			}
		}
	}
}

// A thread in rt_sigtimedwait for SIGTSTP takes it: the wait, not a
// stop, consumes a signal the thread awaits (do_sigtimedwait dequeues it
// before get_signal could act on it; complete_signal likewise keeps a
// fatal signal in real_blocked from killing). No stop at generation then.
func TestNativeSigtimedwaitTakesStopSignal(t *testing.T) {
	forJobLayouts(t, func(t *testing.T, v *jobEnv) {
		f := v.family()
		v.setmask(f.c1, f.cmem, sigSetmask, set(fastpath.SIGTSTP))
		v.setmask(f.c2, f.cmem, sigSetmask, set(fastpath.SIGTSTP))
		r := v.sys(f.c1, unix.SYS_RT_SIGTIMEDWAIT, f.cmem.u64s(uint64(set(fastpath.SIGTSTP))), 0, 0, 8)
		if r.Kind != Wait {
			t.Fatalf("%+v", r)
		}
		v.ok(v.sys(f.pt, unix.SYS_KILL, 200, fastpath.SIGTSTP), 0)
		calls := v.takeCalls()
		v.e.RunDue()
		if !woken(f.c1) {
			t.Fatal("waiter not woken")
		}
		r = v.e.Resume(f.c1)
		if len(calls) != 0 || r.Kind != Done || r.Ret != fastpath.SIGTSTP {
			t.Fatalf("sigtimedwait({SIGTSTP}) = %+v with JobControl calls %v; want SIGTSTP returned and no stop", r, calls)
		}
	})
}

// StoppedNatively for a process that is not stopping (no stop began, or
// it is dying) changes nothing.
func TestNativeStoppedSpurious(t *testing.T) {
	forJobLayouts(t, func(t *testing.T, v *jobEnv) {
		f := v.family()
		v.e.StoppedNatively(f.ch)
		v.states(Running, f.c1, f.c2)
		v.chld(f, 0, 0)
		if d := v.e.Decide(f.c1, -1, 0, stackSP); d.Act != Resume {
			t.Fatalf("%+v", d)
		}
		v.wantCalls()
	})
}

// SendNative (a kernel-raised signal routed from the shim) for a thread
// that has exited must not file anything: the exited thread's fastpath
// slot is free and may already hold another thread, which would get the
// signal — a forced fault even unblocked in its mask. Syscall answers an
// exited thread ESRCH; SendNative should refuse it likewise.
func TestSendNativeExitedThread(t *testing.T) {
	forJobLayouts(t, func(t *testing.T, v *jobEnv) {
		_, t1, mem := v.proc(100, 0)
		gone := v.thread(t1, 101)
		v.e.ThreadExit(gone)
		heir := v.thread(t1, 102) // likely in gone's old slot
		v.setmask(heir, mem, sigSetmask, set(fastpath.SIGSEGV, fastpath.SIGUSR1))
		for _, info := range []fastpath.Siginfo{
			{Signo: fastpath.SIGSEGV, Code: 1}, // SEGV_MAPERR: forced
			{Signo: fastpath.SIGUSR1, Code: fastpath.SI_TKILL},
		} {
			v.e.SendNative(gone, &info, true)
			if p := v.pendingAll(heir) | v.pendingAll(t1); p != 0 {
				t.Fatalf("signal %d for an exited thread filed: pending %#x", info.Signo, uint64(p))
			}
			if b := v.blocked(heir); b != set(fastpath.SIGSEGV, fastpath.SIGUSR1) {
				t.Fatalf("signal %d for an exited thread changed another's mask: %#x", info.Signo, uint64(b))
			}
		}
	})
}
