package serve

import (
	"encoding/binary"
	"math/rand"
	"os"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// These tests play the managed process: they write requests into a channel
// the way the shim does — and then the way a hostile or corrupted process
// could — and check that the server answers every one sensibly and keeps
// serving.

type fakeShim struct {
	t   *testing.T
	reg *Region
	ch  *shim.Channel
}

func newHarness(t *testing.T, h func(fastpath.State) Handler, trap []int) (*fakeShim, *Server) {
	t.Helper()
	st, err := fastpath.New("bitmap", fastpath.Config{MaxThreads: 16, MaxProcesses: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hd := h(st)
	if trap == nil {
		trap = hd.TrapSet()
	}
	reg, err := NewRegion(RegionConfig{Channels: 4, State: st, Config: fastpath.Config{MaxThreads: 16, MaxProcesses: 4}, TrapSet: trap, CondTraps: condTraps(hd)})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(reg, hd, ServerConfig{Spin: 0})
	srv.Start()
	t.Cleanup(func() { srv.Stop(); reg.Close() })
	f := &fakeShim{t: t, reg: reg, ch: reg.Channel(0)}
	if !atomic.CompareAndSwapUint32(&f.ch.State, shim.ChanFree, shim.ChanClaimed) {
		t.Fatal("channel 0 not free")
	}
	return f, srv
}

// call posts the request already written into the channel and waits for
// the reply, as channel.c's shim_call does.
func (f *fakeShim) call() {
	f.t.Helper()
	seq := atomic.AddUint32(&f.ch.ReqSeq, 1)
	if atomic.LoadUint32(&f.ch.ServerWaiting) != 0 {
		futexWake(&f.ch.ReqSeq, 1)
	}
	hdr := f.reg.Header()
	atomic.AddUint32(&hdr.Doorbell, 1)
	futexWake(&hdr.Doorbell, 1)
	deadline := time.Now().Add(10 * time.Second)
	for atomic.LoadUint32(&f.ch.RepSeq) != seq {
		if time.Now().After(deadline) {
			f.t.Fatal("no reply from the server")
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// register registers as this process's main thread: a tid that is alive
// whichever OS thread the test goroutine runs on.
func (f *fakeShim) register() int64 {
	f.ch.Op, f.ch.Pid, f.ch.Tid = shim.OpRegister, int32(os.Getpid()), int32(os.Getpid())
	f.call()
	return f.ch.Result
}

func (f *fakeShim) syscall(nr uint64, args ...uint64) {
	f.ch.Op, f.ch.Nr = shim.OpSyscall, nr
	f.ch.ReqFlags = 0 // a trap (the shim's fill_call clears it too)
	f.ch.Args = [6]uint64{}
	copy(f.ch.Args[:], args)
	f.call()
}

func (f *fakeShim) wantComplete(res int64) {
	f.t.Helper()
	if f.ch.Kind != shim.KindComplete || f.ch.Result != res {
		f.t.Errorf("reply kind %d result %d, want complete %d", f.ch.Kind, f.ch.Result, res)
	}
}

func passthrough(st fastpath.State) Handler { return NewPassthrough(st) }

func TestHostileProtocol(t *testing.T) {
	f, srv := newHarness(t, passthrough, nil)
	f.syscall(unix.SYS_GETPPID)
	f.wantComplete(-int64(unix.EPERM)) // not registered yet
	f.ch.Op, f.ch.Pid, f.ch.Tid = shim.OpRegister, -5, 0
	f.call()
	f.wantComplete(-int64(unix.EINVAL))
	if slot := f.register(); slot < 0 || slot >= 16 {
		t.Fatalf("register: slot %d", slot)
	}
	f.register()
	f.wantComplete(-int64(unix.EALREADY))
	for _, nr := range []uint64{1 << 63, shim.MaxSyscall, unix.SYS_WRITE, ^uint64(0)} {
		f.syscall(nr)
		f.wantComplete(-int64(unix.ENOSYS))
	}
	f.ch.Op = 0xdeadbeef
	f.call()
	f.wantComplete(-int64(unix.EINVAL))
	f.syscall(unix.SYS_GETPPID, 1, 2, 3, 4, 5, 6)
	if f.ch.Kind != shim.KindNative || f.ch.RArgs != [6]uint64{1, 2, 3, 4, 5, 6} || f.ch.BlobArg != -1 {
		t.Errorf("getppid: kind %d args %v blob %d, want native with the same args", f.ch.Kind, f.ch.RArgs, f.ch.BlobArg)
	}
	if n, err := srv.Faults(); n != 0 {
		t.Errorf("faults %d: %v", n, err)
	}
}

// TestHostileFuzz fills the request half of the channel with random bytes
// many times; every request must get a well-formed reply, and a proper one
// afterwards must still be served.
func TestHostileFuzz(t *testing.T) {
	f, _ := newHarness(t, passthrough, nil)
	f.register()
	rng := rand.New(rand.NewSource(1))
	req := unsafe.Slice((*byte)(unsafe.Pointer(&f.ch.Op)), 128)
	for i := 0; i < 300; i++ {
		rng.Read(req)
		if i%3 == 0 {
			f.ch.Op = shim.OpSyscall
			f.ch.Nr = uint64(PassthroughSyscalls[rng.Intn(len(PassthroughSyscalls))])
			f.ch.Pid = int32(os.Getpid()) // irrelevant after register: serve uses its own copy
		}
		f.call()
		switch f.ch.Kind {
		case shim.KindComplete, shim.KindNative:
		default:
			t.Fatalf("iteration %d: reply kind %d", i, f.ch.Kind)
		}
		if f.ch.BlobArg < -1 || f.ch.BlobArg > 5 || f.ch.BlobLen > shim.BlobMax {
			t.Fatalf("iteration %d: malformed reply blob %d/%d", i, f.ch.BlobArg, f.ch.BlobLen)
		}
	}
	f.syscall(unix.SYS_GETPPID)
	if f.ch.Kind != shim.KindNative {
		t.Errorf("after fuzzing: kind %d, want native", f.ch.Kind)
	}
}

type badHandler struct {
	*Passthrough
	mode int
}

func (b badHandler) Syscall(t *Thread, c *Call) Reply {
	switch b.mode {
	case 0:
		panic("handler bug")
	case 1:
		r := Native(c)
		r.BlobArg, r.Blob = 2, make([]byte, shim.BlobMax+1)
		return r
	}
	return Reply{Kind: 99}
}

func TestHostileHandler(t *testing.T) {
	for mode, want := range []int64{-int64(unix.ENOSYS), -int64(unix.EPROTO), -int64(unix.EPROTO)} {
		f, srv := newHarness(t, func(st fastpath.State) Handler { return badHandler{NewPassthrough(st), mode} }, nil)
		f.register()
		f.syscall(unix.SYS_GETPPID)
		f.wantComplete(want)
		f.syscall(unix.SYS_GETPPID) // still served
		f.wantComplete(want)
		if n, err := srv.Faults(); n != 2 || err == nil {
			t.Errorf("mode %d: faults %d (%v), want 2", mode, n, err)
		}
	}
}

// TestGuardSigprocmask checks the pass-through rt_sigprocmask against the
// kernel's rules, reading and writing this process's own memory.
func TestGuardSigprocmask(t *testing.T) {
	f, _ := newHarness(t, passthrough, nil)
	f.register()
	var set, old uint64
	sys := uint64(shimSignals)
	if !shimSignals.Has(int(unix.SIGSYS)) || !shimSignals.Has(shim.KickSignal) {
		t.Fatalf("shimSignals %#x lacks SIGSYS or the kick signal", uint64(shimSignals))
	}
	usr1 := uint64(fastpath.SigBit(int(unix.SIGUSR1)))
	set = ^uint64(0)
	f.ch.Mask = usr1
	f.syscall(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, uint64(uintptr(unsafe.Pointer(&set))), uint64(uintptr(unsafe.Pointer(&old))), 8)
	f.wantComplete(0)
	if f.ch.Flags&shim.FlagSetMask == 0 || f.ch.RMask&sys != 0 || f.ch.RMask != ^uint64(0)&^sys&^uint64(fastpath.Unblockable) {
		t.Errorf("block all: flags %d mask %#x", f.ch.Flags, f.ch.RMask)
	}
	if old != usr1 {
		t.Errorf("old mask %#x, want %#x", old, usr1)
	}
	f.syscall(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, 1, 0, 8) // unreadable set
	f.wantComplete(-int64(unix.EFAULT))
	f.syscall(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, 0, 0, 7)
	f.wantComplete(-int64(unix.EINVAL))
	f.syscall(unix.SYS_RT_SIGPROCMASK, 77, uint64(uintptr(unsafe.Pointer(&set))), 0, 8)
	f.wantComplete(-int64(unix.EINVAL))
}

func TestGuardSigaction(t *testing.T) {
	f, _ := newHarness(t, passthrough, nil)
	f.register()
	var act [4]uint64
	act[3] = ^uint64(0)
	for _, sig := range []uint64{uint64(unix.SIGSYS), shim.KickSignal} {
		f.syscall(unix.SYS_RT_SIGACTION, sig, uint64(uintptr(unsafe.Pointer(&act))), 0, 8)
		if f.ch.Kind != shim.KindNative || f.ch.RArgs[1] != 0 {
			t.Errorf("signal %d: action not dropped: kind %d args %v", sig, f.ch.Kind, f.ch.RArgs)
		}
	}
	f.syscall(unix.SYS_RT_SIGACTION, uint64(unix.SIGURG), uint64(uintptr(unsafe.Pointer(&act))), 0, 8)
	if f.ch.Kind != shim.KindNative || f.ch.BlobArg != 1 || f.ch.BlobLen != 32 {
		t.Fatalf("SIGURG: kind %d blob %d/%d", f.ch.Kind, f.ch.BlobArg, f.ch.BlobLen)
	}
	if m := binary.LittleEndian.Uint64(f.ch.Blob[24:]); m != ^uint64(shimSignals) {
		t.Errorf("sanitised sa_mask %#x", m)
	}
}

// TestReregisterEvicts: a tid registering on a second channel (what an
// exec'd image does) frees the first one.
func TestReregisterEvicts(t *testing.T) {
	f, _ := newHarness(t, passthrough, nil)
	if f.register() < 0 {
		t.Fatal("first registration failed")
	}
	g := &fakeShim{t: t, reg: f.reg, ch: f.reg.Channel(1)}
	if !atomic.CompareAndSwapUint32(&g.ch.State, shim.ChanFree, shim.ChanClaimed) {
		t.Fatal("channel 1 not free")
	}
	if g.register() < 0 {
		t.Fatal("second registration failed")
	}
	deadline := time.Now().Add(10 * time.Second)
	for atomic.LoadUint32(&f.ch.State) != shim.ChanFree {
		if time.Now().After(deadline) {
			t.Fatal("the first channel was not freed")
		}
		time.Sleep(time.Millisecond)
	}
	g.syscall(unix.SYS_GETPPID) // the new registration is served
	if g.ch.Kind != shim.KindNative {
		t.Errorf("kind %d after re-registration", g.ch.Kind)
	}
}

// regionState is a small bitmap State, closed at the end of the test, and
// its Config: what the NewRegion tests build regions over.
func regionState(t *testing.T) (fastpath.State, fastpath.Config) {
	t.Helper()
	cfg := fastpath.Config{MaxThreads: 4, MaxProcesses: 2}
	st, err := fastpath.New("bitmap", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, cfg
}

func TestRegionRefusesBadTrapSets(t *testing.T) {
	st, cfg := regionState(t)
	for _, rc := range []RegionConfig{
		{Channels: 1, TrapSet: []int{-1}},
		{Channels: 1, TrapSet: []int{shim.MaxSyscall}},
		{Channels: 1, TrapSet: []int{unix.SYS_MMAP}},
		{Channels: 1, TrapSet: []int{unix.SYS_GETPPID}, LocalSet: []int{unix.SYS_KILL}},
		{Channels: 0},
		{Channels: 1, Config: fastpath.Config{MaxThreads: 1 << 20}}, // larger than the arena
	} {
		rc.State = st
		if rc.Config == (fastpath.Config{}) {
			rc.Config = cfg
		}
		if r, err := NewRegion(rc); err == nil {
			r.Close()
			t.Errorf("NewRegion(%+v) accepted", rc)
		}
	}
}
