package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
)

// runTestSuite is a stand-in suite (testdata/runsuite) that takes -layout
// like the real ones.
var runTestSuite = Suite{Name: "fake", Pkg: "./bench/testdata/runsuite", Bench: "."}

func TestRunSuitesWritesResultFolder(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "2026-11-27-abcdef0")
	var progress strings.Builder
	env := RunEnv{Commit: "abcdef0", GoVersion: "go1.26.8", Machine: "testhost (2 cores)"}
	files, err := RunSuites(context.Background(), RunOptions{
		Root: root, Suites: []Suite{runTestSuite}, Layouts: []string{"a", "bb"},
		Count: 3, Benchtime: "10x", OutDir: out, Env: env, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(out, "fake-a.txt"), filepath.Join(out, "fake-bb.txt")}
	if strings.Join(files, ",") != strings.Join(want, ",") {
		t.Fatalf("files %q, want %q", files, want)
	}
	for i, f := range files {
		layout := []string{"a", "bb"}[i]
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rd := benchfmt.NewReader(r, f)
		n := 0
		for rd.Scan() {
			res, ok := rd.Result().(*benchfmt.Result)
			if !ok {
				continue
			}
			n++
			cfg := map[string]string{}
			for _, c := range res.Config {
				cfg[c.Key] = string(c.Value)
			}
			for k, v := range map[string]string{"layout": layout, "commit": "abcdef0", "go": "go1.26.8",
				"machine": "testhost (2 cores)", "goos": "linux"} {
				if cfg[k] != v {
					t.Errorf("%s: config %s = %q, want %q", f, k, cfg[k], v)
				}
			}
			if v, ok := res.Value("layout-len"); !ok || v != float64(len(layout)) {
				t.Errorf("%s: result from the wrong layout's run (layout-len %v)", f, v)
			}
		}
		r.Close()
		if err := rd.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("%s: %d results, want one per round (3)", f, n)
		}
		if _, err := os.Stat(filepath.Join(out, "samples", "fake-"+layout, "BenchmarkWork.txt")); err != nil {
			t.Errorf("samples of layout %s: %v", layout, err)
		}
	}
	// Rounds alternate layouts: a, bb, a, bb, a, bb.
	var order []string
	for _, line := range strings.Split(progress.String(), "\n") {
		if _, rest, ok := strings.Cut(line, "] "); ok && strings.Contains(rest, " done") {
			order = append(order, strings.Fields(rest)[0])
		}
	}
	if got := strings.Join(order, " "); got != "fake/a fake/bb fake/a fake/bb fake/a fake/bb" {
		t.Errorf("round order %q, want layouts alternating", got)
	}
}

func TestRunSuitesReportsFailure(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	_, err = RunSuites(context.Background(), RunOptions{
		Root: root, Suites: []Suite{runTestSuite}, Layouts: []string{"fail"},
		Count: 1, Benchtime: "1x", OutDir: t.TempDir(),
	})
	if err == nil || !strings.Contains(err.Error(), "fails on purpose") {
		t.Fatalf("err = %v, want the benchmark's failure", err)
	}
}

func TestRunSuitesBadOptions(t *testing.T) {
	for _, o := range []RunOptions{{Count: 0, Layouts: []string{"a"}}, {Count: 1}} {
		o.OutDir = t.TempDir()
		if _, err := RunSuites(context.Background(), o); err == nil {
			t.Errorf("RunSuites(%+v) succeeded", o)
		}
	}
	if _, err := LookupSuites([]string{"nope"}); err == nil || !strings.Contains(err.Error(), "known: fastpath, sched") {
		t.Errorf("LookupSuites(nope) = %v", err)
	}
}

func TestResultDir(t *testing.T) {
	env := RunEnv{Commit: "1234567+dirty"}
	got := ResultDir("/r", env, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	if got != filepath.Join("/r", "results", "2026-11-27-1234567") {
		t.Errorf("ResultDir = %q", got)
	}
}
