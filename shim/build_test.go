package shim

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func needCC(t *testing.T) {
	if _, err := exec.LookPath(Compiler()[0]); err != nil {
		t.Skip("no C compiler")
	}
}

// TestBuild builds the shim into a fresh directory, concurrently from
// several goroutines as several emulators would, and checks the result is
// a shared object that needs nothing from libc.
func TestBuild(t *testing.T) {
	needCC(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	paths := make([]string, 3)
	errs := make([]error, 3)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = BuildInto(dir)
		}()
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if paths[i] != paths[0] {
			t.Errorf("builds disagree: %s vs %s", paths[i], paths[0])
		}
	}
	if !strings.HasPrefix(filepath.Base(paths[0]), "shim-") || !strings.HasSuffix(paths[0], ".so") {
		t.Errorf("unexpected name %s", paths[0])
	}
	f, err := elf.Open(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		t.Errorf("type %v, want ET_DYN", f.Type)
	}
	libs, _ := f.ImportedLibraries()
	syms, _ := f.ImportedSymbols()
	if len(libs) != 0 || len(syms) != 0 {
		t.Errorf("the shim imports %v %v: it must not call libc", libs, syms)
	}
	// A second call is served from the cache, without compiling.
	again, err := BuildInto(dir)
	if err != nil || again != paths[0] {
		t.Errorf("second BuildInto = %s, %v", again, err)
	}
}

func TestBuildNoCompiler(t *testing.T) {
	t.Setenv("CC", "/nonexistent/siglab-cc")
	_, err := BuildInto(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "no C compiler") || !strings.Contains(err.Error(), "$CC") {
		t.Fatalf("error %v does not say that no compiler was found and how to fix it", err)
	}
}
