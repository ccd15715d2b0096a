package main

import (
	"sync"
	"syscall"
	"time"
)

// Go sends SIGURG only to threads running Go code (preemptM skips
// goroutines in syscalls), so natively few signals would land on a thread
// blocked in read, write or nanosleep. The kicker makes sure they do: the
// I/O goroutines lock their threads and register them, and the kicker sends
// each registered thread SIGURG with tgkill(2) every interval. The runtime
// tolerates stray SIGURGs (its handler acknowledges and returns), so the
// only effect is the interruption itself — which the kernel (or an
// emulator) must turn into a transparent restart for read and write.

// threads is the set of thread ids to kick; safe for concurrent use.
type threads struct {
	mu   sync.Mutex
	tids []int
}

func (t *threads) add(tid int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tids = append(t.tids, tid)
}

func (t *threads) snapshot() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]int(nil), t.tids...)
}

// kick sends SIGURG to every registered thread every interval until stop
// is closed, and returns how many signals it sent. A thread that has gone
// (ESRCH) is not an error: locked threads outlive their goroutines only
// until the runtime reclaims them.
func kick(t *threads, interval time.Duration, stop <-chan struct{}) (sent uint64) {
	if interval <= 0 {
		<-stop
		return 0
	}
	pid := syscall.Getpid()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return sent
		case <-tick.C:
		}
		for _, tid := range t.snapshot() {
			if syscall.Tgkill(pid, tid, syscall.SIGURG) == nil {
				sent++
			}
		}
	}
}
