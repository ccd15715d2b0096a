package gopreempt

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// ResultPrefix starts every result line, so siglab can find it among
// whatever else a workload prints.
const ResultPrefix = "siglab-workload:"

// Result is a workload's outcome: its name, whether its self-check passed,
// and named measurements.
type Result struct {
	Workload string
	OK       bool
	Why      string // what failed, when !OK
	Metrics  map[string]float64
}

// Write prints r as one line: "siglab-workload: NAME ok|FAIL k=v … [why=…]",
// metrics sorted by name.
func (r Result) Write(w io.Writer) error {
	var b strings.Builder
	status := "ok"
	if !r.OK {
		status = "FAIL"
	}
	fmt.Fprintf(&b, "%s %s %s", ResultPrefix, r.Workload, status)
	keys := make([]string, 0, len(r.Metrics))
	for k := range r.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%g", k, r.Metrics[k])
	}
	if r.Why != "" {
		fmt.Fprintf(&b, " why=%q", r.Why)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
