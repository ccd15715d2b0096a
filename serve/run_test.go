package serve

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/shim"
)

// The scenario programs live with the shim (shim/testdata); each is
// compiled once per test binary and run natively and under Run: stdout and
// exit status must be identical, and the server must have served the
// syscalls the program makes (proof that it ran emulated, not natively).

var testdata = filepath.Join("..", "shim", "testdata")

var built struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

// buildC compiles shim/testdata/name.c (extra flags after) once.
func buildC(t testing.TB, name string, flags ...string) string {
	t.Helper()
	cc := "cc"
	if v := strings.Fields(os.Getenv("CC")); len(v) > 0 {
		cc = v[0]
	}
	if _, err := exec.LookPath(cc); err != nil {
		t.Skipf("no C compiler (%s)", cc)
	}
	built.Lock()
	defer built.Unlock()
	key := name + strings.Join(flags, " ")
	if p, ok := built.paths[key]; ok {
		return p
	}
	if built.dir == "" {
		d, err := os.MkdirTemp("", "siglab-serve-test-")
		if err != nil {
			t.Fatal(err)
		}
		built.dir = d
		built.paths = map[string]string{}
	}
	out := filepath.Join(built.dir, name+strings.ReplaceAll(strings.Join(flags, ""), "-", "_"))
	args := append([]string{"-O2", "-Wall", "-o", out, filepath.Join(testdata, name+".c")}, flags...)
	if msg, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, msg)
	}
	built.paths[key] = out
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// native runs path directly and returns its stdout and exit status.
func native(t *testing.T, path string, args ...string) ([]byte, ExitStatus) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("native %s: %v", path, err)
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return out.Bytes(), ExitStatus{Signal: ws.Signal(), Core: ws.CoreDump()}
	}
	return out.Bytes(), ExitStatus{Code: ws.ExitStatus()}
}

// emulated runs path under Run with pass-through and returns stdout,
// status and the server's counts.
func emulated(t *testing.T, opts Options, path string, args ...string) ([]byte, ExitStatus, Stats) {
	t.Helper()
	var out bytes.Buffer
	var stats Stats
	opts.Stdout, opts.Stderr, opts.Stats = &out, os.Stderr, &stats
	opts.Stdin = bytes.NewReader(nil)
	st, err := Run(path, args, opts)
	if err != nil {
		t.Fatalf("Run %s: %v", path, err)
	}
	return out.Bytes(), st, stats
}

func compare(t *testing.T, path string, opts Options, args ...string) Stats {
	t.Helper()
	nOut, nSt := native(t, path, args...)
	eOut, eSt, stats := emulated(t, opts, path, args...)
	if !bytes.Equal(nOut, eOut) {
		t.Errorf("stdout differs\nnative:\n%s\nemulated:\n%s", nOut, eOut)
	}
	if nSt != eSt {
		t.Errorf("status differs: native %v, emulated %v", nSt, eSt)
	}
	if stats.Faults != 0 {
		t.Errorf("%d server faults, last: %v", stats.Faults, stats.LastFault)
	}
	return stats
}

func TestRunBasic(t *testing.T) {
	for _, layout := range []string{"bitmap", "flat"} {
		t.Run(layout, func(t *testing.T) {
			stats := compare(t, buildC(t, "basic"), Options{Layout: layout})
			// basic.c makes 1001 getppid, 1000 kill(self, 0), ≥ 2000
			// rt_sigprocmask and ≥ 1000 rt_sigaction calls: all must have
			// been trapped and served.
			for nr, min := range map[int]int64{
				unix.SYS_GETPPID: 1001, unix.SYS_KILL: 1000,
				unix.SYS_RT_SIGPROCMASK: 2000, unix.SYS_RT_SIGACTION: 1000,
			} {
				if got := stats.Syscalls[nr]; got < min {
					t.Errorf("syscall %d served %d times, want ≥ %d", nr, got, min)
				}
			}
			if stats.Threads != 1 {
				t.Errorf("threads attached = %d, want 1", stats.Threads)
			}
		})
	}
}

func TestRunThreads(t *testing.T) {
	// Few channels, so exited threads' channels must be reclaimed for
	// later threads to register.
	stats := compare(t, buildC(t, "threads", "-pthread"), Options{Channels: 6})
	if stats.Threads != 1+8*3 {
		t.Errorf("threads attached = %d, want 25", stats.Threads)
	}
	if got := stats.Syscalls[unix.SYS_TGKILL]; got != 8*3*2000 {
		t.Errorf("tgkill served %d times, want %d", got, 8*3*2000)
	}
	// Every worker leaves through a trapped exit(2), whose channel is
	// reclaimed as soon as the thread is gone.
	if got := stats.Syscalls[unix.SYS_EXIT]; got != 8*3 {
		t.Errorf("exit served %d times, want %d", got, 8*3)
	}
}

func TestRunExitStatus(t *testing.T) {
	compare(t, buildC(t, "exit3"), Options{})
	_, st, _ := emulated(t, Options{}, buildC(t, "exit3"))
	if st.Code != 3 || st.Signaled() || st.ShellCode() != 3 {
		t.Errorf("status %+v, want exit 3", st)
	}
}

