package fastpath

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// The fast-path benchmarks. Each runs on the layout named by -layout.
//
// Loop bodies are named, non-inlined functions (loopCheck, loopSendTake,
// loopStream) so that the CI gate can count their inclusive instructions
// with callgrind's --toggle-collect, leaving setup out.

var benchThreads = []int{1, 100, 10_000, 100_000}

// threadsPerProcess groups benchmark threads into processes, so that the
// process-pending word is shared by a realistic number of threads (a Go
// program has a few dozen Ms).
const threadsPerProcess = 100

// benchWorld is a State populated with n threads.
type benchWorld struct {
	s    State
	tids []ThreadID
	hots []Hot
	// order is the visiting order, built by the benchmarks that need it.
	order []int32
	// spare is the process of tids[0] while spareFreed says its slot is
	// free (BenchmarkFootprint registers and retires a thread there).
	spare      ProcID
	spareFreed bool
	tag        string // the setup applied, see worldFor
	// heapPerThread is the State's Go heap per thread, measured at build.
	heapPerThread float64
}

// worlds keeps one world per thread count for the life of the benchmark
// binary, so the benchmarks that use n threads — and testing's calibration
// runs of each, which call the function again with a growing b.N — do not
// each pay for building 100,000 threads (400 MB of arena for the flat
// layout). A world carries a tag naming the setup applied to it; reset
// returns it to "nothing pending, nothing blocked, every slot in use"
// before another is applied.
var worlds = map[int]*benchWorld{}

// worldFor returns the world of n threads prepared for tag, building or
// resetting it only when needed.
func worldFor(tb testing.TB, n int, tag string, setup func(*benchWorld)) *benchWorld {
	w := worlds[n]
	if w == nil {
		w = buildBenchWorld(tb, n)
		worlds[n] = w
	}
	if w.tag != tag {
		w.reset(tb)
		if setup != nil {
			setup(w)
		}
		w.tag = tag
	}
	return w
}

func (w *benchWorld) reset(tb testing.TB) {
	if w.spareFreed {
		t, err := w.s.NewThread(w.spare)
		if err != nil {
			tb.Fatal(err)
		}
		w.tids[0], w.hots[0], w.spareFreed = t, w.s.Hot(t), false
	}
	seen := map[ProcID]bool{}
	for _, t := range w.tids {
		w.s.FlushThread(t, ^Sigset(0))
		w.s.SetBlocked(t, 0)
		if p := w.s.Process(t); !seen[p] {
			seen[p] = true
			w.s.FlushProcess(p, ^Sigset(0))
		}
	}
}

// schedule returns the world's visiting order, built once.
func (w *benchWorld) schedule() []int32 {
	if w.order == nil {
		w.order = schedOrder(len(w.tids))
	}
	return w.order
}

// newBenchWorld builds a world that lives as long as the test or benchmark.
func newBenchWorld(tb testing.TB, n int) *benchWorld {
	w := buildBenchWorld(tb, n)
	tb.Cleanup(func() { w.s.Close() })
	return w
}

// buildBenchWorld populates a State with n threads, and measures the Go
// heap the State holds per thread while doing so: the private side of the
// footprint, measured rather than declared (per-process records included,
// spread over the threads).
func buildBenchWorld(tb testing.TB, n int) *benchWorld {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	procs := (n + threadsPerProcess - 1) / threadsPerProcess
	s, err := New(*benchLayout, Config{MaxThreads: n, MaxProcesses: procs})
	if err != nil {
		tb.Fatal(err)
	}
	w := &benchWorld{s: s, tids: make([]ThreadID, n), hots: make([]Hot, n)}
	var p ProcID
	for i := range n {
		if i%threadsPerProcess == 0 {
			if p, err = s.NewProcess(); err != nil {
				tb.Fatal(err)
			}
		}
		t, err := s.NewThread(p)
		if err != nil {
			tb.Fatal(err)
		}
		w.tids[i], w.hots[i] = t, s.Hot(t)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	own := int64(unsafe.Sizeof(*w)) + int64(cap(w.tids))*int64(unsafe.Sizeof(w.tids[0])) +
		int64(cap(w.hots))*int64(unsafe.Sizeof(w.hots[0]))
	w.heapPerThread = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)-own) / float64(n)
	return w
}

// schedOrder is the order threads reach SYSCALL_COMPLETE in: successive
// rounds of a run queue, each visiting every thread once in a fresh random
// order, as threads block and wake. Its length is a power of two ≥ 1<<20 so
// that the loop indexes it with a mask; the seed is fixed so every run and
// every layout sees the same order.
func schedOrder(n int) []int32 {
	size := 1 << 20
	for size < n {
		size <<= 1
	}
	r := rand.New(rand.NewPCG(1, uint64(n)))
	order := make([]int32, 0, size)
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for len(order) < size {
		r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		order = append(order, perm[:min(n, size-len(order))]...)
	}
	return order
}

