// Package gopreempt holds what the Go-preemption workloads share; each
// workload is its own main package in a subdirectory.
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
// The workloads:
//
//   - spin-gc: GOMAXPROCS call-free spinners while the main goroutine
//     forces GCs; only async preemption lets a collection finish.
//   - fair: 4×GOMAXPROCS call-free spinners share a fixed budget of
//     iterations; reports how evenly they progressed (min/max/stddev,
//     Jain's index) and fails if any starved, as they do without async
//     preemption.
//   - mix: spinners, exact floating-point loops, a cgo AVX2 loop that
//     signals its own thread with sixteen YMM registers live, allocation
//     and pipe/nanosleep goroutines at once; any register state lost
//     across a signal is a nonzero mismatches count.
//   - profile: CPU-bound work under runtime/pprof (setitimer plus
//     per-thread timer_create SIGPROF); reads its own profile back and
//     reports the sample count, the top function and its share.
//   - notify: os/signal.Notify for SIGUSR1, SIGHUP, SIGTERM, paced sends
//     from itself and from a child process; counts must match exactly.
//   - syscall-storm: blocking pipe reads/writes of a checked byte stream
//     and nanosleeps on threads that keep getting SIGURG, while spinners
//     hold every P; no lost bytes, no EINTR from read/write.
//
// Spinning loops and their closed-form check (SpinFrom, SpinUntil,
// SumSquares) live here so every workload spins the same way.
//
// What this package must not touch: siglab's own packages. A workload is an
// ordinary Go program; it knows nothing of the emulator it may run under.
package gopreempt
