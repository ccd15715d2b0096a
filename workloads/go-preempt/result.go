package gopreempt

import (
	"fmt"
	"io"
	"sort"
	"strconv"
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

// ParseResult reads a result line back (the inverse of Write). It reports
// ok=false for a line that is not a result line, and an error for a result
// line it cannot read.
func ParseResult(line string) (r Result, ok bool, err error) {
	rest, found := strings.CutPrefix(strings.TrimSpace(line), ResultPrefix)
	if !found {
		return r, false, nil
	}
	fields := strings.Fields(rest)
	if len(fields) < 2 {
		return r, true, fmt.Errorf("result line %q: want a workload name and ok/FAIL", line)
	}
	r.Workload = fields[0]
	switch fields[1] {
	case "ok":
		r.OK = true
	case "FAIL":
	default:
		return r, true, fmt.Errorf("result line %q: status %q is neither ok nor FAIL", line, fields[1])
	}
	r.Metrics = map[string]float64{}
	_, rest, _ = strings.Cut(strings.TrimSpace(rest), " ") // past the name
	_, rest, _ = strings.Cut(strings.TrimSpace(rest), " ") // past the status
	rest = strings.TrimSpace(rest)
	for rest != "" {
		kv, tail, _ := strings.Cut(rest, " ")
		k, v, hasEq := strings.Cut(kv, "=")
		if !hasEq {
			return r, true, fmt.Errorf("result line %q: %q is not key=value", line, kv)
		}
		if k == "why" {
			// why is quoted and last; it may hold spaces.
			q, err := strconv.Unquote(strings.TrimPrefix(rest, "why="))
			if err != nil {
				return r, true, fmt.Errorf("result line %q: bad why: %v", line, err)
			}
			r.Why = q
			break
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return r, true, fmt.Errorf("result line %q: metric %s: %v", line, k, err)
		}
		r.Metrics[k] = f
		rest = strings.TrimSpace(tail)
	}
	return r, true, nil
}
