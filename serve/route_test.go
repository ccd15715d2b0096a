package serve

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/sched"
	"siglab/shim"
)

// Kernel-raised signals routed to the emulator (emulated_route.go): the
// interrupted-syscall context of a signal request, which signals are
// routed or mirrored (and what the region accepts), and how
// Emulated.KernelSignal files each one — thread- or process-directed,
// forced, or ignored — as the kernel queued it (kernel/signal.c:
// send_sig()'s PIDTYPE_PID for SIGPIPE/SIGXFSZ, force_sig_info_to_task
// for faults, do_tkill's SI_TKILL).

// readSignalContext counts an interrupted syscall only when Nr is a
// syscall number and Ret is -ERESTARTSYS, the one code the shim reports;
// the rest of the context is readContext's.
func TestReadSignalContext(t *testing.T) {
	cases := []struct {
		nr      uint64
		ret     int64
		wantNr  int
		wantRet int64
	}{
		{shim.NoSyscall, 0, 0, 0},
		{shim.NoSyscall, -erestartsys, 0, 0},
		{unix.SYS_READ, -erestartsys, unix.SYS_READ, -erestartsys},
		{unix.SYS_WAIT4, -erestartsys, unix.SYS_WAIT4, -erestartsys},
		{shim.MaxSyscall - 1, -erestartsys, shim.MaxSyscall - 1, -erestartsys},
		{shim.MaxSyscall, -erestartsys, 0, 0},
		{1 << 63, -erestartsys, 0, 0},
		{unix.SYS_READ, -513, 0, 0}, // -ERESTARTNOINTR: the shim normalises it
		{unix.SYS_READ, -514, 0, 0},
		{unix.SYS_READ, -516, 0, 0},
		{unix.SYS_READ, -int64(unix.EINTR), 0, 0},
		{unix.SYS_READ, erestartsys, 0, 0},
		{unix.SYS_READ, 0, 0, 0},
		{unix.SYS_PPOLL, -1 << 63, 0, 0},
	}
	for _, c := range cases {
		var ch shim.Channel
		ch.Nr, ch.Ret = c.nr, c.ret
		ch.Rip, ch.Rsp, ch.Mask = 0x401000, 0x7ffd0000, 0x5a5a
		ctx := readSignalContext(&ch)
		if ctx.IntrNr != c.wantNr || ctx.IntrRet != c.wantRet {
			t.Errorf("Nr %#x Ret %d: IntrNr %d IntrRet %d, want %d %d", c.nr, c.ret, ctx.IntrNr, ctx.IntrRet, c.wantNr, c.wantRet)
		}
		if ctx.Rip != 0x401000 || ctx.Rsp != 0x7ffd0000 || ctx.Mask != 0x5a5a {
			t.Errorf("Nr %#x Ret %d: context %+v", c.nr, c.ret, ctx)
		}
	}
}

// The routed and mirrored sets are disjoint and leave out what the shim
// or the kernel must keep; everything a program's kernel may raise or an
// outsider send is in one of them.
func TestRouteSets(t *testing.T) {
	a := &Emulated{}
	route, mirror := a.RouteSet(), a.MirrorSet()
	if route&mirror != 0 {
		t.Fatalf("routed and mirrored: %#x", uint64(route&mirror))
	}
	never := shimSignals | fastpath.Unblockable | fastpath.SigBit(fastpath.SIGCHLD) | fastpath.SigBit(fastpath.SIGCONT)
	if bad := (route | mirror) & never; bad != 0 {
		t.Fatalf("routed or mirrored: %#x", uint64(bad))
	}
	for _, sig := range []int{fastpath.SIGSEGV, fastpath.SIGBUS, fastpath.SIGFPE, fastpath.SIGILL, fastpath.SIGTRAP,
		fastpath.SIGPIPE, fastpath.SIGXFSZ, fastpath.SIGTERM, fastpath.SIGINT, fastpath.SIGHUP, fastpath.SIGUSR1,
		fastpath.SIGWINCH, fastpath.SIGRTMIN, fastpath.SIGRTMAX - 1} {
		if !route.Has(sig) {
			t.Errorf("signal %d not routed", sig)
		}
	}
	if mirror != set(fastpath.SIGTSTP, fastpath.SIGTTIN, fastpath.SIGTTOU) {
		t.Errorf("mirrored %#x, want SIGTSTP, SIGTTIN, SIGTTOU", uint64(mirror))
	}
	for sig := 1; sig <= fastpath.NSIG; sig++ {
		if !route.Has(sig) && !mirror.Has(sig) && !never.Has(sig) {
			t.Errorf("signal %d is neither routed, mirrored nor the shim's or kernel's", sig)
		}
	}
}

