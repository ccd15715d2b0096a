package sched

import (
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The model test: random interleavings of senders, maskers and waiters
// against a plain model of the pending queues (signal(7): standard
// signals coalesce, real-time ones queue in order up to the limit, which
// counts the standard signals' siginfos too: __sigqueue_alloc), on
// every layout. Invariants: every dequeue — by a handler delivery or by
// sigtimedwait — returns exactly what the model says comes next for that
// thread (thread-directed before process-directed, next_signal's order,
// oldest real-time instance first, never a blocked signal), Decide runs no
// handler when the model has nothing deliverable, and after a final drain
// nothing is lost: the model and the emulator are both empty.

// modelQueue is one pending set: standard signals as flags (charged: the
// ones holding a siginfo that counts against the limit), real-time ones as
// FIFO queues of values.
type modelQueue struct {
	std, charged fastpath.Sigset
	rt           map[int][]uint64
}

func (q *modelQueue) set() fastpath.Sigset {
	s := q.std
	for sig, vals := range q.rt {
		if len(vals) > 0 {
			s |= fastpath.SigBit(sig)
		}
	}
	return s
}

type model struct {
	thread map[*Thread]*modelQueue
	proc   modelQueue
	queued int // the user's count of siginfos
	limit  int
}

// send: override is __send_signal_locked's override_rlimit (kill(2) of a
// standard signal); a standard signal past the limit pends without its
// siginfo, a real-time one sent with a siginfo fails.
func (m *model) send(q *modelQueue, sig int, val uint64, override bool) (queued bool, err unix.Errno) {
	if !fastpath.IsRealtime(sig) {
		if q.std.Has(sig) {
			return false, 0
		}
		q.std |= fastpath.SigBit(sig)
		if override || m.queued < m.limit {
			m.queued++
			q.charged |= fastpath.SigBit(sig)
		}
		return true, 0
	}
	if m.queued >= m.limit {
		return false, unix.EAGAIN
	}
	m.queued++
	q.rt[sig] = append(q.rt[sig], val)
	return true, 0
}

// peek is take without the dequeue.
func (m *model) peek(t *Thread, mask fastpath.Sigset) int {
	for _, q := range []*modelQueue{m.thread[t], &m.proc} {
		if sig := fastpath.NextSignal(q.set(), mask); sig != 0 {
			return sig
		}
	}
	return 0
}

// take is what dequeue_signal must return for thread t with mask.
func (m *model) take(t *Thread, mask fastpath.Sigset) (int, uint64) {
	for _, q := range []*modelQueue{m.thread[t], &m.proc} {
		sig := fastpath.NextSignal(q.set(), mask)
		if sig == 0 {
			continue
		}
		if !fastpath.IsRealtime(sig) {
			if q.charged.Has(sig) {
				m.queued--
			}
			q.std &^= fastpath.SigBit(sig)
			q.charged &^= fastpath.SigBit(sig)
			return sig, 0
		}
		v := q.rt[sig][0]
		q.rt[sig] = q.rt[sig][1:]
		m.queued--
		return sig, v
	}
	return 0, 0
}

var modelSignals = []int{fastpath.SIGUSR1, fastpath.SIGUSR2, fastpath.SIGURG, fastpath.SIGRTMIN, fastpath.SIGRTMIN + 1}

func randSet(r *rand.Rand) fastpath.Sigset {
	var s fastpath.Sigset
	for _, sig := range modelSignals {
		if r.Intn(2) == 0 {
			s |= fastpath.SigBit(sig)
		}
	}
	return s
}

func TestModelRandomInterleavings(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		var stats modelStats
		for seed := int64(1); seed <= 40; seed++ {
			runModel(t, v, seed, 300, &stats)
		}
		// The run must exercise sleeping waiters, not only the rest.
		if stats.slept < 20 || stats.woken < 10 {
			t.Fatalf("waiters: %+v", stats)
		}
		t.Logf("%+v", stats)
	})
}

type modelStats struct{ slept, woken int }

