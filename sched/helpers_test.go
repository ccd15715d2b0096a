package sched

import (
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// fakeMem is a managed address space: one mapped window [base, base+len);
// every other address faults, as does any address in faults.
type fakeMem struct {
	mu     sync.Mutex
	base   uint64
	buf    []byte
	next   uint64
	faults map[uint64]bool
}

const memBase = 0x10000

var errFault = errors.New("fault")

func newFakeMem() *fakeMem {
	return &fakeMem{base: memBase, buf: make([]byte, 1<<16), next: memBase, faults: map[uint64]bool{}}
}

func (m *fakeMem) check(addr uint64, n int) bool {
	if addr < m.base || addr+uint64(n) > m.base+uint64(len(m.buf)) || addr+uint64(n) < addr {
		return false
	}
	if len(m.faults) == 0 {
		return true
	}
	for a := range m.faults {
		if a >= addr && a < addr+uint64(n) {
			return false
		}
	}
	return true
}

func (m *fakeMem) ReadAt(addr uint64, p []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.check(addr, len(p)) {
		return errFault
	}
	copy(p, m.buf[addr-m.base:])
	return nil
}

func (m *fakeMem) WriteAt(addr uint64, p []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.check(addr, len(p)) {
		return errFault
	}
	copy(m.buf[addr-m.base:], p)
	return nil
}

// alloc reserves n bytes (16-aligned) and returns their address.
func (m *fakeMem) alloc(n int) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.next
	m.next += uint64(n+15) &^ 15
	if m.next > m.base+uint64(len(m.buf)) {
		panic("fakeMem full")
	}
	return a
}

func (m *fakeMem) put(addr uint64, b []byte) {
	if err := m.WriteAt(addr, b); err != nil {
		panic(err)
	}
}

func (m *fakeMem) get(addr uint64, n int) []byte {
	b := make([]byte, n)
	if err := m.ReadAt(addr, b); err != nil {
		panic(err)
	}
	return b
}

func (m *fakeMem) putU64(addr, v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	m.put(addr, b[:])
}

func (m *fakeMem) u64(addr uint64) uint64 { return binary.LittleEndian.Uint64(m.get(addr, 8)) }
func (m *fakeMem) u32(addr uint64) uint32 { return binary.LittleEndian.Uint32(m.get(addr, 4)) }

// u64s allocates and fills consecutive words.
func (m *fakeMem) u64s(vs ...uint64) uint64 {
	a := m.alloc(8 * len(vs))
	for i, v := range vs {
		m.putU64(a+uint64(8*i), v)
	}
	return a
}

// badAddr is an address that always faults.
const badAddr = 0x8

// fakeFiles is a descriptor table: fds 0..2 are open, newEventfd hands
// out the lowest free number, eventfds maps an eventfd to its id and
// status flags, pidfds maps a pidfd to (pid, thread).
type fakeFiles struct {
	mu       sync.Mutex
	open     map[int32]bool
	eventfds map[int32][2]uint64
	pidfds   map[int32][2]int32
	nextID   uint64
}

func newFakeFiles() *fakeFiles {
	return &fakeFiles{open: map[int32]bool{0: true, 1: true, 2: true}, pidfds: map[int32][2]int32{},
		eventfds: map[int32][2]uint64{}}
}

// newEventfd opens an eventfd with status flags (what the shim does for a
// new signalfd) and returns its number and id.
func (f *fakeFiles) newEventfd(flags uint32) (int32, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	for fd := int32(0); ; fd++ {
		if !f.open[fd] {
			f.open[fd] = true
			f.eventfds[fd] = [2]uint64{f.nextID, uint64(flags)}
			return fd, f.nextID
		}
	}
}

// close closes fd behind the emulator's back.
func (f *fakeFiles) close(fd int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.open, fd)
	delete(f.eventfds, fd)
}

// setFlags is fcntl(F_SETFL) on an eventfd.
func (f *fakeFiles) setFlags(fd int32, flags uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.eventfds[fd]
	v[1] = uint64(flags)
	f.eventfds[fd] = v
}

func (f *fakeFiles) Eventfd(fd int32) (uint64, uint32, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.eventfds[fd]
	return v[0], uint32(v[1]), ok
}

func (f *fakeFiles) IsOpen(fd int32) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open[fd]
}

func (f *fakeFiles) PidfdPid(fd int32) (int32, bool, unix.Errno) {
	v, ok := f.pidfds[fd]
	if !ok {
		return 0, false, unix.EBADF
	}
	return v[0], v[1] != 0, 0
}

// env is one emulator on a fake clock, with kicks recorded.
type env struct {
	t      testing.TB
	e      *Emulator
	clk    *FakeClock
	cpu    *FakeCPUClock
	mu     sync.Mutex
	kicks  []int32
	layout string
}

func newEnv(t testing.TB, layout string) *env {
	v := newEnvRaw(t, layout)
	t.Cleanup(func() { v.e.Close() })
	return v
}

// newEnvRaw is newEnv whose emulator the caller closes.
func newEnvRaw(t testing.TB, layout string) *env { return newEnvConfig(t, layout, nil) }

