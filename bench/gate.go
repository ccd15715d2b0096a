package bench

// The CI performance gate: `siglab bench --check`.
//
// The idea. Timing on a shared 2-core VM cannot fail a build — a neighbour's
// compile moves ns/op by more than any regression worth catching — but some
// figures do not depend on the machine's mood at all, and those can be held
// to a committed baseline strictly:
//
//   - instructions per op of the benchmark loops, counted by cachegrind
//     (gate_valgrind.go explains what is counted, and why not callgrind);
//   - allocations and bytes allocated per op, counted by the runtime
//     (gate_benchmem.go);
//   - bytes of signal state per thread and per process, which each layout
//     computes from its own record sizes.
//
// Gate builds the fastpath test binary (fastpath/bench_test.go), measures
// every figure for every layout, and judges each against
// results/baseline.json with the tolerance written there (gate_verdict.go).
// Timing is also sampled and compared with results/baseline*.txt like
// benchstat would, but only ever produces warnings (gate_timing.go).
//
// What the gate must not do: decide anything about the code it measures
// (it reads only the benchmarks' output), or write anything but the
// baseline files, and those only when asked to (UpdateBaseline).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/perf/benchfmt"
)

// GateOptions configures a Gate run. The zero value gates every layout of
// the module found above the working directory against its
// results/baseline.json.
type GateOptions struct {
	// ModuleRoot is the directory of siglab's go.mod; "" finds it by
	// walking up from the working directory.
	ModuleRoot string
	// Baseline is the baseline file; "" is <root>/results/baseline.json.
	// Timing baselines are read from (and written to) the same directory.
	Baseline string
	// Layouts restricts the layouts measured; nil means all registered.
	Layouts []string
	// RequireValgrind makes a missing valgrind an error instead of a
	// skipped section (CLI --require-valgrind).
	RequireValgrind bool
	// UpdateBaseline writes a new baseline from the measured values,
	// keeping the tolerances of the old one, and new timing baselines
	// (CLI --update-baseline). The run then never fails on a regression.
	UpdateBaseline bool
	// SkipTiming leaves out the timing sample and its warnings.
	SkipTiming bool
	// TimingThreshold is the slowdown of a median beyond which a
	// significant timing difference is warned about; 0 means
	// GateDefaultTimingThreshold.
	TimingThreshold float64
	// TestBinary is a prebuilt fastpath test binary; "" builds one with
	// `go test -c` (with BuildTags) into a temporary directory.
	TestBinary string
	// BuildTags are passed to `go test -c -tags` (the planted-regression
	// test uses siglab_plant_instructions and siglab_plant_allocs).
	BuildTags []string
	// Valgrind is the valgrind command; "" means "valgrind" on PATH.
	Valgrind string
	// Env is extra environment ("K=V") for the benchmark processes.
	Env []string
	// Progress receives one line per step (the CLI passes stderr); Out
	// receives the table and the summary (stdout). nil discards.
	Progress io.Writer
	Out      io.Writer
}

// GateReport is everything a Gate run found.
type GateReport struct {
	Baseline     string // path of the baseline file
	Results      []GateResult
	Timing       []GateTiming
	TimingNotes  []string
	Skipped      []string // sections not run, with why
	BaselineFrom string   // where the baseline came from, for the header
	Duration     time.Duration
	Updated      []string // files written by UpdateBaseline
}

// Regressions returns the results whose verdict is REGRESSION.
func (r *GateReport) Regressions() []GateResult {
	var out []GateResult
	for _, x := range r.Results {
		if x.Verdict == GateRegression {
			out = append(out, x)
		}
	}
	return out
}

// ErrGateNoValgrind is returned (wrapped) when RequireValgrind is set and
// valgrind cannot be found.
var ErrGateNoValgrind = errors.New("valgrind not found and --require-valgrind is set: instructions per op were not gated")

// GateSkippedValgrind is the line printed when valgrind is missing.
const GateSkippedValgrind = "skipped: valgrind not found (install valgrind to gate instructions per op)"

const gateWhyUnselected = "layout not selected"

// gateRunInfo records where a run happened, for the baseline's header.
type gateRunInfo struct {
	Commit, Go, Valgrind string
	Machine              GateMachine
}

