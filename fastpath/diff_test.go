package fastpath

import (
	"errors"
	"fmt"
	"testing"
)

// diffRun drives one State per layout and the reference model through the
// same operations and requires the same observable results from all of
// them at every step. The operations come from a byteSource: the fuzzer's
// input in fuzz_test.go, a seeded generator in hostile_test.go. Any byte
// string decodes to a valid sequence: slot arguments are always chosen
// among live slots, because passing a dead one is an emulator bug the
// State is documented to panic on.
type diffRun struct {
	t      testing.TB
	names  []string
	states []State
	m      *refModel
	step   int
	// hostile means the arena may have been scribbled on since the last
	// step (hostile_test.go): only what the emulator keeps private — pending
	// sets, queues, signal numbers, slot bookkeeping — is compared; what
	// the managed process can forge (the published words, masks, stacks,
	// shared siginfos and actions) is only read, which must not panic, and
	// checked for the invariants the State enforces on read.
	hostile bool
	// between runs after every operation (hostile_test.go scribbles).
	between func()
}

// byteSource yields the bytes that choose operations and arguments.
type byteSource interface {
	next() byte
	done() bool
}

// fuzzBytes reads the fuzzer's input, then zeros once it is used up.
type fuzzBytes struct {
	data []byte
	off  int
}

func (b *fuzzBytes) next() byte {
	if b.off >= len(b.data) {
		return 0
	}
	b.off++
	return b.data[b.off-1]
}
func (b *fuzzBytes) done() bool { return b.off >= len(b.data) }

// diffConfig is small, so that ErrFull and ErrAgain happen often.
var diffConfig = Config{MaxThreads: 4, MaxProcesses: 3, RTQueueLimit: 6}

func newDiffRun(t testing.TB) *diffRun {
	d := &diffRun{t: t, m: newRefModel(diffConfig)}
	for _, name := range Layouts() {
		d.names = append(d.names, name)
		d.states = append(d.states, newTestState(t, name, diffConfig))
	}
	return d
}

// run applies operations until the source is used up.
func (d *diffRun) run(src byteSource, maxOps int) {
	for i := 0; i < maxOps && !src.done(); i++ {
		d.op(src)
		d.observe()
		if d.between != nil {
			d.between()
		}
	}
	d.observeActions()
}

// expect compares got(state) with want for every layout. Results must be
// comparable values (==, which ignores blank padding fields).
func (d *diffRun) expect(what string, private bool, want any, got func(State) any) {
	d.t.Helper()
	for i, s := range d.states {
		g := got(s)
		if d.hostile && !private {
			continue
		}
		if g != want {
			d.t.Fatalf("step %d, %s: layout %s gave %+v, the model %+v", d.step, what, d.names[i], g, want)
		}
	}
}

// Argument decoding.

func pick[T any](src byteSource, from []T) T { return from[int(src.next())%len(from)] }

// hotSignals are the signals where the interesting cases are: coalescing,
// queueing, synchronous priority, the unblockable two.
var hotSignals = []int{SIGHUP, SIGUSR1, SIGSEGV, SIGKILL, SIGSTOP, SIGSYS, SIGRTMIN, SIGRTMIN + 1, SIGRTMAX}

func decodeSignal(src byteSource) int {
	b := src.next()
	if b&0x80 != 0 {
		return hotSignals[int(b&0x7f)%len(hotSignals)]
	}
	return 1 + int(b)%NSIG
}

func decodeU64(src byteSource) uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(src.next())
	}
	return v
}

func (d *diffRun) decodeMask(src byteSource, t ThreadID) Sigset {
	switch src.next() % 6 {
	case 0:
		return 0
	case 1:
		return ^Sigset(0)
	case 2:
		return SigBit(decodeSignal(src))
	case 3:
		return SigBit(decodeSignal(src)) | SigBit(decodeSignal(src))
	case 4:
		return d.m.threads[t].blocked // what sched passes to dequeue_signal
	default:
		return Sigset(decodeU64(src))
	}
}

func decodeInfo(src byteSource, sig int) Siginfo {
	info := Siginfo{Signo: int32(sig), Errno: int32(int8(src.next())), Code: int32(int8(src.next()))}
	info.SetSender(int32(src.next()), uint32(src.next()))
	info.SetValue(uint64(src.next())<<8 | uint64(src.next()))
	return info
}

func decodeStack(src byteSource) Stack {
	return Stack{SP: uint64(src.next()) << 12, Flags: pick(src, []int32{0, SS_ONSTACK, SS_DISABLE, -1 << 31}),
		Size: uint64(src.next()) << 10}
}

func decodeAction(src byteSource) Sigaction {
	return Sigaction{
		Handler:  pick(src, []uint64{SIG_DFL, SIG_IGN, 0x401000, ^uint64(0)}),
		Flags:    pick(src, []uint64{0, SA_SIGINFO | SA_RESTORER, SA_ONSTACK | SA_RESTART | SA_NODEFER, SA_RESETHAND}),
		Restorer: uint64(src.next()) << 4,
		Mask:     Sigset(decodeU64(src)),
	}
}

