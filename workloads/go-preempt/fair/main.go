package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	gopreempt "siglab/workloads/go-preempt"
)

func main() {
	procs := runtime.GOMAXPROCS(0)
	goroutines := flag.Int("goroutines", 4*procs, "spinning goroutines (more than GOMAXPROCS)")
	budget := flag.Uint64("work", 8_000_000_000, "total loop iterations shared by all spinners")
	chunk := flag.Uint64("chunk", 1<<16, "iterations a spinner runs between looks at the shared total")
	minShare := flag.Float64("min-share", 0.1, "least fraction of the mean a spinner must reach")
	flag.Parse()
	r := run(*goroutines, *budget, *chunk, *minShare)
	r.Write(os.Stdout)
	if !r.OK {
		os.Exit(1)
	}
}

// spinner is one goroutine's share: how many iterations it ran and the sum
// of their squares. Padded so neighbours' writes do not share a cache line.
type spinner struct {
	iters, acc uint64
	_          [48]byte
}

// spinShared runs chunks of the call-free loop until the shared total
// reaches budget. The only non-arithmetic operation is an atomic add,
// which compiles to LOCK XADD: no call, so no synchronous preemption point.
//
//go:noinline
func spinShared(total *atomic.Uint64, budget, chunk uint64) (acc, n uint64) {
	for {
		for end := n + chunk; n < end; n++ {
			acc += n * n
		}
		if total.Add(chunk) >= budget {
			return acc, n
		}
	}
}

func run(goroutines int, budget, chunk uint64, minShare float64) gopreempt.Result {
	r := gopreempt.Result{Workload: "fair"}
	if goroutines < 1 || chunk < 1 || budget < chunk {
		r.Why = fmt.Sprintf("bad parameters: goroutines=%d chunk=%d work=%d", goroutines, chunk, budget)
		return r
	}
	spinners := make([]spinner, goroutines)
	var total atomic.Uint64
	var wg sync.WaitGroup
	// All spinners wait on one channel so they become runnable together
	// and none gets a head start from being created first.
	startGate := make(chan struct{})
	for g := range spinners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			spinners[g].acc, spinners[g].iters = spinShared(&total, budget, chunk)
		}()
	}
	start := time.Now()
	close(startGate)
	wg.Wait()
	wall := time.Since(start)

	counts := make([]float64, goroutines)
	for g, s := range spinners {
		counts[g] = float64(s.iters)
	}
	st := summarize(counts)
	r.Metrics = map[string]float64{
		"wall_ms":    float64(wall.Microseconds()) / 1000,
		"goroutines": float64(goroutines),
		"procs":      float64(runtime.GOMAXPROCS(0)),
		"iters":      st.sum,
		"min":        st.min,
		"max":        st.max,
		"stddev":     st.stddev,
		"cv":         st.stddev / st.mean,
		"min_share":  st.min / st.mean,
		"jain":       jain(counts),
	}
	starved := 0
	for _, c := range counts {
		if c < minShare*st.mean {
			starved++
		}
	}
	r.Metrics["starved"] = float64(starved)
	for g, s := range spinners {
		if want := gopreempt.SumSquares(s.iters); s.acc != want {
			r.Why = fmt.Sprintf("spinner %d summed %d over %d iterations, want %d", g, s.acc, s.iters, want)
			return r
		}
	}
	for g, c := range counts {
		if c < minShare*st.mean {
			r.Why = fmt.Sprintf("spinner %d did %.0f iterations, less than %.2f of the mean %.0f (%d starved): spinners were not preempted",
				g, c, minShare, st.mean, starved)
			return r
		}
	}
	r.OK = true
	return r
}

type summary struct{ sum, mean, min, max, stddev float64 }

// summarize returns the sum, mean, extremes and population standard
// deviation of xs (len(xs) > 0).
func summarize(xs []float64) summary {
	s := summary{min: math.Inf(1), max: math.Inf(-1)}
	for _, x := range xs {
		s.sum += x
		s.min = min(s.min, x)
		s.max = max(s.max, x)
	}
	s.mean = s.sum / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - s.mean) * (x - s.mean)
	}
	s.stddev = math.Sqrt(ss / float64(len(xs)))
	return s
}

// jain is Jain's fairness index (Σx)² / (n·Σx²): 1 when all shares are
// equal, 1/n when one party gets everything (R. Jain, D. Chiu, W. Hawe,
// "A Quantitative Measure of Fairness and Discrimination", DEC-TR-301,
// 1984). All-zero shares count as perfectly fair.
func jain(xs []float64) float64 {
	var sum, sq float64
	for _, x := range xs {
		sum += x
		sq += x * x
	}
	if sq == 0 {
		return 1
	}
	return sum * sum / (float64(len(xs)) * sq)
}
