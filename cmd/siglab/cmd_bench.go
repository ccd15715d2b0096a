package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"time"

	"siglab/bench"
	"siglab/fastpath"
)

func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stdout, "[flags]")
	quick := fs.Bool("quick", false, fmt.Sprintf("short run for CI: -count %d, -benchtime %s", bench.QuickCount, bench.QuickBenchtime))
	count := fs.Int("count", 0, fmt.Sprintf("results per benchmark and layout (default %d; benchstat wants ≥ 10)", bench.DefaultCount))
	benchtime := fs.String("benchtime", "", fmt.Sprintf("time or iterations (Nx) per result (default %s)", bench.DefaultBenchtime))
	layouts := fs.String("layout", "", "comma-separated layouts to measure, the first is the base (default: all, "+fastpath.DefaultLayout+" first)")
	suites := fs.String("suite", "", "comma-separated suites to run: "+strings.Join(bench.DefaultSuites(), ", ")+" (the default), "+bench.E2ESuite+" (workloads natively and under emulation)")
	workloads := fs.String("workload", "", "with --suite "+bench.E2ESuite+": comma-separated workloads (default: all)")
	out := fs.String("out", "", "result folder (default results/<date>-<commit>)")
	check := fs.Bool("check", false, "CI gate: measure deterministic figures and compare with results/baseline.json")
	requireValgrind := fs.Bool("require-valgrind", false, "with --check: fail when valgrind is missing instead of skipping instruction counts")
	updateBaseline := fs.Bool("update-baseline", false, "with --check: write the measured figures as the new baseline")
	baseline := fs.String("baseline", "", "with --check: baseline file (default results/baseline.json)")
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
	root, err := bench.ModuleRoot(".")
	if err != nil {
		return usageError{err.Error()}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *check {
		return runGate(ctx, root, ls, *baseline, *requireValgrind, *updateBaseline, stdout, stderr)
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
	names := bench.DefaultSuites()
	if *suites != "" {
		names = splitList(*suites)
	}
	e2e := slices.Contains(names, bench.E2ESuite)
	names = slices.DeleteFunc(names, func(n string) bool { return n == bench.E2ESuite })
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
	}
	if o.Env, err = bench.DetectEnv(root); err != nil {
		return err
	}
	o.OutDir = *out
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
			OutDir: o.OutDir, Env: o.Env, Siglab: self, Progress: stderr}); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "siglab bench: measured in %s; results in %s\n", time.Since(start).Round(time.Second), o.OutDir)
	_, err = bench.Report(o.OutDir, stdout)
	return err
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