func runModel(t *testing.T, v *env, seed int64, steps int, stats *modelStats) {
	r := rand.New(rand.NewSource(seed))
	pid := int32(1000 + seed*10)
	p, t0, mem := v.proc(pid, 0)
	threads := []*Thread{t0, v.thread(t0, pid+1), v.thread(t0, pid+2)}
	spid := pid + 5
	sp, sender, smem := v.proc(spid, 0)
	for _, sig := range modelSignals {
		v.sigaction(t0, mem, sig, handlerAddr, fastpath.SA_SIGINFO, 0)
	}
	m := &model{thread: map[*Thread]*modelQueue{}, proc: modelQueue{rt: map[int][]uint64{}}, limit: 8}
	for _, th := range threads {
		m.thread[th] = &modelQueue{rt: map[int][]uint64{}}
	}
	siAddr := smem.alloc(128)
	var val uint64
	check := func(step int, what string, th *Thread, gotSig int, gotVal uint64, mask fastpath.Sigset) {
		t.Helper()
		wantSig, wantVal := m.take(th, mask)
		if gotSig != wantSig || (fastpath.IsRealtime(gotSig) && gotVal != wantVal) {
			t.Fatalf("seed %d step %d %s on %d: got %d/%d want %d/%d", seed, step, what, th.Tid, gotSig, gotVal, wantSig, wantVal)
		}
	}
	// Threads blocked in rt_sigtimedwait(set) with no timeout, and their
	// mask before the wait (real_blocked).
	waiting := map[*Thread]fastpath.Sigset{}
	realMask := map[*Thread]fastpath.Sigset{}
	waitInfo := map[*Thread]uint64{}
	// settle checks every blocked waiter after the deliver events ran:
	// woken ones got exactly the model's next signal of their set, or
	// EINTR with nothing of the set but something else deliverable;
	// those still asleep have nothing of their set pending.
	settle := func(step int) {
		for _, th := range threads {
			set, ok := waiting[th]
			if !ok {
				continue
			}
			if !woken(th) {
				if sig := m.peek(th, ^set); sig != 0 {
					t.Fatalf("seed %d step %d: waiter %d sleeps with %d pending", seed, step, th.Tid, sig)
				}
				continue
			}
			res := v.e.Resume(th)
			delete(waiting, th)
			stats.woken++
			switch {
			case res.Ret > 0:
				check(step, "blocking sigtimedwait", th, int(res.Ret), le64(mem.get(waitInfo[th], 128)[24:]), ^set)
			case res.Ret == -int64(unix.EINTR):
				if m.peek(th, ^set) != 0 || m.peek(th, realMask[th]&^set) == 0 {
					t.Fatalf("seed %d step %d: spurious EINTR", seed, step)
				}
			default:
				t.Fatalf("seed %d step %d: waiter got %+v", seed, step, res)
			}
			if got := v.blocked(th); got != realMask[th] {
				t.Fatalf("seed %d step %d: mask after wait %x want %x", seed, step, got, realMask[th])
			}
		}
	}
	for step := 0; step < steps; step++ {
		th := threads[r.Intn(len(threads))]
		sig := modelSignals[r.Intn(len(modelSignals))]
		op := r.Intn(7)
		if _, blocked := waiting[th]; blocked && op >= 2 {
			op = 0 // a blocked thread makes no calls; send instead
		}
		switch op {
		case 0, 1: // send
			val++
			smem.put(siAddr, siginfoBytes(0, fastpath.SI_QUEUE, 0, val))
			var res Result
			var q *modelQueue
			if r.Intn(2) == 0 {
				q = &m.proc
				if fastpath.IsRealtime(sig) {
					res = v.sys(sender, unix.SYS_RT_SIGQUEUEINFO, uint64(pid), uint64(sig), siAddr)
				} else {
					res = v.sys(sender, unix.SYS_KILL, uint64(pid), uint64(sig))
				}
			} else {
				q = m.thread[th]
				if fastpath.IsRealtime(sig) {
					res = v.sys(sender, unix.SYS_RT_TGSIGQUEUEINFO, uint64(pid), uint64(th.Tid), uint64(sig), siAddr)
				} else {
					res = v.sys(sender, unix.SYS_TGKILL, uint64(pid), uint64(th.Tid), uint64(sig))
				}
			}
			_, err := m.send(q, sig, val, q == &m.proc) // kill(2) for the process, tgkill(2) else
			if want := -int64(err); res.Ret != want {
				t.Fatalf("seed %d step %d: send %d got %d want %d", seed, step, sig, res.Ret, want)
			}
		case 2: // mask
			v.setmask(th, mem, sigSetmask, randSet(r))
		case 3, 4: // a syscall completes: the decision
			mask := v.blocked(th)
			d := v.e.Decide(th, unix.SYS_GETPID, 0, stackSP)
			got, gotVal := 0, uint64(0)
			if d.Act == RunHandler {
				got, gotVal = d.Delivery.Signal, d.Delivery.Info.Value()
				if mask.Has(got) {
					t.Fatalf("seed %d step %d: delivered blocked %d", seed, step, got)
				}
				v.e.Sigreturn(th, d.Delivery.SavedMask, d.Delivery.UcStack, stackSP)
			} else if d.Act != Resume {
				t.Fatalf("seed %d step %d: %+v", seed, step, d)
			}
			check(step, "deliver", th, got, gotVal, mask)
		case 5: // a waiter: sigtimedwait with a zero timeout
			set := randSet(r)
			info := mem.alloc(128)
			res := v.sys(th, unix.SYS_RT_SIGTIMEDWAIT, mem.u64s(uint64(set)), info, mem.u64s(0, 0), 8)
			got, gotVal := 0, uint64(0)
			if res.Ret > 0 {
				got = int(res.Ret)
				gotVal = le64(mem.get(info, 128)[24:])
			} else if res.Ret != -int64(unix.EAGAIN) {
				t.Fatalf("seed %d step %d: sigtimedwait %d", seed, step, res.Ret)
			}
			check(step, "sigtimedwait", th, got, gotVal, ^set)
		case 6: // a waiter that sleeps: sigtimedwait with no timeout
			set := randSet(r)
			info := mem.alloc(128)
			mask := v.blocked(th)
			res := v.sys(th, unix.SYS_RT_SIGTIMEDWAIT, mem.u64s(uint64(set)), info, 0, 8)
			switch {
			case res.Kind == Wait:
				stats.slept++
				if sig := m.peek(th, ^set); sig != 0 {
					t.Fatalf("seed %d step %d: slept with %d pending", seed, step, sig)
				}
				waiting[th], realMask[th], waitInfo[th] = set, mask, info
			case res.Ret > 0:
				check(step, "sigtimedwait at once", th, int(res.Ret), le64(mem.get(info, 128)[24:]), ^set)
			case res.Ret == -int64(unix.EINTR):
				if m.peek(th, ^set) != 0 || m.peek(th, mask&^set) == 0 {
					t.Fatalf("seed %d step %d: spurious immediate EINTR", seed, step)
				}
			default:
				t.Fatalf("seed %d step %d: %+v", seed, step, res)
			}
		}
		if r.Intn(4) == 0 {
			v.e.RunDue()
			settle(step)
		}
	}
	v.e.RunDue()
	settle(steps)
	for th := range waiting { // end the waits that nothing ended
		v.e.mu.Lock()
		v.e.finishWait(th, errno(unix.EINTR))
		v.e.mu.Unlock()
		v.e.Resume(th)
	}
	// Drain: unblock everything, decide until nothing is left.
	for _, th := range threads {
		v.setmask(th, mem, sigSetmask, 0)
		for {
			d := v.e.Decide(th, -1, 0, stackSP)
			if d.Act != RunHandler {
				break
			}
			check(-1, "drain", th, d.Delivery.Signal, d.Delivery.Info.Value(), 0)
			v.e.Sigreturn(th, 0, d.Delivery.UcStack, stackSP)
		}
	}
	for _, th := range threads {
		if s := m.thread[th].set(); s != 0 {
			t.Fatalf("seed %d: lost thread-directed %x", seed, s)
		}
		if a, b := v.pending(th); a|b != 0 {
			t.Fatalf("seed %d: emulator still has %x", seed, a|b)
		}
	}
	if s := m.proc.set(); s != 0 || m.queued != 0 {
		t.Fatalf("seed %d: lost process-directed %x (count %d)", seed, s, m.queued)
	}
	v.e.mu.Lock()
	n := v.e.st.QueuedUser(p.slot)
	v.e.mu.Unlock()
	if n != 0 {
		t.Fatalf("seed %d: the user's count is %d after the drain", seed, n)
	}
	v.e.RunDue()
	v.e.ProcessExit(p, ExitedStatus(0))
	v.e.ProcessExit(sp, ExitedStatus(0))
}

