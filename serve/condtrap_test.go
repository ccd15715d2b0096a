package serve

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// TestCondTraps: epoll_pwait without a signal mask runs natively (10
// calls, none served), with one it reaches the emulator (4 calls); the
// program's output is the kernel's.
func TestCondTraps(t *testing.T) {
	bin := buildC(t, "condtrap")
	for _, layout := range fastpath.Layouts() {
		t.Run(layout, func(t *testing.T) {
			stats := compare(t, bin, emulatedOpts(layout))
			if got := stats.Syscalls[unix.SYS_EPOLL_PWAIT]; got != 4 {
				t.Errorf("%d epoll_pwait calls reached the emulator, want the 4 with a mask", got)
			}
		})
	}
}

// TestRegionCondTraps: NewRegion publishes the conditional traps it is
// given and refuses the ones the shim could not build a filter for, and an
// unconditional prlimit64 (which would kill every exec'd image at ld.so's
// first getrlimit).
func TestRegionCondTraps(t *testing.T) {
	st, cfg := regionState(t)
	trap := []int{unix.SYS_PRLIMIT64, unix.SYS_EPOLL_PWAIT, unix.SYS_KILL}
	bad := []struct {
		name string
		trap []int
		cond map[int]int
	}{
		{"prlimit64 unconditionally", trap, map[int]int{unix.SYS_EPOLL_PWAIT: 4}},
		{"an untrapped syscall", trap, map[int]int{unix.SYS_PRLIMIT64: 2, unix.SYS_GETPID: 0}},
		{"argument 6", trap, map[int]int{unix.SYS_PRLIMIT64: 6}},
		{"a negative argument", trap, map[int]int{unix.SYS_PRLIMIT64: -1}},
		{"too many", []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, map[int]int{0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0}},
	}
	for _, c := range bad {
		r, err := NewRegion(RegionConfig{Channels: 1, State: st, Config: cfg, TrapSet: c.trap, CondTraps: c.cond})
		if err == nil {
			r.Close()
			t.Errorf("%s: NewRegion accepted %v", c.name, c.cond)
		}
	}
	a := &Emulated{}
	r, err := NewRegion(RegionConfig{Channels: 1, State: st, Config: cfg, TrapSet: trap, CondTraps: condTraps(a)})
	if err == nil {
		r.Close()
		t.Error("conditions on syscalls outside the trap set were accepted")
	}
	trap = append(trap, unix.SYS_EPOLL_PWAIT2)
	r, err = NewRegion(RegionConfig{Channels: 1, State: st, Config: cfg, TrapSet: trap, CondTraps: condTraps(a)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	want := []uint32{ // sorted by number
		shim.CondTrap(unix.SYS_EPOLL_PWAIT, 4), shim.CondTrap(unix.SYS_PRLIMIT64, 2), shim.CondTrap(unix.SYS_EPOLL_PWAIT2, 4),
	}
	if h.NumCondTraps != uint32(len(want)) {
		t.Fatalf("%d conditional traps published, want %d", h.NumCondTraps, len(want))
	}
	for i, w := range want {
		if h.CondTraps[i] != w {
			t.Errorf("entry %d = %#x, want %#x", i, h.CondTraps[i], w)
		}
	}
}
