package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"siglab/fastpath"
)

// How the conformance scenarios are found, built and run. The tests
// themselves are in conformance_test.go.

// conformanceDir holds the scenarios: name.c for a C program (sharing
// conf.h), name/ with package main for a Go program.
var conformanceDir = filepath.Join("testdata", "conformance")

// conformanceEndings lists the scenarios that end by a signal by design;
// every other scenario exits 0 natively when all of its checks held (and
// 1, after printing "FAIL" lines, when one did not).
var conformanceEndings = map[string]ExitStatus{
	"sigterm_default": {Signal: syscall.SIGTERM},
	"abort":           {Signal: syscall.SIGABRT},
	"go_ignore_reset": {Signal: syscall.SIGHUP},
}

// Per-run limits. A scenario that outlives them is killed (every process
// running its binary, see killByExe) and reported as timed out: a hang is
// a failure with a name, never a stuck test binary.
// SIGLAB_CONFORMANCE_TIMEOUT (a Go duration) overrides the emulated one.
const (
	conformanceNativeTimeout   = 30 * time.Second
	conformanceEmulatedTimeout = 60 * time.Second
)

func emulatedTimeout() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("SIGLAB_CONFORMANCE_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return conformanceEmulatedTimeout
}

type scenario struct {
	name  string
	goDir bool // a Go program in its own directory
}

// conformanceScenarios lists the scenarios in name order.
func conformanceScenarios(t testing.TB) []scenario {
	t.Helper()
	ents, err := os.ReadDir(conformanceDir)
	if err != nil {
		t.Fatal(err)
	}
	var scs []scenario
	for _, e := range ents {
		switch {
		case e.IsDir():
			if _, err := os.Stat(filepath.Join(conformanceDir, e.Name(), "main.go")); err == nil {
				scs = append(scs, scenario{name: e.Name(), goDir: true})
			}
		case strings.HasSuffix(e.Name(), ".c"):
			scs = append(scs, scenario{name: strings.TrimSuffix(e.Name(), ".c")})
		}
	}
	sort.Slice(scs, func(i, j int) bool { return scs[i].name < scs[j].name })
	return scs
}

// conformanceBuilds caches one build per scenario for the whole test
// binary (both tests use the same binaries), in the directory TestMain
// removes (run_test.go's built.dir).
var conformanceBuilds struct {
	sync.Mutex
	m map[string]*conformanceBuild
}

type conformanceBuild struct {
	once sync.Once
	path string
	err  error
	skip string
}

func conformanceBinDir() (string, error) {
	built.Lock()
	defer built.Unlock()
	if built.dir == "" {
		d, err := os.MkdirTemp("", "siglab-serve-test-")
		if err != nil {
			return "", err
		}
		built.dir = d
		built.paths = map[string]string{}
	}
	dir := filepath.Join(built.dir, "conformance")
	return dir, os.MkdirAll(dir, 0o755)
}

