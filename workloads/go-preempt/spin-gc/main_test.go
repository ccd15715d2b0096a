package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	gopreempt "siglab/workloads/go-preempt"
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

// TestNeedsAsyncPreemption is the negative control of the workload: with
// asynchronous preemption off (GODEBUG=asyncpreemptoff=1) a forced GC
// cannot stop a call-free spinner, so a collection lasts until the
// spinners finish and the self-check fails — which is what makes the
// workload a measure of SIGURG delivery. The spinners run ≈ 100× longer
// than the bound, so the outcome does not depend on the machine's speed.
// The run is a copy of this test binary (SPIN_GC_CHILD), because GODEBUG
// is read at start-up.
func TestNeedsAsyncPreemption(t *testing.T) {
	if os.Getenv("SPIN_GC_CHILD") == "1" {
		r := run(1_000_000_000, 10*time.Millisecond)
		r.Write(os.Stdout)
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("runs the spinners for about a second")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNeedsAsyncPreemption$")
	cmd.Env = append(os.Environ(), "SPIN_GC_CHILD=1", "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=2")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var r gopreempt.Result
	found := false
	for _, line := range strings.Split(string(out), "\n") {
		res, ok, err := gopreempt.ParseResult(line)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			r, found = res, true
		}
	}
	if !found {
		t.Fatalf("child printed no result line:\n%s", out)
	}
	if r.OK {
		t.Fatalf("spin-gc passed without asynchronous preemption (max GC %v ms): it would not measure SIGURG delivery", r.Metrics["max_gc_ms"])
	}
	if !strings.Contains(r.Why, "not preempted") {
		t.Errorf("failed for another reason: %s", r.Why)
	}
}
