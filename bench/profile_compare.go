package bench

// Profile equivalence of a managed program: a Go program's own CPU
// profile (runtime/pprof, sampled by SIGPROF from setitimer and per-thread
// timer_create timers) must look the same under the emulator as natively,
// because the emulator now owns those timers and signals. Two things can
// go wrong, and each has its figure:
//
//   - ticks dropped or doubled (a timer not armed per thread, a SIGPROF
//     lost, a wrong si_code that Go's validSIGPROF rejects or counts
//     twice): the total sample count, emulated ÷ native, leaves 0.9–1.1
//     for a fixed amount of work;
//   - samples attributed to the wrong code (a signal delivered late, at
//     the next syscall rather than where the thread was running): the
//     functions by flat samples reorder, so the top-5 sets differ.
//
// Ranks far down a short profile are noise (one or two samples each), so
// the verdict uses the top 5 by flat samples and lists the top 10 for the
// reader.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/google/pprof/profile"
	"golang.org/x/perf/benchfmt"
)

// ProfileCompareFile is the comparison's file in the result folder.
const ProfileCompareFile = "profile-compare.txt"

// The comparison's sizes and its target: the emulated sample count within
// ±10% of the native one, and the same top-5 functions.
const (
	CompareListTop  = 10
	CompareAgreeTop = 5
	SampleRatioLow  = 0.9
	SampleRatioHigh = 1.1
)

// A ProfileComparison is a managed program's profile under emulation
// against its native profile, by sample counts.
type ProfileComparison struct {
	Native, Emulated ProfileStats // summed by "samples"
	Ratio            float64      // Emulated.Total / Native.Total
	// TopAgree: the CompareAgreeTop functions by flat samples are the same
	// set in both; OnlyNative and OnlyEmulated are the differences.
	TopAgree                 bool
	OnlyNative, OnlyEmulated []string
	// NativeCPU and EmulatedCPU are the CPU seconds the program reported
	// for the profiled work (its cpu_ms metric, summed over the rounds the
	// profiles merge), or 0 when unknown; with both, TickRatio tells extra
	// CPU apart from extra ticks.
	NativeCPU, EmulatedCPU float64
}

// TickRatio is the ratio of samples per CPU second, emulated ÷ native: 1
// when every tick of CPU time became one sample in both, whatever CPU the
// shim added; 0 when a CPU time is unknown.
func (c ProfileComparison) TickRatio() float64 {
	if c.NativeCPU <= 0 || c.EmulatedCPU <= 0 || c.Native.Total == 0 {
		return 0
	}
	return (float64(c.Emulated.Total) / c.EmulatedCPU) / (float64(c.Native.Total) / c.NativeCPU)
}

// RatioOK reports whether the sample ratio is within the target.
func (c ProfileComparison) RatioOK() bool {
	return c.Ratio >= SampleRatioLow && c.Ratio <= SampleRatioHigh
}

// CompareManagedProfiles compares an emulated CPU profile with the native
// one of the same program and work. A native profile without samples
// cannot be a base and is an error.
func CompareManagedProfiles(native, emulated *profile.Profile) (ProfileComparison, error) {
	var c ProfileComparison
	var err error
	if c.Native, err = SummarizeProfile(native, "samples"); err != nil {
		return c, fmt.Errorf("native profile: %w", err)
	}
	if c.Emulated, err = SummarizeProfile(emulated, "samples"); err != nil {
		return c, fmt.Errorf("emulated profile: %w", err)
	}
	if c.Native.Total == 0 {
		return c, fmt.Errorf("the native profile holds no samples: nothing to compare with")
	}
	c.Ratio = float64(c.Emulated.Total) / float64(c.Native.Total)
	// A profile with fewer functions than CompareAgreeTop shortens both
	// lists: an extra one-sample function is not a disagreement.
	k := min(CompareAgreeTop, flatFuncs(c.Native), flatFuncs(c.Emulated))
	n, e := topNames(c.Native, k), topNames(c.Emulated, k)
	for _, f := range n {
		if !slices.Contains(e, f) {
			c.OnlyNative = append(c.OnlyNative, f)
		}
	}
	for _, f := range e {
		if !slices.Contains(n, f) {
			c.OnlyEmulated = append(c.OnlyEmulated, f)
		}
	}
	c.TopAgree = len(c.OnlyNative) == 0 && len(c.OnlyEmulated) == 0
	return c, nil
}

// flatFuncs is the number of functions with flat samples: the others are
// only callers, ranked by cum, and no evidence of where ticks landed.
func flatFuncs(s ProfileStats) int {
	n := 0
	for _, f := range s.Funcs {
		if f.Flat > 0 {
			n++
		}
	}
	return n
}

func topNames(s ProfileStats, n int) []string {
	var names []string
	for _, f := range s.TopFlat(n) {
		names = append(names, f.Name)
	}
	return names
}

