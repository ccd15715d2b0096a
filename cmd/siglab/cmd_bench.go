package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"siglab/bench"
	"siglab/fastpath"
	"siglab/shim"
)

func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stdout, "[flags]")
	quick := fs.Bool("quick", false, fmt.Sprintf("short run for CI: -count %d, -benchtime %s", bench.QuickCount, bench.QuickBenchtime))
	count := fs.Int("count", 0, fmt.Sprintf("results per benchmark and layout (default %d; benchstat wants ≥ 10)", bench.DefaultCount))
	benchtime := fs.String("benchtime", "", fmt.Sprintf("time or iterations (Nx) per result (default %s)", bench.DefaultBenchtime))
	layouts := fs.String("layout", "", "comma-separated layouts to measure, the first is the base (default: all, "+fastpath.DefaultLayout+" first)")
	suites := fs.String("suite", "", "comma-separated suites to run: "+strings.Join(bench.DefaultSuites(), ", ")+", "+bench.E2ESuite+" (workloads natively and under emulation; these three are the default), "+bench.GoStdlibSuite+" (the Go standard library's signal tests natively and under emulation)")
	workloads := fs.String("workload", "", "with --suite "+bench.E2ESuite+": comma-separated workloads (default: all)")
	out := fs.String("out", "", "result folder (default results/<date>-<commit>)")
	check := fs.Bool("check", false, "CI gate: measure deterministic figures and compare with results/baseline.json")
	requireValgrind := fs.Bool("require-valgrind", false, "with --check: fail when valgrind is missing instead of skipping instruction counts")
	updateBaseline := fs.Bool("update-baseline", false, "with --check: write the measured figures as the new baseline")
	baseline := fs.String("baseline", "", "with --check: baseline file (default results/baseline.json)")
	stress := fs.Int("stress", 0, "run each e2e workload `N` times in a row natively and under every layout, each run self-checked; print passes per workload and layout (exit 1 if any run failed); --workload, --layout and --quick apply")
	profile := fs.Bool("profile", false, "with --suite "+bench.E2ESuite+": profile the emulator in every emulated run (siglab run --cpuprofile) and print its top functions and the fast path's share")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	ls, err := parseLayouts(*layouts)
	if err != nil {
		return err
	}
	if !*check && (*requireValgrind || *updateBaseline || *baseline != "") {
		return usagef("--require-valgrind, --update-baseline and --baseline need --check")
	}
	if isSet(fs, "stress") {
		if *stress < 1 {
			return usagef("--stress must be at least 1, got %d", *stress)
		}
		for _, f := range []string{"check", "count", "benchtime", "profile"} {
			if isSet(fs, f) {
				return usagef("--stress runs the e2e workloads only; it does not take --%s", f)
			}
		}
		if *suites != "" && *suites != bench.E2ESuite {
			return usagef("--stress runs the %s workloads only; it does not take --suite %s", bench.E2ESuite, *suites)
		}
	}
	root, err := bench.ModuleRoot(".")
	if err != nil {
		return usageError{err.Error()}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *check {
		return runGate(ctx, root, ls, *baseline, *requireValgrind, *updateBaseline, stdout, stderr)
	}
	if isSet(fs, "stress") {
		return runStress(ctx, root, ls, *workloads, *stress, *quick, *out, stdout, stderr)
	}

	o := bench.RunOptions{Root: root, Layouts: ls, Count: bench.DefaultCount, Benchtime: bench.DefaultBenchtime, Progress: stderr}
	if *quick {
		o.Count, o.Benchtime = bench.QuickCount, bench.QuickBenchtime
	}
	if isSet(fs, "count") {
		if *count < 1 {
			return usagef("-count must be at least 1, got %d", *count)
		}
		o.Count = *count
	}
	if isSet(fs, "benchtime") {
		if !validBenchtime(*benchtime) {
			return usagef("-benchtime %q is neither a duration (100ms) nor an iteration count (1000x)", *benchtime)
		}
		o.Benchtime = *benchtime
	}
	// By default: the microbenchmarks, and the workloads natively and
	// under emulation — unless the shim cannot be built here (no C
	// compiler), which is said, not hidden.
	names := append(bench.DefaultSuites(), bench.E2ESuite)
	if *suites != "" {
		names = splitList(*suites)
	} else if _, err := shim.Path(); err != nil {
		fmt.Fprintf(stderr, "siglab bench: skipping the %s suite: %v\n", bench.E2ESuite, err)
		names = bench.DefaultSuites()
	}
	e2e := slices.Contains(names, bench.E2ESuite)
	goStdlib := slices.Contains(names, bench.GoStdlibSuite)
	names = slices.DeleteFunc(names, func(n string) bool { return n == bench.E2ESuite || n == bench.GoStdlibSuite })
	if o.Suites, err = bench.LookupSuites(names); err != nil {
		return usageError{err.Error()}
	}
	var ws []bench.Workload
	if e2e {
		if ws, err = bench.LookupWorkloads(splitList(*workloads)); err != nil {
			return usageError{err.Error()}
		}
	} else if *workloads != "" {
		return usagef("--workload needs --suite %s", bench.E2ESuite)
	} else if *profile {
		return usagef("--profile needs --suite %s", bench.E2ESuite)
	}
	if o.Env, err = bench.DetectEnv(root); err != nil {
		return err
	}
	o.OutDir = *out
	if o.OutDir != "" {
		// Absolute: the go-stdlib suite runs its tests from GOROOT, and
		// hands them paths inside the result folder.
		abs, err := filepath.Abs(o.OutDir)
		if err != nil {
			return usagef("result folder %q: %v", o.OutDir, err)
		}
		o.OutDir = abs
	}
	if o.OutDir == "" {
		o.OutDir = bench.ResultDir(root, o.Env, time.Now())
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return usagef("cannot create the result folder: %v", err)
	}
	start := time.Now()
	if len(o.Suites) > 0 {
		if _, err := bench.RunSuites(ctx, o); err != nil {
			return err
		}
	}
	if e2e {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding siglab's own binary to run workloads under emulation: %w", err)
		}
		count := bench.E2ECount
		if *quick {
			count = 1
		}
		if isSet(fs, "count") {
			count = o.Count
		}
		if _, err := bench.RunE2E(ctx, bench.E2EOptions{Root: root, Workloads: ws,
			Modes: append([]string{bench.NativeMode}, ls...), Count: count, Quick: *quick,
			OutDir: o.OutDir, Env: o.Env, Siglab: self, Progress: stderr, Profile: *profile}); err != nil {
			return err
		}
	}
	if goStdlib {
		if err := bench.RunGoStdlibSuite(ctx, bench.GoStdlibOptions{Root: root, Modes: append([]string{bench.NativeMode}, ls...),
			Count: bench.GoStdlibCount, OutDir: o.OutDir, Env: o.Env, Progress: stderr}, stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "siglab bench: measured in %s; results in %s\n", time.Since(start).Round(time.Second), o.OutDir)
	if _, err = bench.Report(o.OutDir, stdout); err != nil {
		return err
	}
	if e2e {
		// The managed profiles are kept whenever a workload writes one;
		// the emulator's only with --profile.
		if _, err := bench.ReportManagedProfiles(o.OutDir, stdout); err != nil {
			return err
		}
	}
	if *profile {
		if _, err := bench.ReportEmulatorProfiles(o.OutDir, stdout); err != nil {
			return err
		}
	}
	return nil
}

