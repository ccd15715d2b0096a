package bench

// Loading result files for the reporting half of the package.
//
// A result file is Go benchmark format (golang.org/design/14313-benchmark-format)
// as written by the runner: file configuration lines ("goos: linux",
// "commit: 1a2b3c4", "layout: bitmap", ...) followed by Benchmark lines.
// Everything here reads through benchfmt so that what we summarise is
// exactly what benchstat would read; the only difference is strictness:
// benchstat warns about a malformed Benchmark line and goes on, while a
// report built on a partly unreadable file would silently compare less
// than it claims to, so we stop with an *InputError instead.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// InputError reports a result file or folder that cannot be used: missing,
// unreadable, empty, without benchmark results, or with a line benchfmt
// rejects. Its message is one line; the CLI exits with status 2 on it.
type InputError struct {
	Path string // the file or folder at fault
	Line int    // 1-based line of a syntax error, or 0
	Msg  string // what is wrong, without the path
	Err  error  // the underlying error, if any
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

func (e *InputError) Unwrap() error { return e.Err }

// IsBadInput reports whether err means the inputs themselves are unusable
// (an *InputError or a *ConfigMismatchError), as opposed to a failure
// while writing output. The CLI maps it to exit status 2.
func IsBadInput(err error) bool {
	var ie *InputError
	var ce *ConfigMismatchError
	return errors.As(err, &ie) || errors.As(err, &ce)
}

// reportFile is one parsed result file.
type reportFile struct {
	path    string
	label   string // value of the .file key: the column label
	results []*benchfmt.Result
	units   benchfmt.UnitMetadataMap
}

// config returns the file configuration value of key as seen by the first
// result. The runner writes the configuration once, at the top.
func (f *reportFile) config(key string) string {
	return f.results[0].GetConfig(key)
}

// reportReadFile parses path with benchfmt, tagging every result with
// ".file" = label exactly as benchfmt.Files does for "label=path" inputs.
func reportReadFile(path, label string) (*reportFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &InputError{Path: path, Msg: reportErrText(err), Err: err}
	}
	if st.IsDir() {
		return nil, &InputError{Path: path, Msg: "is a folder, want a result file"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &InputError{Path: path, Msg: reportErrText(err), Err: err}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &InputError{Path: path, Msg: "empty result file"}
	}
	f := &reportFile{path: path, label: label, units: benchfmt.UnitMetadataMap{}}
	rd := benchfmt.NewReader(bytes.NewReader(data), path)
	rd.Reset(bytes.NewReader(data), path, ".file", label)
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.SyntaxError:
			_, line := rec.Pos()
			return nil, &InputError{Path: path, Line: line, Msg: "malformed line: " + rec.Msg, Err: rec}
		case *benchfmt.Result:
			f.results = append(f.results, rec.Clone())
		}
	}
	if err := rd.Err(); err != nil {
		return nil, &InputError{Path: path, Msg: err.Error(), Err: err}
	}
	for k, v := range rd.Units() {
		f.units[k] = v
	}
	if len(f.results) == 0 {
		return nil, &InputError{Path: path, Msg: "no benchmark results (no Benchmark lines)"}
	}
	return f, nil
}

// reportErrText turns an os error into a short reason; the path is
// already in InputError.
func reportErrText(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// reportLabels returns distinct, short column labels for paths: the base
// names when those differ, else the last two path elements, else the
// paths themselves (benchstat would label columns by the raw paths).
func reportLabels(paths []string) []string {
	for _, depth := range []int{1, 2} {
		labels := make([]string, len(paths))
		seen := map[string]bool{}
		ok := true
		for i, p := range paths {
			labels[i] = reportTail(p, depth)
			if seen[labels[i]] {
				ok = false
			}
			seen[labels[i]] = true
		}
		if ok {
			return labels
		}
	}
	// The same path given twice: number the repeats as benchfmt.Files
	// does ("a.txt", "a.txt#1"), so they stay separate columns.
	labels := make([]string, len(paths))
	seen := map[string]int{}
	for i, p := range paths {
		labels[i] = p
		if n := seen[p]; n > 0 {
			labels[i] = fmt.Sprintf("%s#%d", p, n)
		}
		seen[p]++
	}
	return labels
}

func reportTail(p string, depth int) string {
	p = filepath.Clean(p)
	parts := strings.Split(filepath.ToSlash(p), "/")
	if len(parts) > depth {
		parts = parts[len(parts)-depth:]
	}
	return strings.Join(parts, "/")
}

// DefaultLayout is the layout other layouts are compared against: the base
// column of layout tables.
const DefaultLayout = "bitmap"

// layoutRank orders the columns of a suite's tables: native runs first
// (the e2e suite's base), then DefaultLayout, then the other layouts.
func layoutRank(l string) int {
	switch l {
	case NativeMode:
		return 0
	case DefaultLayout:
		return 1
	}
	return 2
}

// companionFile reports whether name is one of the text files siglab
// writes into a result folder beside the results: tables.txt, and
// profile-compare.txt, which would otherwise read as suite "profile",
// layout "compare".
func companionFile(name string) bool {
	return name == "tables.txt" || name == ProfileCompareFile
}

// SuiteFile is one "<suite>-<layout>.txt" file of a result folder.
type SuiteFile struct {
	Suite, Layout string
	Path          string
}

// SuiteFiles lists the result files of folder dir grouped by suite, suites
// sorted by name, and within a suite DefaultLayout first and the other
// layouts by name. The layout is the text after the last '-'.
func SuiteFiles(dir string) (map[string][]SuiteFile, []string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, &InputError{Path: dir, Msg: reportErrText(err), Err: err}
	}
	if !st.IsDir() {
		return nil, nil, &InputError{Path: dir, Msg: "not a result folder"}
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, nil, &InputError{Path: dir, Msg: err.Error(), Err: err}
	}
	bySuite := map[string][]SuiteFile{}
	for _, p := range names {
		base := strings.TrimSuffix(filepath.Base(p), ".txt")
		i := strings.LastIndexByte(base, '-')
		if i <= 0 || i == len(base)-1 || companionFile(filepath.Base(p)) {
			continue // not <suite>-<layout>.txt (e.g. our own tables.txt)
		}
		sf := SuiteFile{Suite: base[:i], Layout: base[i+1:], Path: p}
		bySuite[sf.Suite] = append(bySuite[sf.Suite], sf)
	}
	if len(bySuite) == 0 {
		return nil, nil, &InputError{Path: dir, Msg: "no <suite>-<layout>.txt result files"}
	}
	var suites []string
	for s, files := range bySuite {
		suites = append(suites, s)
		sort.Slice(files, func(i, j int) bool {
			a, b := files[i].Layout, files[j].Layout
			if ra, rb := layoutRank(a), layoutRank(b); ra != rb {
				return ra < rb
			}
			return a < b
		})
	}
	sort.Strings(suites)
	return bySuite, suites, nil
}
