package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"
)

func TestSummarize(t *testing.T) {
	hot := &profile.Function{ID: 1, Name: "main.hot"}
	cold := &profile.Function{ID: 2, Name: "main.cold"}
	inlined := &profile.Function{ID: 3, Name: "main.inlined"}
	loc := func(id uint64, fns ...*profile.Function) *profile.Location {
		l := &profile.Location{ID: id}
		for _, f := range fns {
			l.Line = append(l.Line, profile.Line{Function: f})
		}
		return l
	}
	lh, lc, li := loc(1, hot), loc(2, cold), loc(3, inlined, cold)
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{lh, lc}, Value: []int64{5, 50e6}},
			{Location: []*profile.Location{lc}, Value: []int64{2, 20e6}},
			{Location: []*profile.Location{li}, Value: []int64{1, 10e6}},
			{Location: []*profile.Location{lh}, Value: []int64{2, 20e6}},
		},
		Function: []*profile.Function{hot, cold, inlined},
		Location: []*profile.Location{lh, lc, li},
	}
	s, err := summarize(p)
	if err != nil {
		t.Fatal(err)
	}
	// Flat counts go to the leaf: main.inlined, not main.cold, for the
	// inlined frame.
	if s.samples != 10 || s.top != "main.hot" || s.flat["main.hot"] != 7 ||
		s.flat["main.cold"] != 2 || s.flat["main.inlined"] != 1 || s.share("main.hot") != 0.7 {
		t.Errorf("summarize = %+v", s)
	}
	p.SampleType = []*profile.ValueType{{Type: "alloc_space", Unit: "bytes"}}
	if _, err := summarize(p); err == nil {
		t.Error("a profile without a samples value was accepted")
	}
}

func TestReadSummaryRejectsGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.pb.gz")
	if err := os.WriteFile(path, []byte("not a profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readSummary(path); err == nil {
		t.Error("garbage parsed as a profile")
	}
}

func TestRunSelfChecks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pb.gz")
	r := run(path, 600_000_000)
	if !r.OK {
		t.Fatalf("profile failed its self-check: %s (metrics %v)", r.Why, r.Metrics)
	}
	m := r.Metrics
	if m["samples"] < 1 || m["top_share"] <= 0 || m["top_share"] > 1 || m["hot_share"] != m["top_share"] || m["cpu_ms"] <= 0 {
		t.Errorf("implausible metrics %v", m)
	}
	if s, err := readSummary(path); err != nil || float64(s.samples) != m["samples"] {
		t.Errorf("profile at -o holds %d samples (err %v), result line says %v", s.samples, err, m["samples"])
	}
}

func TestRunRemovesTemporaryProfile(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	run("", 1_000_000)
	left, err := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "siglab-profile-*"))
	if err != nil || len(left) != 0 {
		t.Errorf("temporary profiles left behind: %v (err %v)", left, err)
	}
}
