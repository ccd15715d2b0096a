package bench

import (
	"errors"
	"strings"
	"testing"
)

func TestGateJudge(t *testing.T) {
	rel := func(v, tol float64) GateMetric {
		return GateMetric{Value: v, Tolerance: tol, ToleranceKind: GateRelative, Better: GateLowerIsBetter}
	}
	abs := func(v, tol float64) GateMetric {
		return GateMetric{Value: v, Tolerance: tol, ToleranceKind: GateAbsolute, Better: GateLowerIsBetter}
	}
	higher := func(m GateMetric) GateMetric { m.Better = GateHigherIsBetter; return m }
	for _, c := range []struct {
		name     string
		base     GateMetric
		measured float64
		want     GateVerdict
	}{
		{"same", rel(24, 0.05), 24, GateOK},
		{"within tolerance above", rel(24, 0.05), 25.2, GateOK}, // exactly +5%
		{"within tolerance below", rel(24, 0.05), 23, GateOK},
		{"regression", rel(24, 0.05), 25.3, GateRegression},
		{"planted instructions", rel(24, 0.05), 48, GateRegression},
		{"improved", rel(24, 0.05), 22, GateImproved},
		{"zero tolerance, same", rel(64, 0), 64, GateOK},
		{"zero tolerance, one byte more", rel(64, 0), 65, GateRegression},
		{"zero tolerance, one byte less", rel(64, 0), 63, GateImproved},
		{"zero allocs stay zero", abs(0, 0), 0, GateOK},
		{"one alloc appears", abs(0, 0), 1, GateRegression},
		{"64 B/op appear", abs(0, 0), 64, GateRegression},
		{"zero baseline, relative tolerance", rel(0, 0.5), 1, GateRegression}, // a fraction of nothing is nothing
		{"absolute slack", abs(0, 1), 1, GateOK},
		{"beyond absolute slack", abs(0, 1), 1.5, GateRegression},
		{"absolute improvement", abs(10, 1), 8, GateImproved},
		{"higher is better, drop", higher(rel(100, 0.1)), 89, GateRegression},
		{"higher is better, rise", higher(rel(100, 0.1)), 111, GateImproved},
		{"higher is better, within", higher(rel(100, 0.1)), 95, GateOK},
	} {
		if got := GateJudge(c.base, c.measured); got != c.want {
			t.Errorf("%s: GateJudge(%+v, %v) = %s, want %s", c.name, c.base, c.measured, got, c.want)
		}
	}
}

func TestGateJudgeAll(t *testing.T) {
	b, err := ParseGateBaseline([]byte(gateGoodBaseline), nil)
	if err != nil {
		t.Fatal(err)
	}
	measured := []GateMeasurement{
		{Name: "bitmap/sendtake/kind=standard/allocs-per-op", Unit: "allocs/op", Value: 1},
		{Name: "bitmap/footprint/threads=100000/B-per-thread", Unit: "B/thread", Value: 64},
	}
	rows := gateJudgeAll(b, measured, func(string) string { return "valgrind not found" })
	got := map[string]GateResult{}
	for _, r := range rows {
		got[r.Metric] = r
	}
	if r := got["bitmap/sendtake/kind=standard/allocs-per-op"]; r.Verdict != GateRegression || r.Change() != "+1" {
		t.Errorf("alloc row %+v change %q", r, r.Change())
	}
	if r := got["bitmap/footprint/threads=100000/B-per-thread"]; r.Verdict != GateNew || r.Baseline != nil || r.Change() != "" {
		t.Errorf("new row %+v", r)
	}
	if r := got["bitmap/check/threads=1/pending=0%/instr-per-op"]; r.Verdict != GateNotMeasured || r.Why != "valgrind not found" {
		t.Errorf("unmeasured row %+v", r)
	}
	if len(rows) != 3 {
		t.Errorf("%d rows", len(rows))
	}

	rep := &GateReport{Baseline: "results/baseline.json", Results: rows}
	regs := rep.Regressions()
	if len(regs) != 1 {
		t.Fatalf("regressions %+v", regs)
	}
	var err2 error = &GateRegressionError{Regressions: regs}
	var ge *GateRegressionError
	if !errors.As(err2, &ge) {
		t.Fatal("not a *GateRegressionError")
	}
	msg := err2.Error()
	for _, want := range []string{"1 regression", "bitmap/sendtake/kind=standard/allocs-per-op", "0 → 1 allocs/op", "tolerance 0 allocs/op"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}

	var out strings.Builder
	GateWriteReport(&out, rep, false)
	text := out.String()
	for _, want := range []string{"metric", "baseline", "measured", "change", "verdict", "REGRESSION", "not measured (valgrind not found)", "new",
		"gate: FAIL: 1 regression, 1 new, 1 not measured"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestGateResultChange(t *testing.T) {
	m := GateMetric{Value: 24, Tolerance: 0.05, ToleranceKind: GateRelative, Unit: "instructions/op"}
	for _, c := range []struct {
		measured float64
		want     string
	}{{24, "+0.0%"}, {48, "+100.0%"}, {18, "-25.0%"}} {
		r := GateResult{Baseline: &m, Measured: c.measured, Verdict: GateOK}
		if got := r.Change(); got != c.want {
			t.Errorf("change 24 → %v = %q, want %q", c.measured, got, c.want)
		}
	}
	if got := GateTolerance(m); got != "5%" {
		t.Errorf("tolerance %q", got)
	}
	z := GateMetric{Unit: "allocs/op", ToleranceKind: GateAbsolute}
	if r := (GateResult{Baseline: &z, Measured: 0}); r.Change() != "0%" {
		t.Errorf("zero to zero: %q", r.Change())
	}
}
