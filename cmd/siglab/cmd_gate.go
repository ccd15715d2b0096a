package main

import (
	"context"
	"errors"
	"io"

	"siglab/bench"
)

// runGate is `siglab bench --check`: the deterministic-figure gate. A
// regression or a missing valgrind under --require-valgrind exits 1; a bad
// baseline file is bad input (exit 2).
func runGate(ctx context.Context, root string, layouts []string, baseline string, requireValgrind, update bool, stdout, stderr io.Writer) error {
	_, err := bench.Gate(ctx, bench.GateOptions{
		ModuleRoot:      root,
		Baseline:        baseline,
		Layouts:         layouts,
		RequireValgrind: requireValgrind,
		UpdateBaseline:  update,
		Progress:        stderr,
		Out:             stdout,
	})
	var be *bench.GateBaselineError
	if errors.As(err, &be) {
		return usageError{err.Error()}
	}
	return err
}