// op decodes and applies one operation.
func (d *diffRun) op(src byteSource) {
	d.t.Helper()
	d.step++
	m := d.m
	procs, threads := m.liveProcs(), m.liveThreads()
	b := src.next()
	code := b % 18
	if b >= 250 {
		// The top bytes (which would repeat codes 0..5) change a
		// process's account and limit; the older seeds rarely use them.
		code = 18
	}
	if len(procs) == 0 {
		code = 0 // nothing else can be done without a process
	} else if len(threads) == 0 && code >= 5 && code != 9 && code != 10 && code != 15 && code != 17 && code != 18 {
		code = 3 // operations on a thread need one
	}
	switch code {
	case 0, 1: // NewProcess
		type res struct {
			id  ProcID
			err error
		}
		r := make([]res, len(d.states))
		for i, s := range d.states {
			id, err := s.NewProcess()
			r[i] = res{id, err}
		}
		if len(m.procs) == m.maxProcs {
			for i := range r {
				if !errors.Is(r[i].err, ErrFull) {
					d.t.Fatalf("step %d: %s NewProcess with all %d slots taken = %+v, want ErrFull", d.step, d.names[i], m.maxProcs, r[i])
				}
			}
			return
		}
		for i := range r {
			if r[i] != r[0] || r[i].err != nil {
				d.t.Fatalf("step %d: NewProcess results differ or failed: %v %+v", d.step, d.names, r)
			}
		}
		if id := r[0].id; id < 0 || int(id) >= m.maxProcs || m.procs[id] != nil {
			d.t.Fatalf("step %d: NewProcess returned %d, live or out of range (live %v)", d.step, id, procs)
		}
		m.newProcess(r[0].id)
		for i, s := range d.states {
			for sig := 1; sig <= NSIG; sig++ {
				if a := s.Action(r[0].id, sig); a != (Sigaction{}) {
					d.t.Fatalf("step %d: %s new process %d: Action(%d) = %+v, want SIG_DFL", d.step, d.names[i], r[0].id, sig, a)
				}
			}
		}

	case 2: // FreeProcess, its threads first (as the State requires)
		p := pick(src, procs)
		for _, t := range m.threadsOf(p) {
			d.freeThread(t)
		}
		for _, s := range d.states {
			s.FreeProcess(p)
		}
		delete(m.procs, p)

	case 3, 4: // NewThread
		p := pick(src, procs)
		type res struct {
			id  ThreadID
			err error
		}
		r := make([]res, len(d.states))
		for i, s := range d.states {
			id, err := s.NewThread(p)
			r[i] = res{id, err}
		}
		if len(m.threads) == m.maxThreads {
			for i := range r {
				if !errors.Is(r[i].err, ErrFull) {
					d.t.Fatalf("step %d: %s NewThread with all %d slots taken = %+v, want ErrFull", d.step, d.names[i], m.maxThreads, r[i])
				}
			}
			return
		}
		for i := range r {
			if r[i] != r[0] || r[i].err != nil {
				d.t.Fatalf("step %d: NewThread results differ or failed: %v %+v", d.step, d.names, r)
			}
		}
		t := r[0].id
		if t < 0 || int(t) >= m.maxThreads || m.threads[t] != nil {
			d.t.Fatalf("step %d: NewThread returned %d, live or out of range (live %v)", d.step, t, threads)
		}
		m.newThread(t, p)
		// Fresh even in a scribbled arena: NewThread writes the record.
		d.expect("new thread's Blocked", true, Sigset(0), func(s State) any { return s.Blocked(t) })
		d.expect("new thread's AltStack", true, DisabledStack, func(s State) any { return s.AltStack(t) })

	case 5: // FreeThread
		d.freeThread(pick(src, threads))

	case 6, 7, 8: // SendThread
		t := pick(src, threads)
		info := decodeInfo(src, decodeSignal(src))
		type res struct {
			queued bool
			err    string
		}
		q, err := m.send(&m.threads[t].queue, m.threads[t].proc, info)
		d.expect(fmt.Sprintf("SendThread(%d, %d)", t, info.Signo), true, res{q, errText(err)},
			func(s State) any { q, err := s.SendThread(t, &info); return res{q, errText(err)} })

	case 9, 10: // SendProcess
		p := pick(src, procs)
		info := decodeInfo(src, decodeSignal(src))
		type res struct {
			queued bool
			err    string
		}
		q, err := m.send(&m.procs[p].queue, p, info)
		d.expect(fmt.Sprintf("SendProcess(%d, %d)", p, info.Signo), true, res{q, errText(err)},
			func(s State) any { q, err := s.SendProcess(p, &info); return res{q, errText(err)} })

	case 11, 12: // Take
		t := pick(src, threads)
		mask := d.decodeMask(src, t)
		sig, info := m.take(t, mask)
		d.expect(fmt.Sprintf("Take(%d, %#x)", t, mask), true, sig,
			func(s State) any {
				var got Siginfo
				n := s.Take(t, mask, &got)
				if n != 0 && int(got.Signo) != n {
					d.t.Fatalf("step %d: Take returned %d with si_signo %d", d.step, n, got.Signo)
				}
				// A shared standard siginfo may be forged in a hostile
				// arena; real-time siginfos are private in every layout.
				if n != 0 && (!d.hostile || IsRealtime(n)) && got != info {
					d.t.Fatalf("step %d: %s Take(%d) siginfo %+v, want %+v", d.step, s.Layout(), n, got, info)
				}
				return n
			})

	case 13: // SetBlocked, Block, Unblock
		t := pick(src, threads)
		mask := d.decodeMask(src, t)
		th := m.threads[t]
		switch src.next() % 3 {
		case 0:
			th.blocked = mask &^ Unblockable
			for _, s := range d.states {
				s.SetBlocked(t, mask)
			}
		case 1:
			th.blocked = (th.blocked | mask) &^ Unblockable
			for _, s := range d.states {
				Block(s, t, mask)
			}
		default:
			th.blocked &^= mask
			for _, s := range d.states {
				Unblock(s, t, mask)
			}
		}

	case 14: // FlushThread
		t := pick(src, threads)
		set := d.decodeMask(src, t)
		flushFrom(&m.threads[t].queue, set)
		for _, s := range d.states {
			s.FlushThread(t, set)
		}

	case 15: // FlushProcess
		p := pick(src, procs)
		set := Sigset(decodeU64(src))
		if src.next()&1 == 0 {
			set = SigBit(decodeSignal(src))
		}
		flushFrom(&m.procs[p].queue, set)
		for _, s := range d.states {
			s.FlushProcess(p, set)
		}

	case 16: // SetAltStack
		t := pick(src, threads)
		st := decodeStack(src)
		m.threads[t].stack = st
		for _, s := range d.states {
			s.SetAltStack(t, st)
		}
		d.expect("AltStack after SetAltStack", false, st, func(s State) any { return s.AltStack(t) })

	case 17: // SetAction, then read it and another one back
		p := pick(src, procs)
		sig, other := decodeSignal(src), decodeSignal(src)
		a := decodeAction(src)
		m.procs[p].actions[sig] = a
		for _, s := range d.states {
			s.SetAction(p, sig, a)
		}
		d.expect("Action after SetAction", false, a, func(s State) any { return s.Action(p, sig) })
		d.expect("another Action", false, m.procs[p].actions[other], func(s State) any { return s.Action(p, other) })

	case 18: // SetQueueLimit: one of three users, a limit from -1 to past the cap
		p := pick(src, procs)
		uid := uint32(src.next() % 3)
		limit := int(src.next())%(m.rtLimit+3) - 1
		m.setQueueLimit(p, uid, limit)
		for _, s := range d.states {
			s.SetQueueLimit(p, uid, limit)
		}
	}
}

