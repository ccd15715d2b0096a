package bench

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func gateOpenFixture(t *testing.T, name string) *GrindProfile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "gate", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ParseGrindProfile(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// A toggle-collected callgrind profile holds only the loop's cost: the
// loop's self cost must be the whole summary, and the call-cost lines of
// its callers (the callee's inclusive cost, repeated) must not be counted
// as theirs.
func TestParseGrindProfileCallgrind(t *testing.T) {
	p := gateOpenFixture(t, "callgrind.check.out")
	if len(p.Events) != 1 || p.Events[0] != "Ir" {
		t.Fatalf("events %q, want [Ir]", p.Events)
	}
	total, err := p.Total("Ir")
	if err != nil {
		t.Fatal(err)
	}
	loop := p.Self["siglab/fastpath.loopCheck"]
	if loop == nil || loop[0] != total {
		t.Errorf("loopCheck self cost %v, want the summary %d", loop, total)
	}
	if len(p.Self) != 1 {
		t.Errorf("functions with self cost %v: call-cost lines were counted as self cost", p.Functions())
	}
	sum, err := p.SelfSum("Ir", "siglab/fastpath.")
	if err != nil || sum != total {
		t.Errorf("SelfSum = %d, %v; want %d", sum, err, total)
	}
	// 24 instructions per op over 20000+1 ops (b.N=1, then b.N=20000),
	// plus the loop's entry and exit: the figure the gate reports.
	if per := float64(total) / 20001; per < 24 || per > 24.01 {
		t.Errorf("instructions per op %.3f, want 24 and a few instructions of overhead", per)
	}
}

// Nine events, and a summary that omits its trailing zero counts.
func TestParseGrindProfileEvents(t *testing.T) {
	p := gateOpenFixture(t, "callgrind.cachesim.out")
	want := strings.Fields("Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw")
	if strings.Join(p.Events, " ") != strings.Join(want, " ") {
		t.Fatalf("events %q, want %q", p.Events, want)
	}
	if len(p.Totals) != len(want) {
		t.Fatalf("%d totals for %d events", len(p.Totals), len(want))
	}
	ir, _ := p.Total("Ir")
	dr, _ := p.Total("Dr")
	dlmw, _ := p.Total("DLmw")
	if ir != 825333 || dr != 244406 || dlmw != 0 {
		t.Errorf("Ir=%d Dr=%d DLmw=%d, want the summary line's 825333, 244406 and an omitted 0", ir, dr, dlmw)
	}
	if _, err := p.Total("Bc"); err == nil {
		t.Error("Total of an event the file does not have: no error")
	}
}

// The cachegrind fixture is checked against valgrind's own reader,
// cg_annotate, function by function, when it is installed; and against the
// format's invariant (self costs add up to the summary) always.
func TestParseGrindProfileCachegrind(t *testing.T) {
	p := gateOpenFixture(t, "cachegrind.check.out")
	total, err := p.Total("Ir")
	if err != nil {
		t.Fatal(err)
	}
	var all int64
	for _, c := range p.Self {
		all += c[0]
	}
	if all != total {
		t.Errorf("self costs add up to %d, summary says %d", all, total)
	}
	fast, _ := p.SelfSum("Ir", "siglab/fastpath.")
	if fast <= 0 || fast >= total {
		t.Errorf("fastpath self sum %d of %d: the prefix selects nothing or everything", fast, total)
	}
	if p.Self["siglab/fastpath.loopCheck"] == nil {
		t.Error("no loopCheck in the profile")
	}

	annotate, err := exec.LookPath("cg_annotate")
	if err != nil {
		t.Skip("cg_annotate not installed: per-function cross-check skipped")
	}
	out, err := exec.Command(annotate, "--auto=no", "--threshold=0", "--show-percs=no",
		filepath.Join("testdata", "gate", "cachegrind.check.out")).Output()
	if err != nil {
		// Older cg_annotate has no --show-percs.
		out, err = exec.Command(annotate, "--auto=no", "--threshold=0",
			filepath.Join("testdata", "gate", "cachegrind.check.out")).Output()
		if err != nil {
			t.Fatalf("cg_annotate: %v", err)
		}
	}
	// Lines "   15,400,033 (26.90%)  file:function": sum per function, as
	// cg_annotate lists one line per file a function has code in.
	want := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(f[0], ",", ""), 10, 64)
		if err != nil {
			continue
		}
		loc := f[len(f)-1]
		_, fn, ok := strings.Cut(loc, ":")
		if !ok {
			continue // PROGRAM TOTALS
		}
		want[fn] += n
	}
	if len(want) == 0 {
		t.Fatalf("could not read cg_annotate's output:\n%s", out)
	}
	for fn, n := range want {
		if got := p.Self[fn]; got == nil || got[0] != n {
			t.Errorf("%s: parsed %v, cg_annotate says %d", fn, got, n)
		}
	}
	if len(want) != len(p.Self) {
		t.Errorf("parsed %d functions, cg_annotate lists %d", len(p.Self), len(want))
	}
}

