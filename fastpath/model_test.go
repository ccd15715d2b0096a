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

// refQueue is one pending set: the queued siginfos, oldest first, and the
// signals pending without one (sent past the queue limit by kill(2), or a
// standard one by anything: __send_signal_locked()'s "silent loss of
// information").
type refQueue struct {
	infos []Siginfo
	lost  Sigset
}

type refProc struct {
	queue   refQueue // process-directed
	actions map[int]Sigaction
	// uid names the account the process's siginfos count in, limit is its
	// RLIMIT_SIGPENDING (getrlimit(2), "for the real user ID").
	uid   uint32
	limit int
}

type refThread struct {
	proc    ProcID
	queue   refQueue // thread-directed
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

func (q *refQueue) pending() Sigset {
	s := q.lost
	for _, info := range q.infos {
		s |= 1 << (info.Signo - 1)
	}
	return s
}

// refQueued counts the real-time siginfos of p and all its threads.
func (m *refModel) refQueued(p ProcID) int {
	n := 0
	count := func(q refQueue) {
		for _, info := range q.infos {
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

// refUserQueued counts every siginfo queued for any process with p's uid
// and for its threads: the user's sigpending count (__sigqueue_alloc).
func (m *refModel) refUserQueued(p ProcID) int {
	n := 0
	for id, pr := range m.procs {
		if pr.uid == m.procs[p].uid {
			n += len(pr.queue.infos)
			for _, th := range m.threads {
				if th.proc == id {
					n += len(th.queue.infos)
				}
			}
		}
	}
	return n
}

// setQueueLimit is setrlimit(RLIMIT_SIGPENDING) and a change of real uid,
// with the limit capped as the State documents.
func (m *refModel) setQueueLimit(p ProcID, uid uint32, limit int) {
	m.procs[p].uid, m.procs[p].limit = uid, max(0, min(limit, m.rtLimit))
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
// dropped. When the user's count is at the process's limit, a real-time
// signal is refused unless kill(2) sent it (SI_USER), and is then pended
// without its siginfo, as is a standard signal with a negative si_code
// (SI_TIMER excepted: a timer's siginfo is its own).
func (m *refModel) send(q *refQueue, p ProcID, info Siginfo) (bool, error) {
	full := m.refUserQueued(p) >= m.procs[p].limit
	if info.Signo < SIGRTMIN {
		if q.pending()&(1<<(info.Signo-1)) != 0 {
			return false, nil
		}
		if full && info.Code < 0 && info.Code != SI_TIMER {
			q.lost |= 1 << (info.Signo - 1)
			return true, nil
		}
	} else if full {
		if info.Code != SI_USER {
			return false, ErrAgain
		}
		q.lost |= 1 << (info.Signo - 1)
		return true, nil
	}
	q.infos = append(q.infos, info)
	return true, nil
}

// takeFrom removes the oldest siginfo of next_signal()'s choice
// (collect_signal()): a queued one if there is any — the signal stays
// pending only if another is queued — else the lost one, whose siginfo is
// SI_USER with no sender.
func takeFrom(q *refQueue, mask Sigset) (int, Siginfo) {
	sig := refNextSignal(q.pending(), mask)
	if sig == 0 {
		return 0, Siginfo{}
	}
	bit := Sigset(1) << (sig - 1)
	for i, info := range q.infos {
		if int(info.Signo) == sig {
			q.infos = slices.Delete(q.infos, i, i+1)
			if !slices.ContainsFunc(q.infos, func(o Siginfo) bool { return int(o.Signo) == sig }) {
				q.lost &^= bit
			}
			return sig, info
		}
	}
	q.lost &^= bit
	return sig, Siginfo{Signo: int32(sig), Code: SI_USER}
}

// take is dequeue_signal(): the thread's own queue, then its process's.
func (m *refModel) take(t ThreadID, mask Sigset) (int, Siginfo) {
	th := m.threads[t]
	if sig, info := takeFrom(&th.queue, mask); sig != 0 {
		return sig, info
	}
	return takeFrom(&m.procs[th.proc].queue, mask)
}

func flushFrom(q *refQueue, set Sigset) {
	q.infos = slices.DeleteFunc(q.infos, func(info Siginfo) bool { return set&(1<<(info.Signo-1)) != 0 })
	q.lost &^= set
}

func (m *refModel) newProcess(p ProcID) {
	m.procs[p] = &refProc{actions: map[int]Sigaction{}, limit: m.rtLimit}
}

func (m *refModel) newThread(t ThreadID, p ProcID) {
	m.threads[t] = &refThread{proc: p, stack: Stack{Flags: SS_DISABLE}}
}

func (m *refModel) deliverable(t ThreadID) Sigset {
	th := m.threads[t]
	return (th.queue.pending() | m.procs[th.proc].queue.pending()) &^ th.blocked
}
