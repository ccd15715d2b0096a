package serve

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// Options configure Run. The zero value runs PROG under the pass-through
// handler with the default layout and the emulator's own stdio.
type Options struct {
	// Layout is the fastpath layout name ("" = fastpath.DefaultLayout).
	Layout string
	// State sizes the fastpath arena.
	State fastpath.Config
	// Channels is how many managed threads may be alive at once
	// (0 = min(State.MaxThreads or its default, DefaultChannels)).
	Channels int
	// NewHandler builds the emulator over the State (nil = NewPassthrough).
	NewHandler func(fastpath.State) (Handler, error)
	// Stdin, Stdout, Stderr of the program (nil = the emulator's own).
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Env is the program's environment (nil = os.Environ()); Run adds
	// LD_PRELOAD (keeping any existing entries after the shim) and the
	// shim's two fd variables.
	Env []string
	Dir string
	// ShimPath is a prebuilt shim ("" = shim.Path(), built on first use).
	ShimPath string
	// ShimSpin and ServerSpin are the polls before futex-waiting, on the
	// shim's and the emulator's side (negative = 0; zero = defaults).
	ShimSpin, ServerSpin int
	// Log receives the emulator's diagnostics (nil = os.Stderr).
	Log io.Writer
	// Local lists trapped syscalls the shim runs natively without asking
	// the emulator (measurement of the trap alone); each must be in the
	// Handler's trap set.
	Local []int
	// Stats, if not nil, receives the server's counts when Run returns.
	Stats *Stats
}

// Defaults.
const (
	DefaultChannels = 1024
	// DefaultShimSpin (pause instructions) and DefaultServerSpin (atomic
	// loads) are the polls before each side sleeps on the futex. Measured
	// with getppid_bench (median ns per trapped and forwarded call) on the
	// 2-core VM: when the other agents left a core idle (load ≈ 4.5;
	// native ≈ 1.0 µs, trap alone ≈ 4.3 µs) no spinning gave 24–32 µs,
	// shim 1000 + server 50000–500000 gave 6.5–7.7 µs; with both cores
	// busy (load 5–6) no spinning gave 25–33 µs and every spinning
	// variant 31–90 µs (the spinner steals the core the other side needs;
	// yielding every 10–100 polls did not recover it). A cross-process
	// futex wake-up costs ≈ 20 µs here, so spinning is the default, for
	// the benchmark's idle-core setting; pass ServerSpin: -1, ShimSpin: -1
	// on a machine without a spare core. See BenchmarkGetppid. Both
	// budgets adapt to what each wait finds, and probe from their floor
	// (spin.go, channel.c): without the probes a forwarded getppid stayed
	// at 28-34 µs with spinning on, as with it off; with them, 7.7-9.5 µs
	// (results/2026-11-27-*-spin-probe-ab.txt).
	DefaultShimSpin   = 1000
	DefaultServerSpin = 100000
)

// ExitStatus is how the program ended.
type ExitStatus struct {
	Code   int            // exit status, when it exited
	Signal syscall.Signal // terminating signal, or 0
	Core   bool           // it dumped core
}

// Signaled reports whether the program was killed by a signal.
func (e ExitStatus) Signaled() bool { return e.Signal != 0 }

// ShellCode is what a shell's $? shows: the code, or 128+signo.
func (e ExitStatus) ShellCode() int {
	if e.Signaled() {
		return 128 + int(e.Signal)
	}
	return e.Code
}

