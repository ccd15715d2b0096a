package bench

// Text layout of comparison tables, modelled on cmd/benchstat's text
// output (internal/texttab): configuration lines printed when they change
// between tables, a header row of column labels and a row of units with
// "vs base", one row per benchmark ("median ± CI" then "delta (p=… n=…)"),
// a geomean row, and numbered footnotes for warnings. The cell texts are
// exactly benchstat's; the column padding is our own simpler version, so
// the tables read the same but need not match byte for byte.

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteText prints all tables as benchstat does, separated by blank lines.
func (c *Comparison) WriteText(w io.Writer) error {
	var prev []ConfigLine
	for i, t := range c.Tables {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		for j, kv := range t.Config {
			if prev == nil || j >= len(prev) || prev[j] != kv {
				if _, err := fmt.Fprintf(w, "%s: %s\n", kv.Key, kv.Value); err != nil {
					return err
				}
			}
		}
		prev = t.Config
		if err := t.WriteText(w); err != nil {
			return err
		}
	}
	return nil
}

// String returns the text of all tables.
func (c *Comparison) String() string {
	var b strings.Builder
	c.WriteText(&b)
	return b.String()
}

func txtWidth(s string) int { return utf8.RuneCountInString(s) }

func txtPadLeft(s string, w int) string {
	return strings.Repeat(" ", max(0, w-txtWidth(s))) + s
}

func txtPadRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-txtWidth(s)))
}

func txtCenter(s string, w int) string {
	l := (w - txtWidth(s)) / 2
	return txtPadRight(strings.Repeat(" ", max(0, l))+s, w)
}

// Superscript footnote marks as benchstat prints them: ¹ ² … ¹⁰.
func txtNotes(ns []int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	d := []rune(digits)
	var parts []string
	for _, n := range ns {
		var s []rune
		for ; n > 0; n /= 10 {
			s = append([]rune{d[n%10]}, s...)
		}
		parts = append(parts, string(s))
	}
	return strings.Join(parts, " ")
}

// WriteText prints one table (without its configuration lines).
func (t *CompareTable) WriteText(w io.Writer) error {
	nc := len(t.Cols)
	labelW := 0
	for _, r := range t.Rows {
		labelW = max(labelW, txtWidth(r))
	}
	if t.Geomean != nil {
		labelW = max(labelW, txtWidth("geomean"))
	}
	// Widths of the sub-columns of each column group.
	type widths struct{ center, ci, notes, delta, pn, dnotes int }
	ws := make([]widths, nc)
	for ci := 0; ci < nc; ci++ {
		wd := &ws[ci]
		for ri := range t.Rows {
			c := t.Cells[ri][ci]
			if c == nil {
				continue
			}
			wd.center = max(wd.center, txtWidth(c.Center))
			wd.ci = max(wd.ci, txtWidth(c.CI))
			wd.notes = max(wd.notes, txtWidth(txtNotes(c.Notes)))
			wd.delta = max(wd.delta, txtWidth(c.Delta))
			wd.pn = max(wd.pn, txtWidth(c.PN)+2)
			wd.dnotes = max(wd.dnotes, txtWidth(txtNotes(c.DeltaNotes)))
		}
		if t.Geomean != nil {
			g := t.Geomean[ci]
			wd.center = max(wd.center, txtWidth(g.Center))
			wd.delta = max(wd.delta, txtWidth(g.Delta))
			// benchstat puts geomean warnings at the end of the
			// column group: after the delta when there is one.
			if ci > 0 {
				wd.dnotes = max(wd.dnotes, txtWidth(txtNotes(g.Notes)))
			} else {
				wd.notes = max(wd.notes, txtWidth(txtNotes(g.Notes)))
			}
		}
	}
	centerPart := func(ci int, center, sep, ciText, notes string) string {
		wd := ws[ci]
		s := txtPadLeft(center, wd.center) + sep + txtPadLeft(ciText, wd.ci)
		if wd.notes > 0 {
			s += " " + txtPadRight(notes, wd.notes)
		}
		return s
	}
	deltaPart := func(ci int, delta, pn, notes string) string {
		wd := ws[ci]
		s := "  " + txtPadLeft(delta, wd.delta) + " " + txtPadRight(pn, wd.pn)
		if wd.dnotes > 0 {
			s += " " + txtPadRight(notes, wd.dnotes)
		}
		return s
	}
	// Group widths: enough for body, unit header and column label.
	cw := make([]int, nc) // center part width
	dw := make([]int, nc) // delta part width (0 for the base column)
	gw := make([]int, nc)
	for ci := 0; ci < nc; ci++ {
		cw[ci] = max(txtWidth(centerPart(ci, "", " ± ", "", "")), txtWidth(t.Unit))
		if ci > 0 {
			dw[ci] = max(txtWidth(deltaPart(ci, "", "", "")), txtWidth("  vs base"))
		}
		gw[ci] = max(cw[ci]+dw[ci], txtWidth(t.Cols[ci]))
		if extra := gw[ci] - cw[ci] - dw[ci]; extra > 0 {
			if ci > 0 {
				dw[ci] += extra
			} else {
				cw[ci] += extra
			}
		}
	}

	var b strings.Builder
	line := func(label string, groups []string) {
		b.WriteString(txtPadRight(label, labelW))
		for _, g := range groups {
			b.WriteString(" │ ")
			b.WriteString(g)
		}
		b.WriteString(" │\n")
	}
	hdr := make([]string, nc)
	units := make([]string, nc)
	for ci := range t.Cols {
		hdr[ci] = txtCenter(t.Cols[ci], gw[ci])
		units[ci] = txtCenter(t.Unit, cw[ci])
		if ci > 0 {
			units[ci] += txtPadRight("  vs base", dw[ci])
		}
	}
	line("", hdr)
	line("", units)

	body := func(label string, cell func(ci int) string) {
		b.WriteString(txtPadRight(label, labelW))
		for ci := 0; ci < nc; ci++ {
			b.WriteString("   ")
			b.WriteString(txtPadRight(cell(ci), gw[ci]))
		}
		b.WriteString("\n")
	}
	for ri, row := range t.Rows {
		body(row, func(ci int) string {
			c := t.Cells[ri][ci]
			if c == nil {
				return ""
			}
			// Extra width (a long unit or base label) goes to the left
			// of the median, as in benchstat, keeping "±" aligned.
			s := txtPadLeft(centerPart(ci, c.Center, " ± ", c.CI, txtNotes(c.Notes)), cw[ci])
			if c.HasBase {
				s += deltaPart(ci, c.Delta, "("+c.PN+")", txtNotes(c.DeltaNotes))
			}
			return s
		})
	}
	if t.Geomean != nil {
		body("geomean", func(ci int) string {
			g := t.Geomean[ci]
			if ci == 0 {
				return txtPadLeft(centerPart(ci, g.Center, "   ", "", txtNotes(g.Notes)), cw[ci])
			}
			s := txtPadLeft(centerPart(ci, g.Center, "   ", "", ""), cw[ci])
			s += deltaPart(ci, g.Delta, "", txtNotes(g.Notes))
			return s
		})
	}
	// Trailing spaces carry no information; benchstat trims them too.
	var out strings.Builder
	for _, l := range strings.SplitAfter(b.String(), "\n") {
		if l == "" {
			continue
		}
		out.WriteString(strings.TrimRight(l, " \n"))
		out.WriteString("\n")
	}
	for i, n := range t.Notes {
		fmt.Fprintf(&out, "%s %s\n", txtNotes([]int{i + 1}), n)
	}
	_, err := io.WriteString(w, out.String())
	return err
}
