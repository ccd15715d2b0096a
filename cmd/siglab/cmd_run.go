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
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("missing PROG (usage: siglab run [flags] -- PROG [ARGS...])")
	}
	if !slices.Contains(fastpath.Layouts(), *layout) {
		return usagef("unknown layout %q (known: %s)", *layout, strings.Join(fastpath.Layouts(), ", "))
	}
	prog, progArgs := fs.Arg(0), fs.Args()[1:]

	var cfg serve.EmulatedConfig
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
	st, err := serve.Run(prog, progArgs, serve.Options{
		Layout: *layout,
		Stdout: stdout, Stderr: stderr,
		NewHandler: func(s fastpath.State) (serve.Handler, error) { return serve.NewEmulated(s, cfg) },
	})
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
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
