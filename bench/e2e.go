package bench

// The end-to-end suite: real Go programs (workloads/go-preempt) whose
// runtime leans on signals, run natively and under the emulator for every
// layout, alternating modes run by run (A B C A B C …) so that drift on a
// shared machine hits every mode alike. Each run is one Go benchmark-format
// result — wall time as ns/op, CPU time of the whole run (the program, and
// the emulator when there is one) as cpu-ns/op, and every metric the
// workload printed on its result line — in e2e-<mode>.txt, mode "native"
// or a layout name, so the layout tables compare native against each
// layout exactly as they compare layouts.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	gopreempt "siglab/workloads/go-preempt"
)

// A Workload is one program of workloads/go-preempt and the arguments of a
// default and of a --quick run.
type Workload struct {
	Name        string
	Args, Quick []string
	Summary     string
	// ProfileFlag is the flag with which the workload writes its own CPU
	// profile to a file ("-o" for profile), or "" when it writes none. The
	// e2e suite keeps that profile for every mode, to compare the managed
	// program's view of itself native and emulated (CompareManagedProfiles).
	ProfileFlag string
}

// Workloads are the end-to-end programs, in the order they run.
var Workloads = []Workload{
	{Name: "spin-gc", Quick: []string{"-work=300000000"},
		Summary: "call-free spinners while GC runs: only SIGURG preemption lets it stop the world"},
	{Name: "fair", Quick: []string{"-work=800000000"},
		Summary: "more spinners than Ps: how evenly preemption shares the CPU"},
	{Name: "mix", Quick: []string{"-spin-work=150000000", "-float-rounds=1", "-vector-rounds=100000000",
		"-alloc-rounds=2", "-pipe-seqs=400000", "-sleeps=150"},
		Summary: "spin, float, AVX2, allocation and I/O at once: register state across signals"},
	{Name: "profile", Quick: []string{"-work=600000000"}, ProfileFlag: "-o",
		Summary: "runtime/pprof CPU profiling: SIGPROF from setitimer and per-thread timers"},
	{Name: "notify", Quick: []string{"-self=100", "-child=100"},
		Summary: "os/signal.Notify counts from itself and a child, exact"},
	{Name: "syscall-storm", Quick: []string{"-bytes=4194304", "-sleeps=200"},
		Summary: "blocking pipe I/O and sleeps under preemption: no lost bytes, no EINTR"},
}

// NativeMode is the e2e mode that runs a workload without the emulator.
const NativeMode = "native"

// E2EOptions configure RunE2E.
type E2EOptions struct {
	Root      string     // module root
	Workloads []Workload // what to run
	// Modes are NativeMode and layout names; the first is the base of the
	// comparison tables (put NativeMode first).
	Modes  []string
	Count  int  // runs per workload and mode
	Quick  bool // use each workload's Quick arguments
	OutDir string
	Env    RunEnv
	// Siglab is the siglab command that runs a program under emulation
	// (`Siglab run --layout L -- PROG ARGS…`); needed for any mode other
	// than NativeMode.
	Siglab   string
	Progress io.Writer
	// Profile profiles the emulator in every emulated run (siglab run
	// --cpuprofile) and keeps EmulatorProfileFile for each workload and
	// layout, the rounds merged (ReportEmulatorProfiles reads them).
	Profile bool
	// Timeout bounds each run (zero: DefaultRunTimeout).
	Timeout time.Duration
}

