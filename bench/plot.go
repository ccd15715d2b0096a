package bench

// Line plots of a benchmark metric against a numeric sub-name key, as a
// standalone SVG file (no scripts, fonts or stylesheets beyond the
// generic font family, so any browser or rsvg-convert renders it).
//
// The main use is ns/op of BenchmarkCheck against threads: the thread
// counts span five decades (1 … 100,000), so the x axis is log10; the
// y axis is linear from 0 by default, because the check costs a few
// nanoseconds and the question is "how many times slower at 100,000
// threads", which a zero-based linear axis shows honestly (a log y axis
// would flatten a 5x rise). Colour says the layout, dash pattern the
// other sub-name keys (e.g. pending=0% solid, pending=1% dashed).

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// PlotSeries is one polyline. Color and Dash index fixed palettes, so
// series that share a layout share a colour.
type PlotSeries struct {
	Name        string
	X, Y        []float64 // same length, X ascending
	Color, Dash int
}

// Plot is a line chart.
type Plot struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Series                []PlotSeries
}

var (
	plotColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"}
	plotDashes = []string{"", "7,4", "2,3", "9,3,2,3"}
)

// Geometry of the drawing, in SVG user units (pixels).
const (
	plotW, plotH                     = 820, 500
	plotLeft, plotRight              = 80, 230 // the legend lives in the right margin
	plotTop, plotBottom              = 50, 70
	plotInnerW, plotInnerH           = plotW - plotLeft - plotRight, plotH - plotTop - plotBottom
	plotFont                         = "font-family=\"sans-serif\""
	plotLegendLine, plotLegendRowGap = 28, 20
)

// plotAxis maps data values to a pixel range, linear or log10.
type plotAxis struct {
	log        bool
	lo, hi     float64 // data domain, in log10 units when log
	pix0, pix1 float64
}

func (a plotAxis) pos(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	return a.pix0 + (v-a.lo)/(a.hi-a.lo)*(a.pix1-a.pix0)
}

// ticks returns tick values: every decade for a log axis, a 1-2-5 step
// giving about five ticks for a linear one.
func (a plotAxis) ticks() []float64 {
	var ts []float64
	if a.log {
		for e := math.Ceil(a.lo - 1e-9); e <= a.hi+1e-9; e++ {
			ts = append(ts, math.Pow(10, e))
		}
		return ts
	}
	step := plotNiceStep((a.hi - a.lo) / 5)
	// Multiply rather than accumulate so ticks do not drift (0.30000004),
	// and add +0 so the zero tick prints as "0", not "-0".
	for i := math.Ceil(a.lo/step - 1e-9); i*step <= a.hi+step*1e-9; i++ {
		ts = append(ts, i*step+0)
	}
	return ts
}

func plotNiceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// plotDomain picks the axis domain for values vs: decades for log,
// [0, nice max] for linear (or [nice min, nice max] if values go negative).
func plotDomain(vs []float64, log bool, pix0, pix1 float64) plotAxis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if log {
			v = math.Log10(v)
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	a := plotAxis{log: log, pix0: pix0, pix1: pix1}
	if log {
		a.lo, a.hi = math.Floor(lo), math.Ceil(hi)
		if a.hi == a.lo {
			a.lo, a.hi = a.lo-1, a.hi+1
		}
		return a
	}
	lo = math.Min(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	step := plotNiceStep((hi - lo) / 5)
	a.lo, a.hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	return a
}

// plotFormat prints a tick value compactly: 100000 -> "100000", 2.5 -> "2.5".
func plotFormat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func plotEsc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// WriteSVG writes the plot as a standalone SVG document.
func (p *Plot) WriteSVG(w io.Writer) error {
	var xs, ys []float64
	for _, s := range p.Series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("bench: plot series %q has %d x and %d y values", s.Name, len(s.X), len(s.Y))
		}
		for i := range s.X {
			if (p.LogX && s.X[i] <= 0) || (p.LogY && s.Y[i] <= 0) {
				return fmt.Errorf("bench: plot series %q has a value <= 0 on a log axis", s.Name)
			}
			if math.IsNaN(s.X[i]) || math.IsNaN(s.Y[i]) || math.IsInf(s.X[i], 0) || math.IsInf(s.Y[i], 0) {
				return fmt.Errorf("bench: plot series %q has a non-finite value", s.Name)
			}
		}
		xs, ys = append(xs, s.X...), append(ys, s.Y...)
	}
	if len(xs) == 0 {
		return fmt.Errorf("bench: nothing to plot")
	}
	ax := plotDomain(xs, p.LogX, plotLeft, plotLeft+plotInnerW)
	ay := plotDomain(ys, p.LogY, plotTop+plotInnerH, plotTop)

	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", plotW, plotH, plotW, plotH)
	fmt.Fprintf(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n")
	fmt.Fprintf(&b, "<text class=\"title\" x=\"%d\" y=\"28\" text-anchor=\"middle\" %s font-size=\"17\" font-weight=\"bold\">%s</text>\n",
		plotLeft+plotInnerW/2, plotFont, plotEsc(p.Title))

	// Grid and ticks.
	fmt.Fprintf(&b, "<g class=\"x-axis\" %s font-size=\"12\" text-anchor=\"middle\">\n", plotFont)
	for _, t := range ax.ticks() {
		x := ax.pos(t)
		fmt.Fprintf(&b, "  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e3e3e3\"/>\n", x, plotTop, x, plotTop+plotInnerH)
		fmt.Fprintf(&b, "  <text x=\"%.1f\" y=\"%d\">%s</text>\n", x, plotTop+plotInnerH+18, plotFormat(t))
	}
	fmt.Fprintf(&b, "</g>\n<g class=\"y-axis\" %s font-size=\"12\" text-anchor=\"end\">\n", plotFont)
	for _, t := range ay.ticks() {
		y := ay.pos(t)
		fmt.Fprintf(&b, "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", plotLeft, y, plotLeft+plotInnerW, y)
		fmt.Fprintf(&b, "  <text x=\"%d\" y=\"%.1f\">%s</text>\n", plotLeft-8, y+4, plotFormat(t))
	}
	fmt.Fprintf(&b, "</g>\n")
	fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n", plotLeft, plotTop, plotInnerW, plotInnerH)
	fmt.Fprintf(&b, "<text class=\"xlabel\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" %s font-size=\"14\">%s</text>\n",
		plotLeft+plotInnerW/2, plotH-22, plotFont, plotEsc(p.XLabel))
	fmt.Fprintf(&b, "<text class=\"ylabel\" transform=\"translate(22 %d) rotate(-90)\" text-anchor=\"middle\" %s font-size=\"14\">%s</text>\n",
		plotTop+plotInnerH/2, plotFont, plotEsc(p.YLabel))

	// Data.
	for _, s := range p.Series {
		color := plotColors[s.Color%len(plotColors)]
		dash := ""
		if d := plotDashes[s.Dash%len(plotDashes)]; d != "" {
			dash = fmt.Sprintf(" stroke-dasharray=\"%s\"", d)
		}
		var pts []string
		for i := range s.X {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", ax.pos(s.X[i]), ay.pos(s.Y[i])))
		}
		fmt.Fprintf(&b, "<g class=\"series\">\n  <title>%s</title>\n", plotEsc(s.Name))
		fmt.Fprintf(&b, "  <polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", strings.Join(pts, " "), color, dash)
		for i := range s.X {
			fmt.Fprintf(&b, "  <circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", ax.pos(s.X[i]), ay.pos(s.Y[i]), color)
		}
		fmt.Fprintf(&b, "</g>\n")
	}

	// Legend, in the right margin.
	lx := plotLeft + plotInnerW + 18
	fmt.Fprintf(&b, "<g class=\"legend\" %s font-size=\"12\">\n", plotFont)
	for i, s := range p.Series {
		y := plotTop + 10 + i*plotLegendRowGap
		color := plotColors[s.Color%len(plotColors)]
		dash := ""
		if d := plotDashes[s.Dash%len(plotDashes)]; d != "" {
			dash = fmt.Sprintf(" stroke-dasharray=\"%s\"", d)
		}
		fmt.Fprintf(&b, "  <line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", lx, y, lx+plotLegendLine, y, color, dash)
		fmt.Fprintf(&b, "  <text x=\"%d\" y=\"%d\">%s</text>\n", lx+plotLegendLine+6, y+4, plotEsc(s.Name))
	}
	fmt.Fprintf(&b, "</g>\n</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// errPlotNoData marks the InputError of a folder that simply has nothing
// to plot, which a report skips rather than fails on.
var errPlotNoData = errors.New("nothing to plot")

// PlotMetric plots the median of unit for benchmark bench (base name,
// without "Benchmark") of one suite in result folder dir, against the
// numeric sub-name key (e.g. "threads"): one series per layout and per
// value of the remaining sub-name keys. The x axis is log10 and the y
// axis linear; callers may change Plot fields before WriteSVG.
func PlotMetric(dir, suite, bench, key, unit string) (*Plot, error) {
	bySuite, _, err := SuiteFiles(dir)
	if err != nil {
		return nil, err
	}
	files := bySuite[suite]
	if len(files) == 0 {
		return nil, &InputError{Path: dir, Msg: fmt.Sprintf("no %s-<layout>.txt files", suite), Err: errPlotNoData}
	}
	type seriesKey struct{ layout, variant string }
	vals := map[seriesKey]map[float64][]float64{}
	variants := map[string]bool{}
	for _, sf := range files {
		f, err := reportReadFile(sf.Path, sf.Layout)
		if err != nil {
			return nil, err
		}
		for _, r := range f.results {
			rn := reportParseName(r.Name)
			if rn.base != bench {
				continue
			}
			xs, ok := rn.get(key)
			if !ok {
				continue
			}
			x, err := strconv.ParseFloat(xs, 64)
			if err != nil {
				return nil, &InputError{Path: sf.Path, Msg: fmt.Sprintf("%s=%q in %s is not a number", key, xs, r.Name)}
			}
			y, ok := reportValue(r, unit)
			if !ok {
				continue
			}
			sk := seriesKey{sf.Layout, rn.without(key)}
			if vals[sk] == nil {
				vals[sk] = map[float64][]float64{}
			}
			vals[sk][x] = append(vals[sk][x], y)
			variants[sk.variant] = true
		}
	}
	if len(vals) == 0 {
		return nil, &InputError{Path: dir, Msg: fmt.Sprintf("no Benchmark%s results with %s=N and unit %s in suite %s", bench, key, unit, suite), Err: errPlotNoData}
	}
	variantList := reportSortedKeys(variants)
	p := &Plot{
		Title:  fmt.Sprintf("%s: Benchmark%s, median %s vs %s", suite, bench, unit, key),
		XLabel: key + " (log scale)",
		YLabel: unit + " (median)",
		LogX:   true,
	}
	for li, sf := range files {
		for vi, v := range variantList {
			byX := vals[seriesKey{sf.Layout, v}]
			if byX == nil {
				continue
			}
			s := PlotSeries{Name: strings.TrimSpace(sf.Layout + " " + v), Color: li, Dash: vi}
			var xs []float64
			for x := range byX {
				xs = append(xs, x)
			}
			sort.Float64s(xs)
			for _, x := range xs {
				s.X = append(s.X, x)
				s.Y = append(s.Y, reportMedian(byX[x]))
			}
			p.Series = append(p.Series, s)
		}
	}
	return p, nil
}

// CheckPlot is the report's main figure: fastpath BenchmarkCheck ns/op
// against threads, per layout and pending level.
func CheckPlot(dir string) (*Plot, error) {
	p, err := PlotMetric(dir, "fastpath", "Check", "threads", "ns/op")
	if err != nil {
		return nil, err
	}
	p.Title = "Signal fast-path check cost vs thread count"
	p.XLabel = "threads (log scale)"
	p.YLabel = "ns/op (median of runs)"
	return p, nil
}
