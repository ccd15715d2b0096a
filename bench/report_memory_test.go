package bench

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMemory(t *testing.T) {
	tables, err := Memory(repDir1)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Suite != "fastpath" || tables[0].Threads != 100000 {
		t.Fatalf("got %d tables, first %+v", len(tables), tables[0])
	}
	mt := tables[0]
	// The fixtures report, per layout: shared-B/thread, shared-B/process,
	// B/thread, B/process.
	want := map[string][4]float64{"bitmap": {48, 8, 64, 2112}, "flat": {136, 0, 152, 2048}}
	if len(mt.Rows) != 2 || mt.Rows[0].Layout != "bitmap" {
		t.Fatalf("rows %+v, want bitmap first", mt.Rows)
	}
	for _, r := range mt.Rows {
		w := want[r.Layout]
		got := [4]float64{r.SharedPerThread, r.SharedPerProcess, r.PerThread, r.PerProcess}
		if !r.Found || got != w {
			t.Errorf("%s: %v, want %v", r.Layout, got, w)
		}
		mib := (w[2]*100000 + w[3]) / (1024 * 1024)
		if math.Abs(r.TotalMiB-mib) > 1e-9 {
			t.Errorf("%s: %.4f MiB, want %.4f", r.Layout, r.TotalMiB, mib)
		}
	}
	var b strings.Builder
	if err := mt.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"threads=100000", "shared-B/thread", "6.11", "14.50"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("memory text lacks %q:\n%s", s, b.String())
		}
	}
}

func TestMemoryLargestN(t *testing.T) {
	// A layout missing the largest N shows as not found, not as zero.
	dir := t.TempDir()
	hdr := "goos: linux\ngoarch: amd64\ncpu: x\ngo: go1.26.8\n"
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(hdr+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("s-bitmap.txt", "BenchmarkFootprint/threads=10-2 1 0 ns/op 8 B/thread 100 B/process\n"+
		"BenchmarkFootprint/threads=1000-2 1 0 ns/op 8 B/thread 100 B/process\n")
	write("s-flat.txt", "BenchmarkFootprint/threads=10-2 1 0 ns/op 16 B/thread 0 B/process\n")
	write("t-bitmap.txt", "BenchmarkOther-2 1 5 ns/op\n")
	tables, err := Memory(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Threads != 1000 {
		t.Fatalf("tables %+v", tables)
	}
	if r := tables[0].Rows; !r[0].Found || r[1].Found || r[1].Layout != "flat" {
		t.Errorf("rows %+v", r)
	}
	write("u-bitmap.txt", "BenchmarkFootprint/threads=many-2 1 0 ns/op 8 B/thread\n")
	if _, err := Memory(dir); !IsBadInput(err) || !strings.Contains(err.Error(), "threads=") {
		t.Errorf("bad threads value: %v", err)
	}
}