func set(sigs ...int) fastpath.Sigset {
	var s fastpath.Sigset
	for _, sg := range sigs {
		s |= fastpath.SigBit(sg)
	}
	return s
}

// NewRegion refuses to route or mirror the shim's own signals, SIGKILL
// or SIGSTOP, and a signal both routed and mirrored; it publishes the
// sets it accepts.
func TestRegionRouteMirrorSets(t *testing.T) {
	st, cfg := regionState(t)
	kick, sys := fastpath.SigBit(shim.KickSignal), fastpath.SigBit(fastpath.SIGSYS)
	kill, stop := fastpath.SigBit(fastpath.SIGKILL), fastpath.SigBit(fastpath.SIGSTOP)
	usr1, tstp := fastpath.SigBit(fastpath.SIGUSR1), fastpath.SigBit(fastpath.SIGTSTP)
	bad := []struct {
		name          string
		route, mirror fastpath.Sigset
	}{
		{"route SIGSYS", usr1 | sys, 0},
		{"route the kick", kick, 0},
		{"route SIGKILL", kill, 0},
		{"route SIGSTOP", stop, tstp},
		{"mirror SIGSYS", usr1, sys},
		{"mirror the kick", 0, kick | tstp},
		{"mirror SIGKILL", 0, kill},
		{"mirror SIGSTOP", 0, stop},
		{"overlap", usr1 | tstp, tstp},
		{"overlap all", routedSignals, routedSignals},
		{"everything", ^fastpath.Sigset(0), 0},
	}
	for _, c := range bad {
		r, err := NewRegion(RegionConfig{Channels: 1, State: st, Config: cfg, RouteSet: c.route, MirrorSet: c.mirror})
		if err == nil {
			r.Close()
			t.Errorf("%s: NewRegion accepted route %#x mirror %#x", c.name, uint64(c.route), uint64(c.mirror))
		}
	}
	a := &Emulated{}
	r, err := NewRegion(RegionConfig{Channels: 1, State: st, Config: cfg, RouteSet: routeSet(a), MirrorSet: mirrorSet(a)})
	if err != nil {
		t.Fatalf("Emulated's sets refused: %v", err)
	}
	defer r.Close()
	if h := r.Header(); h.RouteSet != uint64(routedSignals) || h.MirrorSet != uint64(mirroredSignals) {
		t.Errorf("header route %#x mirror %#x", h.RouteSet, h.MirrorSet)
	}
	// A Handler that routes nothing publishes nothing.
	p := NewPassthrough(st)
	if routeSet(p) != 0 || mirrorSet(p) != 0 {
		t.Errorf("Passthrough routes %#x mirrors %#x", uint64(routeSet(p)), uint64(mirrorSet(p)))
	}
}

// routeEnv is an Emulated serving this test process's main thread,
// called directly (no channel): the emulated state is its own, so the
// signals filed here are only ever pending in it.
type routeEnv struct {
	t  *testing.T
	a  *Emulated
	st fastpath.State
	th *Thread
}

func newRouteEnv(t *testing.T, layout string) *routeEnv {
	t.Helper()
	st, a := testEmulated(t, layout, fastpath.Config{MaxThreads: 16, MaxProcesses: 4})
	pid := int32(os.Getpid())
	th := &Thread{Pid: pid, Tid: pid}
	if err := a.Attach(th); err != nil {
		t.Fatal(err)
	}
	return &routeEnv{t: t, a: a, st: st, th: th}
}

// sys runs an emulated syscall whose pointer arguments point into this
// process (Emulated reads them with process_vm_readv, as from any
// managed process).
func (r *routeEnv) sys(nr int, args ...uint64) Reply {
	c := &Call{Nr: nr}
	copy(c.Args[:], args)
	c.Rsp = 0x7ffd0000
	return r.a.Syscall(r.th, c)
}

func (r *routeEnv) setmask(m fastpath.Sigset) {
	r.t.Helper()
	buf := new(uint64)
	*buf = uint64(m)
	rep := r.sys(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uint64(uintptr(unsafe.Pointer(buf))), 0, 8)
	runtime.KeepAlive(buf)
	if rep.Kind != shim.KindComplete || rep.Result != 0 {
		r.t.Fatalf("rt_sigprocmask: %+v", rep)
	}
}

