package bench

// Tests of the profile readers on profiles built with the pprof profile
// package, whose every sum is known: flat and cum by function and package
// group, the managed-profile comparison, merging rounds, and the two
// reports read back from a folder.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// synthProfile builds a CPU profile like runtime/pprof's (samples/count
// and cpu/nanoseconds, 10 ms a sample). Each stack is leaf first; a stack
// entry "a+b" is one location with b inlined into a (b is the leaf line).
type synthSample struct {
	stack []string
	n     int64
}

func synthProfile(samples ...synthSample) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10e6,
	}
	funcs := map[string]*profile.Function{}
	fn := func(name string) *profile.Function {
		if f, ok := funcs[name]; ok {
			return f
		}
		f := &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	locs := map[string]*profile.Location{}
	for _, s := range samples {
		var stack []*profile.Location
		for _, frame := range s.stack {
			l, ok := locs[frame]
			if !ok {
				l = &profile.Location{ID: uint64(len(locs) + 1)}
				names := strings.Split(frame, "+")
				for i := len(names) - 1; i >= 0; i-- { // innermost line first
					l.Line = append(l.Line, profile.Line{Function: fn(names[i])})
				}
				locs[frame] = l
				p.Location = append(p.Location, l)
			}
			stack = append(stack, l)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: stack, Value: []int64{s.n, s.n * 10e6}})
	}
	return p
}

func TestFuncPackage(t *testing.T) {
	for name, want := range map[string]string{
		"siglab/serve.(*Server).scan":                         "siglab/serve",
		"siglab/fastpath.(*bitmap).Hot":                       "siglab/fastpath",
		"runtime.mallocgc":                                    "runtime",
		"internal/runtime/syscall/linux.Syscall6":             "internal/runtime/syscall/linux",
		"golang.org/x/sys/unix.Syscall":                       "golang.org/x/sys/unix",
		"siglab/sched.find[go.shape.*siglab/fastpath.Sigset]": "siglab/sched",
		"memcpy": "",
		"?":      "",
	} {
		if got := FuncPackage(name); got != want {
			t.Errorf("FuncPackage(%q) = %q, want %q", name, got, want)
		}
	}
	for fn, want := range map[string]string{
		"siglab/fastpath.(*flat).Send":            "fastpath",
		"internal/runtime/syscall/linux.Syscall6": "syscall", // syscall claims it before runtime
		"runtime.goexit":                          "runtime",
		"os.ReadFile":                             OtherGroup,
		"memcpy":                                  OtherGroup,
	} {
		if got := packageGroup(fn); got != want {
			t.Errorf("packageGroup(%q) = %q, want %q", fn, got, want)
		}
	}
}

func TestSummarizeProfile(t *testing.T) {
	p := synthProfile(
		synthSample{[]string{"siglab/fastpath.(*bitmap).Send", "siglab/sched.(*Emulator).kill", "runtime.goexit"}, 3},
		// Inlined: scan inlined into loop, both in one location; loop
		// appears twice on the stack (recursion) but counts once.
		synthSample{[]string{"siglab/serve.(*Server).loop+siglab/serve.(*Server).scan", "siglab/serve.(*Server).loop", "runtime.goexit"}, 5},
		synthSample{[]string{"internal/runtime/syscall/linux.Syscall6", "os.ReadFile", "siglab/sched.schedstat", "runtime.goexit"}, 2},
	)
	s, err := SummarizeProfile(p, "cpu")
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 10*10e6 || s.Samples != 10 || s.Unit != "nanoseconds" {
		t.Fatalf("total %d, samples %d, unit %q", s.Total, s.Samples, s.Unit)
	}
	byName := map[string]FuncStat{}
	for _, f := range s.Funcs {
		byName[f.Name] = f
	}
	ms := int64(10e6)
	for name, want := range map[string]FuncStat{
		"siglab/serve.(*Server).scan":    {Flat: 5 * ms, Cum: 5 * ms},
		"siglab/serve.(*Server).loop":    {Flat: 0, Cum: 5 * ms},
		"siglab/fastpath.(*bitmap).Send": {Flat: 3 * ms, Cum: 3 * ms},
		"runtime.goexit":                 {Flat: 0, Cum: 10 * ms},
		"siglab/sched.schedstat":         {Flat: 0, Cum: 2 * ms},
	} {
		if got := byName[name]; got.Flat != want.Flat || got.Cum != want.Cum {
			t.Errorf("%s: flat %d cum %d, want %d %d", name, got.Flat, got.Cum, want.Flat, want.Cum)
		}
	}
	if top := s.TopFlat(1); top[0].Name != "siglab/serve.(*Server).scan" {
		t.Errorf("top by flat %v", top)
	}
	if top := s.TopCum(1); top[0].Name != "runtime.goexit" {
		t.Errorf("top by cum %v", top)
	}
	var flatSum int64
	for _, g := range s.Groups {
		flatSum += g.Flat
	}
	if flatSum != s.Total {
		t.Errorf("group flats add to %d, want the total %d", flatSum, s.Total)
	}
	for name, want := range map[string]FuncStat{
		"fastpath": {Flat: 3 * ms, Cum: 3 * ms}, "sched": {Flat: 0, Cum: 5 * ms},
		"serve": {Flat: 5 * ms, Cum: 5 * ms}, "syscall": {Flat: 2 * ms, Cum: 2 * ms},
		"runtime": {Flat: 0, Cum: 10 * ms}, OtherGroup: {Flat: 0, Cum: 2 * ms},
	} {
		if got := s.Group(name); got.Flat != want.Flat || got.Cum != want.Cum {
			t.Errorf("group %s: flat %d cum %d, want %d %d", name, got.Flat, got.Cum, want.Flat, want.Cum)
		}
	}
	if _, err := SummarizeProfile(p, "alloc_space"); err == nil || !strings.Contains(err.Error(), "samples, cpu") {
		t.Errorf("missing value type: err %v", err)
	}
}

