package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies a fixture folder so Report can write into it.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2026-11-27-1a2b3c4")
	copyTree(t, repDir1, dir)
	var printed strings.Builder
	text, err := Report(dir, &printed)
	if err != nil {
		t.Fatal(err)
	}
	if printed.String() != text {
		t.Errorf("printed text differs from returned text")
	}
	saved, err := os.ReadFile(filepath.Join(dir, "tables.txt"))
	if err != nil || string(saved) != text {
		t.Errorf("tables.txt (%v) differs from returned text", err)
	}
	layouts, _ := CompareLayouts(repDir1, "fastpath")
	zero := splitZeroTables(layouts)
	if strings.Join(zero, ",") != "B/op,allocs/op,ns/op" {
		t.Errorf("all-zero tables %q, want B/op, allocs/op and Footprint's ns/op", zero)
	}
	for _, s := range []string{"== fastpath: bitmap vs flat (base bitmap) ==", layouts.String(),
		"B/op, allocs/op, ns/op: 0 in every result of every benchmark and layout",
		"memory: fastpath, BenchmarkFootprint at threads=100000", "latency: fastpath"} {
		if !strings.Contains(text, s) {
			t.Errorf("report lacks %q", s)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "check.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if doc := parseSVG(t, svg); len(doc.polylines) != 4 {
		t.Errorf("check.svg has %d polylines", len(doc.polylines))
	}
	// Running it again must not pick up its own tables.txt as a suite,
	// nor the managed profiles' comparison an e2e run writes beside them
	// (once read as suite "profile", layout "compare": every e2e folder
	// failed to report).
	os.WriteFile(filepath.Join(dir, ProfileCompareFile), []byte("profile/bitmap: samples 3416/3003 native\n"), 0o644)
	again, err := Report(dir, nil)
	if err != nil || again != text {
		t.Errorf("second run differs (%v)", err)
	}
}

func TestReportWithoutCheck(t *testing.T) {
	// A folder without fastpath results: tables but no plot.
	dir := t.TempDir()
	data, _ := os.ReadFile(repDir2 + "/stream-bitmap.txt")
	os.WriteFile(filepath.Join(dir, "stream-bitmap.txt"), data, 0o644)
	text, err := Report(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Stream/threads=100-2") {
		t.Errorf("report:\n%s", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "check.svg")); !os.IsNotExist(err) {
		t.Errorf("check.svg written without data (%v)", err)
	}
}

func TestReportErrors(t *testing.T) {
	empty := t.TempDir()
	for _, dir := range []string{"testdata/report/nosuch", empty, repBad, repDir1 + "/fastpath-bitmap.txt"} {
		if _, err := Report(dir, nil); !IsBadInput(err) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Report(%s): %v, want a one-line bad-input error", dir, err)
		}
	}
}
