package sched

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The default dispositions against signal(7)'s table.
func TestDefaultActions(t *testing.T) {
	want := map[Disposition][]int{
		Term: {1, 2, 9, 10, 12, 13, 14, 15, 16, 26, 27, 29, 30, 32, 50, 64},
		Core: {3, 4, 5, 6, 7, 8, 11, 24, 25, 31},
		Ign:  {17, 23, 28},
		Stop: {19, 20, 21, 22},
		Cont: {18},
	}
	for d, sigs := range want {
		for _, sig := range sigs {
			if got := DefaultAction(sig); got != d {
				t.Errorf("signal %d: %v, want %v", sig, got, d)
			}
		}
	}
	for _, nr := range []int{unix.SYS_RT_SIGACTION, unix.SYS_PPOLL, unix.SYS_TIMER_DELETE, unix.SYS_PIDFD_SEND_SIGNAL} {
		if !Emulates(nr) {
			t.Errorf("Emulates(%d) = false", nr)
		}
	}
	if Emulates(unix.SYS_GETPID) || Emulates(unix.SYS_READ) {
		t.Error("Emulates claims a native syscall")
	}
	st := KilledStatus(fastpath.SIGSEGV, true)
	if !st.Signaled() || st.Signal() != fastpath.SIGSEGV || !st.CoreDump() || st.Exited() {
		t.Error("wait status")
	}
	if e := ExitedStatus(7); !e.Exited() || e.ExitCode() != 7 || e.Signaled() {
		t.Error("exit status")
	}
}

// signalfd_siginfo per siginfo layout.
func TestSignalfdSiginfoLayouts(t *testing.T) {
	b := make([]byte, 128)
	chld := fastpath.Siginfo{Signo: fastpath.SIGCHLD, Code: fastpath.CLD_EXITED}
	chld.SetSender(42, 1000)
	chld.SetStatus(3)
	chld.Fields[2], chld.Fields[3] = 11, 12
	encodeSignalfdSiginfo(b, &chld)
	if le32(b[12:]) != 42 || le32(b[16:]) != 1000 || le32(b[40:]) != 3 || le64(b[56:]) != 11 || le64(b[64:]) != 12 {
		t.Errorf("chld % x", b[:72])
	}
	fault := fastpath.Siginfo{Signo: fastpath.SIGSEGV, Code: 1}
	fault.SetAddr(0xbad)
	encodeSignalfdSiginfo(b, &fault)
	if le64(b[72:]) != 0xbad || le32(b[12:]) != 0 {
		t.Errorf("fault % x", b[:80])
	}
	tm := fastpath.Siginfo{Signo: 40, Code: fastpath.SI_TIMER}
	tm.SetTimer(5, 2)
	tm.SetValue(0x1234)
	encodeSignalfdSiginfo(b, &tm)
	if le32(b[24:]) != 5 || le32(b[32:]) != 2 || le32(b[44:]) != 0x1234 || le64(b[48:]) != 0x1234 {
		t.Errorf("timer % x", b[:56])
	}
	rt := fastpath.Siginfo{Signo: 40, Code: fastpath.SI_QUEUE}
	rt.SetSender(9, 8)
	rt.SetValue(77)
	encodeSignalfdSiginfo(b, &rt)
	if le32(b[12:]) != 9 || le32(b[16:]) != 8 || le32(b[44:]) != 77 {
		t.Errorf("rt % x", b[:56])
	}
	poll := fastpath.Siginfo{Signo: fastpath.SIGIO, Code: 1, Fields: [14]uint64{0x41, 6}}
	encodeSignalfdSiginfo(b, &poll)
	if le32(b[28:]) != 0x41 || le32(b[20:]) != 6 {
		t.Errorf("poll % x", b[:32])
	}
}