// buildScenario compiles sc once: C with cc -O1 -Wall -pthread -lrt, Go
// with cgo and external linking (so that LD_PRELOAD applies). The path is
// absolute and unique to this test binary, which is what lets the
// watchdog find the scenario's processes by their executable.
func buildScenario(t testing.TB, sc scenario) string {
	t.Helper()
	conformanceBuilds.Lock()
	if conformanceBuilds.m == nil {
		conformanceBuilds.m = map[string]*conformanceBuild{}
	}
	b := conformanceBuilds.m[sc.name]
	if b == nil {
		b = &conformanceBuild{}
		conformanceBuilds.m[sc.name] = b
	}
	conformanceBuilds.Unlock()
	b.once.Do(func() { b.path, b.skip, b.err = compileScenario(sc) })
	if b.skip != "" {
		t.Skip(b.skip)
	}
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func compileScenario(sc scenario) (path, skip string, err error) {
	cc := "cc"
	if v := strings.Fields(os.Getenv("CC")); len(v) > 0 {
		cc = v[0]
	}
	if _, err := exec.LookPath(cc); err != nil {
		return "", fmt.Sprintf("no C compiler (%s)", cc), nil
	}
	dir, err := conformanceBinDir()
	if err == nil {
		// /proc/PID/exe is the resolved path: resolve ours too.
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return "", "", err
	}
	src, err := filepath.Abs(conformanceDir)
	if err != nil {
		return "", "", err
	}
	out := filepath.Join(dir, sc.name)
	var cmd *exec.Cmd
	if sc.goDir {
		if testing.Short() {
			return "", "builds a Go program (not in -short)", nil
		}
		cmd = exec.Command("go", "build", "-ldflags=-linkmode=external", "-o", out, "./"+filepath.ToSlash(filepath.Join(conformanceDir, sc.name)))
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	} else {
		cmd = exec.Command(cc, "-O1", "-Wall", "-pthread", "-I", src, "-o", out, filepath.Join(src, sc.name+".c"), "-lrt")
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building %s: %s: %v\n%s", sc.name, strings.Join(cmd.Args, " "), err, msg)
	}
	return out, "", nil
}

// conformanceRun is one run of a scenario.
type conformanceRun struct {
	stdout, stderr []byte
	status         ExitStatus
	stats          Stats        // emulated runs only
	trace          bytes.Buffer // emulated runs only: the --trace log
	timedOut       bool
}

// runNative runs bin directly.
func runNative(bin string) (r conformanceRun, err error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stdout, cmd.Stderr = &out, &errb
	defer watchdog(bin, conformanceNativeTimeout, &r.timedOut)()
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return r, fmt.Errorf("native %s: %w", bin, err)
	}
	r.stdout, r.stderr = out.Bytes(), errb.Bytes()
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		r.status = ExitStatus{Signal: ws.Signal(), Core: ws.CoreDump()}
	} else {
		r.status = ExitStatus{Code: ws.ExitStatus()}
	}
	return r, nil
}

// runEmulated runs bin under Run with conformanceHandler and layout.
func runEmulated(bin, layout string, traced bool) (r conformanceRun, err error) {
	var out, errb bytes.Buffer
	defer watchdog(bin, emulatedTimeout(), &r.timedOut)()
	var trace io.Writer
	if traced {
		trace = &r.trace
	}
	st, err := Run(bin, nil, Options{
		Layout: layout,
		NewHandler: func(st fastpath.State) (Handler, error) {
			return conformanceHandler(st, trace)
		},
		Stdin: bytes.NewReader(nil), Stdout: &out, Stderr: &errb, Log: &errb,
		Stats: &r.stats,
	})
	if err != nil {
		return r, err
	}
	r.stdout, r.stderr, r.status = out.Bytes(), errb.Bytes(), st
	return r, nil
}

// tracedRerun runs a scenario that failed untraced once more with the
// trace on, for the events it shows (the failure may not recur: the
// traced emulator takes every handler return itself).
func tracedRerun(bin, layout string, traced bool) string {
	if traced {
		return ""
	}
	r, err := runEmulated(bin, layout, true)
	if err != nil {
		return fmt.Sprintf("\ntraced rerun: %v", err)
	}
	return "\ntraced rerun: " + r.describe()
}

// watchdog kills bin's processes if the run lasts longer than d, and
// records that it did in *fired; the returned func disarms it (deferred
// by the run functions, whose named result *fired is part of).
func watchdog(bin string, d time.Duration, fired *bool) func() {
	var hit atomic.Bool
	tm := time.AfterFunc(d, func() {
		hit.Store(true)
		killByExe(bin)
	})
	return func() {
		tm.Stop()
		*fired = hit.Load()
	}
}

// killByExe SIGKILLs every process whose executable is bin — the
// scenario, its forked children and its exec'd images (a stopped one
// included) — and nothing else: bin is a path in this test binary's own
// temporary directory.
func killByExe(bin string) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil || pid <= 1 {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && strings.TrimSuffix(exe, " (deleted)") == bin {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// describe is a run's ending and output for a failure message.
func (r conformanceRun) describe() string {
	s := fmt.Sprintf("%v", r.status)
	if r.timedOut {
		s += " (timed out, killed)"
	}
	s += "\nstdout:\n" + string(r.stdout)
	if len(r.stderr) > 0 {
		s += "stderr:\n" + string(r.stderr)
	}
	if r.trace.Len() > 0 {
		s += "emulator trace (last 40 events):\n" + lastLines(r.trace.String(), 40)
	}
	return s
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "") + "\n"
}
