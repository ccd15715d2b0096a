package bench

// The go-stdlib summary: package × mode → pass/fail/skip, the median wall
// time and its ratio to the native run, and by name every test that passes
// natively and not under a layout — the list the emulator is to be fixed
// against.

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// StdlibSummary is the runs of one package in one mode, merged.
type StdlibSummary struct {
	Pkg, Mode string
	Runs      int
	// Verdicts merge the rounds: a test failing in any round fails; else
	// passing in any round passes; else it was skipped.
	Verdicts TestVerdicts
	Wall     time.Duration // median over rounds
	Exits    []string      // distinct bad exits
}

// SummarizeGoStdlib merges runs per package and mode, in the order of first
// appearance of packages and in modes' order.
func SummarizeGoStdlib(runs []StdlibRun, modes []string) []StdlibSummary {
	var pkgs []string
	by := map[[2]string][]StdlibRun{}
	for _, r := range runs {
		k := [2]string{r.Pkg.Path, r.Mode}
		if _, seen := by[k]; !seen && !containsString(pkgs, r.Pkg.Path) {
			pkgs = append(pkgs, r.Pkg.Path)
		}
		by[k] = append(by[k], r)
	}
	var out []StdlibSummary
	for _, p := range pkgs {
		for _, m := range modes {
			rs := by[[2]string{p, m}]
			if len(rs) == 0 {
				continue
			}
			s := StdlibSummary{Pkg: p, Mode: m, Runs: len(rs), Verdicts: TestVerdicts{}}
			var walls []time.Duration
			for _, r := range rs {
				walls = append(walls, r.Wall)
				if r.Exit != "" && !containsString(s.Exits, r.Exit) {
					s.Exits = append(s.Exits, r.Exit)
				}
				for n, v := range r.Verdicts {
					s.Verdicts[n] = mergeVerdict(s.Verdicts[n], v)
				}
			}
			sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
			s.Wall = walls[len(walls)/2]
			if len(walls)%2 == 0 {
				s.Wall = (walls[len(walls)/2-1] + walls[len(walls)/2]) / 2
			}
			out = append(out, s)
		}
	}
	return out
}

func mergeVerdict(old, v string) string {
	switch {
	case old == TestFail || v == TestFail:
		return TestFail
	case old == TestPass || v == TestPass:
		return TestPass
	}
	return TestSkip
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// WriteGoStdlibTable prints the summary table of runs and the tests that
// pass natively but not under emulation.
func WriteGoStdlibTable(w io.Writer, runs []StdlibRun, modes []string) {
	sums := SummarizeGoStdlib(runs, modes)
	native := map[string]StdlibSummary{}
	for _, s := range sums {
		if s.Mode == NativeMode {
			native[s.Pkg] = s
		}
	}
	fmt.Fprintln(w, "go-stdlib: the Go standard library's signal tests, natively and under `siglab run`")
	fmt.Fprintln(w, "(counts are tests and subtests; a test counts as failed if it failed in any round; wall is the median)")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tmode\truns\tpass\tfail\tskip\twall\t×native\t\texit\t")
	for _, s := range sums {
		pass, fail, skip := s.Verdicts.Count()
		ratio := "-"
		if n, ok := native[s.Pkg]; ok && s.Mode != NativeMode && n.Wall > 0 {
			ratio = fmt.Sprintf("%.2f", float64(s.Wall)/float64(n.Wall))
		}
		exit := "ok"
		if len(s.Exits) > 0 {
			exit = strings.Join(s.Exits, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t\t%s\t\n", s.Pkg, s.Mode, s.Runs, pass, fail, skip,
			s.Wall.Round(10*time.Millisecond), ratio, exit)
	}
	tw.Flush()
	fmt.Fprintln(w)
	any := false
	for _, s := range sums {
		n, ok := native[s.Pkg]
		if s.Mode == NativeMode || !ok {
			continue
		}
		reg := s.Verdicts.Regressions(n.Verdicts)
		if len(reg) == 0 {
			continue
		}
		if !any {
			fmt.Fprintln(w, "Passing natively, not under emulation:")
			any = true
		}
		names := make([]string, 0, len(reg))
		for name := range reg {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(w, "  %-14s %-8s %s (%s)\n", s.Pkg, s.Mode, name, reg[name])
		}
	}
	if !any {
		fmt.Fprintln(w, "Every test that passes natively passes under emulation.")
	}
}