func TestRunKilledBySignal(t *testing.T) {
	stats := compare(t, buildC(t, "sigterm"), Options{})
	_, st, _ := emulated(t, Options{}, buildC(t, "sigterm"))
	if st.Signal != syscall.SIGTERM || st.ShellCode() != 128+int(syscall.SIGTERM) {
		t.Errorf("status %+v (%v), want killed by SIGTERM, shell code 143", st, st)
	}
	if stats.Syscalls[unix.SYS_KILL] != 1 {
		t.Errorf("kill served %d times, want 1", stats.Syscalls[unix.SYS_KILL])
	}
}

func TestRunStaticRefused(t *testing.T) {
	path := buildC(t, "static", "-static")
	_, err := Run(path, nil, Options{Stdin: bytes.NewReader(nil), Stdout: new(bytes.Buffer), Stderr: new(bytes.Buffer)})
	if !errors.Is(err, ErrStatic) {
		t.Fatalf("Run(static) error = %v, want ErrStatic", err)
	}
	if !strings.Contains(err.Error(), "-ldflags=-linkmode=external") {
		t.Errorf("error does not name the fix: %v", err)
	}
}

// buildGoSignal builds shim/testdata/gosignal dynamically linked (cgo,
// external linking, so LD_PRELOAD applies), skipping in -short mode and
// without a C compiler.
func buildGoSignal(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("cgo needs a C compiler")
	}
	bin := filepath.Join(t.TempDir(), "gosignal")
	cmd := exec.Command("go", "build", "-ldflags=-linkmode=external", "-o", bin, "./"+filepath.ToSlash(filepath.Join(testdata, "gosignal")))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	return bin
}

// TestRunGoProgram runs a cgo-linked Go program — goroutines spinning
// without calls while GC runs (async preemption by SIGURG), and os/signal —
// to completion under the shim.
func TestRunGoProgram(t *testing.T) {
	bin := buildGoSignal(t)
	stats := compare(t, bin, Options{})
	if stats.Threads < 2 {
		t.Errorf("threads attached = %d, want the Go runtime's several", stats.Threads)
	}
	if stats.Syscalls[unix.SYS_RT_SIGACTION] == 0 || stats.Syscalls[unix.SYS_KILL] < 5 {
		t.Errorf("Go runtime's signal syscalls not served: %v", stats.Syscalls)
	}
}

func TestPreloadEnv(t *testing.T) {
	env := preloadEnv([]string{"A=1", "LD_PRELOAD=/x.so", "SIGLAB_SHM_FD=9"}, "/shim.so", 3, 4)
	want := []string{"A=1", "LD_PRELOAD=/shim.so:/x.so", "SIGLAB_SHM_FD=3", "SIGLAB_STATE_FD=4"}
	if strings.Join(env, " ") != strings.Join(want, " ") {
		t.Errorf("preloadEnv = %q, want %q", env, want)
	}
}

func TestRunForkExec(t *testing.T) {
	stats := compare(t, buildC(t, "forkexec"), Options{})
	// The parent, the fork child (registered anew), the exec'd image
	// (shimmed again, through the filter its predecessor installed).
	if stats.Threads != 3 {
		t.Errorf("threads attached = %d, want 3", stats.Threads)
	}
	if got := stats.Syscalls[unix.SYS_GETPPID]; got != 201 {
		t.Errorf("getppid served %d times, want 201", got)
	}
}

// TestPreloadOutsideSiglab: the shim preloaded without the emulator's
// memfds stays out of the way.
func TestPreloadOutsideSiglab(t *testing.T) {
	path := buildC(t, "basic")
	so, err := shim.Path()
	if err != nil {
		t.Fatal(err)
	}
	want, wantSt := native(t, path)
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), "LD_PRELOAD="+so)
	got, err := cmd.Output()
	if err != nil || !bytes.Equal(got, want) || wantSt.Code != 0 {
		t.Errorf("preloaded outside siglab: %v\n%s\nwant\n%s", err, got, want)
	}
}

// TestExitStatusExit runs this test binary as a child that calls Exit, and
// checks the parent sees the same ending.
func TestExitStatusExit(t *testing.T) {
	if v := os.Getenv("SIGLAB_TEST_EXIT"); v != "" {
		switch v {
		case "code":
			ExitStatus{Code: 3}.Exit()
		case "term":
			ExitStatus{Signal: syscall.SIGTERM}.Exit()
		}
		return
	}
	for mode, want := range map[string]ExitStatus{"code": {Code: 3}, "term": {Signal: syscall.SIGTERM}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExitStatusExit$")
		cmd.Env = append(os.Environ(), "SIGLAB_TEST_EXIT="+mode)
		cmd.Run()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		got := ExitStatus{Code: ws.ExitStatus()}
		if ws.Signaled() {
			got = ExitStatus{Signal: ws.Signal()}
		}
		if got != want {
			t.Errorf("%s: child ended with %v, want %v", mode, got, want)
		}
	}
}
