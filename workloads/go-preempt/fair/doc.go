// Command fair runs more call-free spinning goroutines than there are Ps
// (4×GOMAXPROCS by default) and reports how evenly they progressed. The
// scheduler can only share a P among spinners that never call anything by
// preempting them asynchronously: sysmon sees a goroutine that has run for
// more than 10 ms and sends its thread SIGURG (runtime/proc.go retake →
// preemptone → preemptM). So the spread of the spinners' progress measures
// how reliably and promptly those signals arrive.
//
// The work is a fixed budget of loop iterations shared by all spinners:
// each spins in chunks, adds each chunk to a shared total, and stops once
// the total reaches the budget. Wall time is therefore comparable between
// native and emulated runs, and the run finishes even without preemption.
// Each spinner sums i² over its own iterations and checks the sum against
// the closed form.
//
// Self-check: every spinner did at least -min-share of the mean number of
// iterations, and every sum is right. Without async preemption the first
// GOMAXPROCS spinners take the whole budget and the rest run one chunk each
// after them. Observed natively on the 2-core VM (2026-11-27): the default
// run passes with Jain's index ≈ 1.0, and with GODEBUG=asyncpreemptoff=1 it
// fails ("spinner … did … iterations"), 6 of 8 spinners starved.
package main
