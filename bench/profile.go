package bench

// Reading a CPU profile by function and by package, the way `go tool pprof
// -top` does (flat: the sample's leaf function, the code that was running;
// cum: every function on the sample's stack, counted once per sample), but
// through github.com/google/pprof/profile, so the numbers are computed and
// tested here rather than scraped from pprof's text.
//
// What the emulator's profile should answer is how much of its CPU the
// fast path is. The fast path proper — the check after every
// SYSCALL_COMPLETE — runs in the shim, inside the managed process, so it
// is not in this profile at all. What the emulator's profile can show is
// the emulator's side of signal state: the layouts' operations (package
// siglab/fastpath: send, take, mask, publish), the decisions (siglab/sched)
// and the IPC server (siglab/serve). So the "fast path share" printed is
// defined as the cumulative share of CPU samples with a function of
// package siglab/fastpath anywhere on the stack; the other packages are
// given beside it, flat and cumulative, so a reader sees where the rest
// goes. A sample is attributed to a package by its Go symbol name
// ("siglab/serve.(*Server).scan" is package siglab/serve), inlined frames
// included.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/pprof/profile"
)

// A PackageGroup is a set of packages reported as one line: a package
// belongs to it when its path equals one of Prefixes or lies below one.
type PackageGroup struct {
	Name     string
	Prefixes []string
}

// PackageGroups are the lines of the per-package breakdown, in order; a
// package is in the first group that claims it (internal/runtime/syscall
// is "syscall", not "runtime"), and in "other" when none does. Their flat
// shares and other's add up to the whole profile.
var PackageGroups = []PackageGroup{
	{Name: "fastpath", Prefixes: []string{"siglab/fastpath"}},
	{Name: "sched", Prefixes: []string{"siglab/sched"}},
	{Name: "serve", Prefixes: []string{"siglab/serve"}},
	{Name: "shim", Prefixes: []string{"siglab/shim"}},
	{Name: "syscall", Prefixes: []string{"syscall", "golang.org/x/sys/unix", "internal/runtime/syscall", "internal/syscall"}},
	{Name: "runtime", Prefixes: []string{"runtime", "internal/runtime"}},
}

// OtherGroup holds the packages no PackageGroup claims, and C code.
const OtherGroup = "other"

// FastPathGroup is the group whose cumulative share is reported as the
// fast path's share of the emulator's CPU.
const FastPathGroup = "fastpath"

// DecideFunc is the emulator's decision at SYSCALL_COMPLETE when the shim
// asks (sched's Decide: nothing to deliver is its fast case); its
// cumulative share is reported beside the fast path's.
const DecideFunc = "siglab/sched.(*Emulator).Decide"

// FuncStat is one function's flat and cumulative value.
type FuncStat struct {
	Name      string
	Flat, Cum int64
}

// ProfileStats is a profile summed by function and by package group.
type ProfileStats struct {
	ValueType string // the sample value summed ("cpu", "samples")
	Unit      string // its unit ("nanoseconds", "count")
	Total     int64  // the value summed over all samples
	Samples   int64  // the number of samples (the "samples" value when there is one)
	Funcs     []FuncStat
	Groups    []FuncStat // one per PackageGroups entry, then OtherGroup
}