func (r *routeEnv) sigaction(sig int, handler uint64) {
	r.t.Helper()
	act := new([4]uint64)
	act[0], act[1], act[2] = handler, fastpath.SA_RESTORER, 0x401000
	rep := r.sys(unix.SYS_RT_SIGACTION, uint64(sig), uint64(uintptr(unsafe.Pointer(act))), 0, 8)
	runtime.KeepAlive(act)
	if rep.Kind != shim.KindComplete || rep.Result != 0 {
		r.t.Fatalf("rt_sigaction(%d): %+v", sig, rep)
	}
}

func (r *routeEnv) slot() fastpath.ThreadID { return r.th.emu.st.Slot() }

func (r *routeEnv) pending() (thread, process fastpath.Sigset) { return r.st.Pending(r.slot()) }

func kinfo(sig int, code int32, pid int32) *fastpath.Siginfo {
	info := &fastpath.Siginfo{Signo: int32(sig), Code: code}
	info.SetSender(pid, 1000)
	return info
}

// KernelSignal files a routed signal where the kernel queued it: SIGPIPE
// and SIGXFSZ from the kernel's write paths (SI_USER, si_pid the
// thread's own process) and SI_TKILL on the thread, the rest on the
// process; a fault (si_code > 0) is forced on the thread even when
// blocked or ignored, a kill(2) of a fault signal (SI_USER) is not.
func TestKernelSignalDirection(t *testing.T) {
	self := int32(os.Getpid())
	const other = 1
	blocked := set(fastpath.SIGPIPE, fastpath.SIGXFSZ, fastpath.SIGUSR1, fastpath.SIGSEGV, fastpath.SIGBUS,
		fastpath.SIGTERM, fastpath.SIGRTMIN+2)
	cases := []struct {
		name string
		info *fastpath.Siginfo
		// ignore: the process's action for the signal is SIG_IGN
		ignore bool
		// where it must be pending
		thread, forced bool
	}{
		{"SIGPIPE of a write", kinfo(fastpath.SIGPIPE, fastpath.SI_USER, self), false, true, false},
		{"SIGPIPE from another process", kinfo(fastpath.SIGPIPE, fastpath.SI_USER, other), false, false, false},
		{"SIGPIPE by sigqueue", kinfo(fastpath.SIGPIPE, fastpath.SI_QUEUE, self), false, false, false},
		{"SIGXFSZ of a write", kinfo(fastpath.SIGXFSZ, fastpath.SI_USER, self), false, true, false},
		{"SIGUSR1 from itself, SI_USER", kinfo(fastpath.SIGUSR1, fastpath.SI_USER, self), false, false, false},
		{"SIGUSR1 by tgkill", kinfo(fastpath.SIGUSR1, fastpath.SI_TKILL, other), false, true, false},
		{"SIGTERM by kill", kinfo(fastpath.SIGTERM, fastpath.SI_USER, other), false, false, false},
		{"SIGRTMIN+2 by sigqueue", kinfo(fastpath.SIGRTMIN+2, fastpath.SI_QUEUE, other), false, false, false},
		{"SIGSEGV fault, blocked", kinfo(fastpath.SIGSEGV, 1 /* SEGV_MAPERR */, 0), false, true, true},
		{"SIGBUS SI_KERNEL, blocked", kinfo(fastpath.SIGBUS, fastpath.SI_KERNEL, 0), false, true, true},
		{"SIGSEGV by kill, blocked", kinfo(fastpath.SIGSEGV, fastpath.SI_USER, other), false, false, false},
		{"SIGFPE fault, ignored", kinfo(fastpath.SIGFPE, 1 /* FPE_INTDIV */, 0), true, true, true},
		{"SIGILL by tgkill", kinfo(fastpath.SIGILL, fastpath.SI_TKILL, other), false, true, false},
	}
	for _, layout := range fastpath.Layouts() {
		for _, c := range cases {
			t.Run(layout+"/"+c.name, func(t *testing.T) {
				r := newRouteEnv(t, layout)
				sig := int(c.info.Signo)
				if c.ignore {
					r.sigaction(sig, fastpath.SIG_IGN)
				} else if !blocked.Has(sig) {
					r.sigaction(sig, 0x402000) // handled, so nothing is fatal
				}
				r.setmask(blocked)
				info := *c.info
				rep := r.a.KernelSignal(r.th, &info, &Context{Rip: 0x401234, Rsp: 0x7ffd0000})
				if rep.Kind != shim.KindComplete || rep.Result != 0 || !rep.SetMask {
					t.Fatalf("reply %+v", rep)
				}
				tp, pp := r.pending()
				if tp.Has(sig) != c.thread || pp.Has(sig) == c.thread {
					t.Fatalf("pending thread %#x process %#x: want on the %s", uint64(tp), uint64(pp),
						map[bool]string{true: "thread", false: "process"}[c.thread])
				}
				mask := r.st.Blocked(r.slot())
				if rep.Mask != mask {
					t.Errorf("reply mask %#x, emulated %#x", uint64(rep.Mask), uint64(mask))
				}
				if c.forced {
					// force_sig_info_to_task: unblocked, SIG_DFL.
					if mask.Has(sig) || mask != blocked&^fastpath.SigBit(sig) {
						t.Errorf("forced fault: mask %#x", uint64(mask))
					}
					if h := r.st.Action(r.th.emu.st.Process().Slot(), sig).Handler; h != fastpath.SIG_DFL {
						t.Errorf("forced fault: handler %#x, want SIG_DFL", h)
					}
				} else if mask != blocked {
					t.Errorf("mask changed to %#x", uint64(mask))
				}
			})
		}
	}
}

