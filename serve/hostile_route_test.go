package serve

import (
	"math/rand"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// Forged signal requests (OpKernelSignal, OpSignal) against the Emulated
// handler, the way a hostile or corrupted program could write them into
// its channel: every one is answered (EINVAL, EPERM, or a harmless
// completion), nothing is filed in the emulated state that the kernel
// could not have raised, and the server keeps serving without a fault.

// newRouteHarness is newHarness on a given layout with the Emulated
// handler, its region publishing the route and mirror sets as Run's
// does.
func newRouteHarness(t *testing.T, layout string) (*fakeShim, *Server, *Emulated) {
	t.Helper()
	cfg := fastpath.Config{MaxThreads: 16, MaxProcesses: 4}
	st, a := testEmulated(t, layout, cfg)
	reg, err := NewRegion(RegionConfig{Channels: 4, State: st, Config: cfg, TrapSet: a.TrapSet(),
		RouteSet: routeSet(a), MirrorSet: mirrorSet(a), CondTraps: condTraps(a)})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(reg, a, ServerConfig{Spin: 0})
	srv.Start()
	t.Cleanup(func() { srv.Stop(); reg.Close() })
	f := claim(t, reg, 0)
	return f, srv, a
}

// claim takes channel i as a shim thread would before its first request.
func claim(t *testing.T, reg *Region, i int) *fakeShim {
	f := &fakeShim{t: t, reg: reg, ch: reg.Channel(i)}
	if !atomic.CompareAndSwapUint32(&f.ch.State, shim.ChanFree, shim.ChanClaimed) {
		t.Fatalf("channel %d not free", i)
	}
	return f
}

// kernelSignal posts an OpKernelSignal with the siginfo's first 48 bytes
// in Args, as routed.c does, and the interrupted-syscall fields.
func (f *fakeShim) kernelSignal(args [6]uint64, nr uint64, ret int64) {
	f.ch.Op, f.ch.Args, f.ch.Nr, f.ch.Ret = shim.OpKernelSignal, args, nr, ret
	f.ch.Rip, f.ch.Rsp = 0x401000, 0x7ffd0000
	f.call()
}

func (f *fakeShim) signal(nr uint64, ret int64) {
	f.ch.Op, f.ch.Nr, f.ch.Ret = shim.OpSignal, nr, ret
	f.ch.Rip, f.ch.Rsp = 0x401000, 0x7ffd0000
	f.call()
}

// siginfoArgs lays a siginfo's head out as the channel's Args: signo and
// errno in the first word, si_code in the second, si_pid/si_uid next.
func siginfoArgs(signo, errno, code int32, pid int32) [6]uint64 {
	return [6]uint64{uint64(uint32(signo)) | uint64(uint32(errno))<<32, uint64(uint32(code)), uint64(uint32(pid)) | 1000<<32}
}

func TestHostileKernelSignal(t *testing.T) {
	for _, layout := range fastpath.Layouts() {
		t.Run(layout, func(t *testing.T) {
			f, srv, a := newRouteHarness(t, layout)
			usr1 := siginfoArgs(fastpath.SIGUSR1, 0, fastpath.SI_USER, 1)
			// Before registering: nobody to file it for.
			f.kernelSignal(usr1, shim.NoSyscall, 0)
			f.wantComplete(-int64(unix.EPERM))
			f.signal(shim.NoSyscall, 0)
			f.wantComplete(-int64(unix.EPERM))
			if slot := f.register(); slot < 0 {
				t.Fatalf("register: %d", slot)
			}
			// Block SIGUSR1 (emulated), so that what is filed stays
			// pending to be checked.
			mask := new(uint64)
			*mask = uint64(set(fastpath.SIGUSR1))
			f.syscall(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uint64(uintptr(unsafe.Pointer(mask))), 0, 8)
			runtime.KeepAlive(mask)
			f.wantComplete(0)
			th := a.e.Thread(int32(os.Getpid()))
			if th == nil {
				t.Fatal("the registered thread is unknown to sched")
			}
			pending := func() fastpath.Sigset {
				tp, pp := a.st.Pending(th.Slot())
				return tp | pp
			}

			// Not signals, or signals no kernel routes through the shim:
			// EINVAL, nothing filed.
			for _, sig := range []int32{0, 65, -1, 1 << 30, -1 << 31, int32(unix.SIGSYS), shim.KickSignal,
				int32(unix.SIGKILL), int32(unix.SIGSTOP)} {
				for _, args := range [][6]uint64{
					siginfoArgs(sig, 0, fastpath.SI_USER, 1),
					siginfoArgs(sig, -1, 1, 0), // a "fault"
					{uint64(uint32(sig)) | 0xffffffff<<32, ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)},
				} {
					f.kernelSignal(args, shim.NoSyscall, 0)
					f.wantComplete(-int64(unix.EINVAL))
				}
			}
			if p := pending(); p != 0 {
				t.Fatalf("forged invalid signals filed: %#x", uint64(p))
			}
			// Valid signals the handler does not route (the mirrored
			// job-control ones, SIGCHLD, SIGCONT): answered, ignored —
			// in particular, no stop (it would stop this test process).
			for _, sig := range []int32{int32(unix.SIGTSTP), int32(unix.SIGTTIN), int32(unix.SIGTTOU),
				int32(unix.SIGCHLD), int32(unix.SIGCONT)} {
				f.kernelSignal(siginfoArgs(sig, 0, fastpath.SI_USER, 1), shim.NoSyscall, 0)
				f.wantComplete(0)
				if f.ch.Flags&shim.FlagSetMask != 0 {
					t.Errorf("signal %d: mask set for an ignored signal", sig)
				}
			}
			if p := pending(); p != 0 {
				t.Fatalf("unrouted signals filed: %#x", uint64(p))
			}
			// A routed one with garbage everywhere else is filed, and the
			// reply carries the emulated mask.
			args := siginfoArgs(fastpath.SIGUSR1, 77, fastpath.SI_USER, 1)
			args[3], args[4], args[5] = ^uint64(0), 0xdeadbeef, 1<<63
			f.kernelSignal(args, 1<<40, -1<<63)
			f.wantComplete(0)
			if f.ch.Flags&shim.FlagSetMask == 0 || f.ch.RMask&uint64(fastpath.SigBit(fastpath.SIGUSR1)) == 0 {
				t.Errorf("routed SIGUSR1: flags %d mask %#x", f.ch.Flags, f.ch.RMask)
			}
			if p := pending(); p != set(fastpath.SIGUSR1) {
				t.Fatalf("routed SIGUSR1: pending %#x", uint64(p))
			}

			// OpSignal with garbage in the interrupted-syscall fields:
			// nothing is deliverable (SIGUSR1 is blocked), and only a
			// syscall number with -ERESTARTSYS asks for a restart.
			for _, c := range []struct {
				nr      uint64
				ret     int64
				restart bool
			}{
				{shim.NoSyscall, -erestartsys, false},
				{shim.MaxSyscall, -erestartsys, false},
				{1 << 63, -erestartsys, false},
				{unix.SYS_WAIT4, 12345, false},
				{unix.SYS_WAIT4, -1 << 63, false},
				{unix.SYS_WAIT4, -514, false},
				{unix.SYS_WAIT4, -erestartsys, true},
				{unix.SYS_RESTART_SYSCALL, -erestartsys, true},
			} {
				f.signal(c.nr, c.ret)
				if f.ch.Kind != shim.KindComplete {
					t.Fatalf("OpSignal Nr %#x Ret %d: kind %d", c.nr, c.ret, f.ch.Kind)
				}
				restarted := f.ch.Flags&shim.FlagRestart != 0
				if restarted != c.restart || (c.restart && f.ch.Result != int64(c.nr)) || (!c.restart && f.ch.Result != 0) {
					t.Errorf("OpSignal Nr %#x Ret %d: result %d restart %v", c.nr, c.ret, f.ch.Result, restarted)
				}
			}

			// A second thread that never registered: EPERM.
			g := claim(t, f.reg, 1)
			g.kernelSignal(usr1, shim.NoSyscall, 0)
			g.wantComplete(-int64(unix.EPERM))
			g.signal(unix.SYS_WAIT4, -erestartsys)
			g.wantComplete(-int64(unix.EPERM))

			f.syscall(unix.SYS_GETPPID)
			if f.ch.Kind != shim.KindNative {
				t.Errorf("getppid after forged signals: kind %d", f.ch.Kind)
			}
			if n, err := srv.Faults(); n != 0 {
				t.Errorf("faults %d: %v", n, err)
			}
		})
	}
}

