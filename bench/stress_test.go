package bench

// Tests of the stress test on real workload runs, natively (no shim
// needed): passes are counted, a failing run is recorded with its output
// rather than stopping the test — a self-check FAIL, a bad exit without a
// result line, a hang killed at its timeout — and the table names each
// first failure's file.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func stressRoot(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs real workloads")
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestRunStressPasses(t *testing.T) {
	root := stressRoot(t)
	out := t.TempDir()
	ws := []Workload{{Name: "spin-gc", Quick: []string{"-work=30000000"}}}
	res, err := RunStress(context.Background(), StressOptions{Root: root, Workloads: ws,
		Modes: []string{NativeMode}, Runs: 2, Quick: true, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() != 2 || res.Failed() != 0 || len(res.Cells) != 1 || res.Cells[0].Passes != 2 {
		t.Fatalf("result %+v", res)
	}
	var b bytes.Buffer
	if err := res.Report(out, &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "spin-gc   2/2") || !strings.Contains(b.String(), "0 of 2 runs failed") {
		t.Errorf("table:\n%s", b.String())
	}
	if saved, err := os.ReadFile(filepath.Join(out, StressFile)); err != nil || string(saved) != b.String() {
		t.Errorf("%s differs from the printed table (err %v)", StressFile, err)
	}
}

func TestRunStressRecordsFailures(t *testing.T) {
	root := stressRoot(t)
	out := t.TempDir()
	ws := []Workload{
		// A GC never takes under 1ns: the self-check fails (exit 1).
		{Name: "spin-gc", Quick: []string{"-work=30000000", "-gc-bound=1ns"}},
		// An unknown flag: exit 2 and no result line.
		{Name: "notify", Quick: []string{"-no-such-flag"}},
		// Seconds of work against a 200 ms bound: killed, a failure.
		{Name: "fair", Quick: []string{"-work=40000000000"}},
	}
	res, err := RunStress(context.Background(), StressOptions{Root: root, Workloads: ws,
		Modes: []string{NativeMode}, Runs: 2, Quick: true, OutDir: out, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() != 6 || res.Failed() != 6 {
		t.Fatalf("%d of %d failed, want 6 of 6: %+v", res.Failed(), res.Total(), res.Cells)
	}
	for _, tc := range []struct {
		cell       int
		why, exit  string
		outputLike string
	}{
		{0, "failed its self-check: a GC took", "exit: exit status 1", "siglab-workload: spin-gc FAIL"},
		{1, "exit status 2, and printed no result line", "exit: exit status 2", "flag provided but not defined: -no-such-flag"},
		{2, "timed out after 200ms", "exit: timed out after 200ms", "run: 1 of 2"},
	} {
		c := res.Cells[tc.cell]
		if c.FirstFailure != 1 || !strings.Contains(c.Why, tc.why) || c.File != "stress-fail-"+c.Workload+"-native.txt" {
			t.Errorf("cell %+v, want the first run failed because %q", c, tc.why)
			continue
		}
		b, err := os.ReadFile(filepath.Join(out, c.File))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{tc.exit, tc.outputLike, "command: "} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s lacks %q:\n%s", c.File, want, b)
			}
		}
	}
	var b bytes.Buffer
	if err := res.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"spin-gc   0/2 [1]", "[2] notify/native, run 1: exit status 2, and printed no result line (output: stress-fail-notify-native.txt)", "6 of 6 runs failed"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestRunStressBadOptions(t *testing.T) {
	for _, o := range []StressOptions{
		{Runs: 0, Modes: []string{NativeMode}, Workloads: Workloads},
		{Runs: 1, Modes: []string{"bitmap"}, Workloads: Workloads}, // emulated, no siglab command
		{Runs: 1, Workloads: Workloads},
	} {
		o.OutDir = t.TempDir()
		if _, err := RunStress(context.Background(), o); err == nil {
			t.Errorf("RunStress(%+v) succeeded", o)
		}
	}
}
