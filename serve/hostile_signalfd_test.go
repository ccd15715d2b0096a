package serve

import (
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// The signalfd protocol (emulated_signalfd.go) played by a fake shim that
// is this test process: first as the shim does it, then lying in its
// reports. Nothing it says may crash the emulator or make it adopt a
// descriptor it did not ask for.

func emulatedHarness(t *testing.T) (*fakeShim, *Server, *Emulated) {
	var a *Emulated
	f, srv := newHarness(t, func(st fastpath.State) Handler {
		h, err := NewEmulated(st, EmulatedConfig{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		a = h
		return h
	}, nil)
	if slot := f.register(); slot < 0 {
		t.Fatalf("register: %d", slot)
	}
	return f, srv, a
}

// report sends OpNativeDone for the call nr with result ret.
func (f *fakeShim) report(nr uint64, ret int64, args ...uint64) {
	f.ch.Op, f.ch.Nr, f.ch.Ret = shim.OpNativeDone, nr, ret
	f.ch.Args = [6]uint64{}
	copy(f.ch.Args[:], args)
	f.call()
}

func pollIn(t *testing.T, fd int) bool {
	t.Helper()
	pf := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(pf, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1 && pf[0].Revents&unix.POLLIN != 0
}

func ptr[T any](p *T) uint64 { return uint64(uintptr(unsafe.Pointer(p))) }

func TestHostileSignalfd(t *testing.T) {
	f, srv, a := emulatedHarness(t)
	pid := uint64(os.Getpid())
	usr1 := uint64(fastpath.SigBit(int(unix.SIGUSR1)))
	set := usr1
	f.syscall(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, ptr(&set), 0, 8)
	f.wantComplete(0)

	// A report for a signalfd4 nobody asked for, naming a pipe: refused.
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	f.report(unix.SYS_SIGNALFD4, int64(p[0]), ^uint64(0), ptr(&set), 8, 0)
	f.wantComplete(-int64(unix.EBADF))
	// An eventfd, but no call outstanding: refused.
	stray, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(stray)
	f.report(unix.SYS_SIGNALFD4, int64(stray), ^uint64(0), ptr(&set), 8, 0)
	f.wantComplete(-int64(unix.EINVAL))

	// The real protocol: the reply asks for eventfd2 in signalfd4's place.
	f.syscall(unix.SYS_SIGNALFD4, ^uint64(0), ptr(&set), 8, unix.SFD_NONBLOCK|unix.SFD_CLOEXEC)
	want := uint32(shim.FlagSyscall | shim.FlagReport | shim.FlagTrapFd)
	if f.ch.Kind != shim.KindNative || f.ch.Flags&want != want || f.ch.RNr != unix.SYS_EVENTFD2 ||
		f.ch.RArgs[0] != 0 || f.ch.RArgs[1] != unix.EFD_NONBLOCK|unix.EFD_CLOEXEC {
		t.Fatalf("signalfd4 reply: kind %d flags %#x nr %d args %v", f.ch.Kind, f.ch.Flags, f.ch.RNr, f.ch.RArgs)
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(efd)
	f.report(unix.SYS_SIGNALFD4, int64(efd), ^uint64(0), ptr(&set), 8, unix.SFD_NONBLOCK|unix.SFD_CLOEXEC)
	f.wantComplete(int64(efd))

	// Readiness follows the emulated pending set through our eventfd.
	if pollIn(t, efd) {
		t.Fatal("readable with nothing pending")
	}
	f.syscall(unix.SYS_KILL, pid, uint64(unix.SIGUSR1))
	f.wantComplete(0)
	if !pollIn(t, efd) {
		t.Fatal("not readable with SIGUSR1 pending")
	}
	var buf [2 * 128]byte
	f.syscall(unix.SYS_READ, uint64(efd), ptr(&buf[0]), uint64(len(buf)))
	f.wantComplete(128)
	if buf[0] != byte(unix.SIGUSR1) || le32(buf[12:]) != uint32(pid) {
		t.Errorf("record: signo %d pid %d", buf[0], le32(buf[12:]))
	}
	if pollIn(t, efd) {
		t.Fatal("readable after the read")
	}
	f.syscall(unix.SYS_READ, uint64(efd), ptr(&buf[0]), uint64(len(buf)))
	f.wantComplete(-int64(unix.EAGAIN))

	// The same eventfd reported again for a new call: refused.
	f.syscall(unix.SYS_SIGNALFD4, ^uint64(0), ptr(&set), 8, 0)
	f.report(unix.SYS_SIGNALFD4, int64(efd), ^uint64(0), ptr(&set), 8, 0)
	f.wantComplete(-int64(unix.EBADF))
	// Absurd numbers and failures.
	for _, ret := range []int64{1 << 40, -int64(unix.EMFILE)} {
		f.syscall(unix.SYS_SIGNALFD4, ^uint64(0), ptr(&set), 8, 0)
		f.report(unix.SYS_SIGNALFD4, ret, ^uint64(0), ptr(&set), 8, 0)
		if ret < 0 {
			f.wantComplete(ret)
		} else {
			f.wantComplete(-int64(unix.EBADF))
		}
	}
	// read and close of other descriptors are native; close of the
	// signalfd is native too, and forgets it.
	f.syscall(unix.SYS_READ, uint64(p[0]), 1, 2)
	if f.ch.Kind != shim.KindNative || f.ch.Flags&shim.FlagSyscall != 0 || f.ch.RArgs[0] != uint64(p[0]) {
		t.Errorf("read of a pipe: kind %d flags %#x args %v", f.ch.Kind, f.ch.Flags, f.ch.RArgs)
	}
	f.syscall(unix.SYS_CLOSE, uint64(efd))
	if f.ch.Kind != shim.KindNative {
		t.Errorf("close: kind %d", f.ch.Kind)
	}
	f.syscall(unix.SYS_READ, uint64(efd), ptr(&buf[0]), uint64(len(buf)))
	if f.ch.Kind != shim.KindNative {
		t.Errorf("read after close: kind %d, want native", f.ch.Kind)
	}
	a.sfdMu.Lock()
	n := len(a.sfds)
	a.sfdMu.Unlock()
	if n != 0 {
		t.Errorf("%d eventfd duplicates left after the close", n)
	}
	if n, err := srv.Faults(); n != 0 {
		t.Errorf("faults %d: %v", n, err)
	}
}

// replaceHandler answers every syscall with a malformed replacement.
type replaceHandler struct {
	*Passthrough
	mode int
}

func (h replaceHandler) Syscall(t *Thread, c *Call) Reply {
	r := Native(c)
	switch h.mode {
	case 0:
		r.Replace, r.ReplaceNr = true, shim.MaxSyscall
	case 1:
		r.Replace, r.ReplaceNr = true, -1
	case 2:
		r.TrapFd = true // without Report
	default:
		r = Complete(0)
		r.Replace, r.ReplaceNr = true, unix.SYS_EVENTFD2
	}
	return r
}

func TestHostileReplaceReply(t *testing.T) {
	for mode := 0; mode < 4; mode++ {
		f, srv := newHarness(t, func(st fastpath.State) Handler { return replaceHandler{NewPassthrough(st), mode} }, nil)
		f.register()
		f.syscall(unix.SYS_GETPPID)
		f.wantComplete(-int64(unix.EPROTO))
		if f.ch.Flags&(shim.FlagSyscall|shim.FlagTrapFd) != 0 {
			t.Errorf("mode %d: flags %#x leaked into the refused reply", mode, f.ch.Flags)
		}
		if n, _ := srv.Faults(); n != 1 {
			t.Errorf("mode %d: faults %d, want 1", mode, n)
		}
	}
}
