package fastpath

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// -layout picks the layout the benchmarks run on, one layout per run, so a
// result file holds one layout and benchstat compares two files directly.
// The tests ignore it and always cover every layout.
var benchLayout = flag.String("layout", DefaultLayout, "layout the benchmarks run on")

func TestMain(m *testing.M) {
	flag.Parse()
	if s, err := New(*benchLayout, Config{MaxThreads: 1, MaxProcesses: 1}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	} else {
		s.Close()
	}
	// A config line in Go benchmark format: benchfmt attaches it to every
	// result that follows (golang.org/x/perf/benchfmt, "Configuration").
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		fmt.Printf("layout: %s\n", *benchLayout)
	}
	os.Exit(m.Run())
}
