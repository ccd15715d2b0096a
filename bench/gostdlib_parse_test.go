package bench

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A -test.v transcript in the shapes the testing package prints: parallel
// tests (PAUSE/CONT/NAME), subtests indented, a skip, a failure with log
// lines that look like results but are not at the start of a line, and a
// test that started and never reported (the binary died in it).
const verboseSample = `=== RUN   TestSignal
--- PASS: TestSignal (0.01s)
=== RUN   TestTerminalSignal
=== PAUSE TestTerminalSignal
=== RUN   TestNotify
=== RUN   TestNotify/once
=== RUN   TestNotify/multiple
=== CONT  TestTerminalSignal
    signal_cgo_test.go:174: error reading child pid: EOF --- PASS: TestFake (0.00s)
--- FAIL: TestTerminalSignal (0.01s)
=== NAME  TestNotify
--- PASS: TestNotify (0.30s)
    --- PASS: TestNotify/once (0.15s)
    --- SKIP: TestNotify/multiple (0.00s)
=== RUN   TestAllThreads
--- SKIP: TestAllThreads (0.00s)
=== RUN   TestDies
panic: boom
`

func TestParseTestVerbose(t *testing.T) {
	v, err := ParseTestVerbose(strings.NewReader(verboseSample))
	if err != nil {
		t.Fatal(err)
	}
	want := TestVerdicts{
		"TestSignal": TestPass, "TestTerminalSignal": TestFail, "TestNotify": TestPass,
		"TestNotify/once": TestPass, "TestNotify/multiple": TestSkip, "TestAllThreads": TestSkip,
		"TestDies": TestFail,
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("verdicts\n got %v\nwant %v", v, want)
	}
	if p, f, s := v.Count(); p != 3 || f != 2 || s != 2 {
		t.Errorf("Count = %d/%d/%d, want 3/2/2", p, f, s)
	}
	if got := v.With(TestFail); !reflect.DeepEqual(got, []string{"TestDies", "TestTerminalSignal"}) {
		t.Errorf("With(fail) = %v", got)
	}
}

func TestVerdictRegressions(t *testing.T) {
	native := TestVerdicts{"A": TestPass, "B": TestPass, "C": TestPass, "D": TestSkip, "E": TestFail}
	emu := TestVerdicts{"A": TestPass, "B": TestFail, "D": TestFail, "E": TestFail}
	got := emu.Regressions(native)
	want := map[string]string{"B": TestFail, "C": "missing"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Regressions = %v, want %v (only tests passing natively count)", got, want)
	}
}

func TestGoStdlibTable(t *testing.T) {
	sig, rt := StdlibPackages[0], StdlibPackages[1]
	runs := []StdlibRun{
		{Pkg: sig, Mode: NativeMode, Round: 1, Wall: 2 * time.Second, Verdicts: TestVerdicts{"TestA": TestPass, "TestB": TestPass}},
		{Pkg: sig, Mode: "bitmap", Round: 1, Wall: 3 * time.Second, Exit: "exit status 1",
			Verdicts: TestVerdicts{"TestA": TestPass, "TestB": TestFail}},
		{Pkg: sig, Mode: NativeMode, Round: 2, Wall: 4 * time.Second, Verdicts: TestVerdicts{"TestA": TestPass, "TestB": TestPass}},
		{Pkg: sig, Mode: "bitmap", Round: 2, Wall: 5 * time.Second, Verdicts: TestVerdicts{"TestA": TestPass, "TestB": TestPass}},
		{Pkg: rt, Mode: NativeMode, Round: 1, Wall: time.Second, Verdicts: TestVerdicts{"TestP": TestSkip}},
		{Pkg: rt, Mode: "bitmap", Round: 1, Wall: time.Second, Verdicts: TestVerdicts{"TestP": TestSkip}},
	}
	sums := SummarizeGoStdlib(runs, []string{NativeMode, "bitmap"})
	if len(sums) != 4 || sums[0].Pkg != "os/signal" || sums[1].Mode != "bitmap" || sums[2].Pkg != "runtime" {
		t.Fatalf("summaries %+v", sums)
	}
	if sums[0].Wall != 3*time.Second || sums[1].Wall != 4*time.Second {
		t.Errorf("median walls %v %v, want 3s 4s", sums[0].Wall, sums[1].Wall)
	}
	if sums[1].Verdicts["TestB"] != TestFail {
		t.Errorf("TestB failed in one round of two: merged %q, want fail", sums[1].Verdicts["TestB"])
	}
	var b bytes.Buffer
	WriteGoStdlibTable(&b, runs, []string{NativeMode, "bitmap"})
	out := b.String()
	row := ""
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "os/signal" && f[1] == "bitmap" && row == "" {
			row = strings.Join(f, " ")
		}
	}
	if want := "os/signal bitmap 2 1 1 0 4s 1.33 exit status 1"; row != want {
		t.Errorf("os/signal bitmap row %q, want %q:\n%s", row, want, out)
	}
	for _, want := range []string{"Passing natively, not under emulation:", "os/signal      bitmap   TestB (fail)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "TestP") {
		t.Errorf("a test skipped natively is listed:\n%s", out)
	}
}

func TestStdlibRunBenchLine(t *testing.T) {
	r := StdlibRun{Pkg: StdlibPackages[2], Mode: "flat", Wall: 1500 * time.Millisecond, CPU: time.Second,
		Verdicts: TestVerdicts{"TestCPUProfile": TestPass, "TestCPUProfileLabel": TestFail}}
	line := r.benchLine()
	for _, want := range []string{"BenchmarkGoStdlib/pkg=runtime.pprof-", "1500000000 ns/op", "1000000000 cpu-ns/op",
		"1 pass", "1 fail", "0 skip"} {
		if !strings.Contains(line, want) {
			t.Errorf("bench line %q lacks %q", line, want)
		}
	}
	if !r.Failed() {
		t.Error("a run with a failing test is not Failed")
	}
}

func TestLookupStdlibPackages(t *testing.T) {
	ps, err := LookupStdlibPackages([]string{"runtime/pprof", "os/signal"})
	if err != nil || len(ps) != 2 || ps[0].Path != "runtime/pprof" {
		t.Fatalf("LookupStdlibPackages = %v, %v", ps, err)
	}
	if _, err := LookupStdlibPackages([]string{"net"}); err == nil || !strings.Contains(err.Error(), "known: os/signal") {
		t.Errorf("unknown package: %v", err)
	}
	a := strings.Join(StdlibPackages[1].args(), " ")
	if !strings.Contains(a, "-test.run Preempt|Signal") || !strings.Contains(a, "-test.v") || strings.Contains(a, "-test.short") {
		t.Errorf("runtime args %q", a)
	}
}

func TestGoServerEnv(t *testing.T) {
	env := goServerEnv([]string{"PATH=/x", "LD_PRELOAD=/shim.so", "SIGLAB_SHM_FD=3", "GOFLAGS=-count=1", "CGO_ENABLED=0", "HOME=/h"})
	want := []string{"PATH=/x", "HOME=/h", "GOFLAGS=-count=1 -ldflags=-linkmode=external", "CGO_ENABLED=1"}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("goServerEnv\n got %q\nwant %q", env, want)
	}
}
