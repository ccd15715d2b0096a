package bench

// Reading benchmark names and values the way the runner writes them:
// "BenchmarkCheck/threads=100000/pending=1%-2" is base name "Check" with
// sub-name keys threads=100000 and pending=1%, and GOMAXPROCS 2
// (golang.org/design/14313-benchmark-format, "Benchmark names").

import (
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// reportName is a parsed benchmark name.
type reportName struct {
	base string
	keys []ConfigLine // sub-name key=value levels, in order
}

func reportParseName(n benchfmt.Name) reportName {
	base, parts := n.Parts()
	rn := reportName{base: string(base)}
	for _, p := range parts {
		s := string(p)
		if !strings.HasPrefix(s, "/") {
			continue // "-2": GOMAXPROCS, not a key
		}
		s = s[1:]
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			k, v = "", s // unkeyed level, e.g. "/small"
		}
		rn.keys = append(rn.keys, ConfigLine{k, v})
	}
	return rn
}

func (rn reportName) get(key string) (string, bool) {
	for _, kv := range rn.keys {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// without returns the sub-name without key, e.g. "pending=1%" for
// Check/threads=100/pending=1% without "threads".
func (rn reportName) without(key string) string {
	var parts []string
	for _, kv := range rn.keys {
		if kv.Key == key {
			continue
		}
		if kv.Key == "" {
			parts = append(parts, kv.Value)
		} else {
			parts = append(parts, kv.Key+"="+kv.Value)
		}
	}
	return strings.Join(parts, "/")
}

// reportValue returns r's value in unit, matching the unit as written in
// the file ("ns/op", shown to people) before benchfmt's tidied unit
// ("sec/op"), so the number comes back in the unit asked for.
func reportValue(r *benchfmt.Result, unit string) (float64, bool) {
	for _, v := range r.Values {
		if v.OrigUnit == unit {
			return v.OrigValue, true
		}
	}
	for _, v := range r.Values {
		if v.Unit == unit {
			return v.Value, true
		}
	}
	return 0, false
}

// reportMedian is the median the tables print (benchmath's AssumeNothing
// center), so plots and memory figures agree with benchstat's tables.
func reportMedian(vals []float64) float64 {
	s := benchmath.NewSample(append([]float64(nil), vals...), &benchmath.DefaultThresholds)
	return benchmath.AssumeNothing.Summary(s, 0.95).Center
}

func reportSortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
