package main

import (
	"fmt"
	"io"

	"siglab/fastpath"
)

func cmdLayouts(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("layouts", stdout, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	for _, l := range fastpath.Layouts() {
		fmt.Fprintf(stdout, "%-8s %s\n", l, fastpath.Summary(l))
	}
	return nil
}
