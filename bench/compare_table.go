package bench

// Comparison tables, computed the way cmd/benchstat computes them.
//
// cmd/benchstat keeps its table logic in an internal package
// (golang.org/x/perf/cmd/benchstat/internal/benchtab) that we cannot
// import, and golang.org/x/perf/benchstat is the deprecated v1 engine
// (mean ± IQR-trimmed range), whose numbers differ from today's benchstat.
// So this file re-does benchtab's Builder on top of the importable
// libraries it is made of: benchproc projects each result to a
// (table, row, column) key with benchstat's default projections
// (-table .config -row .fullname -col .file), benchmath summarises each
// cell (median and its order-statistic CI under AssumeNothing, or the
// unit's "assume=" metadata) and compares each cell with the first column
// (Mann-Whitney U test), and benchunit scales numbers per row. The
// geomean row follows benchtab's summarizeCol: geomean of the column's
// centers, and geomean of per-row ratios against the base column.
// compare_text.go lays the result out like benchstat's text output.

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"
)

// CompareOptions are the benchstat flags we support. The zero value means
// benchstat's defaults, except Ignore (see DefaultIgnore).
type CompareOptions struct {
	// Confidence is the CI level (benchstat -confidence); 0 means 0.95.
	Confidence float64
	// Alpha is the significance level (benchstat -alpha); 0 means 0.05.
	Alpha float64
	// Ignore lists keys to ignore when grouping (benchstat -ignore).
	// nil means DefaultIgnore; use an empty non-nil slice for none,
	// which is exactly plain `benchstat A B`.
	Ignore []string
}

// DefaultIgnore are the file configuration keys the runner writes that
// are expected to differ between the files being compared. Plain
// benchstat groups tables by every file key, so two files whose "commit:"
// or "layout:" lines differ would land in separate tables and never be
// compared; ignoring them is `benchstat -ignore commit,machine,layout`.
var DefaultIgnore = []string{"commit", "machine", "layout"}

// Comparison is the set of tables benchstat prints for a set of inputs.
type Comparison struct {
	Tables []*CompareTable
}

// CompareTable is one benchstat table: one unit, one file configuration.
type CompareTable struct {
	// Config is the table's configuration (".config" keys other than
	// the ignored ones), printed as "key: value" lines above the table.
	Config []ConfigLine
	// Unit is the tidied unit ("sec/op", "B/op", "shared-B/thread").
	Unit string
	// Cols are the column labels (the .file values); Cols[0] is the base.
	Cols []string
	// Rows are the row labels (benchmark .fullname).
	Rows []string
	// Cells is indexed [row][col]; nil where a benchmark is missing.
	Cells [][]*CompareCell
	// Geomean is indexed by column; nil when there is only one row
	// (benchstat prints no geomean row then).
	Geomean []*CompareGeomean
	// Notes are the footnote texts; CompareCell.Notes and
	// CompareGeomean.Notes refer to them by 1-based index.
	Notes []string
}

// ConfigLine is one "key: value" line of file configuration.
type ConfigLine struct{ Key, Value string }

// CompareCell is one (benchmark, file) cell.
type CompareCell struct {
	Sample  *benchmath.Sample
	Summary benchmath.Summary
	// HasBase is set when the cell is compared with the base column.
	HasBase    bool
	Comparison benchmath.Comparison

	// Text as benchstat prints it.
	Center string // median, scaled for the row: "1.718µ"
	CI     string // "1%", "∞", "?"
	Delta  string // "-17.20%", "~", or "" when !HasBase
	PN     string // "p=0.000 n=10", or "" when !HasBase
	Notes  []int  // footnote numbers on the summary (and on the comparison)
	// DeltaNotes are footnotes on the comparison.
	DeltaNotes []int
}

// CompareGeomean is the geomean row entry of one column.
type CompareGeomean struct {
	HasSummary bool
	Summary    float64
	HasRatio   bool
	Ratio      float64 // geomean of new/base ratios
	Center     string  // scaled summary, "" if !HasSummary
	Delta      string  // "+3.10%", "?" or "" for the base column
	Notes      []int

	warnings []error
}

// CompareFiles builds the tables `benchstat -ignore <opts.Ignore> P1 P2 …`
// prints, with columns labelled by short distinct names (see
// reportLabels). opts may be nil.
func CompareFiles(paths []string, opts *CompareOptions) (*Comparison, error) {
	if len(paths) == 0 {
		return nil, &InputError{Path: "(none)", Msg: "no result files to compare"}
	}
	labels := reportLabels(paths)
	files := make([]*reportFile, len(paths))
	for i, p := range paths {
		f, err := reportReadFile(p, labels[i])
		if err != nil {
			return nil, err
		}
		files[i] = f
	}
	return compareBuild(files, opts)
}

