package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLatencyFile(t *testing.T) {
	dir := t.TempDir()
	// 1..100 shuffled: linear-interpolation percentiles are known in
	// closed form: rank = p/100*(n-1), so p50 = 50.5, p90 = 90.1,
	// p99 = 99.01.
	var b strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "%d\n", (i*37)%100+1)
	}
	p := filepath.Join(dir, "x.txt")
	os.WriteFile(p, []byte(b.String()), 0o644)
	ls, err := LatencyFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := LatencyStats{N: 100, Min: 1, P50: 50.5, P90: 90.1, P99: 99.01, Max: 100}
	got := *ls
	for _, f := range []struct {
		name string
		g, w float64
	}{{"min", got.Min, want.Min}, {"p50", got.P50, want.P50}, {"p90", got.P90, want.P90}, {"p99", got.P99, want.P99}, {"max", got.Max, want.Max}} {
		if math.Abs(f.g-f.w) > 1e-9 {
			t.Errorf("%s = %v, want %v", f.name, f.g, f.w)
		}
	}
	if got.N != 100 {
		t.Errorf("n = %d", got.N)
	}

	bad := []struct{ name, body, want string }{
		{"empty", "\n\n", "no latency samples"},
		{"text", "12.5\nslow\n", ":2: bad latency sample \"slow\""},
		{"negative", "1\n-3\n", ":2: bad latency sample"},
		{"nan", "NaN\n", ":1: bad latency sample"},
	}
	for _, tc := range bad {
		p := filepath.Join(dir, tc.name+".txt")
		os.WriteFile(p, []byte(tc.body), 0o644)
		if _, err := LatencyFile(p); !IsBadInput(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := LatencyFile(filepath.Join(dir, "nosuch.txt")); !IsBadInput(err) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLatencyFolder(t *testing.T) {
	tables, err := Latency(repDir1)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 {
		t.Fatalf("%d tables", len(tables))
	}
	lt := tables[0]
	if lt.Suite != "fastpath" || strings.Join(lt.Layouts, ",") != "bitmap,flat" ||
		strings.Join(lt.Names, ",") != "SendTake/kind=realtime,SendTake/kind=standard" {
		t.Fatalf("table %s layouts %q names %q", lt.Suite, lt.Layouts, lt.Names)
	}
	for _, n := range lt.Names {
		for _, l := range lt.Layouts {
			s := lt.Stats[n][l]
			if s == nil || s.N != 400 || !(s.Min <= s.P50 && s.P50 <= s.P90 && s.P90 <= s.P99 && s.P99 <= s.Max) {
				t.Errorf("%s %s: %+v", n, l, s)
			}
		}
	}
	var b strings.Builder
	lt.WriteText(&b)
	if !strings.Contains(b.String(), "p99") || strings.Count(b.String(), "SendTake/kind=") != 4 {
		t.Errorf("latency text:\n%s", b.String())
	}
	// No samples folder: no tables, no error.
	if tables, err := Latency(repDir2); err != nil || tables != nil {
		t.Errorf("folder without samples: %v, %v", tables, err)
	}
}
