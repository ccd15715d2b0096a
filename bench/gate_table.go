package bench

// The gate's output: a plain-text table a person reads in a CI log, and one
// summary line at the end that says pass or fail and why.

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// GateWriteReport prints the table, the timing section and the summary.
// updating says the run wrote a new baseline (regressions do not fail it).
func GateWriteReport(w io.Writer, rep *GateReport, updating bool) {
	if rep.BaselineFrom != "" {
		fmt.Fprintf(w, "baseline: %s (%s)\n", rep.Baseline, rep.BaselineFrom)
	} else {
		fmt.Fprintf(w, "baseline: %s (none yet)\n", rep.Baseline)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tbaseline\tmeasured\tchange\ttolerance\tverdict\t")
	counts := map[GateVerdict]int{}
	for _, r := range rep.Results {
		counts[r.Verdict]++
		base, meas, tol := "-", "-", "-"
		if r.Baseline != nil {
			base = gateNum(r.Baseline.Value)
			tol = GateTolerance(*r.Baseline)
		}
		verdict := string(r.Verdict)
		if r.Verdict == GateNotMeasured {
			verdict += " (" + r.Why + ")"
		} else {
			meas = gateNum(r.Measured)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Metric, base, meas, r.Change(), tol, verdict)
	}
	tw.Flush()

	warnings := 0
	if len(rep.Timing) > 0 || len(rep.TimingNotes) > 0 {
		fmt.Fprintf(w, "\ntiming (warnings only, never a failure): median of %d runs × %s vs the baseline files, Mann-Whitney U test, α=0.05\n",
			gateTimingCount, gateTimingBenchtime)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, t := range rep.Timing {
			delta := t.Cmp.FormatDelta(t.Old, t.New)
			mark := ""
			if t.Warning {
				warnings++
				mark = "WARNING: significantly slower"
			}
			fmt.Fprintf(tw, "  %s %s\t%s\t→ %s\t%s\t%s\t%s\t\n", t.Layout, t.Name,
				gateFormatSec(t.Old), gateFormatSec(t.New), delta, t.Cmp.String(), mark)
		}
		tw.Flush()
		for _, n := range rep.TimingNotes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	for _, s := range rep.Skipped {
		if s != GateSkippedValgrind { // printed first, as soon as known
			fmt.Fprintln(w, s)
		}
	}
	for _, p := range rep.Updated {
		fmt.Fprintf(w, "wrote %s\n", p)
	}

	var parts []string
	for _, v := range []GateVerdict{GateRegression, GateOK, GateImproved, GateNew, GateNotMeasured} {
		if n := counts[v]; n > 0 || v == GateRegression {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(string(v))))
		}
	}
	parts[0] = strings.Replace(parts[0], "regression", "regressions", 1)
	if counts[GateRegression] == 1 {
		parts[0] = "1 regression"
	}
	status := "PASS"
	switch {
	case updating:
		status = "BASELINE UPDATED"
	case counts[GateRegression] > 0:
		status = "FAIL"
	}
	timing := fmt.Sprintf("%d timing warnings", warnings)
	if warnings == 1 {
		timing = "1 timing warning"
	}
	fmt.Fprintf(w, "gate: %s: %s; %s; %s\n", status, strings.Join(parts, ", "), timing, rep.Duration)
}