// Gate measures, compares with the baseline and prints the table. It
// returns a *GateRegressionError when a gated figure regressed (and, with
// RequireValgrind, ErrGateNoValgrind when valgrind is missing); any other
// error means the gate could not run.
func Gate(ctx context.Context, opts GateOptions) (*GateReport, error) {
	start := time.Now()
	out, progress := opts.Out, opts.Progress
	if out == nil {
		out = io.Discard
	}
	if progress == nil {
		progress = io.Discard
	}
	// Progress lines may come from the two cachegrind workers at once.
	var sayMu sync.Mutex
	say := func(format string, args ...any) {
		sayMu.Lock()
		defer sayMu.Unlock()
		fmt.Fprintf(progress, "gate: "+format+"\n", args...)
	}

	root := opts.ModuleRoot
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if root, err = ModuleRoot(wd); err != nil {
			return nil, err
		}
	}
	basePath := opts.Baseline
	if basePath == "" {
		basePath = filepath.Join(root, "results", "baseline.json")
	}
	layouts, err := gateCheckLayouts(opts.Layouts)
	if err != nil {
		return nil, err
	}
	rep := &GateReport{Baseline: basePath}

	// Read the baseline before measuring anything: a broken file fails in
	// a second, not after three minutes. Updating may start from nothing.
	base, err := LoadGateBaseline(basePath)
	if err != nil {
		if !opts.UpdateBaseline || !errors.Is(err, errGateNoBaseline) {
			return nil, err
		}
		base = nil
	}

	scratch, err := os.MkdirTemp("", "siglab-gate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)

	bin := opts.TestBinary
	if bin == "" {
		say("building the fastpath test binary")
		if bin, err = GateBuildTestBinary(ctx, root, scratch, opts.BuildTags); err != nil {
			return nil, err
		}
	}
	info := gateRunInfo{
		Commit:  gateCommit(ctx, root),
		Go:      gateGoVersion(ctx, root, opts.TestBinary != ""),
		Machine: GateMachine{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Cores: runtime.NumCPU()},
	}

	var measured []GateMeasurement
	why := map[string]string{} // figure or layout → why not measured

	// Instructions per op, under cachegrind: the slow part, run two at a
	// time (the counts do not depend on what else runs).
	vg := opts.Valgrind
	if vg == "" {
		vg = "valgrind"
	}
	vgPath, vgErr := exec.LookPath(vg)
	var vgMissing bool
	if vgErr != nil {
		vgMissing = true
		fmt.Fprintln(out, GateSkippedValgrind)
		rep.Skipped = append(rep.Skipped, GateSkippedValgrind)
		why[gateFigInstr] = "valgrind not found"
	} else {
		info.Valgrind = gateValgrindVersion(ctx, vgPath)
		ms, err := gateMeasureInstr(ctx, &gateCachegrind{valgrind: vgPath, bin: bin, dir: scratch, env: opts.Env}, layouts, say)
		if err != nil {
			return nil, err
		}
		measured = append(measured, ms...)
	}

	// Allocations and bytes, then timing, one process at a time so the
	// timing sample has the machine to itself as far as we are concerned.
	br := &gateBenchRun{bin: bin, env: opts.Env}
	for _, l := range layouts {
		say("allocs, bytes per op and footprint, layout %s", l)
		ms, cpu, err := gateMeasureMem(ctx, br, l)
		if err != nil {
			return nil, err
		}
		if info.Machine.CPU == "" {
			info.Machine.CPU = cpu
		}
		measured = append(measured, ms...)
	}
	timingOut := map[string][]byte{}
	if !opts.SkipTiming {
		files, err := gateTimingFiles(filepath.Dir(basePath))
		if err != nil {
			return nil, err
		}
		var cur []*benchfmt.Result
		for _, l := range layouts {
			say("timing sample (%d × %s), layout %s", gateTimingCount, gateTimingBenchtime, l)
			raw, res, err := gateTimingRun(ctx, br, l, info)
			if err != nil {
				return nil, err
			}
			timingOut[l] = raw
			cur = append(cur, res...)
		}
		if len(files) == 0 {
			rep.TimingNotes = append(rep.TimingNotes, fmt.Sprintf("no timing baseline (%s): timing not compared",
				filepath.Join(filepath.Dir(basePath), "baseline*.txt")))
		} else {
			// Timing never fails the gate, not even on a bad timing file.
			rows, notes, err := GateCompareTiming(cur, files, opts.TimingThreshold)
			if err != nil {
				notes = append(notes, fmt.Sprintf("WARNING: timing not compared: %v", err))
			}
			rep.Timing, rep.TimingNotes = rows, append(rep.TimingNotes, notes...)
			if len(rows) == 0 && len(notes) == 0 {
				rep.TimingNotes = append(rep.TimingNotes, "timing baselines hold none of the timed benchmarks: timing not compared")
			}
		}
	} else {
		rep.Skipped = append(rep.Skipped, "skipped: timing sample (SkipTiming)")
	}

	selected := map[string]bool{}
	rank := map[string]int{}
	for i, l := range layouts {
		selected[l], rank[l] = true, i
	}
	// One block per layout in the table; within it, instructions first.
	sort.SliceStable(measured, func(i, j int) bool {
		li, _, _ := strings.Cut(measured[i].Name, "/")
		lj, _, _ := strings.Cut(measured[j].Name, "/")
		return rank[li] < rank[lj]
	})
	rep.Results = gateJudgeAll(base, measured, func(name string) string {
		layout, _, _ := strings.Cut(name, "/")
		if !selected[layout] {
			return gateWhyUnselected
		}
		if r, ok := why[name[strings.LastIndexByte(name, '/')+1:]]; ok {
			return r
		}
		return "not measured by this gate"
	})
	// Baseline entries of layouts not selected are not this run's business:
	// count them in one line instead of a screenful of rows.
	kept, unselected := rep.Results[:0], 0
	for _, r := range rep.Results {
		if r.Verdict == GateNotMeasured && r.Why == gateWhyUnselected {
			unselected++
			continue
		}
		kept = append(kept, r)
	}
	rep.Results = kept
	if unselected > 0 {
		rep.Skipped = append(rep.Skipped, fmt.Sprintf("skipped: %d baseline metrics of layouts not selected", unselected))
	}
	if base != nil {
		rep.BaselineFrom = fmt.Sprintf("commit %s, %s, %s/%s, %s, %d cores", base.Commit, base.Go,
			base.Machine.GOOS, base.Machine.GOARCH, base.Machine.CPU, base.Machine.Cores)
	}

	if opts.UpdateBaseline {
		nb := gateUpdatedBaseline(base, measured, info)
		if err := WriteGateBaseline(basePath, nb); err != nil {
			return nil, fmt.Errorf("writing baseline: %v", err)
		}
		rep.Updated = append(rep.Updated, basePath)
		for _, l := range layouts {
			if raw, ok := timingOut[l]; ok {
				p := filepath.Join(filepath.Dir(basePath), "baseline-fastpath-"+l+".txt")
				if err := os.WriteFile(p, raw, 0o644); err != nil {
					return nil, fmt.Errorf("writing timing baseline: %v", err)
				}
				rep.Updated = append(rep.Updated, p)
			}
		}
	}

	rep.Duration = time.Since(start).Round(time.Second)
	GateWriteReport(out, rep, opts.UpdateBaseline)

	var errs []error
	if regs := rep.Regressions(); len(regs) > 0 && !opts.UpdateBaseline {
		errs = append(errs, &GateRegressionError{Regressions: regs})
	}
	if vgMissing && opts.RequireValgrind {
		errs = append(errs, ErrGateNoValgrind)
	}
	return rep, errors.Join(errs...)
}

// gateMeasureInstr runs every instruction probe for every layout, two
// cachegrind processes at a time, and returns the figures in a stable order.
func gateMeasureInstr(ctx context.Context, cg *gateCachegrind, layouts []string, say func(string, ...any)) ([]GateMeasurement, error) {
	type job struct {
		layout string
		probe  gateProbe
	}
	var jobs []job
	for _, l := range layouts {
		for _, p := range gateInstrProbes {
			jobs = append(jobs, job{l, p})
		}
	}
	results := make([]GateMeasurement, len(jobs))
	errs := make([]error, len(jobs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(2, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				say("cachegrind %s, layout %s (N=%d and %d)", j.probe.resultName(), j.layout, gateGrindN1, gateGrindN2)
				v, err := cg.instrPerOp(ctx, j.layout, j.probe)
				if err != nil {
					errs[i] = err
					cancel()
					continue
				}
				results[i] = GateMeasurement{Name: j.probe.metric(j.layout, gateFigInstr),
					Unit: gateFigureUnit[gateFigInstr], Figure: gateFigInstr, Value: v}
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].Name < results[j].Name })
	return results, nil
}
