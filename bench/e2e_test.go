package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// TestRunE2ENative builds two workloads and runs them natively twice: the
// result file must hold one result per run with the wall and CPU time and
// the workload's own metrics, behind the config lines.
func TestRunE2ENative(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs real workloads")
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := LookupWorkloads([]string{"spin-gc", "notify"})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	files, err := RunE2E(context.Background(), E2EOptions{
		Root: root, Workloads: ws, Modes: []string{NativeMode}, Count: 2, Quick: true,
		OutDir: out, Env: RunEnv{Commit: "abcdef0", GoVersion: "go1.26.8", Machine: "m"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || filepath.Base(files[0]) != "e2e-native.txt" {
		t.Fatalf("files %q", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := benchfmt.NewReader(f, files[0])
	counts := map[string]int{}
	for rd.Scan() {
		res, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		name := strings.TrimSuffix(string(res.Name), fmt.Sprintf("-%d", runtime.NumCPU()))
		counts[name]++
		for _, unit := range []string{"sec/op", "cpu-sec/op"} { // benchfmt tidies ns to sec
			if v, ok := res.Value(unit); !ok || v <= 0 {
				t.Errorf("%s: %s = %v", name, unit, v)
			}
		}
		if strings.Contains(name, "spin-gc") {
			if v, ok := res.Value("gcs"); !ok || v < 1 {
				t.Errorf("spin-gc: gcs = %v, %v", v, ok)
			}
		}
		if strings.Contains(name, "notify") {
			if v, ok := res.Value("received"); !ok || v != 600 {
				t.Errorf("notify: received = %v, want 600 (100 of 3 signals from itself and its child)", v)
			}
		}
		if layout := res.GetConfig("layout"); layout != NativeMode {
			t.Errorf("layout config %q", layout)
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if counts["Workload/name=spin-gc"] != 2 || counts["Workload/name=notify"] != 2 {
		t.Errorf("results per workload %v, want 2 each", counts)
	}
}

func TestRunE2EBadOptions(t *testing.T) {
	for _, o := range []E2EOptions{
		{Count: 0, Modes: []string{NativeMode}, Workloads: Workloads},
		{Count: 1, Modes: []string{"bitmap"}, Workloads: Workloads}, // emulated mode, no siglab command
		{Count: 1, Modes: []string{NativeMode}},
	} {
		o.OutDir = t.TempDir()
		if _, err := RunE2E(context.Background(), o); err == nil {
			t.Errorf("RunE2E(%+v) succeeded", o)
		}
	}
	if _, err := LookupWorkloads([]string{"nope"}); err == nil || !strings.Contains(err.Error(), "known: spin-gc") {
		t.Errorf("LookupWorkloads(nope) = %v", err)
	}
}