//go:noinline
func loopCheck(n int, hots []Hot, order []int32) (hits int) {
	mask := len(order) - 1
	for i := range n {
		if hots[order[i&mask]].Deliverable() {
			hits++
		}
		for j := range plantedWork {
			hits ^= j
		}
	}
	return hits
}

var benchSink int

// BenchmarkCheck is the hot path: the check after a SYSCALL_COMPLETE, with
// pending% of the threads holding a deliverable (thread-directed, unblocked)
// SIGURG.
func BenchmarkCheck(b *testing.B) {
	for _, n := range benchThreads {
		for _, pct := range []int{0, 1, 100} {
			b.Run(fmt.Sprintf("threads=%d/pending=%d%%", n, pct), func(b *testing.B) {
				w := worldFor(b, n, b.Name(), func(w *benchWorld) {
					for i, t := range w.tids {
						// Spread the pending threads evenly: pct of them.
						if pct == 100 || pct > 0 && (i*pct)/100 != ((i+1)*pct)/100 {
							info := Siginfo{Signo: SIGURG, Code: SI_TKILL}
							if _, err := w.s.SendThread(t, &info); err != nil {
								b.Fatal(err)
							}
						}
					}
				})
				order := w.schedule()
				b.ReportAllocs()
				b.ResetTimer()
				benchSink = loopCheck(b.N, w.hots, order)
				b.StopTimer()
				if pct == 0 && benchSink != 0 || pct == 100 && benchSink != b.N {
					b.Fatalf("check found %d deliverable in %d visits with %d%% pending", benchSink, b.N, pct)
				}
			})
		}
	}
}

//go:noinline
func loopSendTake(n int, s State, t ThreadID, info *Siginfo) (taken int) {
	var out Siginfo
	for range n {
		if _, err := s.SendThread(t, info); err != nil {
			panic(err)
		}
		taken += s.Take(t, 0, &out)
		if plantedAllocBytes > 0 {
			benchBytes = make([]byte, plantedAllocBytes)
		}
	}
	return taken
}

var benchBytes []byte

// BenchmarkSendTake is one signal's life on the slow path: a send
// (tgkill/sigqueue) and the take at delivery, on one thread.
func BenchmarkSendTake(b *testing.B) {
	for _, kind := range []struct {
		name string
		sig  int
		code int32
	}{{"standard", SIGURG, SI_TKILL}, {"realtime", SIGRTMIN + 2, SI_QUEUE}} {
		b.Run("kind="+kind.name, func(b *testing.B) {
			w := newBenchWorld(b, 1)
			info := Siginfo{Signo: int32(kind.sig), Code: kind.code}
			info.SetSender(1234, 1000)
			info.SetValue(42)
			loopSendTake(16, w.s, w.tids[0], &info) // warm the free lists
			b.ReportAllocs()
			b.ResetTimer()
			taken := loopSendTake(b.N, w.s, w.tids[0], &info)
			b.StopTimer()
			if taken != b.N*kind.sig {
				b.Fatalf("took signals summing to %d, want %d", taken, b.N*kind.sig)
			}
		})
	}
}

// BenchmarkFootprint reports the layout's bytes of signal state per thread
// and per process (declared by its geometry and private records), and the
// emulator heap actually allocated per thread, measured. Its ns/op is the
// cost of registering and retiring one thread.
func BenchmarkFootprint(b *testing.B) {
	for _, n := range benchThreads {
		b.Run(fmt.Sprintf("threads=%d", n), func(b *testing.B) {
			w := worldFor(b, n, b.Name(), func(w *benchWorld) {
				// Leave one slot free for the register/retire loop.
				w.spare = w.s.Process(w.tids[0])
				w.s.FreeThread(w.tids[0])
				w.spareFreed = true
			})
			p := w.spare
			b.ResetTimer()
			for range b.N {
				t, err := w.s.NewThread(p)
				if err != nil {
					b.Fatal(err)
				}
				w.s.FreeThread(t)
			}
			// Metrics after the loop: ResetTimer discards earlier ones.
			b.StopTimer()
			fp := w.s.Footprint()
			procs := (n + threadsPerProcess - 1) / threadsPerProcess
			b.ReportMetric(float64(fp.SharedPerThread), "shared-B/thread")
			b.ReportMetric(float64(fp.PerThread()), "B/thread")
			b.ReportMetric(float64(fp.SharedPerProcess), "shared-B/process")
			b.ReportMetric(float64(fp.PerProcess()), "B/process")
			b.ReportMetric(float64(n*fp.PerThread()+procs*fp.PerProcess())/(1<<20), "MiB")
			b.ReportMetric(w.heapPerThread, "heap-B/thread")
		})
	}
}

