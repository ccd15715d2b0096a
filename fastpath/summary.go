package fastpath

import "sync/atomic"

// The summary layout: the lab's own, after the kernel. Linux does not
// recompute "is anything deliverable?" on every return to user space; it
// keeps one flag per task, TIF_SIGPENDING, set when a signal is queued for a
// thread that does not block it and recomputed when masks change
// (kernel/signal.c, recalc_sigpending, signal_wake_up, complete_signal).
// This layout does the same with a whole word: per thread slot, the
// deliverable set (thread pending | process pending) &^ blocked, kept up to
// date by the emulator on every change, in a dense array of 8-byte words.
// The check is then one load of one word, and at 100,000 threads the check
// touches an 800 KB array instead of 4.8 MB of records.
//
// The price is paid by the writer: a process-directed send, take or flush
// rewrites the word of every thread of that process (the kernel avoids this
// by waking one chosen thread; here every thread's check must stay exact).
// For a Go program that is ITIMER_PROF's 100 Hz and signals from outside —
// the benchmarks say whether it pays.
//
// The blocked mask is an input of the word, and the shim may change the
// mask without the emulator when that only unblocks (a handler's
// rt_sigreturn, a sigprocmask wrapper: serve's RegionConfig
// LocalSigreturn). The word then lacks the newly unblocked signals until
// the emulator next recomputes it. That is safe because nothing relies on
// the word alone for those: the shim's own check reads the records (the
// pending words and the blocked word, exact as on bitmap), runs right
// after its store (Dekker's pattern with any sender, hot.go point 3), and
// brings the thread to the emulator, whose delivery decision dequeues from
// the records. Every send recomputes the words it touches from the blocked
// word as it then is. A word may lack bits, never hold stale ones: the shim
// only ever unblocks.
//
// Records are bitmap's 48-byte thread records and 8-byte process records;
// the summary words and one always-zero word follow them in the arena. The
// Hot of a thread points its pending word at the summary word and its other
// two words at the zero word, so Hot.Deliverable is unchanged code that
// touches one line per visit.
type summaryState struct {
	*shared
	sum  uint64 // offset of the summary words
	zero uint64 // offset of the always-zero word
	// Members of each process, as a private doubly linked list through the
	// thread slots (1-based, 0 ends it), so process-level changes find the
	// threads to recompute without scanning the arena.
	next, prev []int32
	head       []int32
}

func newSummary(cfg Config) (State, error) {
	sp := bitmapSpec
	sp.name = "summary"
	sp.geo.ProcBase = pageAlign(uint64(cfg.MaxThreads) * sp.geo.ThreadStride)
	sp.geo.SummaryStride = 8
	sp.extra = uint64(cfg.MaxThreads)*8 + 64 // the words, then the zero word on its own line
	sh, err := newShared(sp, cfg)
	if err != nil {
		return nil, err
	}
	sh.geo.SummaryBase = sh.extraBase
	s := &summaryState{
		shared: sh,
		sum:    sh.extraBase,
		zero:   sh.extraBase + uint64(cfg.MaxThreads)*8,
		next:   make([]int32, cfg.MaxThreads),
		prev:   make([]int32, cfg.MaxThreads),
		head:   make([]int32, cfg.MaxProcesses),
	}
	return s, nil
}

func (s *summaryState) Footprint() Footprint {
	f := s.shared.Footprint()
	f.SharedPerThread += 8
	f.PrivatePerThread += 8
	f.PrivatePerProcess += 4
	return f
}

func (s *summaryState) word(t ThreadID) *atomic.Uint64 {
	return s.shared.word(s.sum + uint64(t)*8)
}

// resum recomputes one thread's word: recalc_sigpending() for a word.
func (s *summaryState) resum(t ThreadID) {
	p := s.tProc[t]
	s.word(t).Store(uint64((s.tPending[t] | s.pPending[p]) &^ s.Blocked(t)))
}

// resumProcess recomputes the word of every thread of p.
func (s *summaryState) resumProcess(p ProcID) {
	for i := s.head[p]; i != 0; i = s.next[i-1] {
		s.resum(ThreadID(i - 1))
	}
}

func (s *summaryState) NewProcess() (ProcID, error) {
	p, err := s.shared.NewProcess()
	if err == nil {
		s.head[p] = 0
	}
	return p, err
}

func (s *summaryState) NewThread(p ProcID) (ThreadID, error) {
	t, err := s.shared.NewThread(p)
	if err != nil {
		return t, err
	}
	i := int32(t) + 1
	s.prev[t], s.next[t] = 0, s.head[p]
	if h := s.head[p]; h != 0 {
		s.prev[h-1] = i
	}
	s.head[p] = i
	s.resum(t) // the process may already have something pending
	return t, nil
}

func (s *summaryState) FreeThread(t ThreadID) {
	p := s.tProc[t]
	if pr := s.prev[t]; pr != 0 {
		s.next[pr-1] = s.next[t]
	} else {
		s.head[p] = s.next[t]
	}
	if n := s.next[t]; n != 0 {
		s.prev[n-1] = s.prev[t]
	}
	s.shared.FreeThread(t)
	s.word(t).Store(0)
}

func (s *summaryState) Hot(t ThreadID) Hot {
	s.Process(t) // panics on a free slot, like the other layouts
	z := s.shared.word(s.zero)
	return Hot{pending: s.word(t), blocked: z, procPending: z}
}

func (s *summaryState) SendThread(t ThreadID, info *Siginfo) (bool, error) {
	q, err := s.shared.SendThread(t, info)
	if q {
		s.resum(t)
	}
	return q, err
}

func (s *summaryState) SendProcess(p ProcID, info *Siginfo) (bool, error) {
	q, err := s.shared.SendProcess(p, info)
	if q {
		s.resumProcess(p)
	}
	return q, err
}

func (s *summaryState) Take(t ThreadID, mask Sigset, info *Siginfo) int {
	p := s.tProc[t]
	before := s.pPending[p]
	sig := s.shared.Take(t, mask, info)
	if s.pPending[p] != before {
		s.resumProcess(p)
	} else if sig != 0 {
		s.resum(t)
	}
	return sig
}

func (s *summaryState) FlushThread(t ThreadID, set Sigset) {
	s.shared.FlushThread(t, set)
	s.resum(t)
}

func (s *summaryState) FlushProcess(p ProcID, set Sigset) {
	before := s.pPending[p]
	s.shared.FlushProcess(p, set)
	if s.pPending[p] != before {
		s.resumProcess(p)
	}
}

func (s *summaryState) SetBlocked(t ThreadID, mask Sigset) {
	s.shared.SetBlocked(t, mask)
	s.resum(t)
}
