package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAppendLatency: the rounds' samples accumulate in one file per
// workload and layout; a run without deliveries creates none (an empty
// samples file is bad input to the tables).
func TestAppendLatency(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, E2ELatencyFile("spin-gc", "bitmap"))
	tmp := filepath.Join(dir, ".tmp")
	os.WriteFile(tmp, []byte(""), 0o644)
	if err := appendLatency(dst, tmp); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("a run without samples created %s (%v)", dst, err)
	}
	for _, round := range []string{"1000\n2000\n", "3000\n"} {
		os.WriteFile(tmp, []byte(round), 0o644)
		if err := appendLatency(dst, tmp); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(tmp); !os.IsNotExist(err) {
			t.Fatalf("the run's file is left behind (%v)", err)
		}
	}
	if err := appendLatency(dst, tmp); err != nil { // nothing written at all
		t.Fatal(err)
	}
	ls, err := LatencyFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if ls.N != 3 || ls.Min != 1000 || ls.Max != 3000 || ls.P50 != 2000 {
		t.Fatalf("stats %+v, want the three samples of both rounds", ls)
	}
	tables, err := Latency(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Suite != E2ESuite || tables[0].Stats["spin-gc"]["bitmap"] == nil {
		t.Fatalf("tables %+v, want e2e spin-gc under bitmap", tables)
	}
}

// TestLatencyPlot: one curve per layout, in the tables' layout order,
// through the samples' percentiles, non-decreasing in both axes.
func TestLatencyPlot(t *testing.T) {
	dir := t.TempDir()
	write := func(layout, data string) {
		p := filepath.Join(dir, E2ELatencyFile("notify", layout))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		b.WriteString(strconv.Itoa(i * 1000))
		b.WriteString("\n")
	}
	write("flat", b.String())
	write("bitmap", "5000\n7000\n")
	p, err := LatencyPlot(dir, E2ESuite, "notify")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Series) != 2 || !strings.HasPrefix(p.Series[0].Name, "bitmap") || !strings.HasPrefix(p.Series[1].Name, "flat") {
		t.Fatalf("series %+v", p.Series)
	}
	for _, s := range p.Series {
		for i := 1; i < len(s.X); i++ {
			if s.X[i] < s.X[i-1] || s.Y[i] < s.Y[i-1] {
				t.Errorf("%s: not a distribution function at point %d: %v %v", s.Name, i, s.X, s.Y)
			}
		}
	}
	flat := p.Series[1]
	if flat.X[0] != 1 || flat.X[len(flat.X)-1] != 100 || flat.Y[len(flat.Y)-1] != 100 {
		t.Errorf("flat spans %v µs, want 1 … 100 at 0 … 100%%", flat.X)
	}
	if _, err := LatencyPlot(dir, E2ESuite, "spin-gc"); err == nil {
		t.Error("a plot of a workload without samples")
	}
	if err := p.WriteSVG(&strings.Builder{}); err != nil {
		t.Fatal(err)
	}
}