// Stream parameters: the Go runtime's rates, in syscalls of one thread. A
// busy Go thread here makes a syscall every 50 µs of its run time (futex,
// nanosleep, read/write…); sysmon preempts a goroutine that ran 10 ms
// (SIGURG via tgkill, runtime.preemptone), and the profiler's per-thread
// timer fires every 10 ms of CPU time at 100 Hz (SIGPROF, SI_TIMER).
const (
	streamSyscallsPer10ms = 200
	streamBatch           = 64 // ops per latency sample
)

// streamState is one benchmark thread's position in its own syscall stream.
type streamState struct {
	syscalls uint32
}

//go:noinline
func loopStream(n int, s State, w *benchWorld, order []int32, st []streamState, samples []float64) (delivered int, nsamples int) {
	mask := len(order) - 1
	urg := Siginfo{Signo: SIGURG, Code: SI_TKILL}
	prof := Siginfo{Signo: SIGPROF, Code: SI_TIMER}
	var info Siginfo
	// Time every stride-th batch, so the samples spread over the whole
	// run rather than its cold start, and stay few enough to commit.
	stride := max(1, n/streamBatch/max(1, len(samples)))
	var start time.Time
	timing := false
	for i := range n {
		if i%streamBatch == 0 && (i/streamBatch)%stride == 0 && nsamples < len(samples) {
			timing, start = true, time.Now()
		}
		k := order[i&mask]
		t := w.tids[k]
		// The thread's syscall completes: maybe a signal was generated for
		// it since its last one (sysmon's tgkill, its profiling timer).
		c := st[k].syscalls + uint32(k) // stagger threads' phases
		st[k].syscalls++
		switch c % streamSyscallsPer10ms {
		case 0:
			s.SendThread(t, &urg)
		case streamSyscallsPer10ms / 2:
			s.SendThread(t, &prof)
		}
		// The fast path, and on "yes" the slow path: take each deliverable
		// signal, run the handler with its mask, restore at rt_sigreturn.
		if w.hots[k].Deliverable() {
			old := s.Blocked(t)
			for sig := s.Take(t, old, &info); sig != 0; sig = s.Take(t, old, &info) {
				s.SetBlocked(t, old|SigBit(sig)|^Sigset(0)) // Go's sa_mask: all
				s.SetBlocked(t, old)                        // rt_sigreturn
				delivered++
			}
		}
		if timing && (i+1)%streamBatch == 0 {
			samples[nsamples] = float64(time.Since(start).Nanoseconds()) / streamBatch
			nsamples++
			timing = false
		}
	}
	return delivered, nsamples
}

// BenchmarkStream replays a Go program's syscall stream over N threads: a
// check on every SYSCALL_COMPLETE, SIGURG and SIGPROF generated at the
// runtime's rates, each delivered through the slow path. With
// SIGLAB_SAMPLES_DIR set it writes per-op latency samples (the mean of each
// batch of streamBatch ops, in ns; up to 1,024 batches per run, evenly
// spread) for siglab bench's percentile table.
func BenchmarkStream(b *testing.B) {
	for _, n := range benchThreads {
		b.Run(fmt.Sprintf("threads=%d", n), func(b *testing.B) {
			w := worldFor(b, n, b.Name(), nil)
			order := w.schedule()
			st := make([]streamState, n)
			samples := make([]float64, 1024)
			b.ReportAllocs()
			b.ResetTimer()
			delivered, ns := loopStream(b.N, w.s, w, order, st, samples)
			b.StopTimer()
			b.ReportMetric(float64(delivered)/float64(b.N)*1000, "deliveries/kop")
			if b.N >= 10*streamSyscallsPer10ms && delivered == 0 {
				b.Fatalf("no signal delivered in %d syscalls", b.N)
			}
			writeSamples(b, samples[:ns])
		})
	}
}

// writeSamples appends a benchmark's samples to
// $SIGLAB_SAMPLES_DIR/<name>.txt, one per line; the last run of a -count
// series wins nothing, every run appends.
func writeSamples(b *testing.B, samples []float64) {
	dir := os.Getenv("SIGLAB_SAMPLES_DIR")
	if dir == "" || len(samples) == 0 {
		return
	}
	name := strings.ReplaceAll(b.Name(), "/", "_")
	f, err := os.OpenFile(filepath.Join(dir, name+".txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var sb strings.Builder
	for _, v := range samples {
		fmt.Fprintf(&sb, "%.3f\n", v)
	}
	if _, err := f.WriteString(sb.String()); err != nil {
		b.Fatal(err)
	}
}
