package main

import (
	"errors"
	"fmt"
	"io"

	"siglab/bench"
)

func cmdCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare", stdout, "OLD NEW  (result files or folders)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("want two result files or folders, got %d arguments", fs.NArg())
	}
	res, err := bench.Compare(fs.Arg(0), fs.Arg(1))
	if err != nil {
		// Results from different machines or Go versions: say which
		// config lines differ, then show both in full.
		var ce *bench.ConfigMismatchError
		if errors.As(err, &ce) {
			return usageError{fmt.Sprintf("%v\n%s", err, ce.Warning())}
		}
		return err
	}
	return res.WriteText(stdout)
}
