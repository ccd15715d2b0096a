package bench

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"siglab/fastpath"
)

// The committed baseline must load, and must gate every figure the gate
// measures for every registered layout: a layout added without updating
// the baseline would otherwise go ungated ("new") without anyone noticing.
func TestCommittedGateBaseline(t *testing.T) {
	path := filepath.Join("..", "results", "baseline.json")
	b, err := LoadGateBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range fastpath.Layouts() {
		for name, unit := range gateMetricsFor(l) {
			m, ok := b.Lookup(name)
			if !ok {
				t.Errorf("%s: no entry for %s (run `siglab bench --check --update-baseline`)", path, name)
				continue
			}
			if m.Unit != unit {
				t.Errorf("%s: unit %q, want %q", name, m.Unit, unit)
			}
		}
	}
	if b.Go == "" || b.Commit == "" || b.Machine.CPU == "" || b.Machine.Cores == 0 || !strings.Contains(b.Comment, "--update-baseline") {
		t.Errorf("baseline header incomplete: go=%q commit=%q machine=%+v comment=%q", b.Go, b.Commit, b.Machine, b.Comment)
	}
}

const gateGoodBaseline = `{
  "comment": "test",
  "commit": "abc1234",
  "go": "go1.26.8",
  "machine": {"goos": "linux", "goarch": "amd64", "cpu": "Test CPU", "cores": 2},
  "metrics": [
    {"name":"bitmap/check/threads=1/pending=0%/instr-per-op","unit":"instructions/op","value":24,"tolerance":0.05,"tolerance_kind":"relative","better":"lower"},
    {"name":"bitmap/sendtake/kind=standard/allocs-per-op","unit":"allocs/op","value":0,"tolerance":0,"tolerance_kind":"absolute","better":"lower"}
  ]
}`

func TestParseGateBaselineGood(t *testing.T) {
	b, err := ParseGateBaseline([]byte(gateGoodBaseline), gateKnownMetrics())
	if err != nil {
		t.Fatal(err)
	}
	if b.Commit != "abc1234" || b.Go != "go1.26.8" || b.Machine.CPU != "Test CPU" || b.Machine.Cores != 2 {
		t.Errorf("header %+v", b)
	}
	m, ok := b.Lookup("bitmap/check/threads=1/pending=0%/instr-per-op")
	if !ok || m.Value != 24 || m.Tolerance != 0.05 || m.ToleranceKind != GateRelative || m.Better != GateLowerIsBetter {
		t.Errorf("entry %+v, %v", m, ok)
	}
	// Marshal and read back: the same baseline.
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b2, err := ParseGateBaseline(data, gateKnownMetrics())
	if err != nil {
		t.Fatalf("re-reading marshalled baseline: %v\n%s", err, data)
	}
	if len(b2.Metrics) != len(b.Metrics) || b2.Commit != b.Commit || b2.Machine != b.Machine {
		t.Errorf("round trip changed the baseline:\n%s", data)
	}
	for _, m := range b.Metrics {
		if m2, ok := b2.Lookup(m.Name); !ok || m2 != m {
			t.Errorf("round trip: %+v became %+v", m, m2)
		}
	}
	// One metric per line, so a diff names the figure that moved.
	if n := strings.Count(string(data), `{"name":`); n != 2 || strings.Count(string(data), "\n    {\"name\"") != 2 {
		t.Errorf("metrics not one per line:\n%s", data)
	}
}