// ReportManagedProfiles compares, for every workload that kept its own
// profile (ManagedProfileFile) natively and under layouts, each layout's
// profile with the native one. It prints one line per layout to w and
// writes those lines and the top functions of each profile to
// dir/ProfileCompareFile. found is false, and nothing is written, when dir
// holds no native managed profile.
func ReportManagedProfiles(dir string, w io.Writer) (found bool, err error) {
	var short, full bytes.Buffer
	for _, wl := range Workloads {
		nativePath := filepath.Join(dir, ManagedProfileFile(wl.Name, NativeMode))
		if _, err := os.Stat(nativePath); err != nil {
			continue
		}
		native, err := readProfile(nativePath)
		if err != nil {
			return found, err
		}
		paths, err := filepath.Glob(filepath.Join(dir, ManagedProfileFile(wl.Name, "*")))
		if err != nil {
			return found, err
		}
		sort.Strings(paths)
		if !found {
			fmt.Fprintf(&short, "Managed programs' own CPU profiles, emulated vs native (%s):\n", dir)
			fmt.Fprintf(&short, "  samples ratio target %.1f–%.1f; top-%d functions by flat samples must be the same set.\n",
				SampleRatioLow, SampleRatioHigh, CompareAgreeTop)
			fmt.Fprintln(&short, "  Samples count CPU ticks: a program that burns more CPU under emulation (the shim's traps run on")
			fmt.Fprintln(&short, "  its threads) gets more of them. \"per CPU second\" divides each side by the CPU time the program")
			fmt.Fprintln(&short, "  reported (cpu_ms): ≈ 1 means no SIGPROF was lost or doubled, whatever CPU the shim added.")
			found = true
		}
		for _, path := range paths {
			mode := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), strings.TrimSuffix(ManagedProfileFile(wl.Name, ""), ".pb.gz")), ".pb.gz")
			if mode == NativeMode {
				continue
			}
			emu, err := readProfile(path)
			if err != nil {
				return found, err
			}
			c, err := CompareManagedProfiles(native, emu)
			if err != nil {
				return found, fmt.Errorf("%s: %w", path, err)
			}
			c.NativeCPU = workloadCPU(dir, wl.Name, NativeMode)
			c.EmulatedCPU = workloadCPU(dir, wl.Name, mode)
			writeComparisonLine(&short, wl.Name, mode, c)
			full.WriteString("\n")
			writeComparisonLine(&full, wl.Name, mode, c)
			writeComparisonTops(&full, mode, c)
		}
	}
	if !found {
		return false, nil
	}
	if err := os.WriteFile(filepath.Join(dir, ProfileCompareFile), append(append([]byte(nil), short.Bytes()...), full.Bytes()...), 0o644); err != nil {
		return true, err
	}
	fmt.Fprintf(&short, "top-%d functions of each: %s\n", CompareListTop, filepath.Join(dir, ProfileCompareFile))
	_, err = fmt.Fprintf(w, "\n%s", short.Bytes()) // a blank line after the tables before it
	return true, err
}

func writeComparisonLine(w io.Writer, workload, mode string, c ProfileComparison) {
	verdict := "ok"
	if !c.RatioOK() {
		verdict = "OUTSIDE target"
	}
	agree := "agree"
	if !c.TopAgree {
		agree = fmt.Sprintf("DIFFER (native only: %s; %s only: %s)", orNone(c.OnlyNative), mode, orNone(c.OnlyEmulated))
	}
	perCPU := ""
	if r := c.TickRatio(); r > 0 {
		perCPU = fmt.Sprintf(", per CPU second %.3f (CPU %.2fs/%.2fs)", r, c.EmulatedCPU, c.NativeCPU)
	}
	fmt.Fprintf(w, "  %s/%s: samples %d/%d native = %.3f (%s)%s; top-%d %s\n", workload, mode,
		c.Emulated.Total, c.Native.Total, c.Ratio, verdict, perCPU, CompareAgreeTop, agree)
}

// writeComparisonTops lists the top functions of both profiles side by
// side, with each one's share of its own profile.
func writeComparisonTops(w io.Writer, mode string, c ProfileComparison) {
	n := c.Native.TopFlat(min(CompareListTop, flatFuncs(c.Native)))
	e := c.Emulated.TopFlat(min(CompareListTop, flatFuncs(c.Emulated)))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  #\tnative\tflat\t%%\t%s\tflat\t%%\n", mode)
	for i := range max(len(n), len(e)) {
		var row [2]string
		for j, fs := range [][]FuncStat{n, e} {
			s := []ProfileStats{c.Native, c.Emulated}[j]
			row[j] = "\t\t"
			if i < len(fs) {
				row[j] = fmt.Sprintf("%s\t%d\t%s", fs[i].Name, fs[i].Flat, pct(s.Share(fs[i].Flat)))
			}
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\n", i+1, row[0], row[1])
	}
	tw.Flush()
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// workloadCPU is the CPU seconds workload reported for its profiled work
// in mode — its cpu_ms metric summed over the rounds of e2e-<mode>.txt,
// as the kept profile merges those rounds — or 0 when the file or the
// metric is missing.
func workloadCPU(dir, workload, mode string) float64 {
	f, err := os.Open(filepath.Join(dir, "e2e-"+mode+".txt"))
	if err != nil {
		return 0
	}
	defer f.Close()
	want := "Workload/name=" + workload
	sum := 0.0
	rd := benchfmt.NewReader(f, f.Name())
	for rd.Scan() {
		res, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		if name := string(res.Name); name != want && !strings.HasPrefix(name, want+"-") {
			continue
		}
		if v, ok := res.Value("cpu_ms"); ok {
			sum += v / 1000
		}
	}
	return sum
}
