// Command gosignal is a Go program that exercises what the Go runtime does
// with signals: goroutines spinning without calls (only async preemption,
// SIGURG, can stop them for GC), repeated GCs, and os/signal receiving
// signals the program sends itself. Built with -ldflags=-linkmode=external
// so that LD_PRELOAD applies. Its output is deterministic.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

var stop atomic.Bool

//go:noinline
func spin(n *uint64) {
	for !stop.Load() {
		*n++
	}
}

func main() {
	runtime.GOMAXPROCS(2)
	counts := make([]uint64, 4)
	for i := range counts {
		go spin(&counts[i])
	}
	for i := 0; i < 10; i++ {
		runtime.GC()
	}
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGUSR2)
	got := 0
	for i := 0; i < 5; i++ {
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		select {
		case <-c:
			got++
		case <-time.After(10 * time.Second):
			fmt.Println("signal not received")
		}
	}
	stop.Store(true)
	fmt.Printf("gc cycles >= 10: %v, signals received: %d, ppid > 0: %v\n",
		gcCount() >= 10, got, syscall.Getppid() > 0)
}

func gcCount() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}