// cmpCellAcc accumulates one cell's values, like benchtab.builderCell.
type cmpCellAcc struct {
	values  []float64
	residue map[benchproc.Key]struct{}
}

type cmpTableAcc struct {
	rows, cols map[benchproc.Key]struct{}
	cells      map[[2]benchproc.Key]*cmpCellAcc
}

func compareBuild(files []*reportFile, opts *CompareOptions) (*Comparison, error) {
	var o CompareOptions
	if opts != nil {
		o = *opts
	}
	if o.Confidence == 0 {
		o.Confidence = 0.95
	}
	if o.Alpha == 0 {
		o.Alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	if o.Ignore == nil {
		o.Ignore = DefaultIgnore
	}
	if o.Confidence < 0 || o.Confidence > 1 || o.Alpha < 0 || o.Alpha > 1 {
		return nil, fmt.Errorf("bench: confidence and alpha must be in [0, 1]")
	}
	thresholds := benchmath.Thresholds{CompareAlpha: o.Alpha}

	filter, err := benchproc.NewFilter("*")
	if err != nil {
		return nil, err
	}
	// Same order of Parse calls as cmd/benchstat: the ignore projection
	// must be parsed before Residue, and every projection before any
	// Project call, so that .config omits keys named elsewhere.
	var parser benchproc.ProjectionParser
	tableBy, unitField, err := parser.ParseWithUnit(".config", filter)
	if err != nil {
		return nil, err
	}
	rowBy, err := parser.Parse(".fullname", filter)
	if err != nil {
		return nil, err
	}
	colBy, err := parser.Parse(".file", filter)
	if err != nil {
		return nil, err
	}
	if _, err := parser.Parse(strings.Join(o.Ignore, ","), filter); err != nil {
		return nil, fmt.Errorf("bench: bad ignore list %q: %v", o.Ignore, err)
	}
	residue := parser.Residue()

	units := benchfmt.UnitMetadataMap{}
	tables := map[benchproc.Key]*cmpTableAcc{}
	for _, f := range files {
		for k, v := range f.units {
			units[k] = v
		}
		for _, r := range f.results {
			tableKeys := tableBy.ProjectValues(r)
			rowKey, colKey, resKey := rowBy.Project(r), colBy.Project(r), residue.Project(r)
			for ui, tk := range tableKeys {
				t := tables[tk]
				if t == nil {
					t = &cmpTableAcc{
						rows:  map[benchproc.Key]struct{}{},
						cols:  map[benchproc.Key]struct{}{},
						cells: map[[2]benchproc.Key]*cmpCellAcc{},
					}
					tables[tk] = t
				}
				ck := [2]benchproc.Key{rowKey, colKey}
				c := t.cells[ck]
				if c == nil {
					c = &cmpCellAcc{residue: map[benchproc.Key]struct{}{}}
					t.cells[ck] = c
					t.rows[rowKey] = struct{}{}
					t.cols[colKey] = struct{}{}
				}
				c.values = append(c.values, r.Values[ui].Value)
				c.residue[resKey] = struct{}{}
			}
		}
	}

	var keys []benchproc.Key
	for k := range tables {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)

	out := &Comparison{}
	for _, tk := range keys {
		out.Tables = append(out.Tables, compareFinish(tk, unitField, tables[tk], units, &thresholds, o.Confidence))
	}
	return out, nil
}

func cmpSortedKeys(m map[benchproc.Key]struct{}) []benchproc.Key {
	var keys []benchproc.Key
	for k := range m {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	return keys
}

// compareFinish computes summaries, comparisons and text for one table.
func compareFinish(tk benchproc.Key, unitField *benchproc.Field, acc *cmpTableAcc,
	units benchfmt.UnitMetadataMap, th *benchmath.Thresholds, confidence float64) *CompareTable {
	unit := tk.Get(unitField)
	assumption := units.GetAssumption(unit)
	rowKeys, colKeys := cmpSortedKeys(acc.rows), cmpSortedKeys(acc.cols)

	t := &CompareTable{Unit: unit}
	for _, f := range tk.Projection().FlattenedFields() {
		if f.Name != ".unit" {
			t.Config = append(t.Config, ConfigLine{f.Name, tk.Get(f)})
		}
	}
	for _, c := range colKeys {
		t.Cols = append(t.Cols, c.StringValues())
	}
	for _, r := range rowKeys {
		t.Rows = append(t.Rows, r.StringValues())
	}

	// Footnotes are numbered in the order benchstat's ToText meets them:
	// row by row, column by column, summary warnings before comparison
	// warnings, then the geomean row.
	noteIdx := map[string]int{}
	note := func(errs ...[]error) []int {
		var ns []int
		for _, list := range errs {
			for _, e := range list {
				s := e.Error()
				i, ok := noteIdx[s]
				if !ok {
					t.Notes = append(t.Notes, s)
					i = len(t.Notes)
					noteIdx[s] = i
				}
				ns = append(ns, i)
			}
		}
		return ns
	}

	cls := benchunit.ClassOf(unit)
	t.Cells = make([][]*CompareCell, len(rowKeys))
	for ri, rk := range rowKeys {
		t.Cells[ri] = make([]*CompareCell, len(colKeys))
		for ci, ck := range colKeys {
			acc := acc.cells[[2]benchproc.Key{rk, ck}]
			if acc == nil {
				continue
			}
			cell := &CompareCell{Sample: benchmath.NewSample(append([]float64(nil), acc.values...), th)}
			cell.Summary = assumption.Summary(cell.Sample, confidence)
			if nsk := benchproc.NonSingularFields(cmpSortedKeys(acc.residue)); len(nsk) > 0 {
				var names []string
				for _, f := range nsk {
					names = append(names, f.Name)
				}
				cell.Sample.Warnings = append(cell.Sample.Warnings,
					errors.New("benchmarks vary in "+strings.Join(names, ", ")))
			}
			t.Cells[ri][ci] = cell
		}
		// Comparisons need the base cell's sample, so a second pass.
		base := t.Cells[ri][0]
		var centers []float64
		for _, c := range t.Cells[ri] {
			if c != nil {
				centers = append(centers, c.Summary.Center)
			}
		}
		scaler := benchunit.CommonScale(centers, cls)
		for ci, cell := range t.Cells[ri] {
			if cell == nil {
				continue
			}
			cell.Center = scaler.Format(cell.Summary.Center)
			cell.CI = cell.Summary.PctRangeString()
			cell.Notes = note(cell.Sample.Warnings, cell.Summary.Warnings)
			if ci > 0 && base != nil {
				cell.HasBase = true
				cell.Comparison = assumption.Compare(base.Sample, cell.Sample)
				cell.Delta = cell.Comparison.FormatDelta(base.Summary.Center, cell.Summary.Center)
				cell.PN = cell.Comparison.String()
				cell.DeltaNotes = note(cell.Comparison.Warnings)
			}
		}
	}

	if len(rowKeys) > 1 {
		nBase := 0
		for ri := range rowKeys {
			if t.Cells[ri][0] != nil {
				nBase++
			}
		}
		for ci := range colKeys {
			t.Geomean = append(t.Geomean, compareGeomean(t, ci, nBase, cls))
		}
		for _, g := range t.Geomean {
			// Numbered after the body, as benchstat does.
			g.Notes = note(g.warnings)
		}
	}
	return t
}

// compareGeomean mirrors benchtab.summarizeCol: the geomean of the
// column's centers, and the geomean of the per-row ratios to the base.
func compareGeomean(t *CompareTable, ci, nBase int, cls benchunit.Class) *CompareGeomean {
	g := &CompareGeomean{}
	var summaries, ratios []float64
	badRatio := false
	for ri := range t.Rows {
		cell := t.Cells[ri][ci]
		if cell == nil {
			continue
		}
		summaries = append(summaries, cell.Summary.Center)
		if cell.HasBase {
			a, b := cell.Summary.Center, t.Cells[ri][0].Summary.Center
			switch {
			case a == b:
				ratios = append(ratios, 1) // 0/0 counts as no change
			case b == 0:
				badRatio = true
				ratios = append(ratios, 0)
			default:
				ratios = append(ratios, a/b)
			}
		}
	}
	isBase := ci == 0
	if !isBase && nBase != len(ratios) {
		g.warnings = append(g.warnings, errors.New("benchmark set differs from baseline; geomeans may not be comparable"))
	}
	if gm := cmpGeoMean(summaries); math.IsNaN(gm) {
		g.warnings = append(g.warnings, errors.New("summaries must be >0 to compute geomean"))
	} else {
		g.HasSummary, g.Summary = true, gm
		g.Center = benchunit.Scale(gm, cls)
	}
	if !isBase {
		g.Delta = "?"
		if !badRatio {
			if gm := cmpGeoMean(ratios); math.IsNaN(gm) {
				g.warnings = append(g.warnings, errors.New("ratios must be >0 to compute geomean"))
			} else {
				g.HasRatio, g.Ratio = true, gm
				g.Delta = fmt.Sprintf("%+.2f%%", (gm-1)*100)
			}
		}
	}
	return g
}

// cmpGeoMean is go-moremath's stats.GeoMean (the one benchtab calls),
// with the same running-mean-of-logs arithmetic so results agree to the
// last bit: NaN for no values or any value <= 0.
func cmpGeoMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := 0.0
	for i, x := range xs {
		if x <= 0 {
			return math.NaN()
		}
		m += (math.Log(x) - m) / float64(i+1)
	}
	return math.Exp(m)
}
