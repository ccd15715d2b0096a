package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ModuleRoot finds the siglab source tree from dir upwards: the directory
// whose go.mod declares module siglab. siglab builds its benchmark binaries
// from source, so it needs it.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if modulePath(data) == "siglab" {
				return d, nil
			}
		}
		if parent := filepath.Dir(d); parent == d {
			return "", fmt.Errorf("no siglab source tree (go.mod with module siglab) at or above %s: run siglab from its checkout", dir)
		}
	}
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// RunEnv is what a result file records of where it came from.
type RunEnv struct {
	Commit    string // short hash, "+dirty" when the tree has changes
	GoVersion string // of the go command that builds the benchmarks
	Machine   string // hostname and core count
}

// DetectEnv reads the commit, the Go version and the machine.
func DetectEnv(root string) (RunEnv, error) {
	var env RunEnv
	gover, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return env, fmt.Errorf("the go command is needed to build benchmarks: %w", err)
		}
		return env, fmt.Errorf("go env GOVERSION: %w", err)
	}
	env.GoVersion = strings.TrimSpace(string(gover))
	env.Commit = "unknown"
	if out, err := gitOutput(root, "rev-parse", "--short=7", "HEAD"); err == nil {
		env.Commit = out
		if st, err := gitOutput(root, "status", "--porcelain", "--untracked-files=no"); err == nil && st != "" {
			env.Commit += "+dirty"
		}
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown"
	}
	env.Machine = fmt.Sprintf("%s (%d cores)", host, runtime.NumCPU())
	return env, nil
}

func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// ConfigLines are the benchfmt configuration lines siglab adds to every
// result file, beside the goos/goarch/pkg/cpu lines the test binary prints.
func (e RunEnv) ConfigLines(layout string) string {
	return fmt.Sprintf("go: %s\ncommit: %s\nmachine: %s\nlayout: %s\n", e.GoVersion, e.Commit, e.Machine, layout)
}
