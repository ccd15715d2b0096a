package bench

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgDoc is what the tests read back from an SVG: every polyline, every
// text, by walking the XML tokens (so the file must be well-formed XML).
type svgDoc struct {
	polylines [][][2]float64
	texts     []string
	root      string
}

func parseSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	var inText bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if doc.root == "" {
				doc.root = el.Name.Space + " " + el.Name.Local
			}
			inText = el.Name.Local == "text"
			if el.Name.Local == "polyline" {
				var pts [][2]float64
				for _, a := range el.Attr {
					if a.Name.Local != "points" {
						continue
					}
					for _, p := range strings.Fields(a.Value) {
						xs, ys, _ := strings.Cut(p, ",")
						x, err1 := strconv.ParseFloat(xs, 64)
						y, err2 := strconv.ParseFloat(ys, 64)
						if err1 != nil || err2 != nil {
							t.Fatalf("bad point %q", p)
						}
						pts = append(pts, [2]float64{x, y})
					}
				}
				doc.polylines = append(doc.polylines, pts)
			}
		case xml.CharData:
			if inText {
				doc.texts = append(doc.texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
	return doc
}

func (d svgDoc) hasText(s string) bool {
	for _, t := range d.texts {
		if t == s {
			return true
		}
	}
	return false
}

func TestCheckPlotSVG(t *testing.T) {
	p, err := CheckPlot(repDir1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, buf.Bytes())
	if doc.root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q", doc.root)
	}
	// bitmap and flat × pending 0% and 1%.
	if len(doc.polylines) != 4 {
		t.Fatalf("%d polylines, want 4", len(doc.polylines))
	}
	for i, pl := range doc.polylines {
		if len(pl) != 4 {
			t.Errorf("polyline %d has %d points, want one per thread count", i, len(pl))
		}
		for j := 1; j < len(pl); j++ {
			if pl[j][0] <= pl[j-1][0] {
				t.Errorf("polyline %d: x not increasing: %v", i, pl)
			}
		}
		// Log x axis: 1 -> 100 -> 10000 are equal steps.
		if d1, d2 := pl[1][0]-pl[0][0], pl[2][0]-pl[1][0]; len(pl) == 4 && (d1-d2 > 0.2 || d2-d1 > 0.2) {
			t.Errorf("x axis not logarithmic: steps %.1f and %.1f", d1, d2)
		}
	}
	// flat at 100000 threads is slower than bitmap in the fixtures: its
	// last point must be higher on the page (smaller y).
	if doc.polylines[2][3][1] >= doc.polylines[0][3][1] {
		t.Errorf("flat not drawn above bitmap at 100000 threads")
	}
	for _, s := range []string{"threads (log scale)", "ns/op (median of runs)", "Signal fast-path check cost vs thread count",
		"1", "10", "100", "1000", "10000", "100000", "0",
		"bitmap pending=0%", "bitmap pending=1%", "flat pending=0%", "flat pending=1%"} {
		if !doc.hasText(s) {
			t.Errorf("SVG has no text %q; texts: %q", s, doc.texts)
		}
	}
}

func TestPlotMetricGeneric(t *testing.T) {
	p, err := PlotMetric(repDir1, "fastpath", "Footprint", "threads", "B/thread")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Series) != 2 || p.Series[0].Name != "bitmap" || p.Series[1].Name != "flat" {
		t.Fatalf("series %+v", p.Series)
	}
	if y := p.Series[1].Y; y[0] != 152 || y[len(y)-1] != 152 {
		t.Errorf("flat B/thread %v, want 152 everywhere", y)
	}
	p.LogY = true
	var buf bytes.Buffer
	if err := p.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	parseSVG(t, buf.Bytes())

	if _, err := PlotMetric(repDir1, "fastpath", "Nosuch", "threads", "ns/op"); !IsBadInput(err) {
		t.Errorf("no data: %v", err)
	}
}

func TestPlotBadData(t *testing.T) {
	for _, p := range []*Plot{
		{},
		{LogX: true, Series: []PlotSeries{{Name: "zero", X: []float64{0, 1}, Y: []float64{1, 2}}}},
		{Series: []PlotSeries{{Name: "ragged", X: []float64{1, 2}, Y: []float64{1}}}},
	} {
		if err := p.WriteSVG(io.Discard); err == nil {
			t.Errorf("plot %+v: no error", p.Series)
		}
	}
	// Escaping: names with XML metacharacters still give valid XML.
	p := &Plot{Title: "a<b & c>d", Series: []PlotSeries{{Name: `"q" <x>`, X: []float64{1, 2}, Y: []float64{3, 3}}}}
	var buf bytes.Buffer
	if err := p.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	if doc := parseSVG(t, buf.Bytes()); !doc.hasText("a<b & c>d") {
		t.Errorf("title lost: %q", doc.texts)
	}
}