func TestParseGateBaselineBad(t *testing.T) {
	entry := func(s string) string {
		return `{"commit":"x","go":"go1","machine":{"goos":"linux","goarch":"amd64","cpu":"c","cores":1},"metrics":[` + s + `]}`
	}
	const ok = `"name":"bitmap/check/threads=1/pending=0%/instr-per-op","unit":"instructions/op"`
	for name, c := range map[string]struct{ in, want string }{
		"empty file":     {"", "malformed JSON"},
		"not JSON":       {"metrics: 3", "malformed JSON"},
		"truncated":      {gateGoodBaseline[:100], "malformed JSON"},
		"trailing data":  {gateGoodBaseline + "{}", "trailing data"},
		"array":          {"[]", "malformed JSON"},
		"unknown field":  {`{"metrix": []}`, "unknown field"},
		"no metrics":     {entry(""), "no \"metrics\""},
		"unknown metric": {entry(`{"name":"bitmap/check/threads=7/instr-per-op","unit":"instructions/op","value":1,"tolerance":0,"tolerance_kind":"absolute","better":"lower"}`), "unknown metric names"},
		"unknown layout": {entry(`{"name":"nosuch/check/threads=1/pending=0%/instr-per-op","unit":"instructions/op","value":1,"tolerance":0,"tolerance_kind":"absolute","better":"lower"}`), "unknown metric names"},
		"empty name":     {entry(`{"name":"","unit":"x","value":1,"tolerance":0,"tolerance_kind":"absolute","better":"lower"}`), "empty name"},
		"wrong unit":     {entry(`{"name":"bitmap/check/threads=1/pending=0%/instr-per-op","unit":"ns/op","value":1,"tolerance":0,"tolerance_kind":"absolute","better":"lower"}`), "unit"},
		"negative value": {entry(`{` + ok + `,"value":-1,"tolerance":0,"tolerance_kind":"absolute","better":"lower"}`), "value"},
		"negative tol":   {entry(`{` + ok + `,"value":1,"tolerance":-0.1,"tolerance_kind":"relative","better":"lower"}`), "tolerance"},
		"bad kind":       {entry(`{` + ok + `,"value":1,"tolerance":0.1,"tolerance_kind":"percent","better":"lower"}`), "tolerance_kind"},
		"missing kind":   {entry(`{` + ok + `,"value":1,"tolerance":0.1,"better":"lower"}`), "tolerance_kind"},
		"bad direction":  {entry(`{` + ok + `,"value":1,"tolerance":0.1,"tolerance_kind":"relative","better":"faster"}`), "better"},
		"string value":   {entry(`{` + ok + `,"value":"24","tolerance":0.1,"tolerance_kind":"relative","better":"lower"}`), "malformed JSON"},
		"duplicate": {entry(`{` + ok + `,"value":1,"tolerance":0,"tolerance_kind":"absolute","better":"lower"},{` + ok +
			`,"value":2,"tolerance":0,"tolerance_kind":"absolute","better":"lower"}`), "listed twice"},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := ParseGateBaseline([]byte(c.in), gateKnownMetrics())
			if err == nil {
				t.Fatalf("no error; parsed %+v", b)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestLoadGateBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "baseline.json")
	_, err := LoadGateBaseline(missing)
	var be *GateBaselineError
	if !errors.As(err, &be) || !errors.Is(err, errGateNoBaseline) || !strings.Contains(err.Error(), missing) ||
		!strings.Contains(err.Error(), "--update-baseline") {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"metrics": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGateBaseline(bad); !errors.As(err, &be) || !strings.Contains(err.Error(), bad) {
		t.Errorf("malformed file: %v", err)
	}
	// A directory cannot be read as a file.
	if _, err := LoadGateBaseline(dir); !errors.As(err, &be) {
		t.Errorf("directory: %v", err)
	}
}

// Updating keeps hand-set tolerances, gives new metrics their figure's
// default, and keeps entries this run did not measure (no valgrind).
func TestGateUpdatedBaseline(t *testing.T) {
	old, err := ParseGateBaseline([]byte(gateGoodBaseline), nil)
	if err != nil {
		t.Fatal(err)
	}
	measured := []GateMeasurement{
		{Name: "bitmap/sendtake/kind=standard/allocs-per-op", Unit: "allocs/op", Figure: gateFigAllocs, Value: 0},
		{Name: "bitmap/footprint/threads=100000/B-per-thread", Unit: "B/thread", Figure: gateFigThread, Value: 64},
	}
	old.Metrics[1].Tolerance = 2 // a hand-edited tolerance
	info := gateRunInfo{Commit: "def5678", Go: "go1.27", Machine: GateMachine{GOOS: "linux", GOARCH: "amd64", CPU: "New CPU", Cores: 4}}
	nb := gateUpdatedBaseline(old, measured, info)
	if nb.Commit != "def5678" || nb.Go != "go1.27" || nb.Machine.CPU != "New CPU" {
		t.Errorf("header not from this run: %+v", nb)
	}
	if len(nb.Metrics) != 3 {
		t.Fatalf("metrics %+v", nb.Metrics)
	}
	if m, _ := nb.Lookup("bitmap/sendtake/kind=standard/allocs-per-op"); m.Tolerance != 2 || m.ToleranceKind != GateAbsolute {
		t.Errorf("hand-set tolerance lost: %+v", m)
	}
	if m, _ := nb.Lookup("bitmap/footprint/threads=100000/B-per-thread"); m.Value != 64 || m != (GateMetric{Name: m.Name, Unit: "B/thread", Value: 64,
		Tolerance: gateDefaultTolerance(gateFigThread).Tolerance, ToleranceKind: gateDefaultTolerance(gateFigThread).ToleranceKind, Better: GateLowerIsBetter}) {
		t.Errorf("new metric: %+v", m)
	}
	if m, ok := nb.Lookup("bitmap/check/threads=1/pending=0%/instr-per-op"); !ok || m.Value != 24 {
		t.Errorf("unmeasured metric dropped or changed: %+v", m)
	}
	// And it is a valid baseline.
	data, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseGateBaseline(data, gateKnownMetrics()); err != nil {
		t.Errorf("updated baseline does not parse: %v\n%s", err, data)
	}
	path := filepath.Join(t.TempDir(), "b.json")
	if err := WriteGateBaseline(path, nb); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGateBaseline(path); err != nil {
		t.Error(err)
	}
}

func TestGateMetricNames(t *testing.T) {
	p := gateProbe{"BenchmarkCheck", "threads=100000/pending=1%", "loopCheck"}
	if got := p.metric("flat", gateFigInstr); got != "flat/check/threads=100000/pending=1%/instr-per-op" {
		t.Errorf("metric name %q", got)
	}
	if got := p.benchArg(); got != `^BenchmarkCheck$/^threads=100000$/^pending=1%$` {
		t.Errorf("bench pattern %q", got)
	}
	if got := p.resultName(); got != "Check/threads=100000/pending=1%" {
		t.Errorf("result name %q", got)
	}
	if _, err := gateCheckLayouts([]string{"bitmap", "nosuch"}); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unknown layout: %v", err)
	}
	if l, err := gateCheckLayouts(nil); err != nil || len(l) != len(fastpath.Layouts()) {
		t.Errorf("default layouts %v, %v", l, err)
	}
}

func TestModuleRootFound(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "fastpath")); err != nil {
		t.Errorf("root %s has no fastpath: %v", root, err)
	}
	if _, err := ModuleRoot(t.TempDir()); err == nil {
		t.Error("found a siglab module above a temporary directory")
	}
}
