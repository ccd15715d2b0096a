package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	gopreempt "siglab/workloads/go-preempt"
)

// hotName is the function that must top the profile, as the symbol table
// names it: main.hotWork in the program, the package path in its test.
var hotName = runtime.FuncForPC(reflect.ValueOf(hotWork).Pointer()).Name()

// coldDivisor sets the cold loop's share of the iterations.
const coldDivisor = 48

// profilePeriod is runtime/pprof's sampling period: 100 Hz
// (pprof.StartCPUProfile sets runtime.SetCPUProfileRate(100)).
const profilePeriod = 10 * time.Millisecond

func main() {
	out := flag.String("o", "", "write the CPU profile here (default: a temporary file, removed afterwards)")
	work := flag.Uint64("work", 6_000_000_000, "hot loop iterations per goroutine (the cold loop does a 48th)")
	flag.Parse()
	r := run(*out, *work)
	r.Write(os.Stdout)
	if !r.OK {
		os.Exit(1)
	}
}

// hotWork is the function the profile must find on top: Σ i² in a loop of
// its own (not gopreempt.SpinFrom, which would be the leaf in the samples).
//
//go:noinline
func hotWork(n uint64) (acc uint64) {
	for i := range n {
		acc += i * i
	}
	return acc
}

// coldWork sums a xorshift sequence: a different loop, so its samples land
// on a different function.
//
//go:noinline
func coldWork(n uint64) (x uint64) {
	x = 88172645463325252
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func run(out string, work uint64) gopreempt.Result {
	r := gopreempt.Result{Workload: "profile"}
	path, cleanup, err := profileFile(out)
	if err != nil {
		r.Why = err.Error()
		return r
	}
	defer cleanup()
	f, err := os.Create(path)
	if err != nil {
		r.Why = err.Error()
		return r
	}
	procs := runtime.GOMAXPROCS(0)
	cold := work / coldDivisor
	// coldWork has no closed form: its result is computed once, before
	// profiling starts, and every goroutine must agree with it.
	wantHot, wantCold := gopreempt.SumSquares(work), coldWork(cold)

	cpu0 := cpuTime()
	start := time.Now()
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		r.Why = fmt.Sprintf("start CPU profile: %v", err)
		return r
	}
	wrong := make([]bool, procs)
	var wg sync.WaitGroup
	for g := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wrong[g] = hotWork(work) != wantHot || coldWork(cold) != wantCold
		}()
	}
	wg.Wait()
	pprof.StopCPUProfile()
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	if err := f.Close(); err != nil {
		r.Why = fmt.Sprintf("write profile: %v", err)
		return r
	}

	s, err := readSummary(path)
	if err != nil {
		r.Why = err.Error()
		return r
	}
	r.Metrics = map[string]float64{
		"wall_ms":      float64(wall.Microseconds()) / 1000,
		"cpu_ms":       float64(cpu.Microseconds()) / 1000,
		"samples":      float64(s.samples),
		"top_share":    s.share(s.top),
		"hot_share":    s.share(hotName),
		"sample_ratio": float64(s.samples) / (cpu.Seconds() / profilePeriod.Seconds()),
		"goroutines":   float64(procs),
	}
	for g, bad := range wrong {
		if bad {
			r.Why = fmt.Sprintf("goroutine %d computed a wrong result", g)
			return r
		}
	}
	switch {
	case s.samples == 0:
		r.Why = "the profile holds no samples: no SIGPROF reached the program"
	case s.top != hotName:
		r.Why = fmt.Sprintf("top function is %s (%.0f%%), want %s (%.0f%%)",
			s.top, 100*s.share(s.top), hotName, 100*s.share(hotName))
	default:
		r.OK = true
	}
	return r
}

// profileFile returns the path to write the profile to: out, or a fresh
// temporary file that cleanup removes.
func profileFile(out string) (path string, cleanup func(), err error) {
	if out != "" {
		return out, func() {}, nil
	}
	f, err := os.CreateTemp("", "siglab-profile-*.pb.gz")
	if err != nil {
		return "", nil, err
	}
	f.Close()
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}

// cpuTime is the process's user+system CPU time (getrusage(2)).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
