package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	gopreempt "siglab/workloads/go-preempt"
)

func main() {
	work := flag.Uint64("work", 4_000_000_000, "loop iterations per spinning goroutine")
	bound := flag.Duration("gc-bound", time.Second, "longest a forced GC may take while spinners run")
	flag.Parse()
	r := run(*work, *bound)
	r.Write(os.Stdout)
	if !r.OK {
		os.Exit(1)
	}
}

func run(work uint64, bound time.Duration) gopreempt.Result {
	procs := runtime.GOMAXPROCS(0)
	start := time.Now()
	results := make([]uint64, procs)
	var wg sync.WaitGroup
	done := make(chan struct{})
	for g := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g] = gopreempt.SpinFrom(0, 0, work)
		}()
	}
	go func() { wg.Wait(); close(done) }()

	var gcs int
	var longest time.Duration
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			t := time.Now()
			runtime.GC()
			gcs++
			longest = max(longest, time.Since(t))
		}
	}
	wall := time.Since(start)

	r := gopreempt.Result{Workload: "spin-gc", OK: true, Metrics: map[string]float64{
		"wall_ms":    float64(wall.Microseconds()) / 1000,
		"gcs":        float64(gcs),
		"max_gc_ms":  float64(longest.Microseconds()) / 1000,
		"spinners":   float64(procs),
		"gc_per_sec": float64(gcs) / wall.Seconds(),
	}}
	want := gopreempt.SumSquares(work)
	for g, got := range results {
		if got != want {
			r.OK, r.Why = false, fmt.Sprintf("spinner %d computed %d, want %d", g, got, want)
			return r
		}
	}
	if longest > bound {
		r.OK, r.Why = false, fmt.Sprintf("a GC took %v (bound %v): spinning goroutines were not preempted", longest, bound)
	}
	return r
}
