package bench

// `siglab compare OLD NEW`: benchstat tables between two result files or
// two result folders (e.g. yesterday's results/ folder and today's).
//
// Timing numbers from different machines or toolchains are not comparable:
// a different CPU model or Go release moves ns/op by more than any change
// we are looking for, and benchstat would happily print a "significant"
// delta. So before computing anything, Compare checks that both sides ran
// with the same goos, goarch, cpu and Go version, and refuses otherwise.
// The commit is expected to differ (that is the point of comparing), and
// the machine name may differ as long as the CPU model is the same.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// FileConfig is the configuration a result file was produced under,
// from its "key: value" header lines.
type FileConfig struct {
	Path    string
	GOOS    string // goos
	GOARCH  string // goarch
	CPU     string // cpu
	Go      string // go, or goversion when there is no go line
	Commit  string // commit
	Machine string // machine
}

func reportConfigOf(f *reportFile) FileConfig {
	goVer := f.config("go")
	if goVer == "" {
		goVer = f.config("goversion")
	}
	return FileConfig{
		Path: f.path, GOOS: f.config("goos"), GOARCH: f.config("goarch"),
		CPU: f.config("cpu"), Go: goVer, Commit: f.config("commit"),
		Machine: f.config("machine"),
	}
}

// String lists the configuration, one "key: value" per line.
func (c FileConfig) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", c.Path)
	for _, kv := range [][2]string{{"goos", c.GOOS}, {"goarch", c.GOARCH}, {"cpu", c.CPU},
		{"go", c.Go}, {"commit", c.Commit}, {"machine", c.Machine}} {
		v := kv[1]
		if v == "" {
			v = "(missing)"
		}
		fmt.Fprintf(&b, "  %-8s %s\n", kv[0]+":", v)
	}
	return b.String()
}

// ConfigMismatchError says two result files were produced under different
// goos/goarch/cpu/Go version and must not be compared. Error is one line
// naming what differs; Warning lists both configurations in full.
type ConfigMismatchError struct {
	Old, New FileConfig
	Keys     []string // the keys that differ: "goos", "goarch", "cpu", "go"
}

func (e *ConfigMismatchError) Error() string {
	var parts []string
	for _, k := range e.Keys {
		o, n := e.Old.get(k), e.New.get(k)
		parts = append(parts, fmt.Sprintf("%s %q vs %q", k, o, n))
	}
	return fmt.Sprintf("incomparable results %s and %s: %s differ", e.Old.Path, e.New.Path, strings.Join(parts, ", "))
}

// Warning is the text the CLI prints next to the error: both configs.
func (e *ConfigMismatchError) Warning() string {
	return "warning: results come from different configurations, timings are not comparable\n" +
		"old " + e.Old.String() + "new " + e.New.String()
}

func (c FileConfig) get(key string) string {
	switch key {
	case "goos":
		return c.GOOS
	case "goarch":
		return c.GOARCH
	case "cpu":
		return c.CPU
	case "go":
		return c.Go
	}
	return ""
}

