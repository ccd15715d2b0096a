// Package fastpath owns the emulated signal state as it lives in memory
// shared between the emulator and the preload shim, and the hot-path
// question asked after every SYSCALL_COMPLETE: is a signal pending for this
// thread, or for its process, that the thread does not block?
//
// The idea. A preload-mode emulator answers almost every syscall without a
// signal being involved, yet it must notice a deliverable signal as soon as
// one exists. The check therefore has to be a handful of loads from memory the
// shim can read without a round trip to the emulator: the thread's pending
// word, its process's pending word and the thread's blocked mask, combined as
// (thread|process) &^ blocked (signal(7), "Signal mask and pending signals").
// Everything else — the siginfos, the real-time queues, the action table —
// is needed only on the slow path, once the check said yes, and where it
// lives is what distinguishes one layout from another:
//
//   - bitmap (the default) keeps only the three words and the alternate
//     stack in shared memory (48 B per thread, 8 B per process) and the
//     siginfos in the emulator's own heap, in a slab of queue nodes.
//   - flat is Shadow's layout as shipped (shadow-shim-helper-rs,
//     shim_shmem.rs): per thread and per process a pending set plus a
//     [31]siginfo_t array, and the 64-entry sigaction table per process,
//     all in shared memory (≈4 KB per thread, ≈6 KB per process).
//
// A layout is a value chosen at start-up (New with a registered name), never
// a build tag; a new layout is one new file plus one line in registry.go.
// Every layout places the three hot words at offsets it reports in its
// Geometry, so the shim's C check and the emulator's Go check are the same
// code for every layout, and the benchmarks measure what the placement costs.
//
// Concurrency. All mutating methods of a State are called by the emulator
// with its own lock held (one writer at a time); the check (Hot.Deliverable)
// may run concurrently on any thread, in Go or in the shim, without a lock.
// The memory-ordering argument is written beside the code in hot.go.
//
// What this package must not touch: processes, threads as the OS knows them,
// IPC, syscalls and their errno conventions beyond the two errors it returns
// (ErrAgain, ErrFull). It decides nothing about dispositions or delivery;
// package sched does. The check allocates nothing and takes no lock.
package fastpath
