package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gopreempt "siglab/workloads/go-preempt"
)

type config struct {
	pipes    int
	bytes    uint64 // per pipe
	maxChunk uint64 // largest read or write
	sleepers int
	sleeps   int // per sleeper
	sleepFor time.Duration
	kick     time.Duration // between SIGURGs to the I/O threads; 0: none
	spinCap  uint64        // iterations after which a spinner gives up
}

func main() {
	var c config
	flag.IntVar(&c.pipes, "pipes", 2, "writer/reader pipe pairs")
	flag.Uint64Var(&c.bytes, "bytes", 32<<20, "bytes through each pipe")
	flag.Uint64Var(&c.maxChunk, "max-chunk", 32<<10, "largest read or write, bytes (a pipe holds 64 KiB)")
	flag.IntVar(&c.sleepers, "sleepers", 2, "goroutines making nanosleep calls")
	flag.IntVar(&c.sleeps, "sleeps", 1000, "nanosleeps per sleeper")
	flag.DurationVar(&c.sleepFor, "sleep", 100*time.Microsecond, "length of each nanosleep")
	flag.DurationVar(&c.kick, "kick", 500*time.Microsecond, "interval between SIGURGs sent to each I/O thread (0: none)")
	flag.Uint64Var(&c.spinCap, "spin-cap", 20_000_000_000, "iterations after which a spinner gives up and the run fails (bounds a run without preemption)")
	flag.Parse()
	r := run(c)
	r.Write(os.Stdout)
	if !r.OK {
		os.Exit(1)
	}
}

func run(c config) gopreempt.Result {
	r := gopreempt.Result{Workload: "syscall-storm"}
	if c.pipes < 0 || c.sleepers < 0 || c.sleeps < 0 || c.maxChunk < 1 || c.sleepFor < 0 {
		r.Why = fmt.Sprintf("bad parameters: %+v", c)
		return r
	}
	procs := runtime.GOMAXPROCS(0)
	var stop atomic.Bool
	type spun struct{ acc, n uint64 }
	spins := make([]spun, procs)
	var spinWG sync.WaitGroup
	for g := range spins {
		spinWG.Add(1)
		go func() {
			defer spinWG.Done()
			spins[g].acc, spins[g].n = gopreempt.SpinUntil(&stop, 1<<16, c.spinCap)
		}()
	}

	start := time.Now()
	var ioThreads threads
	stopKick := make(chan struct{})
	kicked := make(chan uint64)
	go func() { kicked <- kick(&ioThreads, c.kick, stopKick) }()
	// onThread runs f on a thread of its own that the kicker signals.
	onThread := func(f func()) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		ioThreads.add(syscall.Gettid())
		f()
	}
	var ioWG sync.WaitGroup
	pipes := make([]pipeStats, c.pipes)
	for p := range pipes {
		ioWG.Add(1)
		go func() {
			defer ioWG.Done()
			onThread(func() { pipes[p] = pumpPipe(c.bytes, c.maxChunk, uint64(p)+1, onThread) })
		}()
	}
	var slept, interrupted atomic.Uint64
	sleepErrs := make([]error, c.sleepers)
	for s := range sleepErrs {
		ioWG.Add(1)
		go func() {
			defer ioWG.Done()
			onThread(func() {
				for range c.sleeps {
					intr, err := sleepFor(c.sleepFor)
					interrupted.Add(intr)
					if err != nil {
						sleepErrs[s] = err
						return
					}
					slept.Add(1)
				}
			})
		}()
	}
	ioWG.Wait()
	wall := time.Since(start)
	close(stopKick)
	kicks := <-kicked
	stop.Store(true)
	spinWG.Wait()

	var tot pipeStats
	var errs []error
	crcBad := 0
	for _, p := range pipes {
		tot.written += p.written
		tot.read += p.read
		tot.bad += p.bad
		tot.writes += p.writes
		tot.reads += p.reads
		tot.shortWrites += p.shortWrites
		tot.eintr += p.eintr
		if p.wcrc != p.rcrc {
			crcBad++
		}
		if p.err != nil {
			errs = append(errs, p.err)
		}
	}
	for _, err := range sleepErrs {
		if err != nil {
			errs = append(errs, fmt.Errorf("nanosleep: %w", err))
		}
	}
	want := uint64(c.pipes) * c.bytes
	good := tot.read - tot.bad
	var spinIters uint64
	for _, s := range spins {
		spinIters += s.n
	}
	r.Metrics = map[string]float64{
		"wall_ms":           float64(wall.Microseconds()) / 1000,
		"bytes":             float64(good),
		"lost_bytes":        float64(want - min(good, want)),
		"corrupt_bytes":     float64(tot.bad),
		"checksum_bad":      float64(crcBad),
		"eintr":             float64(tot.eintr),
		"reads":             float64(tot.reads),
		"writes":            float64(tot.writes),
		"short_writes":      float64(tot.shortWrites),
		"sleeps":            float64(slept.Load()),
		"sleep_interrupted": float64(interrupted.Load()),
		"spinners":          float64(procs),
		"spin_iters":        float64(spinIters),
		"kicks":             float64(kicks),
		"mb_per_sec":        float64(good) / wall.Seconds() / 1e6,
	}
	for g, s := range spins {
		if s.n >= c.spinCap {
			r.Why = fmt.Sprintf("spinner %d reached its cap of %d iterations before the I/O finished: goroutines returning from syscalls got no P (spinners not preempted?)", g, c.spinCap)
			return r
		}
		if s.acc != gopreempt.SumSquares(s.n) {
			r.Why = fmt.Sprintf("spinner %d summed %d over %d iterations, want %d", g, s.acc, s.n, gopreempt.SumSquares(s.n))
			return r
		}
	}
	switch {
	case len(errs) > 0:
		r.Why = fmt.Sprintf("%d errors, first: %v", len(errs), errs[0])
	case tot.eintr > 0:
		r.Why = fmt.Sprintf("%d reads/writes failed with EINTR despite SA_RESTART", tot.eintr)
	case good != want || tot.written != want || tot.read != want:
		r.Why = fmt.Sprintf("wrote %d bytes, read %d, %d of them right; want %d", tot.written, tot.read, good, want)
	case tot.bad > 0 || crcBad > 0:
		r.Why = fmt.Sprintf("%d corrupt bytes, %d pipes with checksum mismatches", tot.bad, crcBad)
	case slept.Load() != uint64(c.sleepers*c.sleeps):
		r.Why = fmt.Sprintf("%d sleeps completed, want %d", slept.Load(), c.sleepers*c.sleeps)
	default:
		r.OK = true
	}
	return r
}

// sleepFor sleeps d with nanosleep(2), resuming with the remaining time
// after each interruption (nanosleep is never restarted after a handler,
// signal(7)), and returns how many interruptions there were.
func sleepFor(d time.Duration) (interrupted uint64, err error) {
	req := syscall.NsecToTimespec(d.Nanoseconds())
	for {
		var rem syscall.Timespec
		err := syscall.Nanosleep(&req, &rem)
		if !errors.Is(err, syscall.EINTR) {
			return interrupted, err
		}
		interrupted++
		req = rem
	}
}
