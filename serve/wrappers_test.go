package serve

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

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
	// (the program makes more of most). A signal a thread sends its own
	// process (kill(getpid(), sig), raise(sig), sig ≠ 0) comes through
	// the wrappers too, whose answer can carry the frame
	// (SIGLAB_REQ_FRAME, send_framed in wrappers.c) — all but at most
	// one: the first, if the shim has not seen a kernel frame yet (the
	// format its own must copy), takes the trap.
	want := map[int]int64{
		unix.SYS_RT_SIGACTION:   12,
		unix.SYS_RT_SIGPROCMASK: 1000,
		unix.SYS_RT_SIGPENDING:  2,
		unix.SYS_KILL:           4,
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
					got := stats.Wrapped[nr]
					if nr == unix.SYS_RT_SIGPROCMASK {
						got = stats.Sigprocmasks() - stats.Syscalls[nr] // the wrappers' own too
					}
					if got < min {
						t.Errorf("syscall %d came through the wrappers %d times, want ≥ %d (trapped: %d)",
							nr, got, min, stats.Syscalls[nr])
					}
				}
				if got := stats.Syscalls[unix.SYS_KILL] + stats.Syscalls[unix.SYS_TGKILL]; got > 1 {
					t.Errorf("%d kill and tgkill trapped, want ≤ 1: sends to the caller itself take the wrappers", got)
				}
				if n := stats.Syscalls[unix.SYS_RT_SIGPROCMASK]; n > 100 {
					t.Errorf("%d rt_sigprocmask trapped: the wrappers were bypassed", n)
				}
				// The program's SIG_SETMASK back to the old mask
				// only unblocks: the wrapper answers it alone.
				if stats.LocalSigmasks < 500 {
					t.Errorf("%d sigprocmask answered in the shim, want ≥ 500", stats.LocalSigmasks)
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
			got := stats.Syscalls[nr]
			if nr == unix.SYS_RT_SIGPROCMASK {
				// The trapped ones that only unblock are answered by
				// the SIGSYS handler itself (shim_local_sigprocmask).
				got = stats.Sigprocmasks()
			}
			if got < min {
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

// readyWriter collects a program's stdout and closes ready when the line
// "ready" has been written.
type readyWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if bytes.Contains(w.buf.Bytes(), []byte("ready\n")) {
		w.once.Do(func() { close(w.ready) })
	}
	return len(p), nil
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// storm sends SIGUSR1 and SIGUSR2 to the process whose executable is bin
// (found in /proc once w is ready) until done is closed.
func storm(bin string, w *readyWriter, done <-chan struct{}) {
	select {
	case <-w.ready:
	case <-done:
		return
	}
	pid := 0
	for pid == 0 {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			n, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == bin {
				pid = n
			}
		}
		select {
		case <-done:
			return
		default:
		}
	}
	for {
		select {
		case <-done:
			return
		default:
		}
		unix.Kill(pid, unix.SIGUSR1)
		unix.Kill(pid, unix.SIGUSR2)
		time.Sleep(50 * time.Microsecond)
	}
}

// TestWrapperSignalStorm: signals sent from outside the emulation (routed
// by the shim) while the program runs glibc's wrappers in a loop mostly
// land during a wrapper's round trip, when the channel is busy: the shim
// queues them again and the wrapper's final mask lets them in. None may
// be lost for good, and none may run its handler while the program's mask
// blocks it.
func TestWrapperSignalStorm(t *testing.T) {
	bin := buildC(t, "wrapstorm")
	run := func(t *testing.T, emulate bool) string {
		w := &readyWriter{ready: make(chan struct{})}
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); storm(bin, w, done) }()
		defer wg.Wait()
		defer close(done)
		if !emulate {
			cmd := exec.Command(bin)
			cmd.Stdout = w
			if err := cmd.Run(); err != nil {
				t.Fatalf("native: %v", err)
			}
			return w.String()
		}
		var stats Stats
		opts := emulatedOpts(fastpath.DefaultLayout)
		opts.Stdout, opts.Stderr, opts.Stats, opts.Stdin = w, os.Stderr, &stats, bytes.NewReader(nil)
		st, err := Run(bin, nil, opts)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if st != (ExitStatus{}) || stats.Faults != 0 {
			t.Errorf("status %v, %d faults (%v)", st, stats.Faults, stats.LastFault)
		}
		// Through the wrappers: sent to the emulator, or answered by
		// the wrapper alone (shim.Header.LocalBlock lets it answer the
		// blocks too) — holding the thread either way.
		if n := stats.Wrapped[unix.SYS_RT_SIGPROCMASK] + stats.LocalSigmasks; n < 100 {
			t.Errorf("only %d rt_sigprocmask through the wrappers", n)
		}
		return w.String()
	}
	const want = "ready\ndone\n"
	if got := run(t, false); got != want {
		t.Fatalf("native output %q, want %q", got, want)
	}
	if got := run(t, true); got != want {
		t.Errorf("emulated output %q, want %q", got, want)
	}
}

// TestWrapperFrameRequests: ReqFrame is valid only with ReqWrapper, for
// kill and tgkill, when the Handler answers wrappers; its reply may carry
// a frame or a death (no restart), which a plain wrapper request's may
// not.
func TestWrapperFrameRequests(t *testing.T) {
	s := &Server{wrap: true, log: io.Discard}
	frame := uint32(shim.ReqWrapper | shim.ReqFrame)
	for _, c := range []struct {
		flags uint32
		nr    uint64
		ok    bool
	}{
		{shim.ReqWrapper, unix.SYS_KILL, true},
		{frame, unix.SYS_KILL, true},
		{frame, unix.SYS_TGKILL, true},
		{frame, unix.SYS_RT_SIGPROCMASK, false},
		{frame, unix.SYS_GETPPID, false},
		{shim.ReqFrame, unix.SYS_KILL, false},
		{frame | 4, unix.SYS_KILL, false},
	} {
		if got := s.wrapperCall(c.flags, c.nr); got != c.ok {
			t.Errorf("wrapperCall(%#x, %d) = %v, want %v", c.flags, c.nr, got, c.ok)
		}
	}
	if (&Server{wrap: false}).wrapperCall(frame, unix.SYS_KILL) {
		t.Error("a frame request accepted with the wrappers off")
	}
	deliver := Deliver(0, Delivery{Signo: 10})
	restarting := deliver
	restarting.Restart = true
	for _, c := range []struct {
		rep   Reply
		frame bool
		kind  uint32
	}{
		{deliver, true, shim.KindDeliver},
		{Die(15), true, shim.KindDie},
		{deliver, false, shim.KindComplete}, // EPROTO, a fault
		{Die(15), false, shim.KindComplete},
		{restarting, true, shim.KindComplete},
	} {
		if got := s.wrapperReply(c.rep, false, c.frame); got.Kind != c.kind {
			t.Errorf("wrapperReply(kind %d, frame %v) = kind %d, want %d", c.rep.Kind, c.frame, got.Kind, c.kind)
		}
	}
	if n, _ := s.Faults(); n != 3 {
		t.Errorf("%d faults, want 3 (the replies refused)", n)
	}
}