// Signals KernelSignal does not route — the mirrored job-control
// signals, SIGCHLD and SIGCONT (sched's own), the shim's signals,
// SIGKILL, SIGSTOP and non-signals — are ignored: nothing pending, no
// mask, no stop (a stop here would stop this very test process).
func TestKernelSignalNotRouted(t *testing.T) {
	for _, layout := range fastpath.Layouts() {
		t.Run(layout, func(t *testing.T) {
			r := newRouteEnv(t, layout)
			r.setmask(0)
			for _, sig := range []int{fastpath.SIGTSTP, fastpath.SIGTTIN, fastpath.SIGTTOU, fastpath.SIGCHLD,
				fastpath.SIGCONT, fastpath.SIGSYS, shim.KickSignal, fastpath.SIGKILL, fastpath.SIGSTOP, 0, 65, -1, 1 << 20} {
				info := kinfo(sig, fastpath.SI_USER, 1)
				rep := r.a.KernelSignal(r.th, info, &Context{})
				if rep.Kind != shim.KindComplete || rep.Result != 0 || rep.SetMask {
					t.Errorf("signal %d: reply %+v", sig, rep)
				}
				if tp, pp := r.pending(); tp|pp != 0 {
					t.Fatalf("signal %d: pending %#x %#x", sig, uint64(tp), uint64(pp))
				}
				if st := r.a.e.ThreadState(r.th.emu.st); st != sched.Running {
					t.Fatalf("signal %d: thread %v", sig, st)
				}
			}
			// A thread Emulated never attached is ignored too.
			stranger := &Thread{Pid: r.th.Pid, Tid: r.th.Tid}
			if rep := r.a.KernelSignal(stranger, kinfo(fastpath.SIGUSR1, fastpath.SI_USER, 1), &Context{}); rep.Kind != shim.KindComplete || rep.Result != 0 {
				t.Errorf("unattached thread: %+v", rep)
			}
			if tp, pp := r.pending(); tp|pp != 0 {
				t.Fatalf("unattached thread's signal pending %#x %#x", uint64(tp), uint64(pp))
			}
		})
	}
}

