package main

import (
	"testing"
	"time"
)

func TestSumSquares(t *testing.T) {
	// 5,000,000 takes the sum past 2^64: the closed form must wrap exactly
	// like the loop's uint64 arithmetic.
	for _, n := range []uint64{0, 1, 2, 3, 10, 1000, 1 << 20, 5_000_000} {
		if got, want := sumSquares(n), spin(n); got != want {
			t.Errorf("sumSquares(%d) = %d, loop gives %d", n, got, want)
		}
	}
}

func TestRunSelfChecks(t *testing.T) {
	// A small amount of work and a generous bound: this checks the
	// workload's logic, not the machine's speed.
	r := run(20_000_000, time.Minute)
	if !r.OK {
		t.Fatalf("spin-gc failed its self-check: %s", r.Why)
	}
	if r.Metrics["gcs"] < 1 || r.Metrics["spinners"] < 1 {
		t.Errorf("implausible metrics %v", r.Metrics)
	}
}
