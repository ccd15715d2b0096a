// Package runsuite is a stand-in benchmark suite for bench's runner tests:
// it takes -layout like the real suites, prints the layout config line,
// and writes one samples file, so a test can check what RunSuites records.
package runsuite

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var layout = flag.String("layout", "a", "layout")

func TestMain(m *testing.M) {
	flag.Parse()
	fmt.Printf("layout: %s\n", *layout)
	os.Exit(m.Run())
}

func BenchmarkWork(b *testing.B) {
	if *layout == "fail" {
		b.Fatal("this layout fails on purpose")
	}
	x := 0
	for i := range b.N {
		x += i
	}
	b.ReportMetric(float64(len(*layout)), "layout-len")
	if dir := os.Getenv("SIGLAB_SAMPLES_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, "BenchmarkWork.txt"), []byte("1\n2\n3\n"), 0o644)
	}
	_ = x
}
