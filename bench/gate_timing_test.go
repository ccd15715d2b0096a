package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// gateTimingFixture reads the committed bitmap timing baseline, a real
// -count=6 run, as the "current" sample.
func gateTimingFixture(t *testing.T) (string, []*benchfmt.Result) {
	t.Helper()
	path := filepath.Join("..", "results", "baseline-fastpath-bitmap.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gateParseResults(data, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		t.Fatalf("%s holds no results", path)
	}
	return path, res
}

// The committed timing baselines carry the configuration a comparison
// needs, and a sample of every timed probe for their layout.
func TestCommittedTimingBaselines(t *testing.T) {
	files, err := gateTimingFiles(filepath.Join("..", "results"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no results/baseline*.txt: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gateParseResults(data, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		seen := map[string]int{}
		for _, r := range res {
			for _, key := range []string{"goos", "goarch", "cpu", "go", "commit", "layout"} {
				if r.GetConfig(key) == "" {
					t.Errorf("%s: result %s has no %q configuration", f, r.Name, key)
				}
			}
			seen[gateResultName(r)]++
		}
		for _, p := range gateTimingProbes {
			if seen[p.resultName()] < 4 {
				t.Errorf("%s: %d samples of %s, want ≥ 4 for the U test", f, seen[p.resultName()], p.resultName())
			}
		}
	}
}

func TestGateCompareTiming(t *testing.T) {
	path, res := gateTimingFixture(t)

	// Against itself: every benchmark compared, none different.
	rows, notes, err := GateCompareTiming(res, []string{path}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(gateTimingProbes) || len(notes) != 0 {
		t.Fatalf("rows %+v notes %q", rows, notes)
	}
	for _, r := range rows {
		if r.Warning || r.Cmp.P < r.Cmp.Alpha || r.Change != 0 || r.Layout != "bitmap" {
			t.Errorf("self-comparison: %+v", r)
		}
	}

	// 50% slower everywhere: a significant slowdown beyond the threshold.
	slow := gateScaled(res, 1.5)
	rows, _, err = GateCompareTiming(slow, []string{path}, 0.10)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Warning || r.Change < 0.49 || r.Change > 0.51 {
			t.Errorf("50%% slower not warned: %+v", r)
		}
	}
	// The same slowdown under a 60% threshold: significant, but no warning.
	rows, _, _ = GateCompareTiming(slow, []string{path}, 0.60)
	for _, r := range rows {
		if r.Warning || r.Cmp.P >= r.Cmp.Alpha {
			t.Errorf("threshold ignored: %+v", r)
		}
	}
	// Faster is never a warning.
	rows, _, _ = GateCompareTiming(gateScaled(res, 0.5), []string{path}, 0)
	for _, r := range rows {
		if r.Warning {
			t.Errorf("speed-up warned: %+v", r)
		}
	}

	// A run on another CPU is not compared at all.
	other := gateScaled(res, 1.5)
	for _, r := range other {
		r.SetConfig("cpu", "Some Other CPU")
	}
	rows, notes, _ = GateCompareTiming(other, []string{path}, 0)
	if len(rows) != 0 || len(notes) != 1 || !strings.Contains(notes[0], "not compared") {
		t.Errorf("other machine: rows %+v notes %q", rows, notes)
	}

	// Bad baseline files are errors, not panics.
	bad := filepath.Join(t.TempDir(), "baseline-bad.txt")
	os.WriteFile(bad, []byte("BenchmarkX 1 notanumber ns/op\n"), 0o644)
	if _, _, err := GateCompareTiming(res, []string{bad}, 0); err == nil {
		t.Error("syntax error in a timing baseline: no error")
	}
	if _, _, err := GateCompareTiming(res, []string{filepath.Join(t.TempDir(), "missing.txt")}, 0); err == nil {
		t.Error("missing timing baseline: no error")
	}
}

// gateScaled copies results with every sec/op multiplied by f.
func gateScaled(res []*benchfmt.Result, f float64) []*benchfmt.Result {
	out := make([]*benchfmt.Result, len(res))
	for i, r := range res {
		c := r.Clone()
		for j := range c.Values {
			if c.Values[j].Unit == "sec/op" {
				c.Values[j].Value *= f
			}
		}
		out[i] = c
	}
	return out
}
