package fastpath

import "slices"

// refModel is the reference the differential tests hold every layout to:
// signal state as plain maps and slices, written from signal(7) and
// kernel/signal.c without looking at how the layouts store anything. It is
// deliberately naive — every pending set is just the ordered list of
// queued siginfos, and everything else is derived by walking it.
type refModel struct {
	maxThreads, maxProcs, rtLimit int
	procs                         map[ProcID]*refProc
	threads                       map[ThreadID]*refThread
}

type refProc struct {
	queue   []Siginfo // process-directed, oldest first
	actions map[int]Sigaction
}

type refThread struct {
	proc    ProcID
	queue   []Siginfo // thread-directed, oldest first
	blocked Sigset
	stack   Stack
}

func newRefModel(cfg Config) *refModel {
	cfg = cfg.withDefaults()
	return &refModel{
		maxThreads: cfg.MaxThreads, maxProcs: cfg.MaxProcesses, rtLimit: cfg.RTQueueLimit,
		procs: map[ProcID]*refProc{}, threads: map[ThreadID]*refThread{},
	}
}

// liveProcs and liveThreads list slots in ascending order, so that choices
// made from them are deterministic.
func (m *refModel) liveProcs() []ProcID {
	ids := make([]ProcID, 0, len(m.procs))
	for id := range m.procs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (m *refModel) liveThreads() []ThreadID {
	ids := make([]ThreadID, 0, len(m.threads))
	for id := range m.threads {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (m *refModel) threadsOf(p ProcID) []ThreadID {
	var ids []ThreadID
	for _, id := range m.liveThreads() {
		if m.threads[id].proc == p {
			ids = append(ids, id)
		}
	}
	return ids
}

func refPending(q []Siginfo) Sigset {
	var s Sigset
	for _, info := range q {
		s |= 1 << (info.Signo - 1)
	}
	return s
}

// refQueued counts the real-time siginfos of p and all its threads.
func (m *refModel) refQueued(p ProcID) int {
	n := 0
	count := func(q []Siginfo) {
		for _, info := range q {
			if info.Signo >= SIGRTMIN {
				n++
			}
		}
	}
	count(m.procs[p].queue)
	for _, th := range m.threads {
		if th.proc == p {
			count(th.queue)
		}
	}
	return n
}

// refNextSignal is next_signal() spelled out: the faults first, in
// ascending order, then any signal in ascending order.
func refNextSignal(pending, mask Sigset) int {
	for _, sig := range []int{SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS} {
		if pending&^mask&(1<<(sig-1)) != 0 {
			return sig
		}
	}
	for sig := 1; sig <= 64; sig++ {
		if pending&^mask&(1<<(sig-1)) != 0 {
			return sig
		}
	}
	return 0
}

// send is __send_signal_locked(): a standard signal already in the queue is
// dropped, a real-time one is refused past the process's limit.
func (m *refModel) send(q *[]Siginfo, p ProcID, info Siginfo) (bool, error) {
	if info.Signo < SIGRTMIN {
		if refPending(*q)&(1<<(info.Signo-1)) != 0 {
			return false, nil
		}
	} else if m.refQueued(p) >= m.rtLimit {
		return false, ErrAgain
	}
	*q = append(*q, info)
	return true, nil
}

// takeFrom removes the oldest siginfo of next_signal()'s choice.
func takeFrom(q *[]Siginfo, mask Sigset) (int, Siginfo) {
	sig := refNextSignal(refPending(*q), mask)
	if sig == 0 {
		return 0, Siginfo{}
	}
	for i, info := range *q {
		if int(info.Signo) == sig {
			*q = slices.Delete(*q, i, i+1)
			return sig, info
		}
	}
	panic("unreachable: pending signal not in its own queue")
}

// take is dequeue_signal(): the thread's own queue, then its process's.
func (m *refModel) take(t ThreadID, mask Sigset) (int, Siginfo) {
	th := m.threads[t]
	if sig, info := takeFrom(&th.queue, mask); sig != 0 {
		return sig, info
	}
	return takeFrom(&m.procs[th.proc].queue, mask)
}

func flushFrom(q *[]Siginfo, set Sigset) {
	*q = slices.DeleteFunc(*q, func(info Siginfo) bool { return set&(1<<(info.Signo-1)) != 0 })
}

func (m *refModel) newProcess(p ProcID) {
	m.procs[p] = &refProc{actions: map[int]Sigaction{}}
}

func (m *refModel) newThread(t ThreadID, p ProcID) {
	m.threads[t] = &refThread{proc: p, stack: Stack{Flags: SS_DISABLE}}
}

func (m *refModel) deliverable(t ThreadID) Sigset {
	th := m.threads[t]
	return (refPending(th.queue) | refPending(m.procs[th.proc].queue)) &^ th.blocked
}