// RunE2E builds the workloads and runs each Count times in every mode,
// writing <OutDir>/e2e-<mode>.txt, the managed program's own CPU profile
// of a workload that writes one (ManagedProfileFile) and, with Profile, the
// emulator's (EmulatorProfileFile), each merged over the rounds. A run
// that fails its self-check, or exits badly, stops the suite with an error
// naming the workload, the mode and why (RunStress counts failures
// instead).
func RunE2E(ctx context.Context, o E2EOptions) ([]string, error) {
	if o.Count < 1 || len(o.Modes) == 0 || len(o.Workloads) == 0 {
		return nil, fmt.Errorf("e2e: need at least one run, one mode and one workload")
	}
	for _, m := range o.Modes {
		if m != NativeMode && o.Siglab == "" {
			return nil, fmt.Errorf("e2e: mode %q runs under the emulator, and no siglab command was given", m)
		}
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	// Rounds merge into the kept profiles: start them afresh, as the
	// result files are, or a second run into the same folder would add
	// to the first one's.
	for _, w := range o.Workloads {
		for _, m := range o.Modes {
			for _, f := range []string{EmulatorProfileFile(w.Name, m), ManagedProfileFile(w.Name, m), E2ELatencyFile(w.Name, m)} {
				if err := os.Remove(filepath.Join(o.OutDir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, err
				}
			}
		}
	}
	prog := newRunProgress(o.Progress, o.Count*len(o.Workloads)*len(o.Modes))
	prog.printf("building %d workloads", len(o.Workloads))
	bins, err := BuildWorkloads(ctx, o.Root, o.Workloads)
	if err != nil {
		return nil, err
	}
	outs, files, err := createModeFiles(o.OutDir, E2ESuite, "siglab/workloads/go-preempt", o.Modes, o.Env)
	if err != nil {
		return nil, err
	}
	defer closeAll(outs)
	for round := 1; round <= o.Count; round++ {
		for _, w := range o.Workloads {
			for _, m := range o.Modes {
				prog.start(fmt.Sprintf("e2e %s/%s round %d/%d", w.Name, m, round, o.Count))
				line, err := runWorkload(ctx, bins[w.Name], w, m, o)
				if err != nil {
					return nil, err
				}
				prog.result(line)
				if _, err := io.WriteString(outs[m], line+"\n"); err != nil {
					return nil, err
				}
				prog.done()
			}
		}
	}
	for _, f := range outs {
		if err := f.Close(); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// runWorkload runs one workload once and returns its benchmark line. With
// o.Profile, an emulated run also profiles the emulator (siglab run
// --cpuprofile), and the rounds' profiles are merged into
// EmulatorProfileFile; a workload that writes its own CPU profile
// (ProfileFlag) keeps it in ManagedProfileFile for every mode.
func runWorkload(ctx context.Context, bin string, w Workload, mode string, o E2EOptions) (string, error) {
	var runArgs, progArgs []string
	var keep []profileKeep
	if o.Profile && mode != NativeMode {
		tmp := filepath.Join(o.OutDir, fmt.Sprintf(".emulator-%s-%s.pb.gz.tmp", w.Name, mode))
		runArgs = []string{"--cpuprofile", tmp}
		keep = append(keep, profileKeep{tmp, filepath.Join(o.OutDir, EmulatorProfileFile(w.Name, mode))})
	}
	var latTmp, statsTmp string
	if mode != NativeMode {
		latTmp = filepath.Join(o.OutDir, fmt.Sprintf(".latency-%s-%s.tmp", w.Name, mode))
		statsTmp = filepath.Join(o.OutDir, fmt.Sprintf(".stats-%s-%s.tmp", w.Name, mode))
		runArgs = append(runArgs, "--latency", latTmp, "--stats", statsTmp)
		defer os.Remove(statsTmp)
	}
	if w.ProfileFlag != "" {
		tmp := filepath.Join(o.OutDir, fmt.Sprintf(".managed-%s-%s.pb.gz.tmp", w.Name, mode))
		progArgs = []string{w.ProfileFlag + "=" + tmp}
		keep = append(keep, profileKeep{tmp, filepath.Join(o.OutDir, ManagedProfileFile(w.Name, mode))})
	}
	r := execWorkload(ctx, runSpec{bin: bin, w: w, mode: mode, quick: o.Quick, siglab: o.Siglab,
		runArgs: runArgs, progArgs: progArgs, timeout: o.Timeout})
	if why := r.failure(); why != "" {
		for _, k := range keep {
			os.Remove(k.tmp)
		}
		if latTmp != "" {
			os.Remove(latTmp)
		}
		return "", fmt.Errorf("e2e %s (%s): %s\n%s", w.Name, mode, why, tail(r.stderr, 20))
	}
	for _, k := range keep {
		if err := mergeProfileInto(k.dst, k.tmp); err != nil {
			return "", fmt.Errorf("e2e %s (%s): %w", w.Name, mode, err)
		}
	}
	if statsTmp != "" {
		// The emulator's side of the run, as rates over its wall time:
		// emulated syscalls, deliveries (one latency sample each) and
		// slow-path requests per second.
		if err := addEmulatorRates(r.res.Metrics, statsTmp, latTmp, r.wall); err != nil {
			return "", fmt.Errorf("e2e %s (%s): %w", w.Name, mode, err)
		}
	}
	if latTmp != "" {
		if err := appendLatency(filepath.Join(o.OutDir, E2ELatencyFile(w.Name, mode)), latTmp); err != nil {
			return "", fmt.Errorf("e2e %s (%s): delivery latency: %w", w.Name, mode, err)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "BenchmarkWorkload/name=%s-%d\t1\t%d ns/op\t%d cpu-ns/op", w.Name, runtime.NumCPU(), r.wall.Nanoseconds(), r.cpu.Nanoseconds())
	keys := make([]string, 0, len(r.res.Metrics))
	for k := range r.res.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\t%g %s", r.res.Metrics[k], k)
	}
	return b.String(), nil
}

// A runSpec is one run of one workload in one mode.
type runSpec struct {
	bin      string // the workload's binary
	w        Workload
	mode     string // NativeMode or a layout
	quick    bool
	siglab   string        // the siglab command, for emulated modes
	runArgs  []string      // extra flags of `siglab run`, before --
	progArgs []string      // extra arguments of the workload, after its own
	timeout  time.Duration // zero: DefaultRunTimeout
}

// DefaultRunTimeout bounds one workload run: a run that loses a wake-up
// can wait forever, and a stress test must record it as a failure and go
// on rather than hang. Runs take seconds; the bound is generous.
const DefaultRunTimeout = 5 * time.Minute

// A workloadRun is what one run of a workload did: its output, how it
// ended, its times, and its result line.
type workloadRun struct {
	argv           []string // the command line
	stdout, stderr string
	wall, cpu      time.Duration
	runErr         error // from exec: a bad exit, a signal, or a failure to start
	timedOut       bool
	res            gopreempt.Result
	found          bool  // a result line was printed
	parseErr       error // a result line could not be read
}

// execWorkload runs s once. The CPU time is the whole run's — the program
// and, under emulation, siglab — from getrusage(RUSAGE_CHILDREN).
func execWorkload(ctx context.Context, s runSpec) workloadRun {
	args := s.w.Args
	if s.quick {
		args = s.w.Quick
	}
	args = append(append([]string(nil), args...), s.progArgs...)
	argv := append([]string{s.bin}, args...)
	if s.mode != NativeMode {
		argv = append(append(append([]string{s.siglab, "run", "--layout", s.mode}, s.runArgs...), "--"), argv...)
	}
	timeout := s.timeout
	if timeout <= 0 {
		timeout = DefaultRunTimeout
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	// A killed run's own children may hold its pipes open; do not wait on
	// them for long (a managed program dies with siglab: PR_SET_PDEATHSIG).
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
	r := workloadRun{argv: argv, stdout: stdout.String(), stderr: stderr.String(), wall: wall, runErr: runErr,
		timedOut: runCtx.Err() == context.DeadlineExceeded && ctx.Err() == nil}
	r.cpu = time.Duration(tvNanos(after.Utime) + tvNanos(after.Stime) - tvNanos(before.Utime) - tvNanos(before.Stime))
	if runErr != nil && timeout > 0 && r.timedOut {
		r.runErr = fmt.Errorf("timed out after %s and was killed", timeout)
	}
	for _, l := range strings.Split(r.stdout, "\n") {
		res, ok, err := gopreempt.ParseResult(l)
		if err != nil && r.parseErr == nil {
			r.parseErr = err
		}
		if ok && err == nil {
			r.res, r.found = res, true
		}
	}
	return r
}

// failure says why the run failed, or "" when it passed: it exited 0 and
// printed a readable result line whose self-check is ok.
func (r workloadRun) failure() string {
	switch {
	case r.timedOut:
		return r.runErr.Error()
	case r.parseErr != nil:
		return r.parseErr.Error()
	case r.found && !r.res.OK:
		return "failed its self-check: " + r.res.Why
	case r.runErr != nil && !r.found:
		return r.runErr.Error() + ", and printed no result line"
	case r.runErr != nil:
		return r.runErr.Error()
	case !r.found:
		return "printed no result line"
	}
	return ""
}

// exitStatus is how the run ended, as os/exec words it ("exit status 1",
// "signal: killed").
func (r workloadRun) exitStatus() string {
	var ee *exec.ExitError
	switch {
	case r.runErr == nil:
		return "exit status 0"
	case errors.As(r.runErr, &ee):
		return ee.ProcessState.String()
	case r.timedOut:
		return r.runErr.Error()
	}
	return "did not run: " + r.runErr.Error()
}

func tvNanos(tv syscall.Timeval) int64 { return tv.Sec*1e9 + tv.Usec*1e3 }

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// cpuModel is the "model name" of /proc/cpuinfo, as the testing package
// prints it in its cpu: line.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// BuildWorkloads builds each workload with -ldflags=-linkmode=external —
// dynamically linked, so LD_PRELOAD brings the shim in — into the user
// cache directory, keyed by a hash of the workloads' sources and the Go
// version, like the shim: a second run reuses the binaries.
func BuildWorkloads(ctx context.Context, root string, ws []Workload) (map[string]string, error) {
	src := filepath.Join(root, "workloads", "go-preempt")
	key, err := hashTree(src)
	if err != nil {
		return nil, fmt.Errorf("hashing workload sources: %w", err)
	}
	gover, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOVERSION: %w", err)
	}
	sum := sha256.Sum256([]byte(key + string(gover)))
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cache, "siglab", "workloads", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bins := map[string]string{}
	for _, w := range ws {
		bin := filepath.Join(dir, w.Name)
		bins[w.Name] = bin
		if _, err := os.Stat(bin); err == nil {
			continue
		}
		tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
		cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-linkmode=external", "-o", tmp, "./workloads/go-preempt/"+w.Name)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("building workload %s (needs cgo and a C compiler for external linking): %v\n%s", w.Name, err, out)
		}
		if err := os.Rename(tmp, bin); err != nil {
			return nil, err
		}
	}
	return bins, nil
}

// hashTree hashes the names and contents of the source files under dir.
func hashTree(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".go", ".c", ".h", ".s":
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(data))
		h.Write(data)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// LookupWorkloads resolves workload names; nil means all.
func LookupWorkloads(names []string) ([]Workload, error) {
	if len(names) == 0 {
		return Workloads, nil
	}
	var out []Workload
	for _, n := range names {
		i := -1
		for j, w := range Workloads {
			if w.Name == n {
				i = j
			}
		}
		if i < 0 {
			var known []string
			for _, w := range Workloads {
				known = append(known, w.Name)
			}
			return nil, fmt.Errorf("unknown workload %q (known: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, Workloads[i])
	}
	return out, nil
}

// E2ESuite is the --suite name of the end-to-end suite, and E2ECount its
// runs per workload and mode by default: a run takes seconds, not
// nanoseconds, and the modes alternate, so fewer runs than the
// microbenchmarks' ten still compare (benchstat then shows no CI below 6).
const (
	E2ESuite = "e2e"
	E2ECount = 6
)

// createModeFiles creates <dir>/<suite>-<mode>.txt for each mode, each
// opened by the benchfmt lines a test binary would print (goos, goarch,
// pkg, cpu) and siglab's config lines, for the suites whose results siglab
// writes itself (e2e, go-stdlib). It returns the files by mode and their
// names in mode order; on an error the files made so far are closed.
func createModeFiles(dir, suite, pkg string, modes []string, env RunEnv) (map[string]*os.File, []string, error) {
	hdr := fmt.Sprintf("goos: %s\ngoarch: %s\npkg: %s\n", runtime.GOOS, runtime.GOARCH, pkg)
	if cpu := cpuModel(); cpu != "" {
		hdr += "cpu: " + cpu + "\n"
	}
	outs := map[string]*os.File{}
	var names []string
	for _, m := range modes {
		name := filepath.Join(dir, suite+"-"+m+".txt")
		f, err := os.Create(name)
		if err == nil {
			outs[m] = f
			_, err = io.WriteString(f, hdr+env.ConfigLines(m))
		}
		if err != nil {
			closeAll(outs)
			return nil, nil, err
		}
		names = append(names, name)
	}
	return outs, names, nil
}

// closeAll closes every file of createModeFiles (a second Close of a file
// already closed and checked is harmless).
func closeAll(fs map[string]*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