// CheckConfigs returns a *ConfigMismatchError if old and new differ in
// goos, goarch, cpu or Go version, else nil.
func CheckConfigs(old, new FileConfig) error {
	var keys []string
	for _, k := range []string{"goos", "goarch", "cpu", "go"} {
		if old.get(k) != new.get(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return &ConfigMismatchError{Old: old, New: new, Keys: keys}
}

// ComparePair is the comparison of one file name present on both sides.
type ComparePair struct {
	Name             string // file name, e.g. "fastpath-bitmap.txt"
	OldPath, NewPath string
	*Comparison
}

// CompareResult is what `siglab compare` prints.
type CompareResult struct {
	Pairs []ComparePair
	// Skipped lists files present on one side only, as
	// "NAME (only in OLD)" / "NAME (only in NEW)".
	Skipped []string
}

// Compare compares OLD with NEW, each a result file or a result folder.
// Folders are paired file by file by name. Errors are *InputError for
// unusable inputs and *ConfigMismatchError for incomparable configs; both
// satisfy IsBadInput.
func Compare(old, new string) (*CompareResult, error) {
	oldDir, err := reportIsDir(old)
	if err != nil {
		return nil, err
	}
	newDir, err := reportIsDir(new)
	if err != nil {
		return nil, err
	}
	if oldDir != newDir {
		return nil, &InputError{Path: new, Msg: fmt.Sprintf("cannot compare a %s with a %s (%s)",
			reportKind(oldDir), reportKind(newDir), old)}
	}
	res := &CompareResult{}
	type pair struct{ name, o, n string }
	var pairs []pair
	if !oldDir {
		pairs = []pair{{filepath.Base(new), old, new}}
	} else {
		on, err := reportTxtFiles(old)
		if err != nil {
			return nil, err
		}
		nn, err := reportTxtFiles(new)
		if err != nil {
			return nil, err
		}
		for name := range on {
			if nn[name] {
				pairs = append(pairs, pair{name, filepath.Join(old, name), filepath.Join(new, name)})
			} else {
				res.Skipped = append(res.Skipped, name+" (only in OLD)")
			}
		}
		for name := range nn {
			if !on[name] {
				res.Skipped = append(res.Skipped, name+" (only in NEW)")
			}
		}
		sort.Slice(pairs, func(i, j int) bool { return pairs[i].name < pairs[j].name })
		sort.Strings(res.Skipped)
		if len(pairs) == 0 {
			return nil, &InputError{Path: new, Msg: "no result files in common with " + old}
		}
	}
	labels := reportLabels([]string{old, new})
	// Read and check every pair before comparing any, so a mismatch
	// anywhere stops the whole comparison.
	files := make([][2]*reportFile, len(pairs))
	for i, p := range pairs {
		of, err := reportReadFile(p.o, labels[0])
		if err != nil {
			return nil, err
		}
		nf, err := reportReadFile(p.n, labels[1])
		if err != nil {
			return nil, err
		}
		if err := CheckConfigs(reportConfigOf(of), reportConfigOf(nf)); err != nil {
			return nil, err
		}
		files[i] = [2]*reportFile{of, nf}
	}
	for i, p := range pairs {
		c, err := compareBuild(files[i][:], nil)
		if err != nil {
			return nil, err
		}
		res.Pairs = append(res.Pairs, ComparePair{Name: p.name, OldPath: p.o, NewPath: p.n, Comparison: c})
	}
	return res, nil
}

func reportKind(dir bool) string {
	if dir {
		return "folder"
	}
	return "file"
}

func reportIsDir(p string) (bool, error) {
	st, err := os.Stat(p)
	if err != nil {
		return false, &InputError{Path: p, Msg: reportErrText(err), Err: err}
	}
	return st.IsDir(), nil
}

// reportTxtFiles lists the result files (*.txt except our tables.txt).
func reportTxtFiles(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &InputError{Path: dir, Msg: reportErrText(err), Err: err}
	}
	out := map[string]bool{}
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".txt") && e.Name() != reportTablesName {
			out[e.Name()] = true
		}
	}
	return out, nil
}

// WriteText prints each pair's tables under a "== NAME ==" heading, then
// the skipped files.
func (r *CompareResult) WriteText(w io.Writer) error {
	for i, p := range r.Pairs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "== %s ==\n", p.Name)
		if err := p.Comparison.WriteText(w); err != nil {
			return err
		}
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "\nskipped (not on both sides):\n")
		for _, s := range r.Skipped {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	return nil
}

// CompareLayouts compares the layouts of one suite inside a result folder:
// columns are the <suite>-<layout>.txt files, DefaultLayout first as base.
func CompareLayouts(dir, suite string) (*Comparison, error) {
	bySuite, _, err := SuiteFiles(dir)
	if err != nil {
		return nil, err
	}
	sf := bySuite[suite]
	if len(sf) == 0 {
		return nil, &InputError{Path: dir, Msg: fmt.Sprintf("no %s-<layout>.txt files", suite)}
	}
	var files []*reportFile
	for _, f := range sf {
		rf, err := reportReadFile(f.Path, filepath.Base(f.Path))
		if err != nil {
			return nil, err
		}
		files = append(files, rf)
	}
	return compareBuild(files, nil)
}
