package main

import (
	"io"

	"siglab/bench"
)

// cmdReport re-reads a result folder and rewrites its tables.txt and
// check.svg, printing the tables: what `siglab bench` prints at the end of
// a run, for a folder measured earlier or elsewhere.
func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stdout, "DIR  (a result folder written by siglab bench)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one result folder, got %d arguments", fs.NArg())
	}
	_, err := bench.Report(fs.Arg(0), stdout)
	return err
}
