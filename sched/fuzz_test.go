package sched

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// fuzzWorld is a small emulation reused across fuzz inputs (building an
// arena per input would dominate), rebuilt every so often so that state a
// long run accumulates (timers, queued signals) stays bounded.
type fuzzWorld struct {
	v     *env
	ths   []*Thread
	mem   *fakeMem
	count int
}

func newFuzzWorld(t testing.TB, layout string) *fuzzWorld {
	v := newEnvRaw(t, layout)
	_, t1, mem := v.proc(100, 0)
	t2 := v.thread(t1, 101)
	_, t3, _ := v.proc(200, 100)
	t1.proc.files.(*fakeFiles).pidfds[7] = [2]int32{200, 0}
	return &fuzzWorld{v: v, ths: []*Thread{t1, t2, t3}, mem: mem}
}

// FuzzSyscall: any syscall number and arguments, from any thread, followed
// by the decision, never panic, and a thread that resumes or enters a
// handler never sees an internal restart code.
func FuzzSyscall(f *testing.F) {
	f.Add(uint16(unix.SYS_RT_SIGACTION), uint8(0), uint64(10), uint64(memBase), uint64(memBase+64), uint64(8), uint64(0), uint64(0), uint64(memBase+1024))
	f.Add(uint16(unix.SYS_RT_SIGPROCMASK), uint8(1), uint64(0), uint64(memBase), uint64(memBase+8), uint64(8), uint64(0), uint64(0), uint64(memBase+1024))
	f.Add(uint16(unix.SYS_KILL), uint8(0), uint64(0xffffffff), uint64(15), uint64(0), uint64(0), uint64(0), uint64(0), uint64(stackSP))
	f.Add(uint16(unix.SYS_TGKILL), uint8(2), uint64(100), uint64(101), uint64(34), uint64(0), uint64(0), uint64(0), uint64(stackSP))
	f.Add(uint16(unix.SYS_RT_SIGTIMEDWAIT), uint8(0), uint64(memBase), uint64(memBase+128), uint64(memBase+256), uint64(8), uint64(0), uint64(0), uint64(stackSP))
	f.Add(uint16(unix.SYS_TIMER_CREATE), uint8(0), uint64(0xfffffffa), uint64(memBase), uint64(memBase+64), uint64(0), uint64(0), uint64(0), uint64(stackSP))
	f.Add(uint16(unix.SYS_TIMER_SETTIME), uint8(0), uint64(0), uint64(1), uint64(memBase), uint64(memBase+32), uint64(0), uint64(0), uint64(stackSP))
	f.Add(uint16(unix.SYS_SIGNALFD4), uint8(1), uint64(0xffffffffffffffff), uint64(memBase), uint64(8), uint64(0x800), uint64(0), uint64(0), uint64(stackSP))
	f.Add(uint16(unix.SYS_SIGALTSTACK), uint8(0), uint64(memBase), uint64(memBase+32), uint64(0), uint64(0), uint64(0), uint64(0), uint64(memBase+16))
	f.Add(uint16(unix.SYS_RT_SIGRETURN), uint8(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(memBase))
	f.Add(uint16(unix.SYS_PIDFD_SEND_SIGNAL), uint8(0), uint64(7), uint64(9), uint64(memBase), uint64(0), uint64(0), uint64(0), uint64(stackSP))
	f.Add(uint16(unix.SYS_PSELECT6), uint8(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(memBase), uint64(memBase+16), uint64(stackSP))
	worlds := map[string]*fuzzWorld{}
	f.Cleanup(func() {
		for _, w := range worlds {
			w.v.e.Close()
		}
	})
	f.Fuzz(func(t *testing.T, nr uint16, who uint8, a0, a1, a2, a3, a4, a5, sp uint64) {
		for _, l := range fastpath.Layouts() {
			w := worlds[l]
			if w == nil || w.count > 2000 {
				if w != nil {
					w.v.e.Close()
				}
				w = newFuzzWorld(t, l)
				worlds[l] = w
			}
			w.count++
			th := w.ths[int(who)%len(w.ths)]
			c := Call{Nr: int(nr), Args: [6]uint64{a0, a1, a2, a3, a4, a5}, SP: sp}
			r := w.v.e.Syscall(th, &c)
			if r.Kind == Wait {
				w.v.clk.Advance(time.Duration(a5 % uint64(10*time.Second)))
				w.v.e.RunDue()
				// Unblock the waiter whatever happens.
				w.v.e.mu.Lock()
				if th.state == Blocked {
					w.v.e.finishWait(th, errno(unix.EINTR))
				}
				w.v.e.mu.Unlock()
				r = w.v.e.Resume(th)
			}
			d := w.v.e.Decide(th, c.Nr, r.Ret, sp)
			if (d.Act == Resume || d.Act == RunHandler) && isRestart(d.Ret) && !d.Restart() {
				t.Fatalf("restart code %d leaked to the program", d.Ret)
			}
			if d.Act == RunHandler {
				w.v.e.Sigreturn(th, d.Delivery.SavedMask, d.Delivery.UcStack, sp)
			}
			w.v.e.RunDue()
		}
	})
}
