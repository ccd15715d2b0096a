package bench

// The go-stdlib suite: the Go standard library's own signal tests —
// os/signal, the signal and preemption tests of runtime, and runtime/pprof's
// CPU profiling tests — built from GOROOT as dynamically linked test
// binaries and run natively and under `siglab run` for every layout. These
// are tests written by the people who wrote the runtime's signal code,
// against the kernel; every one that passes natively and fails under the
// emulator is a difference between the emulator and Linux.
//
// Each run's -test.v output is read back into a verdict per test and
// subtest (gostdlib_parse.go); the suite writes go-stdlib-<mode>.txt (one
// Go benchmark-format result per package and run: wall time, CPU time, and
// the pass/fail/skip counts, so `siglab report` and benchstat compare modes
// as they compare layouts), and under go-stdlib/ the summary table and, for
// every run with a failing test, the tail of its output and — under
// emulation — the emulator's trace of signal events (`siglab run --trace`).
// Test failures are results, not errors: the suite stops only when it
// cannot build or start something.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// GoStdlibSuite is the --suite name of the suite.
const GoStdlibSuite = "go-stdlib"

// A StdlibPackage is one standard-library test binary and how it runs.
type StdlibPackage struct {
	Path string // import path, e.g. "os/signal"
	Run  string // -test.run pattern; empty runs every test
	// Short passes -test.short: os/signal's long stress variants and
	// runtime/pprof's 5-second profiles become 100 ms ones (pprof retries
	// with longer durations on its own when a short one is inconclusive).
	Short   bool
	Timeout time.Duration // -test.timeout
	Summary string
}

// StdlibPackages are the packages of the suite, in the order they run.
var StdlibPackages = []StdlibPackage{
	{Path: "os/signal", Short: true, Timeout: 3 * time.Minute,
		Summary: "Notify, Ignore, Reset, Stop, SIGCONT, nohup, signals to threads in syscalls, job control on a pty"},
	{Path: "runtime", Run: "Preempt|Signal", Timeout: 6 * time.Minute,
		Summary: "asynchronous preemption (SIGURG), signal masks across exec and cgo threads, exit statuses, SIGTRAP"},
	{Path: "runtime/pprof", Run: "TestCPUProfile", Short: true, Timeout: 6 * time.Minute,
		Summary: "CPU profiling with setitimer and per-thread timers (SIGPROF)"},
}

// LookupStdlibPackages resolves import paths; nil means all.
func LookupStdlibPackages(paths []string) ([]StdlibPackage, error) {
	if len(paths) == 0 {
		return StdlibPackages, nil
	}
	var out []StdlibPackage
	for _, p := range paths {
		found := false
		for _, sp := range StdlibPackages {
			if sp.Path == p {
				out, found = append(out, sp), true
			}
		}
		if !found {
			var known []string
			for _, sp := range StdlibPackages {
				known = append(known, sp.Path)
			}
			return nil, fmt.Errorf("unknown go-stdlib package %q (known: %s)", p, strings.Join(known, ", "))
		}
	}
	return out, nil
}

// args are the test binary's flags.
func (p StdlibPackage) args() []string {
	a := []string{"-test.v", "-test.timeout", p.Timeout.String()}
	if p.Run != "" {
		a = append(a, "-test.run", p.Run)
	}
	if p.Short {
		a = append(a, "-test.short")
	}
	return a
}

// name is the package as a benchmark name key value and file name part
// ("os.signal"): a '/' would split the benchmark name.
func (p StdlibPackage) name() string { return strings.ReplaceAll(p.Path, "/", ".") }

// GoStdlibOptions configure RunGoStdlib.
type GoStdlibOptions struct {
	Root     string          // module root (for the go stand-in's source)
	Packages []StdlibPackage // what to run
	// Modes are NativeMode and layout names; NativeMode first, the base of
	// the ratios and of "passes natively".
	Modes  []string
	Count  int // runs per package and mode
	OutDir string
	Env    RunEnv
	// Siglab is the siglab command for modes other than NativeMode.
	Siglab   string
	Progress io.Writer
}

