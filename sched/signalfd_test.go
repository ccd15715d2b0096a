package sched

import (
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// sfdEvents records Config.Signalfd calls.
type sfdEvents struct {
	mu  sync.Mutex
	evs []sfdEvent
}

type sfdEvent struct {
	id uint64
	ev SignalfdEvent
}

func (r *sfdEvents) take() []sfdEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	evs := r.evs
	r.evs = nil
	return evs
}

// newSfdEnv is an env whose Config.Signalfd records into the result.
func newSfdEnv(t *testing.T, layout string) (*env, *sfdEvents) {
	rec := &sfdEvents{}
	v := newEnvConfig(t, layout, func(c *Config) {
		c.Signalfd = func(id uint64, ev SignalfdEvent) {
			rec.mu.Lock()
			rec.evs = append(rec.evs, sfdEvent{id, ev})
			rec.mu.Unlock()
		}
	})
	t.Cleanup(func() { v.e.Close() })
	return v, rec
}

func forSfdLayouts(t *testing.T, f func(t *testing.T, v *env, rec *sfdEvents)) {
	for _, l := range fastpath.Layouts() {
		t.Run(l, func(t *testing.T) {
			v, rec := newSfdEnv(t, l)
			f(t, v, rec)
		})
	}
}

func eventfdID(th *Thread, fd int32) uint64 {
	id, _, _ := th.proc.files.Eventfd(fd)
	return id
}

// signalfd4 checks sizemask, then copies the mask, then the flags; a new
// fd's validated mask and flags wait on the thread for AdoptSignalfd, once.
func TestSignalfdCreateValidation(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		// Bad size with a faulting mask and bad flags: EINVAL (size first).
		v.errno(v.sys(th, unix.SYS_SIGNALFD4, ^uint64(0), badAddr, 4, 0xffff), unix.EINVAL)
		// Faulting mask with bad flags: EFAULT (the copy before the flags).
		v.errno(v.sys(th, unix.SYS_SIGNALFD4, ^uint64(0), badAddr, 8, 0xffff), unix.EFAULT)
		v.errno(v.sys(th, unix.SYS_SIGNALFD4, ^uint64(0), mem.u64s(1), 8, 0xffff), unix.EINVAL)
		// A failed call leaves nothing to adopt.
		if err := v.e.AdoptSignalfd(th, 5, 1); err != unix.EINVAL {
			t.Fatalf("adopt without a call: %v", err)
		}
		fd := v.signalfd(th, mem, set(fastpath.SIGUSR1), 0)
		if err := v.e.AdoptSignalfd(th, fd+1, 9); err != unix.EINVAL {
			t.Fatalf("second adopt of one call: %v", err)
		}
		// SIGKILL and SIGSTOP are never in the mask.
		v.ok(v.sys(th, unix.SYS_SIGNALFD4, uint64(fd), mem.u64s(uint64(set(fastpath.SIGKILL, fastpath.SIGSTOP))), 8, 0), int64(fd))
		v.e.mu.Lock()
		m := th.proc.signalfds[fd].mask
		v.e.mu.Unlock()
		if m != 0 {
			t.Fatalf("mask %#x", uint64(m))
		}
	})
}

// readv: records span iovec boundaries; the iovec array is checked as
// import_iovec does.
func TestSignalfdReadv(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.setmask(th, mem, sigSetmask, set(fastpath.SIGUSR1, fastpath.SIGUSR2))
		fd := uint64(v.signalfd(th, mem, set(fastpath.SIGUSR1, fastpath.SIGUSR2), unix.SFD_NONBLOCK))
		// Segments of 100, 0, 100 and 60 bytes: 260 bytes, two records,
		// the first split 100/28, the second 72/56 across the third.
		a, b, c := mem.alloc(100), mem.alloc(100), mem.alloc(60)
		vec := mem.u64s(a, 100, 0, 0, b, 100, c, 60)
		v.errno(v.sys(th, unix.SYS_READV, fd, vec, 4), unix.EAGAIN)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR2), 0)
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.ok(v.sys(th, unix.SYS_READV, fd, vec, 4), 256)
		rec := append(append(mem.get(a, 100), mem.get(b, 100)...), mem.get(c, 60)...)
		if rec[0] != fastpath.SIGUSR1 || le32(rec[12:]) != 100 || rec[128] != fastpath.SIGUSR2 || le32(rec[128+12:]) != 100 {
			t.Fatalf("records: signo %d pid %d, signo %d pid %d", rec[0], le32(rec[12:]), rec[128], le32(rec[128+12:]))
		}
		cases := []struct {
			name string
			vec  uint64
			n    uint64
			want unix.Errno
		}{
			{"too many iovecs", vec, uioMaxIOV + 1, unix.EINVAL},
			{"array faults", badAddr, 2, unix.EFAULT},
			{"negative length", mem.u64s(a, 1<<63), 1, unix.EINVAL},
			{"negative length later", mem.u64s(a, 128, a, 1<<63), 2, unix.EINVAL},
			{"segment beyond user space", mem.u64s(taskSizeMax-8, 128, a, 128), 2, unix.EFAULT},
			{"shorter than a record", mem.u64s(a, 100, b, 27), 2, unix.EINVAL},
		}
		for _, cs := range cases {
			r := v.sys(th, unix.SYS_READV, fd, cs.vec, cs.n)
			if r.Kind != Done || r.Ret != -int64(cs.want) {
				t.Errorf("%s: %v %d, want -%v", cs.name, r.Kind, r.Ret, cs.want)
			}
		}
		// Zero iovecs or a zero total read nothing, even when empty.
		v.ok(v.sys(th, unix.SYS_READV, fd, badAddr, 0), 0)
		v.ok(v.sys(th, unix.SYS_READV, fd, mem.u64s(a, 0), 1), 0)
		// A fault in the second segment of the first record: EFAULT, the
		// signal consumed as the kernel does.
		v.ok(v.sys(th, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.errno(v.sys(th, unix.SYS_READV, fd, mem.u64s(a, 100, badAddr, 100), 2), unix.EFAULT)
		if own, shared := v.pending(th); (own | shared).Has(fastpath.SIGUSR1) {
			t.Fatal("faulted record still pending")
		}
		// A readv of another descriptor is native.
		if r := v.sys(th, unix.SYS_READV, 1, vec, 1); r.Kind != Native {
			t.Fatalf("readv of fd 1: %v", r.Kind)
		}
	})
}

// A blocking readv completes into its iovecs when a signal arrives.
func TestSignalfdReadvBlocks(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		v.setmask(t1, mem, sigSetmask, set(fastpath.SIGUSR1))
		v.setmask(t2, mem, sigSetmask, set(fastpath.SIGUSR1))
		fd := uint64(v.signalfd(t1, mem, set(fastpath.SIGUSR1), 0))
		a, b := mem.alloc(64), mem.alloc(64)
		if r := v.sys(t2, unix.SYS_READV, fd, mem.u64s(a, 64, b, 64), 2); r.Kind != Wait {
			t.Fatalf("%v", r.Kind)
		}
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		v.e.RunDue()
		if !woken(t2) {
			t.Fatal("reader not woken")
		}
		v.ok(v.e.Resume(t2), 128)
		if mem.get(a, 1)[0] != fastpath.SIGUSR1 || le32(mem.get(a, 64)[12:]) != 100 {
			t.Fatal("record not written")
		}
	})
}

// O_NONBLOCK is the real descriptor's; a descriptor closed or replaced
// behind the emulator's back is forgotten and read natively.
func TestSignalfdDescriptorIdentity(t *testing.T) {
	forSfdLayouts(t, func(t *testing.T, v *env, rec *sfdEvents) {
		_, th, mem := v.proc(100, 0)
		files := th.proc.files.(*fakeFiles)
		fd := v.signalfd(th, mem, set(fastpath.SIGUSR1), unix.SFD_NONBLOCK)
		buf := mem.alloc(128)
		v.errno(v.sys(th, unix.SYS_READ, uint64(fd), buf, 128), unix.EAGAIN)
		files.setFlags(fd, 0) // fcntl(F_SETFL, 0)
		if r := v.sys(th, unix.SYS_READ, uint64(fd), buf, 128); r.Kind != Wait {
			t.Fatalf("blocking after F_SETFL: %v %d", r.Kind, r.Ret)
		}
		v.e.ThreadExit(th) // ends the wait
		_, th, mem = v.proc(200, 0)
		files = th.proc.files.(*fakeFiles)
		fd = v.signalfd(th, mem, set(fastpath.SIGUSR1), unix.SFD_NONBLOCK)
		id := eventfdID(th, fd)
		rec.take()
		// dup2(pipe, fd): the number is another file now.
		files.close(fd)
		nfd, _ := files.newEventfd(0)
		if nfd != fd {
			t.Fatalf("reuse %d %d", nfd, fd)
		}
		if r := v.sys(th, unix.SYS_READ, uint64(fd), buf, 128); r.Kind != Native {
			t.Fatalf("read of a replaced signalfd: %v", r.Kind)
		}
		if evs := rec.take(); len(evs) != 1 || evs[0] != (sfdEvent{id, SignalfdReleased}) {
			t.Fatalf("events %v", evs)
		}
		// signalfd4 on it now: not a signalfd.
		v.errno(v.sys(th, unix.SYS_SIGNALFD4, uint64(fd), mem.u64s(1), 8, 0), unix.EINVAL)
	})
}

