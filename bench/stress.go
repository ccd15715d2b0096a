package bench

// The stress test of the end-to-end workloads: each run N times in a row
// in every mode (natively and under each layout), every run judged by the
// workload's own verdict — its exit status and the ok/FAIL of its result
// line (gopreempt.ParseResult) — and the count of passes reported per
// workload and mode. Its purpose is reliability, not speed: a lost wake-up
// or a dropped signal that shows one run in twenty is invisible to a
// benchmark that stops at the first failure, and visible here as 19/20
// with the failing run's output kept.
//
// Within a workload the modes alternate run by run (native, bitmap, flat,
// native, …), so a disturbance of the shared machine hits every mode alike
// and a failure that shows only under one layout is that layout's. A run
// that hangs is killed after its timeout and counts as a failure. The
// first failure of each workload and mode is written to
// stress-fail-<workload>-<mode>.txt: the command, how it ended, why it
// failed, and the last lines of its stdout and stderr.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// StressFile is the table's file in the result folder.
const StressFile = "stress.txt"

// stressTail is how many lines of a failed run's stderr and stdout are
// kept.
const stressTail = 20

// StressOptions configure RunStress.
type StressOptions struct {
	Root      string
	Workloads []Workload
	Modes     []string // NativeMode and layout names, in table order
	Runs      int      // runs per workload and mode
	Quick     bool     // each workload's Quick arguments
	OutDir    string
	Siglab    string        // the siglab command, for modes other than NativeMode
	Timeout   time.Duration // per run; zero: DefaultRunTimeout
	Progress  io.Writer
}

// A StressCell is one workload in one mode.
type StressCell struct {
	Workload, Mode string
	Runs, Passes   int
	// FirstFailure is the first failed run's number (1-based), why it
	// failed, and the file in OutDir that holds its output; zero when
	// every run passed.
	FirstFailure int
	Why          string
	File         string
}

// StressResult is the table RunStress fills.
type StressResult struct {
	Runs      int // asked for per cell
	Quick     bool
	Workloads []string
	Modes     []string
	Cells     []StressCell // workload-major, in Workloads × Modes order
	// Env, if set, names where the run came from: its config lines head
	// the file Report writes (results/ files name their commit, Go
	// version and machine).
	Env *RunEnv
}

// Failed is the number of failed runs.
func (r StressResult) Failed() int {
	n := 0
	for _, c := range r.Cells {
		n += c.Runs - c.Passes
	}
	return n
}

// Total is the number of runs made.
func (r StressResult) Total() int {
	n := 0
	for _, c := range r.Cells {
		n += c.Runs
	}
	return n
}

// RunStress builds the workloads and runs each o.Runs times in every mode,
// recording every run's verdict. Failed runs are results, not errors: the
// error is for what stops the test itself (a build failure, an unwritable
// folder, ctx cancelled — then the result holds the runs made so far).
func RunStress(ctx context.Context, o StressOptions) (StressResult, error) {
	res := StressResult{Runs: o.Runs, Quick: o.Quick, Modes: o.Modes}
	if o.Runs < 1 || len(o.Modes) == 0 || len(o.Workloads) == 0 {
		return res, fmt.Errorf("stress: need at least one run, one mode and one workload")
	}
	for _, m := range o.Modes {
		if m != NativeMode && o.Siglab == "" {
			return res, fmt.Errorf("stress: mode %q runs under the emulator, and no siglab command was given", m)
		}
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return res, err
	}
	prog := newRunProgress(o.Progress, o.Runs*len(o.Workloads)*len(o.Modes))
	prog.printf("building %d workloads", len(o.Workloads))
	bins, err := BuildWorkloads(ctx, o.Root, o.Workloads)
	if err != nil {
		return res, err
	}
	for _, w := range o.Workloads {
		res.Workloads = append(res.Workloads, w.Name)
		row := len(res.Cells)
		for _, m := range o.Modes {
			res.Cells = append(res.Cells, StressCell{Workload: w.Name, Mode: m})
		}
		for run := 1; run <= o.Runs; run++ {
			for i, m := range o.Modes {
				if err := ctx.Err(); err != nil {
					return res, err
				}
				c := &res.Cells[row+i]
				prog.start(fmt.Sprintf("stress %s/%s run %d/%d", w.Name, m, run, o.Runs))
				r := execWorkload(ctx, runSpec{bin: bins[w.Name], w: w, mode: m, quick: o.Quick,
					siglab: o.Siglab, timeout: o.Timeout})
				if ctx.Err() != nil {
					return res, ctx.Err() // interrupted, not failed
				}
				c.Runs++
				why := r.failure()
				if why == "" {
					c.Passes++
					prog.result(w.Name + " ok")
				} else if c.FirstFailure == 0 {
					c.FirstFailure, c.Why = run, why
					c.File = "stress-fail-" + w.Name + "-" + m + ".txt"
					if err := writeStressFailure(filepath.Join(o.OutDir, c.File), c, o.Runs, r); err != nil {
						return res, err
					}
				}
				if why != "" {
					prog.printf("%s/%s run %d FAILED: %s", w.Name, m, run, why)
				}
				prog.done()
			}
		}
	}
	return res, nil
}