// runStress is `siglab bench --stress N`: the e2e workloads N times in
// every mode, the table of passes printed and kept in the result folder,
// and an error (exit 1) when any run failed.
func runStress(ctx context.Context, root string, layouts []string, workloads string, runs int, quick bool, out string, stdout, stderr io.Writer) error {
	ws, err := bench.LookupWorkloads(splitList(workloads))
	if err != nil {
		return usageError{err.Error()}
	}
	env, err := bench.DetectEnv(root)
	if err != nil {
		return err
	}
	if out == "" {
		out = bench.ResultDir(root, env, time.Now())
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return usagef("cannot create the result folder: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding siglab's own binary to run workloads under emulation: %w", err)
	}
	start := time.Now()
	res, runErr := bench.RunStress(ctx, bench.StressOptions{Root: root, Workloads: ws,
		Modes: append([]string{bench.NativeMode}, layouts...), Runs: runs, Quick: quick,
		OutDir: out, Siglab: self, Progress: stderr})
	if res.Total() > 0 {
		fmt.Fprintf(stderr, "siglab bench: stress ran in %s; results in %s\n", time.Since(start).Round(time.Second), out)
		res.Env = &env
		if err := res.Report(out, stdout); err != nil {
			return err
		}
	}
	switch {
	case runErr != nil:
		return runErr
	case res.Failed() > 0:
		return fmt.Errorf("stress: %d of %d runs failed", res.Failed(), res.Total())
	}
	return nil
}

// parseLayouts checks a --layout list; empty means every layout, the
// default one first (it is the base of every comparison).
func parseLayouts(s string) ([]string, error) {
	all := fastpath.Layouts()
	if s == "" {
		return all, nil
	}
	ls := splitList(s)
	for _, l := range ls {
		if !slices.Contains(all, l) {
			return nil, usagef("unknown layout %q (known: %s)", l, strings.Join(all, ", "))
		}
	}
	return ls, nil
}

var benchtimeRE = regexp.MustCompile(`^[1-9][0-9]*x$`)

func validBenchtime(s string) bool {
	if benchtimeRE.MatchString(s) {
		return true
	}
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}
