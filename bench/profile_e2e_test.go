package bench

// One real e2e run with --profile: the profile workload natively and under
// siglab run (bitmap), so both profile readers meet real files — the
// emulator's profile written by siglab run --cpuprofile and the managed
// program's own runtime/pprof profile. Skipped in -short mode and when the
// shim cannot be built (no C compiler), as the emulated runs need it.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"siglab/shim"
)

// buildSiglab builds cmd/siglab into a temporary folder.
func buildSiglab(t *testing.T, root string) string {
	t.Helper()
	if _, err := shim.Path(); err != nil {
		t.Skipf("the shim cannot be built here: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "siglab")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/siglab")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/siglab: %v\n%s", err, out)
	}
	return bin
}

func TestE2EProfilesReal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds siglab and runs a real workload under it")
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	siglab := buildSiglab(t, root)
	ws, err := LookupWorkloads([]string{"profile"})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	// A profile left by an earlier run into the same folder is replaced,
	// not merged into.
	stale := filepath.Join(out, ManagedProfileFile("profile", NativeMode))
	if err := os.WriteFile(stale, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := RunE2E(context.Background(), E2EOptions{Root: root, Workloads: ws,
		Modes: []string{NativeMode, "bitmap"}, Count: 1, Quick: true, OutDir: out,
		Siglab: siglab, Profile: true}); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(out, ".*tmp"))
	if len(left) > 0 {
		t.Errorf("per-round profiles left behind: %v", left)
	}

	// The emulator's profile: a CPU profile of siglab itself.
	p, err := readProfile(filepath.Join(out, EmulatorProfileFile("profile", "bitmap")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := SummarizeProfile(p, "cpu")
	if err != nil {
		t.Fatal(err)
	}
	var flat int64
	for _, g := range s.Groups {
		flat += g.Flat
	}
	if flat != s.Total {
		t.Errorf("package groups' flat CPU adds to %d, the profile holds %d", flat, s.Total)
	}
	for _, f := range s.Funcs {
		if strings.HasPrefix(f.Name, "main.hotWork") {
			t.Errorf("the managed program's function %s is in the emulator's profile", f.Name)
		}
	}
	var b bytes.Buffer
	if found, err := ReportEmulatorProfiles(out, &b); !found || err != nil {
		t.Fatalf("emulator report: found %v, err %v", found, err)
	}
	if !strings.Contains(b.String(), "all workloads, layout bitmap (1 profiles merged)") {
		t.Errorf("emulator report:\n%s", b.String())
	}

	// The managed program's own profiles: the workload's self-check made
	// main.hotWork the top function in both; the comparison must see it.
	nat, err := readProfile(filepath.Join(out, ManagedProfileFile("profile", NativeMode)))
	if err != nil {
		t.Fatal(err)
	}
	emu, err := readProfile(filepath.Join(out, ManagedProfileFile("profile", "bitmap")))
	if err != nil {
		t.Fatal(err)
	}
	c, err := CompareManagedProfiles(nat, emu)
	if err != nil {
		t.Fatal(err)
	}
	if c.Native.TopFlat(1)[0].Name != "main.hotWork" || c.Emulated.TopFlat(1)[0].Name != "main.hotWork" || c.Ratio <= 0 {
		t.Errorf("managed profiles: native top %v, emulated top %v, ratio %v",
			c.Native.TopFlat(1), c.Emulated.TopFlat(1), c.Ratio)
	}
	b.Reset()
	if found, err := ReportManagedProfiles(out, &b); !found || err != nil || !strings.Contains(b.String(), "profile/bitmap: samples ") {
		t.Errorf("managed report: found %v, err %v\n%s", found, err, b.String())
	}
	if _, err := os.Stat(filepath.Join(out, ProfileCompareFile)); err != nil {
		t.Error(err)
	}
	t.Logf("samples emulated/native %d/%d = %.3f, top-%d agree %v; emulator CPU %dms in %d samples",
		c.Emulated.Total, c.Native.Total, c.Ratio, CompareAgreeTop, c.TopAgree, s.Total/1e6, s.Samples)
}