// close(2) forgets the signalfd (and runs natively); the file goes with
// its last holder.
func TestSignalfdClose(t *testing.T) {
	forSfdLayouts(t, func(t *testing.T, v *env, rec *sfdEvents) {
		_, t1, mem := v.proc(100, 0)
		fd := v.signalfd(t1, mem, set(fastpath.SIGUSR1), unix.SFD_NONBLOCK)
		id := eventfdID(t1, fd)
		c, err := v.e.Clone(t1, uint64(fastpath.SIGCHLD), 300, newFakeMem(), t1.proc.files)
		if err != nil {
			t.Fatal(err)
		}
		if r := v.sys(t1, unix.SYS_CLOSE, uint64(fd)); r.Kind != Native {
			t.Fatalf("close: %v", r.Kind)
		}
		if _, ok := v.e.SignalfdReady(t1.proc, fd); ok {
			t.Fatal("closed signalfd still known")
		}
		if evs := rec.take(); len(evs) != 0 {
			t.Fatalf("released while the child holds it: %v", evs)
		}
		if r := v.sys(c, unix.SYS_CLOSE, uint64(fd)); r.Kind != Native {
			t.Fatalf("child close: %v", r.Kind)
		}
		if evs := rec.take(); len(evs) != 1 || evs[0] != (sfdEvent{id, SignalfdReleased}) {
			t.Fatalf("events %v", evs)
		}
		if r := v.sys(t1, unix.SYS_CLOSE, 1); r.Kind != Native {
			t.Fatalf("close of another fd: %v", r.Kind)
		}
	})
}

// A fork child shares the file and reads its own signals through it;
// readiness is any holder's.
func TestSignalfdFork(t *testing.T) {
	forSfdLayouts(t, func(t *testing.T, v *env, rec *sfdEvents) {
		_, t1, mem := v.proc(100, 0)
		v.setmask(t1, mem, sigSetmask, set(fastpath.SIGUSR1))
		fd := v.signalfd(t1, mem, set(fastpath.SIGUSR1), unix.SFD_NONBLOCK)
		id := eventfdID(t1, fd)
		cmem := newFakeMem()
		c, err := v.e.Clone(t1, uint64(fastpath.SIGCHLD), 300, cmem, t1.proc.files)
		if err != nil {
			t.Fatal(err)
		}
		buf := mem.alloc(128)
		cbuf := cmem.alloc(128)
		v.errno(v.sys(c, unix.SYS_READ, uint64(fd), cbuf, 128), unix.EAGAIN)
		v.ok(v.sys(t1, unix.SYS_KILL, 300, fastpath.SIGUSR1), 0)
		if evs := rec.take(); len(evs) != 1 || evs[0] != (sfdEvent{id, SignalfdReadable}) {
			t.Fatalf("child's signal: events %v", evs)
		}
		// The parent has nothing: EAGAIN, and the file stays readable.
		v.errno(v.sys(t1, unix.SYS_READ, uint64(fd), buf, 128), unix.EAGAIN)
		v.ok(v.sys(c, unix.SYS_READ, uint64(fd), cbuf, 128), 128)
		if cmem.get(cbuf, 1)[0] != fastpath.SIGUSR1 || le32(cmem.get(cbuf, 16)[12:]) != 100 {
			t.Fatal("child's record")
		}
		if evs := rec.take(); len(evs) != 1 || evs[0] != (sfdEvent{id, SignalfdEmpty}) {
			t.Fatalf("after the child's read: events %v", evs)
		}
		// The child exits: the parent still holds the file.
		v.e.ProcessExit(c.proc, ExitedStatus(0))
		if evs := rec.take(); len(evs) != 0 {
			t.Fatalf("child exit: %v", evs)
		}
		v.e.ProcessExit(t1.proc, ExitedStatus(0))
		if evs := rec.take(); len(evs) != 1 || evs[0] != (sfdEvent{id, SignalfdReleased}) {
			t.Fatalf("last exit: %v", evs)
		}
	})
}

