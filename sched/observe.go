package sched

import "siglab/fastpath"

// QueueObserver watches signals enter and leave the pending queues, which
// is what a delivery-latency measurement needs to pair each delivery with
// the moment its signal became pending: the emulator knows both ends, the
// observer only keeps the times. Both methods are called with the
// emulator's lock held, on every queueing and every dequeue whatever its
// source (a syscall, a timer, a fault, a child's exit) or its consumer (a
// handler, the default action, sigtimedwait, a signalfd read); they must
// not block nor call back into the Emulator.
type QueueObserver interface {
	// Queued: sig was queued (send_signal's __sigqueue and sigaddset, not
	// a standard signal already pending nor one ignored at generation)
	// for thread t, or, when t is nil, for process p.
	Queued(p *Process, t *Thread, sig int)
	// Dequeued: thread t took sig from its own queue, or from its
	// process's when shared (dequeue_signal's order: the thread's own
	// pending set first).
	Dequeued(t *Thread, sig int, shared bool)
}

func (e *Emulator) observeQueued(p *Process, t *Thread, sig int) {
	if e.queues != nil {
		e.queues.Queued(p, t, sig)
	}
}

func (e *Emulator) observeDequeued(t *Thread, sig int, shared bool) {
	if e.queues != nil {
		e.queues.Dequeued(t, sig, shared)
	}
}

// takesShared reports whether the next Take for t with mask takes from the
// process's queue: dequeue_signal() looks at the thread's own pending set
// first and takes from it whenever it holds an unblocked signal.
func (e *Emulator) takesShared(t *Thread, mask fastpath.Sigset) bool {
	own, _ := e.st.Pending(t.slot)
	return own&^mask == 0
}
