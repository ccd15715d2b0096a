package bench

// Per-op latency percentiles. A median ns/op hides the tail, and the tail
// is what a managed program feels when a signal lands on a slow path
// (a contended lock, a page fault in the arena). Benchmarks that time each
// op record the samples, one float (nanoseconds) per line, in
// samples/<suite>-<layout>/<name>.txt inside the result folder; here we
// summarise each file with github.com/montanaflynn/stats percentiles
// (linear interpolation between closest ranks) and put the layouts of a
// suite side by side.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/montanaflynn/stats"
)

// LatencyStats summarises one samples file, in nanoseconds.
type LatencyStats struct {
	N                  int
	Min, P50, P90, P99 float64
	Max                float64
}

// LatencyTable holds one suite's samples: Stats[name][layout].
type LatencyTable struct {
	Suite   string
	Layouts []string // DefaultLayout first, like the comparison tables
	Names   []string // benchmark names, sorted
	Stats   map[string]map[string]*LatencyStats
}

// LatencyFile reads one samples file and computes its statistics.
func LatencyFile(path string) (*LatencyStats, error) {
	xs, err := readLatencySamples(path)
	if err != nil {
		return nil, err
	}
	return latencyOf(xs)
}

// readLatencySamples reads one samples file: at least one sample, each
// nanoseconds >= 0.
func readLatencySamples(path string) ([]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &InputError{Path: path, Msg: reportErrText(err), Err: err}
	}
	var xs []float64
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return nil, &InputError{Path: path, Line: line, Msg: fmt.Sprintf("bad latency sample %q, want nanoseconds >= 0", s)}
		}
		xs = append(xs, x)
	}
	if err := sc.Err(); err != nil {
		return nil, &InputError{Path: path, Msg: err.Error(), Err: err}
	}
	if len(xs) == 0 {
		return nil, &InputError{Path: path, Msg: "no latency samples"}
	}
	return xs, nil
}

func latencyOf(xs []float64) (*LatencyStats, error) {
	d := stats.Float64Data(xs)
	ls := &LatencyStats{N: len(xs)}
	var err error
	if ls.Min, err = d.Min(); err != nil {
		return nil, err
	}
	if ls.Max, err = d.Max(); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		pct float64
		dst *float64
	}{{50, &ls.P50}, {90, &ls.P90}, {99, &ls.P99}} {
		if *p.dst, err = d.Percentile(p.pct); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

// Latency reads every samples file under dir/samples and returns one
// table per suite, suites sorted. A folder without samples gives nil.
func Latency(dir string) ([]*LatencyTable, error) {
	sdir := filepath.Join(dir, "samples")
	ents, err := os.ReadDir(sdir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, &InputError{Path: sdir, Msg: reportErrText(err), Err: err}
	}
	tables := map[string]*LatencyTable{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		i := strings.LastIndexByte(e.Name(), '-')
		if i <= 0 {
			continue // not <suite>-<layout>
		}
		suite, layout := e.Name()[:i], e.Name()[i+1:]
		files, err := filepath.Glob(filepath.Join(sdir, e.Name(), "*.txt"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			ls, err := LatencyFile(f)
			if err != nil {
				return nil, err
			}
			t := tables[suite]
			if t == nil {
				t = &LatencyTable{Suite: suite, Stats: map[string]map[string]*LatencyStats{}}
				tables[suite] = t
			}
			name := latencyName(filepath.Base(f))
			if t.Stats[name] == nil {
				t.Stats[name] = map[string]*LatencyStats{}
			}
			t.Stats[name][layout] = ls
		}
	}
	var out []*LatencyTable
	for _, suite := range reportSortedKeys(tables) {
		t := tables[suite]
		t.Names = reportSortedKeys(t.Stats)
		seen := map[string]bool{}
		for _, byLayout := range t.Stats {
			for l := range byLayout {
				if !seen[l] {
					seen[l] = true
					t.Layouts = append(t.Layouts, l)
				}
			}
		}
		sort.Slice(t.Layouts, func(i, j int) bool {
			a, b := t.Layouts[i], t.Layouts[j]
			if ra, rb := layoutRank(a), layoutRank(b); ra != rb {
				return ra < rb
			}
			return a < b
		})
		out = append(out, t)
	}
	return out, nil
}

// latencyName turns a samples file name back into a benchmark name:
// "SendTake_kind=standard.txt" -> "SendTake/kind=standard". The runner
// replaced '/' by '_'; an '_' that was in the name itself is ambiguous and
// shows as '/', which is only cosmetic.
func latencyName(file string) string {
	s := strings.TrimSuffix(file, ".txt")
	s = strings.TrimPrefix(s, "Benchmark")
	return strings.ReplaceAll(s, "_", "/")
}

// WriteText prints, per benchmark, one line per layout with n, min,
// p50, p90, p99 and max in nanoseconds.
func (t *LatencyTable) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "latency: %s, per-op samples (ns)\n", t.Suite)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "benchmark\tlayout\tn\tmin\tp50\tp90\tp99\tmax\t\n")
	for _, name := range t.Names {
		for _, l := range t.Layouts {
			s := t.Stats[name][l]
			if s == nil {
				fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t-\t\n", name, l)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", name, l, s.N, s.Min, s.P50, s.P90, s.P99, s.Max)
		}
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}
