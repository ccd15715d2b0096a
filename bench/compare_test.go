package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	repDir1     = "testdata/report/2026-11-27-1a2b3c4"
	repDir2     = "testdata/report/2026-11-28-5d6e7f8"
	repOtherCPU = "testdata/report/othercpu"
	repBad      = "testdata/report/bad"
)

// cellFor finds the cell of row in column col of the table with unit.
func cellFor(t *testing.T, c *Comparison, unit, row string, col int) *CompareCell {
	t.Helper()
	for _, tb := range c.Tables {
		if tb.Unit != unit {
			continue
		}
		for ri, r := range tb.Rows {
			if r == row {
				return tb.Cells[ri][col]
			}
		}
	}
	t.Fatalf("no %s row %s", unit, row)
	return nil
}

func TestCompareFolders(t *testing.T) {
	res, err := Compare(repDir1, repDir2)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range res.Pairs {
		names = append(names, p.Name)
		if got := p.Tables[0].Cols; len(got) != 2 || got[0] != "2026-11-27-1a2b3c4" || got[1] != "2026-11-28-5d6e7f8" {
			t.Errorf("%s: columns %q, want the two folder names", p.Name, got)
		}
	}
	if strings.Join(names, " ") != "fastpath-bitmap.txt fastpath-flat.txt" {
		t.Errorf("pairs %q", names)
	}
	if len(res.Skipped) != 1 || res.Skipped[0] != "stream-bitmap.txt (only in NEW)" {
		t.Errorf("skipped %q", res.Skipped)
	}
	// The second bitmap run was generated 7% faster: the delta must be
	// significant and negative; flat was unchanged in distribution.
	c := cellFor(t, res.Pairs[0].Comparison, "sec/op", "Check/threads=100000/pending=0%-2", 1)
	if !c.HasBase || c.Comparison.P >= 0.05 || !strings.HasPrefix(c.Delta, "-") {
		t.Errorf("bitmap Check at 100000 threads: delta %q p=%v, want a significant decrease", c.Delta, c.Comparison.P)
	}
	base := cellFor(t, res.Pairs[0].Comparison, "sec/op", "Check/threads=100000/pending=0%-2", 0)
	if want := fmt.Sprintf("%+.2f%%", (c.Summary.Center/base.Summary.Center-1)*100); c.Delta != want {
		t.Errorf("delta %q, medians give %s", c.Delta, want)
	}
	var out strings.Builder
	if err := res.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== fastpath-bitmap.txt ==", "== fastpath-flat.txt ==", "vs base", "geomean", "stream-bitmap.txt (only in NEW)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestCompareFiles(t *testing.T) {
	res, err := Compare(repDir1+"/fastpath-flat.txt", repDir2+"/fastpath-flat.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 1 || len(res.Skipped) != 0 {
		t.Fatalf("got %d pairs, skipped %q", len(res.Pairs), res.Skipped)
	}
	// Column labels must stay distinct although the base names are equal.
	cols := res.Pairs[0].Tables[0].Cols
	if cols[0] == cols[1] {
		t.Errorf("columns not distinct: %q", cols)
	}
}

func TestCompareLayouts(t *testing.T) {
	c, err := CompareLayouts(repDir1, "fastpath")
	if err != nil {
		t.Fatal(err)
	}
	tb := c.Tables[0]
	if tb.Unit != "sec/op" || len(tb.Cols) != 2 || tb.Cols[0] != "fastpath-bitmap.txt" || tb.Cols[1] != "fastpath-flat.txt" {
		t.Fatalf("first table %s with columns %q, want sec/op bitmap then flat", tb.Unit, tb.Cols)
	}
	// One table per unit: the layout: lines differ but are ignored.
	units := map[string]bool{}
	for _, tb := range c.Tables {
		if units[tb.Unit] {
			t.Errorf("unit %s split over two tables", tb.Unit)
		}
		units[tb.Unit] = true
		for _, kv := range tb.Config {
			if kv.Key == "layout" || kv.Key == "commit" {
				t.Errorf("table config shows %s", kv.Key)
			}
		}
	}
	// Every cell of the time table has a CI (10 runs) and every non-base
	// cell a comparison with n=10.
	for ri := range tb.Rows {
		for ci, cell := range tb.Cells[ri] {
			if cell == nil || cell.CI == "∞" || len(cell.Sample.Values) != 10 {
				t.Errorf("%s col %d: %+v", tb.Rows[ri], ci, cell)
			}
			if ci == 1 && (!cell.HasBase || cell.Comparison.N1 != 10 || cell.Comparison.N2 != 10) {
				t.Errorf("%s: comparison %+v", tb.Rows[ri], cell.Comparison)
			}
		}
	}
	if tb.Geomean == nil || !tb.Geomean[1].HasRatio {
		t.Errorf("no geomean ratio")
	}
	if _, err := CompareLayouts(repDir1, "nosuch"); !IsBadInput(err) {
		t.Errorf("unknown suite: err %v, want bad input", err)
	}
}

func TestCompareErrors(t *testing.T) {
	tmp := t.TempDir()
	unreadable := filepath.Join(tmp, "unreadable.txt")
	if err := os.WriteFile(unreadable, []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	emptyDir := filepath.Join(tmp, "empty")
	os.Mkdir(emptyDir, 0o755)
	good := repDir1 + "/fastpath-bitmap.txt"
	tests := []struct {
		name     string
		old, new string
		want     []string // substrings of the one-line error
	}{
		{"missing old", "testdata/report/nosuch", repDir2, []string{"nosuch", "no such file"}},
		{"missing new file", good, filepath.Join(tmp, "nosuch.txt"), []string{"nosuch.txt", "no such file"}},
		{"empty file", good, repBad + "/empty.txt", []string{"empty.txt", "empty result file"}},
		{"no results", good, repBad + "/noresults.txt", []string{"noresults.txt", "no benchmark results"}},
		{"malformed line", good, repBad + "/malformed.txt", []string{"malformed.txt:10:", "malformed line"}},
		{"file vs folder", good, repDir2, []string{"cannot compare a file with a folder"}},
		{"nothing in common", repDir1, emptyDir, []string{"no result files in common"}},
		{"other cpu and go", repDir1, repOtherCPU, []string{"cpu", "go", "AMD EPYC 7B13", "go1.25.4"}},
	}
	if os.Geteuid() != 0 { // root reads mode-0 files anyway
		tests = append(tests, struct {
			name     string
			old, new string
			want     []string
		}{"unreadable", good, unreadable, []string{"unreadable.txt", "permission denied"}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compare(tc.old, tc.new)
			if err == nil {
				t.Fatalf("no error; got %d pairs", len(res.Pairs))
			}
			if !IsBadInput(err) {
				t.Errorf("error %T is not bad input: %v", err, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestCompareConfigMismatch(t *testing.T) {
	_, err := Compare(repDir1, repOtherCPU)
	var ce *ConfigMismatchError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConfigMismatchError", err)
	}
	if strings.Join(ce.Keys, ",") != "cpu,go" {
		t.Errorf("keys %q, want cpu,go (goos and goarch agree, commit may differ)", ce.Keys)
	}
	w := ce.Warning()
	for _, s := range []string{"Intel(R) Xeon(R) Platinum 8259CL", "AMD EPYC 7B13", "go1.26.8", "go1.25.4", "1a2b3c4", "9f9f9f9"} {
		if !strings.Contains(w, s) {
			t.Errorf("warning lacks %q:\n%s", s, w)
		}
	}
	// Same machine, different commit: fine.
	if err := CheckConfigs(FileConfig{GOOS: "linux", CPU: "x", Go: "go1", Commit: "a"},
		FileConfig{GOOS: "linux", CPU: "x", Go: "go1", Commit: "b"}); err != nil {
		t.Errorf("commit difference rejected: %v", err)
	}
}

func TestCompareFilesErrors(t *testing.T) {
	if _, err := CompareFiles(nil, nil); !IsBadInput(err) {
		t.Errorf("no inputs: %v", err)
	}
	if _, err := CompareFiles([]string{repDir1}, nil); !IsBadInput(err) || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder as file: %v", err)
	}
	if _, err := CompareFiles([]string{repDir1 + "/fastpath-bitmap.txt"}, &CompareOptions{Ignore: []string{"("}}); err == nil {
		t.Errorf("bad ignore list accepted")
	}
}

func TestReportLabels(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"a/x.txt", "b/y.txt"}, []string{"x.txt", "y.txt"}},
		{[]string{"r/a/x.txt", "r/b/x.txt"}, []string{"a/x.txt", "b/x.txt"}},
		{[]string{"x.txt", "x.txt"}, []string{"x.txt", "x.txt#1"}},
	}
	for _, tc := range tests {
		if got := reportLabels(tc.in); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("reportLabels(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Same file twice: two columns, no significant difference.
	c, err := CompareFiles([]string{repDir1 + "/fastpath-bitmap.txt", repDir1 + "/fastpath-bitmap.txt"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cell := c.Tables[0].Cells[0][1]
	if len(c.Tables[0].Cols) != 2 || cell.Delta != "~" || cell.Comparison.P != 1 {
		t.Errorf("self-comparison: cols %q, delta %q p=%v", c.Tables[0].Cols, cell.Delta, cell.Comparison.P)
	}
}
