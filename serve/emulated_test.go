package serve

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The shim's scenario programs run natively and under the real emulator
// (package sched behind Emulated): identical stdout and exit status, on
// every layout.

func emulatedOpts(layout string) Options {
	return Options{Layout: layout, NewHandler: func(st fastpath.State) (Handler, error) {
		return NewEmulated(st, EmulatedConfig{})
	}}
}

// noCore disables core dumps for the test (the status's core bit must
// match natively and emulated, and no core files may be left behind).
func noCore(t *testing.T) {
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &rl)
	if rl.Cur == 0 {
		return
	}
	old := rl
	rl.Cur = 0
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &rl); err != nil {
		t.Skip("cannot disable core dumps:", err)
	}
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_CORE, &old) })
}

func TestEmulatedPrograms(t *testing.T) {
	noCore(t)
	progs := []struct {
		name  string
		flags []string
		// served: syscalls that must have reached the emulator at
		// least this often (proof the run was emulated).
		served map[int]int64
		// most: syscalls that must have reached it at most this often.
		most map[int]int64
	}{
		{"basic", nil, map[int]int64{unix.SYS_RT_SIGACTION: 1000, unix.SYS_RT_SIGPROCMASK: 2000, unix.SYS_KILL: 1000}, nil},
		{"threads", []string{"-pthread"}, map[int]int64{unix.SYS_TGKILL: 8 * 3 * 2000, unix.SYS_EXIT: 8 * 3}, nil},
		{"exit3", nil, map[int]int64{unix.SYS_EXIT_GROUP: 1}, nil},
		{"sigterm", nil, map[int]int64{unix.SYS_KILL: 1}, nil},
		{"forkexec", nil, map[int]int64{unix.SYS_WAIT4: 1, unix.SYS_KILL: 201}, nil},
		{"deliver", nil, map[int]int64{unix.SYS_RT_SIGRETURN: 102}, nil},
		{"kick", []string{"-pthread"}, map[int]int64{unix.SYS_RT_SIGRETURN: 2}, nil},
		{"badframe", nil, map[int]int64{unix.SYS_RT_SIGRETURN: 1}, nil},
		// The vfork children's syscalls run natively, never through the
		// channel they share with their parent: exit_group reaches the
		// emulator from the parent and from the exec'd /bin/true only,
		// not from the child whose exec failed.
		{"vfork", nil, map[int]int64{unix.SYS_WAIT4: 2, unix.SYS_EXIT_GROUP: 2},
			map[int]int64{unix.SYS_EXIT_GROUP: 2}},
	}
	for _, layout := range fastpath.Layouts() {
		for _, p := range progs {
			t.Run(layout+"/"+p.name, func(t *testing.T) {
				stats := compare(t, buildC(t, p.name, p.flags...), emulatedOpts(layout))
				for nr, min := range p.served {
					got := stats.Served(nr)
					switch nr {
					case unix.SYS_RT_SIGRETURN:
						got = stats.Sigreturns() // the shim's own too (TestLocalSigreturn)
					case unix.SYS_RT_SIGPROCMASK:
						got = stats.Sigprocmasks() // the wrappers' own too (TestEmulatedWrappers)
					}
					if got < min {
						t.Errorf("syscall %d served %d times, want ≥ %d", nr, got, min)
					}
				}
				for nr, max := range p.most {
					if got := stats.Served(nr); got > max {
						t.Errorf("syscall %d served %d times, want ≤ %d", nr, got, max)
					}
				}
			})
		}
	}
}

// TestEmulatedGoProgram: spinning goroutines that only async preemption
// (an emulated SIGURG, delivered after a kick) can stop for GC, and
// os/signal receiving signals the program sends itself.
func TestEmulatedGoProgram(t *testing.T) {
	bin := buildGoSignal(t)
	for _, layout := range fastpath.Layouts() {
		t.Run(layout, func(t *testing.T) {
			stats := compare(t, bin, emulatedOpts(layout))
			if stats.Sigreturns() == 0 || stats.Syscalls[unix.SYS_KILL] < 5 {
				t.Errorf("no emulated deliveries: %v", stats.Syscalls)
			}
		})
	}
}
