package bench

// results/baseline.json: the deterministic figures the CI gate holds the
// code to. The file is written by `siglab bench --check --update-baseline`
// from a real measurement and edited by hand only to change a tolerance;
// reading it validates everything, so a typo fails the gate with a message
// naming the file and the entry instead of silently gating nothing.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"sort"
	"strings"
)

// GateBaseline is the content of results/baseline.json.
type GateBaseline struct {
	// Comment says what the file is and how to regenerate it.
	Comment string `json:"comment"`
	// Commit, Go and Machine record where the values were measured.
	Commit  string      `json:"commit"`
	Go      string      `json:"go"`
	Machine GateMachine `json:"machine"`
	// Valgrind is `valgrind --version` of the run that measured the
	// instruction counts ("" if they were not measured).
	Valgrind string `json:"valgrind,omitempty"`
	// Metrics are the gated figures, sorted by name.
	Metrics []GateMetric `json:"metrics"`
}

// GateMachine identifies the machine a baseline or a run came from.
type GateMachine struct {
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
}

// Tolerance kinds. A relative tolerance is a fraction of the baseline
// value; an absolute one is in the metric's unit, for figures whose
// baseline is zero (allocs/op) where a fraction of nothing means nothing.
const (
	GateRelative = "relative"
	GateAbsolute = "absolute"
)

// Directions: which way is better. Every figure the gate measures today is
// a cost, so "lower"; "higher" is accepted for figures that are a rate.
const (
	GateLowerIsBetter  = "lower"
	GateHigherIsBetter = "higher"
)

// GateMetric is one gated figure.
type GateMetric struct {
	Name          string  `json:"name"`
	Unit          string  `json:"unit"`
	Value         float64 `json:"value"`
	Tolerance     float64 `json:"tolerance"`
	ToleranceKind string  `json:"tolerance_kind"`
	Better        string  `json:"better"`
}

// gateBaselineComment is written into every baseline the gate produces.
const gateBaselineComment = "Deterministic performance figures gated by `siglab bench --check` " +
	"(instructions per op of siglab code from cachegrind, allocs and bytes per op from -benchmem, bytes of " +
	"signal state per thread and per process). A measured value worse than value by more " +
	"than the tolerance fails CI. Regenerate on the reference machine with " +
	"`siglab bench --check --update-baseline` (tolerances are kept); edit only tolerances by hand."

// GateBaselineError reports a baseline file that cannot be used.
type GateBaselineError struct {
	Path string
	Err  error
}

func (e *GateBaselineError) Error() string {
	return fmt.Sprintf("gate baseline %s: %v (regenerate it with `siglab bench --check --update-baseline`)", e.Path, e.Err)
}

func (e *GateBaselineError) Unwrap() error { return e.Err }

// errGateNoBaseline is the error of a baseline file that does not exist.
var errGateNoBaseline = errors.New("file does not exist")

// LoadGateBaseline reads and validates a baseline file. Every metric name
// must be one the gate knows how to measure for some registered layout.
func LoadGateBaseline(path string) (*GateBaseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &GateBaselineError{path, errGateNoBaseline}
		}
		return nil, &GateBaselineError{path, err}
	}
	b, err := ParseGateBaseline(data, gateKnownMetrics())
	if err != nil {
		return nil, &GateBaselineError{path, err}
	}
	return b, nil
}

// ParseGateBaseline decodes and validates baseline JSON. known maps each
// metric name the gate can measure to its unit; nil skips the name check.
func ParseGateBaseline(data []byte, known map[string]string) (*GateBaseline, error) {
	var b GateBaseline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("malformed JSON: trailing data after the top-level object")
	}
	if len(b.Metrics) == 0 {
		return nil, errors.New(`no "metrics"`)
	}
	seen := make(map[string]bool, len(b.Metrics))
	var unknown []string
	for i, m := range b.Metrics {
		where := fmt.Sprintf("metrics[%d] %q", i, m.Name)
		if m.Name == "" {
			return nil, fmt.Errorf("metrics[%d]: empty name", i)
		}
		if seen[m.Name] {
			return nil, fmt.Errorf("%s: listed twice", where)
		}
		seen[m.Name] = true
		if known != nil {
			unit, ok := known[m.Name]
			if !ok {
				unknown = append(unknown, m.Name)
				continue
			}
			if m.Unit != unit {
				return nil, fmt.Errorf("%s: unit %q, want %q", where, m.Unit, unit)
			}
		}
		if err := m.validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown metric names (not measured by this gate): %s", strings.Join(unknown, ", "))
	}
	return &b, nil
}

