package main

import (
	"math"
	"runtime"
	"testing"
)

func TestJain(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{5, 5, 5, 5}, 1},
		{[]float64{1, 0, 0, 0}, 0.25},
		{[]float64{1, 1, 0, 0}, 0.5},
		{[]float64{1, 2, 3}, 36.0 / 42},
		{[]float64{0, 0}, 1},
	} {
		if got := jain(tc.xs); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("jain(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := summarize([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if s.sum != 40 || s.mean != 5 || s.min != 2 || s.max != 9 || s.stddev != 2 {
		t.Errorf("summarize = %+v, want sum 40 mean 5 min 2 max 9 stddev 2", s)
	}
}

func TestRunSelfChecks(t *testing.T) {
	// Small work, so each spinner gets only a few time slices; a lenient
	// min-share keeps this a test of the logic, not of the scheduler.
	g := 4 * runtime.GOMAXPROCS(0)
	r := run(g, 2_000_000_000, 1<<14, 0.01)
	if !r.OK {
		t.Fatalf("fair failed its self-check: %s", r.Why)
	}
	m := r.Metrics
	if m["goroutines"] != float64(g) || m["iters"] < 2_000_000_000 || m["min"] <= 0 ||
		m["max"] < m["min"] || m["jain"] <= 0 || m["jain"] > 1 || m["starved"] != 0 {
		t.Errorf("implausible metrics %v", m)
	}
}

func TestRunRejectsBadParameters(t *testing.T) {
	if r := run(0, 100, 10, 0.1); r.OK || r.Why == "" {
		t.Errorf("run with no goroutines = %+v, want a failure with a reason", r)
	}
}
