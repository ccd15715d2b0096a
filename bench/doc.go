// Package bench is the lab's measuring loop: it builds the benchmark test
// binaries of the other rooms, runs them suite by suite and layout by
// layout, writes Go benchmark-format results under results/, and turns them
// into the tables and plots a reader compares layouts with — benchstat's
// own statistics (golang.org/x/perf/benchfmt and benchmath), latency
// percentiles (github.com/montanaflynn/stats), and the CI gate on
// deterministic figures (instructions per op under callgrind, allocations,
// bytes of signal state).
//
// The idea, taken from golang.org/x/perf: results are plain text that any
// tool can read back, every number printed is computed from those files, and
// the command line (cmd/siglab) is a thin layer over the functions here.
// Runs alternate layouts round by round (A B A B …) so slow drift on a
// shared machine hits every layout alike; only medians and ratios from one
// run are quoted, never an absolute time across runs.
//
// Files by concern: run*.go run suites and write result folders; report*,
// compare*, plot*, latency* read results back and present them; gate*.go is
// the CI regression gate; e2e*.go run the Go workloads natively and under
// `siglab run` (with the emulator's rates and delivery latency); stress*.go
// is the reliability run of those workloads; profile*.go read CPU profiles
// (the emulator's, and a managed program's own, native vs emulated);
// gostdlib*.go run the Go standard library's signal tests as workloads.
//
// What this package must not touch: the signal state itself (it only runs
// the benchmarks of package fastpath and the others as external test
// binaries, never their internals), and no pass/fail test here depends on a
// timing.
package bench
