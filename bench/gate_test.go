package bench

// End-to-end tests of the gate: the real fastpath test binary, under the
// real valgrind, against the committed results/baseline.json. The planted
// regressions are build tags of package fastpath (plant_*_test.go there):
// siglab_plant_instructions adds work to every check, siglab_plant_allocs
// an allocation to every send+take.

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func gateNeedValgrind(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("valgrind"); err != nil {
		t.Skip("valgrind not installed: the end-to-end gate needs it (apt-get install valgrind)")
	}
	if testing.Short() {
		t.Skip("end-to-end gate runs the benchmarks under valgrind (~1-2 min): skipped with -short")
	}
}

// gateTestLog sends progress lines to t.Log.
type gateTestLog struct{ t *testing.T }

func (w gateTestLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func gateTestOptions(t *testing.T, out *bytes.Buffer) GateOptions {
	t.Helper()
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return GateOptions{
		ModuleRoot: root,
		Baseline:   filepath.Join(root, "results", "baseline.json"),
		SkipTiming: true, // timing never fails the gate; TestGateCompareTiming covers it
		Out:        out,
		Progress:   gateTestLog{t},
	}
}

func gateRegressedMetrics(err error) []string {
	var re *GateRegressionError
	if !errors.As(err, &re) {
		return nil
	}
	var names []string
	for _, r := range re.Regressions {
		names = append(names, r.Metric)
	}
	sort.Strings(names)
	return names
}

func TestGatePlantedRegressions(t *testing.T) {
	gateNeedValgrind(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	t.Run("no plant passes", func(t *testing.T) {
		var out bytes.Buffer
		opts := gateTestOptions(t, &out)
		start := time.Now()
		rep, err := Gate(ctx, opts)
		t.Logf("gate on every layout took %v\n%s", time.Since(start).Round(time.Second), out.String())
		if err != nil {
			t.Fatalf("gate failed on the unchanged code: %v", err)
		}
		for _, r := range rep.Results {
			if r.Verdict != GateOK {
				t.Errorf("%s: %s (measured %v, baseline %+v)", r.Metric, r.Verdict, r.Measured, r.Baseline)
			}
		}
		if !strings.Contains(out.String(), "gate: PASS: 0 regressions") {
			t.Errorf("no PASS summary:\n%s", out.String())
		}
	})

	t.Run("instructions plant fails", func(t *testing.T) {
		var out bytes.Buffer
		opts := gateTestOptions(t, &out)
		opts.BuildTags = []string{"siglab_plant_instructions"}
		opts.Layouts = []string{"bitmap"}
		rep, err := Gate(ctx, opts)
		t.Log(out.String())
		want := []string{
			"bitmap/check/threads=1/pending=0%/instr-per-op",
			"bitmap/check/threads=100000/pending=1%/instr-per-op",
		}
		if got := gateRegressedMetrics(err); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("regressions %q (error %v), want %q", got, err, want)
		}
		if rep == nil || !strings.Contains(out.String(), "REGRESSION") || !strings.Contains(out.String(), "gate: FAIL: 2 regressions") {
			t.Errorf("table does not show the regression:\n%s", out.String())
		}
		for _, r := range rep.Results {
			if !strings.HasPrefix(r.Metric, "bitmap/") {
				t.Errorf("%s: a row for a layout not selected", r.Metric)
			}
		}
		if !strings.Contains(out.String(), "baseline metrics of layouts not selected") {
			t.Errorf("unselected layouts not mentioned:\n%s", out.String())
		}
	})

	t.Run("allocs plant fails, valgrind missing", func(t *testing.T) {
		var out bytes.Buffer
		opts := gateTestOptions(t, &out)
		opts.BuildTags = []string{"siglab_plant_allocs"}
		opts.Layouts = []string{"bitmap"}
		opts.Valgrind = "siglab-test-no-such-valgrind"
		opts.RequireValgrind = true
		rep, err := Gate(ctx, opts)
		t.Log(out.String())
		want := []string{
			"bitmap/sendtake/kind=realtime/B-per-op",
			"bitmap/sendtake/kind=realtime/allocs-per-op",
			"bitmap/sendtake/kind=standard/B-per-op",
			"bitmap/sendtake/kind=standard/allocs-per-op",
		}
		if got := gateRegressedMetrics(err); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("regressions %q (error %v), want %q", got, err, want)
		}
		if !errors.Is(err, ErrGateNoValgrind) {
			t.Errorf("RequireValgrind without valgrind: error %v does not wrap ErrGateNoValgrind", err)
		}
		if !strings.Contains(out.String(), "\n"+GateSkippedValgrind+"\n") && !strings.HasPrefix(out.String(), GateSkippedValgrind+"\n") {
			t.Errorf("no %q line:\n%s", GateSkippedValgrind, out.String())
		}
		for _, r := range rep.Results {
			if strings.HasPrefix(r.Metric, "bitmap/") && strings.HasSuffix(r.Metric, "/instr-per-op") &&
				(r.Verdict != GateNotMeasured || r.Why != "valgrind not found") {
				t.Errorf("%s: %s %q, want not measured (valgrind not found)", r.Metric, r.Verdict, r.Why)
			}
		}
	})
}

// Without valgrind and without RequireValgrind the gate still gates
// allocations and bytes, and passes on unchanged code.
func TestGateWithoutValgrindPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the fastpath benchmarks: skipped with -short")
	}
	var out bytes.Buffer
	opts := gateTestOptions(t, &out)
	opts.Valgrind = "siglab-test-no-such-valgrind"
	opts.Layouts = []string{"flat"}
	rep, err := Gate(context.Background(), opts)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	gated := 0
	for _, r := range rep.Results {
		if strings.HasPrefix(r.Metric, "flat/") && r.Verdict == GateOK {
			gated++
		}
	}
	if want := len(gateMetricsFor("flat")) - len(gateInstrProbes); gated != want {
		t.Errorf("%d flat metrics gated without valgrind, want %d", gated, want)
	}
	if !strings.HasPrefix(out.String(), GateSkippedValgrind+"\n") {
		t.Errorf("output does not start with the skipped line:\n%s", out.String())
	}
}

// Valgrind's counts of siglab code are deterministic: the same probe twice
// gives the same instructions per op.
func TestGateInstructionsDeterministic(t *testing.T) {
	gateNeedValgrind(t)
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	bin, err := GateBuildTestBinary(ctx, root, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	vg, _ := exec.LookPath("valgrind")
	cg := &gateCachegrind{valgrind: vg, bin: bin, dir: dir}
	// SendTake calls functions in its loop, so the runtime can preempt it
	// there: the case callgrind --toggle-collect got wrong.
	p := gateProbe{"BenchmarkSendTake", "kind=standard", "loopSendTake"}
	var got [2]float64
	for i := range got {
		if got[i], err = cg.instrPerOp(ctx, "bitmap", p); err != nil {
			t.Fatal(err)
		}
	}
	if got[0] != got[1] || got[0] <= 0 {
		t.Errorf("instructions per op %v then %v", got[0], got[1])
	}
	t.Logf("%s: %v instructions per op, twice", p.resultName(), got[0])
}
