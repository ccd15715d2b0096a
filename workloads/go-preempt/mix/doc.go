// Command mix runs, all at once, every kind of code whose state a signal
// interrupts, and checks each one's results:
//
//   - spin: GOMAXPROCS call-free integer loops (Σ i²), preempted only by
//     SIGURG, checked against the closed form;
//   - float: floating-point loops with six live XMM accumulators and exact
//     arithmetic, so the sums are known (float.go);
//   - vector: a cgo AVX2 loop holding sixteen YMM registers that signals its
//     own thread with SIGURG every so often, so Go's handler runs between
//     vector instructions (vector_amd64.c); skipped, with vector=0, when the
//     CPU lacks AVX2 (runtime CPUID check via golang.org/x/sys/cpu);
//   - alloc: trees and maps built, checked and dropped, so the garbage
//     collector runs and must stop the spinners (alloc.go);
//   - io: sequence numbers through a blocking pipe with raw read/write, and
//     nanosleeps (io.go).
//
// Every part does a fixed amount of work, so wall time compares between
// native and emulated runs. A register lost or corrupted across a signal —
// the general-purpose ones Go's asyncPreempt saves, or the XMM/YMM state the
// kernel keeps in the signal frame's xsave area — shows up as a nonzero
// mismatch count. Self-check: mismatches == 0 and no part reported an error.
//
// mix is about state, not liveness: every part has a fixed amount of work,
// so it also finishes without async preemption (GODEBUG=asyncpreemptoff=1
// passes natively, only the GCs wait for the spinners) — spin-gc, fair and
// syscall-storm are the workloads that need preemption to pass.
package main