// SummarizeProfile sums p's valueType value ("cpu", "samples") by leaf
// function (flat), by every function on the stack (cum) and by package
// group. Funcs are sorted by flat value, then cum, then name, so a tie
// ranks the same way every time.
func SummarizeProfile(p *profile.Profile, valueType string) (ProfileStats, error) {
	vi, si := -1, -1
	for i, st := range p.SampleType {
		if st.Type == valueType {
			vi = i
		}
		if st.Type == "samples" {
			si = i
		}
	}
	if vi < 0 {
		var types []string
		for _, st := range p.SampleType {
			types = append(types, st.Type)
		}
		return ProfileStats{}, fmt.Errorf("profile has no %q value (it has %s)", valueType, strings.Join(types, ", "))
	}
	s := ProfileStats{ValueType: valueType, Unit: p.SampleType[vi].Unit}
	flat, cum := map[string]int64{}, map[string]int64{}
	gflat, gcum := map[string]int64{}, map[string]int64{}
	for _, sm := range p.Sample {
		if vi >= len(sm.Value) {
			return ProfileStats{}, fmt.Errorf("a sample has %d values, want %d", len(sm.Value), len(p.SampleType))
		}
		v := sm.Value[vi]
		s.Total += v
		if si >= 0 {
			s.Samples += sm.Value[si]
		} else {
			s.Samples++
		}
		leaf := "?"
		if len(sm.Location) > 0 && len(sm.Location[0].Line) > 0 {
			leaf = lineName(sm.Location[0].Line[0])
		}
		flat[leaf] += v
		gflat[packageGroup(leaf)] += v
		seen, gseen := map[string]bool{}, map[string]bool{}
		for _, loc := range sm.Location {
			for _, ln := range loc.Line {
				fn := lineName(ln)
				if !seen[fn] {
					seen[fn] = true
					cum[fn] += v
				}
				if g := packageGroup(fn); !gseen[g] {
					gseen[g] = true
					gcum[g] += v
				}
			}
		}
		if len(sm.Location) == 0 && !seen[leaf] {
			cum[leaf] += v
			gcum[packageGroup(leaf)] += v
		}
	}
	for fn, c := range cum {
		s.Funcs = append(s.Funcs, FuncStat{Name: fn, Flat: flat[fn], Cum: c})
	}
	sort.Slice(s.Funcs, func(i, j int) bool {
		a, b := s.Funcs[i], s.Funcs[j]
		if a.Flat != b.Flat {
			return a.Flat > b.Flat
		}
		if a.Cum != b.Cum {
			return a.Cum > b.Cum
		}
		return a.Name < b.Name
	})
	for _, g := range PackageGroups {
		s.Groups = append(s.Groups, FuncStat{Name: g.Name, Flat: gflat[g.Name], Cum: gcum[g.Name]})
	}
	s.Groups = append(s.Groups, FuncStat{Name: OtherGroup, Flat: gflat[OtherGroup], Cum: gcum[OtherGroup]})
	return s, nil
}

// lineName names a frame: "?" for a location pprof could not symbolize.
// Inlined frames are lines of one location, each its own function.
func lineName(ln profile.Line) string {
	if ln.Function == nil || ln.Function.Name == "" {
		return "?"
	}
	return ln.Function.Name
}

// Share is v as a fraction of the total (0 for an empty profile).
func (s ProfileStats) Share(v int64) float64 {
	if s.Total == 0 {
		return 0
	}
	return float64(v) / float64(s.Total)
}

// Func returns the named function's line (zero when it has no samples).
func (s ProfileStats) Func(name string) FuncStat {
	for _, f := range s.Funcs {
		if f.Name == name {
			return f
		}
	}
	return FuncStat{Name: name}
}

// Group returns the named group's line.
func (s ProfileStats) Group(name string) FuncStat {
	for _, g := range s.Groups {
		if g.Name == name {
			return g
		}
	}
	return FuncStat{Name: name}
}

// TopCum is the n functions with the largest cumulative value.
func (s ProfileStats) TopCum(n int) []FuncStat {
	fs := append([]FuncStat(nil), s.Funcs...)
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Cum != fs[j].Cum {
			return fs[i].Cum > fs[j].Cum
		}
		return fs[i].Name < fs[j].Name
	})
	return fs[:min(n, len(fs))]
}

// TopFlat is the n functions with the largest flat value.
func (s ProfileStats) TopFlat(n int) []FuncStat { return s.Funcs[:min(n, len(s.Funcs))] }

// FuncPackage is the import path of the package of a Go symbol name:
// "siglab/serve.(*Server).scan" → "siglab/serve", "runtime.mallocgc" →
// "runtime", "golang.org/x/sys/unix.Syscall" → "golang.org/x/sys/unix". A
// name with no package (a C function, "?") gives "".
func FuncPackage(name string) string {
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i] // type arguments may hold other packages' paths
	}
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot <= 0 {
		return ""
	}
	return name[:slash+1+dot]
}

// packageGroup is the PackageGroups name of a function, or OtherGroup.
func packageGroup(fn string) string {
	pkg := FuncPackage(fn)
	for _, g := range PackageGroups {
		for _, p := range g.Prefixes {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return g.Name
			}
		}
	}
	return OtherGroup
}
