package bench

// The report of `siglab bench --profile`: the emulator's CPU profiles of an
// e2e run (EmulatorProfileFile), read back from the result folder and
// printed as pprof's -top would, plus the share of each package group and
// the fast path's share (see profile.go for what that share is and is
// not). Everything printed is computed from the .pb.gz files, so the report
// can be rebuilt from a result folder, and `go tool pprof` on the same
// files shows the same functions.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/pprof/profile"
)

// ProfileTopFile is the report's file in the result folder.
const ProfileTopFile = "profile-top.txt"

// ProfileTopN is how many functions the report lists by flat and by cum.
const ProfileTopN = 15

// fewSamples is the sample count below which the report warns that shares
// are rough: a share p of n samples is uncertain by about √(p(1-p)/n),
// ±5 points at n = 100.
const fewSamples = 100

// An emulatorProfile is one kept profile of the result folder.
type emulatorProfile struct {
	workload, layout string
	p                *profile.Profile
	stats            ProfileStats
}

// ReportEmulatorProfiles reads the emulator profiles kept in dir, prints
// the per-package summary of every workload and layout and, per layout,
// the top functions of all workloads merged to w, and writes all of that
// plus each workload's own top functions to dir/ProfileTopFile. It reports
// found=false, and writes nothing, when dir holds no emulator profile.
func ReportEmulatorProfiles(dir string, w io.Writer) (found bool, err error) {
	ps, err := loadEmulatorProfiles(dir)
	if err != nil || len(ps) == 0 {
		return false, err
	}
	var short, full bytes.Buffer
	writeProfileLegend(&short, dir)
	if err := writeProfileSummary(&short, ps); err != nil {
		return true, err
	}
	var layouts []string
	byLayout := map[string][]*profile.Profile{}
	for _, e := range ps {
		if byLayout[e.layout] == nil {
			layouts = append(layouts, e.layout)
		}
		byLayout[e.layout] = append(byLayout[e.layout], e.p)
	}
	for _, l := range layouts {
		merged, err := profile.Merge(byLayout[l])
		if err != nil {
			return true, fmt.Errorf("merging the %s profiles: %w", l, err)
		}
		st, err := SummarizeProfile(merged, "cpu")
		if err != nil {
			return true, err
		}
		writeProfileStats(&short, fmt.Sprintf("all workloads, layout %s (%d profiles merged)", l, len(byLayout[l])), st)
	}
	full.Write(short.Bytes())
	for _, e := range ps {
		writeProfileStats(&full, e.workload+", layout "+e.layout, e.stats)
	}
	if err := os.WriteFile(filepath.Join(dir, ProfileTopFile), full.Bytes(), 0o644); err != nil {
		return true, err
	}
	fmt.Fprintf(&short, "\nper-workload top functions: %s\n", filepath.Join(dir, ProfileTopFile))
	_, err = fmt.Fprintf(w, "\n%s", short.Bytes()) // a blank line after the tables before it
	return true, err
}

// loadEmulatorProfiles finds dir's EmulatorProfileFiles, in Workloads
// order then by layout name. A workload name is matched longest first, so
// a layout is whatever follows it.
func loadEmulatorProfiles(dir string) ([]emulatorProfile, error) {
	names, err := filepath.Glob(filepath.Join(dir, EmulatorProfileFile("*", "*")))
	if err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, w := range Workloads {
		order[w.Name] = i
	}
	var ps []emulatorProfile
	for _, path := range names {
		base := filepath.Base(path)
		wl, layout := "", ""
		for _, w := range Workloads {
			pre := strings.TrimSuffix(EmulatorProfileFile(w.Name, ""), ".pb.gz")
			if rest, ok := strings.CutPrefix(base, pre); ok && len(w.Name) > len(wl) {
				wl, layout = w.Name, strings.TrimSuffix(rest, ".pb.gz")
			}
		}
		if wl == "" || layout == "" {
			continue // not one of ours
		}
		p, err := readProfile(path)
		if err != nil {
			return nil, err
		}
		st, err := SummarizeProfile(p, "cpu")
		if err != nil {
			return nil, &InputError{Path: path, Msg: err.Error()}
		}
		ps = append(ps, emulatorProfile{workload: wl, layout: layout, p: p, stats: st})
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].workload != ps[j].workload {
			return order[ps[i].workload] < order[ps[j].workload]
		}
		return ps[i].layout < ps[j].layout
	})
	return ps, nil
}

