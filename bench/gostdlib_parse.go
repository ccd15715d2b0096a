package bench

// Reading `go test -test.v` output back: the verdict of every test and
// subtest the binary reported, as cmd/go's test2json reads the same lines
// ("=== RUN", "--- PASS: Name (1.23s)", indented for subtests), without
// the go command. A test that started and never reported — the binary
// panicked, timed out or was killed mid-test — counts as failed: that is
// the run's verdict on it, and the lost line is itself the finding.

import (
	"bufio"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Test verdicts.
const (
	TestPass = "pass"
	TestFail = "fail"
	TestSkip = "skip"
)

var (
	testRunRE    = regexp.MustCompile(`^=== RUN\s+(\S+)`)
	testResultRE = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+) \(`)
)

// TestVerdicts maps test names ("TestX", "TestX/sub") to TestPass,
// TestFail or TestSkip.
type TestVerdicts map[string]string

// ParseTestVerbose reads -test.v output. Tests that were started but never
// reported a result are TestFail.
func ParseTestVerbose(r io.Reader) (TestVerdicts, error) {
	v := TestVerdicts{}
	started := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := testRunRE.FindStringSubmatch(line); m != nil {
			started[m[1]] = true
			continue
		}
		if m := testResultRE.FindStringSubmatch(line); m != nil {
			v[m[2]] = strings.ToLower(m[1])
		}
	}
	for name := range started {
		if _, ok := v[name]; !ok {
			v[name] = TestFail
		}
	}
	return v, sc.Err()
}

// Count returns how many tests have each verdict.
func (v TestVerdicts) Count() (pass, fail, skip int) {
	for _, s := range v {
		switch s {
		case TestPass:
			pass++
		case TestFail:
			fail++
		case TestSkip:
			skip++
		}
	}
	return
}

// With returns the sorted names of the tests with verdict s.
func (v TestVerdicts) With(s string) []string {
	var names []string
	for n, vs := range v {
		if vs == s {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Regressions are the tests that pass in base and do not pass in v — fail,
// skip, or never ran — sorted, each with its verdict in v ("missing" for a
// test v never ran).
func (v TestVerdicts) Regressions(base TestVerdicts) map[string]string {
	out := map[string]string{}
	for n, s := range base {
		if s != TestPass {
			continue
		}
		switch got, ok := v[n]; {
		case !ok:
			out[n] = "missing"
		case got != TestPass:
			out[n] = got
		}
	}
	return out
}
