// Command syscall-storm keeps goroutines in blocking system calls while
// preemption signals fly, and checks that no interrupted call loses data or
// fails spuriously. GOMAXPROCS call-free spinners hold every P, so sysmon
// keeps preempting them with SIGURG (runtime/proc.go retake), and the
// threads of goroutines returning from syscalls compete with them for Ps;
// meanwhile -pipes writer/reader pairs pump a checked byte stream through
// blocking pipes with raw read(2)/write(2), and -sleepers goroutines make
// nanosleep(2) calls. Signals that land on a thread blocked in read or
// write must be handled and the call transparently restarted (SA_RESTART,
// -ERESTARTSYS in the kernel's pipe code); a partial write must report
// what it moved.
//
// The I/O is fixed (-bytes per pipe, -sleeps per sleeper); the spinners run
// until it is done, so wall time compares between native and emulated runs.
//
// Go itself signals only threads running Go code, so a kicker also sends
// SIGURG to the I/O goroutines' (locked) threads every -kick, to make sure
// signals land on threads blocked in those calls (kick.go).
//
// Metrics: bytes (moved and verified), lost_bytes (written but not read
// back correctly), corrupt_bytes, eintr (reads/writes that failed with
// EINTR), short_writes, sleeps (completed), sleep_interrupted. nanosleep is
// never restarted after a handler (signal(7)), so an interrupted sleep is
// legitimate: it is resumed with the remaining time and only counted.
//
// Without asynchronous preemption the spinners never give up their Ps, the
// I/O goroutines never get one back, and the run cannot finish; the
// spinners give up after -spin-cap iterations and the run fails. Observed
// natively on the 2-core VM (2026-11-27): the default run passes; with
// GODEBUG=asyncpreemptoff=1 it fails that way.
//
// Self-check: lost_bytes == 0, corrupt_bytes == 0, eintr == 0, checksums
// equal, every sleep completed, and the spinners' sums right.
package main
