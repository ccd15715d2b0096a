package serve

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// TestEmulatedWrappers: glibc's signal wrappers, interposed by the shim
// (shim/csrc/wrappers.c), give the program exactly what glibc's give it
// natively — results, errno values, the action the kernel reports back,
// handlers run by kill and raise before they return, a pending signal
// delivered by the sigprocmask that unblocks it, a fatal default action
// sent with kill or raise — and the calls reached the emulator through
// the wrappers, not through traps. With Wrappers off (NoWrappers) the
// same program's calls are all trapped.
func TestEmulatedWrappers(t *testing.T) {
	noCore(t)
	bin := buildC(t, "wrappers")
	// At least this many calls of each kind reach the emulator per run
	// (the program makes more of most).
	want := map[int]int64{
		unix.SYS_RT_SIGACTION:   12,
		unix.SYS_RT_SIGPROCMASK: 1000,
		unix.SYS_RT_SIGPENDING:  2,
		unix.SYS_KILL:           5,
		unix.SYS_TGKILL:         4,
	}
	for _, layout := range fastpath.Layouts() {
		for _, end := range []string{"", "kill", "raise"} {
			t.Run(layout+"/"+end, func(t *testing.T) {
				var args []string
				if end != "" {
					args = []string{end}
				}
				stats := compare(t, bin, emulatedOpts(layout), args...)
				for nr, min := range want {
					if got := stats.Wrapped[nr]; got < min {
						t.Errorf("syscall %d came through the wrappers %d times, want ≥ %d (trapped: %d)",
							nr, got, min, stats.Syscalls[nr])
					}
				}
				if n := stats.Syscalls[unix.SYS_RT_SIGPROCMASK]; n > 100 {
					t.Errorf("%d rt_sigprocmask trapped: the wrappers were bypassed", n)
				}
			})
		}
	}
	t.Run("off", func(t *testing.T) {
		opts := Options{NewHandler: func(st fastpath.State) (Handler, error) {
			return NewEmulated(st, EmulatedConfig{NoWrappers: true})
		}}
		stats := compare(t, bin, opts, "kill")
		if len(stats.Wrapped) != 0 {
			t.Errorf("wrapper calls with the wrappers off: %v", stats.Wrapped)
		}
		for nr, min := range want {
			if got := stats.Syscalls[nr]; got < min {
				t.Errorf("syscall %d trapped %d times, want ≥ %d", nr, got, min)
			}
		}
	})
}

// TestWrapperRequestForged: a request marked as a wrapper's is refused
// (EINVAL, no fault) when the Handler does not answer wrappers or the
// syscall is none a wrapper makes; a trap's request after it is served.
func TestWrapperRequestForged(t *testing.T) {
	f, srv := newHarness(t, passthrough, nil)
	f.register()
	for _, nr := range []uint64{unix.SYS_KILL, unix.SYS_GETPPID} {
		f.ch.Op, f.ch.Nr, f.ch.ReqFlags = shim.OpSyscall, nr, shim.ReqWrapper
		f.call()
		f.wantComplete(-int64(unix.EINVAL))
	}
	f.ch.Op, f.ch.Nr, f.ch.ReqFlags, f.ch.Ret = shim.OpNativeDone, unix.SYS_KILL, 7, 0
	f.call()
	f.wantComplete(-int64(unix.EINVAL))
	f.syscall(unix.SYS_GETPPID)
	if f.ch.Kind != shim.KindNative {
		t.Errorf("after forged wrapper requests: kind %d, want native", f.ch.Kind)
	}
	if st := srv.Stats(); len(st.Wrapped) != 0 || st.Faults != 0 {
		t.Errorf("wrapped %v faults %d", st.Wrapped, st.Faults)
	}
}
