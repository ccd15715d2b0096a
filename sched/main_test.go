package sched

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"siglab/fastpath"
)

// layoutFlag selects the layout the benchmarks run on; tests always run on
// every layout.
var layoutFlag = flag.String("layout", fastpath.DefaultLayout, "fastpath layout for the benchmarks")

func TestMain(m *testing.M) {
	flag.Parse()
	// A config line in Go benchmark format, so results carry the layout.
	fmt.Printf("layout: %s\n", *layoutFlag)
	os.Exit(m.Run())
}
