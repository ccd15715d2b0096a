package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"siglab/bench"
)

// usageError is bad usage or bad input: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name, args, summary string
	run                 func(args []string, stdout, stderr io.Writer) error
}

var commands []command

func init() {
	commands = []command{
		{"bench", "[flags]", "run the benchmark suites, write results/ and print comparison tables", cmdBench},
		{"compare", "[flags] OLD NEW", "compare two result files or folders, like benchstat", cmdCompare},
		{"report", "DIR", "print and rewrite the tables and plot of a result folder", cmdReport},
		{"layouts", "", "list the signal-state layouts", cmdLayouts},
		{"run", "[flags] -- PROG [ARGS...]", "run a program under the signal emulator, exiting as it does", cmdRun},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without os.Exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			return run([]string{args[1], "-h"}, stdout, stderr)
		}
		topUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "siglab %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "siglab %s: %v\n", c.name, err)
			return exitCode(err)
		}
	}
	fmt.Fprintf(stderr, "siglab: unknown command %q (run 'siglab help')\n", args[0])
	return 2
}

// exitCode maps library errors: bad input is 2, anything else 1.
func exitCode(err error) int {
	if isBadInput(err) {
		return 2
	}
	return 1
}

func topUsage(w io.Writer) {
	fmt.Fprintln(w, "siglab: a performance lab for the emulated-signal fast path of a preload-mode syscall emulator")
	fmt.Fprintln(w, "\nusage: siglab COMMAND [flags] [args]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nrun 'siglab COMMAND -h' for a command's flags")
}

// flagSet is a flag set that returns errors instead of printing and
// exiting: the caller prints one line and exits 2. -h prints the usage to
// out (stdout: asked-for help is output, not an error).
type flagSet struct {
	*flag.FlagSet
	out  io.Writer
	args string
}

func newFlags(c string, out io.Writer, args string) *flagSet {
	fs := flag.NewFlagSet("siglab "+c, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // package flag calls it on every error; we print once, below
	return &flagSet{fs, out, args}
}

// parse parses flags; a parse error is a usage error.
func parse(fs *flagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(fs.out, "usage: %s %s\n", fs.Name(), fs.args)
		fs.SetOutput(fs.out)
		fs.PrintDefaults()
		return err
	default:
		return usagef("%v (run '%s -h' for usage)", err, fs.Name())
	}
}

// isSet reports whether the flag was given on the command line.
func isSet(fs *flagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// isBadInput reports errors about the user's files and values.
func isBadInput(err error) bool { return bench.IsBadInput(err) }