// A Handler that routes nothing refuses every OpKernelSignal.
func TestHostileKernelSignalPassthrough(t *testing.T) {
	f, srv := newHarness(t, passthrough, nil)
	f.register()
	f.kernelSignal(siginfoArgs(fastpath.SIGUSR1, 0, fastpath.SI_USER, 1), shim.NoSyscall, 0)
	f.wantComplete(-int64(unix.EINVAL))
	f.kernelSignal(siginfoArgs(fastpath.SIGSEGV, 0, 1, 0), unix.SYS_READ, -erestartsys)
	f.wantComplete(-int64(unix.EINVAL))
	if n, err := srv.Faults(); n != 0 {
		t.Errorf("faults %d: %v", n, err)
	}
}

// TestHostileSignalFuzz fills the request half with random bytes as
// OpKernelSignal and OpSignal requests: every reply is well formed, the
// server records no fault, and a proper request is served afterwards.
// (Random routed signals may make the emulated process die — KindDie is a
// proper answer then — but never stop: no routed signal stops.)
func TestHostileSignalFuzz(t *testing.T) {
	for _, layout := range fastpath.Layouts() {
		t.Run(layout, func(t *testing.T) {
			f, srv, _ := newRouteHarness(t, layout)
			f.register()
			rng := rand.New(rand.NewSource(2))
			req := unsafe.Slice((*byte)(unsafe.Pointer(&f.ch.Op)), 128)
			for i := 0; i < 300; i++ {
				rng.Read(req)
				f.ch.Op = shim.OpKernelSignal
				if i%2 == 1 {
					f.ch.Op = shim.OpSignal
				}
				if i%3 == 0 {
					// A valid signal number, so that some get past the
					// server's check.
					f.ch.Args[0] = f.ch.Args[0]&^0xffffffff | uint64(1+rng.Intn(fastpath.NSIG))
				}
				if i%5 == 0 {
					f.ch.Ret = -erestartsys
					f.ch.Nr = uint64(rng.Intn(shim.MaxSyscall))
				}
				f.call()
				switch f.ch.Kind {
				case shim.KindComplete, shim.KindDeliver, shim.KindDie:
				default:
					t.Fatalf("iteration %d (op %d signo %d): reply kind %d", i, f.ch.Op, int32(f.ch.Args[0]), f.ch.Kind)
				}
				if f.ch.BlobArg < -1 || f.ch.BlobArg > 5 || f.ch.BlobLen > shim.BlobMax {
					t.Fatalf("iteration %d: malformed reply blob %d/%d", i, f.ch.BlobArg, f.ch.BlobLen)
				}
			}
			f.syscall(unix.SYS_GETPPID)
			if f.ch.Kind != shim.KindNative {
				t.Errorf("after fuzzing: kind %d, want native", f.ch.Kind)
			}
			if n, err := srv.Faults(); n != 0 {
				t.Errorf("faults %d: %v", n, err)
			}
		})
	}
}