// A routed signal the thread does not block is delivered by the next
// slow path (the shim's fast path runs after the reply), and the handler
// sees the kernel's siginfo; a kick-interrupted native syscall reported
// with it restarts by the handler's SA_RESTART (Context.IntrRet).
func TestKernelSignalThenDeliver(t *testing.T) {
	for _, layout := range fastpath.Layouts() {
		for _, restart := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/SA_RESTART=%v", layout, restart), func(t *testing.T) {
				r := newRouteEnv(t, layout)
				act := new([4]uint64)
				act[0], act[1], act[2] = 0x402000, fastpath.SA_RESTORER|fastpath.SA_SIGINFO, 0x401000
				if restart {
					act[1] |= fastpath.SA_RESTART
				}
				rep := r.sys(unix.SYS_RT_SIGACTION, fastpath.SIGPIPE, uint64(uintptr(unsafe.Pointer(act))), 0, 8)
				runtime.KeepAlive(act)
				if rep.Kind != shim.KindComplete || rep.Result != 0 {
					t.Fatalf("rt_sigaction: %+v", rep)
				}
				r.setmask(0)
				info := kinfo(fastpath.SIGPIPE, fastpath.SI_USER, r.th.Pid)
				if rep := r.a.KernelSignal(r.th, info, &Context{}); rep.Kind != shim.KindComplete {
					t.Fatalf("KernelSignal: %+v", rep)
				}
				if !r.st.Hot(r.slot()).Deliverable() {
					t.Fatal("routed SIGPIPE not deliverable to the fast path")
				}
				var ch shim.Channel
				ch.Nr, ch.Ret, ch.Rsp = unix.SYS_WRITE, -erestartsys, 0x7ffd0000
				ctx := readSignalContext(&ch)
				d := r.a.Signal(r.th, &ctx)
				if d.Kind != shim.KindDeliver || d.Deliver.Signo != fastpath.SIGPIPE || d.Deliver.Info.Pid() != r.th.Pid ||
					d.Deliver.Info.Code != fastpath.SI_USER {
					t.Fatalf("delivery %+v", d)
				}
				if d.Restart != restart {
					t.Fatalf("restart %v, want %v (result %d)", d.Restart, restart, d.Result)
				}
				want := -int64(unix.EINTR)
				if restart {
					want = unix.SYS_WRITE
				}
				if d.Result != want {
					t.Fatalf("result %d, want %d", d.Result, want)
				}
			})
		}
	}
}

// A stop that ends before the real process was ever seen stopped leaves
// its /proc watcher (awaitNativeStop) behind: here the real process never
// stops for SIGTSTP (it ignores it natively, as the kernel discards it in
// a group it considers orphaned; a SIGCONT sent right after a SIGTSTP that
// was not dequeued yet also leaves it running, prepare_signal flushing the
// SIGTSTP), the emulated SIGCONT continues the process, and the watcher,
// not knowing the stop is over, sends SIGSTOP at its 50 ms deadline: the
// continued process is stopped for good, with sched believing it runs.
//
// Not deterministic in its timing (it waits up to a second for the stale
// SIGSTOP), hence a known-bug test only.
func TestNativeStopWatcherOutlivesContinue(t *testing.T) {
	cmd := exec.Command("sh", "-c", "trap '' TSTP; exec sleep 30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sh:", err)
	}
	child := int32(cmd.Process.Pid)
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child))
		if string(b) == "sleep\n" {
			break
		}
		if i == 1000 {
			t.Fatal("the child did not exec sleep")
		}
		time.Sleep(time.Millisecond)
	}
	_, a := testEmulated(t, fastpath.DefaultLayout, fastpath.Config{MaxThreads: 16, MaxProcesses: 4})
	self := int32(os.Getpid())
	_, sender, err := a.e.NewProcess(sched.ProcessConfig{Pid: self, Mem: pidMemory(self)})
	if err != nil {
		t.Fatal(err)
	}
	_, cth, err := a.e.NewProcess(sched.ProcessConfig{Pid: child, Mem: pidMemory(child)})
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []uint64{uint64(unix.SIGTSTP), uint64(unix.SIGCONT)} {
		c := sched.Call{Nr: unix.SYS_KILL, Args: [6]uint64{uint64(child), sig}}
		if r := a.e.Syscall(sender, &c); r.Kind != sched.Done || r.Ret != 0 {
			t.Fatalf("kill(%d, %d): %+v", child, sig, r)
		}
	}
	if d := a.e.Decide(cth, -1, 0, 0); d.Act != sched.Resume {
		t.Fatalf("the continued child, emulated: %+v", d)
	}
	for i := 0; i < 100; i++ {
		ps, err := readProcStat(child)
		if err != nil {
			t.Fatal(err)
		}
		if ps.state == 'T' {
			t.Fatalf("the continued child was stopped natively after %d ms (stale watcher)", 10*i)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testEmulated builds a fastpath State of layout with cfg and an Emulated
// over it, both closed when the test ends.
func testEmulated(t *testing.T, layout string, cfg fastpath.Config) (fastpath.State, *Emulated) {
	t.Helper()
	st, err := fastpath.New(layout, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := NewEmulated(st, EmulatedConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return st, a
}