func (e ExitStatus) String() string {
	if e.Signaled() {
		s := "killed by " + unix.SignalName(e.Signal)
		if e.Core {
			s += " (core dumped)"
		}
		return s
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// Run runs prog with args under the emulator and returns how it ended. A
// program killed by a signal is reported in ExitStatus.Signal, not as an
// error, so the caller can re-raise it; errors are the emulator's own
// (bad options, no compiler, a static binary, a failed start).
func Run(prog string, args []string, opts Options) (ExitStatus, error) {
	path, err := exec.LookPath(prog)
	if err != nil {
		return ExitStatus{}, fmt.Errorf("siglab: %w", err)
	}
	if err := checkDynamic(path); err != nil {
		return ExitStatus{}, fmt.Errorf("siglab: %w", err)
	}
	shimPath := opts.ShimPath
	if shimPath == "" {
		if shimPath, err = shim.Path(); err != nil {
			return ExitStatus{}, err
		}
	}
	layout := opts.Layout
	if layout == "" {
		layout = fastpath.DefaultLayout
	}
	st, err := fastpath.New(layout, opts.State)
	if err != nil {
		return ExitStatus{}, fmt.Errorf("siglab: %w", err)
	}
	defer st.Close()
	var h Handler
	if opts.NewHandler != nil {
		if h, err = opts.NewHandler(st); err != nil {
			return ExitStatus{}, err
		}
	} else {
		h = NewPassthrough(st)
	}
	if c, ok := h.(io.Closer); ok {
		// After the server has stopped (defers run last-in first-out).
		defer c.Close()
	}
	channels := opts.Channels
	if channels == 0 {
		channels = opts.State.MaxThreads
		if channels <= 0 {
			channels = fastpath.DefaultMaxThreads
		}
		channels = min(channels, DefaultChannels)
	}
	reg, err := NewRegion(RegionConfig{
		Channels: channels, State: st, Config: opts.State, TrapSet: h.TrapSet(), LocalSet: opts.Local,
		RouteSet: routeSet(h), MirrorSet: mirrorSet(h), CondTraps: condTraps(h),
		LocalSigreturn: localSigreturn(h),
		Wrappers:       wrappers(h),
		ShimSpin:       spinOr(opts.ShimSpin, DefaultShimSpin),
	})
	if err != nil {
		return ExitStatus{}, err
	}
	defer reg.Close()
	logw := opts.Log
	if logw == nil {
		logw = os.Stderr
	}
	srv := NewServer(reg, h, ServerConfig{Spin: spinOr(opts.ServerSpin, DefaultServerSpin), Log: logw})
	srv.Start()
	defer func() {
		srv.Stop()
		if opts.Stats != nil {
			*opts.Stats = srv.Stats()
		}
	}()
	return spawn(prog, path, args, opts, shimPath, reg.Fd(), st.Fd())
}

func spinOr(v, def int) int {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return def
	}
	return v
}

// memfdBase is where the two memfds go in the managed program: far above
// the descriptors programs hand their own children by position (Go's
// exec.Cmd.ExtraFiles start at 3, shells' redirections at 3..9), which
// would replace them under an exec'd image's shim, and within the 1024 a
// default RLIMIT_NOFILE allows.
const memfdBase = 500

// spawn starts the program with the shim preloaded and the two memfds at
// fds memfdBase and memfdBase+1, and waits for it.
func spawn(prog, path string, args []string, opts Options, shimPath string, regionFd, stateFd int) (ExitStatus, error) {
	// ExtraFiles[i] becomes fd 3+i; nil entries are closed in the child.
	files := make([]*os.File, memfdBase-3, memfdBase-1)
	for _, fd := range []int{regionFd, stateFd} {
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return ExitStatus{}, fmt.Errorf("siglab: dup: %w", err)
		}
		f := os.NewFile(uintptr(dup), "siglab-memfd")
		defer f.Close()
		files = append(files, f)
	}
	cmd := exec.Command(path, args...)
	cmd.Args[0] = prog // argv[0] as the caller wrote it, as a shell would pass it
	cmd.Dir = opts.Dir
	cmd.ExtraFiles = files
	cmd.Env = preloadEnv(opts.Env, shimPath, memfdBase, memfdBase+1)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
	if cmd.Stdin == nil {
		cmd.Stdin = os.Stdin
	}
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	// PR_SET_PDEATHSIG: no managed process outlives the emulator. The
	// signal fires when the *thread* that forked dies, so that thread stays
	// locked to this goroutine until the program is reaped.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		return ExitStatus{}, fmt.Errorf("siglab: starting %s: %w", path, err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return ExitStatus{}, fmt.Errorf("siglab: waiting for %s: %w", path, err)
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		return ExitStatus{}, fmt.Errorf("siglab: no wait status for %s", path)
	}
	if ws.Signaled() {
		return ExitStatus{Signal: ws.Signal(), Core: ws.CoreDump()}, nil
	}
	return ExitStatus{Code: ws.ExitStatus()}, nil
}

// preloadEnv is env with the shim first in LD_PRELOAD (the program's own
// preloads kept after it) and the shim's fd variables set.
func preloadEnv(env []string, shimPath string, regionFd, stateFd int) []string {
	if env == nil {
		env = os.Environ()
	}
	out := make([]string, 0, len(env)+3)
	preload := shimPath
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "LD_PRELOAD="):
			if old := strings.TrimPrefix(kv, "LD_PRELOAD="); old != "" {
				preload += ":" + old
			}
		case strings.HasPrefix(kv, shim.EnvShmFd+"="), strings.HasPrefix(kv, shim.EnvStateFd+"="):
		default:
			out = append(out, kv)
		}
	}
	return append(out, "LD_PRELOAD="+preload,
		fmt.Sprintf("%s=%d", shim.EnvShmFd, regionFd),
		fmt.Sprintf("%s=%d", shim.EnvStateFd, stateFd))
}

// Exit ends the calling process the way the program ended: os.Exit with its
// code, or — for a program killed by a signal — by the same signal, with
// its default action restored and the signal unblocked, so that the shell
// that started siglab sees 128+signo and a core flag where there was one
// (signal(7)). It falls back to os.Exit(128+signo) if the signal does not
// kill (a stop signal, say).
func (e ExitStatus) Exit() {
	if !e.Signaled() {
		os.Exit(e.Code)
	}
	signal.Reset(e.Signal)
	// signal.Reset gives the Go runtime its own handler back, and for the
	// signals it handles itself (SIGABRT, SIGQUIT, the faults) that
	// handler prints a traceback and exits 2: install SIG_DFL in the
	// kernel directly (struct kernel_sigaction, all zero), as we are
	// about to die by it.
	var dfl [4]uint64
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(e.Signal), uintptr(unsafe.Pointer(&dfl[0])), 0, 8, 0, 0)
	var set unix.Sigset_t
	set.Val[(int(e.Signal)-1)/64] |= 1 << (uint(e.Signal-1) % 64)
	unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil)
	unix.Kill(os.Getpid(), e.Signal)
	time.Sleep(100 * time.Millisecond)
	os.Exit(e.ShellCode())
}