// errText makes an error comparable and printable in a result.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (d *diffRun) freeThread(t ThreadID) {
	for _, s := range d.states {
		s.FreeThread(t)
	}
	delete(d.m.threads, t)
}

// observe reads everything observable about every live thread and process.
func (d *diffRun) observe() {
	d.t.Helper()
	m := d.m
	for _, p := range m.liveProcs() {
		d.expect(fmt.Sprintf("QueuedRealtime(%d)", p), true, m.refQueued(p),
			func(s State) any { return s.QueuedRealtime(p) })
		d.expect(fmt.Sprintf("QueuedUser(%d)", p), true, m.refUserQueued(p),
			func(s State) any { return s.QueuedUser(p) })
	}
	type pend struct{ thread, process Sigset }
	for _, t := range m.liveThreads() {
		th := m.threads[t]
		d.expect(fmt.Sprintf("Process(%d)", t), true, th.proc, func(s State) any { return s.Process(t) })
		d.expect(fmt.Sprintf("Pending(%d)", t), true,
			pend{th.queue.pending(), m.procs[th.proc].queue.pending()},
			func(s State) any { tp, pp := s.Pending(t); return pend{tp, pp} })
		d.expect(fmt.Sprintf("Blocked(%d)", t), false, th.blocked, func(s State) any {
			b := s.Blocked(t)
			if b&Unblockable != 0 {
				d.t.Fatalf("step %d: %s Blocked(%d) = %#x holds SIGKILL or SIGSTOP", d.step, s.Layout(), t, b)
			}
			return b
		})
		d.expect(fmt.Sprintf("DeliverableSet(%d)", t), false, m.deliverable(t),
			func(s State) any { return s.Hot(t).DeliverableSet() })
		d.expect(fmt.Sprintf("Deliverable(%d)", t), false, m.deliverable(t) != 0,
			func(s State) any { return s.Hot(t).Deliverable() })
		d.expect(fmt.Sprintf("AltStack(%d)", t), false, th.stack, func(s State) any { return s.AltStack(t) })
	}
}

// observeActions compares every action of every live process, once at the
// end: 64 per process is too many to read after every step.
func (d *diffRun) observeActions() {
	d.t.Helper()
	for _, p := range d.m.liveProcs() {
		for sig := 1; sig <= NSIG; sig++ {
			d.expect(fmt.Sprintf("Action(%d, %d)", p, sig), false, d.m.procs[p].actions[sig],
				func(s State) any { return s.Action(p, sig) })
		}
	}
}
