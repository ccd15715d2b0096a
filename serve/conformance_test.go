package serve

import (
	"bytes"
	"io"
	"os"
	"testing"

	"siglab/fastpath"
)

// The conformance suite (DESIGN.md, "Conformance, measured"). Every row of
// the emulated signal model has a scenario program under
// testdata/conformance: a small C program (or a Go program, where the Go
// runtime's use of signals is the point) that prints what it observes —
// deterministic facts only, ordered by handshakes, never by sleeping —
// checks each fact against what Linux documents, and exits 0 when all
// held. The kernel is the reference:
//
//   - TestConformanceNativeDeterministic runs each scenario natively five
//     times and requires identical output and ending, and that ending is
//     success (or the signal the scenario dies by on purpose). A scenario
//     that fails here is a bad scenario, not an emulator bug.
//   - TestConformanceEmulated runs each scenario under Run with
//     conformanceHandler, for every fastpath layout, and requires stdout
//     byte-identical to the native run's and the same exit status or
//     terminating signal.

// conformanceHandler is the emulator the suite checks against the kernel,
// tracing into trace if it is not nil. Traced, every handler return goes
// to the emulator (the trace logs it there); untraced — as `siglab run`
// runs — the shim returns by itself where it can (shim/csrc/sigreturn.c,
// fastret.c). The suite runs both.
var conformanceHandler = func(st fastpath.State, trace io.Writer) (Handler, error) {
	return NewEmulated(st, EmulatedConfig{Trace: trace})
}

// conformanceMode is how one emulated run of a scenario runs.
type conformanceMode struct {
	layout string
	traced bool
}

// conformanceRuns are the emulated runs of a scenario: every layout as
// `siglab run` runs it, and the default layout traced.
func conformanceRuns() []conformanceMode {
	var rs []conformanceMode
	for _, l := range fastpath.Layouts() {
		rs = append(rs, conformanceMode{l, false})
	}
	return append(rs, conformanceMode{fastpath.DefaultLayout, true})
}

// conformanceGaps are the scenarios the emulator does not yet pass, each
// with what is missing. They are skipped by name, loudly, so that the rest
// of the suite guards what works; each entry is open work (issue 4), and an
// entry is deleted when its scenario passes. Run them anyway with
// SIGLAB_CONFORMANCE_GAPS=1.
var conformanceGaps = map[string]string{}

// conformanceMinScenarios is the size the suite must keep: one scenario
// per row of the model at least.
const conformanceMinScenarios = 40

func TestConformanceInventory(t *testing.T) {
	scs := conformanceScenarios(t)
	if len(scs) < conformanceMinScenarios {
		t.Errorf("%d scenarios, want at least %d", len(scs), conformanceMinScenarios)
	}
	names := map[string]bool{}
	for _, sc := range scs {
		names[sc.name] = true
	}
	for name := range conformanceEndings {
		if !names[name] {
			t.Errorf("conformanceEndings names %q, which is not a scenario", name)
		}
	}
	for name := range conformanceGaps {
		if !names[name] {
			t.Errorf("conformanceGaps names %q, which is not a scenario", name)
		}
	}
}

// nativeEnding is the ending a scenario must have natively.
func nativeEnding(name string) ExitStatus {
	if st, ok := conformanceEndings[name]; ok {
		return st
	}
	return ExitStatus{}
}

func TestConformanceNativeDeterministic(t *testing.T) {
	const runs = 5
	for _, sc := range conformanceScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			bin := buildScenario(t, sc)
			var first conformanceRun
			for i := 0; i < runs; i++ {
				r, err := runNative(bin)
				if err != nil {
					t.Fatal(err)
				}
				if r.timedOut {
					t.Fatalf("run %d timed out: %s", i, r.describe())
				}
				if i == 0 {
					first = r
					if want := nativeEnding(sc.name); r.status != want {
						t.Fatalf("natively %v, want %v: %s", r.status, want, r.describe())
					}
					if bytes.Contains(r.stdout, []byte("FAIL")) {
						t.Fatalf("a check failed natively: %s", r.describe())
					}
					continue
				}
				if r.status != first.status || !bytes.Equal(r.stdout, first.stdout) {
					t.Fatalf("run %d differs from run 0\nrun 0: %s\nrun %d: %s", i, first.describe(), i, r.describe())
				}
			}
		})
	}
}

// conformanceIsPassthrough reports whether conformanceHandler still builds
// the pass-through handler, which emulates nothing: comparing it with the
// kernel would claim nothing about the emulator.
func conformanceIsPassthrough(t *testing.T) bool {
	st, err := fastpath.New(fastpath.DefaultLayout, fastpath.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := conformanceHandler(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, ok := h.(*Passthrough)
	return ok
}

// SIGLAB_CONFORMANCE_PASSTHROUGH=1 runs the comparison under Passthrough
// anyway, to see where plain pass-through diverges from the kernel.
func TestConformanceEmulated(t *testing.T) {
	if conformanceIsPassthrough(t) && os.Getenv("SIGLAB_CONFORMANCE_PASSTHROUGH") == "" {
		t.Skip("comparison needs the emulated handler: conformanceHandler is still Passthrough")
	}
	for _, sc := range conformanceScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			if why, ok := conformanceGaps[sc.name]; ok && os.Getenv("SIGLAB_CONFORMANCE_GAPS") == "" {
				t.Skip("known gap: " + why)
			}
			t.Parallel()
			bin := buildScenario(t, sc)
			nat, err := runNative(bin)
			if err != nil {
				t.Fatal(err)
			}
			if nat.timedOut || nat.status != nativeEnding(sc.name) {
				t.Fatalf("bad native reference run: %s", nat.describe())
			}
			// Layouts one after the other: the watchdog kills by
			// executable, and two emulated runs of one scenario at once
			// would only contend for the 2 cores.
			for _, run := range conformanceRuns() {
				name := run.layout
				if run.traced {
					name += " (traced)"
				}
				emu, err := runEmulated(bin, run.layout, run.traced)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				bad := ""
				switch {
				case emu.timedOut:
					bad = "timed out"
				case emu.status != nat.status || !bytes.Equal(emu.stdout, nat.stdout):
					bad = "differs from the kernel"
				case emu.stats.Threads == 0:
					t.Errorf("%s: no thread attached to the emulator: the program did not run under the shim", name)
				case emu.stats.Faults != 0:
					t.Errorf("%s: %d server faults, last: %v", name, emu.stats.Faults, emu.stats.LastFault)
				case !run.traced && emu.stats.LocalSigreturns >= 10 && emu.stats.FastReturns == 0:
					// Some returns must avoid the trap (fastret.c): none at
					// all means a condition no program meets, as Go's
					// handlers' full mask once was.
					t.Errorf("%s: %d handler returns by the shim, none without a trap", name, emu.stats.LocalSigreturns)
				}
				if bad != "" {
					t.Errorf("%s: %s\nnative: %s\nemulated: %s%s", name, bad, nat.describe(), emu.describe(), tracedRerun(bin, run.layout, run.traced))
				}
			}
		})
	}
}
