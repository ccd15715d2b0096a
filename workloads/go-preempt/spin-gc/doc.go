// Command spin-gc runs GOMAXPROCS goroutines in call-free loops while the
// main goroutine forces garbage collections. A collection must stop the
// world, and a goroutine in a loop with no calls has no synchronous
// preemption point: only an asynchronous preemption — SIGURG sent by the
// runtime (preemptM) and handled by rewriting the interrupted context
// (runtime/preempt.go, signal_amd64.go pushCall) — can stop it. So every
// collection's latency is bounded by how promptly SIGURG is delivered, and
// with GODEBUG=asyncpreemptoff=1 a collection waits for the spinners to
// finish, which the self-check reports as a failure.
//
// The work is fixed (-work iterations per spinner) so wall times compare
// between native and emulated runs. Each spinner computes Σ i² mod 2⁶⁴ in
// gopreempt.SpinFrom's call-free loop, checked against the closed form.
package main
