package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strings"

	"siglab/fastpath"
	"siglab/serve"
)

// exitAs ends siglab the way the managed program ended (serve.ExitStatus.
// Exit: its exit code, or death by its signal so a shell sees 128+signo);
// tests replace it.
var exitAs = func(st serve.ExitStatus) { st.Exit() }

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stdout, "[flags] -- PROG [ARGS...]")
	layout := fs.String("layout", fastpath.DefaultLayout, "signal-state layout ("+strings.Join(fastpath.Layouts(), ", ")+")")
	trace := fs.String("trace", "", "write a timestamped log of every emulated signal event to `FILE`")
	latency := fs.String("latency", "", "write the nanoseconds from send to handler entry of every emulated delivery, one per line, to `FILE`")
	cpuprofile := fs.String("cpuprofile", "", "write the emulator's CPU profile to `FILE` (runtime/pprof)")
	statsFile := fs.String("stats", "", "write the emulator's counts (emulated syscalls, slow-path requests, threads, local rt_sigreturns, wrapped syscalls, local sigprocmasks) to `FILE`, one \"name value\" per line")
	noWrappers := fs.Bool("no-wrappers", false, "make sigaction, sigprocmask, kill and the shim's other libc wrappers trap like every other syscall (the A/B switch of the wrappers)")
	if err := parse(fs, args); err != nil {
		return err
	}
	// A file flag given no value swallows the next argument: "--stats --
	// PROG" would write the counts to a file named "--" and run nothing
	// it was asked to measure.
	for _, f := range []struct{ name, v string }{{"trace", *trace}, {"latency", *latency}, {"cpuprofile", *cpuprofile}, {"stats", *statsFile}} {
		if strings.HasPrefix(f.v, "-") {
			return usagef("--%s takes a FILE, got %q (a file whose name starts with '-' can be given as ./%s)", f.name, f.v, f.v)
		}
	}
	if fs.NArg() == 0 {
		return usagef("missing PROG (usage: siglab run [flags] -- PROG [ARGS...])")
	}
	if !slices.Contains(fastpath.Layouts(), *layout) {
		return usagef("unknown layout %q (known: %s)", *layout, strings.Join(fastpath.Layouts(), ", "))
	}
	prog, progArgs := fs.Arg(0), fs.Args()[1:]

	cfg := serve.EmulatedConfig{NoWrappers: *noWrappers}
	if *trace != "" {
		f, err := os.Create(*trace)
		if err != nil {
			return usageError{err.Error()}
		}
		defer f.Close()
		cfg.Trace = f
	}
	if *latency != "" {
		f, err := os.Create(*latency)
		if err != nil {
			return usageError{err.Error()}
		}
		defer f.Close()
		cfg.Latency = f
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return usageError{err.Error()}
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
	}
	var sf *os.File
	if *statsFile != "" {
		f, err := os.Create(*statsFile)
		if err != nil {
			return usageError{err.Error()}
		}
		defer f.Close()
		sf = f
	}
	var stats serve.Stats
	st, err := serve.Run(prog, progArgs, serve.Options{
		Layout: *layout,
		Stdout: stdout, Stderr: stderr,
		NewHandler: func(s fastpath.State) (serve.Handler, error) { return serve.NewEmulated(s, cfg) },
		Stats:      &stats,
	})
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if sf != nil && err == nil {
		// Before exitAs, which does not return.
		if werr := writeStats(sf, stats); werr != nil {
			return fmt.Errorf("stats: %w", werr)
		}
	}
	switch {
	case errors.Is(err, serve.ErrStatic), errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist),
		errors.Is(err, os.ErrPermission):
		return usageError{err.Error()}
	case err != nil:
		return err
	}
	if st.Signaled() || st.Code != 0 {
		if st.Signaled() {
			// A crash is reported, as a shell would; an exit code is not.
			fmt.Fprintf(stderr, "siglab run: %s %s\n", prog, st)
		}
		exitAs(st)
		return fmt.Errorf("%s: %s", prog, st) // reached only in tests
	}
	return nil
}

// writeStats writes the emulator's counts of a run: emulated syscalls (all
// trapped syscalls served), slow-path requests (a positive fast-path
// check), threads attached, and the rt_sigreturns the shim did without
// asking (not among the emulated syscalls), the syscalls the shim's libc
// wrappers sent without a trap (not among them either), and the
// sigprocmask calls the wrappers answered themselves. bench's e2e
// suite turns them into rates.
func writeStats(w *os.File, st serve.Stats) error {
	var calls, wrapped int64
	for _, n := range st.Syscalls {
		calls += n
	}
	for _, n := range st.Wrapped {
		wrapped += n
	}
	_, err := fmt.Fprintf(w, "emulated-syscalls %d\nslow-path %d\nthreads %d\nlocal-sigreturns %d\nfast-returns %d\nwrapped-syscalls %d\nlocal-sigmasks %d\n",
		calls, st.Signals, st.Threads, st.LocalSigreturns, st.FastReturns, wrapped, st.LocalSigmasks)
	if err == nil {
		err = w.Sync()
	}
	return err
}
