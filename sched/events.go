package sched

import (
	"time"
)

// The event queue: a binary heap of events ordered by (when, seq), so
// events due at the same instant run in the order they were queued. Events
// are recycled through a free list; a steady state allocates nothing.

type eventKind uint8

const (
	// evWake is the deliver-signal event: after a sending syscall has
	// completed, wake the blocked waiters of a process whose wake
	// condition may now hold and kick the threads a new signal chose.
	evWake eventKind = iota
	// evWaitTimeout ends a timed wait (rt_sigtimedwait) at its deadline.
	evWaitTimeout
	// evTimer is the expiry of a POSIX timer or an interval timer (or,
	// for CPU-time clocks, the next poll of the clock).
	evTimer
)

type event struct {
	when int64
	seq  uint64
	idx  int // position in the heap, -1 when not queued
	kind eventKind

	p *Process
	t *Thread
	// gen guards a wait timeout against a wait that already ended.
	gen uint64
	tm  timerRef
}

type eventQueue struct {
	h    []*event
	seq  uint64
	free []*event
}

func (q *eventQueue) alloc() *event {
	if n := len(q.free); n > 0 {
		ev := q.free[n-1]
		q.free = q.free[:n-1]
		return ev
	}
	return &event{idx: -1}
}

func (q *eventQueue) release(ev *event) {
	*ev = event{idx: -1}
	q.free = append(q.free, ev)
}

func (q *eventQueue) less(i, j int) bool {
	a, b := q.h[i], q.h[j]
	return a.when < b.when || (a.when == b.when && a.seq < b.seq)
}

func (q *eventQueue) swap(i, j int) {
	q.h[i], q.h[j] = q.h[j], q.h[i]
	q.h[i].idx, q.h[j].idx = i, j
}

func (q *eventQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.swap(i, p)
		i = p
	}
}

func (q *eventQueue) down(i int) {
	n := len(q.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			return
		}
		q.swap(i, m)
		i = m
	}
}

func (q *eventQueue) push(ev *event) {
	q.seq++
	ev.seq = q.seq
	ev.idx = len(q.h)
	q.h = append(q.h, ev)
	q.up(ev.idx)
}

// remove takes ev out of the queue if it is queued.
func (q *eventQueue) remove(ev *event) {
	i := ev.idx
	if i < 0 {
		return
	}
	last := len(q.h) - 1
	if i != last {
		q.swap(i, last)
	}
	q.h = q.h[:last]
	ev.idx = -1
	if i != last {
		q.down(i)
		q.up(i)
	}
}

func (q *eventQueue) peek() *event {
	if len(q.h) == 0 {
		return nil
	}
	return q.h[0]
}

// Len is the number of queued events.
func (q *eventQueue) Len() int { return len(q.h) }

// schedule queues an event and pokes Run.
func (e *Emulator) schedule(ev *event) {
	e.events.push(ev)
	if e.inSyscall && e.inline && ev.when <= e.clock.Now() {
		e.runAfter = true // Syscall runs it before it unlocks
		return
	}
	select {
	case e.notify <- struct{}{}:
	default:
	}
}

// queueWake queues the deliver-signal event of process p, at most one at a
// time; t, if not nil, has its kickWanted flag set by the caller.
func (e *Emulator) queueWake(p *Process, t *Thread) {
	if p.wakeQueued {
		return
	}
	p.wakeQueued = true
	ev := e.events.alloc()
	ev.kind, ev.when, ev.p = evWake, e.clock.Now(), p
	e.schedule(ev)
}

// RunDue runs every event that is due now and returns how many ran.
func (e *Emulator) RunDue() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, _ := e.runDue()
	return n
}

// PendingEvents is the number of queued events (tests, diagnostics).
func (e *Emulator) PendingEvents() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.events.Len()
}

// runDue runs due events and returns how many ran and when the next one is
// due (0 if none).
func (e *Emulator) runDue() (int, int64) {
	n := 0
	for {
		ev := e.events.peek()
		if ev == nil {
			return n, 0
		}
		now := e.clock.Now()
		if ev.when > now {
			return n, ev.when
		}
		e.events.remove(ev)
		e.runEvent(ev)
		n++
	}
}

func (e *Emulator) runEvent(ev *event) {
	switch ev.kind {
	case evWake:
		e.deliverWake(ev.p)
		e.events.release(ev)
	case evWaitTimeout:
		t := ev.t
		if t.wait.timeout == ev {
			t.wait.timeout = nil
			t.wait.timedOut = true
			e.recheckWait(t)
		}
		e.events.release(ev)
	case evTimer:
		e.fireTimer(ev) // owns ev
	}
}

// deliverWake is signal_wake_up() for the threads a sending syscall chose,
// run once that syscall has completed: blocked waiters re-evaluate their
// wake condition, stopped threads of a dying or continued process resume,
// and running threads that now have a deliverable signal are kicked.
func (e *Emulator) deliverWake(p *Process) {
	p.wakeQueued = false
	if p.zombie {
		return
	}
	for _, t := range p.threads {
		switch t.state {
		case Blocked:
			e.recheckWait(t)
		case Stopped:
			if p.dying != 0 || !(p.stopping || p.stopped) {
				t.wakeUp()
			}
		case Running:
			if t.kickWanted && (!t.kicked || e.repeat) && (t.hot.Deliverable() || t.attn.Load()&attnJobctl != 0) {
				t.kicked = true
				if e.kick != nil {
					e.kick(t)
				}
			}
		}
		t.kickWanted = false
	}
}

// Run serves the event queue in real time until stop is closed: it sleeps
// until the earliest event is due (or a new one is queued) and runs what is
// due. The shim runs it in its own goroutine; tests call RunDue instead.
func (e *Emulator) Run(stop <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.mu.Lock()
		_, next := e.runDue()
		now := e.clock.Now()
		e.mu.Unlock()
		d := time.Hour
		if next != 0 {
			d = time.Duration(next - now)
		}
		timer.Reset(d)
		select {
		case <-stop:
			return
		case <-e.notify:
		case <-timer.C:
		}
	}
}
