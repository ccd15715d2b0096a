package bench

// Timing, for information only. Wall-clock time on a shared 2-core VM moves
// by tens of percent between runs for reasons that have nothing to do with
// the code, so the gate never fails on it (common rule: "timing never in
// pass/fail"). It does run a quick sample of the timed benchmarks and
// compares them with the committed results/baseline*.txt files the way
// benchstat does — medians, and the Mann-Whitney U test at α = 0.05
// (benchmath.AssumeNothing) — and warns when a slowdown is both
// significant and larger than a threshold. A baseline measured on another
// CPU or Go release is not compared at all: the difference would be the
// machine's, and a "significant" warning would be a lie.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// Timing sample size and length: enough runs for the U test to reach
// p < 0.05 (it needs at least 4+4 for that), short enough for CI.
const (
	gateTimingCount     = 6
	gateTimingBenchtime = "50ms"
	// GateDefaultTimingThreshold is the slowdown of the median, beyond
	// which a significant difference is reported as a warning.
	GateDefaultTimingThreshold = 0.10
)

// GateTiming is one timed benchmark compared with its baseline.
type GateTiming struct {
	Layout, Name string
	// Old and New are the medians, in seconds per op.
	Old, New float64
	// Change is New/Old − 1.
	Change float64
	// Cmp is the U test's result (P, N1, N2, Alpha).
	Cmp benchmath.Comparison
	// Warning is set for a significant slowdown beyond the threshold.
	Warning bool
	// File is the baseline file the old sample came from.
	File string
}

// gateTimingSample is one benchmark's sec/op values with the run's config.
type gateTimingSample struct {
	values   []float64
	cpu, gov string
	file     string
}

// gateTimingKey identifies a timed benchmark across files: its layout and
// its name without GOMAXPROCS.
func gateTimingKey(layout, name string) string { return layout + " " + name }

// gateCollectTiming groups sec/op values by layout and name.
func gateCollectTiming(res []*benchfmt.Result, file string, into map[string]*gateTimingSample) {
	for _, r := range res {
		v, ok := r.Value("sec/op")
		if !ok {
			continue
		}
		k := gateTimingKey(r.GetConfig("layout"), gateResultName(r))
		s := into[k]
		if s == nil {
			s = &gateTimingSample{cpu: strings.TrimSpace(r.GetConfig("cpu")), gov: r.GetConfig("go"), file: file}
			into[k] = s
		}
		s.values = append(s.values, v)
	}
}

// gateTimingRun runs the timing probes for one layout. The output starts
// with "go:" and "commit:" configuration lines, so that it can be written
// as a baseline file and read back by benchstat or by this gate.
func gateTimingRun(ctx context.Context, g *gateBenchRun, layout string, info gateRunInfo) ([]byte, []*benchfmt.Result, error) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "go: %s\ncommit: %s\n", info.Go, info.Commit)
	for _, p := range gateTimingProbes {
		out, _, err := g.run(ctx, layout, p.benchArg(),
			"-test.benchtime="+gateTimingBenchtime, fmt.Sprintf("-test.count=%d", gateTimingCount))
		if err != nil {
			return nil, nil, err
		}
		buf.Write(out)
	}
	res, err := gateParseResults(buf.Bytes(), "timing-"+layout)
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), res, nil
}

// gateTimingFiles lists the committed timing baselines in dir.
func gateTimingFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "baseline*.txt"))
	sort.Strings(files)
	return files, err
}

// GateCompareTiming compares the current timing results with the samples in
// the baseline files. It returns one row per benchmark present in both, and
// notes for what could not be compared.
func GateCompareTiming(current []*benchfmt.Result, files []string, threshold float64) ([]GateTiming, []string, error) {
	if threshold <= 0 {
		threshold = GateDefaultTimingThreshold
	}
	cur := map[string]*gateTimingSample{}
	gateCollectTiming(current, "", cur)
	old := map[string]*gateTimingSample{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("timing baseline: %v", err)
		}
		res, err := gateParseResults(data, f)
		if err != nil {
			return nil, nil, fmt.Errorf("timing baseline: %v", err)
		}
		gateCollectTiming(res, f, old)
	}
	var keys []string
	for k := range cur {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var rows []GateTiming
	var notes []string
	noted := map[string]bool{}
	thr := benchmath.DefaultThresholds
	for _, k := range keys {
		c, o := cur[k], old[k]
		if o == nil {
			continue
		}
		if o.cpu != c.cpu || o.gov != c.gov {
			if !noted[o.file] {
				noted[o.file] = true
				notes = append(notes, fmt.Sprintf("%s was measured on cpu %q with %s; this run is cpu %q with %s: timing not compared",
					o.file, o.cpu, o.gov, c.cpu, c.gov))
			}
			continue
		}
		layout, name, _ := strings.Cut(k, " ")
		s1 := benchmath.NewSample(append([]float64(nil), o.values...), &thr)
		s2 := benchmath.NewSample(append([]float64(nil), c.values...), &thr)
		m1 := benchmath.AssumeNothing.Summary(s1, 0.95).Center
		m2 := benchmath.AssumeNothing.Summary(s2, 0.95).Center
		row := GateTiming{Layout: layout, Name: name, Old: m1, New: m2, File: o.file,
			Cmp: benchmath.AssumeNothing.Compare(s1, s2)}
		if m1 > 0 {
			row.Change = m2/m1 - 1
		}
		row.Warning = row.Cmp.P < row.Cmp.Alpha && row.Change > threshold
		rows = append(rows, row)
	}
	return rows, notes, nil
}

// gateFormatSec prints a time per op with a unit that keeps 3–4 digits.
func gateFormatSec(s float64) string {
	switch {
	case s >= 1e-3:
		return fmt.Sprintf("%.3gms", s*1e3)
	case s >= 1e-6:
		return fmt.Sprintf("%.3gµs", s*1e6)
	default:
		return fmt.Sprintf("%.3gns", s*1e9)
	}
}