// The real clock and the Run loop: a timed wait ends by itself.
func TestRunRealTime(t *testing.T) {
	for _, l := range fastpath.Layouts() {
		t.Run(l, func(t *testing.T) {
			e, err := New(Config{Layout: l, State: fastpath.Config{MaxThreads: 8, MaxProcesses: 4}})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			mem := newFakeMem()
			_, th, err := e.NewProcess(ProcessConfig{Pid: 100, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() { e.Run(stop); close(done) }()
			defer func() { close(stop); <-done }()
			c := Call{Nr: unix.SYS_RT_SIGTIMEDWAIT, Args: [6]uint64{mem.u64s(1), 0, mem.u64s(0, 20e6), 8}}
			r := e.Syscall(th, &c)
			if r.Kind != Wait {
				t.Fatal(r)
			}
			select {
			case <-th.Wake():
			case <-time.After(10 * time.Second):
				t.Fatal("the timeout never fired")
			}
			if r := e.Resume(th); r.Ret != -int64(unix.EAGAIN) {
				t.Fatalf("%+v", r)
			}
			if e.State().Layout() != l {
				t.Fatal("layout")
			}
			if ths := e.Threads(th.Process()); len(ths) != 1 || ths[0] != th || th.Slot() != 0 || th.Process().Slot() != 0 {
				t.Fatal("threads or slots")
			}
		})
	}
}

// ProcCPUClock reads this very process's CPU time from procfs.
func TestProcCPUClock(t *testing.T) {
	e, err := New(Config{State: fastpath.Config{MaxThreads: 8, MaxProcesses: 4}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	pid := int32(os.Getpid())
	p, th, err := e.NewProcess(ProcessConfig{Pid: pid, Mem: newFakeMem()})
	if err != nil {
		t.Fatal(err)
	}
	var c ProcCPUClock
	deadline := time.Now().Add(5 * time.Second)
	for c.ProcessCPU(p, false) == 0 && time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			_ = i * i
		}
	}
	if c.ProcessCPU(p, false) <= 0 || c.ThreadCPU(th) <= 0 {
		t.Fatalf("no CPU time read: %d %d", c.ProcessCPU(p, false), c.ThreadCPU(th))
	}
	if c.ProcessCPU(p, true) < 0 {
		t.Fatal("user time")
	}
	// The thread's schedstat stays open between polls and is read again
	// from the start: the figure never goes back.
	first := c.ThreadCPU(th)
	fd := th.cpuStat
	again := c.ThreadCPU(th)
	if fd == 0 || th.cpuStat != fd {
		t.Fatalf("schedstat descriptor %d, then %d", fd, th.cpuStat)
	}
	if again < first {
		t.Fatalf("thread CPU went back: %d then %d", first, again)
	}
	// Another process's clock: the kernel's, read with clock_gettime, and
	// procfs's sum agree on a busy child that has used some CPU.
	child := exec.Command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 60")
	if err := child.Start(); err != nil {
		t.Skip("no shell:", err)
	}
	defer child.Process.Kill()
	cp, _, err := e.NewProcess(ProcessConfig{Pid: int32(child.Process.Pid), Mem: newFakeMem()})
	if err != nil {
		t.Fatal(err)
	}
	for c.ProcessCPU(cp, false) < 20e6 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(processCPUClock(cp.Pid, cpuclockSched), &ts); err != nil {
		t.Fatalf("clock_gettime on another process's clock: %v", err)
	}
	kernel, proc := c.ProcessCPU(cp, false), c.procProcessCPU(cp, false)
	if kernel <= 0 || proc <= 0 || kernel < proc/2 || proc < kernel/2 {
		t.Errorf("child's CPU time: clock_gettime %d ns, procfs %d ns", kernel, proc)
	}
	if u := c.ProcessCPU(cp, true); u < 0 || u > kernel+20e6 {
		t.Errorf("child's user time %d ns of %d", u, kernel)
	}
	if _, _, err := e.NewProcess(ProcessConfig{Pid: pid, Mem: newFakeMem()}); err != ErrExists {
		t.Fatalf("duplicate pid: %v", err)
	}
	if _, _, err := e.NewProcess(ProcessConfig{Pid: 0, Mem: newFakeMem()}); err == nil {
		t.Fatal("pid 0 accepted")
	}
	if _, err := New(Config{Layout: "nope"}); err == nil {
		t.Fatal("unknown layout accepted")
	}
	e.Close()
	if th.cpuStat != 0 {
		t.Error("Close left the schedstat descriptor open")
	}
}

// A thread exiting completes a group stop that waited only for it.
func TestThreadExitCompletesStop(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, pt, pmem := v.proc(100, 0)
		v.sigaction(pt, pmem, fastpath.SIGCHLD, handlerAddr, 0, 0)
		v.setmask(pt, pmem, sigBlock, set(fastpath.SIGCHLD))
		ch, _ := v.e.Clone(pt, uint64(fastpath.SIGCHLD), 200, newFakeMem(), nil)
		c2 := v.thread(ch, 201)
		v.ok(v.sys(pt, unix.SYS_KILL, 200, fastpath.SIGSTOP), 0)
		if d := v.e.Decide(ch, -1, 0, stackSP); d.Act != StopThread {
			t.Fatalf("%+v", d)
		}
		v.e.ThreadExit(c2)
		if sig, info := v.takeInfo(pt, set(fastpath.SIGCHLD)); sig != fastpath.SIGCHLD || info.Code != fastpath.CLD_STOPPED {
			t.Fatalf("%d %+v", sig, info)
		}
	})
}
