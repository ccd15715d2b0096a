package bench

// Cross-check: our comparison tables must carry exactly the numbers the
// real cmd/benchstat prints for the same inputs. We build benchstat from
// the module cache (x/perf is a dependency in go.mod, so this works
// offline), run it with the same labels and -ignore list, and compare
// every data row token by token: median, CI, footnote marks, delta,
// p-value and n, and the geomean row.

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func buildBenchstat(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found in PATH; cannot build cmd/benchstat to cross-check against")
	}
	bin := filepath.Join(t.TempDir(), "benchstat")
	cmd := exec.Command(goTool, "build", "-o", bin, "golang.org/x/perf/cmd/benchstat")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building benchstat: %v\n%s", err, out)
	}
	return bin
}

// benchstatTables splits benchstat text output into tables, each a map
// from row label to the whitespace-separated tokens of that row (the
// "│" rules are dropped), plus the unit of each table.
type bsTable struct {
	unit  string
	rows  map[string][]string
	notes []string
}

func parseBenchstat(out string) []bsTable {
	var tables []bsTable
	var cur *bsTable
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			cur = nil
		case strings.Contains(line, "│"):
			if cur == nil {
				tables = append(tables, bsTable{rows: map[string][]string{}})
				cur = &tables[len(tables)-1]
			}
			// The last header line holds the unit (and "vs base").
			if f := strings.Fields(strings.ReplaceAll(line, "│", " ")); len(f) > 0 {
				cur.unit = f[0]
			}
		case cur != nil && strings.ContainsRune("¹²³⁴⁵⁶⁷⁸⁹", []rune(line)[0]):
			// Footnote: "¹ all samples are equal".
			_, text, _ := strings.Cut(line, " ")
			cur.notes = append(cur.notes, text)
		case cur != nil:
			f := strings.Fields(line)
			cur.rows[f[0]] = f[1:]
		}
	}
	return tables
}

// ourTokens is what benchstat prints for row ri of t, as tokens.
func ourTokens(t *CompareTable, ri int) []string {
	var toks []string
	for ci, c := range t.Cells[ri] {
		if c == nil {
			continue
		}
		toks = append(toks, c.Center, "±", c.CI)
		toks = append(toks, strings.Fields(txtNotes(c.Notes))...)
		if ci > 0 && c.HasBase {
			toks = append(toks, c.Delta)
			toks = append(toks, strings.Fields("("+c.PN+")")...)
			toks = append(toks, strings.Fields(txtNotes(c.DeltaNotes))...)
		}
	}
	return toks
}

func ourGeomeanTokens(t *CompareTable) []string {
	var toks []string
	for ci, g := range t.Geomean {
		if g.Center != "" {
			toks = append(toks, g.Center)
		}
		if ci > 0 {
			toks = append(toks, g.Delta)
		}
		toks = append(toks, strings.Fields(txtNotes(g.Notes))...)
	}
	return toks
}

func TestCompareMatchesBenchstat(t *testing.T) {
	bin := buildBenchstat(t)
	const r1, r2 = "testdata/report/2026-11-27-1a2b3c4", "testdata/report/2026-11-28-5d6e7f8"
	tests := []struct {
		name   string
		paths  []string
		ignore []string // nil: DefaultIgnore
	}{
		{"layouts", []string{r1 + "/fastpath-bitmap.txt", r1 + "/fastpath-flat.txt"}, nil},
		{"three columns, old and new", []string{r1 + "/fastpath-bitmap.txt", r2 + "/fastpath-bitmap.txt", r2 + "/fastpath-flat.txt"}, nil},
		{"plain benchstat, no -ignore", []string{r1 + "/fastpath-bitmap.txt", r2 + "/fastpath-bitmap.txt"}, []string{}},
		{"few runs, unequal n", []string{"testdata/report/small/old.txt", "testdata/report/small/new.txt"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ours, err := CompareFiles(tc.paths, &CompareOptions{Ignore: tc.ignore})
			if err != nil {
				t.Fatal(err)
			}
			ignore := tc.ignore
			if ignore == nil {
				ignore = DefaultIgnore
			}
			var args []string
			if len(ignore) > 0 {
				args = append(args, "-ignore", strings.Join(ignore, ","))
			}
			labels := reportLabels(tc.paths)
			for i, p := range tc.paths {
				args = append(args, labels[i]+"="+p)
			}
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil || stderr.Len() > 0 {
				t.Fatalf("benchstat %v: %v\n%s", args, err, stderr.String())
			}
			theirs := parseBenchstat(stdout.String())
			if len(theirs) != len(ours.Tables) {
				t.Fatalf("benchstat printed %d tables, we built %d\nbenchstat:\n%s\nours:\n%s",
					len(theirs), len(ours.Tables), stdout.String(), ours.String())
			}
			cells := 0
			for i, ot := range ours.Tables {
				bt := theirs[i]
				if bt.unit != ot.Unit {
					t.Errorf("table %d: unit %q, benchstat %q", i, ot.Unit, bt.unit)
				}
				wantRows := len(ot.Rows)
				if ot.Geomean != nil {
					wantRows++
				}
				if len(bt.rows) != wantRows {
					t.Errorf("table %d (%s): %d rows, benchstat %d", i, ot.Unit, len(ot.Rows), len(bt.rows))
				}
				for ri, row := range ot.Rows {
					want, got := bt.rows[row], ourTokens(ot, ri)
					if strings.Join(want, " ") != strings.Join(got, " ") {
						t.Errorf("%s %s:\n ours      %q\n benchstat %q", ot.Unit, row, got, want)
					}
					cells += len(ot.Cols)
				}
				if ot.Geomean != nil {
					want, got := bt.rows["geomean"], ourGeomeanTokens(ot)
					if strings.Join(want, " ") != strings.Join(got, " ") {
						t.Errorf("%s geomean:\n ours      %q\n benchstat %q", ot.Unit, got, want)
					}
				}
				// Footnote texts, in order.
				if strings.Join(ot.Notes, "|") != strings.Join(bt.notes, "|") {
					t.Errorf("%s footnotes:\n ours      %q\n benchstat %q", ot.Unit, ot.Notes, bt.notes)
				}
			}
			if cells == 0 {
				t.Fatal("compared no cells")
			}
			// The layout is our own, but it follows benchstat closely;
			// show any difference to whoever looks at -v output.
			if got := ours.String(); got != stdout.String() {
				t.Logf("text layout differs from benchstat (numbers agree):\nours:\n%s\nbenchstat:\n%s", got, stdout.String())
			}
		})
	}
}
