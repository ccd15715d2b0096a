package serve

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// futexWait sleeps while *w == val, at most d (futex(2) FUTEX_WAIT, the
// shared variant: the word is in a MAP_SHARED memfd the managed process
// maps too). Spurious returns are fine: every caller re-checks.
func futexWait(w *uint32, val uint32, d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWaitOp, uintptr(val),
		uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// futexWake wakes up to n waiters on w.
func futexWake(w *uint32, n int) {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWakeOp, uintptr(n), 0, 0, 0)
}

// linux/futex.h; x/sys/unix does not export them.
const (
	futexWaitOp = 0
	futexWakeOp = 1
)
