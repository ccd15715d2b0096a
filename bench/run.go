package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// RunOptions configure a benchmark run.
type RunOptions struct {
	Root      string   // module root (ModuleRoot)
	Suites    []Suite  // what to run
	Layouts   []string // fastpath layout names; the first is the base of comparisons
	Count     int      // results per benchmark and layout (benchstat wants ≥ 10)
	Benchtime string   // -test.benchtime
	OutDir    string   // result folder; created
	Env       RunEnv
	Progress  io.Writer // progress lines (stderr); nil for none
}

// QuickCount and the defaults: a plain run gives benchstat ten samples of
// every benchmark; --quick, for CI, six short ones (six is the fewest for which benchmath gives a 95% confidence interval).
const (
	DefaultCount     = 10
	DefaultBenchtime = "100ms"
	QuickCount       = 6
	QuickBenchtime   = "10ms"
)

// ResultDir is results/<date>-<shortcommit> under root.
func ResultDir(root string, env RunEnv, now time.Time) string {
	commit := strings.TrimSuffix(env.Commit, "+dirty")
	return filepath.Join(root, "results", now.Format("2006-01-02")+"-"+commit)
}

// RunSuites builds each suite's test binary once and runs it Count times
// per layout, alternating layouts round by round, appending the raw output
// to <OutDir>/<suite>-<layout>.txt behind siglab's config lines. Samples a
// benchmark records go to <OutDir>/samples/<suite>-<layout>/. It returns the
// result files written, base layout first within each suite.
func RunSuites(ctx context.Context, o RunOptions) ([]string, error) {
	if o.Count < 1 {
		return nil, fmt.Errorf("count must be at least 1, got %d", o.Count)
	}
	if len(o.Layouts) == 0 {
		return nil, fmt.Errorf("no layout to run")
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	bin, err := os.MkdirTemp("", "siglab-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(bin)
	prog := newRunProgress(o.Progress, len(o.Suites)*len(o.Layouts)*o.Count)
	var files []string
	for _, s := range o.Suites {
		exe := filepath.Join(bin, s.Name+".test")
		prog.printf("building %s benchmarks (%s)", s.Name, s.Pkg)
		if err := buildTestBinary(ctx, o.Root, s.Pkg, exe); err != nil {
			return nil, err
		}
		outs := make([]*os.File, len(o.Layouts))
		for i, l := range o.Layouts {
			name := filepath.Join(o.OutDir, s.Name+"-"+l+".txt")
			f, err := os.Create(name)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			if _, err := io.WriteString(f, o.Env.ConfigLines(l)); err != nil {
				return nil, err
			}
			outs[i] = f
			files = append(files, name)
		}
		for round := 1; round <= o.Count; round++ {
			for i, l := range o.Layouts {
				prog.start(fmt.Sprintf("%s/%s round %d/%d", s.Name, l, round, o.Count))
				samples := filepath.Join(o.OutDir, "samples", s.Name+"-"+l)
				if err := os.MkdirAll(samples, 0o755); err != nil {
					return nil, err
				}
				if err := runTestBinary(ctx, exe, s, l, o.Benchtime, samples, outs[i], prog); err != nil {
					return nil, err
				}
				prog.done()
			}
		}
		for _, f := range outs {
			if err := f.Close(); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

func buildTestBinary(ctx context.Context, root, pkg, exe string) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", exe, pkg)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s benchmarks: %v\n%s", pkg, err, stderr.String())
	}
	return nil
}

// runTestBinary runs one round of one suite on one layout and copies its
// benchmark lines to out. The binary's own config lines are kept (benchfmt
// reads repeated identical config lines as one); PASS/ok lines are dropped.
func runTestBinary(ctx context.Context, exe string, s Suite, layout, benchtime, samples string, out io.Writer, prog *runProgress) error {
	args := []string{"-test.run=^$", "-test.bench=" + s.Bench, "-test.count=1",
		"-test.benchmem", "-test.benchtime=" + benchtime, "-layout=" + layout}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = filepath.Dir(exe)
	cmd.Env = append(os.Environ(), "SIGLAB_SAMPLES_DIR="+samples)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s benchmarks: %w", s.Name, err)
	}
	var failed []string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "PASS" || strings.HasPrefix(line, "ok "):
			continue
		case strings.HasPrefix(line, "--- FAIL") || line == "FAIL" || strings.HasPrefix(line, "    "):
			failed = append(failed, line)
			continue
		case strings.HasPrefix(line, "Benchmark"):
			prog.result(line)
		}
		if _, err := io.WriteString(out, line+"\n"); err != nil {
			return err
		}
	}
	if err := cmd.Wait(); err != nil || len(failed) > 0 {
		return fmt.Errorf("%s benchmarks failed on layout %s: %v\n%s%s", s.Name, layout, err,
			strings.Join(failed, "\n"), stderr.String())
	}
	return nil
}