// The readiness hook follows every way a signal of the mask enters or
// leaves the pending sets: send, signalfd read, delivery, sigtimedwait,
// SIG_IGN's flush, a thread's exit with a private signal, a mask change.
func TestSignalfdReadinessHook(t *testing.T) {
	forSfdLayouts(t, func(t *testing.T, v *env, rec *sfdEvents) {
		p, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		both := set(fastpath.SIGUSR1, fastpath.SIGUSR2)
		v.setmask(t1, mem, sigSetmask, both)
		v.setmask(t2, mem, sigSetmask, both)
		fd := v.signalfd(t1, mem, set(fastpath.SIGUSR1), unix.SFD_NONBLOCK)
		id := eventfdID(t1, fd)
		readable, empty := sfdEvent{id, SignalfdReadable}, sfdEvent{id, SignalfdEmpty}
		expect := func(what string, want ...sfdEvent) {
			t.Helper()
			got := rec.take()
			if len(got) != len(want) {
				t.Fatalf("%s: events %v, want %v", what, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: events %v, want %v", what, got, want)
				}
			}
			if len(want) > 0 {
				r, _ := v.e.SignalfdReady(p, fd)
				if r != (want[len(want)-1].ev == SignalfdReadable) {
					t.Fatalf("%s: SignalfdReady %v", what, r)
				}
			}
		}
		expect("adopted empty")
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR2), 0)
		expect("a signal outside the mask")
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		expect("process-directed", readable)
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		expect("already readable")
		buf := mem.alloc(256)
		v.ok(v.sys(t2, unix.SYS_READ, uint64(fd), buf, 256), 128)
		expect("read", empty)
		// A mask change makes the pending SIGUSR2 readable, and back.
		v.ok(v.sys(t1, unix.SYS_SIGNALFD4, uint64(fd), mem.u64s(uint64(both)), 8, 0), int64(fd))
		expect("mask widened", readable)
		v.ok(v.sys(t1, unix.SYS_SIGNALFD4, uint64(fd), mem.u64s(uint64(set(fastpath.SIGUSR1))), 8, 0), int64(fd))
		expect("mask narrowed", empty)
		// Thread-directed to t2; t2 exits with it pending.
		v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, fastpath.SIGUSR1), 0)
		expect("thread-directed", readable)
		v.e.ThreadExit(t2)
		expect("thread exit", empty)
		// sigtimedwait takes it.
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		expect("again", readable)
		v.ok(v.sys(t1, unix.SYS_RT_SIGTIMEDWAIT, mem.u64s(uint64(set(fastpath.SIGUSR1))), 0, mem.u64s(0, 0), 8), fastpath.SIGUSR1)
		expect("sigtimedwait", empty)
		// SIG_IGN discards it.
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		expect("again", readable)
		v.sigaction(t1, mem, fastpath.SIGUSR1, fastpath.SIG_IGN, 0, 0)
		expect("SIG_IGN", empty)
		// Delivery to a handler takes it.
		v.sigaction(t1, mem, fastpath.SIGUSR1, handlerAddr, 0, 0)
		v.ok(v.sys(t1, unix.SYS_KILL, 100, fastpath.SIGUSR1), 0)
		expect("handled", readable)
		v.setmask(t1, mem, sigSetmask, 0)
		if d := v.e.Decide(t1, unix.SYS_RT_SIGPROCMASK, 0, stackSP); d.Act != RunHandler {
			t.Fatalf("%+v", d)
		}
		expect("delivered", empty)
	})
}

// Exec forgets the close-on-exec signalfds and keeps the others.
func TestSignalfdExec(t *testing.T) {
	forSfdLayouts(t, func(t *testing.T, v *env, rec *sfdEvents) {
		p, th, mem := v.proc(100, 0)
		keep := v.signalfd(th, mem, set(fastpath.SIGUSR1), 0)
		gone := v.signalfd(th, mem, set(fastpath.SIGUSR1), unix.SFD_CLOEXEC)
		id := eventfdID(th, gone)
		if err := v.e.Exec(th); err != nil {
			t.Fatal(err)
		}
		if _, ok := v.e.SignalfdReady(p, keep); !ok {
			t.Fatal("signalfd without SFD_CLOEXEC lost at exec")
		}
		if _, ok := v.e.SignalfdReady(p, gone); ok {
			t.Fatal("SFD_CLOEXEC signalfd survived exec")
		}
		if evs := rec.take(); len(evs) != 1 || evs[0] != (sfdEvent{id, SignalfdReleased}) {
			t.Fatalf("events %v", evs)
		}
	})
}
