package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI is wiring; these tests pin its contract: exit statuses, one-line
// errors on bad input, and output that comes from the libraries.

var fixtures = filepath.Join("..", "..", "bench", "testdata", "report")

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestExitStatusAndErrors(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		code    int
		errLike string
	}{
		{nil, 2, ""},
		{[]string{"help"}, 0, ""},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"bench", "--count", "x"}, 2, `invalid value "x" for flag -count`},
		{[]string{"bench", "--count", "0"}, 2, "-count must be at least 1"},
		{[]string{"bench", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"bench", "--layout", "bogus"}, 2, `unknown layout "bogus" (known: bitmap, flat, summary)`},
		{[]string{"bench", "--suite", "bogus"}, 2, `unknown suite "bogus"`},
		{[]string{"bench", "--benchtime", "-3s"}, 2, "-benchtime"},
		{[]string{"bench", "--update-baseline"}, 2, "need --check"},
		{[]string{"bench", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"bench", "--out", "/proc/version/x"}, 2, "cannot create the result folder"},
		{[]string{"bench", "--workload", "spin-gc", "--suite", "fastpath"}, 2, "--workload needs --suite e2e"},
		{[]string{"bench", "--suite", "e2e", "--workload", "nope"}, 2, `unknown workload "nope"`},
		{[]string{"compare", "only-one"}, 2, "want two result files or folders"},
		{[]string{"compare", "/nonexistent/a", "/nonexistent/b"}, 2, "/nonexistent/a"},
		{[]string{"compare", filepath.Join(fixtures, "bad", "empty.txt"), filepath.Join(fixtures, "bad", "empty.txt")}, 2, "empty.txt"},
		{[]string{"compare", filepath.Join(fixtures, "2026-11-27-1a2b3c4"), filepath.Join(fixtures, "othercpu")}, 2, "cpu"},
		{[]string{"layouts", "x"}, 2, `unexpected argument "x"`},
		{[]string{"report"}, 2, "want one result folder"},
		{[]string{"report", "/nonexistent/dir"}, 2, "/nonexistent/dir"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != tc.code {
			t.Errorf("siglab %q: exit %d, want %d (stderr %q)", tc.args, code, tc.code, stderr)
		}
		if !strings.Contains(stderr, tc.errLike) {
			t.Errorf("siglab %q: stderr %q lacks %q", tc.args, stderr, tc.errLike)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") {
			t.Errorf("siglab %q: panic trace on stderr:\n%s", tc.args, stderr)
		}
		if tc.code == 2 && tc.errLike != "" {
			// The error itself is one line (a config mismatch adds both
			// configs below it, indented).
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.Contains(first, tc.errLike) {
				t.Errorf("siglab %q: first line %q does not name the problem %q", tc.args, first, tc.errLike)
			}
		}
	}
}

func TestHelpGoesToStdout(t *testing.T) {
	code, stdout, stderr := runCLI("bench", "-h")
	if code != 0 || !strings.Contains(stdout, "-layout") || stderr != "" {
		t.Errorf("bench -h: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestLayouts(t *testing.T) {
	code, stdout, _ := runCLI("layouts")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, l := range []string{"bitmap", "flat", "summary"} {
		if !strings.Contains(stdout, l+" ") {
			t.Errorf("layouts output lacks %q:\n%s", l, stdout)
		}
	}
}

func TestCompareFolders(t *testing.T) {
	code, stdout, stderr := runCLI("compare", filepath.Join(fixtures, "2026-11-27-1a2b3c4"), filepath.Join(fixtures, "2026-11-28-5d6e7f8"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"fastpath-bitmap.txt", "vs base", "p=", "stream-bitmap.txt"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("compare output lacks %q", s)
		}
	}
}