func TestCompareManagedProfiles(t *testing.T) {
	stack := func(leaf string) []string { return []string{leaf, "main.main", "runtime.main"} }
	native := synthProfile(synthSample{stack("main.hotWork"), 90}, synthSample{stack("main.coldWork"), 6},
		synthSample{stack("runtime.mallocgc"), 2}, synthSample{stack("runtime.scanobject"), 1},
		synthSample{stack("runtime.futex"), 1})
	same := synthProfile(synthSample{stack("main.hotWork"), 93}, synthSample{stack("main.coldWork"), 5},
		synthSample{stack("runtime.scanobject"), 3}, synthSample{stack("runtime.mallocgc"), 2},
		synthSample{stack("runtime.futex"), 1})
	c, err := CompareManagedProfiles(native, same)
	if err != nil {
		t.Fatal(err)
	}
	if c.Native.Total != 100 || c.Emulated.Total != 104 || c.Ratio != 1.04 || !c.RatioOK() || !c.TopAgree {
		t.Errorf("same work: %+v", c)
	}

	// Half the ticks lost, and samples land on the syscall path instead of
	// the loop: both verdicts fail, and the difference is named.
	late := synthProfile(synthSample{stack("main.hotWork"), 30}, synthSample{stack("main.coldWork"), 2},
		synthSample{stack("runtime.exitsyscall"), 10}, synthSample{stack("runtime.mallocgc"), 5},
		synthSample{stack("runtime.futex"), 3})
	c, err = CompareManagedProfiles(native, late)
	if err != nil {
		t.Fatal(err)
	}
	if c.Ratio != 0.5 || c.RatioOK() || c.TopAgree ||
		strings.Join(c.OnlyNative, ",") != "runtime.scanobject" || strings.Join(c.OnlyEmulated, ",") != "runtime.exitsyscall" {
		t.Errorf("late delivery: ratio %v ok %v agree %v, native only %v, emulated only %v",
			c.Ratio, c.RatioOK(), c.TopAgree, c.OnlyNative, c.OnlyEmulated)
	}

	// A profile with fewer functions than the top-5 compares on what both
	// have: one extra function is not a disagreement.
	short := synthProfile(synthSample{stack("main.hotWork"), 9}, synthSample{stack("main.coldWork"), 1})
	if c, err := CompareManagedProfiles(short, same); err != nil || !c.TopAgree {
		t.Errorf("short native profile: agree %v, err %v", c.TopAgree, err)
	}
	if _, err := CompareManagedProfiles(synthProfile(), same); err == nil {
		t.Error("an empty native profile was accepted as a base")
	}
}

