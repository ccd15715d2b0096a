package bench

import (
	"fmt"
	"strings"
)

// A Suite is one benchmark test binary run once per layout. The binary
// accepts -layout and prints a "layout:" config line itself.
type Suite struct {
	Name    string // result files are <Name>-<layout>.txt
	Pkg     string // package path relative to the module root
	Bench   string // -test.bench pattern
	Summary string
}

// Suites are the suites siglab knows, in the order they run.
var Suites = []Suite{
	{Name: "fastpath", Pkg: "./fastpath", Bench: ".",
		Summary: "the check, send+take, bytes of state and a Go-like syscall stream, 1…100,000 threads"},
	{Name: "sched", Pkg: "./sched", Bench: ".",
		Summary: "emulated rt_sigprocmask and tgkill handled in the emulator (no IPC), and the delivery decision"},
}

// DefaultSuites are run by a plain `siglab bench`.
func DefaultSuites() []string {
	names := make([]string, len(Suites))
	for i, s := range Suites {
		names[i] = s.Name
	}
	return names
}

// LookupSuites resolves suite names, with a clear error for an unknown one.
func LookupSuites(names []string) ([]Suite, error) {
	var out []Suite
	for _, n := range names {
		found := false
		for _, s := range Suites {
			if s.Name == n {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown suite %q (known: %s)", n, strings.Join(DefaultSuites(), ", "))
		}
	}
	return out, nil
}