// Concurrent shim goroutines, one per managed thread, plus the event
// runner: run under -race, nothing deadlocks, every signal sent to a
// thread that handles it is delivered exactly once, and waiters wake.
func TestConcurrentThreads(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t0, mem := v.proc(100, 0)
		threads := []*Thread{t0, v.thread(t0, 101), v.thread(t0, 102), v.thread(t0, 103)}
		v.sigaction(t0, mem, fastpath.SIGRTMIN, handlerAddr, fastpath.SA_RESTART, 0)
		v.sigaction(t0, mem, fastpath.SIGUSR1, handlerAddr, fastpath.SA_RESTART, 0)
		const perThread = 100
		var sent, delivered atomic.Int64
		stop := make(chan struct{})
		var runner sync.WaitGroup
		runner.Add(1)
		go func() {
			defer runner.Done()
			for {
				select {
				case <-stop:
					return
				default:
					v.e.RunDue()
					runtime.Gosched()
				}
			}
		}()
		_, waker, wmem := v.proc(200, 0)
		var wg sync.WaitGroup
		t0done := make(chan struct{})
		for i, th := range threads {
			wg.Add(1)
			go func(i int, th *Thread) {
				defer wg.Done()
				if i == 0 {
					defer close(t0done)
				}
				r := rand.New(rand.NewSource(int64(i)))
				si := mem.alloc(128)
				mem.put(si, siginfoBytes(0, fastpath.SI_QUEUE))
				for n := 0; n < perThread; n++ {
					var c Call
					c.SP = stackSP
					if r.Intn(3) == 0 && i != 0 {
						// Wait in pause until something arrives.
						c.Nr = unix.SYS_PAUSE
						res := v.e.Syscall(th, &c)
						for res.Kind == Wait {
							select {
							case <-th.Wake():
							case <-stop:
								return
							}
							res = v.e.Resume(th)
						}
						d := v.e.Decide(th, c.Nr, res.Ret, stackSP)
						for d.Act == RunHandler {
							if d.Delivery.Signal == fastpath.SIGRTMIN {
								delivered.Add(1)
							}
							v.e.Sigreturn(th, d.Delivery.SavedMask, d.Delivery.UcStack, stackSP)
							d = v.e.Decide(th, -1, 0, stackSP)
						}
						continue
					}
					c.Nr = unix.SYS_RT_TGSIGQUEUEINFO
					c.Args = [6]uint64{100, uint64(threads[r.Intn(len(threads))].Tid), fastpath.SIGRTMIN, si}
					res := v.e.Syscall(th, &c)
					if res.Ret == 0 {
						sent.Add(1)
					}
					d := v.e.Decide(th, c.Nr, res.Ret, stackSP)
					for d.Act == RunHandler {
						if d.Delivery.Signal == fastpath.SIGRTMIN {
							delivered.Add(1)
						}
						v.e.Sigreturn(th, d.Delivery.SavedMask, d.Delivery.UcStack, stackSP)
						d = v.e.Decide(th, -1, 0, stackSP)
					}
				}
			}(i, th)
		}
		// Thread 0 never waits; another process keeps waking the others
		// until they are done (a waiter needs a signal to leave pause).
		// Once thread 0's goroutine has finished, this goroutine is its
		// shim and consumes what is sent to it, so the real-time queue
		// limit cannot starve the waiters.
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		si := wmem.alloc(128)
		wmem.put(si, siginfoBytes(0, fastpath.SI_QUEUE))
	loop:
		for {
			select {
			case <-done:
				break loop
			default:
			}
			for _, th := range threads[1:] {
				c := Call{Nr: unix.SYS_KILL, Args: [6]uint64{100, fastpath.SIGUSR1}}
				_ = th
				v.e.Syscall(waker, &c)
			}
			select {
			case <-t0done:
				for {
					d := v.e.Kicked(t0, -1, 0, stackSP)
					if d.Act != RunHandler {
						break
					}
					if d.Delivery.Signal == fastpath.SIGRTMIN {
						delivered.Add(1)
					}
					v.e.Sigreturn(t0, d.Delivery.SavedMask, d.Delivery.UcStack, stackSP)
				}
			default:
			}
		}
		close(stop)
		runner.Wait()
		// Drain what is left on each thread.
		for _, th := range threads {
			for {
				d := v.e.Kicked(th, -1, 0, stackSP)
				if d.Act != RunHandler {
					break
				}
				if d.Delivery.Signal == fastpath.SIGRTMIN {
					delivered.Add(1)
				}
				v.e.Sigreturn(th, d.Delivery.SavedMask, d.Delivery.UcStack, stackSP)
			}
		}
		if sent.Load() != delivered.Load() || sent.Load() == 0 {
			t.Fatalf("sent %d delivered %d", sent.Load(), delivered.Load())
		}
	})
}
