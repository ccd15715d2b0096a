package serve

import (
	"encoding/binary"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// miniEmu emulates one signal, SIGUSR1, for a single-threaded program,
// just enough to drive the shim's delivery mechanics end to end: kill(self,
// SIGUSR1) only makes it pending in the fastpath state; the shim's fast
// path notices, asks, and builds the frame; the trapped rt_sigreturn
// restores it. The decisions here (mask during the handler, what
// rt_sigreturn restores) follow kernel/signal.c in the small; package
// sched makes them for real.
type miniEmu struct {
	*Passthrough
	mu      sync.Mutex
	act     fastpath.Sigaction // SIGUSR1's, as the program installed it
	threads map[int32]*Thread  // by tid, for tgkill
}

const usr1 = int(unix.SIGUSR1)

func newMiniEmu(st fastpath.State) Handler {
	return &miniEmu{Passthrough: NewPassthrough(st), threads: map[int32]*Thread{}}
}

func (m *miniEmu) Attach(t *Thread) error {
	if err := m.Passthrough.Attach(t); err != nil {
		return err
	}
	m.mu.Lock()
	m.threads[t.Tid] = t
	m.mu.Unlock()
	return nil
}

func (m *miniEmu) Detach(t *Thread) {
	m.mu.Lock()
	if m.threads[t.Tid] == t {
		delete(m.threads, t.Tid)
	}
	m.mu.Unlock()
	m.Passthrough.Detach(t)
}

func (m *miniEmu) TrapSet() []int {
	return append(append([]int(nil), PassthroughSyscalls...), unix.SYS_RT_SIGRETURN)
}

func (m *miniEmu) Syscall(t *Thread, c *Call) Reply {
	switch c.Nr {
	case unix.SYS_RT_SIGACTION:
		if int(c.Args[0]) == usr1 && c.Args[1] != 0 {
			var b [32]byte
			if err := ReadMemory(t.Pid, c.Args[1], b[:]); err == nil {
				m.mu.Lock()
				m.act = fastpath.Sigaction{
					Handler:  binary.LittleEndian.Uint64(b[0:]),
					Flags:    binary.LittleEndian.Uint64(b[8:]),
					Restorer: binary.LittleEndian.Uint64(b[16:]),
					Mask:     fastpath.Sigset(binary.LittleEndian.Uint64(b[24:])),
				}
				m.mu.Unlock()
			}
		}
	case unix.SYS_KILL:
		if int32(c.Args[0]) == t.Pid && int(c.Args[1]) == usr1 {
			var info fastpath.Siginfo
			info.Signo, info.Code = int32(usr1), fastpath.SI_USER
			info.SetSender(t.Pid, uint32(os.Getuid()))
			m.mu.Lock()
			_, err := m.st.SendProcess(m.st.Process(t.Slot), &info)
			m.mu.Unlock()
			if err != nil {
				return Complete(-int64(unix.EAGAIN))
			}
			return Complete(0)
		}
	case unix.SYS_TGKILL:
		if int32(c.Args[0]) == t.Pid && int(c.Args[2]) == usr1 {
			m.mu.Lock()
			target := m.threads[int32(c.Args[1])]
			if target == nil {
				// Not registered yet (first contact is its first
				// trap): let the kernel deliver it.
				m.mu.Unlock()
				return Native(c)
			}
			var info fastpath.Siginfo
			info.Signo, info.Code = int32(usr1), fastpath.SI_TKILL
			info.SetSender(t.Pid, uint32(os.Getuid()))
			_, err := m.st.SendThread(target.Slot, &info)
			m.mu.Unlock()
			if err != nil {
				return Complete(-int64(unix.EAGAIN))
			}
			// Published the pending bit first, then kick (hot.go, point 3).
			if _, err := target.Kick(); err != nil {
				return Complete(-int64(unix.ESRCH))
			}
			return Complete(0)
		}
	case unix.SYS_RT_SIGPROCMASK:
		r := guardSigprocmask(t, c)
		if r.SetMask {
			m.mu.Lock()
			m.st.SetBlocked(t.Slot, r.Mask)
			m.mu.Unlock()
		}
		return r
	case unix.SYS_RT_SIGRETURN:
		// restore_sigcontext's mask half: uc_sigmask becomes the mask.
		var b [8]byte
		if err := ReadMemory(t.Pid, c.Rsp+296, b[:]); err != nil {
			return Complete(-int64(unix.EFAULT))
		}
		mask := fastpath.Sigset(binary.LittleEndian.Uint64(b[:]))
		m.mu.Lock()
		m.st.SetBlocked(t.Slot, mask)
		m.mu.Unlock()
		r := Sigreturn(c.Rsp)
		r.SetMask, r.Mask = true, mask
		return r
	}
	return m.Passthrough.Syscall(t, c)
}

// Signal dequeues and delivers (handle_signal(): block sa_mask and the
// signal itself unless SA_NODEFER; the frame records the old mask).
func (m *miniEmu) Signal(t *Thread, ctx *Context) Reply {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.st.Blocked(t.Slot)
	var info fastpath.Siginfo
	sig := m.st.Take(t.Slot, old, &info)
	// A native syscall the kick interrupted restarts, as under the
	// SA_RESTART handler this test installs (Context.IntrRet's contract).
	resume := func(r Reply) Reply {
		if ctx.IntrRet != 0 {
			r.Result, r.Restart = int64(ctx.IntrNr), true
		}
		return r
	}
	if sig == 0 {
		return resume(Complete(0))
	}
	next := old | m.act.Mask
	if m.act.Flags&fastpath.SA_NODEFER == 0 {
		next |= fastpath.SigBit(sig)
	}
	m.st.SetBlocked(t.Slot, next)
	r := Deliver(0, Delivery{
		Signo: sig, Handler: m.act.Handler, Restorer: m.act.Restorer,
		FrameSP: ctx.Rsp - 128, UcStack: fastpath.DisabledStack, UcMask: old, Info: info,
	})
	r.SetMask, r.Mask = true, next
	return resume(r)
}

func TestDeliverEmulated(t *testing.T) {
	for _, layout := range fastpath.Layouts() {
		t.Run(layout, func(t *testing.T) {
			stats := compare(t, buildC(t, "deliver"), Options{Layout: layout, NewHandler: func(st fastpath.State) (Handler, error) {
				return newMiniEmu(st), nil
			}})
			// 102 signals delivered by the shim, each returning through a
			// trapped rt_sigreturn.
			if got := stats.Syscalls[unix.SYS_RT_SIGRETURN]; got != 102 {
				t.Errorf("rt_sigreturn served %d times, want 102", got)
			}
			if stats.Signals < 102 {
				t.Errorf("slow-path requests %d, want ≥ 102", stats.Signals)
			}
		})
	}
}

// TestKickEmulated: signals to a thread spinning in user code and to one
// asleep in read(2), delivered by the shim after a kick.
func TestKickEmulated(t *testing.T) {
	stats := compare(t, buildC(t, "kick", "-pthread"), Options{NewHandler: func(st fastpath.State) (Handler, error) {
		return newMiniEmu(st), nil
	}})
	if got := stats.Syscalls[unix.SYS_RT_SIGRETURN]; got != 2 {
		t.Errorf("rt_sigreturn served %d times, want 2 (one per handled signal)", got)
	}
}

// TestBadFrameEmulated: a handler that corrupts its frame dies by SIGSEGV
// at rt_sigreturn, emulated as natively; the emulator survives it.
func TestBadFrameEmulated(t *testing.T) {
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &rl)
	if rl.Cur != 0 {
		// No core files from the test; the status bit must match too.
		old := rl
		rl.Cur = 0
		if err := unix.Setrlimit(unix.RLIMIT_CORE, &rl); err != nil {
			t.Skip("cannot disable core dumps:", err)
		}
		defer unix.Setrlimit(unix.RLIMIT_CORE, &old)
	}
	compare(t, buildC(t, "badframe"), Options{NewHandler: func(st fastpath.State) (Handler, error) {
		return newMiniEmu(st), nil
	}})
	_, st, _ := emulated(t, Options{NewHandler: func(st fastpath.State) (Handler, error) { return newMiniEmu(st), nil }}, buildC(t, "badframe"))
	if st.Signal != unix.SIGSEGV {
		t.Errorf("status %v, want killed by SIGSEGV", st)
	}
}