// newEnvConfig is newEnvRaw with the test's Config adjusted by adjust (if
// not nil) before the emulator is built.
func newEnvConfig(t testing.TB, layout string, adjust func(*Config)) *env {
	v := &env{t: t, clk: NewFakeClock(), cpu: NewFakeCPUClock(), layout: layout}
	cfg := Config{
		Layout: layout,
		State:  fastpath.Config{MaxThreads: 64, MaxProcesses: 16, RTQueueLimit: 8},
		Clock:  v.clk,
		CPU:    v.cpu,
		Kick: func(th *Thread) {
			v.mu.Lock()
			v.kicks = append(v.kicks, th.Tid)
			v.mu.Unlock()
		},
	}
	if adjust != nil {
		adjust(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v.e = e
	return v
}

// forLayouts runs f once per registered layout.
func forLayouts(t *testing.T, f func(t *testing.T, v *env)) {
	for _, l := range fastpath.Layouts() {
		t.Run(l, func(t *testing.T) { f(t, newEnv(t, l)) })
	}
}

// proc registers a process with its own memory and files.
func (v *env) proc(pid, ppid int32) (*Process, *Thread, *fakeMem) {
	mem := newFakeMem()
	p, th, err := v.e.NewProcess(ProcessConfig{Pid: pid, PPid: ppid, Mem: mem, Files: newFakeFiles(),
		Cred: Cred{Uid: 1000, Euid: 1000, Suid: 1000}})
	if err != nil {
		v.t.Fatal(err)
	}
	return p, th, mem
}

// thread adds a thread to th's process.
func (v *env) thread(th *Thread, tid int32) *Thread {
	c, err := v.e.Clone(th, CLONE_VM|CLONE_SIGHAND|CLONE_THREAD, tid, nil, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	return c
}

const stackSP = 0x7fff0000

func (v *env) sys(th *Thread, nr int, args ...uint64) Result {
	var c Call
	c.Nr, c.SP = nr, stackSP
	copy(c.Args[:], args)
	return v.e.Syscall(th, &c)
}

// ok asserts a Done result with value want.
func (v *env) ok(r Result, want int64) {
	v.t.Helper()
	if r.Kind != Done || r.Ret != want {
		v.t.Fatalf("got %v %d, want done %d", r.Kind, r.Ret, want)
	}
}

func (v *env) errno(r Result, want unix.Errno) {
	v.t.Helper()
	if r.Kind != Done || r.Ret != -int64(want) {
		v.t.Fatalf("got %v %d, want -%v (%d)", r.Kind, r.Ret, want, -int64(want))
	}
}

func (v *env) takeKicks() []int32 {
	v.mu.Lock()
	defer v.mu.Unlock()
	k := v.kicks
	v.kicks = nil
	return k
}

// sigaction installs an action for sig in th's process through the
// syscall.
func (v *env) sigaction(th *Thread, mem *fakeMem, sig int, handler, flags uint64, mask fastpath.Sigset) {
	v.t.Helper()
	a := mem.u64s(handler, flags|fastpath.SA_RESTORER, 0xdead0000, uint64(mask))
	v.ok(v.sys(th, unix.SYS_RT_SIGACTION, uint64(sig), a, 0, 8), 0)
}

func (v *env) setmask(th *Thread, mem *fakeMem, how int, set fastpath.Sigset) {
	v.t.Helper()
	v.ok(v.sys(th, unix.SYS_RT_SIGPROCMASK, uint64(how), mem.u64s(uint64(set)), 0, 8), 0)
}

func set(sigs ...int) fastpath.Sigset {
	var s fastpath.Sigset
	for _, sg := range sigs {
		s |= fastpath.SigBit(sg)
	}
	return s
}

func (v *env) blocked(th *Thread) fastpath.Sigset {
	v.e.mu.Lock()
	defer v.e.mu.Unlock()
	return v.e.st.Blocked(th.slot)
}

func (v *env) pending(th *Thread) (fastpath.Sigset, fastpath.Sigset) {
	v.e.mu.Lock()
	defer v.e.mu.Unlock()
	return v.e.st.Pending(th.slot)
}

func (v *env) action(p *Process, sig int) fastpath.Sigaction {
	v.e.mu.Lock()
	defer v.e.mu.Unlock()
	return v.e.st.Action(p.slot, sig)
}

func (v *env) altstack(th *Thread) fastpath.Stack {
	v.e.mu.Lock()
	defer v.e.mu.Unlock()
	return v.e.st.AltStack(th.slot)
}

// woken reports whether th's wake channel fired (consuming it).
func woken(th *Thread) bool {
	select {
	case <-th.Wake():
		return true
	default:
		return false
	}
}

const handlerAddr = 0x400000

// signalfd makes a new signalfd for th as the shim does: signalfd4(-1,
// mask, 8, flags) validated by Syscall (NewFd), an eventfd opened with the
// flags, and AdoptSignalfd. It returns the fd.
func (v *env) signalfd(th *Thread, mem *fakeMem, mask fastpath.Sigset, flags uint64) int32 {
	v.t.Helper()
	r := v.sys(th, unix.SYS_SIGNALFD4, ^uint64(0), mem.u64s(uint64(mask)), 8, flags)
	if r.Kind != NewFd {
		v.t.Fatalf("signalfd4: %v %d, want newfd", r.Kind, r.Ret)
	}
	files := th.proc.files.(*fakeFiles)
	fd, id := files.newEventfd(uint32(flags & unix.SFD_NONBLOCK))
	if err := v.e.AdoptSignalfd(th, fd, id); err != nil {
		v.t.Fatal(err)
	}
	return fd
}
