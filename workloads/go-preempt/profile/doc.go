// Command profile runs a fixed amount of CPU-bound work under the Go CPU
// profiler and checks the profile it wrote. runtime/pprof samples with
// SIGPROF from two sources (runtime/signal_unix.go, os_linux.go): a
// process-wide setitimer(ITIMER_PROF) and, on Linux, a per-thread
// timer_create(CLOCK_THREAD_CPUTIME_ID, SIGEV_THREAD_ID) timer; the
// handler accepts only the si_code that matches the source in use
// (validSIGPROF). An emulator that drops, duplicates or mislabels those
// signals changes the sample count or its attribution, which is what this
// workload measures.
//
// The work: GOMAXPROCS goroutines each run hotWork (call-free Σ i²) and
// coldWork (a different call-free loop, five times slower per iteration)
// for a 48th as many iterations, so hotWork must be the top function by flat
// samples, with about 90% of them. The profile goes to
// -o (default: a temporary file, removed afterwards), is read back with
// github.com/google/pprof/profile, and reported as samples (total), the top
// function's share, hot_share, and sample_ratio = samples / (process CPU
// time ÷ profiling period), which is ≈ 1 when every tick became a sample.
//
// Self-check: the results of the work are right, samples > 0, and the top
// function is main.hotWork.
package main