// StdlibRun is one run of one package's tests in one mode.
type StdlibRun struct {
	Pkg      StdlibPackage
	Mode     string
	Round    int
	Verdicts TestVerdicts
	Wall     time.Duration
	CPU      time.Duration // of the whole run: test binary, its children, the emulator
	Exit     string        // "" for exit status 0, else how it ended
	Output   []byte        // stdout and stderr, interleaved
}

// GoStdlibTools are what RunGoStdlib builds: the test binaries by import
// path, and the directory holding the go stand-in.
type GoStdlibTools struct {
	GOROOT string
	Bins   map[string]string
	GoWrap string // directory to put first in $PATH
}

// BuildGoStdlib builds (or finds in the cache) the test binaries of pkgs and
// the go stand-in.
func BuildGoStdlib(ctx context.Context, root string, pkgs []StdlibPackage) (*GoStdlibTools, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT GOVERSION: %w", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return nil, fmt.Errorf("go env GOROOT GOVERSION printed %q", out)
	}
	t := &GoStdlibTools{GOROOT: f[0], Bins: map[string]string{}}
	for _, p := range pkgs {
		if t.Bins[p.Path], err = buildStdlibTest(ctx, t.GOROOT, f[1], p.Path); err != nil {
			return nil, err
		}
	}
	if t.GoWrap, err = buildGoWrap(ctx, root, f[1]); err != nil {
		return nil, err
	}
	return t, nil
}

// stdlibTestFlags build a test binary the shim can load into.
var stdlibTestFlags = []string{"-ldflags=-linkmode=external"}

// buildStdlibTest builds `go test -c` of pkg into the user cache directory,
// keyed by the Go version, GOROOT and the flags: GOROOT's sources change
// only with the Go version.
func buildStdlibTest(ctx context.Context, goroot, gover, pkg string) (string, error) {
	sum := sha256.Sum256([]byte(strings.Join(append([]string{gover, goroot, pkg}, stdlibTestFlags...), "\x00")))
	bin, err := cachePath("gostdlib", hex.EncodeToString(sum[:8]), strings.ReplaceAll(pkg, "/", "_")+".test")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
	args := append(append([]string{"test", "-c"}, stdlibTestFlags...), "-o", tmp, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Join(goroot, "src")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("building the %s tests (needs cgo and a C compiler for external linking): %v\n%s", pkg, err, out)
	}
	return bin, os.Rename(tmp, bin)
}

// buildGoWrap builds the go stand-in (testdata/gostdlib-gowrap) as a
// program named "go" in a directory of its own, keyed by its source.
func buildGoWrap(ctx context.Context, root, gover string) (string, error) {
	src := filepath.Join(root, "bench", "testdata", "gostdlib-gowrap")
	key, err := hashTree(src)
	if err != nil {
		return "", fmt.Errorf("hashing the go stand-in's source: %w", err)
	}
	sum := sha256.Sum256([]byte(key + gover))
	bin, err := cachePath("gostdlib-gowrap", hex.EncodeToString(sum[:8]), "go")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err == nil {
		return filepath.Dir(bin), nil
	}
	tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-linkmode=external", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("building the go stand-in: %v\n%s", err, out)
	}
	return filepath.Dir(bin), os.Rename(tmp, bin)
}

