package bench

// Allocations, bytes per op and bytes of signal state, from ordinary (not
// valgrind) runs of the test binary, read back with benchfmt. These figures
// are deterministic without a simulator: allocs/op and B/op are counted by
// the runtime (and truncated to integers by testing, so with a large fixed
// b.N the odd allocation of a background goroutine rounds away while one
// allocation per op cannot), and the footprint metrics are the layout's own
// arithmetic.

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// gateMemIters is b.N for the -benchmem run: see the comment above.
const gateMemIters = 100000

// gateBenchRun runs Go benchmarks in the test binary (not under valgrind).
type gateBenchRun struct {
	bin string
	env []string
}

// run runs the binary with -test.bench=pattern and the given extra flags
// and returns its output and the parsed results, each cloned.
func (g *gateBenchRun) run(ctx context.Context, layout, pattern string, flags ...string) ([]byte, []*benchfmt.Result, error) {
	args := append([]string{"-test.run=^$", "-test.bench=" + pattern, "-layout=" + layout}, flags...)
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.Env = gateEnv(g.env, false)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("%s %s: %v\n%s%s", filepath.Base(g.bin), strings.Join(args, " "), err,
			gateTail(stdout.Bytes(), 20), gateTail(stderr.Bytes(), 10))
	}
	res, err := gateParseResults(stdout.Bytes(), filepath.Base(g.bin))
	if err != nil {
		return nil, nil, err
	}
	return stdout.Bytes(), res, nil
}

// gateParseResults parses Go benchmark output, rejecting syntax errors.
func gateParseResults(data []byte, name string) ([]*benchfmt.Result, error) {
	r := benchfmt.NewReader(bytes.NewReader(data), name)
	var out []*benchfmt.Result
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			out = append(out, rec.Clone())
		case *benchfmt.SyntaxError:
			return nil, rec
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// gateResultName is a result's name without the "Benchmark" prefix
// benchfmt strips and without the -GOMAXPROCS suffix: "Check/threads=1/pending=0%".
func gateResultName(r *benchfmt.Result) string {
	base, parts := r.Name.Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if len(p) > 0 && p[0] == '-' {
			continue // GOMAXPROCS
		}
		b.Write(p)
	}
	return b.String()
}

// probeName is the name gateResultName gives the probe's results.
func (p gateProbe) resultName() string {
	return strings.TrimPrefix(p.bench, "Benchmark") + "/" + p.sub
}

// gateFindResult returns the result of one probe.
func gateFindResult(res []*benchfmt.Result, p gateProbe) (*benchfmt.Result, error) {
	for _, r := range res {
		if gateResultName(r) == p.resultName() {
			return r, nil
		}
	}
	return nil, fmt.Errorf("no result for %s in the benchmark output (was it renamed in fastpath/bench_test.go?)", p.resultName())
}

// gateMeasureMem runs the -benchmem and footprint probes for one layout.
// It also returns the "cpu" configuration line testing printed.
func gateMeasureMem(ctx context.Context, g *gateBenchRun, layout string) ([]GateMeasurement, string, error) {
	var ms []GateMeasurement
	cpu := ""
	for _, p := range gateMemProbes {
		_, res, err := g.run(ctx, layout, p.benchArg(),
			fmt.Sprintf("-test.benchtime=%dx", gateMemIters), "-test.benchmem", "-test.count=1")
		if err != nil {
			return nil, "", err
		}
		r, err := gateFindResult(res, p)
		if err != nil {
			return nil, "", err
		}
		if cpu == "" {
			cpu = strings.TrimSpace(r.GetConfig("cpu"))
		}
		for _, fig := range []string{gateFigAllocs, gateFigBytesOp} {
			unit := gateFigureUnit[fig]
			v, ok := r.Value(unit)
			if !ok {
				return nil, "", fmt.Errorf("%s reported no %s (run without -benchmem?)", p.resultName(), unit)
			}
			ms = append(ms, GateMeasurement{Name: p.metric(layout, fig), Unit: unit, Figure: fig, Value: v})
		}
	}
	p := gateFootprintProbe
	_, res, err := g.run(ctx, layout, p.benchArg(), "-test.benchtime=1x", "-test.count=1")
	if err != nil {
		return nil, "", err
	}
	r, err := gateFindResult(res, p)
	if err != nil {
		return nil, "", err
	}
	for _, fig := range gateFootprintFigures {
		unit := gateFigureUnit[fig]
		v, ok := r.Value(unit)
		if !ok {
			return nil, "", fmt.Errorf("%s reported no %s metric", p.resultName(), unit)
		}
		ms = append(ms, GateMeasurement{Name: p.metric(layout, fig), Unit: unit, Figure: fig, Value: v})
	}
	return ms, cpu, nil
}
