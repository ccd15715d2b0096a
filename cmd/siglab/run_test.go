package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"siglab/bench"
	"siglab/serve"
)

// captureExit replaces exitAs for one test: the status siglab would have
// ended with.
func captureExit(t *testing.T) *[]serve.ExitStatus {
	var got []serve.ExitStatus
	old := exitAs
	exitAs = func(st serve.ExitStatus) { got = append(got, st) }
	t.Cleanup(func() { exitAs = old })
	return &got
}

func needShell(t *testing.T) string {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler for the shim")
	}
	return sh
}

func TestRunUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		errLike string
	}{
		{[]string{"run"}, "missing PROG"},
		{[]string{"run", "--"}, "missing PROG"},
		{[]string{"run", "--layout", "bogus", "--", "true"}, `unknown layout "bogus"`},
		{[]string{"run", "--nope", "--", "true"}, "flag provided but not defined: -nope"},
		{[]string{"run", "--", "/nonexistent/prog"}, "/nonexistent/prog"},
		{[]string{"run", "--trace", "/nonexistent/dir/trace", "--", "true"}, "/nonexistent/dir/trace"},
		{[]string{"run", "--cpuprofile", "/nonexistent/dir/prof", "--", "true"}, "/nonexistent/dir/prof"},
		{[]string{"run", "--latency", "/nonexistent/dir/lat", "--", "true"}, "/nonexistent/dir/lat"},
		{[]string{"run", "--stats", "--", "true"}, `--stats takes a FILE, got "--"`},
		{[]string{"run", "--trace", "--layout", "flat", "--", "true"}, `--trace takes a FILE, got "--layout"`},
	} {
		code, _, stderr := runCLI(tc.args...)
		first, _, _ := strings.Cut(stderr, "\n")
		if code != 2 || !strings.Contains(first, tc.errLike) {
			t.Errorf("siglab %q: exit %d, stderr %q; want 2 and %q on the first line", tc.args, code, stderr, tc.errLike)
		}
	}
	if code, stdout, _ := runCLI("run", "-h"); code != 0 || !strings.Contains(stdout, "-layout") {
		t.Errorf("run -h: exit %d, stdout %q", code, stdout)
	}
}

func TestRunStaticProgram(t *testing.T) {
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler")
	}
	bin := filepath.Join(t.TempDir(), "static")
	if msg, err := exec.Command("cc", "-static", "-o", bin, filepath.Join("..", "..", "shim", "testdata", "static.c")).CombinedOutput(); err != nil {
		t.Skipf("cannot link statically: %v\n%s", err, msg)
	}
	code, _, stderr := runCLI("run", "--", bin)
	if code != 2 || !strings.Contains(stderr, "-ldflags=-linkmode=external") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("static program: exit %d, stderr %q; want 2 and one line naming the fix", code, stderr)
	}
}

func TestRunExitCode(t *testing.T) {
	sh := needShell(t)
	got := captureExit(t)
	code, stdout, _ := runCLI("run", "--layout", "flat", "--", sh, "-c", "echo hi; exit 3")
	if stdout != "hi\n" || len(*got) != 1 || (*got)[0] != (serve.ExitStatus{Code: 3}) {
		t.Errorf("exit 3: code %d, stdout %q, siglab would exit with %v", code, stdout, *got)
	}
	*got = nil
	if code, _, stderr := runCLI("run", "--", sh, "-c", "exit 0"); code != 0 || len(*got) != 0 {
		t.Errorf("exit 0: code %d, stderr %q, exits %v", code, stderr, *got)
	}
}

// TestRunKilledBySignalTraced: a program killed by an emulated SIGTERM
// makes siglab end by SIGTERM too (a shell sees 143), and --trace logs the
// send and the death.
func TestRunKilledBySignalTraced(t *testing.T) {
	sh := needShell(t)
	got := captureExit(t)
	dir := t.TempDir()
	trace, prof := filepath.Join(dir, "trace"), filepath.Join(dir, "cpu.pprof")
	_, _, stderr := runCLI("run", "--trace", trace, "--cpuprofile", prof, "--", sh, "-c", "kill -TERM $$; echo survived")
	if len(*got) != 1 || (*got)[0].Signal != syscall.SIGTERM || (*got)[0].ShellCode() != 143 {
		t.Fatalf("siglab would exit with %v, want killed by SIGTERM (stderr %q)", *got, stderr)
	}
	if !strings.Contains(stderr, "killed by SIGTERM") {
		t.Errorf("the crash is not reported: %q", stderr)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"send kill(", "SIGTERM) = 0", "die SIGTERM"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("trace lacks %q:\n%s", want, b)
		}
	}
	p, err := os.ReadFile(prof)
	if err != nil || len(p) < 2 || p[0] != 0x1f || p[1] != 0x8b {
		t.Errorf("cpu profile is not a gzipped pprof file (%d bytes, %v)", len(p), err)
	}
}

// TestRunLatency: --latency writes one sample per emulated delivery, in
// nanoseconds, in the format the bench latency tables read: a shell's
// trap handler runs once for the signal it sends itself.
func TestRunLatency(t *testing.T) {
	sh := needShell(t)
	lat := filepath.Join(t.TempDir(), "lat.txt")
	code, stdout, stderr := runCLI("run", "--latency", lat, "--", sh, "-c", "trap 'echo trapped' USR1; kill -USR1 $$; echo done")
	if code != 0 || stdout != "trapped\ndone\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	ls, err := bench.LatencyFile(lat)
	if err != nil {
		t.Fatal(err)
	}
	if ls.N != 1 || ls.Min <= 0 || ls.Max >= 10e9 {
		t.Errorf("latency samples %+v, want one in (0, 10 s)", ls)
	}
}

func TestRunStats(t *testing.T) {
	sh := needShell(t)
	stats := filepath.Join(t.TempDir(), "stats.txt")
	code, stdout, stderr := runCLI("run", "--stats", stats, "--", sh, "-c", "trap 'echo trapped' USR1; kill -USR1 $$")
	if code != 0 || stdout != "trapped\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	b, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	var calls, slow, threads int
	if n, err := fmt.Sscanf(string(b), "emulated-syscalls %d\nslow-path %d\nthreads %d\n", &calls, &slow, &threads); n != 3 || err != nil {
		t.Fatalf("stats %q: %v", b, err)
	}
	// The shell's trap installs a handler and kill(2) sends to itself:
	// at least those two syscalls were emulated, by one thread at least.
	if calls < 2 || threads < 1 {
		t.Errorf("stats %q: want ≥ 2 emulated syscalls and ≥ 1 thread", b)
	}
}
