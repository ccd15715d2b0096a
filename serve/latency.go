package serve

import (
	"bufio"
	"io"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/sched"
)

// Delivery latency (siglab run --latency): for every emulated delivery,
// the time from the signal becoming pending to the thread entering its
// handler, in nanoseconds of CLOCK_MONOTONIC — the one clock both ends
// read, the emulator here and the shim after it has built the frame
// (shim.Channel.DeliverTime).
//
// The send end is sched's (sched.QueueObserver): Queued is called
// wherever a signal enters a pending queue, whatever generated it — a
// kill/tgkill/rt_(tg)sigqueueinfo/pidfd_send_signal, a timer expiry
// (SIGALRM, SIGVTALRM, SIGPROF, POSIX timers), a signal the kernel raised
// natively and the shim routed, a child's SIGCHLD — and only when it
// really is queued: a standard signal already pending coalesces
// (legacy_queue()) and keeps its first send time, an ignored one is
// dropped at generation. Send times are kept per queue, as the kernel
// keeps the queues: per (process, signal) for process-directed signals,
// per (thread, signal) for thread-directed ones, in FIFO order for
// real-time signals. Dequeued pops the front of the queue the signal was
// taken from (the thread's own first, as dequeue_signal() does); the
// popped time waits beside the thread until the same decision turns out
// to run a handler (delivered), since a dequeue may also end in the
// default action, an ignored signal, sigtimedwait or a signalfd read.
//
// The handler end: the shim stamps DeliverTime right after it has built
// the frame and pointed the context at the handler, and the emulator
// reads it at the thread's next request (the handler's own rt_sigreturn
// at the latest, or the slow path's next "what else?" question), where
// entered makes the sample. A DeliverTime unchanged since the delivery
// was answered means no frame was built: no sample.
//
// Stale send times. A queue the kernel flushes without a dequeue
// (sigaction to SIG_IGN, a stop signal flushing SIGCONT, execve) leaves
// its times behind: a standard signal's is replaced at the next Queued
// (being queued means it was not pending), a real-time queue's are
// dropped when a dequeue finds the signal no longer pending in it.
//
// Off (a nil *latencyRecorder) it costs one nil test per request.
type latencyRecorder struct {
	st fastpath.State // read under sched's lock, in Dequeued

	mu sync.Mutex // guards everything below
	// queues holds the send times of the pending signals, by queue.
	queues map[latencyQueue][]int64
	// taken is the send time of the signal each thread dequeued last (0:
	// unknown), until delivered claims it.
	taken map[*sched.Thread]latencyTaken
	// inFlight: a frame was asked for; the sample is made at the
	// thread's next request.
	inFlight map[*Thread]latencyFlight
	w        *bufio.Writer
	err      error // the first write error
	n        int64 // samples written
}

// latencyQueue names one pending queue: proc's shared queue when thread
// is nil, else thread's own.
type latencyQueue struct {
	proc   *sched.Process
	thread *sched.Thread
	sig    int
}

type latencyTaken struct {
	sig  int
	sent int64
}

type latencyFlight struct {
	sent   int64  // CLOCK_MONOTONIC ns the signal became pending
	before uint64 // the channel's DeliverTime when the delivery was answered
}

// newLatencyRecorder records into w, one sample per line; nil w: off.
func newLatencyRecorder(w io.Writer, st fastpath.State) *latencyRecorder {
	if w == nil {
		return nil
	}
	return &latencyRecorder{st: st, queues: map[latencyQueue][]int64{}, taken: map[*sched.Thread]latencyTaken{},
		inFlight: map[*Thread]latencyFlight{}, w: bufio.NewWriter(w)}
}

// observer is the recorder as sched's observer (a nil interface when off,
// so that sched does not even call).
func (l *latencyRecorder) observer() sched.QueueObserver {
	if l == nil {
		return nil
	}
	return (*latencyObserver)(l)
}

// monotonic is CLOCK_MONOTONIC in nanoseconds, the shim's clock.
func monotonic() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return 0
	}
	return ts.Nano()
}

// latencyObserver is latencyRecorder's sched.QueueObserver face; its
// methods run with sched's lock held and take only the recorder's.
type latencyObserver latencyRecorder

// Queued implements sched.QueueObserver.
func (o *latencyObserver) Queued(p *sched.Process, t *sched.Thread, sig int) {
	now := monotonic()
	l := (*latencyRecorder)(o)
	q := latencyQueue{thread: t, sig: sig}
	if t == nil {
		q.proc = p
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !fastpath.IsRealtime(sig) {
		// Queued at all means it was not pending: any time left here is
		// stale (see the file comment).
		l.queues[q] = append(l.queues[q][:0], now)
		return
	}
	l.queues[q] = append(l.queues[q], now)
}

// Dequeued implements sched.QueueObserver.
func (o *latencyObserver) Dequeued(t *sched.Thread, sig int, shared bool) {
	l := (*latencyRecorder)(o)
	q := latencyQueue{thread: t, sig: sig}
	own, proc := l.st.Pending(t.Slot())
	still := own.Has(sig)
	if shared {
		q = latencyQueue{proc: t.Process(), sig: sig}
		still = proc.Has(sig)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tk := latencyTaken{sig: sig}
	if times := l.queues[q]; len(times) > 0 {
		tk.sent = times[0]
		if times = times[1:]; len(times) == 0 || !still {
			delete(l.queues, q)
		} else {
			l.queues[q] = times
		}
	}
	l.taken[t] = tk
}

// delivered is called when the decision for t is to run sig's handler:
// the signal t dequeued last is the one delivered.
func (l *latencyRecorder) delivered(t *Thread, sig int) {
	if l == nil || t.emu == nil || t.ch == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tk, ok := l.taken[t.emu.st]
	delete(l.taken, t.emu.st)
	if !ok || tk.sig != sig || tk.sent == 0 {
		delete(l.inFlight, t)
		return
	}
	// The channel is ours to read while we answer t's request.
	l.inFlight[t] = latencyFlight{sent: tk.sent, before: t.ch.DeliverTime}
}

// entered is called at each request of t: if a delivery is in flight, the
// shim has stamped handler entry since (or built no frame).
func (l *latencyRecorder) entered(t *Thread) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.inFlight[t]
	if !ok {
		return
	}
	delete(l.inFlight, t)
	at := t.ch.DeliverTime
	if at == f.before || int64(at) <= f.sent {
		return
	}
	var b [24]byte
	line := append(strconv.AppendInt(b[:0], int64(at)-f.sent, 10), '\n')
	if _, err := l.w.Write(line); err != nil && l.err == nil {
		l.err = err
	}
	l.n++
}

// flush writes out the buffered samples; the first write error, if any.
func (l *latencyRecorder) flush() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.w.Flush(); err != nil && l.err == nil {
		l.err = err
	}
	return l.err
}
