package bench

// Judging one measured figure against its baseline entry. A figure fails
// only when it is worse than the baseline by more than the tolerance the
// baseline file states; it counts as improved when it is better by more
// than the same tolerance (a hint to update the baseline, so the gain is
// kept), and as ok in between.

import (
	"fmt"
	"strings"
)

// GateVerdict is the outcome for one metric.
type GateVerdict string

const (
	GateOK          GateVerdict = "ok"
	GateRegression  GateVerdict = "REGRESSION"
	GateImproved    GateVerdict = "improved"
	GateNew         GateVerdict = "new"          // measured, not in the baseline
	GateNotMeasured GateVerdict = "not measured" // in the baseline, not measured this run
)

// GateMeasurement is one measured figure.
type GateMeasurement struct {
	Name   string // metric name, "<layout>/<benchmark>/<sub>/<figure>"
	Unit   string
	Figure string
	Value  float64
}

// GateResult is one row of the gate's table.
type GateResult struct {
	Metric   string
	Unit     string
	Baseline *GateMetric // nil for GateNew
	Measured float64     // meaningful unless GateNotMeasured
	Verdict  GateVerdict
	// Why says why a metric was not measured ("valgrind not found").
	Why string
}

// GateJudge compares a measured value with its baseline entry.
func GateJudge(b GateMetric, measured float64) GateVerdict {
	slack := b.Tolerance
	if b.ToleranceKind == GateRelative {
		slack = b.Tolerance * b.Value
	}
	worse, better := measured-b.Value, b.Value-measured
	if b.Better == GateHigherIsBetter {
		worse, better = better, worse
	}
	switch {
	case worse > slack:
		return GateRegression
	case better > slack:
		return GateImproved
	default:
		return GateOK
	}
}

// Change is the relative change from the baseline, or "" when there is
// none to compute (no baseline, or a zero baseline).
func (r GateResult) Change() string {
	if r.Baseline == nil || r.Verdict == GateNotMeasured {
		return ""
	}
	if r.Baseline.Value == 0 {
		if r.Measured == 0 {
			return "0%"
		}
		return fmt.Sprintf("%+g", r.Measured)
	}
	return fmt.Sprintf("%+.1f%%", (r.Measured/r.Baseline.Value-1)*100)
}

// GateTolerance renders a baseline entry's tolerance: "±5%" or "±0 allocs/op".
func GateTolerance(m GateMetric) string {
	if m.ToleranceKind == GateRelative {
		return fmt.Sprintf("%g%%", m.Tolerance*100)
	}
	return fmt.Sprintf("%g %s", m.Tolerance, m.Unit)
}

// gateJudgeAll builds the table rows: every measured metric, then every
// baseline metric that was not measured, with why.
func gateJudgeAll(b *GateBaseline, measured []GateMeasurement, why func(name string) string) []GateResult {
	var rows []GateResult
	seen := map[string]bool{}
	for _, m := range measured {
		seen[m.Name] = true
		row := GateResult{Metric: m.Name, Unit: m.Unit, Measured: m.Value, Verdict: GateNew}
		if b != nil {
			if e, ok := b.Lookup(m.Name); ok {
				e := e
				row.Baseline = &e
				row.Verdict = GateJudge(e, m.Value)
			}
		}
		rows = append(rows, row)
	}
	if b != nil {
		for _, e := range b.Metrics {
			if seen[e.Name] {
				continue
			}
			e := e
			rows = append(rows, GateResult{Metric: e.Name, Unit: e.Unit, Baseline: &e, Verdict: GateNotMeasured, Why: why(e.Name)})
		}
	}
	return rows
}

// GateRegressionError is returned by Gate when a figure regressed beyond
// its tolerance. The CLI exits 1 on it.
type GateRegressionError struct {
	Regressions []GateResult
}

func (e *GateRegressionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "performance gate: %d regression", len(e.Regressions))
	if len(e.Regressions) != 1 {
		b.WriteString("s")
	}
	b.WriteString(" beyond tolerance:")
	for _, r := range e.Regressions {
		fmt.Fprintf(&b, "\n  %s: %s → %s %s (%s, tolerance %s)", r.Metric,
			gateNum(r.Baseline.Value), gateNum(r.Measured), r.Unit, r.Change(), GateTolerance(*r.Baseline))
	}
	return b.String()
}

// gateNum prints a figure without trailing noise: integers as integers.
func gateNum(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}
