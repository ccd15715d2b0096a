// Package serve is the emulator's side of the IPC with the preload shim: it
// creates the shared region, starts the managed program under the shim,
// serves every thread's channel, and reports how the program ended.
//
// The idea. Every managed thread owns one Channel in a memfd both sides map
// (shim/abi.go). A thread's first trap claims a channel and rings the
// region's doorbell; a registrar goroutine notices the claim and starts one
// goroutine for that channel, which from then on waits for requests
// (spinning briefly, then sleeping on a shared futex) and answers each with
// what the Handler decides. The Handler is the emulator proper: Emulated
// (emulated.go) plugs package sched in — every signal syscall, delivery,
// restart, stop and death is sched's decision — and Passthrough, the
// baseline, lets every syscall run natively in the shim and only guards
// the shim's own SIGSYS. serve
// decides nothing about signals: it moves requests and replies, keeps the
// channels' lifecycle (first contact, exit, a thread that vanished), offers
// the Handler the means to act on a managed thread (Thread.Kick, and
// ReadMemory/WriteMemory through process_vm_readv/writev), and runs the
// process (Run: LD_PRELOAD, the memfds, PR_SET_PDEATHSIG, exit status).
//
// Hostile input. Everything in the region can be written by the managed
// process at any time. serve therefore copies each request field exactly
// once, validates it (operation, syscall number against the trap set,
// pids), never follows a pointer from shared memory, and keeps the facts it
// relies on (which channel is served, which thread owns it) in its own
// memory. A panic in a Handler is recovered and answered with ENOSYS, so
// one bad request never stops the others from being served.
//
// What this package must not touch: signal semantics (package sched), the
// fastpath layouts beyond creating a State and handing it to the Handler,
// and the shim's C sources (package shim).
package serve
