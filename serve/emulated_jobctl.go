package serve

import (
	"bytes"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"siglab/sched"
)

// Native job control (sched's jobctl_native.go): an emulated group stop
// stops the real process, an emulated continue continues it. jobControl
// is sched's Config.JobControl, called with the emulator's lock held: it
// only sends signals and starts the watcher that tells sched when the
// real stop is complete.

func (a *Emulated) jobControl(p *sched.Process, ev sched.JobEvent, sig int) {
	pid := int(p.Pid)
	// Every event ends the stop a watcher may still wait for.
	gen := a.jobGen(p.Pid).Add(1)
	switch ev {
	case sched.JobStop:
		// The stop signal itself, so that the parent's waitpid reports
		// it (WSTOPSIG): SIGSTOP, or a SIGTSTP, SIGTTIN or SIGTTOU whose
		// native action is SIG_DFL like its emulated one (they are
		// mirrored, emulated_route.go).
		unix.Kill(pid, unix.Signal(sig))
		a.wg.Add(1)
		go a.awaitNativeStop(p, sig, gen)
	case sched.JobCont:
		unix.Kill(pid, unix.SIGCONT)
	case sched.JobKill:
		if sig == int(unix.SIGKILL) {
			unix.Kill(pid, unix.SIGKILL)
		} else {
			// The shim kills it by sig once its threads run again.
			unix.Kill(pid, unix.SIGCONT)
		}
	}
	if a.trace != nil {
		a.trace.eventPid(p.Pid, "jobctl", fmt.Sprintf("%s natively (%s)", [...]string{"stop", "continue", "kill"}[ev], sigName(sig)))
	}
}

// awaitNativeStop waits until every thread of p is stopped in the kernel
// ('T' in /proc/<pid>/task/<tid>/stat; gone threads do not count), then
// tells sched. The kernel offers no notification to a process that is not
// the parent (only the parent's wait sees a stop), so it polls, backing
// off from 20 µs: a stop takes the kernel microseconds, and stops are rare.
func (a *Emulated) awaitNativeStop(p *sched.Process, sig int, gen uint64) {
	defer a.wg.Done()
	g := a.jobGen(p.Pid)
	d := 20 * time.Microsecond
	deadline := time.Now().Add(50 * time.Millisecond)
	for {
		select {
		case <-a.stop:
			return
		default:
		}
		if g.Load() != gen {
			return // continued or dying since: this stop is over
		}
		stopped, gone := taskStates(p.Pid)
		if gone {
			return
		}
		if stopped {
			a.e.StoppedNatively(p)
			return
		}
		if sig != int(unix.SIGSTOP) && time.Now().After(deadline) {
			// The kernel discarded the job-control signal (its view of an
			// orphaned process group can differ from sched's, whose
			// managed world ends at siglab): stop it for sure. The
			// parent then sees SIGSTOP rather than a hang.
			unix.Kill(int(p.Pid), unix.SIGSTOP)
			sig = int(unix.SIGSTOP)
		}
		time.Sleep(d)
		if d < 5*time.Millisecond {
			d *= 2
		}
	}
}

// jobGen is pid's job-control generation: jobControl advances it at
// every event, and a stop watcher gives up once it has moved on (a
// SIGCONT before the real stop was seen must not be followed by the
// watcher's fallback SIGSTOP). A sync.Map: jobControl runs with sched's
// lock held, under which a.mu may not be taken.
func (a *Emulated) jobGen(pid int32) *atomic.Uint64 {
	if v, ok := a.jobGens.Load(pid); ok {
		return v.(*atomic.Uint64)
	}
	v, _ := a.jobGens.LoadOrStore(pid, new(atomic.Uint64))
	return v.(*atomic.Uint64)
}

// taskStates reports whether every live thread of pid is stopped, and
// whether the process is gone.
func taskStates(pid int32) (allStopped, gone bool) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false, true
	}
	n := 0
	for _, ent := range ents {
		b, err := os.ReadFile(dir + "/" + ent.Name() + "/stat")
		if err != nil {
			continue // the thread exited
		}
		// The state follows the command, which is in parentheses and
		// may contain anything: it is after the last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+2 >= len(b) {
			continue
		}
		switch b[i+2] {
		case 'T', 't':
			n++
		case 'Z', 'X':
		default:
			return false, false
		}
	}
	return true, n == 0 && len(ents) == 0
}

// stopSeen is a managed parent's native wait reporting child pid stopped:
// the kernel queued the parent's SIGCHLD before waking that wait
// (do_notify_parent_cldstop, then wake_up_parent), so the emulated
// CLD_STOPPED must be pending before the wait returns to the program —
// sched learns of the native stop here rather than from the watcher's
// next poll.
func (a *Emulated) stopSeen(pid int32) {
	if p := a.e.Process(pid); p != nil {
		a.e.StoppedNatively(p)
	}
}
