package bench

// Memory table: how many bytes of signal state each layout costs, from
// the deterministic BenchmarkFootprint/threads=N results. The benchmark
// reports, via b.ReportMetric, bytes per thread and per process, both in
// total and for the part that lives in the shared arena. The interesting
// number is the largest N (100,000 threads by default): that is where a
// per-thread layout decision shows up in MiB.

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Footprint metric units, as the fastpath benchmarks report them.
const (
	unitSharedPerThread = "shared-B/thread"
	// unitTotalMiB is the benchmark's own total at its thread count, which
	// counts its processes too (the report cannot know how many there are).
	unitTotalMiB         = "MiB"
	unitPerThread        = "B/thread"
	unitSharedPerProcess = "shared-B/process"
	unitPerProcess       = "B/process"
)

// MemoryRow is one layout's footprint at MemoryTable.Threads threads.
// Values are medians over the runs (the metric is deterministic, so they
// are all equal in practice). A metric the benchmark did not report is 0.
type MemoryRow struct {
	Layout           string
	Found            bool // the layout has a result at Threads
	SharedPerThread  float64
	PerThread        float64
	SharedPerProcess float64
	PerProcess       float64
	// TotalMiB is the benchmark's MiB metric (threads and their processes)
	// or, without one, (PerThread*Threads + PerProcess) / 2^20.
	TotalMiB float64
}

// MemoryTable compares the layouts of one suite at the largest thread
// count that any layout reported.
type MemoryTable struct {
	Suite   string
	Threads int
	Rows    []MemoryRow
}

// Memory builds one MemoryTable per suite of result folder dir that has
// BenchmarkFootprint results; suites without any are left out.
func Memory(dir string) ([]*MemoryTable, error) {
	bySuite, suites, err := SuiteFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []*MemoryTable
	for _, suite := range suites {
		t, err := memoryForSuite(suite, bySuite[suite])
		if err != nil {
			return nil, err
		}
		if t != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

func memoryForSuite(suite string, files []SuiteFile) (*MemoryTable, error) {
	type perN map[int]map[string][]float64 // threads -> unit -> values
	data := make([]perN, len(files))
	maxN := -1
	for i, sf := range files {
		f, err := reportReadFile(sf.Path, sf.Layout)
		if err != nil {
			return nil, err
		}
		data[i] = perN{}
		for _, r := range f.results {
			rn := reportParseName(r.Name)
			if rn.base != "Footprint" {
				continue
			}
			ns, ok := rn.get("threads")
			if !ok {
				continue
			}
			n, err := strconv.Atoi(ns)
			if err != nil || n < 0 {
				return nil, &InputError{Path: sf.Path, Msg: fmt.Sprintf("bad threads=%q in %s", ns, r.Name)}
			}
			if data[i][n] == nil {
				data[i][n] = map[string][]float64{}
			}
			for _, u := range []string{unitSharedPerThread, unitPerThread, unitSharedPerProcess, unitPerProcess, unitTotalMiB} {
				if v, ok := reportValue(r, u); ok {
					data[i][n][u] = append(data[i][n][u], v)
				}
			}
			maxN = max(maxN, n)
		}
	}
	if maxN < 0 {
		return nil, nil
	}
	t := &MemoryTable{Suite: suite, Threads: maxN}
	for i, sf := range files {
		row := MemoryRow{Layout: sf.Layout}
		if vals := data[i][maxN]; vals != nil {
			row.Found = true
			med := func(u string) float64 {
				if len(vals[u]) == 0 {
					return 0
				}
				return reportMedian(vals[u])
			}
			row.SharedPerThread = med(unitSharedPerThread)
			row.PerThread = med(unitPerThread)
			row.SharedPerProcess = med(unitSharedPerProcess)
			row.PerProcess = med(unitPerProcess)
			row.TotalMiB = (row.PerThread*float64(maxN) + row.PerProcess) / (1 << 20)
			if len(vals[unitTotalMiB]) > 0 {
				row.TotalMiB = med(unitTotalMiB)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// WriteText prints the table with aligned columns.
func (t *MemoryTable) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "memory: %s, BenchmarkFootprint at threads=%d\n", t.Suite, t.Threads)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layout\tshared-B/thread\tB/thread\tshared-B/process\tB/process\tMiB at %d threads\t\n", t.Threads)
	for _, r := range t.Rows {
		if !r.Found {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t\n", r.Layout)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t\n", r.Layout, r.SharedPerThread, r.PerThread,
			r.SharedPerProcess, r.PerProcess, r.TotalMiB)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}
