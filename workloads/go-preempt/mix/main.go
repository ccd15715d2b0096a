package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	gopreempt "siglab/workloads/go-preempt"
)

// config is the amount of work of each part.
type config struct {
	spinWork     uint64 // Σ i² terms per spinner (GOMAXPROCS spinners)
	floatRounds  int    // rounds of floatTerms terms, per float goroutine
	floaters     int    // float goroutines
	vectorRounds uint64 // AVX2 loop rounds
	kickEvery    uint64 // AVX2 rounds between self-signals (power of two)
	allocRounds  int    // tree+map rounds, per alloc goroutine
	allocers     int    // alloc goroutines
	treeDepth    int
	mapKeys      int
	pipeSeqs     int // sequence numbers through the pipe
	sleeps       int // nanosleeps
	sleepFor     time.Duration
}

func main() {
	var c config
	flag.Uint64Var(&c.spinWork, "spin-work", 1_500_000_000, "loop iterations per spinner")
	flag.IntVar(&c.floatRounds, "float-rounds", 8, "floating-point rounds per float goroutine")
	flag.IntVar(&c.floaters, "floaters", 2, "float goroutines")
	flag.Uint64Var(&c.vectorRounds, "vector-rounds", 1_000_000_000, "AVX2 loop rounds")
	flag.Uint64Var(&c.kickEvery, "kick-every", 1<<16, "AVX2 rounds between SIGURGs to its own thread (power of two)")
	flag.IntVar(&c.allocRounds, "alloc-rounds", 15, "tree+map rounds per alloc goroutine")
	flag.IntVar(&c.allocers, "allocers", 2, "alloc goroutines")
	flag.IntVar(&c.treeDepth, "tree-depth", 16, "depth of each tree")
	flag.IntVar(&c.mapKeys, "map-keys", 20000, "keys in each map")
	flag.IntVar(&c.pipeSeqs, "pipe-seqs", 4_000_000, "sequence numbers through the pipe")
	flag.IntVar(&c.sleeps, "sleeps", 1500, "nanosleeps")
	flag.DurationVar(&c.sleepFor, "sleep", 200*time.Microsecond, "length of each nanosleep")
	flag.Parse()
	r := run(c)
	r.Write(os.Stdout)
	if !r.OK {
		os.Exit(1)
	}
}

// tally collects the parts' findings; safe for concurrent use.
type tally struct {
	mismatches map[string]*atomic.Uint64
	mu         sync.Mutex
	errs       []string
}

func (t *tally) add(part string, n uint64) { t.mismatches[part].Add(n) }

func (t *tally) fail(part string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errs = append(t.errs, part+": "+err.Error())
}

var parts = []string{"spin", "float", "vector", "alloc", "io"}

// validate rejects configurations the parts cannot run.
func (c config) validate() error {
	switch {
	case c.floaters < 0 || c.floatRounds < 0 || c.allocers < 0 || c.allocRounds < 0 ||
		c.mapKeys < 0 || c.pipeSeqs < 0 || c.sleeps < 0 || c.sleepFor < 0:
		return fmt.Errorf("negative amount of work in %+v", c)
	case c.treeDepth < 0 || c.treeDepth > 30:
		return fmt.Errorf("tree depth %d outside 0…30", c.treeDepth)
	case c.kickEvery == 0 || c.kickEvery&(c.kickEvery-1) != 0:
		return fmt.Errorf("vector kick interval %d is not a power of two", c.kickEvery)
	}
	return nil
}

func run(c config) gopreempt.Result {
	if err := c.validate(); err != nil {
		return gopreempt.Result{Workload: "mix", Why: err.Error()}
	}
	procs := runtime.GOMAXPROCS(0)
	t := &tally{mismatches: map[string]*atomic.Uint64{}}
	for _, p := range parts {
		t.mismatches[p] = new(atomic.Uint64)
	}
	vector := haveVector()
	var kicks, objects, interrupted atomic.Uint64
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	// done records when each part's last goroutine finished: the parts'
	// balance, and which one sets the wall time.
	var wg sync.WaitGroup
	var doneMu sync.Mutex
	done := map[string]time.Duration{}
	start := time.Now()
	do := func(part string, n int, f func()) {
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f()
				doneMu.Lock()
				done[part] = max(done[part], time.Since(start))
				doneMu.Unlock()
			}()
		}
	}
	do("spin", procs, func() {
		if got := gopreempt.SpinFrom(0, 0, c.spinWork); got != gopreempt.SumSquares(c.spinWork) {
			t.add("spin", 1)
		}
	})
	do("float", c.floaters, func() {
		for range c.floatRounds {
			t.add("float", floatRound())
		}
	})
	if vector {
		do("vector", 1, func() {
			mm, k, err := runVector(c.vectorRounds, c.kickEvery, 0x5167_1ab)
			kicks.Store(k)
			t.add("vector", mm)
			if err != nil {
				t.fail("vector", err)
			}
		})
	}
	do("alloc", c.allocers, func() {
		for range c.allocRounds {
			mm, n := allocRound(c.treeDepth, c.mapKeys)
			t.add("alloc", mm)
			objects.Add(n)
		}
	})
	do("io", 1, func() {
		mm, err := pipeSeq(c.pipeSeqs, 512)
		t.add("io", mm)
		if err != nil {
			t.fail("io", err)
		}
	})
	do("io", 1, func() {
		for range c.sleeps {
			intr, err := sleepFor(c.sleepFor)
			if intr {
				interrupted.Add(1)
			}
			if err != nil {
				t.fail("io", fmt.Errorf("nanosleep: %w", err))
				return
			}
		}
	})
	wg.Wait()
	wall := time.Since(start)
	runtime.ReadMemStats(&after)

	r := gopreempt.Result{Workload: "mix", Metrics: map[string]float64{
		"wall_ms":            float64(wall.Microseconds()) / 1000,
		"spinners":           float64(procs),
		"float_terms":        float64(c.floaters * c.floatRounds * floatTerms),
		"alloc_objects":      float64(objects.Load()),
		"gcs":                float64(after.NumGC - before.NumGC),
		"pipe_bytes":         float64(8 * c.pipeSeqs),
		"sleeps":             float64(c.sleeps),
		"sleeps_interrupted": float64(interrupted.Load()),
		"vector":             0,
		"vector_kicks":       float64(kicks.Load()),
		"vector_rounds":      0,
	}}
	if vector {
		r.Metrics["vector"] = 1
		r.Metrics["vector_rounds"] = float64(c.vectorRounds)
	}
	for part, d := range done {
		r.Metrics[part+"_ms"] = float64(d.Microseconds()) / 1000
	}
	var total uint64
	for _, p := range parts {
		n := t.mismatches[p].Load()
		total += n
		r.Metrics["mismatches_"+p] = float64(n)
	}
	r.Metrics["mismatches"] = float64(total)
	switch {
	case len(t.errs) > 0:
		r.Why = fmt.Sprintf("%d errors, first: %s", len(t.errs), t.errs[0])
	case total > 0:
		r.Why = fmt.Sprintf("%d mismatches: state was lost across a signal", total)
	default:
		r.OK = true
	}
	return r
}
