package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gostdlibKnownFailures are the standard-library tests that pass natively
// and fail under `siglab run`, keyed "package Test", each with what the
// emulator gets wrong, diagnosed from `siglab run --trace` and /proc. The
// lead fixes the emulator; an entry goes when its test passes.
var gostdlibKnownFailures = map[string]string{}

// TestGoStdlibUnderEmulation runs os/signal's tests natively and under
// `siglab run --layout bitmap`: every test that passes natively must pass
// under the emulator, except the known failures above.
func TestGoStdlibUnderEmulation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds siglab and the os/signal tests, and runs them natively and under the emulator (about 30 s)")
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if _, err := exec.LookPath(strings.Fields(cc)[0]); err != nil {
		t.Skipf("no C compiler (%s): external linking and the shim need one", cc)
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	siglab := filepath.Join(t.TempDir(), "siglab")
	build := exec.Command("go", "build", "-o", siglab, "./cmd/siglab")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building siglab: %v\n%s", err, out)
	}
	pkgs, err := LookupStdlibPackages([]string{"os/signal"})
	if err != nil {
		t.Fatal(err)
	}
	// os/signal takes seconds; a minute bounds a run that hangs under the
	// emulator (TestTerminalSignal livelocks once its memfds survive).
	pkgs[0].Timeout = time.Minute
	modes := []string{NativeMode, DefaultLayout}
	out := t.TempDir()
	runs, err := RunGoStdlib(context.Background(), GoStdlibOptions{Root: root, Packages: pkgs, Modes: modes,
		Count: 1, OutDir: out, Siglab: siglab})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	WriteGoStdlibTable(&table, runs, modes)
	t.Logf("\n%s", table.String())
	sums := SummarizeGoStdlib(runs, modes)
	if len(sums) != 2 {
		t.Fatalf("%d summaries, want native and %s", len(sums), DefaultLayout)
	}
	native, emu := sums[0].Verdicts, sums[1].Verdicts
	if native["TestSignal"] != TestPass || native["TestStress"] != TestPass {
		t.Fatalf("os/signal's TestSignal and TestStress do not pass natively (%v): nothing to compare against", native)
	}
	for name, got := range emu.Regressions(native) {
		key := "os/signal " + name
		if why, ok := gostdlibKnownFailures[key]; ok {
			t.Logf("known failure %s (%s): %s", name, got, why)
			continue
		}
		t.Errorf("%s passes natively and is %s under the emulator (%s); output in %s", name, got, DefaultLayout,
			filepath.Join(out, goStdlibDir))
	}
	for key := range gostdlibKnownFailures {
		pkg, name, _ := strings.Cut(key, " ")
		if pkg == "os/signal" && emu[name] == TestPass {
			t.Logf("%s now passes under the emulator: remove it from gostdlibKnownFailures", name)
		}
	}
	if t.Failed() {
		for _, r := range runs {
			if r.Mode != NativeMode {
				t.Logf("emulated output tail:\n%s", tail(string(r.Output), 60))
			}
		}
	}
}

// TestGoStandIn runs the real go command through the stand-in and the
// server: the output reaches the stand-in's own stdout (the descriptor
// itself travels), the exit status comes back, and the server's
// environment reaches the go command (GOFLAGS with external linking).
func TestGoStandIn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the go stand-in")
	}
	if _, err := exec.LookPath("cc"); err != nil && os.Getenv("CC") == "" {
		t.Skip("no C compiler: the stand-in is externally linked")
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	tools, err := BuildGoStdlib(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newStdlibRunner(tools, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	standIn := func(args ...string) (string, int) {
		cmd := exec.Command(filepath.Join(tools.GoWrap, "go"), args...)
		cmd.Env = append(os.Environ(), goSockEnv+"="+r.server.sock, "GOFLAGS=-mod=mod")
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	out, code := standIn("env", "GOFLAGS", "CGO_ENABLED")
	if code != 0 || out != "-mod=mod -ldflags=-linkmode=external\n1\n" {
		t.Errorf("go env GOFLAGS CGO_ENABLED through the stand-in: %q, exit %d", out, code)
	}
	if _, code := standIn("no-such-command"); code != 2 {
		t.Errorf("go no-such-command through the stand-in: exit %d, want the go command's 2", code)
	}
}
