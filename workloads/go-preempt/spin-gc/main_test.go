package main

import (
	"testing"
	"time"
)

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
