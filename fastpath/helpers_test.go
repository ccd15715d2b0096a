package fastpath

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// Helpers shared by the tests of this package. Every test that is about
// semantics runs once per registered layout, so a new layout is tested by
// adding it to registry.go and nothing else.

// newTestState builds layout's State and closes it when the test ends.
func newTestState(t testing.TB, layout string, cfg Config) State {
	t.Helper()
	s, err := New(layout, cfg)
	if err != nil {
		t.Fatalf("New(%q): %v", layout, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close(%q): %v", layout, err)
		}
	})
	return s
}

// eachLayout runs fn as a subtest per registered layout with a fresh State.
func eachLayout(t *testing.T, cfg Config, fn func(t *testing.T, s State)) {
	t.Helper()
	for _, name := range Layouts() {
		t.Run(name, func(t *testing.T) { fn(t, newTestState(t, name, cfg)) })
	}
}

// mustProcess and mustThread take slots or fail the test.
func mustProcess(t testing.TB, s State) ProcID {
	t.Helper()
	p, err := s.NewProcess()
	if err != nil {
		t.Fatalf("NewProcess: %v", err)
	}
	return p
}

func mustThread(t testing.TB, s State, p ProcID) ThreadID {
	t.Helper()
	th, err := s.NewThread(p)
	if err != nil {
		t.Fatalf("NewThread(%d): %v", p, err)
	}
	return th
}

// sigInfo builds a siginfo as sigqueue(3) would: si_code SI_QUEUE, a
// sender, and a value that tells instances apart.
func sigInfo(sig int, value uint64) *Siginfo {
	info := &Siginfo{Signo: int32(sig), Code: SI_QUEUE}
	info.SetSender(int32(1000+sig), 42)
	info.SetValue(value)
	return info
}

// mustSend sends and requires the signal to be queued.
func mustSendThread(t testing.TB, s State, th ThreadID, sig int, value uint64) {
	t.Helper()
	if ok, err := s.SendThread(th, sigInfo(sig, value)); !ok || err != nil {
		t.Fatalf("SendThread(%d, sig %d) = %v, %v; want true, nil", th, sig, ok, err)
	}
}

func mustSendProcess(t testing.TB, s State, p ProcID, sig int, value uint64) {
	t.Helper()
	if ok, err := s.SendProcess(p, sigInfo(sig, value)); !ok || err != nil {
		t.Fatalf("SendProcess(%d, sig %d) = %v, %v; want true, nil", p, sig, ok, err)
	}
}

// set builds a Sigset from signal numbers.
func set(sigs ...int) Sigset {
	var s Sigset
	for _, sig := range sigs {
		s |= SigBit(sig)
	}
	return s
}

// mapArena maps the State's memfd a second time, as the shim does, and
// unmaps it when the test ends. Writes through the returned slice land in
// the same pages the State uses.
func mapArena(t testing.TB, s State) []byte {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(s.Fd(), &st); err != nil {
		t.Fatalf("fstat arena: %v", err)
	}
	mem, err := unix.Mmap(s.Fd(), 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatalf("mmap arena (%d bytes): %v", st.Size, err)
	}
	t.Cleanup(func() {
		if err := unix.Munmap(mem); err != nil {
			t.Errorf("munmap arena: %v", err)
		}
	})
	return mem
}

// errorf is fmt.Errorf for goroutines that report to the test by channel.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
