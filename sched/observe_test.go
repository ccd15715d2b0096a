package sched

import (
	"fmt"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// queueLog is a QueueObserver that writes down what it sees.
type queueLog struct{ events []string }

func (q *queueLog) Queued(p *Process, t *Thread, sig int) {
	to := fmt.Sprintf("process %d", p.Pid)
	if t != nil {
		to = fmt.Sprintf("thread %d", t.Tid)
	}
	q.events = append(q.events, fmt.Sprintf("queued %d for %s", sig, to))
}

func (q *queueLog) Dequeued(t *Thread, sig int, shared bool) {
	from := "own"
	if shared {
		from = "shared"
	}
	q.events = append(q.events, fmt.Sprintf("dequeued %d by %d from %s", sig, t.Tid, from))
}

func (q *queueLog) take() []string {
	e := q.events
	q.events = nil
	return e
}

// TestQueueObserver: the observer sees a signal queued once per real
// queueing — a standard signal already pending coalesces, an ignored one
// is dropped at generation, real-time signals queue each time — and
// dequeued from the queue dequeue_signal() takes it from (the thread's
// own first).
func TestQueueObserver(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		log := &queueLog{}
		v.e.queues = log
		_, t1, mem := v.proc(100, 0)
		t2 := v.thread(t1, 101)
		rt := fastpath.SIGRTMIN + 1
		all := set(fastpath.SIGUSR1, fastpath.SIGUSR2, rt)
		for _, sig := range []int{fastpath.SIGUSR1, fastpath.SIGUSR2, rt} {
			v.sigaction(t1, mem, sig, 0x401000, fastpath.SA_NODEFER, 0)
		}
		v.setmask(t1, mem, sigBlock, all)
		v.setmask(t2, mem, sigBlock, all)

		v.ok(v.sys(t1, unix.SYS_KILL, 100, uint64(fastpath.SIGUSR1)), 0)
		v.ok(v.sys(t1, unix.SYS_KILL, 100, uint64(fastpath.SIGUSR1)), 0)  // coalesces
		v.ok(v.sys(t1, unix.SYS_KILL, 100, uint64(fastpath.SIGWINCH)), 0) // ignored by default
		v.ok(v.sys(t1, unix.SYS_TGKILL, 100, 101, uint64(fastpath.SIGUSR2)), 0)
		v.ok(v.sys(t1, unix.SYS_KILL, 100, uint64(rt)), 0)
		v.ok(v.sys(t1, unix.SYS_KILL, 100, uint64(rt)), 0) // queues again
		want := []string{
			"queued 10 for process 100",
			"queued 12 for thread 101",
			"queued 33 for process 100",
			"queued 33 for process 100",
		}
		if got := log.take(); !slices.Equal(got, want) {
			t.Fatalf("queued:\n%q\nwant\n%q", got, want)
		}

		v.setmask(t2, mem, sigSetmask, 0)
		var got []string
		for i := 0; i < 5; i++ {
			d := v.e.Decide(t2, -1, 0, stackSP)
			if d.Act != RunHandler {
				break
			}
			got = append(got, log.take()...)
		}
		want = []string{
			"dequeued 12 by 101 from own",
			"dequeued 10 by 101 from shared",
			"dequeued 33 by 101 from shared",
			"dequeued 33 by 101 from shared",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("dequeued:\n%q\nwant\n%q", got, want)
		}
	})
}
