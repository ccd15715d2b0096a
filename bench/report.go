package bench

// The report of one result folder, as `siglab bench` leaves it behind:
// tables.txt (layout comparisons per suite, memory, latency) and
// check.svg, written next to the raw results so the folder is
// self-describing when committed. Computing and printing are separate:
// BuildReport computes, (*RunReport).WriteText prints, Report does both
// and writes the files.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Names of the files Report writes into the result folder.
const (
	reportTablesName = "tables.txt"
	reportPlotName   = "check.svg"
)

// SuiteReport is the layout comparison of one suite. Tables whose every
// sample is zero (allocs/op and B/op of an allocation-free suite) are not
// printed as tables: their units are listed in ZeroUnits, one line saying
// so, because a page of zeros hides the tables that differ.
type SuiteReport struct {
	Suite     string
	Layouts   []string
	ZeroUnits []string
	*Comparison
}

// splitZeroTables moves the all-zero tables of c out, returning their units.
func splitZeroTables(c *Comparison) (zero []string) {
	kept := c.Tables[:0]
	for _, t := range c.Tables {
		if compareTableAllZero(t) {
			zero = append(zero, t.Unit)
			continue
		}
		kept = append(kept, t)
	}
	c.Tables = kept
	return zero
}

func compareTableAllZero(t *CompareTable) bool {
	for _, row := range t.Cells {
		for _, c := range row {
			if c == nil || c.Sample == nil {
				continue
			}
			for _, v := range c.Sample.Values {
				if v != 0 {
					return false
				}
			}
		}
	}
	return true
}

// FolderReport is everything Report computes for one result folder.
type FolderReport struct {
	Dir     string
	Suites  []SuiteReport
	Memory  []*MemoryTable
	Latency []*LatencyTable
	// Plot is the Check plot, nil when the folder has no fastpath
	// BenchmarkCheck results.
	Plot *Plot
}

// BuildReport computes the report of result folder dir without writing
// anything.
func BuildReport(dir string) (*FolderReport, error) {
	bySuite, suites, err := SuiteFiles(dir)
	if err != nil {
		return nil, err
	}
	r := &FolderReport{Dir: dir}
	for _, s := range suites {
		c, err := CompareLayouts(dir, s)
		if err != nil {
			return nil, err
		}
		sr := SuiteReport{Suite: s, Comparison: c, ZeroUnits: splitZeroTables(c)}
		for _, f := range bySuite[s] {
			sr.Layouts = append(sr.Layouts, f.Layout)
		}
		r.Suites = append(r.Suites, sr)
	}
	if r.Memory, err = Memory(dir); err != nil {
		return nil, err
	}
	if r.Latency, err = Latency(dir); err != nil {
		return nil, err
	}
	if r.Plot, err = CheckPlot(dir); err != nil {
		if !errors.Is(err, errPlotNoData) {
			return nil, err
		}
		r.Plot = nil // no fastpath Check results: nothing to plot
	}
	return r, nil
}

// WriteText prints the report as it goes into tables.txt.
func (r *FolderReport) WriteText(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "siglab bench report: %s\n", filepath.Base(filepath.Clean(r.Dir)))
	for _, s := range r.Suites {
		fmt.Fprintf(&b, "\n== %s: %s (base %s) ==\n", s.Suite, strings.Join(s.Layouts, " vs "), s.Layouts[0])
		if err := s.Comparison.WriteText(&b); err != nil {
			return err
		}
		if len(s.ZeroUnits) > 0 {
			fmt.Fprintf(&b, "\n%s: 0 in every result of every benchmark and layout\n", strings.Join(s.ZeroUnits, ", "))
		}
	}
	for _, m := range r.Memory {
		fmt.Fprintln(&b)
		if err := m.WriteText(&b); err != nil {
			return err
		}
	}
	for _, l := range r.Latency {
		fmt.Fprintln(&b)
		if err := l.WriteText(&b); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Report builds the report of result folder dir, writes tables.txt and
// (when there is something to plot) check.svg into it, and the delivery-
// latency distributions of the e2e workloads (LatencyPlotFile), prints
// the text to w if w is not nil, and returns the text.
func Report(dir string, w io.Writer) (string, error) {
	r, err := BuildReport(dir)
	if err != nil {
		return "", err
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, reportTablesName), text.Bytes(), 0o644); err != nil {
		return "", err
	}
	if r.Plot != nil {
		var svg bytes.Buffer
		if err := r.Plot.WriteSVG(&svg); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, reportPlotName), svg.Bytes(), 0o644); err != nil {
			return "", err
		}
	}
	if err := writeLatencyPlots(dir, r.Latency); err != nil {
		return "", err
	}
	if w != nil {
		if _, err := w.Write(text.Bytes()); err != nil {
			return "", err
		}
	}
	return text.String(), nil
}
