package serve

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// pidnsScenarios depend on sched's view of process groups and sessions
// (job control, orphaned groups). CI runs in a container whose session
// leader is outside its PID namespace, where /proc shows the session and
// the inherited group as 0 (sched.HiddenID): stop_cont failed there on
// every layout — the child's SIGTSTP discarded as if its group were
// orphaned — and passed everywhere else.
var pidnsScenarios = []string{"stop_cont", "nocldstop"}

// TestConformanceInPIDNamespace runs pidnsScenarios' emulated conformance
// again in a new PID namespace (unshare(1) -pf --mount-proc), where the
// test's session and process group are hidden as in that CI.
func TestConformanceInPIDNamespace(t *testing.T) {
	if os.Getenv("SIGLAB_IN_PIDNS") != "" {
		t.Skip("already inside the namespace")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare(1) not found (util-linux): cannot make a PID namespace")
	}
	probe, err := exec.Command(unshare, "-pf", "--mount-proc", "cat", "/proc/self/stat").Output()
	if err != nil {
		t.Skipf("no PID namespace here (needs CAP_SYS_ADMIN or user namespaces): %v", err)
	}
	// The condition itself: pgrp and session (stat fields 5 and 6, the
	// third and fourth after the command) read 0.
	i := bytes.LastIndexByte(probe, ')')
	if f := bytes.Fields(probe[i+1:]); i < 0 || len(f) < 4 || string(f[2]) != "0" || string(f[3]) != "0" {
		t.Fatalf("a new PID namespace does not hide the group and session as expected: %q", probe)
	}
	run := "^TestConformanceEmulated$/^(" + strings.Join(pidnsScenarios, "|") + ")$"
	cmd := exec.Command(unshare, "-pf", "--mount-proc", os.Args[0], "-test.run", run, "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIGLAB_IN_PIDNS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in a PID namespace: %v\n%s", err, out)
	}
	for _, sc := range pidnsScenarios {
		if !bytes.Contains(out, []byte("--- PASS: TestConformanceEmulated/"+sc+" ")) {
			t.Errorf("%s did not pass in the PID namespace:\n%s", sc, out)
		}
	}
}