// writeStressFailure keeps what a reader needs to start on a failed run.
func writeStressFailure(path string, c *StressCell, runs int, r workloadRun) error {
	var b strings.Builder
	fmt.Fprintf(&b, "workload: %s\nmode: %s\nrun: %d of %d\ncommand: %s\nexit: %s\nwall: %s\nwhy: %s\n",
		c.Workload, c.Mode, c.FirstFailure, runs, strings.Join(r.argv, " "), r.exitStatus(),
		r.wall.Round(time.Millisecond), c.Why)
	if r.found {
		fmt.Fprintf(&b, "result: ok=%v metrics=%v\n", r.res.OK, r.res.Metrics)
	}
	for _, out := range []struct{ name, text string }{{"stderr", r.stderr}, {"stdout", r.stdout}} {
		t := tail(out.text, stressTail)
		if strings.TrimSpace(t) == "" {
			t = "(empty)"
		}
		fmt.Fprintf(&b, "\n--- %s (last %d lines) ---\n%s\n", out.name, stressTail, t)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// WriteTable prints the workload × mode table of passes, then each cell's
// first failure and the file that holds its output.
func (r StressResult) WriteTable(w io.Writer) error {
	args := "default"
	if r.Quick {
		args = "--quick"
	}
	fmt.Fprintf(w, "stress: each workload %d times in every mode (%s arguments); passes/runs, first failure as [n]\n", r.Runs, args)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "workload\t"+strings.Join(r.Modes, "\t"))
	var fails []StressCell
	for _, wl := range r.Workloads {
		line := wl
		for _, c := range r.Cells {
			if c.Workload != wl {
				continue
			}
			line += fmt.Sprintf("\t%d/%d", c.Passes, c.Runs)
			if c.FirstFailure > 0 {
				fails = append(fails, c)
				line += fmt.Sprintf(" [%d]", len(fails))
			}
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, c := range fails {
		fmt.Fprintf(w, "[%d] %s/%s, run %d: %s (output: %s)\n", i+1, c.Workload, c.Mode, c.FirstFailure, firstLine(c.Why), c.File)
	}
	_, err := fmt.Fprintf(w, "%d of %d runs failed\n", r.Failed(), r.Total())
	return err
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// Report prints the table to w and writes it to dir/StressFile.
func (r StressResult) Report(dir string, w io.Writer) error {
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		return err
	}
	file := b.String()
	if r.Env != nil {
		file = fmt.Sprintf("go: %s\ncommit: %s\nmachine: %s\n", r.Env.GoVersion, r.Env.Commit, r.Env.Machine) + file
	}
	if err := os.WriteFile(filepath.Join(dir, StressFile), []byte(file), 0o644); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}
