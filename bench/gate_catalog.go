package bench

// What the gate measures: which sub-benchmarks of fastpath/bench_test.go,
// which figure of each, and the default tolerance a new baseline entry
// gets. Metric names are "<layout>/<benchmark>/<sub-benchmark>/<figure>",
// e.g. "bitmap/check/threads=1/pending=0%/instr-per-op", so a name says
// exactly which benchmark to run to reproduce it.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"siglab/fastpath"
)

// Figures the gate knows, with the unit written in baseline.json.
const (
	gateFigInstr         = "instr-per-op"
	gateFigAllocs        = "allocs-per-op"
	gateFigBytesOp       = "B-per-op"
	gateFigSharedThread  = "shared-B-per-thread"
	gateFigThread        = "B-per-thread"
	gateFigSharedProcess = "shared-B-per-process"
	gateFigProcess       = "B-per-process"
)

// gateFigureUnit maps a figure to its unit: the unit the Go benchmark
// prints for it, or "instructions/op" for the cachegrind count.
var gateFigureUnit = map[string]string{
	gateFigInstr:         "instructions/op",
	gateFigAllocs:        "allocs/op",
	gateFigBytesOp:       "B/op",
	gateFigSharedThread:  "shared-B/thread",
	gateFigThread:        "B/thread",
	gateFigSharedProcess: "shared-B/process",
	gateFigProcess:       "B/process",
}

// gateDefaultTolerance is the tolerance a figure's entry gets when a
// baseline is first written. Instruction counts are deterministic for one
// binary, but a Go release or an innocent refactor moves them by a few
// percent; allocations on the fast path must stay exactly where they are
// (zero), and the bytes per thread are layout constants, so any growth is a
// design change that should be accepted by updating the baseline.
func gateDefaultTolerance(figure string) GateMetric {
	switch figure {
	case gateFigInstr:
		return GateMetric{Tolerance: 0.05, ToleranceKind: GateRelative, Better: GateLowerIsBetter}
	case gateFigAllocs, gateFigBytesOp:
		return GateMetric{Tolerance: 0, ToleranceKind: GateAbsolute, Better: GateLowerIsBetter}
	default:
		return GateMetric{Tolerance: 0.01, ToleranceKind: GateRelative, Better: GateLowerIsBetter}
	}
}

// gateProbe is one sub-benchmark of package fastpath the gate runs.
type gateProbe struct {
	bench string // Go benchmark function, e.g. "BenchmarkCheck"
	sub   string // sub-benchmark name below it, e.g. "threads=1/pending=0%"
	loop  string // the loop function whose instructions are counted
}

// gatePkg is the import path of the package whose benchmarks are gated;
// valgrind names Go functions by their full symbol, "siglab/fastpath.loopCheck".
const gatePkg = "siglab/fastpath"

func (p gateProbe) short() string { return strings.ToLower(strings.TrimPrefix(p.bench, "Benchmark")) }

func (p gateProbe) metric(layout, figure string) string {
	return layout + "/" + p.short() + "/" + p.sub + "/" + figure
}

// benchArg is the -test.bench pattern selecting exactly this probe: each
// level of the name anchored, and regexp metacharacters quoted.
func (p gateProbe) benchArg() string {
	parts := append([]string{p.bench}, strings.Split(p.sub, "/")...)
	for i, s := range parts {
		parts[i] = "^" + regexp.QuoteMeta(s) + "$"
	}
	return strings.Join(parts, "/")
}

// The probes. Instructions: the check with one thread (the cost of the
// check itself) and with 100,000 threads of which 1% have a signal pending
// (the cost once the hot words miss the cache: the same instructions, so
// this guards the loop, not the memory), and one send+take of each kind.
var (
	gateInstrProbes = []gateProbe{
		{"BenchmarkCheck", "threads=1/pending=0%", "loopCheck"},
		{"BenchmarkCheck", "threads=100000/pending=1%", "loopCheck"},
		{"BenchmarkSendTake", "kind=standard", "loopSendTake"},
		{"BenchmarkSendTake", "kind=realtime", "loopSendTake"},
	}
	// Allocations and bytes per op: the fast path at both ends of the
	// thread count and the slow path; all must allocate nothing.
	gateMemProbes = []gateProbe{
		{"BenchmarkCheck", "threads=1/pending=0%", "loopCheck"},
		{"BenchmarkCheck", "threads=1/pending=100%", "loopCheck"},
		{"BenchmarkCheck", "threads=100000/pending=1%", "loopCheck"},
		{"BenchmarkSendTake", "kind=standard", "loopSendTake"},
		{"BenchmarkSendTake", "kind=realtime", "loopSendTake"},
	}
	gateFootprintProbe = gateProbe{"BenchmarkFootprint", "threads=100000", ""}
	// Timing (warnings only): the same cases as the instruction counts.
	gateTimingProbes = gateInstrProbes
)

var gateFootprintFigures = []string{gateFigSharedThread, gateFigThread, gateFigSharedProcess, gateFigProcess}

// gateMetricsFor lists every metric the gate measures for one layout.
func gateMetricsFor(layout string) map[string]string {
	m := make(map[string]string)
	for _, p := range gateInstrProbes {
		m[p.metric(layout, gateFigInstr)] = gateFigureUnit[gateFigInstr]
	}
	for _, p := range gateMemProbes {
		m[p.metric(layout, gateFigAllocs)] = gateFigureUnit[gateFigAllocs]
		m[p.metric(layout, gateFigBytesOp)] = gateFigureUnit[gateFigBytesOp]
	}
	for _, f := range gateFootprintFigures {
		m[gateFootprintProbe.metric(layout, f)] = gateFigureUnit[f]
	}
	return m
}

// gateKnownMetrics lists every metric the gate can measure, for every
// registered layout: a baseline naming anything else is rejected.
func gateKnownMetrics() map[string]string {
	m := make(map[string]string)
	for _, l := range fastpath.Layouts() {
		for k, v := range gateMetricsFor(l) {
			m[k] = v
		}
	}
	return m
}

// gateCheckLayouts validates a layout selection against the registry.
func gateCheckLayouts(layouts []string) ([]string, error) {
	if len(layouts) == 0 {
		return fastpath.Layouts(), nil
	}
	known := fastpath.Layouts()
	for _, l := range layouts {
		found := false
		for _, k := range known {
			found = found || k == l
		}
		if !found {
			sort.Strings(known)
			return nil, fmt.Errorf("unknown layout %q (known: %s)", l, strings.Join(known, ", "))
		}
	}
	return layouts, nil
}
