// Package gopreempt holds what the Go-preemption workloads share; each
// workload is its own main package in a subdirectory (spin-gc, …).
//
// The idea: the emulated-signal fast path matters most to Go programs,
// because the Go runtime leans on signals — sysmon and the garbage
// collector preempt goroutines with SIGURG (runtime/preempt.go), and the
// CPU profiler samples with SIGPROF. Each workload is a real Go program that
// depends on those signals being delivered correctly and promptly, does a
// fixed amount of work (so wall times compare), checks its own results, and
// prints one machine-readable result line (Result) that siglab parses. The
// same binary runs natively and under siglab's emulator; siglab builds it
// with -ldflags=-linkmode=external so the preload shim applies.
//
// What this package must not touch: siglab's own packages. A workload is an
// ordinary Go program; it knows nothing of the emulator it may run under.
package gopreempt