func writeProfileLegend(w io.Writer, dir string) {
	fmt.Fprintf(w, "Emulator CPU profiles (siglab run --cpuprofile) of the e2e runs in %s\n", dir)
	fmt.Fprintln(w, "  flat: CPU with the function (or package) at the leaf of the stack — its own code;")
	fmt.Fprintln(w, "  cum:  CPU with it anywhere on the stack — in it or in what it calls.")
	fmt.Fprintln(w, "  fast path share = cum share of package siglab/fastpath: the emulator's side of the signal-state")
	fmt.Fprintln(w, "  layouts (send, take, mask, publish). The check after each syscall runs in the shim, inside the")
	fmt.Fprintln(w, "  managed program, and is not in this profile. Decide = cum share of sched's Decide, the decision at")
	fmt.Fprintln(w, "  SYSCALL_COMPLETE when the shim asks. runtime's cum is ~100% (every goroutine starts in")
	fmt.Fprintln(w, "  runtime.goexit): read its flat. syscall = syscall, golang.org/x/sys/unix, internal/runtime/syscall.")
}

// writeProfileSummary prints one line per profile: CPU, samples, the fast
// path share and every group's flat and cum shares.
func writeProfileSummary(w io.Writer, ps []emulatorProfile) error {
	fmt.Fprintln(w, "\nShare of the emulator's CPU, per workload and layout (flat/cum):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	hdr := "workload\tlayout\tcpu\tsamples\tfast path\tDecide"
	for _, g := range PackageGroups {
		hdr += "\t" + g.Name
	}
	fmt.Fprintln(tw, hdr+"\t"+OtherGroup)
	for _, e := range ps {
		s := e.stats
		line := fmt.Sprintf("%s\t%s\t%s\t%d\t%s\t%s", e.workload, e.layout, fmtProfileValue(s.Unit, s.Total), s.Samples,
			pct(s.Share(s.Group(FastPathGroup).Cum)), pct(s.Share(s.Func(DecideFunc).Cum)))
		for _, g := range s.Groups {
			line += fmt.Sprintf("\t%s/%s", pct(s.Share(g.Flat)), pct(s.Share(g.Cum)))
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// writeProfileStats prints one profile's groups and top functions.
func writeProfileStats(w io.Writer, title string, s ProfileStats) {
	fmt.Fprintf(w, "\n== %s: %s of CPU in %d samples; fast path share %s, Decide %s ==\n", title,
		fmtProfileValue(s.Unit, s.Total), s.Samples, pct(s.Share(s.Group(FastPathGroup).Cum)), pct(s.Share(s.Func(DecideFunc).Cum)))
	if s.Samples < fewSamples {
		fmt.Fprintf(w, "(only %d samples: shares are rough, run longer or with --count for more)\n", s.Samples)
	}
	writeFuncTable(w, s, s.Groups, "package group")
	for _, by := range []struct {
		what string
		fs   []FuncStat
	}{{"flat", s.TopFlat(ProfileTopN)}, {"cum", s.TopCum(ProfileTopN)}} {
		fmt.Fprintf(w, "top %d by %s:\n", ProfileTopN, by.what)
		writeFuncTable(w, s, by.fs, "function")
	}
}

// writeFuncTable prints functions as `go tool pprof -top` does.
func writeFuncTable(w io.Writer, s ProfileStats, fs []FuncStat, what string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  flat\tflat%\tcum\tcum%\t"+what)
	for _, f := range fs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", fmtProfileValue(s.Unit, f.Flat), pct(s.Share(f.Flat)),
			fmtProfileValue(s.Unit, f.Cum), pct(s.Share(f.Cum)), f.Name)
	}
	tw.Flush()
}

// fmtProfileValue prints CPU nanoseconds as a duration, counts as numbers.
func fmtProfileValue(unit string, v int64) string {
	if unit == "nanoseconds" {
		return time.Duration(v).Round(time.Millisecond).String()
	}
	return fmt.Sprint(v)
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }
