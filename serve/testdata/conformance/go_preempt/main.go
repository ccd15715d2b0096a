// Command go_preempt needs Go's asynchronous preemption: goroutines spin
// in loops with no calls (so no cooperative preemption points) while the
// main goroutine forces garbage collections and a stop-the-world
// (runtime.ReadMemStats), which can only finish if SIGURG reaches the
// spinning threads and their handlers redirect them (ucontext edits
// honoured by rt_sigreturn). Output is deterministic.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
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
	debug.SetGCPercent(-1)
	counts := make([]uint64, 3)
	for i := range counts {
		go spin(&counts[i])
	}
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 20; i++ {
		runtime.GC()
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	stop.Store(true)
	n := after.NumGC - before.NumGC
	fmt.Printf("forced GCs completed under spinning goroutines: %v\n", n >= 20)
	// Values computed after the spinners stopped are still consistent.
	sum := 0.0
	for i := 1; i <= 1000; i++ {
		sum += 1 / float64(i)
	}
	fmt.Printf("harmonic(1000) = %.12f\n", sum)
	if n < 20 {
		os.Exit(1)
	}
	fmt.Println("ok")
}
