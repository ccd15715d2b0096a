package main

// The contract of `siglab bench --stress N` and `--profile`: which flags
// they combine with (a bad combination is one line and exit 2), and one
// real stress run through the CLI — native and bitmap, every run
// self-checked — whose table is printed and kept.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"siglab/shim"
)

func TestStressAndProfileFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		errLike string
	}{
		{[]string{"bench", "--stress", "0"}, "--stress must be at least 1"},
		{[]string{"bench", "--stress", "x"}, `invalid value "x" for flag -stress`},
		{[]string{"bench", "--stress", "2", "--count", "3"}, "does not take --count"},
		{[]string{"bench", "--stress", "2", "--benchtime", "1s"}, "does not take --benchtime"},
		{[]string{"bench", "--stress", "2", "--check"}, "does not take --check"},
		{[]string{"bench", "--stress", "2", "--profile"}, "does not take --profile"},
		{[]string{"bench", "--stress", "2", "--suite", "fastpath"}, "does not take --suite fastpath"},
		{[]string{"bench", "--stress", "2", "--workload", "nope"}, `unknown workload "nope"`},
		{[]string{"bench", "--stress", "2", "--layout", "bogus"}, `unknown layout "bogus"`},
		{[]string{"bench", "--stress", "1", "--out", "/proc/version/x"}, "cannot create the result folder"},
		{[]string{"bench", "--profile", "--suite", "fastpath"}, "--profile needs --suite e2e"},
		{[]string{"bench", "--profile", "--suite", "sched"}, "--profile needs --suite e2e"},
	} {
		code, _, stderr := runCLI(tc.args...)
		first, _, _ := strings.Cut(stderr, "\n")
		if code != 2 || !strings.Contains(first, tc.errLike) {
			t.Errorf("siglab %q: exit %d, stderr %q; want 2 and %q on the first line", tc.args, code, stderr, tc.errLike)
		}
	}
}

func TestStressRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs real workloads under the emulator")
	}
	if _, err := shim.Path(); err != nil {
		t.Skipf("the shim cannot be built here: %v", err)
	}
	t.Setenv("SIGLAB_TEST_AS_SIGLAB", "1") // children of this test are siglab (TestMain)
	out := t.TempDir()
	code, stdout, stderr := runCLI("bench", "--stress", "2", "--quick", "--workload", "spin-gc",
		"--layout", "bitmap", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"workload  native  bitmap", "spin-gc   2/2     2/2", "0 of 4 runs failed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// The file is what was printed, under config lines naming where the
	// run came from (results/ files name their commit, Go and machine).
	b, err := os.ReadFile(filepath.Join(out, "stress.txt"))
	if err != nil {
		t.Fatal(err)
	}
	head, ok := strings.CutSuffix(string(b), stdout)
	if !ok || !strings.HasPrefix(head, "go: ") || !strings.Contains(head, "\ncommit: ") || !strings.Contains(head, "\nmachine: ") {
		t.Errorf("stress.txt is not the config lines and then what was printed:\n%s", b)
	}
}