// cachePath is <user cache>/siglab/<kind>/<key>/<name>, its folder created.
func cachePath(kind, key, name string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "siglab", kind, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// A stdlibRunner runs test binaries with the go stand-in in place.
type stdlibRunner struct {
	tools  *GoStdlibTools
	server *goServer
	siglab string
}

// newStdlibRunner starts the go server; Close stops it.
func newStdlibRunner(tools *GoStdlibTools, siglab string) (*stdlibRunner, error) {
	dir, err := os.MkdirTemp("", "siglab-gostdlib")
	if err != nil {
		return nil, err
	}
	srv, err := startGoServer(filepath.Join(tools.GOROOT, "bin", "go"), dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &stdlibRunner{tools: tools, server: srv, siglab: siglab}, nil
}

func (r *stdlibRunner) Close() {
	r.server.Close()
	os.RemoveAll(filepath.Dir(r.server.sock))
}

// run runs pkg's tests once in mode, from the package's source folder as
// `go test` does (runtime's tests read testdata/ and build testprog from
// there). trace, if not empty, is where an emulated run's signal events go.
func (r *stdlibRunner) run(ctx context.Context, p StdlibPackage, mode, trace string) (StdlibRun, error) {
	run := StdlibRun{Pkg: p, Mode: mode}
	bin := r.tools.Bins[p.Path]
	if bin == "" {
		return run, fmt.Errorf("go-stdlib: %s was not built", p.Path)
	}
	// The test's own -test.timeout ends a hung run with a goroutine dump;
	// this one only catches a run that cannot even do that.
	ctx, cancel := context.WithTimeout(ctx, p.Timeout+time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if mode == NativeMode {
		cmd = exec.CommandContext(ctx, bin, p.args()...)
	} else {
		if r.siglab == "" {
			return run, fmt.Errorf("go-stdlib: mode %q runs under the emulator, and no siglab command was given", mode)
		}
		a := []string{"run", "--layout", mode}
		if trace != "" {
			a = append(a, "--trace", trace)
		}
		a = append(append(a, "--", bin), p.args()...)
		cmd = exec.CommandContext(ctx, r.siglab, a...)
	}
	cmd.Dir = filepath.Join(r.tools.GOROOT, "src", filepath.FromSlash(p.Path))
	cmd.Env = append(os.Environ(),
		"PATH="+r.tools.GoWrap+string(os.PathListSeparator)+os.Getenv("PATH"),
		goSockEnv+"="+r.server.sock)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// os/signal's tests stop and continue process groups and the terminal
	// test makes sessions; none of it may reach siglab's own group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdin = nil
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
	start := time.Now()
	err := cmd.Run()
	run.Wall = time.Since(start)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
	run.CPU = time.Duration(tvNanos(after.Utime) + tvNanos(after.Stime) - tvNanos(before.Utime) - tvNanos(before.Stime))
	run.Output = out.Bytes()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		run.Exit = ee.ProcessState.String()
		if ctx.Err() != nil {
			run.Exit += " (killed after " + (p.Timeout + time.Minute).String() + ")"
		}
	default:
		return run, fmt.Errorf("go-stdlib: running %s (%s): %w", p.Path, mode, err)
	}
	if run.Verdicts, err = ParseTestVerbose(bytes.NewReader(run.Output)); err != nil {
		return run, fmt.Errorf("go-stdlib: reading the output of %s (%s): %w", p.Path, mode, err)
	}
	return run, nil
}

// Failed reports whether the run has a failing test or a bad exit.
func (r StdlibRun) Failed() bool {
	_, fail, _ := r.Verdicts.Count()
	return fail > 0 || r.Exit != ""
}

// benchLine is the run as one Go benchmark-format result.
func (r StdlibRun) benchLine() string {
	pass, fail, skip := r.Verdicts.Count()
	return fmt.Sprintf("BenchmarkGoStdlib/pkg=%s-%d\t1\t%d ns/op\t%d cpu-ns/op\t%d pass\t%d fail\t%d skip",
		r.Pkg.name(), runtime.NumCPU(), r.Wall.Nanoseconds(), r.CPU.Nanoseconds(), pass, fail, skip)
}

// goStdlibDir is the folder of the suite's table, output tails and traces
// inside the result folder. It holds no <suite>-<layout>.txt file, which
// `siglab report` would read as benchmark results.
const goStdlibDir = "go-stdlib"

// RunGoStdlib builds the test binaries and runs every package Count times in
// every mode, alternating modes (A B C A B C …) so drift hits all alike. It
// writes <OutDir>/go-stdlib-<mode>.txt and <OutDir>/go-stdlib/{table.txt,
// <pkg>-<mode>-r<N>.tail, <pkg>-<mode>-r<N>.trace}, and returns every run.
func RunGoStdlib(ctx context.Context, o GoStdlibOptions) ([]StdlibRun, error) {
	if o.Count < 1 || len(o.Modes) == 0 || len(o.Packages) == 0 {
		return nil, fmt.Errorf("go-stdlib: need at least one run, one mode and one package")
	}
	for _, m := range o.Modes {
		if m != NativeMode && o.Siglab == "" {
			return nil, fmt.Errorf("go-stdlib: mode %q runs under the emulator, and no siglab command was given", m)
		}
	}
	detail := filepath.Join(o.OutDir, goStdlibDir)
	if err := os.MkdirAll(detail, 0o755); err != nil {
		return nil, err
	}
	prog := newRunProgress(o.Progress, o.Count*len(o.Packages)*len(o.Modes))
	prog.printf("building %d standard-library test binaries", len(o.Packages))
	tools, err := BuildGoStdlib(ctx, o.Root, o.Packages)
	if err != nil {
		return nil, err
	}
	r, err := newStdlibRunner(tools, o.Siglab)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	outs, _, err := createModeFiles(o.OutDir, GoStdlibSuite, "std", o.Modes, o.Env)
	if err != nil {
		return nil, err
	}
	defer closeAll(outs)
	var runs []StdlibRun
	for round := 1; round <= o.Count; round++ {
		for _, p := range o.Packages {
			for _, m := range o.Modes {
				prog.start(fmt.Sprintf("go-stdlib %s/%s round %d/%d", p.Path, m, round, o.Count))
				base := filepath.Join(detail, fmt.Sprintf("%s-%s-r%d", p.name(), m, round))
				trace := ""
				if m != NativeMode {
					trace = base + ".trace"
				}
				run, err := r.run(ctx, p, m, trace)
				if err != nil {
					return runs, err
				}
				run.Round = round
				runs = append(runs, run)
				if run.Failed() {
					if err := os.WriteFile(base+".tail", []byte(tail(string(run.Output), 1000)+"\n"), 0o644); err != nil {
						return runs, err
					}
				} else if trace != "" {
					os.Remove(trace) // only failures need explaining
				}
				line := run.benchLine()
				prog.result(line)
				if _, err := io.WriteString(outs[m], line+"\n"); err != nil {
					return runs, err
				}
				prog.done()
			}
		}
	}
	for _, f := range outs {
		if err := f.Close(); err != nil {
			return runs, err
		}
	}
	var table bytes.Buffer
	WriteGoStdlibTable(&table, runs, o.Modes)
	return runs, os.WriteFile(filepath.Join(detail, "table.txt"), table.Bytes(), 0o644)
}

// GoStdlibCount is the suite's runs per package and mode in `siglab bench`:
// a run is a whole test binary (seconds to a minute), and the verdicts, not
// the times, are the point.
const GoStdlibCount = 1

// RunGoStdlibSuite is the suite as `siglab bench --suite go-stdlib` runs it:
// every package (o.Packages nil), siglab's own binary for the emulated modes
// (o.Siglab empty), and the summary table printed to stdout.
func RunGoStdlibSuite(ctx context.Context, o GoStdlibOptions, stdout io.Writer) error {
	if o.Packages == nil {
		o.Packages = StdlibPackages
	}
	if o.Siglab == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding siglab's own binary to run tests under emulation: %w", err)
		}
		o.Siglab = self
	}
	runs, err := RunGoStdlib(ctx, o)
	if len(runs) > 0 {
		WriteGoStdlibTable(stdout, runs, o.Modes)
		fmt.Fprintln(stdout)
	}
	return err
}