func writeSynth(t *testing.T, path string, p *profile.Profile) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMergeProfileInto(t *testing.T) {
	dir := t.TempDir()
	dst, src := filepath.Join(dir, "kept.pb.gz"), filepath.Join(dir, "round.pb.gz")
	for range 2 {
		writeSynth(t, src, synthProfile(synthSample{[]string{"main.hotWork", "main.main"}, 7}))
		if err := mergeProfileInto(dst, src); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(src); !os.IsNotExist(err) {
			t.Errorf("the round's file is left behind: %v", err)
		}
	}
	p, err := readProfile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := SummarizeProfile(p, "samples"); s.Total != 14 {
		t.Errorf("two merged rounds of 7 samples hold %d", s.Total)
	}
	os.WriteFile(src, []byte("not a profile"), 0o644)
	if err := mergeProfileInto(dst, src); err == nil || !IsBadInput(err) {
		t.Errorf("garbage merged: %v", err)
	}
}

// TestProfileReports writes profiles under the names an e2e run keeps and
// reads them back through both reports.
func TestProfileReports(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if found, err := ReportEmulatorProfiles(dir, &out); found || err != nil {
		t.Errorf("empty folder: found %v, err %v", found, err)
	}
	if found, err := ReportManagedProfiles(dir, &out); found || err != nil {
		t.Errorf("empty folder: found %v, err %v", found, err)
	}
	emu := synthProfile(
		synthSample{[]string{"siglab/fastpath.(*bitmap).Take", "siglab/sched.(*Emulator).deliver", DecideFunc, "runtime.goexit"}, 1},
		synthSample{[]string{"internal/runtime/syscall/linux.Syscall6", "siglab/serve.(*Server).loop", "runtime.goexit"}, 3})
	writeSynth(t, filepath.Join(dir, EmulatorProfileFile("syscall-storm", "bitmap")), emu)
	writeSynth(t, filepath.Join(dir, EmulatorProfileFile("spin-gc", "bitmap")), emu)
	stack := func(leaf string) []string { return []string{leaf, "main.main"} }
	writeSynth(t, filepath.Join(dir, ManagedProfileFile("profile", NativeMode)),
		synthProfile(synthSample{stack("main.hotWork"), 50}, synthSample{stack("main.coldWork"), 10}))
	writeSynth(t, filepath.Join(dir, ManagedProfileFile("profile", "flat")),
		synthProfile(synthSample{stack("main.hotWork"), 40}, synthSample{stack("runtime.exitsyscall"), 20}))

	out.Reset()
	if found, err := ReportEmulatorProfiles(dir, &out); !found || err != nil {
		t.Fatalf("found %v, err %v", found, err)
	}
	for _, want := range []string{
		"syscall-storm  bitmap  40ms  4        25.0%      25.0%", // workload name with a dash, layout after it
		"all workloads, layout bitmap (2 profiles merged): 80ms of CPU in 8 samples; fast path share 25.0%, Decide 25.0%",
		"internal/runtime/syscall/linux.Syscall6",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("emulator report lacks %q:\n%s", want, out.String())
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, ProfileTopFile)); err != nil || !bytes.Contains(b, []byte("== spin-gc, layout bitmap")) {
		t.Errorf("%s lacks the per-workload section (err %v)", ProfileTopFile, err)
	}

	// The CPU each run reported, two rounds each: 0.6 s native, 1.2 s
	// under flat — the same samples in twice the CPU is half the ticks.
	for mode, cpu := range map[string][2]float64{NativeMode: {250, 350}, "flat": {500, 700}} {
		lines := "goos: linux\n"
		for _, ms := range cpu {
			lines += fmt.Sprintf("BenchmarkWorkload/name=profile-2\t1\t100 ns/op\t%g cpu_ms\t60 samples\n", ms)
		}
		lines += "BenchmarkWorkload/name=spin-gc-2\t1\t100 ns/op\t999 cpu_ms\n" // another workload: not summed
		if err := os.WriteFile(filepath.Join(dir, "e2e-"+mode+".txt"), []byte(lines), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if found, err := ReportManagedProfiles(dir, &out); !found || err != nil {
		t.Fatalf("found %v, err %v", found, err)
	}
	want := "profile/flat: samples 60/60 native = 1.000 (ok), per CPU second 0.500 (CPU 1.20s/0.60s); top-5 DIFFER (native only: main.coldWork; flat only: runtime.exitsyscall)"
	if !strings.Contains(out.String(), want) {
		t.Errorf("managed report lacks %q:\n%s", want, out.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, ProfileCompareFile)); err != nil || !bytes.Contains(b, []byte("runtime.exitsyscall  20    33.3%")) {
		t.Errorf("%s lacks the top functions (err %v):\n%s", ProfileCompareFile, err, b)
	}
}
