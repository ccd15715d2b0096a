package bench

// The distribution of delivery latency per layout, for the e2e suite:
// one figure per workload, one curve per layout, the empirical
// distribution function drawn at fixed percentiles — x the latency in
// microseconds on a log axis (the samples span microseconds to
// milliseconds: a scheduler tick shows as a step), y the share of
// deliveries at most that slow. The tables give p50/p90/p99; the curve
// shows where between them the mass sits.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// latencyPlotPercentiles are the points of each curve.
var latencyPlotPercentiles = []float64{0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.9, 100}

// LatencyPlot draws the distributions of samples file name (a workload,
// "spin-gc") of suite in result folder dir, one series per layout that has
// it, layouts in the order of the latency tables.
func LatencyPlot(dir, suite, name string) (*Plot, error) {
	sdir := filepath.Join(dir, "samples")
	dirs, err := filepath.Glob(filepath.Join(sdir, suite+"-*"))
	if err != nil {
		return nil, err
	}
	var layouts []string
	for _, d := range dirs {
		l := strings.TrimPrefix(filepath.Base(d), suite+"-")
		if strings.Contains(l, "-") {
			continue // another suite whose name extends this one
		}
		if _, err := os.Stat(filepath.Join(d, name+".txt")); err == nil {
			layouts = append(layouts, l)
		}
	}
	if len(layouts) == 0 {
		return nil, &InputError{Path: sdir, Msg: fmt.Sprintf("no %s samples of %s", suite, name), Err: errPlotNoData}
	}
	sort.Slice(layouts, func(i, j int) bool {
		if ra, rb := layoutRank(layouts[i]), layoutRank(layouts[j]); ra != rb {
			return ra < rb
		}
		return layouts[i] < layouts[j]
	})
	p := &Plot{
		Title:  fmt.Sprintf("%s %s: delivery latency, send to handler entry", suite, name),
		XLabel: "latency (µs, log scale)",
		YLabel: "deliveries at most that slow (%)",
		LogX:   true,
	}
	for i, l := range layouts {
		xs, err := readLatencySamples(filepath.Join(sdir, suite+"-"+l, name+".txt"))
		if err != nil {
			return nil, err
		}
		sort.Float64s(xs)
		s := PlotSeries{Name: fmt.Sprintf("%s (n=%d)", l, len(xs)), Color: i}
		for _, pct := range latencyPlotPercentiles {
			// Nearest rank: a sample that was measured, never an
			// interpolation between two.
			k := int(pct / 100 * float64(len(xs)-1))
			x := xs[k] / 1e3
			if x <= 0 {
				continue // 0 ns cannot go on a log axis
			}
			s.X, s.Y = append(s.X, x), append(s.Y, pct)
		}
		p.Series = append(p.Series, s)
	}
	return p, nil
}

// LatencyPlotFile is the file name, in a result folder, of LatencyPlot's
// figure for suite and name.
func LatencyPlotFile(suite, name string) string {
	return "latency-" + suite + "-" + name + ".svg"
}

// writeLatencyPlots writes LatencyPlot's figure of every e2e workload with
// samples in dir.
func writeLatencyPlots(dir string, tables []*LatencyTable) error {
	for _, t := range tables {
		if t.Suite != E2ESuite {
			continue
		}
		for _, name := range t.Names {
			p, err := LatencyPlot(dir, t.Suite, name)
			if err != nil {
				return err
			}
			f, err := os.Create(filepath.Join(dir, LatencyPlotFile(t.Suite, name)))
			if err != nil {
				return err
			}
			if err := p.WriteSVG(f); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}
