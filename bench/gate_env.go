package bench

// Where the gate runs: the module it measures, the test binary it builds,
// and the commit, Go release and machine it records in a new baseline.

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// GateBuildTestBinary builds the fastpath test binary into dir with
// `go test -c`, and returns its path.
func GateBuildTestBinary(ctx context.Context, root, dir string, tags []string) (string, error) {
	bin := filepath.Join(dir, "fastpath.test")
	args := []string{"test", "-c", "-o", bin}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	args = append(args, "./fastpath")
	cmd := exec.CommandContext(ctx, gateGoCommand(), args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, gateTail(out, 30))
	}
	return bin, nil
}

// gateGoCommand is the go command: the one on PATH, else the one of the
// toolchain that built us.
func gateGoCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// gateGoVersion is the Go release the test binary was built with: `go env
// GOVERSION` when we built it, our own runtime's when it was given.
func gateGoVersion(ctx context.Context, root string, prebuilt bool) string {
	if !prebuilt {
		cmd := exec.CommandContext(ctx, gateGoCommand(), "env", "GOVERSION")
		cmd.Dir = root
		if out, err := cmd.Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
			return string(bytes.TrimSpace(out))
		}
	}
	return runtime.Version()
}

// gateCommit is the short hash of HEAD, or "uncommitted" when there is no
// commit (or no git). Read-only: rev-parse touches neither index nor HEAD.
func gateCommit(ctx context.Context, root string) string {
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		return "uncommitted"
	}
	return string(bytes.TrimSpace(out))
}