func (m GateMetric) validate() error {
	if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) || m.Value < 0 {
		return fmt.Errorf("value %v is not a finite non-negative number", m.Value)
	}
	if math.IsNaN(m.Tolerance) || math.IsInf(m.Tolerance, 0) || m.Tolerance < 0 {
		return fmt.Errorf("tolerance %v is not a finite non-negative number", m.Tolerance)
	}
	switch m.ToleranceKind {
	case GateRelative:
		if m.Tolerance >= 1 && m.Better == GateHigherIsBetter {
			return fmt.Errorf("relative tolerance %v ≥ 1 would accept any drop to zero", m.Tolerance)
		}
	case GateAbsolute:
	default:
		return fmt.Errorf("tolerance_kind %q, want %q or %q", m.ToleranceKind, GateRelative, GateAbsolute)
	}
	if m.Better != GateLowerIsBetter && m.Better != GateHigherIsBetter {
		return fmt.Errorf("better %q, want %q or %q", m.Better, GateLowerIsBetter, GateHigherIsBetter)
	}
	return nil
}

// Lookup returns the baseline entry for name.
func (b *GateBaseline) Lookup(name string) (GateMetric, bool) {
	for _, m := range b.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return GateMetric{}, false
}

// Marshal renders the baseline as indented JSON, metrics sorted by name,
// one metric per line so a diff shows exactly which figure moved.
func (b *GateBaseline) Marshal() ([]byte, error) {
	ms := append([]GateMetric(nil), b.Metrics...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	head := *b
	head.Metrics = nil
	top, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return nil, err
	}
	// Splice the compact metric lines in place of "metrics": null.
	var buf bytes.Buffer
	top = bytes.TrimSuffix(bytes.TrimSpace(top), []byte("}"))
	top = bytes.TrimSpace(top)
	top = bytes.TrimSuffix(top, []byte(`"metrics": null`))
	buf.Write(top)
	buf.WriteString(`"metrics": [` + "\n")
	for i, m := range ms {
		line, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		buf.WriteString("    ")
		buf.Write(line)
		if i < len(ms)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("  ]\n}\n")
	return buf.Bytes(), nil
}

// gateUpdatedBaseline builds the baseline a run would write: the measured
// values, with each metric's tolerance and direction taken from old when
// old has it, and the defaults of its figure otherwise. Metrics that were
// not measured this run keep their old entry, so a run without valgrind
// does not forget the instruction counts.
func gateUpdatedBaseline(old *GateBaseline, measured []GateMeasurement, info gateRunInfo) *GateBaseline {
	nb := &GateBaseline{
		Comment:  gateBaselineComment,
		Commit:   info.Commit,
		Go:       info.Go,
		Machine:  info.Machine,
		Valgrind: info.Valgrind,
	}
	got := make(map[string]bool)
	for _, m := range measured {
		got[m.Name] = true
		e := GateMetric{Name: m.Name, Unit: m.Unit, Value: m.Value}
		def := gateDefaultTolerance(m.Figure)
		e.Tolerance, e.ToleranceKind, e.Better = def.Tolerance, def.ToleranceKind, def.Better
		if old != nil {
			if o, ok := old.Lookup(m.Name); ok {
				e.Tolerance, e.ToleranceKind, e.Better = o.Tolerance, o.ToleranceKind, o.Better
			}
		}
		nb.Metrics = append(nb.Metrics, e)
	}
	if old != nil {
		for _, o := range old.Metrics {
			if !got[o.Name] {
				nb.Metrics = append(nb.Metrics, o)
			}
		}
		if info.Valgrind == "" {
			nb.Valgrind = old.Valgrind
		}
	}
	sort.Slice(nb.Metrics, func(i, j int) bool { return nb.Metrics[i].Name < nb.Metrics[j].Name })
	return nb
}

// WriteGateBaseline writes b to path atomically (a temporary file renamed
// over the old one), so an interrupted update never leaves half a baseline.
func WriteGateBaseline(path string, b *GateBaseline) error {
	data, err := b.Marshal()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