func TestParseGrindProfileBad(t *testing.T) {
	for name, in := range map[string]string{
		"empty":               "",
		"no events":           "summary: 3\n",
		"no summary":          "events: Ir\nfn=a\n1 2\n",
		"cost before events":  "fn=a\n1 2\nevents: Ir\nsummary: 2\n",
		"too many costs":      "events: Ir\nfn=a\n1 2 3\nsummary: 2\n",
		"bad cost":            "events: Ir\nfn=a\n1 x\nsummary: 2\n",
		"negative cost":       "events: Ir\nfn=a\n1 -4\nsummary: 2\n",
		"bad summary":         "events: Ir\nsummary: lots\n",
		"too many totals":     "events: Ir\nsummary: 1 2\n",
		"unnamed compressed":  "events: Ir\nfn=(7)\n1 2\nsummary: 2\n",
		"unclosed compressed": "events: Ir\nfn=(7 name\n1 2\nsummary: 2\n",
		"garbage":             "events: Ir\nthis is not a profile\nsummary: 1\n",
		"empty positions":     "positions:\nevents: Ir\nsummary: 1\n",
		"binary":              "\x00\x01\x02\xff",
	} {
		t.Run(name, func(t *testing.T) {
			if p, err := ParseGrindProfile(strings.NewReader(in)); err == nil {
				t.Errorf("no error; parsed %+v", p)
			}
		})
	}
}

func TestGateInstrPerOp(t *testing.T) {
	for _, c := range []struct {
		i1, i2 int64
		n1, n2 int
		want   float64
		ok     bool
	}{
		{480050, 5280050, 20000, 220000, 24, true},
		{1000, 1000 + 3*200000 + 1, 20000, 220000, 3, true}, // jitter rounds away
		{100, 100 + 4092*100, 10, 110, 4092, true},
		{100, 100 + 1023, 0, 100, 10.23, true},
		{5, 5, 1, 2, 0, false}, // no growth
		{9, 5, 1, 2, 0, false}, // shrinks
		{5, 9, 2, 2, 0, false}, // same N
		{5, 9, 3, 2, 0, false}, // N decreasing
		{0, 1 << 40, 0, 1, 1 << 40, true},
	} {
		got, err := gateInstrPerOp(c.i1, c.i2, c.n1, c.n2)
		if (err == nil) != c.ok || c.ok && got != c.want {
			t.Errorf("gateInstrPerOp(%d, %d, %d, %d) = %v, %v; want %v, ok=%v", c.i1, c.i2, c.n1, c.n2, got, err, c.want, c.ok)
		}
	}
}

func TestGateEnv(t *testing.T) {
	t.Setenv("GODEBUG", "madvdontneed=1")
	env := gateEnv([]string{"X=1"}, true)
	last := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		last[k] = v // exec uses the last value of a duplicated key
	}
	if last["GODEBUG"] != "madvdontneed=1,"+gateGODEBUG {
		t.Errorf("GODEBUG=%q: the user's setting must be kept and ours added", last["GODEBUG"])
	}
	if last["GOGC"] != "off" || last["X"] != "1" {
		t.Errorf("GOGC=%q X=%q", last["GOGC"], last["X"])
	}
	for _, kv := range gateEnv(nil, false) {
		if strings.HasPrefix(kv, "GOGC=") || strings.Contains(kv, gateGODEBUG) {
			t.Errorf("valgrind settings leaked into a normal run: %s", kv)
		}
	}
}
