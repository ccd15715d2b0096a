package main

import (
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary play the child: run re-executes
// os.Executable(), which under go test is this binary.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

func TestRunSelfChecks(t *testing.T) {
	r := run(30, 20, 10*time.Second, 20*time.Millisecond)
	if !r.OK {
		t.Fatalf("notify failed its self-check: %s", r.Why)
	}
	m := r.Metrics
	if m["sent"] != 150 || m["received"] != 150 || m["usr1"] != 50 || m["hup"] != 50 || m["term"] != 50 ||
		m["self_mean_us"] <= 0 || m["child_mean_us"] <= 0 {
		t.Errorf("implausible metrics %v", m)
	}
}

func TestRunWithoutChild(t *testing.T) {
	if r := run(5, 0, 10*time.Second, 0); !r.OK || r.Metrics["received"] != 15 {
		t.Errorf("self-only run: %+v", r)
	}
}

func TestChildRejectsBadEnvironment(t *testing.T) {
	t.Setenv(childEnv, "many")
	t.Setenv(parentEnv, "1")
	if code := childMain(); code != 2 {
		t.Errorf("child with %s=many exited %d, want 2", childEnv, code)
	}
	t.Setenv(childEnv, "1")
	t.Setenv(parentEnv, "0")
	if code := childMain(); code != 2 {
		t.Errorf("child with %s=0 exited %d, want 2", parentEnv, code)
	}
}

func TestRunRejectsBadParameters(t *testing.T) {
	if r := run(-1, 0, time.Second, 0); r.OK || r.Why == "" {
		t.Errorf("run(-1, …) = %+v, want a failure with a reason", r)
	}
}
